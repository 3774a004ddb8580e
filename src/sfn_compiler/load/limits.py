"""The bounds on what sfnc reads (docs/files.md, "Loading bounds"): every document, JSON or YAML, is at most
`MAX_DOCUMENT_BYTES` long and nests at most `MAX_DEPTH` arrays/objects (sequences/mappings) deep, and a YAML
document builds at most `MAX_YAML_NODES` nodes counting each alias (and `<<` merge) as the nodes it
repeats. Past a bound, the reader raises one located error instead of spending unbounded time or memory
(a YAML alias bomb) or overflowing the stack (100,000 `[`).

`read_text(path)` reads a file as every reader does: at most `MAX_DOCUMENT_BYTES`, UTF-8 (a BOM dropped), each
failure one located error."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from ..errors import SfncError

MAX_DOCUMENT_BYTES = 32 * 1024 * 1024     # 32 MiB; AWS's own limit for a definition is 1 MiB (docs/files.md)
MAX_DEPTH = 200                          # real definitions, templates and env files nest well under 30
MAX_YAML_NODES = 1_000_000               # values built from one YAML document, aliases expanded


def too_large(size: int) -> str:
    return (f"the document is {size:,} bytes long; sfnc reads documents of at most {MAX_DOCUMENT_BYTES:,} bytes "
            f"({MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB)")


def read_bounded(fh: BinaryIO, limit: int) -> bytes:
    """The first `limit` bytes of an open binary file (all of it when shorter), as `fh.read(limit)` gives them.
    A regular file is read with its size as the request: `read(limit)` with a limit of megabytes allocates
    that much for every small file first (about 40 us a file, a tenth of a warm `validate` of 400 files)."""
    try:
        size = os.fstat(fh.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = 0
    first = min(size, limit - 1) + 1 if size > 0 else limit
    raw = fh.read(first)
    if first < limit and len(raw) == first:   # the file grew since fstat (or holds more than it says)
        raw += fh.read(limit - len(raw))
    return raw


def read_text(path: Path, display: str | None = None) -> str:
    name = display or str(path)
    try:
        with open(path, "rb") as fh:
            raw = read_bounded(fh, MAX_DOCUMENT_BYTES + 1)
            if len(raw) > MAX_DOCUMENT_BYTES:
                size = os.fstat(fh.fileno()).st_size
                raise SfncError(too_large(max(size, len(raw))), file=name)
    except FileNotFoundError:
        raise SfncError("file not found", file=name) from None
    except IsADirectoryError:
        raise SfncError("is a directory, expected a file", file=name) from None
    except OSError as exc:
        raise SfncError(f"cannot read file: {exc.strerror}", file=name) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise SfncError(f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at byte offset {exc.start} (save the file as "
                        "UTF-8)", file=name, line=line, column=column) from None
    return text[1:] if text.startswith("\ufeff") else text
