"""A parsed JSONPath (:class:`JsonPath`): its tokens, what it reads, and Jayway's evaluation of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple, TYPE_CHECKING

from .text import java_class_name, to_json_text

if TYPE_CHECKING:
    from .filters import _Expr

#: Jayway's JsonProvider named in its "Expected to find an object" message. AWS's JSON layer is
#: Jackson; the exact provider class is not recorded, see docs/simulator.md.
JSON_PROVIDER = "com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider"


class JsonPathSyntaxError(ValueError):
    """The text is not a path AWS accepts (AWS rejects such a definition at creation)."""

    def __init__(self, text: str, message: str, position: int | None = None) -> None:
        super().__init__(f"invalid JSONPath {text!r}: {message}" + (f" (at offset {position})"
                                                                    if position is not None else ""))
        self.text = text
        self.message = message
        self.position = position


class PathNotFound(Exception):
    """A definite path did not match: ``reason`` is Jayway's ``PathNotFoundException`` message."""

    def __init__(self, path: "JsonPath", reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


def is_path(value: Any) -> bool:
    """True for a string that AWS reads as a path (it starts with ``$``)."""
    return isinstance(value, str) and value.startswith("$")


# =========================================================================== tokens


class _Prop(NamedTuple):
    names: tuple[str, ...]

    @property
    def definite(self) -> bool:
        return len(self.names) == 1

    def fragment(self) -> str:
        return "[" + ", ".join(f"'{n}'" for n in self.names) + "]"


class _Index(NamedTuple):
    indexes: tuple[int, ...]

    @property
    def definite(self) -> bool:
        return len(self.indexes) == 1

    def fragment(self) -> str:
        return "[" + ",".join(str(i) for i in self.indexes) + "]"


class _Slice(NamedTuple):
    start: int | None
    end: int | None

    definite = False

    def fragment(self) -> str:
        return "[" + ("" if self.start is None else str(self.start)) + ":" + (
            "" if self.end is None else str(self.end)) + "]"


@dataclass(frozen=True, slots=True)
class _Wildcard:
    definite = False

    def fragment(self) -> str:
        return "[*]"


@dataclass(frozen=True, slots=True)
class _Scan:
    definite = False

    def fragment(self) -> str:
        return ".."


class _Filter(NamedTuple):
    expr: "_Expr"
    text: str

    definite = False

    def fragment(self) -> str:
        return "[?(" + self.text + ")]"


_Token = _Prop | _Index | _Slice | _Wildcard | _Scan | _Filter


# =========================================================================== the path object


@dataclass(frozen=True)
class JsonPath:
    """A parsed path. ``root`` is ``"$"`` (state data), ``"$$"`` (context object) or ``"$name"``."""

    text: str
    root: str
    tokens: tuple[_Token, ...]
    definite: bool = field(init=False)

    def __post_init__(self) -> None:
        # Jayway: a trailing multi-property token (['a','b']) merges into one object, so it is definite
        toks = self.tokens
        definite = all(t.definite for t in toks[:-1]) and (
            not toks or toks[-1].definite or isinstance(toks[-1], _Prop))
        object.__setattr__(self, "definite", definite)

    # -- what the path reads
    @property
    def is_context(self) -> bool:
        return self.root == "$$"

    @property
    def variable(self) -> str | None:
        """The workflow variable this path reads (``$x.a`` → ``x``), else None."""
        return self.root[1:] if self.root not in ("$", "$$") else None

    @property
    def is_reference(self) -> bool:
        """Only single names and single indexes (a Reference Path)."""
        return all(isinstance(t, (_Prop, _Index)) and t.definite for t in self.tokens)

    def steps(self) -> tuple[str | int, ...]:
        """A Reference Path as keys (str) and indexes (int): ``$.a[0].b`` → ``("a", 0, "b")``."""
        if not self.is_reference:
            raise ValueError(f"{self.text!r} is not a reference path")
        return tuple(t.names[0] if isinstance(t, _Prop) else t.indexes[0] for t in self.tokens)  # type: ignore[union-attr]

    def jayway(self) -> str:
        """Jayway's rendering of the path, relative to its document: ``$['a'][0]``."""
        return "$" + "".join(t.fragment() for t in self.tokens)

    # -- evaluation
    def find(self, document: Any) -> list[Any]:
        """Every match, in document order (Jayway's indefinite evaluation; never raises)."""
        out: list[Any] = []
        try:
            _walk(self, self.tokens, 0, document, "$", False, out, document)
        except PathNotFound:  # pragma: no cover - indefinite walks never raise
            pass
        return out

    def read(self, document: Any) -> Any:
        """Evaluate against ``document`` as AWS does.

        A definite path returns its single value (which may be ``None`` for JSON null) or raises
        :class:`PathNotFound` with Jayway's reason. An indefinite path returns the list of matches,
        ``[]`` when there are none.
        """
        if not self.tokens:
            return document
        if not self.definite:
            return self.find(document)
        out: list[Any] = []
        _walk(self, self.tokens, 0, document, "$", True, out, document)
        if not out:
            raise PathNotFound(self, f"No results for path: {self.jayway()}")
        return out[0]

    def exists(self, document: Any) -> bool:
        """True when the path matches something (``IsPresent``)."""
        if not self.definite:
            return bool(self.find(document))
        try:
            self.read(document)
        except PathNotFound:
            return False
        return True

    def __str__(self) -> str:
        return self.text


# =========================================================================== evaluation


def _walk(path: JsonPath, tokens: tuple[_Token, ...], i: int, node: Any, at: str, upstream_definite: bool,
          out: list[Any], root: Any) -> None:
    """Jayway's token walk. ``at`` is the Jayway path of ``node``; ``upstream_definite`` whether every token
    before ``i`` was definite (only then do missing properties and type mismatches raise)."""
    if i == len(tokens):
        out.append(node)
        return
    tok = tokens[i]
    leaf = i == len(tokens) - 1
    if isinstance(tok, _Prop):
        if type(node) is not dict:
            if upstream_definite:
                raise PathNotFound(path, f"Expected to find an object with property {tok.fragment()} in path {at} "
                                         f"but found '{java_class_name(node)}'. This is not a json object "
                                         f"according to the JsonProvider: '{JSON_PROVIDER}'.")
            return
        if len(tok.names) > 1 and leaf:  # Jayway's "merge" case: a map of the properties present
            out.append({n: node[n] for n in tok.names if n in node})
            return
        for name in tok.names:
            here = f"{at}['{name}']"
            if name not in node:
                if leaf:
                    continue
                if upstream_definite and tok.definite:
                    raise PathNotFound(path, f"Missing property in path {here}")
                continue
            _walk(path, tokens, i + 1, node[name], here, upstream_definite and tok.definite, out, root)
        return
    if isinstance(tok, (_Index, _Slice)):
        if type(node) is not list:
            if upstream_definite:
                if node is None:
                    raise PathNotFound(path, f"The path {at} is null")
                raise PathNotFound(path, f"Filter: {tok.fragment()} can only be applied to arrays. Current context "
                                         f"is: {_context_text(node)}")
            return
        n = len(node)
        if isinstance(tok, _Index):
            for idx in tok.indexes:
                eff = idx + n if idx < 0 else idx
                if 0 <= eff < n:
                    _walk(path, tokens, i + 1, node[eff], f"{at}[{idx}]", upstream_definite and tok.definite, out, root)
            return
        for eff in _slice_indexes(tok, n):
            _walk(path, tokens, i + 1, node[eff], f"{at}[{eff}]", False, out, root)
        return
    if isinstance(tok, _Wildcard):
        if type(node) is dict:
            for k, v in node.items():
                _walk(path, tokens, i + 1, v, f"{at}['{k}']", False, out, root)
        elif type(node) is list:
            for k, v in enumerate(node):
                _walk(path, tokens, i + 1, v, f"{at}[{k}]", False, out, root)
        return
    if isinstance(tok, _Filter):
        if type(node) is list:
            for k, v in enumerate(node):
                if tok.expr.test(v, root):
                    _walk(path, tokens, i + 1, v, f"{at}[{k}]", False, out, root)
        elif type(node) is dict:
            if tok.expr.test(node, root):
                _walk(path, tokens, i + 1, node, at, False, out, root)
        return
    if isinstance(tok, _Scan):
        for sub_at, sub in _descendants(node, at):
            _walk(path, tokens, i + 1, sub, sub_at, False, out, root)
        return
    raise AssertionError(tok)  # pragma: no cover


def _descendants(node: Any, at: str) -> Iterator[tuple[str, Any]]:
    """``node`` and every container below it, pre-order (the nodes a deep scan applies its next token to)."""
    stack: list[tuple[str, Any]] = [(at, node)]
    while stack:
        here, cur = stack.pop()
        if type(cur) is dict:
            yield here, cur
            stack.extend(reversed([(f"{here}['{k}']", v) for k, v in cur.items() if type(v) in (dict, list)]))
        elif type(cur) is list:
            yield here, cur
            stack.extend(reversed([(f"{here}[{k}]", v) for k, v in enumerate(cur) if type(v) in (dict, list)]))


def _slice_indexes(tok: _Slice, n: int) -> range:
    start, end = tok.start, tok.end
    if start is None:
        start = 0
    elif start < 0:
        start = max(0, n + start)
    if end is None:
        end = n
    elif end < 0:
        end = n + end
    end = min(end, n)
    if start >= end:
        return range(0)
    return range(start, end)


def _context_text(node: Any) -> str:
    try:
        return to_json_text(node)
    except (TypeError, ValueError):
        return str(node)
