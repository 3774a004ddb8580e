"""From a derived definition's JSON pointer back to its source's file:line:col (a `Span`): a rendered
template (render/), or a definition read out of a CloudFormation/Terraform/YAML file (the readers in load/).

Rendering is structural, so a rendered pointer names the same node as a template pointer except where a
key was substituted (recorded in `pointers`) or a whole-string placeholder expanded into an object or
list (the lookup stops at the placeholder). Strings that had placeholders substituted are `modified`:
offsets inside them are shifted, so positions inside such strings point at the string's start.
`.json.j2` templates add a line map from the Jinja output back to the template lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from typing import Any

from ..diagnostics import Span

# (rendered offset, template offset, length): a literal run of the rendered string and where it came
# from; length 0 marks a substituted value, which maps to its placeholder's `$`.
Anchors = list[tuple[int, int, int]]


def template_offset(anchors: Anchors, offset: int) -> tuple[int, bool]:
    """Where rendered offset `offset` came from in the template string: (offset, exact)."""
    best = (0, False)
    for r, t, length in anchors:
        if r > offset:
            break
        if length and offset < r + length:
            return t + (offset - r), True
        best = (t, False) if not length else (t + length, False)
    return best


@dataclass
class SourceMap:
    template: Any    # JsonDocument (the parsed template, or the Jinja output for .json.j2) or a load.embedded view
    pointers: dict[str, str] = field(default_factory=dict)   # rendered pointer -> template pointer
    # rendered pointers of strings with substituted placeholders -> anchors from rendered offsets back
    # to template offsets (None for a whole-string placeholder that became a typed value)
    modified: dict[str, list | None] = field(default_factory=dict)
    line_map: list[int] | None = None           # .json.j2: Jinja output line (0-based) -> template line (1-based)

    def files(self) -> list[tuple[str, str]]:
        """(filename, text) of the file it maps into: with the derived document's text, what its spans and
        code frames depend on (the result cache keys a definition read out of a template by them)."""
        return [(str(self.template.filename), self.template.text)]

    def template_pointer(self, pointer: str) -> tuple[str, bool]:
        """The template pointer for a rendered pointer; exact=False when it had to stop at an ancestor."""
        p = pointer
        while True:
            if p in self.pointers:
                return self.pointers[p], p == pointer
            if not p:
                return "", False
            p = p[: p.rfind("/")]

    def locate(self, pointer: str, offset: int | None = None, *, key: bool = False) -> Span:
        """Where the node at a rendered `pointer` (and `offset` inside its string) is in the template."""
        tpointer, exact = self.template_pointer(pointer)
        if offset is not None and exact and self.modified.get(pointer, []) is not None:
            anchors = self.modified.get(pointer)
            if anchors:   # the string had placeholders: offsets after them moved
                offset, exact = template_offset(anchors, offset)
            pos = self.template.locate_in_string(tpointer, offset)
        else:
            pos = self.template.locate(tpointer, key=key)
            exact = exact and offset is None
        line, column = pos.line, pos.column
        if self.line_map is not None:
            if 0 <= line - 1 < len(self.line_map):
                line = self.line_map[line - 1]
            exact = False
        return Span(self.template.filename, line, column, exact)
