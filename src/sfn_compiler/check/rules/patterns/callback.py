"""SFN701 callback-wait-for-task-token: callback-free control flow."""

from __future__ import annotations

from typing import Iterable

from ....asl.resources import parse_resource
from ...base import CheckContext, Finding, Rule, Severity
from ._common import GROUP, option_names

_SOURCES = (
    "https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token",
    "https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html",
    "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html",
)


class CallbackWaitForTaskToken(Rule):
    id = "SFN701"
    name = "callback-wait-for-task-token"
    group = GROUP
    severity = Severity.ERROR
    jsonata_only = False
    summary = "A Task waits for a callback (`.waitForTaskToken` or a read of the task token)"
    docs = """\
## Why
A `.waitForTaskToken` Task pauses until some other process calls `SendTaskSuccess`/`SendTaskFailure`
with its token. When that call never comes (the consumer crashed, the message was dropped, the token was
logged instead of used), the execution waits until the Task's `TimeoutSeconds` - by default 99,999,999
seconds, about three years - and everything it holds (a DynamoDB lock, a batch slot) stays held. Our
workflows are callback-free: a job is awaited with a `.sync`/`.sync:2` integration (Step Functions polls
for you) or with an explicit polling loop (Wait, describe, Choice), which always ends.

The rule also reports any expression that reads `$states.context.Task.Token` (JSONPath: `$$.Task.Token`):
the token exists only inside callback and activity tasks, and passing it anywhere means some other system
is expected to call back.

## How to fix
- Use the `.sync` or `.sync:2` form of the integration when the service has one
  (`arn:aws:states:::states:startExecution.sync:2`, `glue:startJobRun.sync`, `ecs:runTask.sync`, ...).
- Otherwise start the job with a Request Response call and poll it (see `docs/patterns.md`, "Polling").
- If a callback is unavoidable (a human approval), list the state in `allow` and give it a
  `HeartbeatSeconds` or `TimeoutSeconds`: an allowed callback without either is still reported, as a
  warning.

## Known limits
Activities (`arn:aws:states:<region>:<account>:activity:...`) also wait for an external worker; they are
not reported. The rule runs on JSONPath and JSONata machines alike.

## Options
`[tool.sfnc.rules.callback-wait-for-task-token]`
- `allow` (list of state names): callback states a team must keep.
"""
    sources = _SOURCES
    example_fail = {
        "QueryLanguage": "JSONata",
        "StartAt": "Request Approval",
        "States": {
            "Request Approval": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Arguments": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/approvals",
                              "MessageBody": {"token": "{% $states.context.Task.Token %}"}},
                "End": True,
            }
        },
    }
    example_pass = {
        "QueryLanguage": "JSONata",
        "StartAt": "Run Child",
        "States": {
            "Run Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Arguments": {"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:child",
                              "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": "{% $states.context.Execution.Id %}"}},
                "End": True,
            }
        },
    }

    known_options = ("allow",)

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        allow = option_names(ctx.options, "allow", self.name)
        machine = ctx.machine
        reported: set[int] = set()
        for state in machine.states:
            if state.type != "Task":
                continue
            res = parse_resource(state.get("Resource"))
            if res is None or res.suffix != ".waitForTaskToken":
                continue
            reported.add(id(state))
            if state.name in allow:
                if not state.has("TimeoutSeconds") and not state.has("HeartbeatSeconds"):
                    yield Finding(state.pointer + "/Resource",
                                  f"State '{state.name}' is an allowed callback but has no TimeoutSeconds or "
                                  "HeartbeatSeconds: a lost callback keeps it waiting for about three years",
                                  hint="set HeartbeatSeconds (the worker must heartbeat) or TimeoutSeconds",
                                  path=(state.name,), severity=Severity.WARNING)
                continue
            yield Finding(state.pointer + "/Resource",
                          f"State '{state.name}' waits for a callback ({res.form}.waitForTaskToken): the execution "
                          "hangs until the Task times out if the callback is lost",
                          hint="use a .sync/.sync:2 integration or a polling loop; or list the state in "
                               "[tool.sfnc.rules.callback-wait-for-task-token] allow",
                          path=(state.name,))
        # token reads outside (or without) a callback Resource
        for expr in machine.expressions:
            st = expr.state
            if id(st) in reported or st.name in allow or not expr.ok:
                continue
            for ref in expr.analysis.states:
                if ref.path[:3] == ("context", "Task", "Token") or ref.path == ("context", "Task"):
                    reported.add(id(st))
                    yield Finding(expr.pointer, f"State '{st.name}' reads $states.context.Task.Token: it hands a "
                                                "task token to another system and expects a callback",
                                  hint="callbacks hang when they are lost; await the work with .sync or a polling "
                                       "loop, or list the state in allow",
                                  offset=expr.body_offset + ref.start, path=(st.name,))
                    break
        for r in _jsonpath_token_reads(machine):
            st, pointer = r
            if id(st) in reported or st.name in allow:
                continue
            reported.add(id(st))
            yield Finding(pointer, f"State '{st.name}' reads $$.Task.Token: it hands a task token to another "
                                   "system and expects a callback",
                          hint="await the work with .sync or a polling loop, or list the state in allow",
                          path=(st.name,))


def _jsonpath_token_reads(machine):
    """(state, pointer) of `"x.$": "$$.Task.Token"` values in JSONPath states."""
    for state in machine.states:
        if state.type is None or state.is_jsonata:
            continue
        for key in ("Parameters", "ItemSelector", "ResultSelector"):
            if key in state.raw:
                for pointer, value in _walk(state.raw[key], f"{state.pointer}/{key}"):
                    if isinstance(value, str) and "$$.Task.Token" in value.replace(" ", ""):
                        yield state, pointer
                        break


def _walk(value, pointer, depth=0):
    if depth > 100:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{pointer}/{str(k).replace('~', '~0').replace('/', '~1')}"
            if isinstance(v, str) and str(k).endswith(".$"):
                yield p, v
            else:
                yield from _walk(v, p, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{pointer}/{i}", depth + 1)
