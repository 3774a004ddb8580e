"""The execution history as AWS numbers it: which events each state writes, and the history limit.

AWS numbers an execution's history events from 1 (`ExecutionStarted`) and quotes the id of a state's
`…StateEntered` event in its runtime-error causes (``An error occurred while executing the state 'X'
(entered at the event id #N).``). A standard execution's history holds at most 25,000 events: "If the
event number 25,000 isn't ExecutionSucceeded, the ExecutionFailed event is logged and the state machine
execution fails" (developer guide, "Avoid reaching the history quota"), with error `States.Runtime` and
cause ``The execution reached the maximum number of history events (25000).`` (seen in real executions).

The events per state type come from AWS's API reference (`HistoryEvent`, `GetExecutionHistory`) and from
the 461 histories in the LocalStack recordings that `../shared/conformance/aws-recorded` was built from:

- every state: ``<Type>StateEntered``; ``<Type>StateExited`` when it succeeds or a Catcher catches its error
  (a Fail state has no exit);
- a JSONata expression that fails: ``EvaluationFailed`` (JSONPath's `States.Runtime` errors write nothing);
- Task, per attempt: ``TaskScheduled``, ``TaskStarted``, ``TaskSubmitted`` (``.sync`` and
  ``.waitForTaskToken`` only), then ``TaskSucceeded`` / ``TaskFailed`` / ``TaskTimedOut``; a Lambda function
  ARN as `Resource` writes ``LambdaFunction…`` instead, an activity ARN ``Activity…`` (no submit);
- Parallel: ``ParallelStateStarted`` per attempt, the branches' events, ``ParallelStateSucceeded``, or
  ``ParallelStateFailed`` once it fails for good (not when it is retried);
- Map: ``MapStateStarted`` per attempt, per inline iteration ``MapIterationStarted``, its states' events and
  ``MapIterationSucceeded`` / ``MapIterationFailed``; a Distributed Map writes ``MapRunStarted`` and
  ``MapRunSucceeded`` / ``MapRunFailed`` instead (its child executions have histories of their own); then
  ``MapStateSucceeded``, or ``MapStateFailed`` once it fails for good.

Parallel branches and Map iterations run concurrently on AWS, so their events interleave there; the
simulator runs them one after another and numbers their events in that order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..asl.resources import parse_resource

#: AWS's hard quota of events in a standard execution's history
HISTORY_LIMIT = 25_000
#: the most events a local run may allow (`--max-events`, a scenario's `max_events`): keeps every run bounded
MAX_EVENTS_CAP = 10_000_000

ENTERED = {t: f"{t}StateEntered" for t in ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")}
EXITED = {t: f"{t}StateExited" for t in ("Pass", "Task", "Choice", "Wait", "Succeed", "Parallel", "Map")}


def history_limit_cause(limit: int) -> str:
    return f"The execution reached the maximum number of history events ({limit})."


class HistoryLimitReached(Exception):
    """The next event would be the last one the history can hold: the execution fails (not catchable)."""


@lru_cache(maxsize=1024)
def _task_events(resource: str) -> tuple[str, bool]:
    prefix = task_event_prefix(resource)
    return prefix, prefix == "Task" and task_submits(resource)


def task_events(resource: Any) -> tuple[str, bool]:
    """(event name prefix, whether it writes TaskSubmitted) for a Task's Resource, cached per text."""
    if not isinstance(resource, str):
        return "Task", False
    return _task_events(resource)


def task_event_prefix(resource: Any) -> str:
    """``Task``, ``LambdaFunction`` (a Lambda function ARN as Resource) or ``Activity`` (an activity ARN)."""
    if isinstance(resource, str) and resource.startswith("arn:"):
        parts = resource.split(":", 6)
        if len(parts) >= 6:
            if parts[2] == "lambda" and parts[5] == "function":
                return "LambdaFunction"
            if parts[2] == "states" and parts[5] == "activity":
                return "Activity"
    return "Task"


def task_submits(resource: Any) -> bool:
    """A ``.sync`` or ``.waitForTaskToken`` integration writes ``TaskSubmitted`` before its outcome."""
    parsed = parse_resource(resource)
    return parsed is not None and parsed.suffix != ""
