"""Intrinsic function calls as written: the call tree (:class:`Call`, literal and path arguments), the
function names and their numbers of arguments (:data:`ARITY`), :func:`parse_intrinsic` (cached by text)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from ..jsonpath import JsonPath, JsonPathSyntaxError, parse_path
from ..spec import INTRINSIC_ARITY

ARITY = INTRINSIC_ARITY  #: name → (minimum, maximum) number of arguments (None: no maximum); `asl.spec`


class IntrinsicSyntaxError(ValueError):
    """The text is not an intrinsic function call AWS accepts (a creation-time error)."""

    def __init__(self, text: str, message: str, position: int | None = None) -> None:
        super().__init__(f"invalid intrinsic function {text!r}: {message}"
                         + (f" (at offset {position})" if position is not None else ""))
        self.text = text
        self.message = message
        self.position = position


# =========================================================================== AST


class _Literal(NamedTuple):
    value: Any
    raw: str | None = None  # a string literal's text between the quotes, escapes kept (States.Format)


class _PathArg(NamedTuple):
    path: JsonPath
    start: int = 0          # offset of the path in the text `parse_intrinsic` read


class Call(NamedTuple):
    """``name(args…)``; ``text`` is the source of this call."""

    name: str
    args: tuple["_Literal | _PathArg | Call", ...]
    text: str


_Arg = _Literal | _PathArg | Call


def paths_in(call: Call) -> list[JsonPath]:
    """Every path argument, nested calls included (what the call reads)."""
    out: list[JsonPath] = []
    for a in call.args:
        if isinstance(a, _PathArg):
            out.append(a.path)
        elif isinstance(a, Call):
            out.extend(paths_in(a))
    return out


def located_paths(call: Call) -> list[tuple[JsonPath, int]]:
    """Every path argument with its offset in the text `parse_intrinsic` read, nested calls included."""
    out: list[tuple[JsonPath, int]] = []
    for a in call.args:
        if isinstance(a, _PathArg):
            out.append((a.path, a.start))
        elif isinstance(a, Call):
            out.extend(located_paths(a))
    return out


# =========================================================================== parser


_NAME = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_KEYWORD = re.compile(r"(true|false|null)(?![A-Za-z0-9_])")


def is_intrinsic(value: Any) -> bool:
    """True for a string that AWS reads as an intrinsic function call (``States.X(``…)."""
    return isinstance(value, str) and value.startswith("States.") and "(" in value


class _P:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, pos: int | None = None) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(self.text, message, self.pos if pos is None else pos)

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def call(self) -> Call:
        start = self.pos
        m = _NAME.match(self.text, self.pos)
        if not m:
            raise self.error("expected a function name such as States.Format")
        name = m.group(0)
        if name not in ARITY:
            if name.startswith("States."):
                raise self.error(f"unknown intrinsic function {name!r}", start)
            raise self.error(f"{name!r} is not an intrinsic function (names start with 'States.')", start)
        self.pos = m.end()
        self.ws()
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise self.error(f"expected '(' after {name}")
        self.pos += 1
        args: list[_Arg] = []
        self.ws()
        if self.pos < len(self.text) and self.text[self.pos] == ")":
            self.pos += 1
        else:
            while True:
                self.ws()
                args.append(self.arg())
                self.ws()
                if self.pos >= len(self.text):
                    raise self.error(f"unclosed argument list of {name}")
                c = self.text[self.pos]
                if c == ",":
                    self.pos += 1
                    continue
                if c == ")":
                    self.pos += 1
                    break
                raise self.error(f"expected ',' or ')' in the arguments of {name}")
        lo, hi = ARITY[name]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = str(lo) if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            raise self.error(f"{name} takes {want} argument{'' if want.endswith(' 1') or want == '1' else 's'}, "
                             f"got {len(args)}", start)
        return Call(name, tuple(args), self.text[start:self.pos])

    def arg(self) -> _Arg:
        t = self.text
        if self.pos >= len(t):
            raise self.error("expected an argument")
        c = t[self.pos]
        if c == "'":
            return self.string()
        if c == "$":
            return self.path()
        if t.startswith("States.", self.pos):
            return self.call()
        m = _KEYWORD.match(t, self.pos)
        if m:
            self.pos = m.end()
            return _Literal({"true": True, "false": False, "null": None}[m.group(1)])
        m = _NUMBER.match(t, self.pos)
        if m:
            self.pos = m.end()
            word = m.group(0)
            if any(x in word for x in ".eE"):
                return _Literal(float(word))
            return _Literal(int(word))
        raise self.error(f"unexpected {c!r}: an argument is a 'string', a number, null, a path or a function")

    def string(self) -> _Literal:
        t = self.text
        start = self.pos
        self.pos += 1
        buf: list[str] = []
        while self.pos < len(t):
            c = t[self.pos]
            if c == "\\":
                nxt = t[self.pos + 1] if self.pos + 1 < len(t) else ""
                if nxt not in ("'", "{", "}", "\\"):
                    raise self.error("an open escape backslash: only \\', \\{, \\} and \\\\ are escapes", self.pos)
                buf.append(nxt)
                self.pos += 2
                continue
            if c == "'":
                self.pos += 1
                return _Literal("".join(buf), raw=t[start + 1:self.pos - 1])
            buf.append(c)
            self.pos += 1
        raise self.error("unclosed string literal", start)

    def path(self) -> _PathArg:
        t = self.text
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(t):
            c = t[self.pos]
            if quote:
                if c == "\\":
                    self.pos += 2
                    continue
                if c == quote:
                    quote = ""
            elif c in ("'", '"'):
                quote = c
            elif c == "[" or c == "(":
                depth += 1
            elif c == "]" or (c == ")" and depth > 0):
                depth -= 1
            elif depth == 0 and c in ",)":
                break
            self.pos += 1
        text = t[start:self.pos].rstrip()
        try:
            return _PathArg(parse_path(text), start)
        except JsonPathSyntaxError as exc:
            raise self.error(f"invalid path argument {text!r}: {exc.message}", start) from None


@lru_cache(maxsize=4096)
def parse_intrinsic(text: str) -> Call:
    """Parse ``States.X(…)``. Raises :class:`IntrinsicSyntaxError`."""
    p = _P(text)
    call = p.call()
    p.ws()
    if p.pos != len(text):
        raise p.error("unexpected text after the closing ')'")
    return call
