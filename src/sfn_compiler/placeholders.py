"""The `${...}` placeholder syntax: the one lexer (a leaf module: it imports nothing from sfnc).

Everything that looks for placeholders uses it, so the renderer, the validator's opaque mode, the
"unrendered placeholder" check and the workflow docs agree on where a placeholder starts and ends:

- `${expr}`: a placeholder; braces nest and quotes inside are skipped (`${name | default('{}')}`).
- `$${`: an escape, rendered as a literal `${` (Terraform's convention; sfnc templates use it too).
- `${` with no closing `}`: not a placeholder (the renderer reports it as unterminated).
- Inside a whole-string JSONata expression (`{% ... %}`), string literals and comments are tracked so the
  renderer knows how to encode a value (`quote`, `in_jsonata`, `in_comment`); a backslash escape inside a
  JSONata string literal hides the character after it.

`segment(s)` cuts a string into text, escapes and placeholders (raising `PlaceholderError` for an
unterminated or empty placeholder); `find(s)` / `has_placeholder(s)` only detect, never raise.
CloudFormation dynamic references (`{{resolve:...}}`) are not placeholders but also stand for a value
filled in at deploy time: `has_dynamic_reference(s)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, NamedTuple

JSONATA_OPEN = "{%"
JSONATA_CLOSE = "%}"
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[^}]*\}\}")


class PlaceholderError(Exception):
    """A problem with one placeholder; `offset` is where it starts in its string."""

    def __init__(self, message: str, offset: int = 0, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


class Placeholder(NamedTuple):
    start: int          # offset of `$` in the string
    end: int            # offset just past `}`
    expr: str           # text between the braces, stripped
    quote: str | None   # inside a JSONata string literal quoted with this character, else None
    in_jsonata: bool    # inside a `{% %}` expression (outside a comment)
    in_comment: bool = False   # inside a `/* */` comment of a `{% %}` expression


class Escaped(str):
    """A `$${` escape in the template, rendered as `${` (3 template characters, 2 rendered)."""


class _Unterminated(NamedTuple):
    start: int


@dataclass
class Segmented:
    """A string cut into literal text and placeholders (in order)."""

    parts: list[str | Placeholder]

    @property
    def placeholders(self) -> list[Placeholder]:
        return [p for p in self.parts if isinstance(p, Placeholder)]


def is_jsonata(s: str) -> bool:
    return s.startswith(JSONATA_OPEN) and s.endswith(JSONATA_CLOSE) and len(s) >= 4


def placeholder_end(s: str, start: int) -> int:
    """End (exclusive) of the `${...}` placeholder whose `$` is at `start`, or -1 when it is not closed.
    Quotes and nested braces inside (filter arguments) are skipped."""
    close = _closing_brace(s, start + 2)
    return -1 if close < 0 else close + 1


def _closing_brace(s: str, i: int) -> int:
    depth = 0
    quote = None
    n = len(s)
    while i < n:
        ch = s[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def _lex(s: str) -> Iterator[str | Placeholder | _Unterminated]:
    """Text runs, `Escaped` escapes and `Placeholder`s in order; an `_Unterminated` token ends the scan."""
    jsonata = is_jsonata(s)
    buf: list[str] = []
    quote: str | None = None     # JSONata string literal / backtick name being scanned
    comment = False
    i = 0
    n = len(s)
    while i < n:
        ch = s[i]
        if ch == "$" and s.startswith("$${", i):
            if buf:
                yield "".join(buf)
                buf = []
            yield Escaped("${")
            i += 3
            continue
        if ch == "$" and s.startswith("${", i):
            close = _closing_brace(s, i + 2)
            if buf:
                yield "".join(buf)
                buf = []
            if close < 0:
                yield _Unterminated(i)
                return
            in_literal = quote if quote in ("'", '"', "`") else None
            yield Placeholder(i, close + 1, s[i + 2:close].strip(), in_literal, jsonata and not comment,
                              jsonata and comment)
            i = close + 1
            continue
        if jsonata:
            if comment:
                if s.startswith("*/", i):
                    comment = False
                    buf.append("*/")
                    i += 2
                    continue
            elif quote:
                if ch == "\\" and quote != "`" and i + 1 < n:
                    buf.append(s[i:i + 2])
                    i += 2
                    continue
                if ch == quote:
                    quote = None
            elif ch in "'\"`":
                quote = ch
            elif s.startswith("/*", i):
                comment = True
                buf.append("/*")
                i += 2
                continue
        buf.append(ch)
        i += 1
    if buf:
        yield "".join(buf)


def segment(s: str) -> Segmented | None:
    """Cut `s` into text and placeholders, or return None when it holds neither `${` nor `$${`."""
    if "${" not in s:
        return None
    parts: list[str | Placeholder] = []
    for token in _lex(s):
        if isinstance(token, _Unterminated):
            raise PlaceholderError("unterminated placeholder: '${' without a closing '}'", token.start,
                                   "write $${ for a literal '${'")
        if isinstance(token, Placeholder) and not token.expr:
            raise PlaceholderError("empty placeholder '${}'", token.start)
        parts.append(token)
    return Segmented(parts)


def find(s: str) -> list[Placeholder]:
    """The complete placeholders of `s` (an empty `${}` included), in order; never raises."""
    if not isinstance(s, str) or "${" not in s:
        return []
    return [t for t in _lex(s) if isinstance(t, Placeholder)]


def has_placeholder(s: object) -> bool:
    """`s` is a string holding at least one complete `${...}` placeholder (not only `$${` escapes)."""
    if not isinstance(s, str) or "${" not in s:
        return False
    return any(isinstance(t, Placeholder) for t in _lex(s))


def has_dynamic_reference(s: object) -> bool:
    """A CloudFormation dynamic reference such as `{{resolve:ssm:/name}}` in the string."""
    return isinstance(s, str) and "{{" in s and _DYNAMIC_REFERENCE.search(s) is not None
