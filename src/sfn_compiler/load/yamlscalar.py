"""Where character N of a YAML scalar's value is in the file.

`YamlDocument.locate` gives the position of a node; a JSONata error has an offset inside a string, and
the raw YAML text of that string differs from its value (block indentation, quotes, escapes, folded
lines). `scalar_offset` walks the raw text from the node's start. It is exact for plain and quoted
one-line scalars and for literal blocks (`|`, the usual form of a definition in a template); for folded
blocks and multi-line flow scalars it counts each line break as one character, which keeps the line
right in practice (`exact` is then False).
"""

from __future__ import annotations

import re

_PROPERTY = re.compile(r"(?:[!&][^\s]*\s+)*")   # a tag (`!Sub`) and/or an anchor (`&a`) before the value
_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*[ \t]*(?:#[^\n]*)?\n")


def scalar_offset(text: str, start: int, char_offset: int) -> tuple[int, bool]:
    """Offset in `text` of character `char_offset` of the scalar whose node starts at `start`, and whether
    it is exact."""
    i = _PROPERTY.match(text, start).end()
    if i >= len(text):
        return start, False
    ch = text[i]
    if ch in "|>":
        return _block(text, i, char_offset, literal=ch == "|")
    if ch in "\"'":
        return _flow(text, i + 1, char_offset, quote=ch)
    return _flow(text, i, char_offset, quote=None)


def _block(text: str, i: int, char_offset: int, *, literal: bool) -> tuple[int, bool]:
    header = _BLOCK_HEADER.match(text, i)
    if header is None:
        return i, False
    pos = header.end()
    indent = None
    remaining = char_offset
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        line = text[pos:end]
        stripped = line.lstrip(" ")
        if stripped:
            width = len(line) - len(stripped)
            if indent is None:
                indent = width
            elif width < indent:
                break
            content = len(line) - indent
            if remaining <= content:
                return pos + indent + remaining, literal
            remaining -= content + 1          # the line break (a space when folded)
        else:
            remaining -= 1
            if remaining < 0:
                return pos, literal
        pos = end + 1
    return min(pos, n), False


def _flow(text: str, j: int, char_offset: int, *, quote: str | None) -> tuple[int, bool]:
    n = len(text)
    decoded = 0
    exact = True
    while j < n and decoded < char_offset:
        ch = text[j]
        if quote is not None and ch == quote:
            if quote == "'" and text.startswith("''", j):
                j += 2
                decoded += 1
                continue
            break
        if ch == "\\" and quote == '"' and j + 1 < n:
            nxt = text[j + 1]
            if nxt == "\n":      # an escaped line break: nothing in the value
                j = _skip_blank(text, j + 2)
                exact = False
                continue
            j += {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
            decoded += 1
            continue
        if ch == "\n":           # a folded line break: one space (or a newline per blank line)
            j = _skip_blank(text, j + 1)
            decoded += 1
            exact = False
            continue
        if quote is None and (ch == "#" and j > 0 and text[j - 1] in " \t"):
            break
        j += 1
        decoded += 1
    return j, exact


def _skip_blank(text: str, j: int) -> int:
    n = len(text)
    while j < n and text[j] in " \t":
        j += 1
    return j
