"""RFC 6901 JSON pointers."""

from __future__ import annotations

from typing import Any, Iterable


def escape_token(token: str | int) -> str:
    s = token if type(token) is str else str(token)
    return s.replace("~", "~0").replace("/", "~1") if ("~" in s or "/" in s) else s


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(base: str, *tokens: str | int) -> str:
    """`base` with each token escaped and appended (the rules and the model build pointers with it: a loop
    rather than a generator joined, as it runs for every field of every state)."""
    for t in tokens:
        s = t if type(t) is str else str(t)
        if "~" in s or "/" in s:
            s = s.replace("~", "~0").replace("/", "~1")
        base += "/" + s
    return base


def split_pointer(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"invalid JSON pointer {pointer!r}")
    return [unescape_token(t) for t in pointer[1:].split("/")]


def resolve_pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in split_pointer(pointer):
        if isinstance(node, dict):
            node = node[token]
        elif isinstance(node, list):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def parent_pointers(pointer: str) -> Iterable[str]:
    """The pointer itself, then each ancestor up to the root ("")."""
    while True:
        yield pointer
        if not pointer:
            return
        pointer = pointer[: pointer.rfind("/")]
