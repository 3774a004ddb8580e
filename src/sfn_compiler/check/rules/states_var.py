"""SFN4xx: the reserved `$states` variable (input, result, errorOutput, context)."""

from __future__ import annotations

from typing import Iterator

from ...asl import spec
from ...asl.walk import ERROR_HANDLING_TYPES
from ...diagnostics import did_you_mean
from ..base import CheckContext, Finding, Note, Rule, Severity
from ._common import CTX, SPEC, TD, counted
from .jsonata import field_label

GROUP = "states"
_FLOCI = ("observed AWS behaviour: floci-io/floci StepFunctionsValidateStateMachineDefinitionIntegrationTest "
          "(UNSUPPORTED_JSONATA_EXPRESSION \"Field '$states.errorOutput' does not exist.\")")


def _refs(ctx: CheckContext):
    for e in ctx.machine.expressions:
        for ref in e.analysis.states:
            yield e, ref


class StatesResultNotAvailable(Rule):
    id = "SFN401"
    name = "states-result-not-available"
    group = GROUP
    severity = Severity.ERROR
    summary = "$states.result is used outside the Output/Assign of a Task, Parallel or Map state"
    docs = """\
## Why
`$states.result` (the task result, the array of branch outputs, the array of iteration outputs) exists
only while a Task, Parallel or Map state builds its state-level `Output` and `Assign`. It is undefined in
`Arguments`, `Items`, `ItemSelector`, timeouts, Choice conditions, catchers (which get
`$states.errorOutput`) and in Pass/Wait/Choice/Succeed/Fail states. AWS checks this when the definition is
created or validated.

One finding per state names every field that reads it (other places are related locations).

## How to fix
Use `$states.input` in `Arguments`; read the result in `Output` or keep it in a variable with `Assign`
for the next states.

## Known limits
The exact AWS error for `result` is not recorded (the `errorOutput` variant is: "Field
'$states.errorOutput' does not exist.").
"""
    sources = (SPEC, TD, _FLOCI)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "score", "Payload": "{% $states.result %}"}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "score", "Payload": "{% $states.input %}"}, "Output": "{% $states.result.Payload %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        by_state: dict[int, list] = {}     # one finding per state, naming every field (and how often)
        for e, ref in _refs(ctx):
            if not ref.path or ref.path[0] != "result":
                continue
            if e.kind in ("Output", "Assign") and e.state.type in ERROR_HANDLING_TYPES:
                continue
            by_state.setdefault(id(e.state), []).append((e, ref))
        for uses in by_state.values():
            e, ref = uses[0]
            hint = "; ".join(dict.fromkeys(_result_hint(u) for u, _ in uses))
            fields = counted(field_label(u.state, u.pointer) for u, _ in uses)
            yield Finding(e.pointer, f"State '{e.state.name}': $states.result is not available in {fields}",
                          offset=e.body_offset + ref.start, hint=hint,
                          related=tuple(Note(u.pointer, f"$states.result again, in '{field_label(u.state, u.pointer)}'",
                                             u.body_offset + r.start) for u, r in uses[1:]))


def _result_hint(e) -> str:
    if e.kind.startswith("Catch."):
        return "a catcher sees the error as $states.errorOutput"
    if e.state.type in ERROR_HANDLING_TYPES:
        return "read the result in the state's Output or Assign"
    return f"a {e.state.type} state has no result; use $states.input or a variable"


class StatesErrorOutputNotAvailable(Rule):
    id = "SFN402"
    name = "states-error-output-not-available"
    group = GROUP
    severity = Severity.ERROR
    summary = "$states.errorOutput is used outside a catcher's Output/Assign"
    docs = """\
## Why
`$states.errorOutput` (`{Error, Cause}`) exists only in the `Output` and `Assign` of a catcher (`Catch`
entry). AWS rejects other uses: `UNSUPPORTED_JSONATA_EXPRESSION` "Field '$states.errorOutput' does not
exist."

## How to fix
Move the expression into the catcher, or keep the error in a variable (`Catch[].Assign`) and read the
variable in the next state.
"""
    sources = (SPEC, TD, _FLOCI)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": "{% $states.errorOutput %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}", "Next": "F"}]},
        "F": {"Type": "Fail"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for e, ref in _refs(ctx):
            if ref.path and ref.path[0] == "errorOutput" and e.kind not in ("Catch.Output", "Catch.Assign"):
                yield Finding(e.pointer, f"State '{e.state.name}': $states.errorOutput is only available in a "
                                         f"catcher's Output or Assign, not in '{field_label(e.state, e.pointer)}'",
                              offset=e.body_offset + ref.start,
                              hint="assign it to a variable in Catch[].Assign and read the variable later")


class UnknownStatesMember(Rule):
    id = "SFN403"
    name = "unknown-states-member"
    group = GROUP
    severity = Severity.ERROR
    summary = "$states.<x> where x is not input, result, errorOutput or context"
    docs = """\
## Why
`$states` has exactly four members: `input`, `result`, `errorOutput`, `context` (case-sensitive). Any other
member does not exist and AWS reports "Field '$states.<x>' does not exist."

## How to fix
Fix the spelling (the hint suggests the closest member).
"""
    sources = (SPEC, TD, _FLOCI)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": "{% $states.Input.x %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": "{% $states.input.x %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for e, ref in _refs(ctx):
            if ref.path and ref.path[0] not in spec.STATES_MEMBERS:
                yield Finding(e.pointer, f"State '{e.state.name}': '$states.{ref.path[0]}' does not exist (in "
                                         f"'{field_label(e.state, e.pointer)}')", offset=e.body_offset + ref.start,
                              hint=did_you_mean(ref.path[0], spec.STATES_MEMBERS)
                              or "use $states.input, .result, .errorOutput or .context")


class UnknownContextField(Rule):
    id = "SFN404"
    name = "unknown-context-field"
    group = GROUP
    severity = Severity.WARNING
    summary = "$states.context.<x> names a field the context object does not have (or Map.Item outside ItemSelector)"
    docs = """\
## Why
The context object has `Execution` (Id, Input, Name, RoleArn, StartTime, RedriveCount, RedriveTime),
`State` (EnteredTime, Name, RetryCount), `StateMachine` (Id, Name), `Task` (Token) and, in a Map's
`ItemSelector`, `Map.Item` (Index, Value, Key, Source). Other names evaluate to nothing, which fails the
state at run time ("returned nothing (undefined)").

## How to fix
Fix the spelling; read `Map.Item` in the Map state's `ItemSelector` and pass it to the iteration.

## Known limits
A warning: AWS may add context fields.
"""
    sources = (CTX, TD)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": "{% $states.context.Execution.ID %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": "{% $states.context.Execution.Id %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for e, ref in _refs(ctx):
            if len(ref.path) < 2 or ref.path[0] != "context":
                continue
            top = ref.path[1]
            off = e.body_offset + ref.start
            if top not in spec.CONTEXT_FIELDS:
                yield Finding(e.pointer, f"State '{e.state.name}': the context object has no field '{top}' "
                                         f"($states.context.{top})", offset=off,
                              hint=did_you_mean(top, spec.CONTEXT_FIELDS) or
                              "fields: " + ", ".join(spec.CONTEXT_FIELDS))
                continue
            if len(ref.path) >= 3 and ref.path[2] not in spec.CONTEXT_FIELDS[top]:
                yield Finding(e.pointer, f"State '{e.state.name}': the context object has no field "
                                         f"'{top}.{ref.path[2]}'", offset=off,
                              hint=did_you_mean(ref.path[2], spec.CONTEXT_FIELDS[top]) or
                              f"{top} has " + ", ".join(sorted(spec.CONTEXT_FIELDS[top])))
                continue
            if top == "Map" and not (e.state.type == "Map" and e.kind == "ItemSelector"):
                yield Finding(e.pointer, f"State '{e.state.name}': $states.context.Map is only available in a Map "
                                         f"state's ItemSelector, not in '{field_label(e.state, e.pointer)}'", offset=off,
                              hint="add the index/value to the iteration input in the Map's ItemSelector")


RULES = (StatesResultNotAvailable, StatesErrorOutputNotAvailable, UnknownStatesMember, UnknownContextField)
