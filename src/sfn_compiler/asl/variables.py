"""Forward data-flow over workflow variables: which names are surely / possibly assigned on state entry.

Per scope, from `StartAt`, with must-assigned (intersection) and may-assigned (union) sets:
- an edge carries the names the source state assigns on that edge: `Next` -> the state's `Assign`;
  Choice rule i -> that rule's `Assign`; `Default` -> the state-level `Assign`; `Catch[i]` -> that catcher's
  `Assign` (instead of the state's);
- an inner scope (Parallel branch, Map processor) starts with the sets on entry to its Parallel/Map; a
  Distributed Map processor starts empty (it cannot see outer variables);
- every expression of a state sees the values on entry to the state (Assign and Output are evaluated
  together), so reads are judged against the entry sets.

Sources: https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html, https://states-language.net/spec.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .model import Machine, Scope, State, VarRead


@dataclass(frozen=True, slots=True)
class ReadVerdict:
    read: "VarRead"
    status: str   # "ok" | "maybe" | "never" | "unassigned" | "outer-distributed" | "guarded"


class VariableAnalysis:
    def __init__(self, machine: "Machine") -> None:
        self.machine = machine
        self.must: dict[int, frozenset[str]] = {}   # id(state) -> names surely assigned on entry
        self.may: dict[int, frozenset[str]] = {}    # id(state) -> names possibly assigned on entry
        self.direct: dict[int, set[str]] = {}       # id(scope) -> names assigned by its own states
        self._state_assign: dict[int, frozenset[str]] = {}
        self._rule_assign: dict[tuple[int, int], frozenset[str]] = {}
        self._catch_assign: dict[tuple[int, int], frozenset[str]] = {}
        for a in machine.assigns:
            sid = id(a.state)
            self.direct.setdefault(id(a.state.scope), set()).add(a.name)
            if a.kind == "Assign":
                self._state_assign[sid] = self._state_assign.get(sid, frozenset()) | {a.name}
            elif a.kind == "Choice.Assign":
                key = (sid, a.index)
                self._rule_assign[key] = self._rule_assign.get(key, frozenset()) | {a.name}
            else:
                key = (sid, a.index)
                self._catch_assign[key] = self._catch_assign.get(key, frozenset()) | {a.name}
        for scope in machine.scopes:  # parents come before their children
            self._flow(scope)

    # ------------------------------------------------------------------ data flow

    def _edge_assign(self, state: "State", kind: str, index: int | None) -> frozenset[str]:
        sid = id(state)
        if kind == "choice":
            return self._rule_assign.get((sid, index), frozenset())
        if kind == "catch":
            return self._catch_assign.get((sid, index), frozenset())
        return self._state_assign.get(sid, frozenset())

    def _flow(self, scope: "Scope") -> None:
        graph = self.machine.graph(scope)
        start = graph.start
        if start is None:
            return
        parent = scope.parent_state
        if parent is None or scope.distributed:
            init_must: frozenset[str] = frozenset()
            init_may: frozenset[str] = frozenset()
        else:
            init_must = self.must.get(id(parent))
            init_may = self.may.get(id(parent), frozenset())
            if init_must is None:  # the Parallel/Map itself is unreachable: nothing to judge inside
                return
        states = scope.states
        must: dict[str, frozenset[str]] = {start: init_must}
        may: dict[str, frozenset[str]] = {start: init_may}
        work = [start]
        queued = {start}
        while work:
            name = work.pop()
            queued.discard(name)
            m_in, y_in = must[name], may[name]
            for edge in graph.out.get(name, ()):
                t = edge.target
                if t not in states:
                    continue
                a = self._edge_assign(edge.source, edge.kind, edge.index)
                m_out = m_in | a
                y_out = y_in | a
                old_m = must.get(t)
                new_m = m_out if old_m is None else old_m & m_out
                new_y = may.get(t, frozenset()) | y_out
                if old_m is None or new_m != old_m or new_y != may.get(t):
                    must[t] = new_m
                    may[t] = new_y
                    if t not in queued:
                        queued.add(t)
                        work.append(t)
        for name, m in must.items():
            st = states[name]
            self.must[id(st)] = m
            self.may[id(st)] = may[name]

    # ------------------------------------------------------------------ queries

    def entry(self, state: "State") -> tuple[frozenset[str], frozenset[str]] | None:
        """(must, may) on entry to the state, or None when the state is not reachable."""
        m = self.must.get(id(state))
        if m is None:
            return None
        return m, self.may[id(state)]

    def outer_names(self, scope: "Scope") -> set[str]:
        """Names assigned by states of the scopes enclosing `scope`."""
        out: set[str] = set()
        for anc in scope.ancestors():
            out |= self.direct.get(id(anc), set())
        return out

    def subtree_names(self, scope: "Scope") -> set[str]:
        out = set(self.direct.get(id(scope), set()))
        for s in self.machine.scopes:
            if any(a is scope for a in s.ancestors()):
                out |= self.direct.get(id(s), set())
        return out

    def verdicts(self) -> list[ReadVerdict]:
        return self.machine.memo("variables.verdicts", self._verdicts)

    def _verdicts(self) -> list[ReadVerdict]:
        assigned = self.machine.assigned_names
        out: list[ReadVerdict] = []
        dist_cache: dict[int, set[str]] = {}
        for read in self.machine.reads:
            ent = self.entry(read.state)
            if ent is None:
                continue
            must, may = ent
            if read.name in must:
                status = "ok"
            elif read.name in may:
                status = "maybe"
            elif read.name not in assigned:
                status = "unassigned"
            else:
                status = "never"
                dist = read.state.scope.nearest_distributed
                if dist is not None:
                    inside = dist_cache.get(id(dist))
                    if inside is None:
                        inside = dist_cache[id(dist)] = self.subtree_names(dist)
                    if read.name not in inside:
                        status = "outer-distributed"
            if read.guarded and status in ("maybe", "never"):
                status = "guarded"  # `$exists($name)` in the same expression: an intentional optional read
            out.append(ReadVerdict(read, status))
        return out
