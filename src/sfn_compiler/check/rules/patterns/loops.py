"""SFN721-SFN724: loops and fan-out."""

from __future__ import annotations

from typing import Iterable

from ...base import CheckContext, Finding, Rule, Severity
from ._common import GROUP, join_path
from ._flow import loop_bound, loops
from .polls import poll_analysis

_LOOP_SOURCES = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html",
    "https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html",
    "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html",
)


def _remediation(counter: bool = True) -> dict:
    """A bounded remediation loop: validate, repair and validate again, at most 3 times."""
    check_rules = [{"Condition": "{% $states.input.Payload.valid %}", "Next": "Done"},
                   {"Condition": "{% $attempt >= 3 %}" if counter else "{% $states.input.Payload.fatal %}",
                    "Next": "Give Up"}]
    repair: dict = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Arguments": {"FunctionName": "repair", "Payload": {"attempt": "{% $attempt %}"}},
                    "Next": "Validate"}
    if counter:
        repair["Assign"] = {"attempt": "{% $attempt + 1 %}"}
    return {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"attempt": 0}, "Next": "Validate"},
            "Validate": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                         "Arguments": {"FunctionName": "validate"}, "Next": "Valid?"},
            "Valid?": {"Type": "Choice", "Choices": check_rules, "Default": "Repair"},
            "Repair": repair,
            "Done": {"Type": "Succeed"},
            "Give Up": {"Type": "Fail", "Error": "Validation.GaveUp"},
        },
    }


class _LoopRule(Rule):
    group = GROUP
    jsonata_only = True


class CycleWithoutExit(_LoopRule):
    id = "SFN721"
    name = "cycle-without-exit"
    severity = Severity.ERROR
    summary = "A loop has no transition out of it other than errors"
    docs = """\
## Why
Every cycle needs a Choice (or another state) with a transition that leaves it. A loop whose only way out
is an error runs until something fails or the execution times out - for a Standard workflow, a year of
billed transitions - or until it hits the 25,000-event history limit.

Loops are the natural loops of each scope's transition graph (Next, Choice, Default and Catch edges);
nested loops are checked one by one.

## How to fix
Add a Choice rule that leaves the loop when the work is done or a counter runs out.

## Known limits
Catch edges do not count as exits. A loop spread over a Parallel branch and its parent is not seen as one
loop.

## Options
None; suppress a finding with `sfnc: ignore[cycle-without-exit]` in the loop header's Comment.
"""
    sources = _LOOP_SOURCES
    example_fail = {
        "QueryLanguage": "JSONata",
        "StartAt": "Refresh",
        "States": {
            "Refresh": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Arguments": {"FunctionName": "refresh"}, "Next": "Changed?",
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refresh Failed"}]},
            "Changed?": {"Type": "Choice",
                         "Choices": [{"Condition": "{% $states.input.Payload.changed %}", "Next": "Publish"}],
                         "Default": "Pause"},
            "Publish": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Arguments": {"FunctionName": "publish"}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": 60, "Next": "Refresh"},
            "Refresh Failed": {"Type": "Fail", "Error": "Refresh.Failed"},
        },
    }
    example_pass = _remediation()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        machine = ctx.machine
        for scope in machine.scopes:
            graph = machine.graph(scope)
            if graph.opaque_targets:
                continue
            for lp in loops(machine, scope):
                if lp.exits(graph):
                    continue
                cyc = lp.cycle(graph)
                head = scope.states[lp.header]
                yield Finding(head.pointer, f"The loop {join_path(cyc)} has no way out except an error",
                              hint="add a Choice rule that leaves the loop (work done, or a counter exhausted)",
                              key=True, path=tuple(cyc))


class LoopUnbounded(_LoopRule):
    id = "SFN722"
    name = "loop-unbounded"
    severity = Severity.WARNING
    summary = "A loop's exit condition compares no variable that the loop updates"
    docs = """\
## Why
A loop ends when its exit condition becomes true; if nothing that condition reads changes from one
iteration to the next in a way the workflow controls, the loop may never end. The rule looks for a
variable that is assigned in the loop (and not reset to a constant there) and read in the condition of
a Choice that can leave the loop - an attempt counter, a cursor, a deadline - or a comparison with the
clock (`$now()`, `$millis()`).

Polling loops of catalogued jobs are checked by SFN705 (poll-loop-unbounded) instead.

## How to fix
Count iterations in a variable (`"Assign": {"attempt": "{% $attempt + 1 %}"}`) and leave the loop when
it reaches a limit, or compare `$now()` with a deadline set before the loop.

## Known limits
A loop driven by data a Task returns (`$states.input.NextToken`, a Lambda's `done` flag) is reported:
the workflow cannot know that the data changes. Suppress it (`sfnc: ignore[loop-unbounded]`) when the
service guarantees progress (pagination).

## Options
None; suppress a finding with `sfnc: ignore[loop-unbounded]` in the loop header's Comment.
"""
    sources = _LOOP_SOURCES
    example_fail = _remediation(counter=False)
    example_pass = _remediation()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        machine = ctx.machine
        poll_loops = poll_analysis(ctx).loop_keys()
        for scope in machine.scopes:
            graph = machine.graph(scope)
            if graph.opaque_targets:
                continue
            for lp in loops(machine, scope):
                if (scope.pointer, lp.header) in poll_loops or not lp.exits(graph):
                    continue
                if loop_bound(machine, lp) is not None:
                    continue
                cyc = lp.cycle(graph)
                head = scope.states[lp.header]
                yield Finding(head.pointer, f"The loop {join_path(cyc)} may not terminate: no variable updated in "
                                            "it is compared in a condition that leaves it",
                              hint="count iterations in a variable and leave the loop at a limit (or compare $now() "
                                   "with a deadline)", key=True, path=tuple(cyc))


def _map(mode: str = "INLINE", concurrency: int | None = 5, tolerance: bool = True) -> dict:
    m: dict = {
        "Type": "Map",
        "Items": "{% $states.input.windows %}",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": mode} | ({"ExecutionType": "STANDARD"} if mode == "DISTRIBUTED" else {}),
            "StartAt": "Run Window",
            "States": {"Run Window": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
                                      "Arguments": {"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:window",
                                                    "Input": "{% $states.input %}"},
                                      "End": True}},
        },
        "End": True,
    }
    if concurrency is not None:
        m["MaxConcurrency"] = concurrency
    if tolerance and mode == "DISTRIBUTED":
        m["ToleratedFailurePercentage"] = 5
    return {"QueryLanguage": "JSONata", "StartAt": "Fan Out", "States": {"Fan Out": m}}


def _is_distributed(state) -> bool:
    return any(child.distributed for child in state.children)


class MapUnboundedConcurrency(_LoopRule):
    id = "SFN723"
    name = "map-unbounded-concurrency"
    severity = Severity.WARNING
    summary = "An Inline Map has no MaxConcurrency (or 0, unlimited)"
    docs = """\
## Why
Without `MaxConcurrency` (or with 0) an Inline Map starts as many iterations at once as Step Functions
allows (about 40). Each iteration calls downstream services - child executions, SageMaker pipelines,
Lambda - and the burst throttles them, exhausts account quotas, or overloads the database the
iterations write to. Our workflows bound their fan-out on purpose.

## How to fix
Set `MaxConcurrency` to what the downstream services can take (a literal, a placeholder, or a JSONata
expression).

## Known limits
Distributed Maps are not checked (their default is 10,000 child executions; see SFN724 for their failure
tolerance). A `MaxConcurrency` computed by an expression is accepted as is.

## Options
None.
"""
    sources = ("https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html",
               "https://docs.aws.amazon.com/step-functions/latest/dg/state-map.html")
    example_fail = _map(concurrency=None)
    example_pass = _map()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for state in ctx.machine.states:
            if state.type != "Map" or _is_distributed(state):
                continue
            if not state.has("MaxConcurrency"):
                yield Finding(state.pointer, f"Inline Map '{state.name}' has no MaxConcurrency: all iterations may "
                                             "run at once", hint="set MaxConcurrency to what the downstream services "
                                                                 "can take", key=True, path=(state.name,))
            elif state.get("MaxConcurrency") == 0:
                yield Finding(state.pointer + "/MaxConcurrency",
                              f"Inline Map '{state.name}' sets MaxConcurrency 0, which means unlimited",
                              hint="set a positive limit", path=(state.name,))


class DistributedMapNoFailureTolerance(_LoopRule):
    id = "SFN724"
    name = "distributed-map-no-failure-tolerance"
    severity = Severity.INFO
    summary = "A Distributed Map sets no tolerated failure count or percentage"
    docs = """\
## Why
A Distributed Map fails as soon as one child execution fails unless it tolerates failures
(`ToleratedFailurePercentage` / `ToleratedFailureCount`). Over thousands of items one bad item is
likely; deciding how many may fail - zero included - belongs in the definition.

## How to fix
Set `ToleratedFailurePercentage` or `ToleratedFailureCount` (0 states that no failure is acceptable).

## Known limits
Only the presence of the field is checked.

## Options
None.
"""
    sources = ("https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html",
               "https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html#maprun-fail-threshold")
    example_fail = _map(mode="DISTRIBUTED", tolerance=False)
    example_pass = _map(mode="DISTRIBUTED")

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for state in ctx.machine.states:
            if state.type != "Map" or not _is_distributed(state):
                continue
            if any(state.has(k) for k in ("ToleratedFailurePercentage", "ToleratedFailureCount",
                                          "ToleratedFailurePercentagePath", "ToleratedFailureCountPath")):
                continue
            yield Finding(state.pointer, f"Distributed Map '{state.name}' sets no ToleratedFailurePercentage or "
                                         "ToleratedFailureCount: one failed item fails the whole map",
                          hint="decide how many items may fail (0 is a valid answer) and set it", key=True,
                          path=(state.name,))


LOOP_RULES = (CycleWithoutExit, LoopUnbounded, MapUnboundedConcurrency, DistributedMapNoFailureTolerance)
