"""SFN2xx: the transition graph of every scope (top level, Parallel branches, Map processors)."""

from __future__ import annotations

import re
from typing import Iterator

from ...asl.jsonata import is_expression
from ...asl.model import Machine, Scope
from ...diagnostics import closest, did_you_mean
from ..base import CheckContext, Finding, Note, Rule, Severity
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

When the scope also has a transition whose target does not exist (`transition-target-missing`), the
unreachable states follow from it: they are shown as related information of that one finding (the states
reachable from the state a misspelled target most likely meant, and otherwise those of the first missing
target), so one typo is one finding. With `transition-target-missing` ignored they are reported here.

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
            causes = _missing_target_causes(g, scope, reach)
            for name, state in scope.states.items():
                if name not in reach:
                    yield Finding(state.pointer, f"State '{name}' is not reachable from StartAt '{g.start}' in "
                                                 f"{scope.label}", key=True,
                                  hint="transition to it from another state, or remove it",
                                  follows=("SFN202", causes[name]) if name in causes else None)


def _missing_target_causes(g, scope: Scope, reach: set[str]) -> dict[str, str]:
    """Unreachable state -> pointer of the missing transition target (transition-target-missing) it follows
    from: the states reachable from the state a misspelled target most likely meant; in a scope with a
    missing target, any other unreachable state is attributed to the first missing target (fixing it is
    the first step either way)."""
    missing = [e for e in g.missing if not is_expression(e.target)]
    if not missing:
        return {}
    out: dict[str, str] = {}
    names = [n for n in scope.states if n not in reach]
    for e in missing:
        meant = closest(e.target, scope.states)
        if meant is None or meant in reach:
            continue
        stack = [meant]
        while stack:
            name = stack.pop()
            if name in out or name in reach:
                continue
            out[name] = e.pointer
            stack.extend(g.successors(name))
    for name in names:
        out.setdefault(name, missing[0].pointer)
    return out



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
            yield Finding(ptr(scope.pointer, "States"), f"{scope.label[:1].upper()}{scope.label[1:]} has no terminal state",
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

One finding per loop (or dead end), at the loop's first state; the states that only lead into it are
related places. When `cycle-without-exit` (SFN721) reports the same loop, this finding is shown as its
related information instead.

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
            stuck = [n for n in scope.states if n in g.reachable and n not in g.can_terminate]
            for entry, members, trap in _traps(g, stuck):
                yield Finding(scope.states[entry].pointer, f"State '{entry}' can never reach a terminal state of "
                                                           f"{scope.label}", key=True,
                              hint="add an exit from the loop (a Choice rule or catcher leading to End/Succeed/Fail)",
                              related=tuple(Note(scope.states[n].pointer, f"State '{n}' " + (
                                  "is in the same loop" if n in trap else
                                  "can never reach a terminal state either (it leads into this loop)"),
                                  key=True) for n in members if n != entry),
                              follows=("SFN721", scope.states[entry].pointer))


def _traps(g, stuck: list[str]) -> list[tuple[str, list[str], set[str]]]:
    """The states that can never terminate, grouped by the trap they end in (a loop with no way out, or a
    dead end): [(the trap's first state in a depth-first walk from StartAt, the group in document order, the
    trap)].
    The first state is where cycle-without-exit reports the same loop, so that finding takes these in."""
    if not stuck:
        return []
    inside = set(stuck)
    comps = [set(c) for c in g.cycles() if set(c) <= inside]
    comps += [{n} for n in stuck if not g.successors(n)]
    bottoms = [c for c in comps if all(t in c for n in c for t in g.successors(n))]
    preorder: dict[str, int] = {}
    stack = [g.start]
    while stack:
        n = stack.pop()
        if n in preorder:
            continue
        preorder[n] = len(preorder)
        stack.extend(reversed(g.successors(n)))
    groups: dict[int, list[str]] = {i: [] for i in range(len(bottoms))}
    for name in stuck:      # each state joins the first trap a breadth-first walk from it meets
        seen, queue = {name}, [name]
        while queue:
            hit = next((i for i, b in enumerate(bottoms) if queue[0] in b), None)
            if hit is not None:
                groups[hit].append(name)
                break
            for t in g.successors(queue.pop(0)):
                if t not in seen:
                    seen.add(t)
                    queue.append(t)
    out = []
    for i, b in enumerate(bottoms):
        entry = min(b, key=lambda n: preorder.get(n, len(preorder)))
        out.append((entry, groups[i], b))
    return sorted(out, key=lambda e: stuck.index(e[0]))


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


def _bad_name_char(c: str) -> bool:
    o = ord(c)
    return o < 0x20 or 0x7F <= o <= 0x9F or o in (0xFFFE, 0xFFFF) or 0xD800 <= o <= 0xDFFF


_BAD_NAME_CHAR = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")   # the same characters, to find one


def escaped_name(name: str, limit: int = 40) -> str:
    """A state name to print: control characters and unpaired surrogates as \\uXXXX, long names cut."""
    text = "".join(f"\\u{ord(c):04X}" if _bad_name_char(c) else c for c in name)
    return text if len(text) <= limit else text[:limit] + "…"


class StateNameControlCharacter(Rule):
    id = "SFN208"
    name = "state-name-control-character"
    group = GROUP
    severity = Severity.ERROR
    summary = "A state name contains a control character (U+0000-001F, U+007F-009F), U+FFFE/U+FFFF or a lone surrogate"
    docs = """\
## Why
The API's names (a state's name in the execution history events: `StateEnteredEventDetails.name`) may not
contain control characters (U+0000-001F, U+007F-009F, U+FFFE-FFFF) or unpaired surrogates (U+D800-DFFF).
Such a character usually comes from a value pasted with a line break or a tab, and it is invisible in most
editors and in the console.

## How to fix
Remove the character from the state name (and from the `StartAt`/`Next`/`Default` that name the state).
"""
    sources = ("https://docs.aws.amazon.com/step-functions/latest/apireference/API_StateEnteredEventDetails.html",
               "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html")
    example_fail = {"StartAt": "Start\t", "States": {"Start\t": {"Type": "Succeed"}}}
    example_pass = {"StartAt": "Start", "States": {"Start": {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            if _BAD_NAME_CHAR.search(state.name) is None:   # most names: one regex search, no call per character
                continue
            bad = sorted({c for c in state.name if _bad_name_char(c)})
            if bad:
                chars = ", ".join(f"U+{ord(c):04X}" for c in bad)
                yield Finding(state.pointer, f"State name '{escaped_name(state.name)}' contains {chars}; state names "
                                             "may not contain control characters or unpaired surrogates", key=True)


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
         StateNameTooLong, DuplicateStateName, StateNameControlCharacter)
