"""The JSONPath parser: :func:`parse_path`, :func:`parse_reference_path` (both cached by text), :func:`jayway_path`."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Callable

from .filters import _And, _Compare, _Expr, _Not, _Operand, _Or
from .path import JsonPath, JsonPathSyntaxError, _Filter, _Index, _Prop, _Scan, _Slice, _Token, _Wildcard


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


def path_root(text: str) -> str | None:
    """The root of a path as :func:`parse_path` reads it (``$``, ``$$`` or ``$name``), whether or not the rest
    parses; None when the text does not start with ``$``."""
    try:
        return _Parser(text).parse_root()
    except JsonPathSyntaxError:
        return None


def jayway_path(text: str) -> str:
    """Jayway's rendering of a path text (``$.a[0]`` → ``$['a'][0]``)."""
    return parse_path(text).jayway()
