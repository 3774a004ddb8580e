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

from heapq import heappop, heappush
from typing import NamedTuple, TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .model import Machine, Scope, State, VarRead


class ReadVerdict(NamedTuple):
    read: "VarRead"
    status: str   # "ok" | "maybe" | "never" | "unassigned" | "outer-distributed" | "guarded"


class VariableAnalysis:
    """The entry sets of every reachable state, computed once per machine.

    Variable sets are integer bitsets over the machine's assigned names (bit i = `self.names[i]`). Each
    scope is solved with a worklist ordered by reverse postorder (a heap of RPO indices): a state is
    processed after its forward predecessors, and is queued again only when its entry sets changed, so an
    acyclic graph takes one pass and loops a few. The result is the unique fixed point of the equations
    above, whatever the order of evaluation.
    """

    def __init__(self, machine: "Machine") -> None:
        self.machine = machine
        self.names: list[str] = []                  # bit -> name
        self.bit: dict[str, int] = {}               # name -> bit
        self._must: dict[int, int] = {}             # id(state) -> bitset surely assigned on entry
        self._may: dict[int, int] = {}              # id(state) -> bitset possibly assigned on entry
        self.direct: dict[int, set[str]] = {}       # id(scope) -> names assigned by its own states
        self._state_assign: dict[int, int] = {}
        self._rule_assign: dict[tuple[int, int], int] = {}
        self._catch_assign: dict[tuple[int, int], int] = {}
        self._decoded: dict[int, frozenset[str]] = {0: frozenset()}
        for a in machine.assigns:
            sid = id(a.state)
            self.direct.setdefault(id(a.state.scope), set()).add(a.name)
            b = self.bit.get(a.name)
            if b is None:
                b = self.bit[a.name] = len(self.names)
                self.names.append(a.name)
            mask = 1 << b
            if a.kind == "Assign":
                self._state_assign[sid] = self._state_assign.get(sid, 0) | mask
            elif a.kind == "Choice.Assign":
                key = (sid, a.index)
                self._rule_assign[key] = self._rule_assign.get(key, 0) | mask
            else:
                key = (sid, a.index)
                self._catch_assign[key] = self._catch_assign.get(key, 0) | mask
        for scope in machine.scopes:  # parents come before their children
            self._flow(scope)

    # ------------------------------------------------------------------ data flow

    def _edge_assign(self, state: "State", kind: str, index: int | None) -> int:
        sid = id(state)
        if kind == "choice":
            return self._rule_assign.get((sid, index), 0)
        if kind == "catch":
            return self._catch_assign.get((sid, index), 0)
        return self._state_assign.get(sid, 0)

    def _flow(self, scope: "Scope") -> None:
        graph = self.machine.graph(scope)
        start = graph.start
        if start is None:
            return
        parent = scope.parent_state
        if parent is None or scope.distributed:
            init_must = init_may = 0
        else:
            init_must = self._must.get(id(parent))
            init_may = self._may.get(id(parent), 0)
            if init_must is None:  # the Parallel/Map itself is unreachable: nothing to judge inside
                return
        states = scope.states
        # successors as (target index, bits assigned on the edge), states numbered in reverse postorder
        order = _reverse_postorder(start, graph.out, states)
        index = {name: i for i, name in enumerate(order)}
        succ: list[list[tuple[int, int]]] = []
        for name in order:
            out = []
            for edge in graph.out.get(name, ()):
                t = index.get(edge.target)
                if t is not None:
                    out.append((t, self._edge_assign(edge.source, edge.kind, edge.index)))
            succ.append(out)
        n = len(order)
        must: list[int | None] = [None] * n   # None: not reached (yet)
        may = [0] * n
        must[0], may[0] = init_must, init_may
        queued = [False] * n
        queued[0] = True
        heap = [0]
        while heap:
            i = heappop(heap)
            queued[i] = False
            m_in, y_in = must[i], may[i]
            for t, a in succ[i]:
                m_out = m_in | a
                y_out = y_in | a
                old_m = must[t]
                if old_m is None:
                    must[t] = m_out
                    may[t] = y_out
                else:
                    new_m = old_m & m_out
                    new_y = may[t] | y_out
                    if new_m == old_m and new_y == may[t]:
                        continue
                    must[t] = new_m
                    may[t] = new_y
                if not queued[t]:
                    queued[t] = True
                    heappush(heap, t)
        for i, name in enumerate(order):
            sid = id(states[name])
            self._must[sid] = must[i]  # every state in `order` is reachable, so reached
            self._may[sid] = may[i]

    # ------------------------------------------------------------------ queries

    def _names(self, bits: int) -> frozenset[str]:
        hit = self._decoded.get(bits)
        if hit is None:
            out = []
            rest = bits
            while rest:
                low = rest & -rest
                out.append(self.names[low.bit_length() - 1])
                rest ^= low
            hit = self._decoded[bits] = frozenset(out)
        return hit

    def entry(self, state: "State") -> tuple[frozenset[str], frozenset[str]] | None:
        """(must, may) on entry to the state, or None when the state is not reachable."""
        m = self._must.get(id(state))
        if m is None:
            return None
        return self._names(m), self._names(self._may[id(state)])

    def outer_names(self, scope: "Scope") -> set[str]:
        """Names assigned by states of the scopes enclosing `scope`."""
        out: set[str] = set()
        for anc in scope.ancestors():
            out |= self.direct.get(id(anc), set())
        return out

    def subtree_names(self, scope: "Scope") -> set[str]:
        """Names assigned by states of `scope` and of the scopes nested in it."""
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
        must_of, may_of, bit_of = self._must, self._may, self.bit
        for read in self.machine.reads:
            sid = id(read.state)
            must = must_of.get(sid)
            if must is None:
                continue
            b = bit_of.get(read.name)
            if b is not None and must >> b & 1:
                status = "ok"
            elif b is not None and may_of[sid] >> b & 1:
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


def _reverse_postorder(start: str, out_edges, states) -> list[str]:
    """The states reachable from `start` (targets in `states` only), in reverse postorder of a depth-first
    search that follows edges in document order."""
    post: list[str] = []
    seen = {start}
    stack = [(start, iter(out_edges.get(start, ())))]
    while stack:
        name, it = stack[-1]
        for edge in it:
            t = edge.target
            if t in states and t not in seen:
                seen.add(t)
                stack.append((t, iter(out_edges.get(t, ()))))
                break
        else:
            stack.pop()
            post.append(name)
    post.reverse()
    return post

