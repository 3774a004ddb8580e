"""Offsets to 1-based line:column, shared by the JSON and YAML documents."""

from __future__ import annotations

import bisect
from typing import NamedTuple


class Position(NamedTuple):
    line: int
    column: int


class LineIndex:
    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self._starts, offset) - 1
        return Position(line + 1, offset - self._starts[line] + 1)
