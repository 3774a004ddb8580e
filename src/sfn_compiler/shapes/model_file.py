"""Reading a botocore `service-2.json` lazily: only the operations and shapes a definition uses are parsed.

A definition calls a handful of operations of a service whose model describes hundreds (SageMaker's is
2.5 MB of JSON). Parsing it whole costs more than the inference that uses it, and keeps tens of thousands
of dicts alive that every full garbage collection of the process then walks. botocore writes its model
files in one layout (2-space indentation, one member per line, `"key":value` or `"key": value`: `\n  "shapes":{`,
`\n    "Name":{`), so `lazy_model(data)` finds the two sections by their key lines, indexes where each
operation and shape starts (in the undecoded bytes: a search for its closing line, then one for its entries)
and decodes an entry on first access (`json.JSONDecoder.raw_decode` of its slice); the rest of the file
is parsed with the sections replaced by `{}`. A file in any other layout is parsed whole. (Reading the 17
models the shared corpus uses: 45 -> 23 ms, bench/run.py `data` group.)

The result is a read-only `Mapping` (`metadata`, `operations`, `shapes`, ...); its sections are Mappings
of name -> the entry as a plain dict. Callers test sections with `isinstance(x, Mapping)`, not `dict`.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

_DECODER = json.JSONDecoder()
_SECTIONS = ("operations", "shapes")


class _Section(Mapping):
    """name -> entry (a dict), each decoded from the bytes on first access."""

    __slots__ = ("_data", "_starts", "_done")

    def __init__(self, data: bytes, starts: dict[str, tuple[int, int]]) -> None:
        self._data = data
        self._starts = starts          # name -> (offset of the entry's value, offset of the next entry)
        self._done: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        try:
            return self._done[name]
        except KeyError:
            pass
        start, end = self._starts[name]   # KeyError for an unknown name, as a dict would raise
        value, _ = _DECODER.raw_decode(self._data[start:end].decode("utf-8"))
        self._done[name] = value
        return value

    def __contains__(self, name: object) -> bool:
        return name in self._starts

    def __iter__(self) -> Iterator[str]:
        return iter(self._starts)

    def __len__(self) -> int:
        return len(self._starts)

    def containing(self, pattern: bytes) -> list[str]:
        """The names of the entries whose text matches `pattern` (a regular expression over the bytes), without
        decoding any entry (`shapes.containing(rb'"exception": ?true')`)."""
        if not self._starts:
            return []
        names = list(self._starts)                      # in the order of the file (`_section` indexes in order)
        starts = [start for start, _ in self._starts.values()]
        lo, hi = starts[0], self._starts[names[-1]][1]
        out: dict[str, None] = {}
        for m in re.compile(pattern).finditer(self._data, lo, hi):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0:
                out.setdefault(names[i], None)
        return list(out)


def containing(section: Mapping, pattern: bytes, key: str, value: Any) -> list[str]:
    """Names of a model section's entries that hold `key: value` at their top level: found in the text of a
    lazy section (`pattern` matches it), read from the entries of any other mapping."""
    if isinstance(section, _Section):
        return [n for n in section.containing(pattern) if isinstance(section[n], dict) and section[n].get(key) == value]
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


def _section(data: bytes, key_at: int, key: str) -> tuple[int, int, dict[str, tuple[int, int]]] | None:
    """(value start, value end, entries) of the section whose top-level key line starts at `key_at`; None
    when the layout is not botocore's. Its closing brace is the first line `  }` after it (every line inside
    is indented further): followed by the next top-level key, or closing the file."""
    at = key_at + len(key) + 6                       # `\n  "key":`
    if data[at:at + 1] == b" ":                      # `"key": value` (a few models)
        at += 1
    if data[at:at + 1] != b"{":
        return None
    if data[at:at + 2] == b"{}":
        return at, at + 2, {}
    close = data.find(b'\n  },\n  "', at)           # a long needle: found much faster than `\n  }`
    if close == -1:
        close = data.rfind(b"\n  }")
        if close < at or data[close + 4:].strip() != b"}":
            return None
    out: dict[str, tuple[int, int]] = {}
    prev: str | None = None
    value_at = 0
    for m in _ENTRY.finditer(data, at, close):
        name = m.group(1)
        if name is None:
            return None
        if prev is not None:
            out[prev] = (value_at, m.start())
        prev, value_at = name.decode("utf-8"), m.end()
        if prev in out:                              # a name twice: not a JSON object as botocore writes it
            return None
    if prev is None:
        return None
    out[prev] = (value_at, close)
    return at, close + 4, out


def lazy_model(data: bytes) -> Mapping:
    """The model in `data` (a service-2.json's bytes), with its operations and shapes decoded on demand.

    The two sections are found by their top-level key lines, each indexed in one pass; everything else (the
    version, the metadata, the documentation) is parsed with the sections replaced by `{}`, which also checks
    that the sections were delimited right: any surprise parses the file whole."""
    found = []
    for key in _SECTIONS:
        at = data.find(b'\n  "' + key.encode() + b'":')
        if at == -1:
            return json.loads(data)
        found.append((at, key))
    found.sort()
    spans: list[tuple[int, int, str, dict[str, tuple[int, int]]]] = []
    for at, key in found:
        sec = _section(data, at, key)
        if sec is None or (spans and sec[0] < spans[-1][1]):
            return json.loads(data)
        spans.append((sec[0], sec[1], key, sec[2]))
    skeleton, pos = [], 0
    for start, end, _, _ in spans:
        skeleton += [data[pos:start], b"{}"]
        pos = end
    skeleton.append(data[pos:])
    try:
        top = json.loads(b"".join(skeleton))
    except ValueError:
        return json.loads(data)
    if not isinstance(top, dict) or any(top.get(key) != {} for key in _SECTIONS):
        return json.loads(data)
    for _, _, key, entries in spans:
        top[key] = _Section(data, entries)
    return _Model(top)


def read_service_file(service_dir: str) -> Mapping | None:
    """The newest `service-2.json(.gz)` of a botocore service directory, read lazily (None: none found, or
    it does not read)."""
    import gzip
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
                    return lazy_model(gzip.decompress(fh.read()))
            if os.path.exists(base):
                with open(base, "rb") as fh:
                    return lazy_model(fh.read())
        except (OSError, ValueError):
            return None
    return None
