"""Reading a botocore `service-2.json` lazily: only the operations and shapes a definition uses are parsed.

A definition calls a handful of operations of a service whose model describes hundreds (SageMaker's is
2.5 MB of JSON). Parsing it whole costs more than the inference that uses it, and keeps tens of thousands
of dicts alive that every full garbage collection of the process then walks. botocore writes its model
files in one layout (2-space indentation, one member per line, `"key":value` or `"key": value`: `\n  "shapes":{`,
`\n    "Name":{`) and sorts the entries of a section by name, so `lazy_model(data)` finds the two sections
by their key lines and their closing lines, and an entry is found by bisecting the section's bytes (a
search for the next `\n    "Name":` line from the middle of the range, which starts between the nearest
names met so far) and decoded on first access (`json.JSONDecoder.raw_decode` of its slice): the thousands
of entries a definition does not use are never scanned. The rest of the file is parsed with the sections replaced by `{}`. A name that
bisection does not find (absent, or a file whose names are not sorted) is looked up in a full index of
the section (one pass; a section in any other layout is then parsed whole), and a file in any other
layout is parsed whole. (Reading the 8 models of the bundled project and the exceptions of 4 of them: 234 M
instructions with a full index of every section, 93 M so, of which inflating is 55 M; docs/shapes.md.)

The result is a read-only `Mapping` (`metadata`, `operations`, `shapes`, ...); its sections are Mappings
of name -> the entry as a plain dict. Callers test sections with `isinstance(x, Mapping)`, not `dict`.
"""

from __future__ import annotations

import bisect
import json
import re
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

_DECODER = json.JSONDecoder()
_SECTIONS = ("operations", "shapes")
_KEY_LINE = b'\n    "'          # the start of an entry's key line in a section


class _Section(Mapping):
    """name -> entry (a dict), each decoded from the bytes on first access. The entries' key lines lie
    between `lo` (the section's `{`) and `hi` (its closing line)."""

    __slots__ = ("_data", "_lo", "_hi", "_done", "_index", "_met", "_lines")

    def __init__(self, data: bytes, lo: int, hi: int) -> None:
        self._data = data
        self._lo = lo
        self._hi = hi
        self._done: dict[str, Any] = {}
        self._index: dict[str, tuple[int, int]] | None = None   # the full index, when it was needed
        # every key line bisection has met, by name (a sparse index: a lookup starts between its neighbours)
        self._met: list[bytes] = []
        self._lines: list[tuple[int, int]] = []      # (offset of the line, offset of the name's closing quote)

    def _span(self, name: str) -> tuple[int, int] | None:
        """(start, end) of entry `name`'s value in the bytes, or None when there is no such entry."""
        if self._index is not None:
            return self._index.get(name)
        key = name.encode("utf-8")
        data, hi, names, lines = self._data, self._hi, self._met, self._lines
        i = bisect.bisect_left(names, key)
        if i < len(names) and names[i] == key:
            return self._value(lines[i][1])
        a = lines[i - 1][0] + 1 if i else self._lo
        b = lines[i][0] if i < len(names) else hi
        while a < b:
            mid = (a + b) >> 1
            p = data.find(_KEY_LINE, mid, hi)
            if p == -1 or p >= b:      # no key line in [mid, b)
                b = mid
                continue
            q = data.find(b'"', p + 6, hi)
            if q == -1 or data[q + 1:q + 2] != b":":    # not botocore's layout after all
                return self._full().get(name)
            found = data[p + 6:q]
            j = bisect.bisect_left(names, found)
            if j == len(names) or names[j] != found:
                names.insert(j, found)
                lines.insert(j, (p, q))
            if found == key:
                return self._value(q)
            if found < key:
                a = p + 1
            else:
                b = mid
        return self._full().get(name)   # absent, or the names are not sorted: the full index says which

    def _value(self, quote: int) -> tuple[int, int]:
        """(start, end) of the value of the entry whose name closes at `quote`."""
        data, hi = self._data, self._hi
        start = quote + (3 if data[quote + 2:quote + 3] == b" " else 2)
        end = data.find(_KEY_LINE, start, hi)
        return start, hi if end == -1 else end

    def _full(self) -> dict[str, tuple[int, int]]:
        """The index of every entry (one pass over the section); a section not in botocore's layout is
        decoded whole instead (its entries all in `_done`, its index empty)."""
        if self._index is None:
            index = _entries(self._data, self._lo, self._hi)
            if index is None:
                whole = json.loads(self._data[self._lo:self._hi + 4])
                self._done = whole if isinstance(whole, dict) else {}
                index = {}
            self._index = index
        return self._index

    def __getitem__(self, name: str) -> Any:
        try:
            return self._done[name]
        except KeyError:
            pass
        span = self._span(name) if isinstance(name, str) else None
        if span is None:
            if name in self._done:     # the section was decoded whole on the way
                return self._done[name]
            raise KeyError(name)
        value, _ = _DECODER.raw_decode(self._data[span[0]:span[1]].decode("utf-8"))
        self._done[name] = value
        return value

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self._done[name]
        except KeyError:
            pass
        try:
            return self[name]
        except KeyError:
            return default

    def __contains__(self, name: object) -> bool:
        if name in self._done:
            return True
        return isinstance(name, str) and (self._span(name) is not None or name in self._done)

    def _names(self) -> list[str]:
        index = self._full()
        return list(index) if index or not self._done else list(self._done)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def containing(self, needle: bytes) -> list[str]:
        """The names of the entries whose text holds `needle` (`b'"exception":'`), in the order of the file,
        without decoding any entry."""
        data, lo, hi = self._data, self._lo, self._hi
        out: dict[str, None] = {}
        at = data.find(needle, lo, hi)
        while at != -1:
            line = data.rfind(_KEY_LINE, lo, at)
            if line != -1:
                q = data.find(b'"', line + 6, at)
                if q != -1:
                    out.setdefault(data[line + 6:q].decode("utf-8"), None)
            at = data.find(needle, at + len(needle), hi)
        return list(out)


def containing(section: Mapping, needle: bytes, key: str, value: Any) -> list[str]:
    """Names of a model section's entries that hold `key: value` at their top level: the entries whose text
    holds `needle` in a lazy section (then decoded and checked), read from the entries of any other mapping."""
    if isinstance(section, _Section):
        return [n for n in section.containing(needle)
                if isinstance(section.get(n), dict) and section[n].get(key) == value]
    return [n for n, v in section.items() if isinstance(v, dict) and v.get(key) == value]


class _Model(Mapping):
    __slots__ = ("_top",)

    def __init__(self, top: dict[str, Any]) -> None:
        self._top = top

    def __getitem__(self, key: str) -> Any:
        return self._top[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._top)

    def __len__(self) -> int:
        return len(self._top)


# an entry of a section: `\n    "Name":` (botocore's layout); a 4-space-indented line that is not (no name)
# means another layout
_ENTRY = re.compile(rb'\n    "(?:([^"\n]+)": ?)?')


def _entries(data: bytes, lo: int, hi: int) -> dict[str, tuple[int, int]] | None:
    """name -> (value start, value end) of every entry between `lo` and `hi`; None when the section is not
    in botocore's layout (a 4-space-indented line that is not `"name":`, a name twice)."""
    out: dict[str, tuple[int, int]] = {}
    prev: str | None = None
    value_at = 0
    for m in _ENTRY.finditer(data, lo, hi):
        name = m.group(1)
        if name is None:
            return None
        if prev is not None:
            out[prev] = (value_at, m.start())
        prev, value_at = name.decode("utf-8"), m.end()
        if prev in out:
            return None
    if prev is None:
        return {}
    out[prev] = (value_at, hi)
    return out


def _section(data: bytes, key_at: int, key: str) -> tuple[int, int, int] | None:
    """(value start, closing line, value end) of the section whose top-level key line starts at `key_at`;
    None when the layout is not botocore's. Its closing brace is the first line `  }` after it (every line
    inside is indented further): followed by the next top-level key, or closing the file."""
    at = key_at + len(key) + 6                       # `\n  "key":`
    if data[at:at + 1] == b" ":                      # `"key": value` (a few models)
        at += 1
    if data[at:at + 1] != b"{":
        return None
    if data[at:at + 2] == b"{}":
        return at, at + 1, at + 2
    close = data.find(b'\n  },\n  "', at)           # a long needle: found much faster than `\n  }`
    if close == -1:
        close = data.rfind(b"\n  }")
        if close < at or data[close + 4:].strip() != b"}":
            return None
    if data.find(_KEY_LINE, at, close) == -1:       # a section with no entry line: not botocore's layout
        return None
    return at, close, close + 4


def lazy_model(data: bytes) -> Mapping:
    """The model in `data` (a service-2.json's bytes), with its operations and shapes decoded on demand.

    The two sections are found by their top-level key lines and closing lines; everything else (the
    version, the metadata, the documentation) is parsed with the sections replaced by `{}`, which also checks
    that the sections were delimited right: any surprise parses the file whole."""
    found = []
    for key in _SECTIONS:
        at = data.find(b'\n  "' + key.encode() + b'":')
        if at == -1:
            return json.loads(data)
        found.append((at, key))
    found.sort()
    spans: list[tuple[int, int, int, str]] = []
    for at, key in found:
        sec = _section(data, at, key)
        if sec is None or (spans and sec[0] < spans[-1][2]):
            return json.loads(data)
        spans.append((*sec, key))
    skeleton, pos = [], 0
    for start, _, end, _ in spans:
        skeleton += [data[pos:start], b"{}"]
        pos = end
    skeleton.append(data[pos:])
    try:
        top = json.loads(b"".join(skeleton))
    except ValueError:
        return json.loads(data)
    if not isinstance(top, dict) or any(top.get(key) != {} for key in _SECTIONS):
        return json.loads(data)
    for start, close, _, key in spans:
        top[key] = _Section(data, start, close)
    return _Model(top)


def gunzip(raw: bytes) -> bytes:
    """The content of a gzip file of one member (botocore's `.json.gz`). The deflate stream is inflated into
    a buffer of the size the trailer gives, without computing its CRC-32 (together a third of the cost of
    reading a model), and checked by that size instead; anything unusual (another member, a damaged or
    truncated stream) goes through `gzip.decompress`, which checks everything."""
    flags = raw[3] if len(raw) > 18 and raw[:3] == b"\x1f\x8b\x08" else 0xFF
    if flags & 0xE0 == 0:
        at = 10
        if flags & 4:                                  # FEXTRA
            at += 2 + int.from_bytes(raw[at:at + 2], "little")
        for bit in (8, 16):                            # FNAME, FCOMMENT: zero-terminated
            if flags & bit:
                at = raw.find(b"\x00", at) + 1 or len(raw)
        if flags & 2:                                  # FHCRC
            at += 2
        size = int.from_bytes(raw[-4:], "little")
        # one member: no other member's header after this one's (the bytes can occur by chance in the
        # compressed data: then gzip.decompress reads it)
        if at < len(raw) - 8 and raw.find(b"\x1f\x8b\x08", at, len(raw) - 8) == -1:
            try:
                out = zlib.decompress(memoryview(raw)[at:-8], -zlib.MAX_WBITS, max(size, 1))
            except zlib.error:     # damaged, or truncated
                out = None
            if out is not None and len(out) == size:
                return out
    import gzip

    return gzip.decompress(raw)


def read_service_file(service_dir: str) -> Mapping | None:
    """The newest `service-2.json(.gz)` of a botocore service directory, read lazily (None: none found, or
    it does not read)."""
    import os

    try:
        versions = sorted(v for v in os.listdir(service_dir) if os.path.isdir(os.path.join(service_dir, v)))
    except OSError:
        return None
    for v in reversed(versions):
        base = os.path.join(service_dir, v, "service-2.json")
        try:
            if os.path.exists(base + ".gz"):
                with open(base + ".gz", "rb") as fh:
                    return lazy_model(gunzip(fh.read()))
            if os.path.exists(base):
                with open(base, "rb") as fh:
                    return lazy_model(fh.read())
        except (OSError, ValueError, EOFError, zlib.error):
            return None
    return None
