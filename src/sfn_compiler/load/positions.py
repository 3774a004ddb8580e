"""Offsets to 1-based line:column, shared by the JSON and YAML documents."""

from __future__ import annotations

import bisect
from typing import NamedTuple

from ..diagnostics import line_starts


class Position(NamedTuple):
    line: int
    column: int


class LineIndex:
    def __init__(self, text: str) -> None:
        self._starts = line_starts(text)   # shared with the code frames of the same text

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self._starts, offset) - 1
        return Position(line + 1, offset - self._starts[line] + 1)
