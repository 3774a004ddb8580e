"""SFN6xx: Retry and Catch (and the Task timeouts they react to)."""

from __future__ import annotations

from typing import Any, Iterator

from ...asl import spec
from ...asl.jsonata import is_expression
from ...asl.model import Machine, State
from ...asl.walk import ERROR_HANDLING_TYPES, error_names
from ...diagnostics import did_you_mean
from ..base import CheckContext, Finding, Rule, Severity
from ._common import ERR, SPEC, TASK, is_int, is_number, ptr, short, type_name

GROUP = "errors"


def _entries(state: State, kind: str):
    """Retriers or catchers of a state that may have them (Task, Parallel, Map)."""
    return state.entries(kind) if state.type in ERROR_HANDLING_TYPES else ()


_WHAT = {"Retry": "retrier", "Catch": "catcher"}


class StatesAllNotAloneOrLast(Rule):
    id = "SFN601"
    name = "states-all-not-alone-or-last"
    group = GROUP
    severity = Severity.ERROR
    summary = "States.ALL shares its ErrorEquals with other names, or its retrier/catcher is not the last one"
    docs = """\
## Why
`States.ALL` matches every error, so the spec requires it to be the only name in its `ErrorEquals` and
its retrier/catcher to be the last one of the array; AWS rejects other placements.

## How to fix
Move the `States.ALL` entry to the end of `Retry`/`Catch` and give it its own entry.
"""
    sources = (SPEC, ERR)
    example_fail = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
              "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["Lambda.TooManyRequestsException"]}]}}}
    example_pass = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
              "Retry": [{"ErrorEquals": ["Lambda.TooManyRequestsException"]}, {"ErrorEquals": ["States.ALL"]}]}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            for kind in ("Retry", "Catch"):
                entries = list(_entries(state, kind))
                items = state.get(kind)
                total = len(items) if isinstance(items, list) else 0
                for i, base, item in entries:
                    names = error_names(item)
                    if "States.ALL" not in names:
                        continue
                    what = f"State '{state.name}': {_WHAT[kind]} {i}"
                    if len(names) > 1:
                        yield Finding(ptr(base, "ErrorEquals"), f"{what} lists States.ALL together with other error "
                                                                "names", hint="give States.ALL its own entry, last")
                    if i != total - 1:
                        yield Finding(ptr(base, "ErrorEquals"), f"{what} uses States.ALL but is not the last "
                                                                f"{_WHAT[kind]}",
                                      hint=f"move it to the end of {kind}; entries after it are never used")


class InvalidRetrierValue(Rule):
    id = "SFN602"
    name = "invalid-retrier-value"
    group = GROUP
    severity = Severity.ERROR
    summary = "A retrier field is out of range (IntervalSeconds, MaxAttempts, BackoffRate, MaxDelaySeconds, JitterStrategy)"
    docs = """\
## Why
Retrier fields are literals with ranges: `IntervalSeconds` an integer ≥ 1, `MaxAttempts` an integer ≥ 0
(0 = never retry), both at most 99,999,999; `BackoffRate` a number ≥ 1.0; `MaxDelaySeconds` an integer
from 1 to 31,622,400; `JitterStrategy` `FULL` or `NONE`.

## How to fix
Use a value in range.
"""
    sources = (ERR, SPEC)
    example_fail = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True,
                                                     "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 0.5}]}}}
    example_pass = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True,
                                                     "Retry": [{"ErrorEquals": ["States.ALL"], "BackoffRate": 2}]}}}

    INTS = {"IntervalSeconds": (1, 99_999_999), "MaxAttempts": (0, 99_999_999), "MaxDelaySeconds": (1, 31_622_400)}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for state in m.states:
            for i, base, item in _entries(state, "Retry"):
                w = f"State '{state.name}': retrier {i}"
                # (a plain value in range, most of them, is passed over before its pointer and label are made)
                for f, (lo, hi) in self.INTS.items():
                    if f in item and not (type(item[f]) is int and lo <= item[f] <= hi):
                        yield from self._check(m, ptr(base, f), item[f], f"{w} '{f}'", is_int, "an integer", lo, hi)
                rate = item.get("BackoffRate", 1.0)
                if not (type(rate) in (int, float) and rate >= 1.0):
                    yield from self._check(m, ptr(base, "BackoffRate"), rate, f"{w} 'BackoffRate'", is_number,
                                           "a number", 1.0, None)
                if "JitterStrategy" in item:
                    v = item["JitterStrategy"]
                    if v not in ("FULL", "NONE") and not m.is_opaque(v) and not is_expression(v):
                        yield Finding(ptr(base, "JitterStrategy"), f"{w} 'JitterStrategy' is {short(v)!r}, not 'FULL' "
                                                                   "or 'NONE'",
                                      hint=did_you_mean(str(v).upper(), ("FULL", "NONE")) if isinstance(v, str) else None)

    def _check(self, m: Machine, pointer: str, v: Any, what: str, ok, kind: str, lo, hi) -> Iterator[Finding]:
        if m.is_opaque(v) or is_expression(v):  # expressions are reported by jsonata-in-literal-field
            return
        if not ok(v):
            yield Finding(pointer, f"{what} is {type_name(v)} {short(v)!r}, not {kind}")
        elif v < lo or (hi is not None and v > hi):
            rng = f"at least {lo}" if hi is None else f"between {lo} and {hi}"
            yield Finding(pointer, f"{what} is {v}, it must be {rng}")


class InvalidErrorEquals(Rule):
    id = "SFN603"
    name = "invalid-error-equals"
    group = GROUP
    severity = Severity.ERROR
    summary = "A retrier or catcher has no ErrorEquals, an empty one, or non-string error names"
    docs = """\
## Why
Every retrier and catcher needs `ErrorEquals`: a non-empty array of error-name strings.

## How to fix
List the errors to match, e.g. `["States.TaskFailed"]` or `["States.ALL"]`.
"""
    sources = (SPEC, ERR)
    example_fail = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True, "Retry": [{"ErrorEquals": []}]}}}
    example_pass = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True, "Retry": [{"ErrorEquals": ["States.TaskFailed"]}]}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for state in m.states:
            for kind in ("Retry", "Catch"):
                for i, base, item in _entries(state, kind):
                    w = f"State '{state.name}': {_WHAT[kind]} {i}"
                    if "ErrorEquals" not in item:
                        yield Finding(base, f"{w} is missing required field 'ErrorEquals'", key=True,
                                      hint='add "ErrorEquals": ["States.ALL"] (or specific error names)')
                        continue
                    ee = item["ErrorEquals"]
                    if m.is_opaque(ee):
                        continue
                    if not isinstance(ee, list):
                        yield Finding(ptr(base, "ErrorEquals"), f"{w} 'ErrorEquals' is {type_name(ee)}, not an array "
                                                                "of error names")
                    elif not ee:
                        yield Finding(ptr(base, "ErrorEquals"), f"{w} 'ErrorEquals' is empty",
                                      hint="list at least one error name")
                    else:
                        for j, n in enumerate(ee):
                            if not isinstance(n, str) and not m.is_opaque(n):
                                yield Finding(ptr(base, "ErrorEquals", j), f"{w} 'ErrorEquals' entry {j} is "
                                                                           f"{type_name(n)}, not an error name string")


class UnknownStatesError(Rule):
    id = "SFN604"
    name = "unknown-states-error"
    group = GROUP
    severity = Severity.WARNING
    summary = "ErrorEquals names a States.* error that Step Functions does not define"
    docs = """\
## Why
Names starting with `States.` are reserved for the errors Step Functions raises (`States.ALL`,
`States.TaskFailed`, `States.Timeout`, `States.HeartbeatTimeout`, `States.Permissions`,
`States.QueryEvaluationError`, ...). A misspelled one (`States.Timout`) never matches, so the retry or
catch silently does nothing.

## How to fix
Use one of the predefined names (the hint suggests the closest), or a name without the `States.` prefix
for your own errors.

## Known limits
A warning: whether AWS rejects unknown `States.*` names at definition time is not confirmed.
"""
    sources = (ERR, f"{SPEC}#appendix-a")
    example_fail = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True, "Retry": [{"ErrorEquals": ["States.Timout"]}]}}}
    example_pass = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True, "Retry": [{"ErrorEquals": ["States.Timeout"]}]}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            for kind in ("Retry", "Catch"):
                for i, base, item in _entries(state, kind):
                    ee = item.get("ErrorEquals")
                    if not isinstance(ee, list):
                        continue
                    for j, n in enumerate(ee):
                        if isinstance(n, str) and n.startswith("States.") and n not in spec.STATES_ERRORS:
                            yield Finding(ptr(base, "ErrorEquals", j),
                                          f"State '{state.name}': {_WHAT[kind]} {i} matches '{n}', which is not a "
                                          "Step Functions error name",
                                          hint=did_you_mean(n, spec.STATES_ERRORS) or
                                          "names starting with 'States.' are reserved for predefined errors")


class ShadowedRetrierOrCatcher(Rule):
    id = "SFN605"
    name = "shadowed-retrier-or-catcher"
    group = GROUP
    severity = Severity.WARNING
    summary = "A retrier/catcher can never match: an earlier one already matches all of its errors"
    docs = """\
## Why
Retriers and catchers are tried in order and the first match wins. An entry whose every error name is
already matched by an earlier entry (the same name, or an earlier `States.ALL`) is dead configuration,
usually an ordering mistake (specific errors must come before general ones).

## How to fix
Move the specific entry before the general one, or remove it.

## Known limits
`States.TaskFailed` is not treated as covering other names.
"""
    sources = (ERR, SPEC)
    example_fail = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
              "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "F"},
                        {"ErrorEquals": ["States.TaskFailed"], "Next": "F"}]},
        "F": {"Type": "Fail"}}}
    example_pass = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
              "Catch": [{"ErrorEquals": ["Lambda.ServiceException"], "Next": "F"},
                        {"ErrorEquals": ["States.TaskFailed"], "Next": "F"}]},
        "F": {"Type": "Fail"}}}

    NOT_IN_ALL = frozenset({"States.Runtime", "States.DataLimitExceeded"})

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            for kind in ("Retry", "Catch"):
                seen: dict[str, int] = {}
                all_at: int | None = None
                for i, base, item in _entries(state, kind):
                    names = error_names(item)
                    if names:
                        covered = []
                        for n in names:
                            if n in seen:
                                covered.append(seen[n])
                            elif all_at is not None and n not in self.NOT_IN_ALL and n != "States.ALL":
                                covered.append(all_at)
                            else:
                                covered = []
                                break
                        if covered:
                            yield Finding(ptr(base, "ErrorEquals"),
                                          f"State '{state.name}': {_WHAT[kind]} {i} never matches: "
                                          f"{_WHAT[kind]} {min(covered)} already handles "
                                          + ("these errors" if len(names) > 1 else f"'{names[0]}'"),
                                          hint="put specific errors before general ones, or remove this entry")
                    for n in names:
                        seen.setdefault(n, i)
                        if n == "States.ALL" and all_at is None:
                            all_at = i


class HeartbeatNotBelowTimeout(Rule):
    id = "SFN606"
    name = "heartbeat-not-below-timeout"
    group = GROUP
    severity = Severity.ERROR
    summary = "HeartbeatSeconds is not smaller than TimeoutSeconds"
    docs = """\
## Why
A Task's `HeartbeatSeconds` must be smaller than its `TimeoutSeconds`: the heartbeat interval has to fit
inside the task's time budget.

## How to fix
Lower `HeartbeatSeconds` or raise `TimeoutSeconds`.

## Known limits
Only literal values are compared (not `{% %}` or `...Path` values).
"""
    sources = (TASK, SPEC)
    example_fail = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "TimeoutSeconds": 60, "HeartbeatSeconds": 60, "End": True}}}
    example_pass = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "TimeoutSeconds": 60, "HeartbeatSeconds": 30, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            if state.type != "Task":
                continue
            t, h = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
            if is_int(t) and is_int(h) and h >= t:
                yield Finding(ptr(state.pointer, "HeartbeatSeconds"),
                              f"State '{state.name}': 'HeartbeatSeconds' ({h}) must be smaller than 'TimeoutSeconds' ({t})",
                              hint="a heartbeat interval shorter than the timeout, e.g. a third of it")


RULES = (StatesAllNotAloneOrLast, InvalidRetrierValue, InvalidErrorEquals, UnknownStatesError,
         ShadowedRetrierOrCatcher, HeartbeatNotBelowTimeout)
