"""JSON with positions.

Parsing uses the C `json` module (fast path) with a pairs hook that detects duplicate keys. The position
index (pointer -> key and value offsets) is built on demand by a small scanner, only when a diagnostic
needs a location, so validating hundreds of clean files costs one `json.loads` each.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import Path
from typing import Any

from ..diagnostics import code_frame, problem
from ..errors import SfncError
from .pointer import escape_token
from .positions import LineIndex, Position

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(slots=True)
class _Entry:
    value_start: int
    value_end: int
    key_start: int | None = None  # offset of the key's opening quote when the value is an object member


@dataclass
class Duplicate:
    pointer: str  # pointer of the object holding the repeated key, plus the key
    first: Position
    second: Position


class _Scanner:
    """Walks JSON text and records where every pointer's key and value are."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entries: dict[str, _Entry] = {}
        self.duplicates: list[tuple[str, int, int]] = []

    def run(self) -> None:
        end = self._value(_WS.match(self.text, 0).end(), "", None)
        self.entries.setdefault("", _Entry(0, end))

    def _value(self, i: int, pointer: str, key_start: int | None) -> int:
        text = self.text
        ch = text[i]
        start = i
        if ch == "{":
            i = _WS.match(text, i + 1).end()
            seen: dict[str, int] = {}
            if text[i] == "}":
                i += 1
            else:
                while True:
                    kstart = i
                    key, i = scanstring(text, i + 1)
                    i = _WS.match(text, i).end() + 1  # ':'
                    i = _WS.match(text, i).end()
                    child = pointer + "/" + escape_token(key)
                    if key in seen:
                        self.duplicates.append((child, seen[key], kstart))
                    else:
                        seen[key] = kstart
                    i = self._value(i, child, kstart)
                    i = _WS.match(text, i).end()
                    if text[i] == ",":
                        i = _WS.match(text, i + 1).end()
                        continue
                    i += 1  # '}'
                    break
        elif ch == "[":
            i = _WS.match(text, i + 1).end()
            n = 0
            if text[i] == "]":
                i += 1
            else:
                while True:
                    i = self._value(i, f"{pointer}/{n}", None)
                    n += 1
                    i = _WS.match(text, i).end()
                    if text[i] == ",":
                        i = _WS.match(text, i + 1).end()
                        continue
                    i += 1
                    break
        elif ch == '"':
            _, i = scanstring(text, i + 1)
        elif text.startswith("true", i):
            i += 4
        elif text.startswith("false", i):
            i += 5
        elif text.startswith("null", i):
            i += 4
        else:
            m = _NUMBER.match(text, i)
            i = m.end()
        # a duplicate key keeps the first occurrence's entry (json keeps the last value, but the first
        # position is where a reader looks first; duplicates are reported separately anyway)
        self.entries.setdefault(pointer, _Entry(start, i, key_start))
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
    """A parsed JSON file: its data, text and a lazy pointer -> position index."""

    data: Any
    text: str
    filename: str
    has_duplicates: bool = False
    _scanner: _Scanner | None = field(default=None, repr=False)
    _lines: LineIndex | None = field(default=None, repr=False)

    def _index(self) -> _Scanner:
        if self._scanner is None:
            scanner = _Scanner(self.text)
            scanner.run()
            self._scanner = scanner
        return self._scanner

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def has(self, pointer: str) -> bool:
        return pointer in self._index().entries

    def locate(self, pointer: str, *, key: bool = False) -> Position:
        """Position of the value at `pointer` (or of its key with `key=True`); falls back to the nearest
        existing ancestor so a pointer to a missing field lands on the object that lacks it."""
        if not pointer and not key:  # the document itself: no position index needed
            return self.lines.position(_WS.match(self.text, 0).end())
        entries = self._index().entries
        p = pointer
        while p not in entries and p:
            p = p[: p.rfind("/")]
        entry = entries.get(p)
        if entry is None:
            return Position(1, 1)
        offset = entry.key_start if (key or p != pointer) and entry.key_start is not None else entry.value_start
        return self.lines.position(offset)

    def locate_in_string(self, pointer: str, char_offset: int) -> Position:
        """Position of character `char_offset` of the (decoded) string value at `pointer`.

        JSON escapes make decoded and raw offsets differ (`\\n` in a multi-line JSONata expression is two
        raw characters), so walk the raw literal counting decoded characters."""
        entries = self._index().entries
        entry = entries.get(pointer)
        if entry is None or self.text[entry.value_start] != '"':
            return self.locate(pointer)
        text = self.text
        i = entry.value_start + 1
        end = entry.value_end - 1
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

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        message, pos = json_error_words(text, exc)
        lines = LineIndex(text)
        at = lines.position(pos)
        raise SfncError(f"invalid JSON: {message}", file=filename, line=at.line, column=at.column,
                        frame=code_frame(text, at.line, at.column)) from None
    except RecursionError:
        raise SfncError("invalid JSON: nesting too deep", file=filename) from None
    doc = JsonDocument(data, text, filename, dup_found)
    if dup_found and not allow_duplicates:
        _raise_duplicates(text, filename, doc._index().duplicates)
    return doc


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


def read_text(path: Path, display: str | None = None) -> str:
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SfncError("file not found", file=name) from None
    except IsADirectoryError:
        raise SfncError("is a directory, expected a file", file=name) from None
    except OSError as exc:
        raise SfncError(f"cannot read file: {exc.strerror}", file=name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SfncError(f"not UTF-8 text (byte {exc.start})", file=name) from None
    return text[1:] if text.startswith("\ufeff") else text


def load_json_file(path: Path, display: str | None = None, **kw: Any) -> JsonDocument:
    """Load a JSON file; a `.json5` file is read as JSON5 (`json5doc`: positions are in the file as written)."""
    text = read_text(path, display)
    if path.suffix == ".json5":
        from .json5doc import load_json5_text

        return load_json5_text(text, display or str(path), **kw)
    return load_json_text(text, display or str(path), **kw)
