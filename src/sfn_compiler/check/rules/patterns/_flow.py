"""Control flow for the pattern rules: loops, open paths across Parallel/Map boundaries, loop bounds.

- `loops(machine, scope)`: the natural loops of a scope's transition graph (all edges, Catch included),
  found from the DFS back edges from `StartAt`; loops that share a header are merged. Nested loops are
  separate `Loop`s, so an inner polling loop and the outer remediation loop around it are checked apart.
- `open_path(...)`: breadth-first search for the shortest path from a state to the end of the workflow
  that never passes a "closing" state (a lock release, a describe loop). A Parallel/Map on the way is one
  node: it closes the path on success when one of its branches closes every path to its own success end;
  errors inside it surface at its Catch. A path that starts inside a branch leaves it at the enclosing
  Parallel/Map (its Next on success, its Catch on failure).
- `loop_bound(...)`: why a loop terminates (a counter or a deadline compared in an exit condition).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Hashable, Iterable, TypeVar

from ....asl.walk import ERROR_HANDLING_TYPES
from ....load.pointer import resolve_pointer
from ._common import catch_label, catchers, has_catch_all

SUCCESS_END = "success"
FAIL_END = "fail"
T = TypeVar("T")


# --------------------------------------------------------------------------------------------------
# the one path search


def shortest_path(start: T, successors: Callable[[T], Iterable[T]], is_goal: Callable[[T], bool],
                  key: Callable[[T], Hashable] = lambda n: n) -> list[T] | None:
    """Breadth-first search from `start`: the nodes of the shortest path to the first node (in BFS order,
    `start` included) for which `is_goal` holds, or None. A node is expanded once (`key` identifies it);
    `successors` decides what may follow (return nothing to stop at a node)."""
    prev: dict[Hashable, T | None] = {key(start): None}
    queue = deque([start])
    while queue:
        n = queue.popleft()
        if is_goal(n):
            path = [n]
            p = prev[key(n)]
            while p is not None:
                path.append(p)
                p = prev[key(p)]
            return path[::-1]
        for m in successors(n):
            k = key(m)
            if k not in prev:
                prev[k] = n
                queue.append(m)
    return None


# --------------------------------------------------------------------------------------------------
# loops


@dataclass(eq=False)
class Loop:
    scope: Any
    header: str
    body: set[str]
    sources: list[str] = field(default_factory=list)   # back-edge sources (in body)

    def exits(self, graph) -> list:
        """Edges that leave the loop other than Catch edges."""
        return [e for n in self.body for e in graph.out.get(n, ()) if e.kind != "catch" and e.target not in self.body
                and e.target in graph.scope.states]

    def cycle(self, graph) -> list[str]:
        """State names of one cycle through the loop: header -> ... -> back-edge source -> header."""
        targets = set(self.sources)
        path = shortest_path(self.header, lambda n: (m for m in graph.successors(n) if m in self.body),
                             lambda n: n in targets and (n != self.header or self.header in graph.successors(self.header)))
        return [self.header, self.header] if path is None else path + [self.header]


def loops(machine, scope) -> list[Loop]:
    return machine.memo(f"loops:{scope.pointer}", lambda: _loops(machine, scope))


def _loops(machine, scope) -> list[Loop]:
    graph = machine.graph(scope)
    start = graph.start
    if start is None:
        return []
    succ = {n: graph.successors(n) for n in scope.states}
    preds: dict[str, list[str]] = {n: [] for n in scope.states}
    for n, ms in succ.items():
        for m in ms:
            preds[m].append(n)
    # iterative DFS for back edges
    back: dict[str, list[str]] = {}
    state: dict[str, int] = {}  # 1 on stack, 2 done
    stack = [(start, iter(succ[start]))]
    state[start] = 1
    while stack:
        n, it = stack[-1]
        for m in it:
            s = state.get(m)
            if s is None:
                state[m] = 1
                stack.append((m, iter(succ[m])))
                break
            if s == 1:
                back.setdefault(m, []).append(n)
        else:
            state[n] = 2
            stack.pop()
    out: list[Loop] = []
    order = {n: i for i, n in enumerate(scope.states)}
    for header in sorted(back, key=order.__getitem__):
        sources = back[header]
        body = {header}
        work = [s for s in sources if s != header]
        body.update(work)
        while work:
            n = work.pop()
            for p in preds[n]:
                if p not in body:
                    body.add(p)
                    work.append(p)
        out.append(Loop(scope, header, body, sorted(set(sources), key=order.__getitem__)))
    return out


def innermost_loop(machine, state) -> Loop | None:
    """The smallest loop of the state's scope whose body holds the state (the first such in `loops` order)."""
    return machine.memo(f"innermost:{state.scope.pointer}", lambda: _innermost(machine, state.scope)).get(state.name)


def _innermost(machine, scope) -> dict[str, Loop]:
    best: dict[str, Loop] = {}
    for lp in loops(machine, scope):
        for name in lp.body:
            cur = best.get(name)
            if cur is None or len(lp.body) < len(cur.body):
                best[name] = lp
    return best


# --------------------------------------------------------------------------------------------------
# open paths


def is_success_end(state) -> bool:
    return state.type == "Succeed" or (state.type not in ("Fail", "Choice", None) and state.get("End") is True)


def scope_closes(machine, scope, closer: Callable, key: str) -> bool:
    """Every path from the scope's StartAt to one of its success ends passes a closing state."""
    return machine.memo(f"closes:{key}:{scope.pointer}", lambda: _scope_closes(machine, scope, closer, key))


def _scope_closes(machine, scope, closer, key) -> bool:
    graph = machine.graph(scope)
    start = graph.start
    if start is None:
        return False

    def closes(name: str) -> bool:
        s = scope.states[name]
        return closer(s) or parallel_closes(machine, s, closer, key)

    open_end = shortest_path(start, lambda n: () if closes(n) else graph.successors(n),
                             lambda n: not closes(n) and is_success_end(scope.states[n]))
    return open_end is None


def parallel_closes(machine, state, closer, key) -> bool:
    """A Parallel/Map closes on success when one of its branches (the processor) closes."""
    if state.type not in ("Parallel", "Map") or not state.children:
        return False
    return any(scope_closes(machine, child, closer, key) for child in state.children)


def open_path(machine, origin, closer: Callable, key: str, *, include_failures: bool,
              origin_catches: bool = False) -> list[str] | None:
    """The shortest path (as tokens) from `origin` to an end of the workflow that passes no state for
    which `closer(state)` holds, or None.

    include_failures: follow Catch edges and uncaught errors, and count Fail states as ends; otherwise
    only success paths (Next/Choice/Default edges) to Succeed/End states count.
    """
    parent: dict[Any, tuple[Any, list[str]]] = {}
    queue: deque = deque()

    def push(prev, tokens, target):
        if target is not None and target not in parent and target is not origin:
            parent[target] = (prev, tokens)
            queue.append(target)

    def path_to(s) -> list[str]:
        out: list[str] = []
        node = s
        while node is not None:
            out.append(node.name)
            prev, tokens = parent.get(node, (None, []))
            out.extend(reversed(tokens))
            node = prev
        out.reverse()
        return out

    def state_in(scope, name):
        return scope.states.get(name) if isinstance(name, str) else None

    def surface(scope, kind, tokens):
        """Continuations when `scope` ends (kind success/fail): [(tokens, state)] and end token lists."""
        conts: list[tuple[list[str], Any]] = []
        ends: list[list[str]] = []
        todo = [(scope, kind, tokens)]
        guard = 0
        while todo and guard < 100:
            guard += 1
            sc, kd, tk = todo.pop()
            parent_state = sc.parent_state
            if parent_state is None:
                if kd == SUCCESS_END or include_failures:
                    ends.append(tk)
                continue
            p = parent_state
            if kd == SUCCESS_END:
                graph = machine.graph(p.scope)
                for e in graph.out.get(p.name, ()):
                    if e.kind != "catch":
                        conts.append((tk + [p.name], state_in(p.scope, e.target)))
                if p.get("End") is True:
                    todo.append((p.scope, SUCCESS_END, tk + [p.name]))
            elif include_failures:
                for c in catchers(p):
                    conts.append((tk + [p.name, catch_label(c)], state_in(p.scope, c.next)))
                if not has_catch_all(p):
                    todo.append((p.scope, FAIL_END, tk + [p.name, "Error(not caught)"]))
        return conts, ends

    graph0 = machine.graph(origin.scope)
    for e in graph0.out.get(origin.name, ()):
        if e.kind == "catch":
            if not origin_catches:
                continue
            tokens = [catch_label(c) for c in catchers(origin) if c.index == e.index]
        else:
            tokens = []
        push(origin, tokens, state_in(origin.scope, e.target))
    if origin.get("End") is True:
        _conts, ends = surface(origin.scope, SUCCESS_END, [])
        if ends:
            return [origin.name] + ends[0]
        for tokens, t in _conts:
            push(origin, tokens, t)

    while queue:
        s = queue.popleft()
        if closer(s):
            continue
        closed = parallel_closes(machine, s, closer, key)
        graph = machine.graph(s.scope)
        conts: list[tuple[list[str], Any]] = []
        ends: list[list[str]] = []
        if s.type == "Fail":
            c2, e2 = surface(s.scope, FAIL_END, [])
            conts += c2
            ends += e2
        elif is_success_end(s) and not closed:
            c2, e2 = surface(s.scope, SUCCESS_END, [])
            conts += c2
            ends += e2
        for e in graph.out.get(s.name, ()):
            if e.kind == "catch":
                if include_failures:
                    label = [catch_label(c) for c in catchers(s) if c.index == e.index]
                    conts.append((label, state_in(s.scope, e.target)))
            elif not closed:
                conts.append(([], state_in(s.scope, e.target)))
        if include_failures and s.type in ERROR_HANDLING_TYPES and not has_catch_all(s) and _can_fail(s):
            c2, e2 = surface(s.scope, FAIL_END, ["Error(not caught)"])
            conts += c2
            ends += e2
        if ends:
            return path_to(s) + ends[0]
        for tokens, t in conts:
            push(s, tokens, t)
    return None


def _can_fail(state) -> bool:
    """A Task can always fail; a Parallel/Map fails when something inside it can."""
    if state.type == "Task":
        return True
    stack = list(state.children)
    seen = 0
    while stack and seen < 10_000:
        sc = stack.pop()
        for st in sc.states.values():
            seen += 1
            if st.type in ("Task", "Fail"):
                return True
            stack.extend(st.children)
    return False


def find_path(machine, origin, goal, match=None, *, catches: bool = True) -> list[str] | None:
    """Shortest path of state names from origin to goal (or to a state `match` accepts), entering Parallel
    branches / Map processors and leaving them at their end; Catch edges only when `catches`."""
    def successors(s) -> list:
        nxt = []
        graph = machine.graph(s.scope)
        for e in graph.out.get(s.name, ()):
            t = s.scope.states.get(e.target)
            if t is not None and (catches or e.kind != "catch"):
                nxt.append(t)
        for child in s.children:
            st = child.states.get(child.start_at) if isinstance(child.start_at, str) else None
            if st is not None:
                nxt.append(st)
        if (s.type == "Fail" or is_success_end(s)) and s.scope.parent_state is not None:
            p = s.scope.parent_state
            for e in machine.graph(p.scope).out.get(p.name, ()):
                t = p.scope.states.get(e.target)
                via_catch = e.kind == "catch"
                if t is not None and (via_catch if s.type == "Fail" else not via_catch) and (catches or not via_catch):
                    nxt.append(t)
        return nxt

    path = shortest_path(origin, successors,
                         lambda s: s is not origin and (s is goal or (match is not None and match(s))), key=id)
    return None if path is None else [s.name for s in path]


# --------------------------------------------------------------------------------------------------
# loop bounds


_TIME_FUNCTIONS = {"now", "millis"}


def _sorted_expressions(machine) -> tuple[list[str], list[Any]]:
    def build():
        items = sorted(((e.pointer, e) for e in machine.expressions), key=lambda x: x[0])
        return [p for p, _ in items], [e for _, e in items]

    return machine.memo("expr_sorted", build)


def _expressions_under(machine, prefix: str) -> Iterable[Any]:
    keys, exprs = _sorted_expressions(machine)
    i = bisect_left(keys, prefix)
    while i < len(keys) and (keys[i] == prefix or keys[i].startswith(prefix + "/")):
        yield exprs[i]
        i += 1


def _assign_kind(machine, assign) -> str:
    """'progress' when the assigned value reads a variable or state data (`$n + 1`, `$states.result.x`),
    'reset' when it is a constant (`0`, `"{% 0 %}"`)."""
    for e in _expressions_under(machine, assign.pointer):
        if e.ok and (e.analysis.variables or e.analysis.states):
            return "progress"
    if not machine.is_opaque(_value_at(machine, assign.pointer)):
        return "reset"
    return "progress"


def _conditions(machine) -> tuple[dict[int, list], dict[int, set[str]]]:
    """Choice.Condition expressions and the variables they read, by Choice state."""
    def build():
        exprs: dict[int, list] = {}
        reads: dict[int, set[str]] = {}
        for e in machine.expressions:
            if e.kind == "Choice.Condition":
                exprs.setdefault(id(e.state), []).append(e)
        for r in machine.reads:
            if r.kind == "Choice.Condition":
                reads.setdefault(id(r.state), set()).add(r.name)
        return exprs, reads

    return machine.memo("conditions", build)


def _assigns_by_state(machine) -> dict[int, list]:
    def build():
        out: dict[int, list] = {}
        for a in machine.assigns:
            out.setdefault(id(a.state), []).append(a)
        return out

    return machine.memo("assigns_by_state", build)


def _value_at(machine, pointer: str) -> Any:
    try:
        return resolve_pointer(machine.document, pointer)
    except Exception:
        return None


def exit_choices(machine, loop: Loop) -> list:
    graph = machine.graph(loop.scope)
    out = []
    for n in loop.body:
        st = loop.scope.states[n]
        if st.type == "Choice" and any(e.kind in ("choice", "default") and e.target not in loop.body
                                       and e.target in loop.scope.states for e in graph.out.get(n, ())):
            out.append(st)
    return out


def loop_bound(machine, loop: Loop, *, ignore_vars: frozenset[str] = frozenset()) -> str | None:
    """Why the loop is bounded, or None: a variable assigned in the loop (never reset to a constant
    there) and read in the condition of a Choice that can leave the loop; or such a condition that
    compares against the clock (`$now()`, `$millis()`)."""
    choices = exit_choices(machine, loop)
    if not choices:
        return None
    cond_exprs, cond_reads = _conditions(machine)
    cond_vars: set[str] = set()
    for c in choices:
        for e in cond_exprs.get(id(c), ()):
            if not e.ok:
                continue
            if any(f.name in _TIME_FUNCTIONS for f in e.analysis.calls):
                return f"'{e.state.name}' compares against the clock"
            if any(s.path[:3] == ("context", "Execution", "StartTime") for s in e.analysis.states):
                return f"'{e.state.name}' compares against the execution's start time"
        cond_vars |= cond_reads.get(id(c), set())
    cond_vars -= set(ignore_vars)
    if not cond_vars:
        return None
    by_state = _assigns_by_state(machine)
    kinds: dict[str, set[str]] = {}
    for name in loop.body:
        st = loop.scope.states.get(name)
        for a in by_state.get(id(st), ()) if st is not None else ():
            if a.name in cond_vars:
                kinds.setdefault(a.name, set()).add(_assign_kind(machine, a))
    for name in sorted(kinds):
        if kinds[name] == {"progress"}:
            return f"${name} is updated in the loop and compared in its exit condition"
    return None


