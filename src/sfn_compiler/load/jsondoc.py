"""JSON with positions.

Parsing uses the C `json` module (fast path) with a pairs hook that detects duplicate keys. Positions
(pointer -> key and value offsets) are found on demand, only when a diagnostic needs a location, so
validating hundreds of clean files costs one `json.loads` each: the objects on the way to each pointer
asked for are read as far as needed (`jsonlookup.Lookup`, skipping the rest with the C scanner), and a text with
repeated keys gets the full index of a small scanner (`_Scanner`, which also lists the repeats).

What the json module accepts but JSON data must not hold is refused with its place (`_value_problems`):
`NaN`, `Infinity`, `-Infinity` and numbers that overflow to infinity (`1e999`), integers longer than
Python reads (4,300 digits), lone UTF-16 surrogates (`"\ud800"`), and nesting deeper than
`limits.MAX_DEPTH`; a text longer than `limits.MAX_DOCUMENT_BYTES` is not parsed at all.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import Path
from typing import Any, NamedTuple

from ..diagnostics import code_frame, problem
from ..errors import SfncError
from .jsonlookup import _KEY_START, _SPACE, _VALUE_END, _VALUE_START, _WS, GiveUp, Lookup, member_key, scalar_end as _scalar_end
from .limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, read_text, too_large
from .pointer import escape_token
from .positions import LineIndex, Position



class Duplicate(NamedTuple):
    pointer: str  # pointer of the object holding the repeated key, plus the key
    first: Position
    second: Position


class _Scanner:
    """Walks JSON text and records where every pointer's key and value are. The hot loop of locating a
    finding in a large document: scalars are handled in the object and array loops (no call per leaf),
    whitespace is matched only where there is some."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entries: dict[str, tuple[int, int, int | None]] = {}
        self.duplicates: list[tuple[str, int, int]] = []

    def run(self) -> None:
        end = self._value(_WS.match(self.text, 0).end(), "", None)
        self.entries.setdefault("", (0, end, None))

    def _value(self, i: int, pointer: str, key_start: int | None) -> int:
        text = self.text
        entries = self.entries
        ws = _WS.match
        start = i
        ch = text[i]
        if ch == "{":
            i += 1
            if text[i] in _SPACE:
                i = ws(text, i).end()
            seen: dict[str, int] = {}
            if text[i] == "}":
                i += 1
            else:
                prefix = pointer + "/"
                while True:
                    kstart = i
                    key, tok, i = member_key(text, i)
                    child = prefix + tok
                    if key in seen:
                        self.duplicates.append((child, seen[key], kstart))
                    else:
                        seen[key] = kstart
                    c = text[i]
                    if c == "{" or c == "[":
                        i = self._value(i, child, kstart)
                    else:
                        j = scanstring(text, i + 1)[1] if c == '"' else _scalar_end(text, i, c)
                        # a duplicate key keeps the first occurrence's entry (json keeps the last value, but
                        # the first position is where a reader looks first; duplicates are reported anyway)
                        if child not in entries:
                            entries[child] = (i, j, kstart)
                        i = j
                    if text[i] in _SPACE:
                        i = ws(text, i).end()
                    if text[i] == ",":
                        i += 1
                        if text[i] in _SPACE:
                            i = ws(text, i).end()
                        continue
                    i += 1  # '}'
                    break
        elif ch == "[":
            i += 1
            if text[i] in _SPACE:
                i = ws(text, i).end()
            if text[i] == "]":
                i += 1
            else:
                n = 0
                prefix = pointer + "/"
                while True:
                    c = text[i]
                    if c == "{" or c == "[":
                        i = self._value(i, prefix + str(n), None)
                    else:
                        j = scanstring(text, i + 1)[1] if c == '"' else _scalar_end(text, i, c)
                        entries.setdefault(prefix + str(n), (i, j, None))
                        i = j
                    n += 1
                    if text[i] in _SPACE:
                        i = ws(text, i).end()
                    if text[i] == ",":
                        i += 1
                        if text[i] in _SPACE:
                            i = ws(text, i).end()
                        continue
                    i += 1
                    break
        else:
            i = scanstring(text, i + 1)[1] if ch == '"' else _scalar_end(text, i, ch)
        if pointer not in entries:
            entries[pointer] = (start, i, key_start)
        return i


def _raise_duplicates(text: str, filename: str, dups: list[tuple[str, int, int]]) -> None:
    lines = LineIndex(text)
    problems = []
    for pointer, first, second in dups:
        a, b = lines.position(first), lines.position(second)
        key = pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
        problems.append(problem(
            f"duplicate key {key!r}: first at line {a.line}, again at line {b.line} (JSON keeps only the last)",
            file=filename, line=b.line, column=b.column, pointer=pointer,
            hint="rename or remove one of them; a repeated state name silently overwrites the first"))
    raise SfncError(problems)


@dataclass
class JsonDocument:
    """A parsed JSON file: its data, text and a lazy pointer -> position index (`jsonlookup.Lookup` for the pointers
    asked for, the full `_Scanner` when the text repeats a key or the lookup gives up). `has_duplicates`
    must be true when the text repeats a key anywhere (`load_json_text` sets it; a text `json.dumps` made
    never does)."""

    data: Any
    text: str
    filename: str
    has_duplicates: bool = False
    _scanner: _Scanner | None = field(default=None, repr=False)
    _lines: LineIndex | None = field(default=None, repr=False)
    _lookup: Lookup | None = field(default=None, repr=False)

    def _index(self) -> _Scanner:
        if self._scanner is None:
            scanner = _Scanner(self.text)
            scanner.run()
            self._scanner = scanner
            self._lookup = None
        return self._scanner

    def _entry(self, pointer: str) -> tuple[int, int, int | None] | None:
        if self._scanner is None and not self.has_duplicates:
            try:
                if self._lookup is None:
                    self._lookup = Lookup(self.text)
                return self._lookup.get(pointer)
            except GiveUp:
                pass
        return self._index().entries.get(pointer)

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def has(self, pointer: str) -> bool:
        return self._entry(pointer) is not None

    def locate(self, pointer: str, *, key: bool = False) -> Position:
        """Position of the value at `pointer` (or of its key with `key=True`); falls back to the nearest
        existing ancestor so a pointer to a missing field lands on the object that lacks it."""
        if not pointer and not key:  # the document itself: no position index needed
            return self.lines.position(_WS.match(self.text, 0).end())
        p = pointer
        entry = self._entry(p)
        while entry is None and p:
            p = p[: p.rfind("/")]
            entry = self._entry(p)
        if entry is None:
            return Position(1, 1)
        offset = entry[_KEY_START] if (key or p != pointer) and entry[_KEY_START] is not None else entry[_VALUE_START]
        return self.lines.position(offset)

    def locate_in_string(self, pointer: str, char_offset: int) -> Position:
        """Position of character `char_offset` of the (decoded) string value at `pointer`.

        JSON escapes make decoded and raw offsets differ (`\\n` in a multi-line JSONata expression is two
        raw characters), so walk the raw literal counting decoded characters."""
        entry = self._entry(pointer)
        if entry is None or self.text[entry[_VALUE_START]] != '"':
            return self.locate(pointer)
        text = self.text
        i = entry[_VALUE_START] + 1
        end = entry[_VALUE_END] - 1
        decoded = 0
        while i < end and decoded < char_offset:
            if text[i] == "\\":
                i += 6 if text[i + 1] == "u" else 2
            else:
                i += 1
            decoded += 1
        return self.lines.position(i)

    def duplicates(self) -> list[Duplicate]:
        scanner = self._index()
        return [Duplicate(p, self.lines.position(a), self.lines.position(b)) for p, a, b in scanner.duplicates]


def load_json_text(text: str, filename: str, *, allow_duplicates: bool = False) -> JsonDocument:
    """Parse JSON; broken JSON and duplicate keys raise `SfncError` with file:line:col."""
    dup_found = False

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict:
        nonlocal dup_found
        d = dict(pairs)
        if len(d) != len(pairs):
            dup_found = True
        return d

    if len(text) > MAX_DOCUMENT_BYTES:
        raise SfncError(too_large(len(text)), file=filename)
    try:
        data = json.loads(text, object_pairs_hook=pairs_hook, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        message, pos = json_error_words(text, exc)
        lines = LineIndex(text)
        at = lines.position(pos)
        raise SfncError(f"invalid JSON: {message}", file=filename, line=at.line, column=at.column,
                        frame=code_frame(text, at.line, at.column)) from None
    except (ValueError, RecursionError) as exc:   # NaN/Infinity, a huge integer, too deep: say where
        raise SfncError(_value_problems(text, filename) or [problem(f"invalid JSON: {exc}", file=filename)]) \
            from None
    if _suspect(text) and (problems := _value_problems(text, filename)):
        raise SfncError(problems)
    doc = JsonDocument(data, text, filename, dup_found)
    if dup_found and not allow_duplicates:
        _raise_duplicates(text, filename, doc._index().duplicates)
    return doc


class _Refused(ValueError):
    """A value the json module would read but JSON data cannot hold (located by `_value_problems`)."""


def _no_constant(name: str) -> Any:
    raise _Refused(name)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _Refused(text)
    return value


_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b'[]{}"')      # what bytes.translate deletes
_VALUE_TOKEN = re.compile(r"-?(?:Infinity|NaN|(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)")


def _suspect(text: str) -> bool:
    """Whether valid JSON `text` may hold a lone surrogate or nest deeper than MAX_DEPTH (then
    `_value_problems` says exactly), at C speed. Nesting: the brackets and quotes of the text as bytes
    (escaped backslashes and quotes dropped first, so that every quote left delimits a string), reduced by
    removing adjacent `""`, `[]` and `{}` pairs. A structural bracket only ever pairs with a structural one
    (quotes stand between it and a string's brackets until the string is gone), and a pass removes at most
    three levels, so a text that is empty after MAX_DEPTH // 3 passes nests at most MAX_DEPTH deep; any
    other text (deep, or a string with unbalanced brackets) gets the exact scan."""
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError:                  # a raw surrogate
        return True
    if b"\\" in raw:
        if _ESCAPED_SURROGATE.search(raw):
            return True
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    tokens = raw.translate(None, _NOT_BRACKETS)
    if len(tokens) - tokens.count(b'"') <= MAX_DEPTH:
        return False
    for _ in range(MAX_DEPTH // 3):
        tokens = tokens.replace(b'""', b"").replace(b"[]", b"").replace(b"{}", b"")
        if not tokens:
            return False
    return True


def _value_problems(text: str, filename: str, limit: int = 20) -> list:
    """The values of `text` that JSON data cannot hold, each with its line:col and pointer; a scan without
    recursion, so it also finds where 100,000 nested `[` pass MAX_DEPTH. Stops at the first syntax error
    (the json module reports those)."""
    found: list[tuple[int, str, str, str | None]] = []       # offset, pointer, message, hint
    stack: list[list] = []          # [is_object, pointer, index]
    pointer, expect_key, i, n = "", False, 0, len(text)
    try:
        while len(found) < limit:
            i = _WS.match(text, i).end()
            if i >= n:
                break
            ch = text[i]
            if ch in "{[":
                if len(stack) >= MAX_DEPTH:
                    found.append((i, pointer, f"nested deeper than {MAX_DEPTH} arrays and objects",
                                  f"sfnc reads at most {MAX_DEPTH} levels (docs/files.md)"))
                    break
                stack.append([ch == "{", pointer, 0])
                expect_key = ch == "{"
                pointer = pointer + "/0"
                i += 1
            elif ch in "]}":
                stack.pop()
                i += 1
            elif ch == ",":
                top = stack[-1]
                top[2] += 1
                expect_key = top[0]
                pointer = f"{top[1]}/{top[2]}"
                i += 1
            elif ch == ":":
                i += 1
            elif ch == '"':
                value, end = scanstring(text, i + 1)
                if expect_key:
                    pointer = stack[-1][1] + "/" + escape_token(value)
                    expect_key = False
                try:
                    check_string(value, i)
                except ValueProblem as bad:
                    found.append((i, pointer, bad.message, bad.hint))
                i = end
            elif text.startswith(("true", "null"), i):
                i += 4
            elif text.startswith("false", i):
                i += 5
            else:
                m = _VALUE_TOKEN.match(text, i)
                if m is None:
                    break
                try:
                    number_value(m.group(), i)
                except ValueProblem as bad:
                    found.append((i, pointer, bad.message, bad.hint))
                i = m.end()
    except (ValueError, IndexError):
        pass
    if not found:
        return []
    lines = LineIndex(text)
    problems = []
    for offset, ptr, message, hint in found:
        at = lines.position(offset)
        problems.append(problem(f"invalid JSON: {message}", file=filename, line=at.line, column=at.column,
                                pointer=ptr, hint=hint, frame=code_frame(text, at.line, at.column)))
    return problems


class ValueProblem(ValueError):
    """A value JSON data cannot hold, at `offset` of the text being read (the HCL reader raises it too)."""

    def __init__(self, offset: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset, self.message, self.hint = offset, message, hint


def number_value(token: str, offset: int = 0) -> int | float:
    """A number token (JSON syntax, or NaN/Infinity) as JSON data holds it; `ValueProblem` for NaN and
    Infinity, a float that overflows to infinity and an integer longer than Python reads (4,300 digits)."""
    if token.lstrip("-") in ("NaN", "Infinity"):
        raise ValueProblem(offset, f"{token} is not a number JSON can hold",
                           "write a finite number (or a string); AWS refuses NaN and Infinity")
    if "." in token or "e" in token or "E" in token:
        value = float(token)
        if math.isinf(value):
            raise ValueProblem(offset, f"the number {token[:20]}{'...' if len(token) > 20 else ''} is too large "
                               "for a double (it would be read as Infinity)")
        return value
    digits, limit = len(token.lstrip("-")), sys.get_int_max_str_digits()
    if limit and digits > limit:
        raise ValueProblem(offset, f"an integer of {digits} digits (at most {limit} are read)")
    return int(token)


def check_string(value: str, offset: int = 0) -> None:
    """`ValueProblem` when a decoded string holds a lone UTF-16 surrogate (it is not Unicode text)."""
    bad = _SURROGATE.search(value)
    if bad:
        raise ValueProblem(offset, f"a lone surrogate \\u{ord(bad.group()):04x} in a string: not Unicode text",
                           "a \\uD800-\\uDBFF escape must be followed by a \\uDC00-\\uDFFF one")


def json_error_words(text: str, exc: json.JSONDecodeError) -> tuple[str, int]:
    """What the JSON parser's message means, in words, and the offset to point at: a trailing comma is
    reported at the comma (the parser stops at the next line's `}`), an unclosed string at its quote."""
    pos, msg = exc.pos, exc.msg
    at = text[pos] if pos < len(text) else ""
    before = pos - 1
    while before >= 0 and text[before] in " \t\r\n":
        before -= 1
    if msg in ("Expecting property name enclosed in double quotes", "Expecting value") and at in "}]" and at \
            and before >= 0 and text[before] == ",":
        return f"trailing comma before '{at}' (JSON allows no ',' after the last item)", before
    if msg == "Expecting property name enclosed in double quotes":
        if at == "'":
            return "a key in single quotes: JSON keys are strings in double quotes", pos
        return "expected a key in double quotes (JSON has no unquoted keys)", pos
    if msg == "Expecting value":
        if pos >= len(text.rstrip()):
            return "the text ends before the JSON value is complete", pos
        if at == "'":
            return "a string in single quotes: JSON strings use double quotes", pos
        return "expected a value (a string in double quotes, a number, true, false, null, an object or an array)", pos
    if msg == "Expecting ',' delimiter":
        if pos >= len(text.rstrip()):
            return "the text ends before every object and array is closed", pos
        return "expected ',' between two items (or the end of the object or array)", pos
    if msg == "Expecting ':' delimiter":
        return "expected ':' after the key", pos
    if msg.startswith("Unterminated string"):
        return "a string is not closed (no closing double quote)", pos
    if msg.startswith("Invalid control character"):
        return "a raw control character (tab or line break) in a string: write it as \\t or \\n", pos
    if msg.startswith("Invalid \\escape") or msg.startswith("Invalid \\uXXXX"):
        return "an invalid escape sequence in a string", pos
    if msg == "Extra data":
        return "more text after the end of the JSON value", pos
    return msg[:1].lower() + msg[1:], pos


def load_json_file(path: Path, display: str | None = None, **kw: Any) -> JsonDocument:
    """Load a JSON file; a `.json5` file is read as JSON5 (`json5doc`: positions are in the file as written)."""
    text = read_text(path, display)
    if path.suffix == ".json5":
        from .json5doc import load_json5_text

        return load_json5_text(text, display or str(path), **kw)
    return load_json_text(text, display or str(path), **kw)
