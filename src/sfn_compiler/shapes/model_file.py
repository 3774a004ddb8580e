"""Reading a botocore `service-2.json` lazily: only the operations and shapes a definition uses are parsed.

A definition calls a handful of operations of a service whose model describes hundreds (SageMaker's is
2.5 MB of JSON). Parsing it whole costs more than the inference that uses it, and keeps tens of thousands
of dicts alive that every full garbage collection of the process then walks. botocore writes its model
files in one layout (2-space indentation, one member per line, `"key":value` or `"key": value`: `\\n  "shapes":{`, `\\n    "Name":{`), so
`lazy_model(data)` indexes where each operation and shape starts (in the undecoded bytes) and decodes an
entry on first access (`json.JSONDecoder.raw_decode` of its slice). A file in any other layout is parsed
whole.

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
        entries = sorted((start, name) for name, (start, _) in self._starts.items())
        starts = [s for s, _ in entries]
        lo, hi = starts[0], max(end for _, end in self._starts.values())
        out: dict[str, None] = {}
        for m in re.finditer(pattern, self._data[lo:hi]):
            i = bisect.bisect_right(starts, lo + m.start()) - 1
            if i >= 0:
                out.setdefault(entries[i][1], None)
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


_ENTRY = re.compile(rb'\n    "([^"\n]+)": ?')


def _index(data: bytes, start: int, end: int) -> dict[str, tuple[int, int]] | None:
    """(value offset, next entry offset) of each 4-space-indented key between start and end, or None when
    the layout is not botocore's (a 4-space-indented line that is not `"name":`)."""
    out: dict[str, tuple[int, int]] = {}
    prev: str | None = None
    at = 0
    n = 0
    for m in _ENTRY.finditer(data, start, end):
        if prev is not None:
            out[prev] = (at, m.start())
        prev, at = m.group(1).decode("utf-8"), m.end()
        n += 1
    if prev is not None:
        out[prev] = (at, end)
    if n != data.count(b'\n    "', start, end) or len(out) != n:
        return None
    return out


def lazy_model(data: bytes) -> Mapping:
    """The model in `data` (a service-2.json's bytes), with its operations and shapes decoded on demand."""
    top: dict[str, Any] = {}
    keys: list[tuple[int, str]] = []
    pos = data.find(b'\n  "')
    while pos != -1:
        name_end = data.find(b'"', pos + 4)
        if name_end == -1 or data[name_end + 1:name_end + 2] != b":":
            return json.loads(data)
        keys.append((pos, data[pos + 4:name_end].decode("utf-8")))
        pos = data.find(b'\n  "', name_end)
    if not data.startswith(b"{") or not {"operations", "shapes"} <= {k for _, k in keys}:
        return json.loads(data)
    for i, (pos, key) in enumerate(keys):
        value_at = pos + 4 + len(key.encode("utf-8")) + 2
        if data[value_at:value_at + 1] == b" ":      # `"key": value` (a few models)
            value_at += 1
        end = keys[i + 1][0] if i + 1 < len(keys) else len(data)
        if key in _SECTIONS:
            if data[value_at:value_at + 1] != b"{":
                return json.loads(data)
            starts = _index(data, value_at, end)
            if starts is None:
                return json.loads(data)
            top[key] = _Section(data, starts)
        else:
            try:
                top[key], _ = _DECODER.raw_decode(data[value_at:end].decode("utf-8"))
            except ValueError:
                return json.loads(data)
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
