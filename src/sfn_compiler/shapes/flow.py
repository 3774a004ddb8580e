"""Shape inference over a whole definition: every state's input, result and output, and every variable.

`analyse(document_or_machine, execution_input=UNKNOWN)` returns a `Flow`:
- `flow.of(state)` -> `StateShapes(input, result, output, variables, assigned)` (None: unreachable);
- `flow.events` -> every inference `Event` (infer.py) of every expression of every reachable state,
  computed with the final (fixed-point) shapes, each with the state, the pointer of the string it is in
  and the offset of the expression body in that string.

What a state passes on follows AWS's rules per query language
(https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html, the ASL spec's "Using
Arguments and Output" and https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html):
- JSONata: a Task/Parallel/Map without `Output` passes its result; Pass/Wait/Choice/Succeed pass their
  input; a Choice rule's `Output`/`Assign` replace the state's (which apply only on the Default path); a
  catcher without `Output` passes the error output `{Error, Cause}` and its `Assign` replaces the state's;
  Parallel's result is an array of the branches' outputs (branch order is not kept: the array's item is the
  join of the branches), Map's an array of iteration outputs; a Map iteration's input is the item (or the
  `ItemSelector`, with `$states.context.Map.Item`; with `ItemBatcher`, `{Items, BatchInput}`); `Assign`
  values are evaluated together with the entry values of every variable, and `Output` sees them too.
- JSONPath: `InputPath`, `Parameters`, `ResultSelector`, `ResultPath`, `OutputPath` with plain paths
  (`$`, `$.a.b`, `$.a[0]`); anything else (filters, intrinsic functions, `$$`-relative paths into unknown
  places) gives UNKNOWN. JSONPath `Assign` values are UNKNOWN.
- Inner scopes: a Parallel branch / inline Map processor starts with the outer variables; a Distributed Map
  processor starts with none. Variables assigned inside do not leave the scope.

The fixed point runs per scope in reverse postorder with a priority worklist: a state is re-queued only
when its input shape or its entry variables changed. Joins are widened (`shape.limit`, bounded unions and
enums), and a state processed more than `MAX_VISITS` times gets UNKNOWN input, so it always terminates;
the cost is linear in the number of states times the (small, bounded) lattice height. Variable maps are
`varmap.VarMap`s: they share their unchanged entries, so an `Assign` and a join cost what they change,
not the number of variables in scope.
"""

from __future__ import annotations

import heapq
from typing import Any, Iterator

from . import _asl
from . import shape as S
from ._record import FrozenRecord, Record, _fill
from ._asl import _BODIES
from .infer import Event, inferred
from .integrations import integration
from .paths import _jsonpath_get, _jsonpath_input, _jsonpath_template, _result_path, context_shape
from .shape import Member, Shape
from .varmap import EMPTY, VarMap, join as join_vars

MAX_VISITS = 40
_NOT_SEEN = object()    # not in `_asl._BODIES` (the cache of expression bodies) yet

ERROR_OUTPUT = S.obj({"Error": Member(S.STRING, True), "Cause": Member(S.STRING, False)})


class StateShapes(Record):
    __slots__ = ("input", "variables", "result", "output", "assigned", "visits")
    input: Shape
    variables: VarMap                    # on entry (a mapping name -> shape)
    result: Shape | None                 # Task / Parallel / Map: `$states.result`
    output: Shape | None                 # on the Next / End path (Choice: joined over its rules and Default)
    assigned: dict[str, Shape]           # what its Assign fields store (joined)
    visits: int

    def __init__(self, input: Shape, variables: VarMap, result: Shape | None = None,
                 output: Shape | None = None, assigned: dict[str, Shape] | None = None, visits: int = 0) -> None:
        self.input = input
        self.variables = variables
        self.result = result
        self.output = output
        self.assigned = {} if assigned is None else assigned
        self.visits = visits


class Located(FrozenRecord):
    """An inference event in a definition."""

    __slots__ = ("state", "pointer", "kind", "body_offset", "event")
    state: Any            # asl State
    pointer: str          # pointer of the string holding the expression
    kind: str             # the field kind (`Output`, `Choice.Condition`, `Catch.Assign`, ...)
    body_offset: int      # offset of the expression body in the string
    event: Event

    def __init__(self, state: Any, pointer: str, kind: str, body_offset: int, event: Event) -> None:
        _fill(self, state, pointer, kind, body_offset, event)

    @property
    def offset(self) -> int:
        return self.body_offset + self.event.start


class Flow:
    def __init__(self, machine: Any, execution_input: Shape) -> None:
        self.machine = machine
        self.execution_input = execution_input
        self.shapes: dict[int, StateShapes] = {}
        self._events: list[Located] | None = None
        self._memo: dict[tuple, Shape] = {}
        self._contexts: dict[Shape | None, Shape] = {}

    def of(self, state: Any) -> StateShapes | None:
        return self.shapes.get(id(state))

    @property
    def events(self) -> list[Located]:
        if self._events is None:
            self._events = list(_report(self))
        return self._events

    # ------------------------------------------------------------------ context

    def context(self, with_map_item: Shape | None = None) -> Shape:
        """The shape of the context object (`$states.context`, `$$`); with `Map.Item` in an ItemSelector."""
        hit = self._contexts.get(with_map_item)
        if hit is None:
            hit = self._contexts[with_map_item] = context_shape(self.execution_input, with_map_item)
        return hit


# --------------------------------------------------------------------------------------------------
# entry point


def analyse(document: Any, execution_input: Shape = S.UNKNOWN, placeholders: str | None = "opaque") -> Flow:
    """Infer the shapes of a definition (a JSON document or an `asl.Machine`)."""
    m = document if hasattr(document, "scopes") and hasattr(document, "graph") else \
        _asl.machine(document, placeholders)
    flow = Flow(m, execution_input)
    root = getattr(m, "root", None)
    if root is not None:
        _Analyser(flow).run_scope(root, execution_input, EMPTY)
    return flow


def flow_for(machine: Any, execution_input: Shape = S.UNKNOWN) -> Flow:
    """`analyse(machine)`, once per (machine, execution input): the rules of one definition share it. It is
    kept in the machine's own cache (`Machine.memo`), so it goes when the machine goes."""
    memo = getattr(machine, "memo", None)
    if memo is None:  # pragma: no cover - not an asl.Machine
        return analyse(machine, execution_input)
    return memo(("shapes.flow", execution_input), lambda: analyse(machine, execution_input))


# --------------------------------------------------------------------------------------------------
# the analysis


def _join_assigned(a: dict[str, Shape], b: dict[str, Shape]) -> dict[str, Shape]:
    """What a Choice's rules assign, joined name by name (for its record; small dicts)."""
    out = dict(a)
    for k, v in b.items():
        old = out.get(k)
        out[k] = v if old is None else S.limit(S.join(old, v))
    return out


_STATES: dict[Shape, dict[tuple, Shape]] = {}   # execution input -> (input, result, error, map item) -> $states


class _Analyser:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.m = flow.machine
        table = _STATES.get(flow.execution_input)
        if table is None:
            if len(_STATES) >= 1_000:
                _STATES.clear()
            table = _STATES[flow.execution_input] = {}
        self.states_table: dict[tuple, Shape] = table

    # ------------------------------------------------------------------ scopes

    def run_scope(self, scope: Any, entry: Shape, env: VarMap) -> Shape:
        """Run the fixed point of one scope; returns the join of its terminal states' outputs."""
        order = _asl.reverse_postorder(self.m, scope)
        if not order:
            return S.UNKNOWN
        rank = {n: i for i, n in enumerate(order)}
        inputs: dict[str, Shape] = {order[0]: entry}
        envs: dict[str, VarMap] = {order[0]: env}
        heap = [(0, order[0])]
        queued = {order[0]}
        visits: dict[str, int] = {}
        exits: dict[str, Shape] = {}
        states = scope.states
        widen = not _asl.complete(self.m, scope)
        if widen:  # a transition AWS would refuse or a placeholder target: shapes there are not certain
            inputs[order[0]] = S.UNKNOWN
            envs[order[0]] = env.all_unknown()
        while heap:
            _, name = heapq.heappop(heap)
            queued.discard(name)
            st = states[name]
            visits[name] = visits.get(name, 0) + 1
            inp, venv = inputs[name], envs[name]
            if visits[name] > MAX_VISITS:  # safety net: give up precision, keep termination
                inp = inputs[name] = S.UNKNOWN
                venv = envs[name] = venv.all_unknown()
            record, edges, out = self.transfer(st, inp, venv)
            record.visits = visits[name]
            self.flow.shapes[id(st)] = record
            if out is not None:
                exits[name] = out
            for target, shape, tenv in edges:
                if target not in states or target not in rank:
                    continue
                if widen:
                    shape, tenv = S.UNKNOWN, tenv.all_unknown()
                old = inputs.get(target)
                new = S.limit(shape if old is None else S.join(old, shape))
                new_env = join_vars(envs.get(target), tenv)
                if old is None or new is not old or new_env is not envs[target]:
                    inputs[target] = new
                    envs[target] = new_env
                    if target not in queued:
                        queued.add(target)
                        heapq.heappush(heap, (rank[target], target))
        if not exits or widen:
            return S.UNKNOWN
        out_shape = None
        for s in exits.values():
            out_shape = s if out_shape is None else S.join(out_shape, s)
        return S.limit(out_shape)

    def run_inner(self, scope: Any, entry: Shape, env: VarMap) -> Shape:
        key = (id(scope), entry, env)   # a VarMap hashes and compares by its entries
        hit = self.flow._memo.get(key)
        if hit is None:
            hit = self.run_scope(scope, entry, env)
            self.flow._memo[key] = hit
        return hit

    # ------------------------------------------------------------------ one state

    def transfer(self, st: Any, inp: Shape, env: VarMap):
        """(record, edges [(target, output, env)], terminal output or None)."""
        if st.is_jsonata:
            return self._jsonata(st, inp, env)
        return self._jsonpath(st, inp, env)

    def _states(self, inp: Shape, result: Shape | None = None, error: Shape | None = None,
                map_item: Shape | None = None) -> Shape:
        key = (inp, result, error, map_item)
        table = self.states_table   # shapes are interned: one table per execution input for every flow (the
        hit = table.get(key)        # envs of a project share it)
        if hit is None:
            if len(table) >= 100_000:
                table.clear()
            hit = table[key] = self._make_states(inp, result, error, map_item)
        return hit

    def _make_states(self, inp: Shape, result: Shape | None, error: Shape | None, map_item: Shape | None) -> Shape:
        members = {"input": Member(inp, True), "context": Member(self.flow.context(map_item), True)}
        if result is not None:
            members["result"] = Member(result, True)
        if error is not None:
            members["errorOutput"] = Member(error, True)
        return S.obj(members)

    def template(self, value: Any, states: Shape, env: VarMap, depth: int = 0) -> Shape:
        """The shape of a JSONata template (any JSON value, `{% %}` strings evaluated)."""
        if isinstance(value, str):
            body = _BODIES.get(value, _NOT_SEEN)
            if body is _NOT_SEEN:
                body = _asl.expression_body(value)
            if body is None:
                return S.STRING
            out = inferred(body, states, env)[0]
            # a value that is certainly undefined fails the state at run time (and is reported where it is
            # read): what follows sees UNKNOWN rather than a cascade of consequences
            return S.UNKNOWN if out is S.UNDEFINED else S.without_undefined(out)
        if depth > 100:
            return S.UNKNOWN
        if isinstance(value, dict):
            if self.m.is_opaque(value):
                return S.UNKNOWN
            return S.obj({str(k): Member(self.template(v, states, env, depth + 1), True) for k, v in value.items()})
        if isinstance(value, list):
            item = None
            for v in value:
                s = self.template(v, states, env, depth + 1)
                item = s if item is None else S.join(item, s)
            return S.array(item if item is not None else S.UNKNOWN)
        return S.of_value(value)

    def assign(self, raw: Any, states: Shape, env: VarMap) -> dict[str, Shape]:
        if not isinstance(raw, dict):
            return {}
        return {str(k): S.limit(self.template(v, states, env)) for k, v in raw.items()}

    def _jsonata(self, st: Any, inp: Shape, env: VarMap):
        t = st.type
        raw = st.raw if isinstance(st.raw, dict) else {}
        rec = StateShapes(inp, env)  # envs are never mutated: shared, not copied
        edges: list[tuple[str, Shape, VarMap]] = []
        terminal = raw.get("End") is True
        if t is None or t == "Fail":
            return rec, edges, None
        result: Shape | None = None
        if t == "Task":
            result = integration(raw.get("Resource")).result
        elif t == "Parallel":
            branch_in = self.template(raw["Arguments"], self._states(inp), env) if "Arguments" in raw else inp
            outs = [self.run_inner(c, branch_in, env) for c in st.children]
            item = S.union(*outs) if outs else S.UNKNOWN
            result = S.array(item)
        elif t == "Map":
            result = self._map(st, raw, inp, env, jsonata=True)
        rec.result = result
        if t == "Choice":
            out_all = None
            assigned: dict[str, Shape] = {}
            states = self._states(inp)
            for e in _asl.out_edges(self.m, st):
                if e.kind == "choice":
                    rule = raw["Choices"][e.index]
                    out = self.template(rule["Output"], states, env) if "Output" in rule else inp
                    a = self.assign(rule.get("Assign"), states, env)
                elif e.kind == "default":
                    out = self.template(raw["Output"], states, env) if "Output" in raw else inp
                    a = self.assign(raw.get("Assign"), states, env)
                else:
                    continue
                assigned = _join_assigned(assigned, a) if assigned else dict(a)
                edges.append((e.target, out, env.updated(a)))
                out_all = out if out_all is None else S.join(out_all, out)
            rec.output = out_all if out_all is not None else inp
            rec.assigned = assigned
            return rec, edges, None
        states = self._states(inp, result if t in ("Task", "Parallel", "Map") else None)
        if "Output" in raw and t != "Fail":
            out = self.template(raw["Output"], states, env)
        else:
            out = result if result is not None else inp
        a = self.assign(raw.get("Assign"), states, env) if t != "Succeed" else {}
        rec.output, rec.assigned = out, dict(a)
        new_env = env.updated(a)
        catch_raw = raw.get("Catch") if isinstance(raw.get("Catch"), list) else []
        for e in _asl.out_edges(self.m, st):
            if e.kind == "next":
                edges.append((e.target, out, new_env))
            elif e.kind == "catch":
                c = catch_raw[e.index]
                cstates = self._states(inp, error=ERROR_OUTPUT)
                cout = self.template(c["Output"], cstates, env) if "Output" in c else ERROR_OUTPUT
                ca = self.assign(c.get("Assign"), cstates, env)
                for k, v in ca.items():
                    rec.assigned[k] = S.join(rec.assigned[k], v) if k in rec.assigned else v
                edges.append((e.target, cout, env.updated(ca)))
        return rec, edges, (out if terminal or t == "Succeed" else None)

    def _map(self, st: Any, raw: dict, inp: Shape, env: VarMap, jsonata: bool) -> Shape:
        if "ItemReader" in raw:
            item = S.UNKNOWN
        elif jsonata:
            items = self.template(raw["Items"], self._states(inp), env) if "Items" in raw else inp
            item = S.element(items) if items.kind in ("array", "union") else S.UNKNOWN
        else:
            items = _jsonpath_get(inp, raw.get("ItemsPath", "$"), self, env)
            item = S.element(items) if items.kind in ("array", "union") else S.UNKNOWN
        selector = raw.get("ItemSelector", raw.get("Parameters") if not jsonata else None)
        if selector is not None:
            if jsonata:
                iteration = self.template(selector, self._states(inp, map_item=item), env)
            else:
                iteration = _jsonpath_template(selector, inp, self, env, map_item=item)
        else:
            iteration = item
        batcher = raw.get("ItemBatcher")
        if isinstance(batcher, dict):
            members: dict[str, Member] = {"Items": Member(S.array(iteration), True)}
            if "BatchInput" in batcher:
                bi = self.template(batcher["BatchInput"], self._states(inp), env) if jsonata else S.UNKNOWN
                members["BatchInput"] = Member(bi, True)
            iteration = S.obj(members)
        inner_env: VarMap = EMPTY
        out = S.UNKNOWN
        for child in st.children:
            inner_env = EMPTY if child.distributed else env
            out = self.run_inner(child, iteration, inner_env)
        if "ResultWriter" in raw:
            return S.UNKNOWN
        return S.array(out)

    # ------------------------------------------------------------------ JSONPath states

    def _jsonpath(self, st: Any, inp: Shape, env: VarMap):
        t = st.type
        raw = st.raw if isinstance(st.raw, dict) else {}
        rec = StateShapes(inp, env)  # envs are never mutated: shared, not copied
        edges: list[tuple[str, Shape, VarMap]] = []
        if t is None or t == "Fail":
            return rec, edges, None
        effective = _jsonpath_input(inp, raw.get("InputPath", "$"), self, env)
        if "Parameters" in raw and t in ("Task", "Pass", "Parallel"):
            effective = _jsonpath_template(raw["Parameters"], effective, self, env)
        result: Shape | None = None
        if t == "Task":
            result = integration(raw.get("Resource")).result
        elif t == "Pass":
            result = S.of_value(raw["Result"]) if "Result" in raw else effective
        elif t == "Parallel":
            outs = [self.run_inner(c, effective, env) for c in st.children]
            result = S.array(S.union(*outs) if outs else S.UNKNOWN)
        elif t == "Map":
            result = self._map(st, raw, effective, env, jsonata=False)
        if result is not None and "ResultSelector" in raw and t in ("Task", "Parallel", "Map"):
            result = _jsonpath_template(raw["ResultSelector"], result, self, env)
        rec.result = result if t in ("Task", "Parallel", "Map") else None
        if result is not None:
            combined = _result_path(inp, result, raw.get("ResultPath", "$"))
        else:
            combined = effective if t != "Choice" else inp
            if t in ("Wait", "Succeed", "Choice"):
                combined = effective
        out = _jsonpath_input(combined, raw.get("OutputPath", "$"), self, env)
        rec.output = out
        a = {k[:-2] if k.endswith(".$") else k: S.UNKNOWN for k in raw.get("Assign", {})} \
            if isinstance(raw.get("Assign"), dict) else {}
        rec.assigned = dict(a)
        catch_raw = raw.get("Catch") if isinstance(raw.get("Catch"), list) else []
        for e in _asl.out_edges(self.m, st):
            if e.kind in ("next", "choice", "default"):
                edges.append((e.target, out, env.updated(a)))
            elif e.kind == "catch":
                c = catch_raw[e.index]
                cout = _result_path(inp, ERROR_OUTPUT, c.get("ResultPath", "$"))
                ca = {k[:-2] if k.endswith(".$") else k: S.UNKNOWN for k in c.get("Assign", {})} \
                    if isinstance(c.get("Assign"), dict) else {}
                edges.append((e.target, cout, env.updated(ca)))
        terminal = raw.get("End") is True or t == "Succeed"
        return rec, edges, (out if terminal else None)


# --------------------------------------------------------------------------------------------------
# the report pass: events with the final shapes


_RESULT_KINDS = ("Output", "Assign")


def _report(flow: Flow) -> Iterator[Located]:
    an = _Analyser(flow)
    m = flow.machine
    shapes = flow.shapes
    for expr in m.expressions:
        st = expr.state
        rec = shapes.get(id(st))
        if rec is None or not st.is_jsonata:
            continue
        body = _BODIES.get(expr.text, _NOT_SEEN)
        if body is _NOT_SEEN:
            body = _asl.expression_body(expr.text)
        if body is None:
            continue
        kind = expr.kind
        inp = rec.input
        if kind in _RESULT_KINDS and st.type in ("Task", "Parallel", "Map"):
            states = an._states(inp, rec.result if rec.result is not None else S.UNKNOWN)
        elif kind.startswith("Catch."):
            states = an._states(inp, error=ERROR_OUTPUT)
        elif kind == "ItemSelector":
            states = an._states(inp, map_item=_map_item(an, st, rec))
        else:
            states = an._states(inp)
        for ev in inferred(body, states, rec.variables)[1]:
            yield Located(st, expr.pointer, kind, expr.body_offset, ev)


def _map_item(an: _Analyser, st: Any, rec: StateShapes) -> Shape:
    raw = st.raw if isinstance(st.raw, dict) else {}
    if "ItemReader" in raw:
        return S.UNKNOWN
    items = an.template(raw["Items"], an._states(rec.input), rec.variables) if "Items" in raw else rec.input
    return S.element(items) if items.kind in ("array", "union") else S.UNKNOWN
