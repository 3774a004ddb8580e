"""SFN702-SFN706: polling loops for asynchronous jobs (the rules; the analysis is `poll_analysis`)."""

from __future__ import annotations

import re
from typing import Iterable

from ...base import CheckContext, Finding, Rule, Severity
from ._common import GROUP, join_path, option_names, retriers
from ._flow import loop_bound, open_path
from ._status import route
from .poll_analysis import (PollAnalysis, cycle, cycle_from, last_action, loop_polls, poll_analysis, rechecks_status,
                            repolls)


_SDK_SOURCES = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html",
    "https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html",
)


_POLL_DOCS_TAIL = """
## Options
The catalogue is shared by SFN702-SFN706: add or replace entries in `[tool.sfnc.patterns]`
(`catalogue = "file.yaml"` or inline `[[tool.sfnc.patterns.poll]]` tables; see `docs/patterns.md`).
"""


def _pipeline_poll(*, counter: bool = True, wait: bool = True, failed_next: str = "Pipeline Failed",
                   retry: bool = True) -> dict:
    """A small correct SageMaker pipeline poll (the examples of SFN702-SFN706)."""
    describe: dict = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
        "Arguments": {"PipelineExecutionArn": "{% $executionArn %}"},
        "Next": "Check Status",
    }
    if counter:
        describe["Assign"] = {"attempt": "{% $attempt + 1 %}"}
    if retry:
        describe["Retry"] = [{"ErrorEquals": ["SageMaker.ThrottlingException", "SageMaker.SageMakerException"],
                              "IntervalSeconds": 5, "MaxAttempts": 5, "BackoffRate": 2, "JitterStrategy": "FULL"}]
    choices = [
        {"Condition": "{% $states.input.PipelineExecutionStatus = 'Succeeded' %}", "Next": "Done"},
        {"Condition": "{% $states.input.PipelineExecutionStatus in ['Failed', 'Stopped'] %}", "Next": failed_next},
    ]
    if counter:
        choices.append({"Condition": "{% $attempt >= 60 %}", "Next": "Poll Timed Out"})
    choices.append({"Condition": "{% $states.input.PipelineExecutionStatus in ['Executing', 'Stopping'] %}",
                    "Next": "Wait" if wait else "Describe Pipeline"})
    start: dict = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
        "Arguments": {"PipelineName": "features", "ClientRequestToken": "{% $uuid() %}"},
        "Assign": {"executionArn": "{% $states.result.PipelineExecutionArn %}"},
        "Next": "Describe Pipeline",
    }
    if counter:
        start["Assign"]["attempt"] = 0
    states: dict = {
        "Start Pipeline": start,
        "Describe Pipeline": describe,
        "Check Status": {"Type": "Choice", "Choices": choices, "Default": "Pipeline Failed"},
        "Done": {"Type": "Succeed"},
        "Pipeline Failed": {"Type": "Fail", "Error": "Pipeline.Failed"},
    }
    if wait:
        states["Wait"] = {"Type": "Wait", "Seconds": 30, "Next": "Describe Pipeline"}
    if counter:
        states["Poll Timed Out"] = {"Type": "Fail", "Error": "Pipeline.PollTimeout"}
    return {"QueryLanguage": "JSONata", "StartAt": "Start Pipeline", "States": states}


class _PollRule(Rule):
    group = GROUP
    jsonata_only = True

    def polls(self, ctx: CheckContext) -> PollAnalysis:
        return poll_analysis(ctx)


class PollStartNotAwaited(_PollRule):
    id = "SFN702"
    name = "poll-start-not-awaited"
    severity = Severity.ERROR
    summary = "An asynchronous job is started and the workflow ends or moves on without polling it to completion"
    docs = """\
## Why
`aws-sdk:` integrations have no `.sync` form, and an optimized integration called without `.sync`
returns as soon as the job is accepted. The job (a SageMaker pipeline, a Glue job run, a child
execution...) keeps running after the Task ends; if the workflow never reads its status, a failed job
goes unnoticed and the next stage runs on missing data.

The rule follows every success path (Next, Choice and Default transitions) from the starting Task: each
must pass through a describe Task of the same job kind that sits in a loop, before the workflow (or the
Parallel branch / Map iteration) ends.

## How to fix
Poll the job: a describe Task (with the id the start returned), a Choice on its status and a Wait back to
the describe; or use the `.sync`/`.sync:2` form where the service has one. A deliberate fire-and-forget
start goes in the `fire_and_forget` option.

## Known limits
Starts and describes are recognised by their Resource with the polling catalogue; a job polled by a
Lambda function, or in another state machine, is not seen. Failure paths (Catch edges, Fail states) are
not required to poll. A child execution started (`states:startExecution`) as the workflow's last action
- only Pass states between it and the end - is a hand-off and is not reported: the child reports its own
outcome (catalogue entries with `handoff: true`).

## Options
`[tool.sfnc.rules.poll-start-not-awaited]`
- `fire_and_forget` (list of state names): starts that are deliberately not awaited.
""" + _POLL_DOCS_TAIL.replace("\n## Options\n", "\n")
    sources = _SDK_SOURCES + ("https://docs.aws.amazon.com/step-functions/latest/dg/job-status-poller-sample.html",)
    example_fail = {
        "QueryLanguage": "JSONata",
        "StartAt": "Start Pipeline",
        "States": {
            "Start Pipeline": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
                "Arguments": {"PipelineName": "features", "ClientRequestToken": "{% $uuid() %}"},
                "Next": "Publish Results",
            },
            "Publish Results": {"Type": "Succeed"},
        },
    }
    example_pass = _pipeline_poll()
    known_options = ("fire_and_forget",)

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        forget = option_names(ctx.options, "fire_and_forget", self.name)
        pa = self.polls(ctx)
        machine = ctx.machine
        looping = {id(p.state): p for p in pa.polls if p.loop is not None}
        for s in pa.starts:
            if s.state.name in forget or (s.entry.handoff and last_action(s.state)):
                continue
            entry = s.entry

            def closer(st, entry=entry):
                p = looping.get(id(st))
                return p is not None and p.entry is entry

            path = open_path(machine, s.state, closer, f"poll:{entry.name}", include_failures=False)
            if path is None:
                continue
            describe = entry.describe_action
            once = [p.state.name for p in pa.polls if p.entry is entry and p.loop is None and p.state.name in path]
            detail = (f"; '{once[0]}' reads its status once but does not loop until it finishes" if once else "")
            where = ("the workflow ends right after it" if path[-1] == s.state.name else
                     f"the workflow reaches '{path[-1]}'")
            yield Finding(s.state.pointer + "/Resource",
                          f"State '{s.state.name}' starts a {entry.name} job ({s.form.split(':')[-1]}) and "
                          f"{where} without polling it to completion{detail}",
                          hint=f"poll with {describe} (Wait + describe + Choice on {entry.status_field}) before "
                               "moving on, use the .sync integration if there is one, or list the state in "
                               "fire_and_forget",
                          path=tuple(path))


class PollFailureStatusNotHandled(_PollRule):
    id = "SFN703"
    name = "poll-failure-status-not-handled"
    severity = Severity.ERROR
    summary = "A polling Choice sends a failed job status back into the loop or on to the success path"
    docs = """\
## Why
A job that ends `Failed` or `Stopped` never changes status again. If the polling Choice sends that status
to the Wait (often through a `Default` meant for "still running"), the loop spins until its attempt
budget or the execution times out, and reports a timeout instead of the failure; if the status goes where
`Succeeded` goes, the workflow carries on as if the job had worked.

For every failure value of the job in the polling catalogue (e.g. SageMaker pipelines: `Failed`,
`Stopped`), the rule evaluates the Choice rules in order, three-valued: a rule that only tests the status
is true or false for the value; a rule on something else (an attempt counter) may or may not match.
It reports a value that can reach the polling loop again, or that is sent to the state a success value
goes to (or to a Succeed state).

## How to fix
Add a rule for the failure values before the "still running" rule and send it to a failure path
(release what the run holds, then Fail):
`{% $states.input.PipelineExecutionStatus in ['Failed', 'Stopped'] %}`. Make the `Default` a failure
path too, so a status the workflow does not know fails instead of polling forever.

## Known limits
The status must be compared in a JSONata `Condition` with `=`, `!=`, `in`, `and`, `or`, `$not`,
`$lowercase`/`$uppercase`, `$contains` - read from the describe result (`$states.input.<...>.<Status>`),
from an Output key or a variable the describe Task assigns it to. Anything else is not evaluated.
"Back into the loop" means the describe is reached again through Wait, Pass and Choice states only: a
failure sent to another Task first (`retryPipelineExecution`, a stop, a notification) counts as a
deliberate reaction. A shared outcome state is not "the success path" when the status is tested again
within a few transitions after it.
""" + _POLL_DOCS_TAIL
    sources = _SDK_SOURCES + (
        "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribePipelineExecution.html",
        "https://docs.aws.amazon.com/glue/latest/dg/job-run-statuses.html",
        "https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html",
    )
    example_fail = _pipeline_poll(failed_next="Wait")
    example_pass = _pipeline_poll()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        pa = self.polls(ctx)
        done: set[int] = set()
        for p in pa.polls:
            if p.choice is None or id(p.choice) in done or not p.entry.failure:
                continue
            done.add(id(p.choice))
            scope = p.state.scope
            success_targets: dict[str, str] = {}
            for v in p.entry.success:
                for r in route(scope, p.choice.name, v, p.refs):
                    if r.decisive:
                        success_targets.setdefault(r.target, v)
            loop_back: dict[str, list] = {}
            to_success: dict[str, list] = {}
            for v in p.entry.failure:
                for r in route(scope, p.choice.name, v, p.refs):
                    if p.loop is not None and repolls(ctx.machine, p, r.target):
                        loop_back.setdefault(v, []).append(r)
                        break
                    st = scope.states.get(r.target)
                    if r.decisive and (r.target in success_targets or (st is not None and st.type == "Succeed")) \
                            and not rechecks_status(ctx.machine, scope, r.target, p.refs, p.choice.name):
                        to_success.setdefault(v, []).append(r)
                        break
            if loop_back:
                values = list(loop_back)
                r = loop_back[values[0]][0]
                how = "falls to the Default" if r.default else "is routed"
                back = cycle_from(ctx.machine, p, r.target)
                yield Finding(r.pointer,
                              f"Choice '{p.choice.name}' sends {join_and(values)} ({p.entry.name} "
                              f"{p.entry.status_field}) back into the polling loop: the status {how} to "
                              f"'{r.target}', so a finished job is polled again until the loop gives up",
                              hint=f"add a rule for {join_and(values)} that goes to a failure path, and make the "
                                   "Default a failure path",
                              path=tuple([p.state.name, *r.via, *back]))
            if to_success:
                values = list(to_success)
                r = to_success[values[0]][0]
                where = success_targets.get(r.target)
                tail = f"where {where} goes" if where else "a Succeed state"
                yield Finding(r.pointer,
                              f"Choice '{p.choice.name}' sends {join_and(values)} ({p.entry.name} "
                              f"{p.entry.status_field}) to '{r.target}', {tail}: a failed job is treated as "
                              "a success",
                              hint=f"send {join_and(values)} to a failure path (release what the run holds, then Fail)",
                              path=(p.state.name, *r.via, r.target))


def join_and(values: list[str]) -> str:
    return ", ".join(values[:-1]) + (" and " if len(values) > 1 else "") + values[-1]


class PollLoopWithoutWait(_PollRule):
    id = "SFN704"
    name = "poll-loop-without-wait"
    severity = Severity.ERROR
    summary = "A polling loop calls the describe API again without a Wait state in between"
    docs = """\
## Why
Without a Wait, the loop calls the describe API as fast as Step Functions can transition: thousands of
calls a minute, each a billed state transition, until the service throttles (and the Retry backs off) or
the execution hits its 25,000-event history limit.

## How to fix
Put a Wait state in the loop (`"Seconds": 30`, or a growing interval held in a variable).

## Known limits
A Wait whose `Seconds` is the literal 0 does not count. A Wait computed by an expression counts.
""" + _POLL_DOCS_TAIL
    sources = ("https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html",
               "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html")
    example_fail = _pipeline_poll(wait=False)
    example_pass = _pipeline_poll()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        pa = self.polls(ctx)
        for p in loop_polls(pa):
            waits = [p.state.scope.states[n] for n in p.loop.body if p.state.scope.states[n].type == "Wait"]
            if any(w.get("Seconds") != 0 for w in waits):
                continue
            path = cycle(ctx.machine, p)
            yield Finding(p.state.pointer, f"The loop that polls '{p.state.name}' ({p.entry.name}) has no Wait: "
                                           f"{join_path(path)} calls the API back to back",
                          hint="add a Wait state (e.g. 30 seconds) between the status Choice and the describe",
                          key=True, path=path)


class PollLoopUnbounded(_PollRule):
    id = "SFN705"
    name = "poll-loop-unbounded"
    severity = Severity.ERROR
    summary = "A polling loop has no attempt counter or deadline in its exit condition"
    docs = """\
## Why
A job can stay in a running status far longer than expected (a Batch job stuck in `RUNNABLE`, a pipeline
step waiting for capacity). An unbounded loop then polls until the execution's own timeout (a year for a
Standard workflow by default), holding whatever the run holds, and the failure it finally reports says
nothing about the job.

Every polling loop must be bounded: that is this project's policy (docs/patterns.md), so an unbounded
one is an error (a violated policy, not an uncertain guess); `[tool.sfnc.validate] severity` can lower it.

The loop counts as bounded when one of its Choices that can leave the loop compares:
- a variable that is assigned in the loop (and never reset to a constant there), e.g. `$attempt` with
  `"Assign": {"attempt": "{% $attempt + 1 %}"}` on the describe Task and `$attempt >= 60` in the Choice;
- or the clock (`$now()`, `$millis()`), e.g. `$toMillis($now()) > $deadline` - an explicit timeout.
Variables that hold the job status itself do not count: they change with the job, not with time.

## How to fix
Set a counter (or a deadline) when the job starts, update it in the loop, and add a Choice rule that
leaves the loop when it runs out - ideally to a state that stops the job (`stopPipelineExecution`) and
then fails.

## Known limits
Task `TimeoutSeconds` and the machine's `TimeoutSeconds` do not bound a loop (the first limits one call,
the second ends the run without its Catch paths).
""" + _POLL_DOCS_TAIL
    sources = ("https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html",
               "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html")
    example_fail = _pipeline_poll(counter=False)
    example_pass = _pipeline_poll()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        pa = self.polls(ctx)
        status_by_loop: dict[int, set[str]] = {}  # the status variables of every poll, grouped by loop once
        for q in pa.polls:
            status_by_loop.setdefault(id(q.loop), set()).update(q.status_vars)
        for p in loop_polls(pa):
            ignore = frozenset(status_by_loop.get(id(p.loop), ()))
            if loop_bound(ctx.machine, p.loop, ignore_vars=ignore) is not None:
                continue
            path = cycle(ctx.machine, p)
            at = p.choice if p.choice is not None and p.choice.name in p.loop.body else p.state
            yield Finding(at.pointer, f"The loop that polls '{p.state.name}' ({p.entry.name}) is unbounded: no "
                                      "attempt counter or deadline is compared in a condition that leaves it",
                          hint="count attempts in a variable (reset at the start, +1 per describe) and leave the "
                               "loop when it reaches a limit; or compare $now() with a deadline",
                          key=True, path=path)


_THROTTLE = re.compile(r"throttl|toomanyrequests|requestlimitexceeded|provisionedthroughputexceeded|slowdown|"
                       r"limitexceeded|serviceunavailable|internalserver|sdkclientexception|serviceexception",
                       re.IGNORECASE)


def covers_throttling(state) -> bool:
    for _i, errors, attempts in retriers(state):
        if attempts == 0:
            continue
        for e in errors:
            if e in ("States.ALL", "States.TaskFailed") or _THROTTLE.search(e):
                return True
    return False


class PollDescribeWithoutRetry(_PollRule):
    id = "SFN706"
    name = "poll-describe-without-retry"
    severity = Severity.WARNING
    summary = "The describe Task of a polling loop has no Retry for throttling errors"
    docs = """\
## Why
A polling loop calls the describe API many times over a run; sooner or later one call is throttled
(`ThrottlingException`) or hits a transient service error. Without a Retry that error fails the Task -
and the run - although the job itself is fine.

## How to fix
Give the describe Task a Retry for the service's throttling errors (or `States.TaskFailed`), with backoff
and jitter:
`{"ErrorEquals": ["SageMaker.ThrottlingException", "SageMaker.SageMakerException"], "IntervalSeconds": 5,
"MaxAttempts": 5, "BackoffRate": 2, "JitterStrategy": "FULL"}`.

## Known limits
A retrier counts when its `ErrorEquals` holds `States.ALL`, `States.TaskFailed`, or an error whose name
looks transient (`Throttling`, `TooManyRequests`, `LimitExceeded`, `ServiceUnavailable`,
`InternalServer`, `SdkClientException`, `...ServiceException`); the service prefix is not checked.
""" + _POLL_DOCS_TAIL
    sources = ("https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html",
               "https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html")
    example_fail = _pipeline_poll(retry=False)
    example_pass = _pipeline_poll()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        pa = self.polls(ctx)
        for p in pa.polls:
            if p.loop is None or covers_throttling(p.state):
                continue
            pointer = p.state.pointer + ("/Retry" if p.state.has("Retry") else "")
            yield Finding(pointer, f"State '{p.state.name}' polls {p.entry.name} status without a Retry for "
                                   "throttling errors: one throttled call fails the run",
                          hint="add a Retry for the service's ThrottlingException (or States.TaskFailed) with "
                               "backoff and JitterStrategy FULL",
                          key=not p.state.has("Retry"), path=(p.state.name,))


POLL_RULES = (PollStartNotAwaited, PollFailureStatusNotHandled, PollLoopWithoutWait, PollLoopUnbounded,
              PollDescribeWithoutRetry)
