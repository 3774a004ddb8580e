"""The transition graph of one scope: edges, reachability, reverse postorder, terminals, cycles.

Edges are `walk.transitions`: `Next` (kind "next"), Choice rules (`Choices[i].Next`, kind "choice"),
`Default` ("default") and catchers (`Catch[i].Next`, "catch"). Targets are names in the same `States` object;
a target that does not exist there is kept in `missing` (a separate rule reports it). A Parallel or Map is
an ordinary node here: its branches/processor are separate scopes.
"""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple, TYPE_CHECKING

from .walk import is_terminal

if TYPE_CHECKING:  # pragma: no cover
    from .model import Machine, Scope, State


class Edge(NamedTuple):
    source: "State"
    target: str
    kind: str            # "next" | "choice" | "default" | "catch"
    index: int | None    # Choices / Catch index
    pointer: str         # pointer of the field naming the target


class Graph:
    def __init__(self, machine: "Machine", scope: "Scope") -> None:
        self.scope = scope
        self.edges: list[Edge] = []
        self.out: dict[str, list[Edge]] = {name: [] for name in scope.states}
        self.opaque_targets = False   # some target is an unrendered placeholder (opaque mode)
        self.terminals: set[str] = set()
        for name, state in scope.states.items():
            if is_terminal(state.raw):
                self.terminals.add(name)
            for t in state.transitions():
                self._add(machine, state, t.target, t.kind, t.index, t.pointer)
        self.missing: list[Edge] = [e for e in self.edges if e.target not in scope.states]

    def _add(self, machine: "Machine", state: "State", target, kind: str, index: int | None, pointer: str) -> None:
        if not isinstance(target, str):
            return
        if machine.is_opaque(target):
            self.opaque_targets = True
            return
        edge = Edge(state, target, kind, index, pointer)
        self.edges.append(edge)
        self.out[state.name].append(edge)

    # ------------------------------------------------------------------ analyses

    @property
    def start(self) -> str | None:
        s = self.scope.start_at
        return s if isinstance(s, str) and s in self.scope.states else None

    def successors(self, name: str) -> list[str]:
        return [e.target for e in self.out.get(name, ()) if e.target in self.scope.states]

    @cached_property
    def reachable(self) -> set[str]:
        seen: set[str] = set()
        start = self.start
        if start is not None:
            stack = [start]
            seen.add(start)
            while stack:
                for nxt in self.successors(stack.pop()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
        return seen

    @cached_property
    def reverse_postorder(self) -> tuple[str, ...]:
        """The states reachable from StartAt, in reverse postorder of a depth-first walk (successors in edge
        order): every state comes before the states it leads to, loops aside."""
        start = self.start
        if start is None:
            return ()
        order: list[str] = []
        seen = {start}
        stack = [(start, iter(self.successors(start)))]
        while stack:
            name, it = stack[-1]
            for nxt in it:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(self.successors(nxt))))
                    break
            else:
                stack.pop()
                order.append(name)
        order.reverse()
        return tuple(order)

    @cached_property
    def into(self) -> dict[str, list[Edge]]:
        """The edges entering each state (targets that are not states of the scope included), in edge order."""
        into: dict[str, list[Edge]] = {}
        for e in self.edges:
            into.setdefault(e.target, []).append(e)
        return into

    @cached_property
    def can_terminate(self) -> set[str]:
        """States from which some terminal state can be reached."""
        seen = set(self.terminals)
        stack = list(self.terminals)
        into = self.into
        while stack:
            for e in into.get(stack.pop(), ()):
                p = e.source.name
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        return seen

    def cycles(self) -> list[list[str]]:
        """Strongly connected components that hold a cycle (size > 1, or a self-loop), in document order
        (computed once per graph: callers must not change the lists)."""
        hit = self.__dict__.get("_cycles")
        if hit is None:
            hit = self.__dict__["_cycles"] = self._find_cycles()
        return hit

    def _find_cycles(self) -> list[list[str]]:
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        out: list[list[str]] = []
        counter = 0
        names = list(self.scope.states)
        position = {n: i for i, n in enumerate(names)}
        for root in names:
            if root in index:
                continue
            work = [(root, iter(self.successors(root)))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, it = work[-1]
                advanced = False
                for nxt in it:
                    if nxt not in index:
                        index[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack.add(nxt)
                        work.append((nxt, iter(self.successors(nxt))))
                        advanced = True
                        break
                    if nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                if advanced:
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1 or node in self.successors(node):
                        out.append(sorted(comp, key=position.__getitem__))
        out.sort(key=lambda c: position[c[0]])
        return out
