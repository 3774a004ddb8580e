"""The polling-loop analysis behind SFN702-SFN706: with the catalogue, find
- starts: Tasks whose Resource (without `.sync`) starts a catalogued job;
- polls: describe Tasks, each with its innermost loop, the names that carry the status (the status field
  and the Output keys / variables it is copied into), and the first Choice after it that tests the status;
and the flow questions the rules ask about a poll (is the job re-polled, is the status re-checked, the
cycle through the loop)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ....asl.poll_catalogue import PollEntry
from ....asl.resources import task_resource
from ...base import CheckContext
from ._common import catalogue_for
from ._flow import Loop, innermost_loop, shortest_path
from ._status import StatusRefs, choice_tests_status


@dataclass(eq=False)
class Start:
    state: Any
    entry: PollEntry
    form: str


@dataclass(eq=False)
class Poll:
    state: Any                 # the describe Task
    entry: PollEntry
    form: str
    loop: Loop | None
    refs: StatusRefs
    status_vars: frozenset[str]
    choice: Any | None         # first status-testing Choice after the describe


@dataclass
class PollAnalysis:
    starts: list[Start]
    polls: list[Poll]

    def loop_keys(self) -> set[tuple[str, str]]:
        return {(p.loop.scope.pointer, p.loop.header) for p in self.polls if p.loop is not None}


def poll_analysis(ctx: CheckContext) -> PollAnalysis:
    machine = ctx.machine
    cat = catalogue_for(ctx.settings)
    return machine.memo(f"polls:{id(cat)}", lambda: _analyse(machine, cat))


def _analyse(machine, cat) -> PollAnalysis:
    starts: list[Start] = []
    polls: list[Poll] = []
    for state in machine.states:
        res = task_resource(state)
        if res is None or res.suffix == ".waitForTaskToken":
            continue
        entry = cat.start_entry(res.form)
        if entry is not None and res.suffix == "":
            starts.append(Start(state, entry, res.form))
            continue
        entry = cat.describe_entry(res.form)
        if entry is not None:
            refs, status_vars = _status_refs(state, entry)
            loop = innermost_loop(machine, state)
            polls.append(Poll(state, entry, res.form, loop, refs, status_vars, _status_choice(machine, state, loop, refs)))
    return PollAnalysis(starts, polls)


def _mentions(value: Any, field: str) -> bool:
    return isinstance(value, str) and re.search(rf"\b{re.escape(field)}\b", value, re.IGNORECASE) is not None


def _status_refs(state, entry: PollEntry) -> tuple[StatusRefs, frozenset[str]]:
    field = entry.status_field
    fields = {field.lower()}
    variables: set[str] = set()
    names: set[str] = set()
    out = state.get("Output")
    if isinstance(out, str) and _mentions(out, field):
        fields.add("input")  # the Output is the status itself: the Choice reads `$states.input`
    _status_keys(out, field, True, False, fields, variables, names)
    _status_keys(state.get("Assign"), field, True, True, fields, variables, names)
    return StatusRefs(frozenset(fields), frozenset(variables)), frozenset(names)


def _status_keys(value: Any, field: str, top: bool, into_vars: bool, fields: set[str], variables: set[str],
                 names: set[str], depth: int = 0) -> None:
    """The keys under which `value` (an Output or Assign) carries the status: variable names (top-level keys
    of Assign) or member names (a function, not a recursive closure: no reference cycle per call)."""
    if depth > 50 or not isinstance(value, dict):
        return
    for k, v in value.items():
        if isinstance(v, str) and _mentions(v, field):
            if top and into_vars:
                variables.add(str(k).lower())
                names.add(str(k))
            else:
                fields.add(str(k).lower())
        else:
            _status_keys(v, field, False, into_vars, fields, variables, names, depth + 1)


def _status_choice(machine, state, loop: Loop | None, refs: StatusRefs):
    """The first Choice after the describe (following Next/Choice edges, in the loop when there is one)
    that tests the status."""
    graph = machine.graph(state.scope)
    states = state.scope.states

    def successors(node: tuple[str, int]) -> list[tuple[str, int]]:
        name, depth = node
        if depth >= 6:
            return []
        return [(e.target, depth + 1) for e in graph.out.get(name, ()) if e.kind != "catch" and e.target in states
                and (loop is None or e.target in loop.body)]

    def tests_status(node: tuple[str, int]) -> bool:
        st = states[node[0]]
        return st is not state and choice_tests_status(st, refs)

    path = shortest_path((state.name, 0), successors, tests_status, key=lambda node: node[0])
    return states[path[-1][0]] if path else None


# --------------------------------------------------------------------------------------------------


def repolls(machine, p: Poll, target: str) -> bool:
    """From `target`, the describe is called again with no other Task on the way (only Wait, Pass and
    Choice states): the finished job is simply polled again. A path through another Task (a retry or
    restart API, a stop, a notification) is a deliberate reaction."""
    scope = p.state.scope
    graph = machine.graph(scope)

    def successors(name: str) -> list[str]:
        st = scope.states.get(name)
        if st is None or st.type not in ("Wait", "Pass", "Choice"):
            return []
        return [e.target for e in graph.out.get(name, ()) if e.kind != "catch"]

    return shortest_path(target, successors, lambda name: name == p.state.name) is not None


def rechecks_status(machine, scope, target: str, refs: StatusRefs, choice: str, limit: int = 5) -> bool:
    """A status Choice (other than `choice`) follows `target` within a few transitions: the shared state
    records the outcome and the status is tested again afterwards."""
    graph = machine.graph(scope)

    def successors(node: tuple[str, int]) -> list[tuple[str, int]]:
        name, depth = node
        if name not in scope.states or depth >= limit:
            return []
        return [(e.target, depth + 1) for e in graph.out.get(name, ()) if e.kind != "catch" and e.target != choice]

    def rechecks(node: tuple[str, int]) -> bool:
        name, depth = node
        st = scope.states.get(name)
        return st is not None and name != choice and depth > 0 and choice_tests_status(st, refs)

    return shortest_path((target, 0), successors, rechecks, key=lambda node: node[0]) is not None


def last_action(state) -> bool:
    """The state is the workflow's last action: at the top level, followed only by Pass states up to a
    Succeed or End."""
    if state.scope.parent_state is not None:
        return False
    s = state
    for _ in range(50):
        if s.get("End") is True:
            return True
        nxt = s.scope.states.get(s.get("Next")) if isinstance(s.get("Next"), str) else None
        if nxt is None:
            return False
        if nxt.type == "Succeed":
            return True
        if nxt.type != "Pass":
            return False
        s = nxt
    return False


def cycle_from(machine, p: Poll, target: str) -> list[str]:
    """target -> ... -> describe, inside the loop (for the finding path)."""
    if p.loop is None:
        return [target]
    graph = machine.graph(p.state.scope)
    path = shortest_path(target, lambda n: (e.target for e in graph.out.get(n, ())
                                            if e.kind != "catch" and e.target in p.loop.body),
                         lambda n: n == p.state.name)
    return path or [target]


def loop_polls(pa: PollAnalysis) -> list[Poll]:
    """One poll per loop (the first describe in document order)."""
    seen: set[int] = set()
    out = []
    for p in pa.polls:
        if p.loop is None or id(p.loop) in seen:
            continue
        seen.add(id(p.loop))
        out.append(p)
    return out


def cycle(machine, p: Poll) -> tuple[str, ...]:
    graph = machine.graph(p.state.scope)
    cyc = p.loop.cycle(graph)
    # rotate so that the path starts at the describe when it is on the cycle
    core = cyc[:-1]
    if p.state.name in core:
        i = core.index(p.state.name)
        core = core[i:] + core[:i]
        return tuple(core + [core[0]])
    return tuple(cyc)
