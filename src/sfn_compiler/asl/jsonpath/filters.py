"""Filter expressions (``[?(@.x == 1)]``): operands, comparisons, ``&&``, ``||``, ``!``, with Jayway's semantics."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from .path import JsonPath, PathNotFound


class _Expr:
    def test(self, node: Any, root: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


_MISSING = object()


class _Operand(NamedTuple):
    kind: str  # "literal" | "current" | "root"
    value: Any = None
    sub: JsonPath | None = None

    def resolve(self, node: Any, root_doc: Any) -> Any:
        if self.kind == "literal":
            return self.value
        doc = node if self.kind == "current" else root_doc
        assert self.sub is not None
        if not self.sub.tokens:
            return doc
        if self.sub.definite:
            try:
                return self.sub.read(doc)
            except PathNotFound:
                return _MISSING
        return self.sub.find(doc)


class _Compare(NamedTuple):   # an _Expr (`test`); a record, as the operands
    left: _Operand
    op: str | None  # None: existence test
    right: _Operand | None
    regex: re.Pattern[str] | None = None

    def test(self, node: Any, root: Any) -> bool:
        lv = self.left.resolve(node, root)
        if self.op is None:
            if lv is _MISSING:
                return False
            if self.left.kind != "literal" and self.left.sub is not None and not self.left.sub.definite:
                return bool(lv)
            return True
        if lv is _MISSING:  # Jayway: an undefined operand equals nothing
            return self.op in ("!=", "nin")
        if self.op == "=~":
            return isinstance(lv, str) and self.regex is not None and self.regex.fullmatch(lv) is not None
        assert self.right is not None
        rv = self.right.resolve(node, root)
        if rv is _MISSING:
            return self.op in ("!=", "nin")
        return _compare(self.op, lv, rv)


@dataclass(frozen=True)
class _Not(_Expr):
    inner: _Expr

    def test(self, node: Any, root: Any) -> bool:
        return not self.inner.test(node, root)


@dataclass(frozen=True)
class _And(_Expr):
    parts: tuple[_Expr, ...]

    def test(self, node: Any, root: Any) -> bool:
        return all(p.test(node, root) for p in self.parts)


@dataclass(frozen=True)
class _Or(_Expr):
    parts: tuple[_Expr, ...]

    def test(self, node: Any, root: Any) -> bool:
        return any(p.test(node, root) for p in self.parts)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _num_of(v: Any) -> float | int | None:
    if _is_num(v):
        return v
    if isinstance(v, str):
        try:
            return float(v) if any(c in v for c in ".eE") else int(v)
        except ValueError:
            return None
    return None


def _equal(a: Any, b: Any) -> bool:
    # Jayway ValueNodes: a number equals a string holding the same number; otherwise same type and value
    if _is_num(a) or _is_num(b):
        x, y = _num_of(a), _num_of(b)
        if x is None or y is None or isinstance(a, bool) or isinstance(b, bool):
            return False
        return x == y
    if type(a) is not type(b):
        return False
    return a == b


def _compare(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return _equal(a, b)
    if op == "!=":
        return not _equal(a, b)
    if op in ("<", "<=", ">", ">="):
        if _is_num(a) and _is_num(b):
            x, y = a, b
        elif isinstance(a, str) and isinstance(b, str):
            x, y = a, b
        else:
            return False
        return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]
    if op in ("in", "nin"):
        if not isinstance(b, list):
            return op == "nin"
        hit = any(_equal(a, v) for v in b)
        return hit if op == "in" else not hit
    if op == "subsetof":
        return isinstance(a, list) and isinstance(b, list) and all(any(_equal(x, y) for y in b) for x in a)
    if op == "anyof":
        return isinstance(a, list) and isinstance(b, list) and any(any(_equal(x, y) for y in b) for x in a)
    if op == "noneof":
        return isinstance(a, list) and isinstance(b, list) and not any(any(_equal(x, y) for y in b) for x in a)
    if op == "contains":
        if isinstance(a, str) and isinstance(b, str):
            return b in a
        return isinstance(a, list) and any(_equal(x, b) for x in a)
    if op == "size":
        return _is_num(b) and isinstance(a, (list, str, dict)) and len(a) == b
    if op == "empty":
        return isinstance(b, bool) and isinstance(a, (list, str, dict)) and (len(a) == 0) == b
    return False  # pragma: no cover - the parser only produces the operators above
