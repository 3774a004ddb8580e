"""Reading jsonata-python's AST: a node's span in the body (the parser records only where each token ends)
and a node's text as written."""

from __future__ import annotations

import re
from typing import Any


def _end(node: Any) -> int:
    pos = getattr(node, "position", 0)
    return pos if isinstance(pos, int) else 0


_PLAIN_NAME = re.compile(r"[A-Za-z_$][\w$]*")


def _name_text(name: Any) -> str:
    s = str(name)
    hit = _NAME_TEXTS.get(s)
    if hit is None:
        if len(_NAME_TEXTS) >= 100_000:
            _NAME_TEXTS.clear()
        hit = _NAME_TEXTS[s] = s if _PLAIN_NAME.fullmatch(s) else "`" + s + "`"
    return hit


_NAME_TEXTS: dict[str, str] = {}


_CHILD_ATTRS = ("steps", "lhs", "rhs", "expressions", "arguments", "procedure", "condition", "then", "_else",
                "expression", "lhs_object", "stages", "predicate", "expr", "body")


def _span(node: Any, depth: int = 0, within: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """(start, end) offsets of a node's source text (approximate: jsonata-python records token ends). With
    `within`, None as soon as the span cannot be that one (it only grows as the walk goes on)."""
    lo, hi = 1 << 30, -1
    stack = [(node, 0)]
    seen: set[int] = set()
    while stack:
        n, d = stack.pop()
        if n is None or d > 60 or id(n) in seen:
            continue
        if isinstance(n, (list, tuple)):
            stack.extend((x, d + 1) for x in n)
            continue
        if not hasattr(n, "type"):
            continue
        seen.add(id(n))
        end = _end(n)
        t = n.type
        if t == "string":
            start = end - len(str(n.value)) - 2
        elif t == "name":
            start = end - len(str(n.value))
        elif t == "variable":
            start = end - len(str(n.value or "")) - 1
        elif t == "number":
            start = end - len(_num_text(n.value))
        elif t in ("path", "block", "unary", "function", "condition", "binary", "apply"):
            start = end - 1 if end > 0 else 1 << 30
            if end == 0:
                end = -1
        else:
            start = end - 1
        if end >= 0:
            hi = max(hi, end)
        if start >= 0:
            lo = min(lo, start)
        if within is not None and (hi > within[1] or lo < within[0]):
            return None
        for a in _CHILD_ATTRS:
            v = getattr(n, a, None)
            if v is not None:
                stack.append((v, d + 1))
    if hi < 0:
        return 0, 0
    return (lo if lo <= hi else hi), hi


def same_span(a: Any, b: Any) -> bool:
    """Whether two nodes cover the same text (the `a ?: b` form, whose `then` is a copy of its condition): the
    second walk stops as soon as it leaves the first one's span."""
    span = _span(b)
    return _span(a, within=span) == span


def _start(node: Any, src: str) -> int:
    return _span(node)[0]


def _num_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _node_text(node: Any, depth: int = 0) -> str:
    """A compact rendering of an expression node (for messages), e.g. `$states.input.Status`."""
    if node is None or depth > 20:
        return "..."
    t = getattr(node, "type", None)
    if t == "path":
        return ".".join(_node_text(s, depth + 1) for s in node.steps or ())
    if t == "variable":
        return "$" + str(node.value or "") + ("[...]" if getattr(node, "predicate", None) else "")
    if t == "name":
        return _name_text(node.value) + ("[...]" if getattr(node, "stages", None) else "")
    if t == "string":
        return repr(node.value)
    if t == "number":
        return _num_text(node.value)
    if t == "function":
        proc = node.procedure
        inner = ", ".join(_node_text(a, depth + 1) for a in node.arguments or ())
        return f"{_node_text(proc, depth + 1)}({inner})"
    if t == "block":
        return "(...)"
    if t == "binary":
        return f"{_node_text(node.lhs, depth + 1)} {node.value} {_node_text(node.rhs, depth + 1)}"
    return "..."
