"""AWS Step Functions' JSONPath: parse a path once, evaluate it many times, the way AWS does.

The Amazon States Language says paths "follow JsonPath syntax" and links Jayway JsonPath, the Java library
AWS runs. This module is a small evaluator of the subset Step Functions uses, with Jayway's semantics where
they show through (recorded AWS executions, cited in ``tests/asl/test_jsonpath.py``):

- Paths: ``$``, ``.name``, ``['name']``, ``['a','b']``, ``[0]``, ``[-1]``, ``[0,2]``, ``[1:3]``, ``[*]``,
  ``.*``, ``..name`` (deep scan), filters ``[?(@.x == 1)]`` (``== != < <= > >= =~ in nin`` ``&& || !``,
  existence ``[?(@.x)]``), and the roots ``$`` (state data), ``$$`` (context object) and ``$name``
  (workflow variable, JSONPath states only).
- A *definite* path (only single names and single indexes) yields one value or fails with Jayway's
  ``PathNotFoundException`` text (``No results for path: $['x']``, ``Missing property in path $['a']``),
  which AWS quotes in ``Invalid path '…' : …`` causes.
- An *indefinite* path yields a list of every match, never fails, and yields ``[]`` when nothing matches
  (recorded: ``$.items[*].itemValue`` on ``{}`` gives ``[]``).
- A *Reference Path* (``ResultPath``, ``…SecondsPath``, Choice ``Variable``) is a definite path without
  filters; :func:`parse_reference_path` refuses anything else.

Evaluation never mutates its input and returns the matched values themselves (no copies): callers that
build new documents copy what they keep.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterator

__all__ = [
    "JsonPath",
    "JsonPathSyntaxError",
    "PathNotFound",
    "parse_path",
    "parse_reference_path",
    "is_path",
    "jayway_path",
    "java_class_name",
    "to_json_text",
    "java_string",
]

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


# =========================================================================== helpers


def to_json_text(value: Any) -> str:
    """Compact JSON as AWS prints data in its messages: ``{"a":1,"b":[true,null]}``."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def java_double(x: float) -> str:
    """``Double.toString(x)`` (how Jackson prints doubles): ``1.0``, ``1.1``, ``1.0E20``, ``1.0E-5``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    a = abs(x)
    sign = "-" if x < 0 else ""
    d = Decimal(repr(a)).normalize()
    if 1e-3 <= a < 1e7:
        text = format(d, "f")
        return sign + (text if "." in text else text + ".0")
    digits = "".join(str(g) for g in d.as_tuple().digits)
    exponent = len(digits) - 1 + int(d.as_tuple().exponent)
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def java_string(value: Any) -> str:
    """``String.valueOf`` of a JSON value as Java's collections print it (``States.Format`` arguments).

    Strings are bare, ``null``/booleans/numbers as in JSON (doubles as Java prints them), lists as
    ``[a, b]`` and objects as ``{k=v, k2=v2}`` (``java.util.Map.toString``). Recorded: an object argument
    ``{"Arg1": 1, "Arg2": []}`` formats as ``{Arg1=1, Arg2=[]}`` (case jsonpath-intrinsic-functions-057).
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    return str(value)


def java_class_name(value: Any) -> str:
    """The Jackson node class Jayway names in its type-mismatch messages."""
    if value is None:
        return "com.fasterxml.jackson.databind.node.NullNode"
    if isinstance(value, bool):
        return "com.fasterxml.jackson.databind.node.BooleanNode"
    if isinstance(value, int):
        return ("com.fasterxml.jackson.databind.node.IntNode" if -2**31 <= value < 2**31
                else "com.fasterxml.jackson.databind.node.LongNode")
    if isinstance(value, float):
        return "com.fasterxml.jackson.databind.node.DoubleNode"
    if isinstance(value, str):
        return "com.fasterxml.jackson.databind.node.TextNode"
    if isinstance(value, list):
        return "com.fasterxml.jackson.databind.node.ArrayNode"
    return "com.fasterxml.jackson.databind.node.ObjectNode"


def is_path(value: Any) -> bool:
    """True for a string that AWS reads as a path (it starts with ``$``)."""
    return isinstance(value, str) and value.startswith("$")


# =========================================================================== tokens


@dataclass(frozen=True, slots=True)
class _Prop:
    names: tuple[str, ...]

    @property
    def definite(self) -> bool:
        return len(self.names) == 1

    def fragment(self) -> str:
        return "[" + ", ".join(f"'{n}'" for n in self.names) + "]"


@dataclass(frozen=True, slots=True)
class _Index:
    indexes: tuple[int, ...]

    @property
    def definite(self) -> bool:
        return len(self.indexes) == 1

    def fragment(self) -> str:
        return "[" + ",".join(str(i) for i in self.indexes) + "]"


@dataclass(frozen=True, slots=True)
class _Slice:
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


@dataclass(frozen=True, slots=True)
class _Filter:
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


# =========================================================================== filter expressions


class _Expr:
    def test(self, node: Any, root: Any) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


_MISSING = object()


@dataclass(frozen=True)
class _Operand:
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


@dataclass(frozen=True)
class _Compare(_Expr):
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


# =========================================================================== parser


_NAME_STOP = set(".[] ")  # a dot-notation name runs until one of these (Jayway)
_FILTER_OPS = ("==", "!=", "<=", ">=", "=~", "<", ">")
_WORD_OPS = ("subsetof", "anyof", "noneof", "contains", "empty", "size", "nin", "in")


class _Parser:
    def __init__(self, text: str, pos: int = 0, *, allow_roots: bool = True) -> None:
        self.text = text
        self.pos = pos
        self.allow_roots = allow_roots
        self.stop: Callable[[str], bool] | None = None

    def error(self, message: str, pos: int | None = None) -> JsonPathSyntaxError:
        return JsonPathSyntaxError(self.text, message, self.pos if pos is None else pos)

    def peek(self, k: int = 0) -> str:
        j = self.pos + k
        return self.text[j] if j < len(self.text) else ""

    def skip_ws(self) -> None:
        while self.peek() in (" ", "\t", "\n", "\r") and self.peek():
            self.pos += 1

    # -- whole path
    def parse_root(self) -> str:
        t = self.text
        if not t.startswith("$"):
            raise self.error("a path must start with '$'", 0)
        if t.startswith("$$"):
            self.pos = 2
            return "$$"
        m = _VAR_ROOT.match(t)
        if m:
            if not self.allow_roots:
                raise self.error("a variable cannot be used here", 0)
            self.pos = m.end()
            return "$" + m.group(1)
        self.pos = 1
        return "$"

    def parse_tokens(self, stop: Callable[[str], bool] | None = None) -> tuple[_Token, ...]:
        tokens: list[_Token] = []
        t = self.text
        self.stop = stop
        while self.pos < len(t):
            c = t[self.pos]
            if stop is not None and stop(c):
                break
            if c == "." and self.peek(1) == ".":
                self.pos += 2
                tokens.append(_Scan())
                if self.peek() == "[":
                    continue
                if self.peek() == "*":
                    self.pos += 1
                    tokens.append(_Wildcard())
                    continue
                tokens.append(self.dot_name())
            elif c == ".":
                self.pos += 1
                if self.peek() == "[":  # Jayway tolerates "$.[0]"
                    continue
                if self.peek() == "*":
                    self.pos += 1
                    tokens.append(_Wildcard())
                    continue
                tokens.append(self.dot_name())
            elif c == "[":
                tokens.append(self.bracket())
            else:
                raise self.error(f"unexpected character {c!r}")
        return tuple(tokens)

    def dot_name(self) -> _Prop:
        t = self.text
        start = self.pos
        buf: list[str] = []
        while self.pos < len(t):
            c = t[self.pos]
            if c == "\\" and self.pos + 1 < len(t):  # ASL reference-path escapes: $.a\.b
                buf.append(t[self.pos + 1])
                self.pos += 2
                continue
            if c in _NAME_STOP or c == "(" or (self.stop is not None and self.stop(c)):
                break
            buf.append(c)
            self.pos += 1
        if self.peek() == "(":
            raise self.error("path functions such as length() are not supported by Step Functions", start)
        if not buf:
            raise self.error("a property name is missing after '.'", start)
        return _Prop(("".join(buf),))

    def bracket(self) -> _Token:
        t = self.text
        start = self.pos
        self.pos += 1  # [
        self.skip_ws()
        c = self.peek()
        if c == "?":
            return self.filter_token(start)
        if c in ("'", '"'):
            names = [self.quoted()]
            self.skip_ws()
            while self.peek() == ",":
                self.pos += 1
                self.skip_ws()
                if self.peek() not in ("'", '"'):
                    raise self.error("expected a quoted property name")
                names.append(self.quoted())
                self.skip_ws()
            self.expect("]")
            return _Prop(tuple(names))
        if c == "*":
            self.pos += 1
            self.skip_ws()
            self.expect("]")
            return _Wildcard()
        end = t.find("]", self.pos)
        if end < 0:
            raise self.error("unclosed '['", start)
        body = t[self.pos:end].replace(" ", "")
        self.pos = end + 1
        if ":" in body:
            parts = body.split(":")
            if len(parts) > 2 or not all(p == "" or _INT.fullmatch(p) for p in parts):
                raise self.error(f"invalid array slice [{body}]", start)
            s = int(parts[0]) if parts[0] else None
            e = int(parts[1]) if parts[1] else None
            return _Slice(s, e)
        items = body.split(",")
        if not body or not all(_INT.fullmatch(x) for x in items):
            raise self.error(f"invalid array index [{t[start + 1:end]}]", start)
        return _Index(tuple(int(x) for x in items))

    def expect(self, ch: str) -> None:
        if self.peek() != ch:
            raise self.error(f"expected {ch!r}")
        self.pos += 1

    def quoted(self) -> str:
        q = self.peek()
        t = self.text
        self.pos += 1
        buf: list[str] = []
        while self.pos < len(t):
            c = t[self.pos]
            if c == "\\" and self.pos + 1 < len(t):
                buf.append(t[self.pos + 1])
                self.pos += 2
                continue
            if c == q:
                self.pos += 1
                return "".join(buf)
            buf.append(c)
            self.pos += 1
        raise self.error("unclosed quote")

    # -- filters
    def filter_token(self, start: int) -> _Filter:
        self.pos += 1  # ?
        self.skip_ws()
        self.expect("(")
        body_start = self.pos
        expr = self.or_expr()
        self.skip_ws()
        body_end = self.pos
        self.expect(")")
        self.skip_ws()
        self.expect("]")
        return _Filter(expr, self.text[body_start:body_end].strip())

    def or_expr(self) -> _Expr:
        parts = [self.and_expr()]
        while True:
            self.skip_ws()
            if self.text.startswith("||", self.pos):
                self.pos += 2
                parts.append(self.and_expr())
            else:
                break
        return parts[0] if len(parts) == 1 else _Or(tuple(parts))

    def and_expr(self) -> _Expr:
        parts = [self.unary()]
        while True:
            self.skip_ws()
            if self.text.startswith("&&", self.pos):
                self.pos += 2
                parts.append(self.unary())
            else:
                break
        return parts[0] if len(parts) == 1 else _And(tuple(parts))

    def unary(self) -> _Expr:
        self.skip_ws()
        if self.peek() == "!" and self.peek(1) != "=":
            self.pos += 1
            return _Not(self.unary())
        if self.peek() == "(":
            save = self.pos
            self.pos += 1
            try:
                inner = self.or_expr()
                self.skip_ws()
                self.expect(")")
                return inner
            except JsonPathSyntaxError:
                self.pos = save
        return self.comparison()

    def comparison(self) -> _Expr:
        left = self.operand()
        self.skip_ws()
        for op in _FILTER_OPS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                self.skip_ws()
                if op == "=~":
                    return _Compare(left, op, None, self.regex())
                return _Compare(left, op, self.operand())
        for op in _WORD_OPS:
            if self.text.startswith(op, self.pos) and not (self.peek(len(op)).isalnum()):
                self.pos += len(op)
                self.skip_ws()
                return _Compare(left, op, self.operand())
        if left.kind == "literal":
            raise self.error("a filter needs a comparison or a path")
        return _Compare(left, None, None)

    def regex(self) -> re.Pattern[str]:
        t = self.text
        if self.peek() != "/":
            raise self.error("expected a /regex/")
        end = self.pos + 1
        while end < len(t) and t[end] != "/":
            end += 2 if t[end] == "\\" else 1
        if end >= len(t):
            raise self.error("unclosed /regex/")
        body = t[self.pos + 1:end]
        self.pos = end + 1
        flags = 0
        while self.peek() in ("i", "m", "s", "x") and self.peek():
            flags |= {"i": re.I, "m": re.M, "s": re.S, "x": re.X}[self.peek()]
            self.pos += 1
        try:
            return re.compile(body, flags)
        except re.error as exc:
            raise self.error(f"invalid regex /{body}/: {exc}") from None

    def operand(self) -> _Operand:
        self.skip_ws()
        t = self.text
        c = self.peek()
        if c in ("@", "$"):
            kind = "current" if c == "@" else "root"
            self.pos += 1
            sub = _Parser(t, self.pos, allow_roots=False)
            toks = sub.parse_tokens(stop=lambda ch: ch in " )!=<>~&|,")
            self.pos = sub.pos
            return _Operand(kind, sub=JsonPath(t, "$", toks))
        if c in ("'", '"'):
            return _Operand("literal", self.quoted())
        if c == "[":
            end = t.find("]", self.pos)
            if end < 0:
                raise self.error("unclosed list")
            try:
                value = json.loads(t[self.pos:end + 1].replace("'", '"'))
            except ValueError:
                raise self.error("invalid list literal") from None
            self.pos = end + 1
            return _Operand("literal", value)
        m = _LITERAL.match(t, self.pos)
        if m:
            self.pos = m.end()
            word = m.group(0)
            if word in ("true", "false", "null"):
                return _Operand("literal", {"true": True, "false": False, "null": None}[word])
            return _Operand("literal", float(word) if any(x in word for x in ".eE") else int(word))
        raise self.error("expected a value, '@' or '$'")


_INT = re.compile(r"-?\d+")
_LITERAL = re.compile(r"true\b|false\b|null\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
# `$name…` in a JSONPath state reads a workflow variable (Unicode identifier start)
_VAR_ROOT = re.compile(r"\$([^\W\d][\w]*)")


@lru_cache(maxsize=4096)
def parse_path(text: str) -> JsonPath:
    """Parse a Path (``$…``, ``$$…`` or ``$var…``). Raises :class:`JsonPathSyntaxError`."""
    if not isinstance(text, str):
        raise JsonPathSyntaxError(str(text), "a path must be a string")
    p = _Parser(text)
    root = p.parse_root()
    tokens = p.parse_tokens()
    return JsonPath(text, root, tokens)


@lru_cache(maxsize=4096)
def parse_reference_path(text: str, *, allow_variables: bool = True, allow_context: bool = True) -> JsonPath:
    """Parse a Reference Path: a path that names exactly one node (``$.a.b``, ``$['a'][0]``)."""
    path = parse_path(text)
    if not path.is_reference:
        raise JsonPathSyntaxError(text, "a reference path must name a single node: only '.name', "
                                        "\"['name']\" and '[n]' are allowed (no '*', '..', ':', ',', '?')")
    if path.variable is not None and not allow_variables:
        raise JsonPathSyntaxError(text, "variables cannot be used here")
    if path.is_context and not allow_context:
        raise JsonPathSyntaxError(text, "the context object ('$$') cannot be used here")
    return path


def jayway_path(text: str) -> str:
    """Jayway's rendering of a path text (``$.a[0]`` → ``$['a'][0]``)."""
    return parse_path(text).jayway()
