"""Inline suppressions in a state's `Comment` (or the top-level one for the whole file):
`"Comment": "Acquire the lock. sfnc: ignore[SFN701, lock-without-ttl] legacy table has no TTL"`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..asl.walk import Tree

_DIRECTIVE = re.compile(r"sfnc:\s*ignore\[([^\]]*)\]")


@dataclass
class Suppression:
    scope: str            # pointer of the state ("" = whole definition)
    comment_pointer: str
    selectors: list[str]
    used: set[str] = field(default_factory=set)

    def covers(self, pointer: str) -> bool:
        return not self.scope or pointer == self.scope or pointer.startswith(self.scope + "/")


def find_suppressions(document: Any, states: list | None = None) -> list[Suppression]:
    """The suppressions in the document's Comments; `states` (the model's, `asl.walk.Tree.states`) saves
    walking the document again."""
    out: list[Suppression] = []
    if not isinstance(document, dict):
        return out
    states = Tree(document).states if states is None else states
    candidates = [("", document)] + [(st.pointer, st.raw) for st in states if isinstance(st.raw, dict)]
    for scope, obj in candidates:
        comment = obj.get("Comment")
        if not isinstance(comment, str) or "sfnc:" not in comment:
            continue
        for m in _DIRECTIVE.finditer(comment):
            sels = [s.strip() for s in m.group(1).split(",") if s.strip()]
            out.append(Suppression(scope, f"{scope}/Comment", sels))
    return out
