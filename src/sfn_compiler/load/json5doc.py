"""JSON5 (https://spec.json5.org, 1.0.0) read through the JSON reader, positions kept.

`to_json(text)` rewrites JSON5 as JSON and returns, for every character of the JSON text, the offset
it came from in the JSON5 text; the JSON parser and the pointer index then work on the JSON text, and
every position is mapped back, so findings point at the file as written. What JSON5 adds to JSON, and
what it becomes:

- `//` and `/* */` comments, trailing commas, and the extra white space (`\\v`, `\\f`, no-break space,
  BOM, line/paragraph separators, other Zs spaces): blanks;
- identifier keys (`{StartAt: "A"}`, `$` and `_` allowed): quoted;
- single-quoted strings, and the escapes JSON lacks (`\\'`, `\\v`, `\\0`, `\\xHH`, `\\` + line break to
  continue a line, `\\c` for any other `c`): double-quoted JSON strings with JSON escapes;
- numbers with a leading `+`, a leading or trailing decimal point (`.5`, `5.`), hexadecimal (`0x1F`),
  `Infinity`, `-Infinity`, `NaN`: JSON numbers (the last three as Python's json reads them).

Anything else is copied as is, so a JSON5 error is reported by the JSON parser, at its place in the file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import Any

from ..diagnostics import code_frame
from ..errors import SfncError
from .positions import LineIndex, Position

_JSON_ESCAPES = set('"\\/bfnrtu')
_EXTRA_SPACE = {"\v", "\f", "\u00a0", "\ufeff", "\u2028", "\u2029"}
_PUNCT = set("{}[]:,")
_JSON_SPACE = re.compile(r"[ \t\r\n]+")
_PLAIN = re.compile(r"[^'\"\\\x00-\x1f]+")     # in a string: neither quote, no backslash, no control character


def _space(ch: str) -> bool:
    return ch in _EXTRA_SPACE or (ch not in " \t\r\n" and unicodedata.category(ch) == "Zs")


def _id_start(ch: str) -> bool:
    return ch.isalpha() or ch in "$_"


def _id_part(ch: str) -> bool:
    return ch.isalnum() or ch in "$_" or unicodedata.category(ch) in ("Mn", "Mc", "Pc")


class _Out:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.origin: list[int] = []

    def add(self, text: str, at: int) -> None:
        """Append `text`, every character of it coming from offset `at` of the JSON5 text."""
        self.parts.append(text)
        self.origin.extend([at] * len(text))

    def copy(self, src: str, start: int, end: int) -> None:
        self.parts.append(src[start:end])
        self.origin.extend(range(start, end))


def to_json(text: str) -> tuple[str, list[int]]:
    """The JSON text for a JSON5 text, and for each of its characters (plus the end) the JSON5 offset."""
    out = _Out()
    i, n = 0, len(text)
    pending_comma: tuple[int, int] | None = None   # (index in out.parts, JSON5 offset) of a comma

    def drop_trailing_comma() -> None:
        nonlocal pending_comma
        if pending_comma is not None:
            part = pending_comma[0]
            out.parts[part] = " "
            pending_comma = None

    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            j = _JSON_SPACE.match(text, i).end()    # a run of blanks in one copy (indentation)
            out.copy(text, i, j)
            i = j
        elif _space(ch):
            out.add(" ", i)
            i += 1
        elif text.startswith("//", i) or text.startswith("/*", i):
            end = text.find("\n", i) if text[i + 1] == "/" else text.find("*/", i + 2)
            end = n if end < 0 else (end if text[i + 1] == "/" else end + 2)
            for j in range(i, end):
                out.add("\n" if text[j] == "\n" else " ", j)
            i = end
        elif ch == ",":
            pending_comma = (len(out.parts), i)
            out.copy(text, i, i + 1)
            i += 1
        elif ch in "}]":
            drop_trailing_comma()
            out.copy(text, i, i + 1)
            i += 1
        elif ch in _PUNCT:
            pending_comma = None
            out.copy(text, i, i + 1)
            i += 1
        elif ch in "'\"":
            pending_comma = None
            i = _string(text, i, out)
        elif _id_start(ch) or ch == "\\":
            pending_comma = None
            i = _word(text, i, out)
        elif ch in "+-.0123456789":
            pending_comma = None
            i = _number(text, i, out)
        else:
            pending_comma = None
            out.copy(text, i, i + 1)
            i += 1
    out.origin.append(n)
    return "".join(out.parts), out.origin


def _string(text: str, i: int, out: _Out) -> int:
    quote = text[i]
    n = len(text)
    out.add('"', i)
    i += 1
    while i < n:
        ch = text[i]
        if ch == quote:
            out.add('"', i)
            return i + 1
        if ch == "\n" or ch == "\r":         # not allowed unescaped: leave it for the JSON parser to report
            out.copy(text, i, i + 1)
            return i + 1
        if ch == '"':                        # inside a single-quoted string
            out.add('\\"', i)
            i += 1
        elif ch == "\\" and i + 1 < n:
            esc = text[i + 1]
            if esc in "\r\n\u2028\u2029":    # a line continuation: nothing
                i += 3 if text.startswith("\r\n", i + 1) else 2
            elif esc == "'":
                out.add("'", i)
                i += 2
            elif esc == "v":
                out.add("\\u000b", i)
                i += 2
            elif esc == "0" and not (i + 2 < n and text[i + 2].isdigit()):
                out.add("\\u0000", i)
                i += 2
            elif esc == "x" and i + 3 < n and all(c in "0123456789abcdefABCDEF" for c in text[i + 2:i + 4]):
                out.add("\\u00" + text[i + 2:i + 4], i)
                i += 4
            elif esc in _JSON_ESCAPES:
                out.copy(text, i, i + 2)
                i += 2
            else:                            # `\c` is `c`
                out.add('\\"' if esc == '"' else esc, i)
                i += 2
        elif ord(ch) < 0x20:
            out.add(f"\\u{ord(ch):04x}", i)
            i += 1
        else:
            m = _PLAIN.match(text, i)              # a run of characters copied as they are, in one copy
            j = m.end() if m else i + 1            # (the other quote, a backslash at the very end: alone)
            out.copy(text, i, j)
            i = j
    return i


def _word(text: str, i: int, out: _Out) -> int:
    """An identifier: a literal (`true`, `Infinity`...) or, before a `:`, an unquoted key."""
    start = i
    n = len(text)
    while i < n and (_id_part(text[i]) if i > start else _id_start(text[i])):
        i += 1
    word = text[start:i]
    if not word:                             # a backslash that starts nothing known
        out.copy(text, start, start + 1)
        return start + 1
    j = i
    while j < n and (text[j] in " \t\r\n" or _space(text[j])):
        j += 1
    if j < n and text[j] == ":":
        out.add('"', start)
        out.copy(text, start, i)
        out.add('"', i - 1)
    else:
        out.copy(text, start, i)
    return i


def _number(text: str, i: int, out: _Out) -> int:
    start = i
    n = len(text)
    sign = ""
    if text[i] in "+-":
        sign = "-" if text[i] == "-" else ""
        i += 1
    if text.startswith("Infinity", i):
        out.add(sign + "Infinity", start)
        return i + len("Infinity")
    if text.startswith("NaN", i):
        out.add("NaN", start)
        return i + 3
    if text[i:i + 2].lower() == "0x":
        j = i + 2
        while j < n and text[j] in "0123456789abcdefABCDEF":
            j += 1
        if j > i + 2:
            hexdigits = text[i + 2:j]
            # a value too long for Python's int to str (4,300 digits): the JSON reader gets a decimal just as
            # long, so it reports the integer at this place like any other
            decimal = str(int(hexdigits, 16)) if len(hexdigits) <= 3500 else "9" * int(len(hexdigits) * 1.2042 + 1)
            out.add(sign + decimal, start)
            return j
    j = i
    while j < n and (text[j].isdigit() or text[j] in ".eE" or (text[j] in "+-" and text[j - 1] in "eE")):
        j += 1
    body = text[i:j]
    if not body:                             # a lone sign: let the JSON parser say so
        out.copy(text, start, start + 1)
        return start + 1
    mantissa, e, exponent = body.partition("e") if "e" in body else body.partition("E")
    if mantissa.startswith("."):
        mantissa = "0" + mantissa
    if mantissa.endswith("."):
        mantissa = mantissa[:-1]
    number = sign + mantissa + (e + exponent if e else "")
    if number == text[start:j]:
        out.copy(text, start, j)     # a JSON number: every character where it was
    else:
        out.add(number, start)
    return j


class _MappedLines:
    """`LineIndex` of the JSON5 text, addressed with offsets into the JSON text made from it."""

    def __init__(self, source: str, origin: list[int]) -> None:
        self._lines = LineIndex(source)
        self._origin = origin

    def position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self._origin) - 1))
        return self._lines.position(self._origin[offset])


def load_json5_text(text: str, filename: str, **kw: Any):
    """Parse JSON5 into a `JsonDocument` whose positions (`locate`, duplicate keys, parse errors) are in
    `text` as written. `doc.text` is the JSON the document was read from; `doc.source` the JSON5."""
    from .jsondoc import load_json_text

    converted, origin = to_json(text)
    mapped = _MappedLines(text, origin)
    try:
        doc = load_json_text(converted, filename, **kw)
    except SfncError as exc:   # positions in the JSON text -> positions in the file
        starts = [0] + [i + 1 for i, ch in enumerate(converted) if ch == "\n"]
        fixed = []
        for p in exc.problems:
            if p.span is not None and p.span.line is not None and p.span.line <= len(starts):
                pos = mapped.position(starts[p.span.line - 1] + (p.span.column or 1) - 1)
                p = replace(p, span=replace(p.span, line=pos.line, column=pos.column),
                            frame=code_frame(text, pos.line, pos.column))
            message = p.message.replace("invalid JSON:", "invalid JSON5:").replace(
                "expected a key in double quotes (JSON has no unquoted keys)", "expected a key (a name or a quoted "
                "string) followed by ':'")
            fixed.append(replace(p, message=message))
        raise SfncError(fixed, exit_code=exc.exit_code) from None
    doc._lines = mapped
    doc.source = text
    return doc
