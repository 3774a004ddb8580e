"""Rules that depend on the state machine type (STANDARD or EXPRESS), which is a deploy setting, not
part of the definition: `sfnc validate --env` takes it from the env (`aws.type`, per-template
overrides), `sfnc validate FILE --type EXPRESS` from the command line. Unknown type: no findings."""

from __future__ import annotations

import re
from typing import Iterator

from ..base import CheckContext, Finding, Note, Rule, Severity
from ._common import DG, MAPD, ptr

_ACTIVITY = re.compile(r"^arn:aws(-cn|-us-gov|-eusc|-iso(-[bef])?)?:states:[a-z0-9-]+:\d{12}:activity:")


class ExpressUnsupportedFeature(Rule):
    id = "SFN114"
    name = "express-unsupported-feature"
    group = "structure"
    severity = Severity.ERROR
    summary = ("An EXPRESS state machine, or the EXPRESS child workflow of a Distributed Map, uses .sync, "
               ".waitForTaskToken, an activity or a Distributed Map")
    docs = """\
## Why
Express workflows run for at most five minutes and do not support the Run a Job (`.sync`, `.sync:2`)
or callback (`.waitForTaskToken`) integration patterns, activities, or Distributed Map. AWS rejects such
a definition when the state machine is created or updated with `type=EXPRESS`
(`SCHEMA_VALIDATION_FAILED`: "Express state machine does not support '.sync' service integration").
The type is a deploy setting, so sfnc checks this when it knows the type: from the env (`aws.type`, or
`aws.templates.<name>.type`) with `sfnc validate --env`, or from `--type EXPRESS` for files.

The same holds inside a Distributed Map whose `ProcessorConfig.ExecutionType` is `EXPRESS`, whatever the
parent's type: each iteration runs as an Express child workflow, and "Express Workflows only support
Request Response integrations" (AWS, Integrating optimized services). Those states are reported with
the Map's `ExecutionType` as a related place.

## How to fix
Use a STANDARD state machine for long-running work, or start the job with a request-response call
and hand the wait to a STANDARD parent (`states:startExecution.sync:2` from the parent).

## Known limits
For the machine itself nothing is reported when the type is unknown (a file validated without
`--type`); the Distributed Map check needs no type.
"""
    sources = (f"{DG}/choosing-workflow-type.html", f"{DG}/connect-to-resource.html", f"{DG}/integrate-optimized.html",
               MAPD,
               "observed AWS behaviour: LocalStack snapshot test_sfn_api_express (SCHEMA_VALIDATION_FAILED)")
    example_context = {"machine_type": "EXPRESS"}
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "Run Job", "States": {
        "Run Job": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                    "Arguments": {"JobName": "etl"}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "Run Job", "States": {
        "Run Job": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun",
                    "Arguments": {"JobName": "etl"}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        express_machine = (ctx.machine_type or "").upper() == "EXPRESS"
        for state in ctx.machine.states:
            if express_machine:
                where, related = "an EXPRESS state machine", ()
            else:
                child = _express_child_of(state)
                if child is None:
                    continue
                cfg = ptr(child.pointer, "ProcessorConfig", "ExecutionType")
                where = f"the EXPRESS child workflow of Distributed Map '{child.parent_state.name}'"
                related = (Note(cfg, f"'{child.parent_state.name}' runs each iteration as an EXPRESS workflow"),)
            resource = state.get("Resource")
            if state.type == "Task" and isinstance(resource, str):
                pattern = next((p for p in (".sync:2", ".sync", ".waitForTaskToken") if resource.endswith(p)), None)
                if pattern:
                    yield Finding(ptr(state.pointer, "Resource"),
                                  f"State '{state.name}': {where} does not support the '{pattern}' integration "
                                  "pattern (Express workflows support only request-response)",
                                  hint="use the request-response form and a STANDARD parent for the wait, "
                                       "or make this machine STANDARD" if express_machine else
                                  "use the request-response form, or set the Map's ExecutionType to STANDARD",
                                  related=related)
                elif _ACTIVITY.match(resource):
                    yield Finding(ptr(state.pointer, "Resource"),
                                  f"State '{state.name}': {where} cannot run an activity",
                                  hint="use a Lambda or service integration, or make this machine STANDARD"
                                  if express_machine else "use a Lambda or service integration, or set the Map's "
                                                          "ExecutionType to STANDARD", related=related)
            if state.type == "Map":
                proc = state.get("ItemProcessor") or state.get("Iterator")
                cfg = proc.get("ProcessorConfig") if isinstance(proc, dict) else None
                if isinstance(cfg, dict) and cfg.get("Mode") == "DISTRIBUTED":
                    key = "ItemProcessor" if "ItemProcessor" in state.raw else "Iterator"
                    yield Finding(ptr(state.pointer, key, "ProcessorConfig", "Mode"),
                                  f"State '{state.name}': {where} cannot use a Distributed Map",
                                  hint="use an inline Map, or make this machine STANDARD (its child "
                                       "executions may still be EXPRESS)", related=related)


def _express_child_of(state):
    """The Distributed Map processor scope with `ExecutionType: EXPRESS` that `state` runs in, or None."""
    scope = state.scope
    while scope is not None:
        if scope.distributed:
            cfg = scope.raw.get("ProcessorConfig") if isinstance(scope.raw, dict) else None
            if isinstance(cfg, dict) and cfg.get("ExecutionType") == "EXPRESS":
                return scope
        scope = scope.parent
    return None


RULES = (ExpressUnsupportedFeature,)
