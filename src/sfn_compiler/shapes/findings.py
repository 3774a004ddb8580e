"""Pure detection functions over the inferred shapes: what the data-flow rules report.

Each function takes a `Flow` (flow.py) or an `asl.Machine` and returns `ShapeFinding`s: the state, the
JSON pointer of the string (and the character offset inside it), a message, a hint, a severity
("error": certain failure; "warning": certainly pointless but harmless) and, for path findings, the state
names of the path. A rule maps them to `check.base.Finding`s one to one.

- `missing_members(flow)`: a read of a member that no value of a closed shape can have. Unguarded: error
  (the read is undefined: the field fails with States.QueryEvaluationError, or the comparison or
  concatenation it feeds is silently wrong). Inside `$exists(...)`, a `?`/`?:` condition or an `and`/`or`
  operand: warning "always false". For `$states.input` after a Task without `Output` the hint names the
  Task and points at `$states.context.Execution.Input`.
- `enum_mismatches(flow)`: `x = 'lit'`, `x != 'lit'`, `x in [...]` where `x` holds an API enum and the
  literal is not one of its values (error; an `in` list with some possible values: warning per
  impossible literal).
- `bad_arguments(flow)`: built-in functions called with an argument type they certainly reject
  ("bad-argument"), and arithmetic on values that are certainly not numbers ("bad-operand"), with the
  JSONata error code (error).
- `stale_poll_handles(machine, entries)`: a polling loop whose describe Task reads a job handle
  variable that a (re)start in the same loop does not update (error).

`shape_findings(document)` runs all four. `undefined_read_effect(text, name)` says what an unassigned
variable does to an expression (variable-not-assigned's messages).
"""

from __future__ import annotations

from typing import Any, Iterable

from . import _asl
from . import shape as S
from ._record import FrozenRecord, _fill
from .flow import ERROR_OUTPUT, Flow, Located, analyse, flow_for
from .infer import BadArgument, BadOperand, EnumMismatch, MissingMember

MAX_LISTED = 12


class ShapeFinding(FrozenRecord):
    __slots__ = ("kind", "state", "pointer", "message", "hint", "severity", "offset", "path", "code")
    kind: str               # "missing-member" | "always-false" | "enum-mismatch" | "bad-argument" | "bad-operand"
                            # | "stale-poll-handle"
    state: Any
    pointer: str
    message: str
    hint: str | None
    severity: str
    offset: int | None
    path: tuple[str, ...]
    code: str | None        # JSONata error code (bad-argument)

    def __init__(self, kind: str, state: Any, pointer: str, message: str, hint: str | None = None,
                 severity: str = "error", offset: int | None = None, path: tuple[str, ...] = (),
                 code: str | None = None) -> None:
        _fill(self, kind, state, pointer, message, hint, severity, offset, path, code)


def _label(st: Any) -> str:
    return f"State '{st.name}'"


def _listing(names: Iterable[str]) -> str:
    names = list(names)
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


# --------------------------------------------------------------------------------------------------
# members


def _feeding_tasks(flow: Flow, st: Any) -> list[Any]:
    """Tasks/Parallels/Maps without `Output` whose raw result reaches this state as its input: directly
    (`Next`) or through states that pass their input on unchanged (Choice rules, Wait, Pass without
    `Output`)."""
    into = _asl.graph(flow.machine, st.scope).into
    out: list[Any] = []
    seen = {st.name}
    todo = [st.name]
    while todo:
        name = todo.pop()
        for e in into.get(name, ()):
            src = e.source
            if flow.of(src) is None or not src.is_jsonata or e.kind == "catch":
                continue
            if e.kind == "next" and src.type in ("Task", "Parallel", "Map") and not src.has("Output"):
                if src not in out:
                    out.append(src)
            elif src.name not in seen and _passes_input(src, e):
                seen.add(src.name)
                todo.append(src.name)
    return out


def _passes_input(src: Any, edge: Any) -> bool:
    if src.type in ("Wait", "Pass"):
        return not src.has("Output")
    if src.type == "Choice":
        if edge.kind == "choice":
            rules = src.get("Choices")
            rule = rules[edge.index] if isinstance(rules, list) and edge.index is not None else None
            return isinstance(rule, dict) and "Output" not in rule
        return not src.has("Output")
    return False


def _string_hint(base: S.Shape, path: str) -> str | None:
    if not all(a.kind == "string" for a in base.alternatives()):
        return None
    if path.endswith(".Output"):
        return ("with .sync the child's Output is a JSON string: use states:startExecution.sync:2 (Output as JSON) "
                f"or $parse({path})")
    return f"{path} is a string: $parse(...) it first if it holds JSON"


def _container_hint(base: S.Shape, name: str, path: str) -> str | None:
    """`$states.result.count` on a Lambda result: the value is probably `Payload.count` (members whose
    shape is unknown hold the payload: Payload, Output, Body, ResponseBody)."""
    for o in S.objects_in(base):
        mm = dict(o.members)
        for n in ("Payload", "Output", "Body", "ResponseBody"):
            if n in mm and mm[n].shape is S.UNKNOWN:
                return f"did you mean {path}.{n}.{name}?"
    return None


def _nested_hint(base: S.Shape, name: str, path: str) -> str | None:
    """`$states.result.Status` on an Athena result: the member is one level down
    (`$states.result.QueryExecution.Status`)."""
    for o in S.objects_in(base):
        for n, m in o.members:
            for inner in S.objects_in(m.shape):
                if any(k == name for k, _ in inner.members):
                    return f"did you mean {path}.{n}.{name}?" if path else f"did you mean {n}.{name}?"
    return None


def missing_members(flow: Flow) -> list[ShapeFinding]:
    out: list[ShapeFinding] = []
    seen: set[tuple] = set()
    for loc in flow.events:
        ev = loc.event
        if not isinstance(ev, MissingMember):
            continue
        if ev.root == "states.context" and ev.depth <= 2:
            continue  # SFN404 reports unknown context fields
        if ev.root in ("states", "local", "other"):
            continue
        key = (loc.pointer, ev.start, ev.name)
        if key in seen:
            continue
        seen.add(key)
        st = loc.state
        members = S.known_members(ev.base)
        read = f"{ev.path}.{ev.name}" if ev.path else ev.name
        where = _describe_base(ev, flow, st)
        if members:
            has = f"; it has {_listing(members)}"
        else:
            has = f"; it is {S.render(ev.base, 1)}"
        folded = [m for m in members if m.lower() == ev.name.lower()]
        hint = (f"did you mean '{folded[0]}'?" if folded else None) or _nested_hint(ev.base, ev.name, ev.path) \
            or _container_hint(ev.base, ev.name, ev.path) or _asl.did_you_mean(ev.name, members) \
            or _string_hint(ev.base, ev.path)
        extra = None
        if ev.root == "states.input" and ev.depth == 1 and ev.base is ERROR_OUTPUT:
            extra = ("a catcher without Output passes only {Error, Cause}: keep the state input with the catcher's "
                     "Output (e.g. {% $merge([$states.input, $states.errorOutput]) %}) or read a variable")
        elif ev.root == "states.input" and ev.depth == 1:
            tasks = _feeding_tasks(flow, st)
            if tasks:
                t = tasks[0]
                extra = (f"'{t.name}' has no Output, so this state's input is its raw result; the execution input "
                         f"is $states.context.Execution.Input.{ev.name}, or give '{t.name}' an Output (or Assign a "
                         "variable) that carries what later states need")
        hint = "; ".join(h for h in (hint, extra) if h) or None
        if ev.guarded:
            out.append(ShapeFinding(
                "always-false", st, loc.pointer,
                f"{_label(st)} tests {read}, which is never there: {where} has no member '{ev.name}'{has}; the "
                "test is always false", hint, "warning", loc.offset))
        else:
            out.append(ShapeFinding(
                "missing-member", st, loc.pointer,
                f"{_label(st)} reads {read}, which cannot exist: {where} has no member '{ev.name}'{has}",
                hint, "error", loc.offset))
    return out


def _describe_base(ev: MissingMember, flow: Flow, st: Any) -> str:
    if ev.root == "states.input" and ev.depth == 1:
        if ev.base is ERROR_OUTPUT:
            return "its input (a catcher's error output {Error, Cause})"
        tasks = _feeding_tasks(flow, st)
        if tasks:
            t = tasks[0]
            res = t.get("Resource")
            what = res.split(":::", 1)[-1] if isinstance(res, str) else t.type
            return f"its input (the result of '{t.name}', {what})"
        return "its input"
    if ev.root == "states.result" and ev.depth == 1:
        res = st.get("Resource")
        what = res.split(":::", 1)[-1] if isinstance(res, str) else st.type
        return f"the result of {what}"
    if ev.root == "states.errorOutput" and ev.depth == 1:
        return "the error output {Error, Cause}"
    if ev.root == "variable" and ev.depth == 1:
        return f"${ev.variable}"
    return ev.path or "the value"


# --------------------------------------------------------------------------------------------------
# enums


def enum_mismatches(flow: Flow) -> list[ShapeFinding]:
    out: list[ShapeFinding] = []
    for loc in flow.events:
        ev = loc.event
        if not isinstance(ev, EnumMismatch):
            continue
        st = loc.state
        values = sorted(ev.values)
        listed = ", ".join(repr(v) for v in values[:MAX_LISTED]) + (" ..." if len(values) > MAX_LISTED else "")
        folded = [v for v in values if v.lower() == ev.literal.lower()]
        spells = "the API spells it" if ev.enum_name else "it is spelt"
        hint = f"{spells} {folded[0]!r}" if folded else _asl.did_you_mean(ev.literal, values)
        if ev.op == "in":
            if ev.all_impossible:
                msg = (f"{_label(st)}: {ev.subject} is never any of the listed values ({ev.literal!r} is not one "
                       f"of {listed}): the test is always false")
                sev = "error"
            else:
                msg = f"{_label(st)}: {ev.subject} is never {ev.literal!r} (it is one of {listed}): that entry never matches"
                sev = "warning"
        else:
            always = "false" if ev.op == "=" else "true"
            msg = (f"{_label(st)}: {ev.subject} is never {ev.literal!r} (it is one of {listed}): "
                   f"`{ev.op}` is always {always}")
            sev = "error"
        out.append(ShapeFinding("enum-mismatch", st, loc.pointer, msg, hint, sev, loc.offset))
    return out


# --------------------------------------------------------------------------------------------------
# functions and operators


def bad_arguments(flow: Flow) -> list[ShapeFinding]:
    out: list[ShapeFinding] = []
    for loc in flow.events:
        ev = loc.event
        st = loc.state
        if isinstance(ev, BadArgument):
            given = S.render(ev.argument, 1)
            msg = (f"{_label(st)}: ${ev.function}() fails with {ev.code}: argument {ev.index + 1} must be "
                   f"{ev.expected}, but it is {given}")
            hint = _fn_hint(ev)
            out.append(ShapeFinding("bad-argument", st, loc.pointer, msg, hint, "error", loc.offset, code=ev.code))
        elif isinstance(ev, BadOperand):
            side = f"the operand of unary `{ev.op}`" if ev.code == "D1002" else f"the {ev.side} side of `{ev.op}`"
            msg = (f"{_label(st)}: {side} is {S.render(ev.operand, 1)}, not a number: "
                   f"the expression fails with {ev.code}")
            out.append(ShapeFinding("bad-operand", st, loc.pointer, msg, "convert it with $number(...)", "error",
                                    loc.offset, code=ev.code))
    return out


def _fn_hint(ev: BadArgument) -> str | None:
    strings = any(a.kind == "string" or (a.kind == "array" and a.item.kind == "string")
                  for a in ev.argument.alternatives())
    if ev.function in ("min", "max", "sum", "average") and strings:
        return ("these are strings: convert each item first, with $number(...) for numbers held as strings "
                "(DynamoDB N) or $toMillis(...) for timestamps (e.g. $max($x.$toMillis($)))")
    if ev.function == "number" and ev.code == "D3030":
        return "none of the values this can hold is numeric"
    if ev.expected == "a string":
        return "convert it with $string(...)"
    return None


# --------------------------------------------------------------------------------------------------
# polling loops


def stale_poll_handles(machine: Any, entries: Iterable[Any] | None = None) -> list[ShapeFinding]:
    """Polling loops whose describe Task reads a handle variable (`$verifierArn`) that a start of the same
    job kind in the same loop does not update: after that start, the describe keeps polling the old job.

    `entries` are poll catalogue entries (`asl/poll_catalogue.py`: `start`/`describe` Resource
    forms, `id_to` the describe argument holding the handle); default: the built-in catalogue."""
    if entries is None:
        entries = _asl.poll_catalogue()
    entries = list(entries)
    describes = {form for entry in entries if entry.id_to for form in entry.describe}
    out: list[ShapeFinding] = []
    for scope in _asl.scopes(machine):
        # the describe Tasks first: most scopes have none, and then need no cycles
        polls = [(d, form) for d in scope.states.values() if d.is_jsonata and (form := _form(d)) in describes]
        if not polls:
            continue
        g = _asl.graph(machine, scope)
        comps = g.cycles()
        if not comps:
            continue
        comp_of = {n: i for i, c in enumerate(comps) for n in c}
        setters_of: dict[str, list[Any]] = {}
        for s in scope.states.values():
            for v in _assigns_on(s, "next", None):
                setters_of.setdefault(v, []).append(s)
        for d, form in polls:
            for entry in entries:
                if form not in entry.describe or not entry.id_to:
                    continue
                var = _handle_variable(d, entry.id_to)
                if var is None or d.name not in comp_of:
                    continue
                comp = set(comps[comp_of[d.name]])
                starts = [scope.states[n] for n in comp if _form(scope.states[n]) in entry.start
                          and _suffix(scope.states[n]) == ""]
                setters = setters_of.get(var, [])
                if not starts or not setters:
                    continue
                others = {x.name for x in starts}
                for s in starts:
                    path = _reaches_without(machine, s, d, var, others - {s.name})
                    if path is None:
                        continue
                    origin = ", ".join(f"'{x.name}'" for x in setters)
                    out.append(ShapeFinding(
                        "stale-poll-handle", s, s.pointer,
                        f"After '{s.name}' starts a new {entry.name} job, the loop reaches '{d.name}', which polls "
                        f"${var} (set by {origin}) without it being updated: '{d.name}' keeps polling the old job",
                        f"assign ${var} from this start's result (e.g. \"{var}\": "
                        f"\"{{% $states.result.{getattr(entry, 'id_from', None) or entry.id_to} %}}\") or poll "
                        "this job with its own describe state", "error", None, tuple(path)))
                break
    return out


def _form(st: Any) -> str | None:
    if st.type != "Task":
        return None
    r = _asl.parse_resource(st.get("Resource"))
    return r.form.lower() if r is not None else None


def _suffix(st: Any) -> str:
    r = _asl.parse_resource(st.get("Resource"))
    return r.suffix if r is not None else ""


def _handle_variable(d: Any, id_to: str) -> str | None:
    """The one variable the describe's argument `id_to` reads (`{% $arn %}`), else None."""
    args = d.get("Arguments")
    if not isinstance(args, dict):
        return None
    value = args.get(id_to)
    body = _asl.expression_body(value)
    if body is None:
        return None
    a = _asl.analyze(body)
    names = {v.name for v in a.variables if not v.called}
    if len(names) != 1 or a.states:
        return None
    return next(iter(names))


def _assigns_on(st: Any, kind: str, index: int | None) -> set[str]:
    """Variable names an edge of `st` assigns: Next/Default -> the state's Assign; Choice rule i -> its
    Assign; Catch i -> the catcher's."""
    raw = st.raw if isinstance(st.raw, dict) else {}
    if kind == "choice":
        rules = raw.get("Choices")
        a = rules[index].get("Assign") if isinstance(rules, list) and index is not None and index < len(rules) \
            and isinstance(rules[index], dict) else None
    elif kind == "catch":
        cs = raw.get("Catch")
        a = cs[index].get("Assign") if isinstance(cs, list) and index is not None and index < len(cs) \
            and isinstance(cs[index], dict) else None
    else:
        a = raw.get("Assign")
    if not isinstance(a, dict):
        return set()
    return {k[:-2] if k.endswith(".$") else str(k) for k in a}


def _reaches_without(machine: Any, start: Any, target: Any, var: str, stops: set[str]) -> list[str] | None:
    """A path of normal transitions (no Catch) from `start` to `target` on which no edge assigns `var` and
    that does not pass another start of the same job (`stops`: from there on, that start answers for it)."""
    from collections import deque

    states = start.scope.states
    prev: dict[str, str | None] = {start.name: None}
    q = deque([start.name])
    while q:
        name = q.popleft()
        st = states[name]
        for e in _asl.out_edges(machine, st):
            if e.kind == "catch" or var in _assigns_on(st, e.kind, e.index):
                continue
            if e.target == target.name:
                path = [target.name, name]
                p = prev[name]
                while p is not None:
                    path.append(p)
                    p = prev[p]
                return list(reversed(path))
            if e.target not in prev and e.target not in stops:
                prev[e.target] = name
                q.append(e.target)
    return None


# --------------------------------------------------------------------------------------------------
# what an undefined variable does to an expression


def undefined_read_effect(text: str, name: str) -> str:
    """What happens to the JSONata field `text` (`{% ... %}`) when the variable `$name` has no value:
    "fails" (the expression returns nothing: AWS fails the state with States.QueryEvaluationError,
    "returned nothing (undefined)"), "wrong" (the expression still returns a value, computed without it:
    `'id-' & $x`, `$x = 'a'`, `$count($x)`) or "unknown" (it depends on values the inference does not know)."""
    from .infer import Env, infer

    body = _asl.expression_body(text)
    if body is None:
        return "unknown"
    out = infer(body, Env(S.UNKNOWN, {name: S.UNDEFINED}))
    if out is S.UNDEFINED:
        return "fails"
    alts = out.alternatives()
    if any(a is S.UNKNOWN or a is S.UNDEFINED for a in alts):
        return "unknown"
    return "wrong"


# --------------------------------------------------------------------------------------------------
# everything


def shape_findings(document: Any, execution_input: S.Shape = S.UNKNOWN, entries: Iterable[Any] | None = None,
                   flow: Flow | None = None) -> list[ShapeFinding]:
    """Every finding of this module for one definition (a document or an `asl.Machine`)."""
    if flow is None:
        flow = flow_for(document, execution_input) if hasattr(document, "scopes") else \
            analyse(document, execution_input)
    return (missing_members(flow) + enum_mismatches(flow) + bad_arguments(flow)
            + stale_poll_handles(flow.machine, entries))


__all__ = ["ShapeFinding", "Located", "missing_members", "enum_mismatches", "bad_arguments", "stale_poll_handles",
           "shape_findings", "undefined_read_effect"]
