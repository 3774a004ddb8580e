"""SFN5xx: workflow variables (`Assign` and `$name` reads), with a forward data-flow over the graph."""

from __future__ import annotations

from typing import Any, Iterator

from ...asl.jsonata import FUNCTIONS
from ...asl.model import VarRead
from ...diagnostics import did_you_mean
from ..base import CheckContext, Finding, Rule, Severity
from ._common import SPEC, TD, WV
from .jsonata import field_label

GROUP = "variables"


def _read_where(r: VarRead) -> str:
    return f"State '{r.state.name}': '{field_label(r.state, r.pointer)}'"


class InvalidVariableName(Rule):
    id = "SFN501"
    name = "invalid-variable-name"
    group = GROUP
    severity = Severity.ERROR
    summary = "An Assign key is not a valid variable name (identifier, at most 80 characters, not 'states')"
    docs = """\
## Why
Each key of `Assign` names one variable: a Unicode identifier (like a JavaScript name), at most 80
characters, not the reserved `states`. `"x.y"` or `"x[2]"` (assigning part of a variable) is not allowed.
In a JSONPath state a key ending in `.$` assigns the variable named before the suffix.

## How to fix
Rename the variable; to update part of a value, assign the whole new value (e.g. with `$merge`).

## Known limits
A leading underscore is accepted (AWS behaviour there is not documented). Other non-identifier names
(`top-level`) are warnings: AWS's enforcement is not confirmed, but `$top-level` cannot be read in JSONata
(it parses as a subtraction).
"""
    sources = (SPEC, WV)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Assign": {"order.id": 1}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Assign": {"orderId": 1}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for a in ctx.machine.assigns:
            name = a.name
            severity = None
            if name == "states":
                problem = "'states' is reserved"
            elif len(name) > 80:
                problem = f"it is {len(name)} characters long (limit 80)"
            elif not name.isidentifier():
                if any(c in name for c in ".["):
                    problem = "it assigns part of a variable"
                else:
                    # AWS's enforcement of the identifier rule is not confirmed; such a name cannot be read
                    # from JSONata anyway (`$top-level` parses as `$top - level`)
                    problem = "it is not an identifier (letters, digits, '_'; not starting with a digit)"
                    severity = Severity.WARNING
            else:
                continue
            yield Finding(a.pointer, f"State '{a.state.name}': variable name '{a.key}' in "
                                     f"'{field_label(a.state, a.pointer.rsplit('/', 1)[0])}' is invalid: {problem}",
                          key=True, hint="use a name like orderId or order_total", severity=severity)


class VariableNotAssigned(Rule):
    id = "SFN502"
    name = "variable-not-assigned"
    group = GROUP
    severity = Severity.ERROR
    summary = "A variable is read where no path from StartAt has assigned it"
    docs = """\
## Why
A variable exists only after some earlier state's `Assign` ran. Before that (or for a name that is never
assigned, often a typo) `$name` is undefined, and the message says which of three things happens:
- **the field fails**: the expression returns nothing (`{% $orderId %}`, `{% $order.id %}`,
  `{% $n + 1 %}`) and the state fails with `States.QueryEvaluationError` ("returned nothing (undefined)");
- **a sibling in the same `Assign` block is read with its old value**: all the values of an `Assign` block
  are evaluated first, with the variables as they were before the state, and assigned together
  (`{"x": 1, "y": "{% $x + 1 %}"}` reads the `x` from before the state, here none);
- **the value is silently wrong**: the expression still returns a value computed without it
  (`{% 'order-' & $orderId %}` gives `'order-'`, `{% $status = 'done' %}` is false, `{% $count($items) %}`
  is 0, an object constructor drops the key), and nothing fails.

The check follows every path from `StartAt`: Choice rules carry their own `Assign`, catchers theirs instead
of the state's, and a Parallel branch or Map iteration starts with the variables assigned before its
Parallel/Map state. Every expression of a state sees the values from before the state's own `Assign`.

## How to fix
Assign the variable on the way to this state, fix the name, or read `$states.input` instead; for a sibling
in the same `Assign` block, repeat its expression (or read the variable from the next state on).

## Known limits
AWS accepts the definition (the failure happens when the state runs). A read guarded by `$exists($name)`
in the same expression is taken as intentional and not reported; when no state assigns the name at all,
the guard is always false and what it guards never runs, which is only a warning (no failure, but likely
a misspelled name). Reads of outer variables in Distributed
Map processors are reported by `distributed-map-outer-variable`, reads in the `Output` of the state that
assigns the name by `assign-read-in-same-state`, calls of unknown functions by `jsonata-unknown-function`.
"""
    sources = (WV, TD, "observed AWS behaviour: LocalStack snapshot test_assign_reference_variables "
                       "(run-time States.QueryEvaluationError: \"The JSONata expression '$doesNotExist' specified "
                       "for the field 'Assign/result' returned nothing (undefined).\")")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Output": "{% $orderId %}", "Next": "B"},
        "B": {"Type": "Pass", "Assign": {"orderId": 1}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "B", "States": {
        "B": {"Type": "Pass", "Assign": {"orderId": 1}, "Next": "A"},
        "A": {"Type": "Pass", "Output": "{% $orderId %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        assigned = m.assigned_names
        same_state = _same_state_assigned(m)
        siblings = _same_block_assigns(m)
        texts = {e.pointer: e.text for e in m.expressions}
        seen: set[tuple[str, str]] = set()
        untyped = _untyped_assigns(m)
        for v in m.variables.verdicts():
            if v.status not in ("never", "unassigned") or (v.read.pointer, v.read.name) in seen:
                continue
            if untyped is not None and (v.status == "never" or v.read.name in untyped):
                continue  # a state with an invalid Type (reported by SFN102) may assign it: no cascade
            r = v.read
            seen.add((r.pointer, r.name))
            if r.called and v.status == "unassigned":
                continue  # an unknown function: jsonata-unknown-function
            if (id(r.state), r.kind, r.index, r.name) in same_state:
                continue  # assigned by this very state: assign-read-in-same-state explains it
            sib = siblings.get((id(r.state), r.kind, r.index, r.name))
            own = sib is not None and (r.pointer == sib.pointer or r.pointer.startswith(sib.pointer + "/"))
            sibling = field_label(sib.state, sib.pointer) if sib is not None and not own else None
            severity = None
            if v.status == "unassigned" and r.guarded:
                # `$exists($x)` of a name nothing assigns is simply false: no failure, but the guarded part
                # never runs (often a typo in the name)
                msg = (f"{_read_where(r)} tests $exists(${r.name}), but no state assigns ${r.name}: the test is "
                       "always false, so what it guards never runs")
                hint = did_you_mean(r.name, assigned, "did you mean $") or f"assign ${r.name}, or remove the test"
                severity = Severity.WARNING
            elif v.status == "unassigned":
                msg = f"{_read_where(r)} reads ${r.name}, which no state assigns"
                hint = did_you_mean(r.name, assigned, "did you mean $")
                if r.name in ("state", "State", "States", "stats"):
                    hint = "did you mean $states?"
            elif sibling is not None:
                msg = (f"{_read_where(r)} reads ${r.name}, which only its sibling '{sibling}' in the same Assign "
                       f"block sets; an Assign block's values are all evaluated with the variables from before "
                       f"the state, so ${r.name} has no value yet here")
                hint = (f"repeat the expression of '{sibling}' here, or read ${r.name} from the next state on")
            else:
                msg = f"{_read_where(r)} reads ${r.name}, but no path from StartAt to this state assigns it"
                hint = "assign it in a state that runs before this one"
                if r.state.scope.parent_state is not None:
                    hint += " (inner scopes see only variables assigned before their Parallel/Map state)"
            if severity is None and not r.jsonpath and r.pointer in texts:
                msg += _effect(r, texts[r.pointer])
            yield Finding(r.pointer, msg, offset=r.offset, hint=hint, severity=severity)


def _effect(r: VarRead, text: str) -> str:
    """Which of the three things happens (docs: Why): the field fails, or its value is silently wrong."""
    from ...shapes.findings import undefined_read_effect

    effect = undefined_read_effect(text, r.name)
    if effect == "fails":
        return (": the expression returns nothing (undefined) and the state fails with "
                "States.QueryEvaluationError")
    if effect == "wrong":
        what = "the condition" if r.kind == "Choice.Condition" else "the value"
        return f": the expression still returns a value computed without it, so {what} is silently wrong"
    return (": it is undefined there (the state fails with States.QueryEvaluationError when that leaves the "
            "expression without a value, else the value is silently wrong)")


def _same_block_assigns(m) -> dict[tuple[int, str, int | None, str], Any]:
    """(state id, Assign kind, index, name) -> the assignment of `name` in that Assign block (to tell a read
    of a sibling in the same block)."""
    return {(id(a.state), a.kind, a.index, a.name): a for a in m.assigns}


def _same_state_assigned(m) -> set[tuple[int, str, int | None, str]]:
    """(state id, read kind, index, name) of Output reads of a name the same state/rule/catcher assigns."""
    out = set()
    for a in m.assigns:
        kind = {"Assign": "Output", "Choice.Assign": "Choice.Output", "Catch.Assign": "Catch.Output"}[a.kind]
        out.add((id(a.state), kind, a.index, a.name))
    return out


class VariableMaybeUnassigned(Rule):
    id = "SFN503"
    name = "variable-maybe-unassigned"
    group = GROUP
    severity = Severity.WARNING
    summary = "A variable is read where some path from StartAt has not assigned it"
    docs = """\
## Why
On at least one path to this state (a Choice rule or catcher that skips the assigning state, a loop's
first iteration), the variable has no value yet, and reading it fails the state with
`States.QueryEvaluationError`.

## How to fix
Assign the variable on every path (e.g. give it an initial value in the first state), or guard the read
with `$exists($name)`.

## Known limits
Paths are not pruned by conditions, so two Choice states that always agree can produce a false warning.
A read guarded by `$exists($name)` in the same expression is not reported.
"""
    sources = (WV, TD)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.a %}", "Next": "Set"}], "Default": "Use"},
        "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Use"},
        "Use": {"Type": "Pass", "Output": "{% $x %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Assign": {"x": 0},
              "Choices": [{"Condition": "{% $states.input.a %}", "Next": "Set"}], "Default": "Use"},
        "Set": {"Type": "Pass", "Assign": {"x": 1}, "Next": "Use"},
        "Use": {"Type": "Pass", "Output": "{% $x %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        seen: set[tuple[str, str]] = set()
        for v in ctx.machine.variables.verdicts():
            if v.status == "maybe" and (v.read.pointer, v.read.name) not in seen:
                r = v.read
                seen.add((r.pointer, r.name))
                yield Finding(r.pointer, f"{_read_where(r)} reads ${r.name}, which is not assigned on every path "
                                         "from StartAt to this state", offset=r.offset,
                              hint="assign an initial value on every path, or guard with $exists()")


class VariableAssignedInOuterScope(Rule):
    id = "SFN504"
    name = "variable-assigned-in-outer-scope"
    group = GROUP
    severity = Severity.ERROR
    summary = "A state inside a Parallel branch or Map processor assigns a variable that an outer scope also assigns"
    docs = """\
## Why
Inner scopes may read outer variables but MUST NOT assign a name that is assigned in an outer scope (the
Amazon States Language specification, on variable scope: names must be unique between a scope and the
scopes nested in it). The inner assignment does not update the outer variable either: inner variables
vanish when the Parallel/Map ends, so the value the author meant to pass out is lost. An error: the
definition violates the specification.

## How to fix
Use a different name inside the branch/iteration and return the value through the branch's `Output`;
update the outer variable in the Parallel/Map state's own `Assign` from `$states.result`.

## Known limits
Whether AWS rejects this when the definition is created is not confirmed (nor which error it gives);
`[tool.sfnc.validate] severity = { "variable-assigned-in-outer-scope" = "warning" }` makes it a warning.
"""
    sources = (SPEC, WV)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Assign": {"total": 0}, "End": True, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"total": 1}, "End": True}}}]}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
        "Type": "Parallel", "Assign": {"total": 0}, "End": True, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"partial": 1}, "End": True}}}]}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        va = m.variables
        outer_cache: dict[int, set[str]] = {}
        for a in m.assigns:
            scope = a.state.scope
            if scope.parent is None:
                continue
            outer = outer_cache.get(id(scope))
            if outer is None:
                outer = outer_cache[id(scope)] = va.outer_names(scope)
            if a.name in outer:
                yield Finding(a.pointer, f"State '{a.state.name}' (inside '{scope.parent_state.name}') assigns "
                                         f"${a.name}, which an outer scope also assigns", key=True,
                              hint="use a different name inside the branch/iteration and return the value via Output")


class DistributedMapOuterVariable(Rule):
    id = "SFN505"
    name = "distributed-map-outer-variable"
    group = GROUP
    severity = Severity.ERROR
    summary = "A state inside a Distributed Map reads a variable of an outer scope"
    docs = """\
## Why
The iterations of a Distributed Map run as child executions and cannot see any variable of the scopes
around the Map ("Distributed Map states cannot reference variables in outer scopes"). The read is
undefined and fails the state with `States.QueryEvaluationError`.

## How to fix
Pass the value into each iteration through the Map's `ItemSelector` (e.g.
`"ItemSelector": {"item": "{% $states.context.Map.Item.Value %}", "limit": "{% $limit %}"}`) and read it
from `$states.input` inside.
"""
    sources = (WV, "https://aws.amazon.com/blogs/compute/simplifying-developer-experience-with-variables-and-jsonata-in-aws-step-functions/")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "M"},
        "M": {"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I",
            "States": {"I": {"Type": "Pass", "Output": "{% $limit %}", "End": True}}}}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "S", "States": {
        "S": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "M"},
        "M": {"Type": "Map", "End": True,
              "ItemSelector": {"limit": "{% $limit %}", "item": "{% $states.context.Map.Item.Value %}"},
              "ItemProcessor": {
                  "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I",
                  "States": {"I": {"Type": "Pass", "Output": "{% $states.input.limit %}", "End": True}}}}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for v in ctx.machine.variables.verdicts():
            if v.status == "outer-distributed":
                r = v.read
                yield Finding(r.pointer, f"{_read_where(r)} reads ${r.name}, an outer variable that a Distributed Map "
                                         "iteration cannot see", offset=r.offset,
                              hint="pass it in through the Map's ItemSelector and read $states.input")


class VariableReadInSameStateOutput(Rule):
    id = "SFN506"
    name = "assign-read-in-same-state"
    group = GROUP
    severity = Severity.WARNING
    summary = "Output reads a variable that the same state's Assign sets: it sees the old value"
    docs = """\
## Why
`Assign` and `Output` are evaluated together from the same inputs: a value assigned by a state is visible
from the *next* state on. In the same state's `Output` (or a Choice rule's / catcher's `Output` next to its
`Assign`), `$name` still has the value from before the state (or no value at all).

## How to fix
Compute the value in `Output` directly (e.g. repeat the expression), or read the variable in the next
state.

## Known limits
Reading the previous value on purpose (e.g. returning the old counter) is legitimate; silence the warning
for that state then.
"""
    sources = (WV, TD)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Assign": {"total": "{% $states.input.a + 1 %}"}, "Output": "{% $total %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Assign": {"total": "{% $states.input.a + 1 %}"}, "Output": "{% $states.input.a + 1 %}",
        "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        same_state = _same_state_assigned(m)
        for r in m.reads:
            if (id(r.state), r.kind, r.index, r.name) not in same_state:
                continue
            entry = m.variables.entry(r.state)
            before = ("has no value yet (it is only visible from the next state on)"
                      if entry is not None and r.name not in entry[1] else "still has the value from before the state")
            yield Finding(r.pointer, f"{_read_where(r)} reads ${r.name}, which this state's Assign sets; here "
                                     f"${r.name} {before}", offset=r.offset,
                          hint="compute the value in Output directly, or read the variable in the next state")


class VariableNeverRead(Rule):
    id = "SFN507"
    name = "variable-never-read"
    group = GROUP
    severity = Severity.INFO
    summary = "A variable is assigned but never read anywhere in the state machine"
    docs = """\
## Why
Variables cost payload size (256 KiB per variable, 10 MiB per execution) and an unused one is often a
typo of a name that is read elsewhere.

## How to fix
Remove the assignment, or fix the name where it is read.

## Known limits
Reads are found in JSONata expressions and JSONPath paths / `.$` values; a variable read only by an
external tool (e.g. TestState inspection) is reported too.
"""
    sources = (WV,)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Assign": {"unused": 1}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"used": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $used %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        read = {r.name for r in m.reads}
        for a in m.assigns:
            if a.name not in read and a.name.isidentifier() and a.name != "states":
                yield Finding(a.pointer, f"State '{a.state.name}' assigns ${a.name}, which is never read", key=True,
                              hint=did_you_mean(a.name, read, "is it read as $") or "remove the assignment if unused")


class VariableShadowsFunction(Rule):
    id = "SFN508"
    name = "variable-shadows-function"
    group = GROUP
    severity = Severity.WARNING
    summary = "A variable has the name of a JSONata function that is also called: the call hits the variable"
    docs = """\
## Why
A variable named like a built-in function (`count`, `string`, `uuid`, ...) hides the function: with a
variable `count` assigned, `$count($items)` tries to invoke the variable's value and fails at run time
(T1006, attempted to invoke a non-function).

## How to fix
Rename the variable (e.g. `itemCount`).

## Known limits
A warning: AWS accepts the definition; the call fails when it runs. Only calls in expressions of the same
machine are considered.
"""
    sources = (WV, "https://docs.jsonata.org/programming#variables")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"count": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $count($states.input.items) + $count %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Pass", "Assign": {"itemCount": 1}, "Next": "B"},
        "B": {"Type": "Pass", "Output": "{% $count($states.input.items) + $itemCount %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        shadowed = {n for n in m.assigned_names if n in FUNCTIONS}
        if not shadowed:
            return
        for e in m.expressions:
            for call in e.analysis.calls:
                if call.name in shadowed and call.name not in e.analysis.locals:
                    yield Finding(e.pointer, f"State '{e.state.name}': ${call.name}(...) calls the variable "
                                             f"${call.name} (assigned in this state machine), not the JSONata function",
                                  offset=e.body_offset + call.start, hint=f"rename the variable, e.g. {call.name}Value")


RULES = (InvalidVariableName, VariableNotAssigned, VariableMaybeUnassigned, VariableAssignedInOuterScope,
         DistributedMapOuterVariable, VariableReadInSameStateOutput, VariableNeverRead, VariableShadowsFunction)


def _untyped_assigns(m) -> frozenset[str] | None:
    """Names assigned by states whose Type is invalid, or None when every state has a valid Type.

    The data flow skips such states (their fields mean nothing without a type), so reads of what they
    assign would be reported as unassigned: a cascade of the one real error, the Type."""
    untyped = [s for s in m.states if s.type is None]
    if not untyped:
        return None
    names: set[str] = set()
    for s in untyped:
        raw = s.raw if isinstance(s.raw, dict) else {}
        blocks = [raw.get("Assign")]
        for key in ("Catch", "Choices"):
            entries = raw.get(key)
            if isinstance(entries, list):
                blocks += [e.get("Assign") for e in entries if isinstance(e, dict)]
        for block in blocks:
            if isinstance(block, dict):
                names.update(k for k in block if isinstance(k, str))
    return frozenset(names)
