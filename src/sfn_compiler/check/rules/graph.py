"""SFN2xx: the transition graph of every scope (top level, Parallel branches, Map processors)."""

from __future__ import annotations

from typing import Iterator

from ...asl.jsonata import is_expression
from ...asl.model import Machine, Scope
from ...diagnostics import did_you_mean
from ..base import CheckContext, Finding, Rule, Severity
from ._common import SMS, SPEC, ptr

GROUP = "graph"
_MTT = "observed AWS behaviour: floci-io/floci#2786 and LocalStack PR #12487 (MISSING_TRANSITION_TARGET, MISSING_END_STATE)"


def _other_scope(m: Machine, scope: Scope, name: str) -> Scope | None:
    for s in m.scopes:
        if s is not scope and name in s.states:
            return s
    return None


def _checkable(m: Machine, scope: Scope) -> bool:
    return isinstance(scope.states_raw, dict) and bool(scope.states)


class StartAtMissing(Rule):
    id = "SFN201"
    name = "start-at-missing"
    group = GROUP
    severity = Severity.ERROR
    summary = "StartAt names no state of its States object"
    docs = """\
## Why
`StartAt` (top level, each Parallel branch, each Map processor) must equal, case-sensitively, the name of
a state in the same `States` object. AWS: `MISSING_TRANSITION_TARGET` at `/StartAt`.

## How to fix
Fix the name (the hint suggests the closest one) or add the state.
"""
    sources = (SPEC, SMS, "observed AWS behaviour: aws-cloudformation/cfn-lint#4074 (MISSING_TRANSITION_TARGET at /StartAt)")
    example_fail = {"StartAt": "Frist", "States": {"First": {"Type": "Succeed"}}}
    example_pass = {"StartAt": "First", "States": {"First": {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for scope in m.scopes:
            start = scope.start_at
            if not isinstance(start, str) or not isinstance(scope.states_raw, dict) or m.is_opaque(start) \
                    or is_expression(start):
                continue
            if start in scope.states:
                continue
            other = _other_scope(m, scope, start)
            hint = did_you_mean(start, scope.states)
            if other is not None:
                hint = f"'{start}' is in {other.label}; StartAt must name a state of this States object"
            yield Finding(ptr(scope.pointer, "StartAt"),
                          f"'StartAt' of {scope.label} is '{start}', which is not a state of its States object",
                          hint=hint)


class TransitionTargetMissing(Rule):
    id = "SFN202"
    name = "transition-target-missing"
    group = GROUP
    severity = Severity.ERROR
    summary = "A Next, Default or Catch Next names no state in the same scope"
    docs = """\
## Why
Transitions stay inside one `States` object: a state in a Parallel branch or Map processor cannot jump
out of it, and outer states cannot jump in. AWS: `MISSING_TRANSITION_TARGET` "Missing 'Next' target: X"
at `/States/A/Next`, `/States/C/Choices[0]/Next`, `/States/C/Default` or `/States/T/Catch[0]/Next`.

## How to fix
Fix the name (the hint suggests the closest one), or move the target into the same scope; to leave a
branch, end it (`End: true`) and continue from the Parallel/Map's `Next`.
"""
    sources = (SPEC, _MTT)
    example_fail = {"StartAt": "Check", "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Relase"}],
                  "Default": "Release"},
        "Release": {"Type": "Succeed"}}}
    example_pass = {"StartAt": "Check", "States": {
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Release"}],
                  "Default": "Release"},
        "Release": {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for scope in m.scopes:
            if not isinstance(scope.states_raw, dict):
                continue
            g = m.graph(scope)
            for e in g.missing:
                if is_expression(e.target):
                    continue  # reported by jsonata-in-literal-field
                field = {"next": "'Next'", "default": "'Default'", "choice": f"'Next' of Choice rule {e.index}",
                         "catch": f"'Next' of catcher {e.index}"}[e.kind]
                other = _other_scope(m, scope, e.target)
                if other is not None:
                    hint = (f"'{e.target}' is in {other.label}; transitions cannot leave or enter a "
                            "Parallel branch or Map processor")
                else:
                    hint = did_you_mean(e.target, scope.states)
                yield Finding(e.pointer, f"State '{e.source.name}': {field} target '{e.target}' does not exist in "
                                         "this scope", hint=hint)


class StateUnreachable(Rule):
    id = "SFN203"
    name = "state-unreachable"
    group = GROUP
    severity = Severity.ERROR
    summary = "A state cannot be reached from StartAt (orphan cycles included)"
    docs = """\
## Why
AWS walks the transitions from `StartAt` and rejects states it never reaches: `MISSING_TRANSITION_TARGET`
`State "C" is not reachable.` The walk is a real traversal, so two orphan states pointing at each other
are both unreachable. (When a scope has no terminal state, AWS reports only that; so does this rule.)

## How to fix
Point a `Next`/`Default`/`Catch` at the state, or delete it.
"""
    sources = (SPEC, _MTT)
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Pass", "Next": "A"}}}
    example_pass = {"StartAt": "Orphan", "States": {"A": {"Type": "Succeed"}, "Orphan": {"Type": "Pass", "Next": "A"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for scope in m.scopes:
            g = m.graph(scope)
            if g.start is None or not g.terminals or g.opaque_targets:
                continue
            reach = g.reachable
            for name, state in scope.states.items():
                if name not in reach:
                    yield Finding(state.pointer, f"State '{name}' is not reachable from StartAt '{g.start}' in "
                                                 f"{scope.label}", key=True,
                                  hint="transition to it from another state, or remove it")


class NoTerminalState(Rule):
    id = "SFN204"
    name = "no-terminal-state"
    group = GROUP
    severity = Severity.ERROR
    summary = "A scope has no terminal state (no End: true, Succeed or Fail)"
    docs = """\
## Why
Every `States` object needs at least one state that ends it: `"End": true`, a Succeed or a Fail state.
AWS: `MISSING_END_STATE` "Workflow has no terminal state".

## How to fix
End the last state with `"End": true`, or add a Succeed/Fail state and transition to it.
"""
    sources = (SPEC, _MTT)
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for scope in m.scopes:
            if not _checkable(m, scope):
                continue
            g = m.graph(scope)
            if g.terminals:
                continue
            if any(not isinstance(s.raw, dict) or m.is_opaque(s.raw.get("End")) for s in scope.states.values()):
                continue
            yield Finding(ptr(scope.pointer, "States"), f"{scope.label.capitalize()} has no terminal state",
                          key=True, hint='end a state with "End": true, or add a Succeed or Fail state')


class NoPathToTerminal(Rule):
    id = "SFN205"
    name = "no-path-to-terminal"
    group = GROUP
    severity = Severity.WARNING
    summary = "A reachable state can never reach a terminal state (a loop with no way out)"
    docs = """\
## Why
AWS accepts this, but an execution that enters such a state loops until it times out (one year for a
Standard workflow) or hits the 25,000-event history limit.

## How to fix
Give the loop an exit: a Choice rule or catcher that leads to a terminal state (for polls, count attempts
in a variable and stop after a maximum).

## Known limits
Retries and catchers are counted as exits only through their `Next`; a Task that always fails is not
detected.
"""
    sources = (SPEC, f"{SPEC}#choice-state", "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html")
    example_fail = {"StartAt": "Start", "States": {
        "Start": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "End"}],
                  "Default": "X"},
        "X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Pass", "Next": "X"}, "End": {"Type": "Succeed"}}}
    example_pass = {"StartAt": "Start", "States": {
        "Start": {"Type": "Choice", "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "End"}],
                  "Default": "X"},
        "X": {"Type": "Pass", "Next": "Start"}, "End": {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for scope in m.scopes:
            g = m.graph(scope)
            if g.start is None or not g.terminals or g.opaque_targets or g.missing:
                continue  # a dangling transition (transition-target-missing) may be the intended exit
            ok = g.can_terminate
            for name in scope.states:
                if name in g.reachable and name not in ok:
                    yield Finding(scope.states[name].pointer, f"State '{name}' can never reach a terminal state of "
                                                              f"{scope.label}", key=True,
                                  hint="add an exit from the loop (a Choice rule or catcher leading to End/Succeed/Fail)")


class StateNameTooLong(Rule):
    id = "SFN206"
    name = "state-name-too-long"
    group = GROUP
    severity = Severity.ERROR
    summary = "A state name is longer than 80 characters"
    docs = """\
## Why
State names are limited to 80 Unicode characters (API `StateName` 1..80).

## How to fix
Shorten the name.
"""
    sources = (SPEC, "https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html")
    example_fail = {"StartAt": "A" * 81, "States": {"A" * 81: {"Type": "Succeed"}}}
    example_pass = {"StartAt": "A" * 80, "States": {"A" * 80: {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            if len(state.name) > 80:
                yield Finding(state.pointer, f"State name '{state.name[:40]}…' is {len(state.name)} characters long; "
                                             "the limit is 80", key=True)
            elif not state.name:
                yield Finding(state.pointer, "A state has an empty name", key=True)


class DuplicateStateName(Rule):
    id = "SFN207"
    name = "duplicate-state-name"
    group = GROUP
    severity = Severity.ERROR
    summary = "The same state name is used twice in the machine (nested branches and processors included)"
    docs = """\
## Why
State names must be unique across the whole state machine, including every Parallel branch and Map
processor. (A name repeated inside one `States` object is a duplicate JSON key, reported when the file is
parsed.)

## How to fix
Rename one of the states, e.g. with a branch-specific prefix.
"""
    sources = (SPEC,)
    example_fail = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}]}}}
    example_pass = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Inner", "States": {"Inner": {"Type": "Succeed"}}}]}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        first: dict[str, object] = {}
        for state in ctx.machine.states:
            prev = first.get(state.name)
            if prev is None:
                first[state.name] = state
                continue
            yield Finding(state.pointer, f"State name '{state.name}' is already used at {prev.pointer}", key=True,
                          hint="state names must be unique across the machine, nested scopes included")


RULES = (StartAtMissing, TransitionTargetMissing, StateUnreachable, NoTerminalState, NoPathToTerminal,
         StateNameTooLong, DuplicateStateName)
