"""Inline suppressions in a state's `Comment` (or the top-level one for the whole file):
`"Comment": "Acquire the lock. sfnc: ignore[SFN701, lock-without-ttl] legacy table has no TTL"`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..load.pointer import escape_token

_DIRECTIVE = re.compile(r"sfnc:\s*ignore\[([^\]]*)\]")


@dataclass
class Suppression:
    scope: str            # pointer of the state ("" = whole definition)
    comment_pointer: str
    selectors: list[str]
    used: set[str] = field(default_factory=set)

    def covers(self, pointer: str) -> bool:
        return not self.scope or pointer == self.scope or pointer.startswith(self.scope + "/")


def _state_objects(node: Any, pointer: str) -> Iterator[tuple[str, dict]]:
    states = node.get("States") if isinstance(node, dict) else None
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        sp = f"{pointer}/States/{escape_token(name)}"
        yield sp, state
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, b in enumerate(branches):
                yield from _state_objects(b, f"{sp}/Branches/{i}")
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                yield from _state_objects(state[key], f"{sp}/{key}")


def find_suppressions(document: Any) -> list[Suppression]:
    out: list[Suppression] = []
    if not isinstance(document, dict):
        return out
    candidates = [("", document)] + list(_state_objects(document, ""))
    for scope, obj in candidates:
        comment = obj.get("Comment")
        if not isinstance(comment, str) or "sfnc:" not in comment:
            continue
        for m in _DIRECTIVE.finditer(comment):
            sels = [s.strip() for s in m.group(1).split(",") if s.strip()]
            out.append(Suppression(scope, f"{scope}/Comment", sels))
    return out
