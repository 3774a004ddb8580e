"""Where the values of a JSON text are, found for the pointers asked for (`Lookup`), and the lexical
pieces the full index (`jsondoc._Scanner`) shares with it.

An index entry is `(value_start, value_end, key_start)`: `key_start` is the offset of the key's opening
quote when the value is an object member, else None. Plain tuples: the full index holds one per value of
the document.
"""

from __future__ import annotations

import json
import re
from json.decoder import scanstring

_WS = re.compile(r"[ \t\n\r]*")
_SPACE = frozenset(" \t\n\r")
# (NaN and Infinity too: the reader refuses them, but a document built from data elsewhere may hold them,
# and locating a finding in it must not fail)
_NUMBER = re.compile(r"-?(?:Infinity|NaN|(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)")
_VALUE_START, _VALUE_END, _KEY_START = 0, 1, 2


def scalar_end(text: str, i: int, ch: str) -> int:
    """The end of the number or literal (`true`, `false`, `null`) at `i`."""
    if ch == "t" or ch == "n":
        return i + 4
    if ch == "f":
        return i + 5
    return _NUMBER.match(text, i).end()


def member_key(text: str, i: int) -> tuple[str, str, int]:
    """The object member whose key's opening quote is at `i`: (key, its pointer token, offset of the value)."""
    key, i = scanstring(text, i + 1)
    if text[i] in _SPACE:
        i = _WS.match(text, i).end()
    i += 1  # ':'
    if text[i] in _SPACE:
        i = _WS.match(text, i).end()
    return key, (key.replace("~", "~0").replace("/", "~1") if "~" in key or "/" in key else key), i


class GiveUp(Exception):
    """The lazy lookup leaves the question to the full scanner."""


_SCAN_ONCE: list = []   # the C JSON scanner's scan_once (made on first use)


def _scan_once():
    if not _SCAN_ONCE:
        _SCAN_ONCE.append(json.scanner.make_scanner(json.JSONDecoder()))
    return _SCAN_ONCE[0]


class Lookup:
    """The index entries of the pointers asked for, without scanning the whole document: the objects and
    arrays on the way to a pointer are read member by member only as far as the member on the way (and
    resumed from there for the next pointer), the members passed over are skipped by the C JSON scanner.
    A finding in a large definition reads the top level up to `States`, `States` up to its state and part
    of that state, rather than every value of the text. Its entries are those `jsondoc._Scanner` makes
    (except that an object's or array's end is left out, None, where it was not needed: only a string's
    end is ever read); where they could differ it gives up (`GiveUp`) and the scanner decides: a key repeated in an
    object read (the scanner merges both values' pointers; a text with repeated keys anywhere has
    `JsonDocument.has_duplicates` and never comes here), a value the C scanner refuses, or skipping more
    than a few times the text (objects nested deep on the way)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.containers: dict[str, list] = {}   # pointer -> [members, offset, count, is object, state]
        self.skipped = 0
        self.budget = 4 * len(text) + 65_536
        start = _WS.match(text, 0).end()
        # a container's end is where the text's trailing whitespace starts (the text is one JSON value)
        self.root = (start, len(text.rstrip(" \t\n\r")) if text[start] in "{[" else self._end(start), None)

    def get(self, pointer: str) -> tuple[int, int | None, int | None] | None:
        if not pointer:
            return self.root
        if pointer[0] != "/":
            return None
        entry = self.root
        cut = 0
        while True:
            nxt = pointer.find("/", cut + 1)
            entry = self._member(pointer[:cut], entry, pointer[cut + 1:] if nxt < 0 else pointer[cut + 1:nxt])
            if entry is None or nxt < 0:
                return entry
            cut = nxt

    def _member(self, parent: str, entry: tuple, token: str) -> tuple[int, int | None, int | None] | None:
        c = self.containers.get(parent)
        if c is None:
            text = self.text
            i = entry[_VALUE_START]
            if text[i] not in "{[":
                return None
            obj = text[i] == "{"
            i += 1
            if text[i] in _SPACE:
                i = _WS.match(text, i).end()
            c = self.containers[parent] = [{}, i, 0, obj, _DONE if text[i] == ("}" if obj else "]") else _AT_MEMBER]
        hit = c[0].get(token)
        if hit is not None or c[4] == _DONE:
            return hit
        return self._read_until(c, token)

    def _read_until(self, c: list, token: str) -> tuple[int, int | None, int | None] | None:
        members, i, n, obj, state = c
        text = self.text
        while True:
            if state == _AT_VALUE:   # past a container member whose end was not needed yet
                i = self._end(i)
            else:
                if obj:
                    kstart = i
                    _, tok, i = member_key(text, i)
                    if tok in members:
                        raise GiveUp
                else:
                    kstart = None
                    tok = str(n)
                n += 1
                ch = text[i]
                if ch == "{" or ch == "[":
                    entry = members[tok] = (i, None, kstart)
                    if tok == token:
                        c[1], c[2], c[4] = i, n, _AT_VALUE
                        return entry
                    i = self._end(i)
                else:
                    j = scanstring(text, i + 1)[1] if ch == '"' else scalar_end(text, i, ch)
                    entry = members[tok] = (i, j, kstart)
                    i = j
                    if tok == token:
                        c[1], c[4] = self._next(i)
                        c[2] = n
                        return entry
            i, state = self._next(i)
            if state == _DONE:
                c[1], c[2], c[4] = i, n, _DONE
                return None

    def _next(self, i: int) -> tuple[int, int]:
        """From the end of a member: (offset of the next member, _AT_MEMBER), or (offset, _DONE) at the end."""
        text = self.text
        if text[i] in _SPACE:
            i = _WS.match(text, i).end()
        if text[i] != ",":
            return i, _DONE
        i += 1
        if text[i] in _SPACE:
            i = _WS.match(text, i).end()
        return i, _AT_MEMBER

    def _end(self, i: int) -> int:
        """The end of the value at `i` (an object or array is skipped by the C scanner)."""
        text = self.text
        c = text[i]
        if c == '"':
            return scanstring(text, i + 1)[1]
        if c == "{" or c == "[":
            try:
                end = _scan_once()(text, i)[1]
            except (StopIteration, ValueError, RecursionError):
                raise GiveUp from None
            self.skipped += end - i
            if self.skipped > self.budget:
                raise GiveUp
            return end
        return scalar_end(text, i, c)


_AT_MEMBER, _AT_VALUE, _DONE = 0, 1, 2   # where a container's reading stopped
