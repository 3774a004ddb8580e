"""SFN101-SFN106, SFN108, SFN109: which fields a state (or the top level, a branch, a retrier...) must,
may and may not have, per query language and state type."""

from __future__ import annotations

from typing import Iterator

from ....asl import spec
from ....asl.jsonata import is_expression
from ....asl.model import State
from ....asl.walk import ERROR_HANDLING_TYPES
from ....diagnostics import did_you_mean
from ...base import CheckContext, Finding, Rule, Severity
from .._common import DG, IB, IR, SMS, SPEC, TASK, TD, ptr, short, type_name
from ._common import (GROUP, JSONATA_INSTEAD, JSONPATH_INSTEAD, LENIENT, NESTED_FIELDS, field_class, nested_objects,
                      nested_rules, scope_what, typed_states)


class MissingRequiredField(Rule):
    id = "SFN101"
    name = "missing-required-field"
    group = GROUP
    severity = Severity.ERROR
    summary = "A field the state type requires is missing (StartAt, States, Type, Resource, Choices, Branches, ...)"
    docs = """\
## Why
AWS refuses the definition (`SCHEMA_VALIDATION_FAILED`, "These fields are required: [...]"): the top level,
every Parallel branch and every Map processor need `StartAt` and `States`; every state needs `Type`; a
Task needs `Resource`, a Choice `Choices`, a Parallel `Branches`, a Map `ItemProcessor` (or the deprecated
`Iterator`); a catcher needs `Next`; a top-level Choice rule needs `Next` (and `Condition` in JSONata); a
JSONata Task's `Credentials` need `RoleArn`; an `ItemReader` needs `Resource`.

## How to fix
Add the missing field. `ErrorEquals` of retriers and catchers is checked by `invalid-error-equals`.

## Known limits
In JSONPath states `Credentials` is not checked for `RoleArn` (it may be written `"RoleArn.$"` or
`RoleArnPath`).
"""
    sources = (SPEC, SMS, TASK, "observed AWS behaviour: LocalStack snapshot test_sfn_api_validation "
               "('These fields are required: [States, StartAt]'), test_credentials_base (RoleArn)")
    example_fail = {"StartAt": "T", "States": {"T": {"Type": "Task", "End": True}}}
    example_pass = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        if not m.is_object:
            yield Finding("", f"The definition is {type_name(m.document)}, not a JSON object: 'StartAt' and "
                              "'States' are missing", hint="a state machine definition is an object with StartAt and States")
            return
        for scope in m.scopes:
            for f in ("StartAt", "States"):
                if f not in scope.raw:
                    yield Finding(scope.pointer, f"{scope_what(scope)} is missing required field '{f}'", key=True,
                                  hint="add " + ('"StartAt": "<first state>"' if f == "StartAt" else '"States": {...}'))
        for state in m.states:
            raw = state.raw
            if not isinstance(raw, dict):
                continue
            if "Type" not in raw:
                yield Finding(state.pointer, f"State '{state.name}' is missing required field 'Type'", key=True,
                              hint="one of " + ", ".join(spec.STATE_TYPES))
                continue
            t = state.type
            need = {"Task": ("Resource",), "Choice": ("Choices",), "Parallel": ("Branches",)}.get(t, ())
            for f in need:
                if f not in raw:
                    yield Finding(state.pointer, f"State '{state.name}' ({t}) is missing required field '{f}'",
                                  key=True)
            if t == "Map" and "ItemProcessor" not in raw and "Iterator" not in raw:
                yield Finding(state.pointer, f"State '{state.name}' (Map) is missing required field 'ItemProcessor'",
                              key=True, hint="add an ItemProcessor with StartAt and States")
            if t in ERROR_HANDLING_TYPES:
                for i, base, c in state.entries("Catch"):
                    if "Next" not in c:
                        yield Finding(base, f"State '{state.name}': catcher {i} is missing required field 'Next'",
                                      key=True)
            if t == "Choice":
                for i, base, rule in state.entries("Choices"):
                    if "Next" not in rule:
                        yield Finding(base, f"State '{state.name}': Choice rule {i} is missing required field 'Next'",
                                      key=True)
                    if state.is_jsonata and "Condition" not in rule:
                        yield Finding(base, f"State '{state.name}': Choice rule {i} is missing required field "
                                            "'Condition' (JSONata state)", key=True,
                                      hint='add "Condition": "{% <boolean expression> %}"')
            if t == "Task" and state.is_jsonata:  # JSONPath Credentials also take "RoleArn.$" / RoleArnPath
                cred = raw.get("Credentials")
                if isinstance(cred, dict) and "RoleArn" not in cred:
                    yield Finding(ptr(state.pointer, "Credentials"),
                                  f"State '{state.name}': 'Credentials' is missing required field 'RoleArn'", key=True)
            if t == "Map":
                reader = raw.get("ItemReader")
                if isinstance(reader, dict) and "Resource" not in reader:
                    yield Finding(ptr(state.pointer, "ItemReader"),
                                  f"State '{state.name}': 'ItemReader' is missing required field 'Resource'", key=True,
                                  hint='e.g. "Resource": "arn:aws:states:::s3:getObject"')


class InvalidStateType(Rule):
    id = "SFN102"
    name = "invalid-state-type"
    group = GROUP
    severity = Severity.ERROR
    summary = "A state's Type is not one of Task, Pass, Wait, Choice, Parallel, Map, Succeed, Fail"
    docs = """\
## Why
AWS rejects the definition: "The field 'Type' should have one of these values: [Task, Wait, Pass, Succeed,
Fail, Choice, Parallel, Map]". Type names are case-sensitive and never JSONata.

## How to fix
Use one of the eight state types, spelled exactly.
"""
    sources = (SPEC, "observed AWS behaviour: LocalStack snapshot test_test_state_machine_scenarios (Type enum message)")
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Passs", "Next": "B"}, "B": {"Type": "Succeed"}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            if not isinstance(state.raw, dict) or "Type" not in state.raw or state.type is not None:
                continue
            value = state.raw["Type"]
            if ctx.machine.is_opaque(value) or is_expression(value):
                continue  # `{% %}`: jsonata-in-literal-field
            hint = did_you_mean(value, spec.STATE_TYPES) if isinstance(value, str) else None
            yield Finding(ptr(state.pointer, "Type"),
                          f"State '{state.name}': 'Type' is {short(value)!r}, not one of " + ", ".join(spec.STATE_TYPES),
                          hint=hint or "use one of " + ", ".join(spec.STATE_TYPES))


class FieldNotSupported(Rule):
    id = "SFN103"
    name = "field-not-supported"
    group = GROUP
    severity = Severity.ERROR
    summary = "A field is not supported where it is written (on this state type, top level, branch, retrier, ...)"
    docs = """\
## Why
AWS rejects unknown fields: "Field 'X' is not supported" (measured for `TimeoutSeconds` on a non-Task,
`Retry`/`Catch` on Pass/Wait/Choice/Succeed/Fail). Examples: `Output`/`Assign` on Fail, `Assign` on
Succeed, `Next`/`End` on Choice/Succeed/Fail, `Arguments` on Map (use `ItemSelector`), `ResultSelector` on
Pass, `Next` inside a nested (And/Or/Not) Choice rule. Fields that belong to the other query language are
reported by `jsonpath-field-in-jsonata-state` / `jsonata-field-in-jsonpath-state` instead.

## How to fix
Remove the field, move it to a state type that supports it, or fix its spelling (the hint suggests the
closest supported name).

## Known limits
Unknown fields inside ItemReader, ReaderConfig, ResultWriter, WriterConfig, ItemBatcher and
ProcessorConfig are warnings: AWS keeps adding options there.
"""
    sources = (SPEC, "observed AWS behaviour: floci-io/floci#2735 ('Field ... is not supported', measured with "
               "validate-state-machine-definition)")
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Retry": [], "End": True}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        if not m.is_object:
            return
        for scope in m.scopes:
            if not isinstance(scope.raw, dict):
                continue
            allowed = (spec.TOP_LEVEL_FIELDS if scope.kind == "machine" else
                       spec.BRANCH_FIELDS if scope.kind == "branch" else spec.PROCESSOR_FIELDS)
            for key in scope.raw:
                if key in allowed or (scope.kind != "machine" and key == "QueryLanguage"):
                    continue
                yield Finding(ptr(scope.pointer, key), f"{scope_what(scope)}: field '{key}' is not supported",
                              key=True, hint=did_you_mean(key, allowed))
        for state in typed_states(m):
            t = state.type
            for key in state.raw:
                if field_class(t, key) != "unknown":
                    continue
                hint = did_you_mean(key, spec.allowed_fields(t))
                if key == "Arguments" and t == "Map":
                    hint = "a Map passes data to iterations with ItemSelector"
                elif key in ("Retry", "Catch"):
                    hint = "only Task, Parallel and Map states can retry or catch errors"
                elif key in ("Next", "End") and t in ("Choice", "Succeed", "Fail"):
                    hint = ("a Choice state transitions through its Choices and Default" if t == "Choice"
                            else f"a {t} state always ends its scope")
                yield Finding(ptr(state.pointer, key), f"State '{state.name}': field '{key}' is not supported on "
                                                       f"a {t} state", key=True, hint=hint)
            yield from self._nested(state)

    def _nested(self, state: State) -> Iterator[Finding]:
        jsonata = state.is_jsonata
        t = state.type
        if t in ERROR_HANDLING_TYPES:
            allowed_c = spec.CATCHER_FIELDS_BOTH | spec.CATCHER_JSONPATH_ONLY | spec.CATCHER_JSONATA_ONLY
            for i, base, c in state.entries("Catch"):
                for key in c:
                    if key not in allowed_c:
                        yield Finding(ptr(base, key), f"State '{state.name}': field '{key}' is not supported in "
                                                      f"catcher {i}", key=True, hint=did_you_mean(key, allowed_c))
            for i, base, r in state.entries("Retry"):
                for key in r:
                    if key not in spec.RETRIER_FIELDS:
                        yield Finding(ptr(base, key), f"State '{state.name}': field '{key}' is not supported in "
                                                      f"retrier {i}", key=True,
                                      hint=did_you_mean(key, spec.RETRIER_FIELDS))
        if t == "Choice":
            for i, base, rule in state.entries("Choices"):
                allowed_r = spec.CHOICE_RULE_JSONATA | spec.CHOICE_RULE_JSONPATH_TOP
                for key in rule:
                    if key not in allowed_r:
                        yield Finding(ptr(base, key), f"State '{state.name}': field '{key}' is not supported in "
                                                      f"Choice rule {i}", key=True, hint=did_you_mean(key, allowed_r))
                if not jsonata:
                    for npointer, nrule in nested_rules(rule, base):
                        for key in nrule:
                            if key in ("Next", "Assign", "Condition", "Output"):
                                yield Finding(ptr(npointer, key),
                                              f"State '{state.name}': field '{key}' is not supported in a nested "
                                              f"(And/Or/Not) rule of Choice rule {i}", key=True,
                                              hint="only top-level Choice rules have Next/Assign")
                            elif key not in spec.CHOICE_RULE_JSONPATH_TOP:
                                yield Finding(ptr(npointer, key),
                                              f"State '{state.name}': field '{key}' is not supported in Choice rule {i}",
                                              key=True, hint=did_you_mean(key, spec.COMPARISON_OPERATORS))
        for container, base, node in nested_objects(state):
            if container == "Credentials" and not jsonata:
                continue  # a payload template in JSONPath ("RoleArn.$"); AWS's exact rules there are unrecorded
            both, jp, ja = NESTED_FIELDS[container]
            for key in node:
                if key in both or key in jp or key in ja:
                    continue
                sev = Severity.WARNING if container in LENIENT else None
                yield Finding(ptr(base, key), f"State '{state.name}': field '{key}' is not supported in '{container}'",
                              key=True, hint=did_you_mean(key, both | jp | ja), severity=sev)


class JsonPathFieldInJsonataState(Rule):
    id = "SFN104"
    name = "jsonpath-field-in-jsonata-state"
    group = GROUP
    severity = Severity.ERROR
    summary = "A JSONPath-only field (Parameters, ResultPath, InputPath, ...Path, Variable, ...) in a JSONata state"
    docs = """\
## Why
In a JSONata state AWS refuses the JSONPath data-flow fields: `InputPath`, `OutputPath`, `Parameters`,
`ResultSelector`, `ResultPath`, Pass `Result`, `ItemsPath`, every `...Path` variant, Choice `Variable` and
comparison operators, catcher `ResultPath`, ItemReader/ResultWriter `Parameters` (`SCHEMA_VALIDATION_FAILED`
at `/States/<name>/<field>`). The state's language is its own `QueryLanguage`, else the top-level one.

## How to fix
Use the JSONata equivalent: `Arguments` instead of `Parameters`, `Output` instead of
`ResultSelector`/`ResultPath`/`OutputPath`, `Items` instead of `ItemsPath`, a `{% %}` value instead of a
`...Path` field, `Condition` instead of `Variable` + operator. Or set `"QueryLanguage": "JSONPath"` on the
state (only under a JSONPath machine).
"""
    sources = (SPEC, TD, "observed AWS behaviour: floci-io/floci StepFunctionsValidateStateMachineDefinitionIntegrationTest "
               "(one diagnostic per JSONPath field in a JSONata state)")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Parameters": {"x": 1}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": {"x": 1}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in typed_states(ctx.machine):
            if not state.is_jsonata:
                continue
            t = state.type
            for key in state.raw:
                if field_class(t, key) == "jsonpath":
                    yield self._f(state, ptr(state.pointer, key), key, "")
            for i, base, c in state.entries("Catch") if t in ERROR_HANDLING_TYPES else ():
                if "ResultPath" in c:
                    yield self._f(state, ptr(base, "ResultPath"), "ResultPath", f" of catcher {i}", "Output")
            if t == "Choice":
                for i, base, rule in state.entries("Choices"):
                    for key in rule:
                        if key in spec.COMPARISON_OPERATORS or key in spec.BOOLEAN_OPERATORS or key == "Variable":
                            yield self._f(state, ptr(base, key), key, f" of Choice rule {i}",
                                          "Condition with a JSONata boolean expression")
            for container, base, node in nested_objects(state):
                _, jp, _ = NESTED_FIELDS[container]
                for key in node:
                    if key in jp:
                        yield self._f(state, ptr(base, key), key, f" in '{container}'")

    def _f(self, state: State, pointer: str, key: str, where: str, instead: str | None = None) -> Finding:
        instead = instead or JSONATA_INSTEAD.get(key)
        return Finding(pointer, f"State '{state.name}' uses JSONata: field '{key}'{where} is only supported for "
                                "JSONPath", key=True,
                       hint=f"use {instead}" if instead else "remove it; JSONata states use Arguments/Output/Assign")


class JsonataFieldInJsonPathState(Rule):
    id = "SFN105"
    name = "jsonata-field-in-jsonpath-state"
    group = GROUP
    severity = Severity.ERROR
    summary = "A JSONata-only field (Arguments, Output, Items, Condition, ...) in a JSONPath state"
    docs = """\
## Why
AWS refuses it: "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the
'JSONata' QueryLanguage". JSONata-only fields: `Arguments`, `Output`, Map `Items`, Choice-rule `Condition`
and `Output`, catcher `Output`, ItemReader/ResultWriter `Arguments`. A state is JSONPath unless it or the
top level sets `"QueryLanguage": "JSONata"` (a Map/Parallel's own setting does not reach its inner states).
`Assign` is valid in both languages.

## How to fix
Set `"QueryLanguage": "JSONata"` on the state (or on the whole machine), or use the JSONPath fields
(`Parameters`, `ResultSelector`/`ResultPath`/`OutputPath`, `ItemsPath`, `Variable` + operator).
"""
    sources = (SPEC, TD, "observed AWS behaviour: floci-io/floci#2968 (message quoted from "
               "validate-state-machine-definition)")
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {"x": 1}, "End": True}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata",
                                                     "Output": {"x": 1}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in typed_states(ctx.machine):
            if state.is_jsonata:
                continue
            t = state.type
            for key in state.raw:
                if field_class(t, key) == "jsonata":
                    yield self._f(state, ptr(state.pointer, key), key, "")
            for i, base, c in state.entries("Catch") if t in ERROR_HANDLING_TYPES else ():
                if "Output" in c:
                    yield self._f(state, ptr(base, "Output"), "Output", f" of catcher {i}")
            if t == "Choice":
                for i, base, rule in state.entries("Choices"):
                    for key in ("Condition", "Output"):
                        if key in rule:
                            yield self._f(state, ptr(base, key), key, f" of Choice rule {i}")
            for container, base, node in nested_objects(state):
                _, _, ja = NESTED_FIELDS[container]
                for key in node:
                    if key in ja:
                        yield self._f(state, ptr(base, key), key, f" in '{container}'")

    def _f(self, state: State, pointer: str, key: str, where: str) -> Finding:
        instead = JSONPATH_INSTEAD.get(key, "the JSONPath fields")
        inner = state.scope.parent_state is not None
        hint = (f'set "QueryLanguage": "JSONata" on the state, or use {instead}'
                + (" (inner states do not inherit the enclosing Map/Parallel's QueryLanguage)" if inner else ""))
        return Finding(pointer, f"State '{state.name}' uses JSONPath: field '{key}'{where} is only supported for "
                                "JSONata", key=True, hint=hint)


class InvalidQueryLanguage(Rule):
    id = "SFN106"
    name = "invalid-query-language"
    group = GROUP
    severity = Severity.ERROR
    summary = "QueryLanguage is not JSONPath/JSONata, a JSONPath state sits in a JSONata machine, or it is set on a branch/processor"
    docs = """\
## Why
- `QueryLanguage` must be exactly `"JSONPath"` or `"JSONata"`.
- A machine whose top level is JSONata cannot hold a JSONPath state: "'QueryLanguage' can not be
  'JSONPath' if set to 'JSONata' for whole state machine" (measured).
- `ItemProcessor` / `Iterator` objects (and Parallel branches) do not take `QueryLanguage`: "Field
  'QueryLanguage' is not supported" (measured). Inner states follow the top-level language, not the
  enclosing Map/Parallel's.

## How to fix
Spell the value exactly; remove the JSONPath override (or make the top level JSONPath and opt states into
JSONata one by one); set `QueryLanguage` on the inner states themselves instead of on the processor.
"""
    sources = (SPEC, SMS, TD, "observed AWS behaviour: LocalStack snapshot test_sfn_api_validation "
               "(JSONPath under JSONata); floci-io/floci#2968 (QueryLanguage on ItemProcessor)")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        if not m.is_object:
            return
        top = m.document.get("QueryLanguage")
        if "QueryLanguage" in m.document and top not in spec.QUERY_LANGUAGES and not m.is_opaque(top):
            yield Finding("/QueryLanguage", f"Top-level 'QueryLanguage' is {short(top)!r}, not 'JSONPath' or 'JSONata'",
                          hint=did_you_mean(top, spec.QUERY_LANGUAGES) if isinstance(top, str) else None)
        for state in m.states:
            if not isinstance(state.raw, dict) or "QueryLanguage" not in state.raw:
                continue
            value = state.raw["QueryLanguage"]
            pointer = ptr(state.pointer, "QueryLanguage")
            if value not in spec.QUERY_LANGUAGES:
                if not m.is_opaque(value):
                    yield Finding(pointer, f"State '{state.name}': 'QueryLanguage' is {short(value)!r}, not 'JSONPath' "
                                           "or 'JSONata'",
                                  hint=did_you_mean(value, spec.QUERY_LANGUAGES) if isinstance(value, str) else None)
            elif value == spec.JSONPATH and m.query_language == spec.JSONATA:
                yield Finding(pointer, f"State '{state.name}': 'QueryLanguage' cannot be 'JSONPath' when the state "
                                       "machine's top-level QueryLanguage is 'JSONata'",
                              hint="rewrite the state in JSONata, or make the top level JSONPath and set "
                                   "\"QueryLanguage\": \"JSONata\" on the JSONata states")
        for scope in m.scopes:
            if scope.kind != "machine" and isinstance(scope.raw, dict) and "QueryLanguage" in scope.raw:
                where = scope.pointer.rsplit("/", 1)[-1] if scope.kind == "processor" else "a Parallel branch"
                yield Finding(ptr(scope.pointer, "QueryLanguage"),
                              f"State '{scope.parent_state.name}': field 'QueryLanguage' is not supported on "
                              f"{'its ' + where if scope.kind == 'processor' else where}", key=True,
                              hint="inner states follow the top-level QueryLanguage; set it on each inner state")


class TransitionFieldsInvalid(Rule):
    id = "SFN108"
    name = "invalid-next-or-end"
    group = GROUP
    severity = Severity.ERROR
    summary = "A Task/Pass/Wait/Parallel/Map state needs exactly one of Next and End: true"
    docs = """\
## Why
Every non-terminal state other than Choice must say where to go: either `"Next": "<state>"` or
`"End": true`, never both and never neither; `End` may only be `true`.

## How to fix
Add `Next` (or `"End": true`) and remove the other one.
"""
    sources = (SPEC, SMS)
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B", "End": True},
                                               "B": {"Type": "Succeed"}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in typed_states(ctx.machine):
            if state.type not in spec.NEEDS_TRANSITION:
                continue
            raw = state.raw
            has_next, has_end = "Next" in raw, "End" in raw
            if has_end and raw["End"] is not True and not ctx.machine.is_opaque(raw["End"]):
                yield Finding(ptr(state.pointer, "End"), f"State '{state.name}': 'End' is {short(raw['End'])!r}; it "
                                                         "may only be true", hint="remove End and use Next instead"
                                                                                  if has_next else 'use "End": true')
            if has_next and has_end:
                if raw["End"] is True:
                    yield Finding(ptr(state.pointer, "End"), f"State '{state.name}' has both 'Next' and 'End'",
                                  key=True, hint="keep one of them")
            elif not has_next and not has_end:
                yield Finding(state.pointer, f"State '{state.name}' ({state.type}) has neither 'Next' nor 'End'",
                              key=True, hint='add "Next": "<state>" or "End": true')


class ConflictingFields(Rule):
    id = "SFN109"
    name = "conflicting-fields"
    group = GROUP
    severity = Severity.ERROR
    summary = "Fields that exclude each other are both set (TimeoutSeconds and TimeoutSecondsPath, Seconds and Timestamp, ...)"
    docs = """\
## Why
AWS accepts at most one of: `TimeoutSeconds`/`TimeoutSecondsPath`, `HeartbeatSeconds`/
`HeartbeatSecondsPath`, Fail `Error`/`ErrorPath` and `Cause`/`CausePath`, Map `ItemProcessor`/`Iterator`,
Map `Parameters`/`ItemSelector`, `MaxConcurrency`/`MaxConcurrencyPath`, `ToleratedFailure...` and their
`Path`, ItemBatcher and ReaderConfig limits and their `Path`, `Credentials.RoleArn`/`RoleArnPath`; a Wait
state needs exactly one of `Seconds`, `Timestamp`, `SecondsPath`, `TimestampPath`.

## How to fix
Keep one of the two fields.
"""
    sources = (SPEC, TASK, f"{DG}/state-wait.html", f"{DG}/state-map.html", IB, IR)
    example_fail = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "Timestamp": "2026-01-01T00:00:00Z",
                                                     "End": True}}}
    example_pass = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}

    PAIRS = (("TimeoutSeconds", "TimeoutSecondsPath"), ("HeartbeatSeconds", "HeartbeatSecondsPath"),
             ("Error", "ErrorPath"), ("Cause", "CausePath"), ("ItemProcessor", "Iterator"),
             ("Parameters", "ItemSelector"), ("MaxConcurrency", "MaxConcurrencyPath"),
             ("ToleratedFailureCount", "ToleratedFailureCountPath"),
             ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"))
    NESTED = (("Credentials", ("RoleArn", "RoleArnPath")), ("ItemBatcher", ("MaxItemsPerBatch", "MaxItemsPerBatchPath")),
              ("ItemBatcher", ("MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath")),
              ("ReaderConfig", ("MaxItems", "MaxItemsPath")))

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in typed_states(ctx.machine):
            raw = state.raw
            allowed = spec.allowed_fields(state.type)
            for a, b in self.PAIRS:
                if a in raw and b in raw and a in allowed and b in allowed:
                    yield Finding(ptr(state.pointer, b), f"State '{state.name}' sets both '{a}' and '{b}'", key=True,
                                  hint="keep one of them")
            if state.type == "Wait":
                present = [f for f in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if f in raw]
                if len(present) > 1:
                    yield Finding(ptr(state.pointer, present[1]), f"State '{state.name}' (Wait) sets "
                                  + " and ".join(f"'{f}'" for f in present) + "; exactly one is allowed", key=True,
                                  hint="keep one way of saying how long to wait")
                elif not present:
                    yield Finding(state.pointer, f"State '{state.name}' (Wait) needs one of 'Seconds', 'Timestamp'"
                                  + ("" if state.is_jsonata else ", 'SecondsPath', 'TimestampPath'"), key=True)
            for container, base, node in nested_objects(state):
                for c, (a, b) in self.NESTED:
                    if c == container and a in node and b in node:
                        yield Finding(ptr(base, b), f"State '{state.name}': '{container}' sets both '{a}' and '{b}'",
                                      key=True, hint="keep one of them")
