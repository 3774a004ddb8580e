"""SFN1xx: structure of the definition per query language and state type.

Checked in code with field tables (`sfn_compiler.asl.spec`) rather than a JSON Schema, so every message
names the state and the field instead of "must match exactly one schema in oneOf".
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ...asl import spec
from ...asl.jsonata import is_expression
from ...asl.model import Machine, Scope, State
from ...asl.walk import ERROR_HANDLING_TYPES
from ..base import CheckContext, Finding, Rule, Severity
from ._common import (DG, IB, IF, IR, MAPD, QUOTA, RW, SMS, SPEC, TASK, TD, did_you_mean, is_int, is_number, ptr,
                      short, type_name)

GROUP = "structure"

# replacements suggested when a field belongs to the other query language
_JSONATA_INSTEAD = {
    "Parameters": "Arguments", "ResultSelector": "Output", "ResultPath": "Output (or Assign)",
    "OutputPath": "Output", "InputPath": "$states.input inside Arguments/Output", "Result": "Output",
    "ItemsPath": "Items", "TimeoutSecondsPath": "TimeoutSeconds with a {% %} expression",
    "HeartbeatSecondsPath": "HeartbeatSeconds with a {% %} expression", "SecondsPath": "Seconds with a {% %} expression",
    "TimestampPath": "Timestamp with a {% %} expression", "ErrorPath": "Error with a {% %} expression",
    "CausePath": "Cause with a {% %} expression", "MaxConcurrencyPath": "MaxConcurrency with a {% %} expression",
    "ToleratedFailureCountPath": "ToleratedFailureCount with a {% %} expression",
    "ToleratedFailurePercentagePath": "ToleratedFailurePercentage with a {% %} expression",
    "Variable": "Condition", "RoleArnPath": "RoleArn with a {% %} expression",
    "MaxItemsPath": "MaxItems with a {% %} expression", "MaxItemsPerBatchPath": "MaxItemsPerBatch with a {% %} expression",
    "MaxInputBytesPerBatchPath": "MaxInputBytesPerBatch with a {% %} expression",
}
_JSONPATH_INSTEAD = {"Arguments": "Parameters", "Output": "ResultSelector/ResultPath/OutputPath", "Items": "ItemsPath",
                     "Condition": "Variable with a comparison operator"}

_NESTED_FIELDS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    # container: (both, JSONPath-only, JSONata-only)
    "Credentials": (frozenset({"RoleArn"}), frozenset({"RoleArnPath"}), frozenset()),
    "ItemReader": (frozenset({"Resource", "ReaderConfig"}), frozenset({"Parameters"}), frozenset({"Arguments"})),
    "ResultWriter": (frozenset({"Resource", "WriterConfig"}), frozenset({"Parameters"}), frozenset({"Arguments"})),
    "ItemBatcher": (frozenset({"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"}),
                    frozenset({"MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"}), frozenset()),
    "ReaderConfig": (frozenset({"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems",
                                "ManifestType", "Transformation"}), frozenset({"MaxItemsPath"}), frozenset()),
    "ProcessorConfig": (frozenset({"Mode", "ExecutionType"}), frozenset(), frozenset()),
    "WriterConfig": (frozenset({"Transformation", "OutputType"}), frozenset(), frozenset()),
}
# unknown fields in these newer, still-growing objects are warnings (AWS adds fields here)
_LENIENT = frozenset({"ItemReader", "ReaderConfig", "ResultWriter", "WriterConfig", "ItemBatcher", "ProcessorConfig"})


def _nested_objects(state: State) -> Iterator[tuple[str, str, dict]]:
    """(container name, pointer, object) for the nested configuration objects of a state."""
    raw = state.raw
    for key in ("Credentials", "ItemReader", "ResultWriter", "ItemBatcher"):
        node = raw.get(key)
        if isinstance(node, dict):
            yield key, ptr(state.pointer, key), node
            if key == "ItemReader" and isinstance(node.get("ReaderConfig"), dict):
                yield "ReaderConfig", ptr(state.pointer, key, "ReaderConfig"), node["ReaderConfig"]
            if key == "ResultWriter" and isinstance(node.get("WriterConfig"), dict):
                yield "WriterConfig", ptr(state.pointer, key, "WriterConfig"), node["WriterConfig"]
    for key in ("ItemProcessor", "Iterator"):
        proc = raw.get(key)
        if isinstance(proc, dict) and isinstance(proc.get("ProcessorConfig"), dict):
            yield "ProcessorConfig", ptr(state.pointer, key, "ProcessorConfig"), proc["ProcessorConfig"]


def _typed_states(m: Machine) -> Iterator[State]:
    for state in m.states:
        if state.type is not None:
            yield state


def _ql_word(state: State) -> str:
    return "JSONata" if state.is_jsonata else "JSONPath"


def _field_class(state_type: str, key: str) -> str:
    if key in spec.COMMON or key in spec.BOTH[state_type]:
        return "ok"
    if key in spec.JSONPATH_ONLY[state_type]:
        return "jsonpath"
    if key in spec.JSONATA_ONLY[state_type]:
        return "jsonata"
    return "unknown"


def _nested_rules(rule: dict, base: str, depth: int = 0) -> Iterator[tuple[str, dict]]:
    """Rules nested under And / Or / Not (JSONPath), with their pointers."""
    if depth > 50:
        return
    for key in ("And", "Or"):
        sub = rule.get(key)
        if isinstance(sub, list):
            for j, r in enumerate(sub):
                if isinstance(r, dict):
                    yield ptr(base, key, j), r
                    yield from _nested_rules(r, ptr(base, key, j), depth + 1)
    sub = rule.get("Not")
    if isinstance(sub, dict):
        yield base + "/Not", sub
        yield from _nested_rules(sub, base + "/Not", depth + 1)


def _scope_what(scope: Scope) -> str:
    if scope.parent_state is None:
        return "The state machine"
    if scope.kind == "branch":
        return f"State '{scope.parent_state.name}': branch {scope.pointer.rsplit('/', 1)[-1]}"
    return f"State '{scope.parent_state.name}': {scope.pointer.rsplit('/', 1)[-1]}"


# ---------------------------------------------------------------------------------------------------


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
                    yield Finding(scope.pointer, f"{_scope_what(scope)} is missing required field '{f}'", key=True,
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
                yield Finding(ptr(scope.pointer, key), f"{_scope_what(scope)}: field '{key}' is not supported",
                              key=True, hint=did_you_mean(key, allowed))
        for state in _typed_states(m):
            t = state.type
            for key in state.raw:
                if _field_class(t, key) != "unknown":
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
                    for npointer, nrule in _nested_rules(rule, base):
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
        for container, base, node in _nested_objects(state):
            if container == "Credentials" and not jsonata:
                continue  # a payload template in JSONPath ("RoleArn.$"); AWS's exact rules there are unrecorded
            both, jp, ja = _NESTED_FIELDS[container]
            for key in node:
                if key in both or key in jp or key in ja:
                    continue
                sev = Severity.WARNING if container in _LENIENT else None
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
        for state in _typed_states(ctx.machine):
            if not state.is_jsonata:
                continue
            t = state.type
            for key in state.raw:
                if _field_class(t, key) == "jsonpath":
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
            for container, base, node in _nested_objects(state):
                _, jp, _ = _NESTED_FIELDS[container]
                for key in node:
                    if key in jp:
                        yield self._f(state, ptr(base, key), key, f" in '{container}'")

    def _f(self, state: State, pointer: str, key: str, where: str, instead: str | None = None) -> Finding:
        instead = instead or _JSONATA_INSTEAD.get(key)
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
        for state in _typed_states(ctx.machine):
            if state.is_jsonata:
                continue
            t = state.type
            for key in state.raw:
                if _field_class(t, key) == "jsonata":
                    yield self._f(state, ptr(state.pointer, key), key, "")
            for i, base, c in state.entries("Catch") if t in ERROR_HANDLING_TYPES else ():
                if "Output" in c:
                    yield self._f(state, ptr(base, "Output"), "Output", f" of catcher {i}")
            if t == "Choice":
                for i, base, rule in state.entries("Choices"):
                    for key in ("Condition", "Output"):
                        if key in rule:
                            yield self._f(state, ptr(base, key), key, f" of Choice rule {i}")
            for container, base, node in _nested_objects(state):
                _, _, ja = _NESTED_FIELDS[container]
                for key in node:
                    if key in ja:
                        yield self._f(state, ptr(base, key), key, f" in '{container}'")

    def _f(self, state: State, pointer: str, key: str, where: str) -> Finding:
        instead = _JSONPATH_INSTEAD.get(key, "the JSONPath fields")
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


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
MAX_SECONDS = 99_999_999


class InvalidFieldValue(Rule):
    id = "SFN107"
    name = "invalid-field-value"
    group = GROUP
    severity = Severity.ERROR
    summary = "A field has the wrong type or is out of range (TimeoutSeconds, Seconds, Timestamp, Branches, Choices, ...)"
    docs = """\
## Why
AWS checks literal values: `TimeoutSeconds`/`HeartbeatSeconds` positive integers, Wait `Seconds` an
integer ≥ 0 and `Timestamp` an RFC 3339 timestamp (uppercase `T`, `Z` or a numeric offset),
`MaxConcurrency`/`ToleratedFailureCount` integers ≥ 0, `ToleratedFailurePercentage` 0–100, `Branches` and
`Choices` non-empty arrays, `States` an object of state objects, `Next`/`Default`/`StartAt`/`Comment`/
`Resource` strings, `Assign` an object, `Retry`/`Catch` arrays of objects. In a JSONata state these
fields may instead hold one whole `{% %}` expression; in a JSONPath state a `{% %}` string is just a
string (use the `...Path` field).

## How to fix
Give the field a value of the documented type and range.

## Known limits
Values computed by JSONata are only checked at run time. JSONata in the top-level `TimeoutSeconds` is
reported as a warning (AWS does not document it). With opaque placeholders, `${...}` values pass.
"""
    sources = (SPEC, TASK, f"{DG}/state-wait.html", f"{DG}/state-map.html", QUOTA,
               "observed AWS behaviour: LocalStack snapshot test_state_mock_validation ('Value cannot be empty' "
               "for Branches)")
    example_fail = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": -5, "End": True}}}
    example_pass = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        if not m.is_object:
            return
        doc = m.document
        yield from self._top(m, doc)
        for scope in m.scopes:
            if not isinstance(scope.raw, dict):
                continue
            for f in ("StartAt", "Comment"):
                if f in scope.raw and scope.kind != "machine":
                    yield from self._string(m, None, ptr(scope.pointer, f), scope.raw[f], f"{_scope_what(scope)}: '{f}'")
            states = scope.raw.get("States")
            if "States" in scope.raw and not isinstance(states, dict):
                yield Finding(ptr(scope.pointer, "States"),
                              f"{_scope_what(scope)}: 'States' is {type_name(states)}, not an object of states")
            elif isinstance(states, dict) and not states:
                yield Finding(ptr(scope.pointer, "States"), f"{_scope_what(scope)}: 'States' is empty",
                              hint="add at least one state")
        for state in m.states:
            if not isinstance(state.raw, dict):
                if not m.is_opaque(state.raw):
                    hint = (f"'{state.name}' is a top-level field; move it out of States"
                            if state.name in spec.TOP_LEVEL_FIELDS and state.scope.kind == "machine" else None)
                    yield Finding(state.pointer, f"State '{state.name}' is {type_name(state.raw)}, not an object",
                                  hint=hint)
                continue
            if state.type is None:
                continue
            yield from self._state(m, state)

    # -------------------------------------------------------------- helpers

    def _string(self, m: Machine, state: State | None, pointer: str, value: Any, what: str) -> Iterator[Finding]:
        if not isinstance(value, str) and not m.is_opaque(value):
            yield Finding(pointer, f"{what} is {type_name(value)}, not a string")

    def _int(self, m: Machine, state: State | None, pointer: str, value: Any, what: str, minimum: int,
             maximum: int | None = None, jsonata_ok: bool = True, path_field: str | None = None) -> Iterator[Finding]:
        if m.is_opaque(value):
            return
        if isinstance(value, str) and is_expression(value):
            if state is not None and state.is_jsonata and jsonata_ok:
                return
            hint = (f"JSONata is not evaluated in a JSONPath state; use '{path_field}'" if path_field and state is not None
                    and not state.is_jsonata else None)
            yield Finding(pointer, f"{what} is a {{% %}} string, but this field is not evaluated here", hint=hint)
            return
        if not is_int(value):
            hint = None
            if isinstance(value, str) and path_field and value.startswith("$"):
                hint = f"a path goes in '{path_field}'"
            elif isinstance(value, str) and state is not None and state.is_jsonata:
                hint = "write a number, or a whole {% %} expression"
            yield Finding(pointer, f"{what} is {type_name(value)} {short(value)!r}, not an integer", hint=hint)
            return
        if value < minimum or (maximum is not None and value > maximum):
            rng = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            yield Finding(pointer, f"{what} is {value}, it must be {rng}")

    def _top(self, m: Machine, doc: dict) -> Iterator[Finding]:
        for f in ("StartAt", "Comment", "Version"):
            if f in doc:
                yield from self._string(m, None, "/" + f, doc[f], f"Top-level '{f}'")
        if "TimeoutSeconds" in doc:
            v = doc["TimeoutSeconds"]
            if isinstance(v, str) and is_expression(v):
                yield Finding("/TimeoutSeconds", "Top-level 'TimeoutSeconds' is a {% %} expression; AWS documents "
                                                 "only an integer here", severity=Severity.WARNING,
                              hint="use a literal number of seconds")
            else:
                yield from self._int(m, None, "/TimeoutSeconds", v, "Top-level 'TimeoutSeconds'", 1, None, False)

    def _state(self, m: Machine, state: State) -> Iterator[Finding]:
        raw, t, name, p = state.raw, state.type, state.name, state.pointer
        w = f"State '{name}':"
        for f in ("Comment", "Resource", "Default", "Label"):
            if f in raw and f in spec.allowed_fields(t):
                yield from self._string(m, state, ptr(p, f), raw[f], f"{w} '{f}'")
        if "Next" in raw and t != "Choice" and "Next" in spec.allowed_fields(t):
            yield from self._string(m, state, ptr(p, "Next"), raw["Next"], f"{w} 'Next'")
        if t == "Task" and isinstance(raw.get("Resource"), str) and not raw["Resource"].strip():
            yield Finding(ptr(p, "Resource"), f"{w} 'Resource' is empty", hint="give the ARN of the integration")
        if t == "Task":
            for f in ("TimeoutSeconds", "HeartbeatSeconds"):
                if f in raw:
                    yield from self._int(m, state, ptr(p, f), raw[f], f"{w} '{f}'", 1, MAX_SECONDS, path_field=f + "Path")
            if "Credentials" in raw and not isinstance(raw["Credentials"], dict) and not m.is_opaque(raw["Credentials"]):
                yield Finding(ptr(p, "Credentials"), f"{w} 'Credentials' is {type_name(raw['Credentials'])}, not an object",
                              hint='"Credentials": {"RoleArn": "arn:aws:iam::<account>:role/<name>"}')
            cred = raw.get("Credentials")
            if isinstance(cred, dict) and "RoleArn" in cred:
                v = cred["RoleArn"]
                if not (isinstance(v, str) or m.is_opaque(v)):
                    yield Finding(ptr(p, "Credentials", "RoleArn"), f"{w} 'Credentials.RoleArn' is {type_name(v)}, "
                                                                    "not a string")
        if t == "Wait":
            if "Seconds" in raw:
                yield from self._int(m, state, ptr(p, "Seconds"), raw["Seconds"], f"{w} 'Seconds'", 0, MAX_SECONDS,
                                     path_field="SecondsPath")
            if "Timestamp" in raw:
                v = raw["Timestamp"]
                if m.is_opaque(v) or (state.is_jsonata and is_expression(v)):
                    pass
                elif not isinstance(v, str):
                    yield Finding(ptr(p, "Timestamp"), f"{w} 'Timestamp' is {type_name(v)}, not a timestamp string")
                elif not _RFC3339.match(v):
                    hint = ("a path goes in 'TimestampPath'" if v.startswith("$") and not state.is_jsonata else
                            "e.g. \"2026-03-14T01:59:00Z\" (uppercase T and Z)")
                    yield Finding(ptr(p, "Timestamp"), f"{w} 'Timestamp' {short(v)!r} is not an RFC 3339 timestamp",
                                  hint=hint)
        if t == "Fail":
            for f in ("Error", "Cause"):
                if f in raw:
                    yield from self._string(m, state, ptr(p, f), raw[f], f"{w} '{f}'")
        if t == "Map":
            if "MaxConcurrency" in raw:
                yield from self._int(m, state, ptr(p, "MaxConcurrency"), raw["MaxConcurrency"], f"{w} 'MaxConcurrency'",
                                     0, None, path_field="MaxConcurrencyPath")
            if "ToleratedFailureCount" in raw:
                yield from self._int(m, state, ptr(p, "ToleratedFailureCount"), raw["ToleratedFailureCount"],
                                     f"{w} 'ToleratedFailureCount'", 0, None, path_field="ToleratedFailureCountPath")
            if "ToleratedFailurePercentage" in raw:
                v = raw["ToleratedFailurePercentage"]
                if m.is_opaque(v) or (state.is_jsonata and is_expression(v)):
                    pass
                elif not is_number(v):
                    yield Finding(ptr(p, "ToleratedFailurePercentage"),
                                  f"{w} 'ToleratedFailurePercentage' is {type_name(v)}, not a number")
                elif not 0 <= v <= 100:
                    yield Finding(ptr(p, "ToleratedFailurePercentage"),
                                  f"{w} 'ToleratedFailurePercentage' is {v}, it must be between 0 and 100")
            if "Items" in raw and state.is_jsonata:
                v = raw["Items"]
                if not (isinstance(v, (list, dict)) or is_expression(v) or m.is_opaque(v)):
                    yield Finding(ptr(p, "Items"), f"{w} 'Items' is {type_name(v)} {short(v)!r}, not an array or a "
                                                   "{% %} expression", hint="e.g. \"Items\": \"{% $states.input.items %}\"")
            for key in ("ItemProcessor", "Iterator"):
                if key in raw and not isinstance(raw[key], dict) and not m.is_opaque(raw[key]):
                    yield Finding(ptr(p, key), f"{w} '{key}' is {type_name(raw[key])}, not an object with StartAt and States")
        if t == "Parallel" and "Branches" in raw:
            v = raw["Branches"]
            if m.is_opaque(v):
                pass
            elif not isinstance(v, list):
                yield Finding(ptr(p, "Branches"), f"{w} 'Branches' is {type_name(v)}, not an array of branches")
            elif not v:
                yield Finding(ptr(p, "Branches"), f"{w} 'Branches' is empty", hint="add at least one branch")
            else:
                for i, b in enumerate(v):
                    if not isinstance(b, dict):
                        yield Finding(ptr(p, "Branches", i), f"{w} branch {i} is {type_name(b)}, not an object with "
                                                             "StartAt and States")
        if t == "Choice" and "Choices" in raw:
            v = raw["Choices"]
            if m.is_opaque(v):
                pass
            elif not isinstance(v, list):
                yield Finding(ptr(p, "Choices"), f"{w} 'Choices' is {type_name(v)} {short(v)!r}, not an array of rules")
            elif not v:
                yield Finding(ptr(p, "Choices"), f"{w} 'Choices' is empty", hint="add at least one Choice rule")
            else:
                for i, rule in enumerate(v):
                    if not isinstance(rule, dict):
                        yield Finding(ptr(p, "Choices", i), f"{w} Choice rule {i} is {type_name(rule)}, not an object")
                    elif "Next" in rule:
                        yield from self._string(m, state, ptr(p, "Choices", i, "Next"), rule["Next"],
                                                f"{w} 'Next' of Choice rule {i}")
        if "Arguments" in raw and t in ("Task", "Parallel") and state.is_jsonata:
            v = raw["Arguments"]
            if not (isinstance(v, dict) or is_expression(v) or m.is_opaque(v)):
                yield Finding(ptr(p, "Arguments"), f"{w} 'Arguments' is {type_name(v)}, not an object or a {{% %}} "
                                                   "expression")
        for f in ("Retry", "Catch"):
            if f in raw and f in spec.allowed_fields(t):
                v = raw[f]
                if m.is_opaque(v):
                    continue
                if not isinstance(v, list):
                    yield Finding(ptr(p, f), f"{w} '{f}' is {type_name(v)}, not an array")
                    continue
                for i, item in enumerate(v):
                    if not isinstance(item, dict) and not m.is_opaque(item):
                        yield Finding(ptr(p, f, i), f"{w} {f} entry {i} is {type_name(item)}, not an object")
                    elif f == "Catch" and isinstance(item, dict) and "Next" in item:
                        yield from self._string(m, state, ptr(p, f, i, "Next"), item["Next"],
                                                f"{w} 'Next' of catcher {i}")
        if "Assign" in raw and "Assign" in spec.allowed_fields(t):
            yield from self._assign(m, state, ptr(p, "Assign"), raw["Assign"], w + " 'Assign'")
        if t == "Choice":
            for i, base, rule in state.entries("Choices"):
                if "Assign" in rule:
                    yield from self._assign(m, state, ptr(base, "Assign"), rule["Assign"],
                                            f"{w} 'Assign' of Choice rule {i}")
        if t in ERROR_HANDLING_TYPES:
            for i, base, c in state.entries("Catch"):
                if "Assign" in c:
                    yield from self._assign(m, state, ptr(base, "Assign"), c["Assign"], f"{w} 'Assign' of catcher {i}")
        if not state.is_jsonata:
            for f in ("InputPath", "OutputPath", "ResultPath"):
                if f in raw and f in spec.allowed_fields(t):
                    v = raw[f]
                    if v is not None and not isinstance(v, str) and not m.is_opaque(v):
                        yield Finding(ptr(p, f), f"{w} '{f}' is {type_name(v)}, not a path string or null")

    def _assign(self, m: Machine, state: State, pointer: str, value: Any, what: str) -> Iterator[Finding]:
        if m.is_opaque(value) or isinstance(value, dict):
            return
        yield Finding(pointer, f"{what} is {type_name(value)}, not an object of variable names to values",
                      hint='e.g. "Assign": {"orderId": "{% $states.input.id %}"}')


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
        for state in _typed_states(ctx.machine):
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
        for state in _typed_states(ctx.machine):
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
            for container, base, node in _nested_objects(state):
                for c, (a, b) in self.NESTED:
                    if c == container and a in node and b in node:
                        yield Finding(ptr(base, b), f"State '{state.name}': '{container}' sets both '{a}' and '{b}'",
                                      key=True, hint="keep one of them")


_LABEL_BAD = re.compile(r"[\s?*<>{}\[\]\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")


class InvalidMapConfiguration(Rule):
    id = "SFN110"
    name = "invalid-map-configuration"
    group = GROUP
    severity = Severity.ERROR
    summary = "Map ProcessorConfig, ItemReader, ItemBatcher, ResultWriter or Label is invalid"
    docs = """\
## Why
- `ProcessorConfig.Mode` is `INLINE` or `DISTRIBUTED`; `ExecutionType` (`STANDARD` or `EXPRESS`) is
  required for `DISTRIBUTED`.
- `ItemBatcher` needs `MaxItemsPerBatch` or `MaxInputBytesPerBatch` (or their `Path`);
  `MaxInputBytesPerBatch` is at most 262,144 bytes.
- `ResultWriter` must not be empty; `Resource` and `Parameters`/`Arguments` go together;
  `WriterConfig.Transformation` is `NONE`/`COMPACT`/`FLATTEN`, `OutputType` `JSON`/`JSONL`.
- `ReaderConfig.CSVHeaderLocation` is `FIRST_ROW` or `GIVEN` (then `CSVHeaders` is required).
- `Label`: at most 40 characters, none of whitespace, `? * < > { } [ ] " # % \\ ^ | ~ \\` $ & , ; : /` or
  control characters.

## How to fix
Use the documented values. `ItemReader`, `ItemBatcher` and `ResultWriter` only take effect in a
Distributed Map (a warning is reported on an inline Map).

## Known limits
Unknown `ReaderConfig.InputType` values are warnings (AWS adds formats). An `ItemReader` on an inline Map
is accepted by AWS at definition time, hence only a warning.
"""
    sources = (MAPD, IR, IB, RW, QUOTA)
    example_fail = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P",
                                         "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}
    example_pass = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                         "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for state in _typed_states(m):
            if state.type != "Map":
                continue
            raw, p, w = state.raw, state.pointer, f"State '{state.name}':"
            distributed = False
            for key in ("ItemProcessor", "Iterator"):
                proc = raw.get(key)
                if not isinstance(proc, dict) or "ProcessorConfig" not in proc:
                    continue
                cfg = proc["ProcessorConfig"]
                cp = ptr(p, key, "ProcessorConfig")
                if not isinstance(cfg, dict):
                    if not m.is_opaque(cfg):
                        yield Finding(cp, f"{w} 'ProcessorConfig' is {type_name(cfg)}, not an object")
                    continue
                mode = cfg.get("Mode", "INLINE")
                if mode not in ("INLINE", "DISTRIBUTED") and not m.is_opaque(mode):
                    yield Finding(cp + "/Mode", f"{w} 'ProcessorConfig.Mode' is {short(mode)!r}, not 'INLINE' or "
                                                "'DISTRIBUTED'", hint=did_you_mean(str(mode), ("INLINE", "DISTRIBUTED")))
                distributed = mode == "DISTRIBUTED" or m.is_opaque(mode)
                et = cfg.get("ExecutionType")
                if "ExecutionType" in cfg and et not in ("STANDARD", "EXPRESS") and not m.is_opaque(et):
                    yield Finding(cp + "/ExecutionType", f"{w} 'ProcessorConfig.ExecutionType' is {short(et)!r}, not "
                                                         "'STANDARD' or 'EXPRESS'")
                if mode == "DISTRIBUTED" and "ExecutionType" not in cfg:
                    yield Finding(cp, f"{w} a DISTRIBUTED Map needs 'ProcessorConfig.ExecutionType'", key=True,
                                  hint='add "ExecutionType": "STANDARD" (or "EXPRESS")')
            if not distributed:
                for key in ("ItemReader", "ItemBatcher", "ResultWriter"):
                    if key in raw:
                        yield Finding(ptr(p, key), f"{w} '{key}' only takes effect in a Distributed Map (this Map is "
                                                   "inline)", key=True, severity=Severity.WARNING,
                                      hint='set "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}')
            if "Label" in raw and isinstance(raw["Label"], str) and not m.is_opaque(raw["Label"]):
                label = raw["Label"]
                if len(label) > 40:
                    yield Finding(ptr(p, "Label"), f"{w} 'Label' is {len(label)} characters long; the limit is 40")
                bad = _LABEL_BAD.search(label)
                if bad:
                    yield Finding(ptr(p, "Label"), f"{w} 'Label' contains {bad.group()!r}, which is not allowed",
                                  hint="use letters, digits, '-', '_' and '.'")
            batcher = raw.get("ItemBatcher")
            if isinstance(batcher, dict):
                if not any(k in batcher for k in ("MaxItemsPerBatch", "MaxInputBytesPerBatch", "MaxItemsPerBatchPath",
                                                  "MaxInputBytesPerBatchPath")):
                    yield Finding(ptr(p, "ItemBatcher"), f"{w} 'ItemBatcher' needs 'MaxItemsPerBatch' or "
                                                         "'MaxInputBytesPerBatch'", key=True)
                for f, hi in (("MaxItemsPerBatch", None), ("MaxInputBytesPerBatch", 262_144)):
                    if f in batcher:
                        yield from InvalidFieldValue()._int(m, state, ptr(p, "ItemBatcher", f), batcher[f],
                                                            f"{w} 'ItemBatcher.{f}'", 1, hi, path_field=f + "Path")
            elif "ItemBatcher" in raw and not m.is_opaque(batcher):
                yield Finding(ptr(p, "ItemBatcher"), f"{w} 'ItemBatcher' is {type_name(batcher)}, not an object")
            reader = raw.get("ItemReader")
            if isinstance(reader, dict):
                rc = reader.get("ReaderConfig")
                if isinstance(rc, dict):
                    rp = ptr(p, "ItemReader", "ReaderConfig")
                    it = rc.get("InputType")
                    if "InputType" in rc and it not in ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET") and \
                            not m.is_opaque(it):
                        yield Finding(rp + "/InputType", f"{w} 'ReaderConfig.InputType' is {short(it)!r}, not one of "
                                                         "CSV, JSON, JSONL, MANIFEST, PARQUET", severity=Severity.WARNING)
                    loc = rc.get("CSVHeaderLocation")
                    if "CSVHeaderLocation" in rc and loc not in ("FIRST_ROW", "GIVEN") and not m.is_opaque(loc):
                        yield Finding(rp + "/CSVHeaderLocation", f"{w} 'ReaderConfig.CSVHeaderLocation' is {short(loc)!r}, "
                                                                 "not 'FIRST_ROW' or 'GIVEN'")
                    if loc == "GIVEN" and "CSVHeaders" not in rc:
                        yield Finding(rp, f"{w} 'ReaderConfig.CSVHeaderLocation' is GIVEN but 'CSVHeaders' is missing",
                                      key=True, hint='add "CSVHeaders": ["col1", "col2", ...]')
                    if "MaxItems" in rc:
                        yield from InvalidFieldValue()._int(m, state, rp + "/MaxItems", rc["MaxItems"],
                                                            f"{w} 'ReaderConfig.MaxItems'", 1, 100_000_000,
                                                            path_field="MaxItemsPath")
            writer = raw.get("ResultWriter")
            if isinstance(writer, dict):
                wp = ptr(p, "ResultWriter")
                params = "Arguments" if state.is_jsonata else "Parameters"
                has_res = "Resource" in writer
                has_par = "Parameters" in writer or "Arguments" in writer
                if not writer:
                    yield Finding(wp, f"{w} 'ResultWriter' is empty", hint="add WriterConfig, or Resource and " + params)
                elif has_res and not has_par:
                    yield Finding(wp, f"{w} 'ResultWriter' has 'Resource' but no '{params}'", key=True,
                                  hint=f'add "{params}": {{"Bucket": ..., "Prefix": ...}}')
                elif has_par and not has_res:
                    yield Finding(wp, f"{w} 'ResultWriter' has '{params}' but no 'Resource'", key=True,
                                  hint='add "Resource": "arn:aws:states:::s3:putObject"')
                wc = writer.get("WriterConfig")
                if isinstance(wc, dict):
                    tr, ot = wc.get("Transformation"), wc.get("OutputType")
                    if "Transformation" in wc and tr not in ("NONE", "COMPACT", "FLATTEN") and not m.is_opaque(tr):
                        yield Finding(wp + "/WriterConfig/Transformation",
                                      f"{w} 'WriterConfig.Transformation' is {short(tr)!r}, not NONE, COMPACT or FLATTEN")
                    if "OutputType" in wc and ot not in ("JSON", "JSONL") and not m.is_opaque(ot):
                        yield Finding(wp + "/WriterConfig/OutputType",
                                      f"{w} 'WriterConfig.OutputType' is {short(ot)!r}, not JSON or JSONL")


_PATH_FIELDS = ("InputPath", "OutputPath", "ResultPath", "ItemsPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
                "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "MaxConcurrencyPath",
                "ToleratedFailureCountPath", "ToleratedFailurePercentagePath")
_INTRINSIC_OK = frozenset({"ErrorPath", "CausePath"})  # fields that also accept an intrinsic function
_NULLABLE = frozenset({"InputPath", "OutputPath", "ResultPath"})
_INTRINSIC_CALL = re.compile(r"^(States\.[A-Za-z0-9]+)\s*\(")


def _path_syntax_error(path: str) -> str | None:
    """A light JSONPath syntax check: root, then `.name`, `..name`, `.*`, `[...]` segments."""
    if path.startswith("$$"):
        i = 2
    elif path.startswith("$"):
        i = 1
        m = re.match(r"[^\W\d]\w*", path[1:])
        if m:
            i += m.end()
    else:
        return "does not start with '$'"
    n = len(path)
    while i < n:
        ch = path[i]
        if ch == ".":
            if path.startswith("..", i):
                i += 2
                if i < n and path[i] == ".":
                    return "has '...'"
                if i >= n:
                    return "ends with '..'"
                if path[i] == "[":
                    continue
            else:
                i += 1
                if i >= n:
                    return "ends with '.'"
                if path[i] == ".":
                    return "has an empty segment"
                if path[i] == "[":  # `$.[0]`: tolerated by the JSONPath engine AWS uses
                    continue
            if path[i] == "*":
                i += 1
                continue
            j = i
            while j < n and path[j] not in ".[":
                j += 1
            if j == i:
                return "has an empty segment"
            i = j
        elif ch == "[":
            depth = 0
            quote = None
            j = i
            while j < n:
                c = path[j]
                if quote:
                    if c == "\\":
                        j += 1
                    elif c == quote:
                        quote = None
                elif c in "'\"":
                    quote = c
                elif c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                return "has an unclosed '['"
            if j == i + 1:
                return "has an empty '[]'"
            i = j + 1
        else:
            return f"has an unexpected {ch!r} after {path[:i]!r}"
    return None


class InvalidJsonPath(Rule):
    id = "SFN111"
    name = "invalid-jsonpath"
    group = GROUP
    severity = Severity.ERROR
    summary = "A JSONPath path, a `.$` payload value or an intrinsic function call is malformed (JSONPath states)"
    docs = """\
## Why
In JSONPath states, `InputPath`, `OutputPath`, `ResultPath`, `ItemsPath`, the `...Path` fields, Choice
`Variable` and the comparison `...Path` operands are paths starting with `$` (`$$` for the context object,
`$name` for a variable); `ResultPath` and Choice `Variable` must be reference paths (no `$$`, no variable,
no intrinsic function); keys ending in `.$` in payload templates (Parameters, ResultSelector,
ItemSelector, Assign, ...) take a path or an intrinsic function call (`States.Format(...)` etc.), and a
template may not hold both `x` and `x.$`. AWS rejects malformed paths and unknown intrinsic functions.

## How to fix
Start paths with `$` (`$.field`, `$$.Execution.Id`, `$myVar`); use one of the documented intrinsic
functions; drop the `.$` suffix for literal values.

## Known limits
The path check is syntactic and light (segments and brackets); filter expressions are not parsed.
"""
    sources = (SPEC, IF, f"{DG}/input-output-inputpath-params.html", f"{DG}/workflow-variables.html")
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "bug$.library", "End": True}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "$.library", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for state in _typed_states(m):
            if state.is_jsonata:
                continue
            raw, w = state.raw, f"State '{state.name}':"
            allowed = spec.allowed_fields(state.type)
            for f in _PATH_FIELDS:
                if f in raw and f in allowed:
                    yield from self._path(m, ptr(state.pointer, f), raw[f], f"{w} '{f}'", f)
            if state.type in ERROR_HANDLING_TYPES:
                for i, base, c in state.entries("Catch"):
                    if "ResultPath" in c:
                        yield from self._path(m, ptr(base, "ResultPath"), c["ResultPath"],
                                              f"{w} 'ResultPath' of catcher {i}", "ResultPath")
                    if isinstance(c.get("Assign"), dict):
                        yield from self._template(m, state, ptr(base, "Assign"), c["Assign"], 0)
            if state.type == "Choice":
                for i, base, rule in state.entries("Choices"):
                    yield from self._rule(m, state, base, rule, i)
                    for npointer, nrule in _nested_rules(rule, base):
                        yield from self._rule(m, state, npointer, nrule, i)
                    if isinstance(rule.get("Assign"), dict):
                        yield from self._template(m, state, ptr(base, "Assign"), rule["Assign"], 0)
            for f in ("Parameters", "ResultSelector", "ItemSelector", "Assign"):
                if f in raw and f in allowed:
                    yield from self._template(m, state, ptr(state.pointer, f), raw[f], 0)
            if isinstance(raw.get("Credentials"), dict):
                yield from self._template(m, state, ptr(state.pointer, "Credentials"), raw["Credentials"], 0)
            for container, base, node in _nested_objects(state):
                for key in ("Parameters", "BatchInput"):
                    if key in node:
                        yield from self._template(m, state, ptr(base, key), node[key], 0)
                for key in ("RoleArnPath", "MaxItemsPath", "MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
                    if key in node:
                        yield from self._path(m, ptr(base, key), node[key], f"{w} '{container}.{key}'", key)

    def _rule(self, m: Machine, state: State, base: str, rule: dict, i: int) -> Iterator[Finding]:
        if "Variable" in rule:
            yield from self._path(m, ptr(base, "Variable"), rule["Variable"],
                                  f"State '{state.name}': 'Variable' of Choice rule {i}", "Variable")
        for key, value in rule.items():
            if key.endswith("Path") and key in spec.COMPARISON_OPERATORS:
                yield from self._path(m, ptr(base, key), value, f"State '{state.name}': '{key}' of Choice rule {i}", key)

    def _path(self, m: Machine, pointer: str, value: Any, what: str, field: str) -> Iterator[Finding]:
        if value is None and field in _NULLABLE:
            return
        if m.is_opaque(value):
            return
        if not isinstance(value, str):
            yield Finding(pointer, f"{what} is {type_name(value)}, not a path string")
            return
        if value.startswith("States."):
            if field in _INTRINSIC_OK:
                yield from self._intrinsic(pointer, value, what)
            else:
                yield Finding(pointer, f"{what} is an intrinsic function call; this field takes a path",
                              hint="compute the value with an intrinsic function in Parameters, then reference it")
            return
        if field in ("ResultPath", "Variable") or (field.endswith("Path") and field[:-4] in spec.COMPARISON_OPERATORS):
            if field == "ResultPath" and (value.startswith("$$") or (len(value) > 1 and value[1] not in ".[")):
                yield Finding(pointer, f"{what} {short(value)!r} is not a reference into the state's input/result",
                              hint="ResultPath starts with '$.' (variables and '$$' are not allowed there)")
                return
        err = _path_syntax_error(value)
        if err:
            yield Finding(pointer, f"{what} {short(value)!r} is not a valid JSONPath: it {err}",
                          hint="paths look like $.field, $.list[0].name, $$.Execution.Id or $myVariable")

    def _intrinsic(self, pointer: str, value: str, what: str) -> Iterator[Finding]:
        mm = _INTRINSIC_CALL.match(value)
        if not mm:
            yield Finding(pointer, f"{what} {short(value)!r} is not a valid intrinsic function call",
                          hint="write States.Function(arg, ...)")
            return
        fn = mm.group(1)
        if fn not in spec.INTRINSIC_FUNCTIONS:
            yield Finding(pointer, f"{what} calls unknown intrinsic function '{fn}'",
                          hint=did_you_mean(fn, spec.INTRINSIC_FUNCTIONS) or "see the intrinsic functions reference")
            return
        if not _balanced(value):
            yield Finding(pointer, f"{what} {short(value)!r} has unbalanced parentheses or quotes")

    def _template(self, m: Machine, state: State, pointer: str, value: Any, depth: int) -> Iterator[Finding]:
        if depth > 100:
            return
        if isinstance(value, dict):
            for key, v in value.items():
                child = ptr(pointer, key)
                if isinstance(key, str) and key.endswith(".$"):
                    if key[:-2] in value:
                        yield Finding(child, f"State '{state.name}': payload template has both '{key[:-2]}' and "
                                             f"'{key}'", key=True, hint="keep one of them")
                    if m.is_opaque(v):
                        continue
                    if not isinstance(v, str):
                        yield Finding(child, f"State '{state.name}': '{key}' is {type_name(v)}; a '.$' key takes a "
                                             "path or an intrinsic function call",
                                      hint=f"drop the '.$' suffix for a literal value ('{key[:-2]}')")
                    elif v.startswith("States."):
                        yield from self._intrinsic(child, v, f"State '{state.name}': '{key}'")
                    elif not v.startswith("$"):
                        yield Finding(child, f"State '{state.name}': '{key}' is {short(v)!r}, not a path or an "
                                             "intrinsic function call",
                                      hint=f"drop the '.$' suffix for a literal value ('{key[:-2]}')")
                    else:
                        err = _path_syntax_error(v)
                        if err:
                            yield Finding(child, f"State '{state.name}': '{key}' {short(v)!r} is not a valid JSONPath: "
                                                 f"it {err}")
                else:
                    yield from self._template(m, state, child, v, depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from self._template(m, state, ptr(pointer, i), v, depth + 1)


def _balanced(s: str) -> bool:
    depth = 0
    quote = False
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            quote = not quote
        elif not quote:
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    return False
        i += 1
    return depth == 0 and not quote


class InvalidChoiceRule(Rule):
    id = "SFN112"
    name = "invalid-choice-rule"
    group = GROUP
    severity = Severity.ERROR
    summary = "A Choice rule has no comparison, several, a wrong operand type, or a Condition that is not boolean/JSONata"
    docs = """\
## Why
A JSONPath Choice rule is either a comparison (`Variable` plus exactly one operator such as
`StringEquals`, `NumericGreaterThanPath`, `IsPresent`) or a boolean combination (`And`/`Or` with a
non-empty array of rules, `Not` with one rule). Operands must have the operator's type (string, number,
boolean, timestamp string, or a path for `...Path`). A JSONata rule's `Condition` is `true`/`false` or a
`{% %}` expression.

## How to fix
Give each rule exactly one operator and a `Variable`, fix the operand type, or write the Condition as
`"{% <boolean expression> %}"`.
"""
    sources = (SPEC, f"{DG}/state-choice.html")
    example_fail = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": "1", "Next": "D"}], "Default": "D"},
        "D": {"Type": "Succeed"}}}
    example_pass = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "D"}], "Default": "D"},
        "D": {"Type": "Succeed"}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for state in _typed_states(m):
            if state.type != "Choice":
                continue
            for i, base, rule in state.entries("Choices"):
                if state.is_jsonata:
                    if "Condition" in rule:
                        v = rule["Condition"]
                        if not (isinstance(v, bool) or is_expression(v) or m.is_opaque(v)):
                            yield Finding(ptr(base, "Condition"),
                                          f"State '{state.name}': 'Condition' of Choice rule {i} is {type_name(v)} "
                                          f"{short(v)!r}, not a boolean or a {{% %}} expression",
                                          hint='e.g. "Condition": "{% $states.input.total > 100 %}"')
                    continue
                if any(k in rule for k in ("Condition",)) and not any(
                        k in rule for k in spec.COMPARISON_OPERATORS | spec.BOOLEAN_OPERATORS):
                    continue  # reported by jsonata-field-in-jsonpath-state
                yield from self._rule(m, state, base, rule, i, 0)

    def _rule(self, m: Machine, state: State, base: str, rule: dict, i: int, depth: int) -> Iterator[Finding]:
        if depth > 50:
            return
        w = f"State '{state.name}': Choice rule {i}"
        ops = [k for k in rule if k in spec.COMPARISON_OPERATORS]
        bools = [k for k in rule if k in spec.BOOLEAN_OPERATORS]
        if len(ops) + len(bools) == 0:
            yield Finding(base, f"{w} has no comparison operator and no And/Or/Not", key=True,
                          hint="add e.g. \"StringEquals\": \"...\" next to \"Variable\"")
            return
        if len(ops) + len(bools) > 1:
            both = ops + bools
            yield Finding(ptr(base, both[1]), f"{w} has several operators ({', '.join(both)}); a rule has exactly one",
                          key=True, hint="combine comparisons with And/Or")
            return
        if ops:
            op = ops[0]
            if "Variable" not in rule:
                yield Finding(base, f"{w} uses '{op}' without 'Variable'", key=True, hint='add "Variable": "$.field"')
            v = rule[op]
            if m.is_opaque(v):
                return
            bad = None
            if op.endswith("Path"):
                bad = None if isinstance(v, str) else "a path string"
            elif op.startswith("Is"):
                bad = None if isinstance(v, bool) else "a boolean"
            elif op.startswith("String"):
                bad = None if isinstance(v, str) else "a string"
            elif op.startswith("Numeric"):
                bad = None if is_number(v) else "a number"
            elif op.startswith("Boolean"):
                bad = None if isinstance(v, bool) else "a boolean"
            elif op.startswith("Timestamp"):
                bad = None if isinstance(v, str) and _RFC3339.match(v) else "an RFC 3339 timestamp string"
            if bad:
                yield Finding(ptr(base, op), f"{w}: '{op}' is {type_name(v)} {short(v)!r}, not {bad}")
            return
        op = bools[0]
        v = rule[op]
        if op in ("And", "Or"):
            if not isinstance(v, list) or not v:
                yield Finding(ptr(base, op), f"{w}: '{op}' must be a non-empty array of rules")
                return
            for j, r in enumerate(v):
                if isinstance(r, dict):
                    yield from self._rule(m, state, ptr(base, op, j), r, i, depth + 1)
                else:
                    yield Finding(ptr(base, op, j), f"{w}: '{op}' entry {j} is {type_name(r)}, not a rule object")
        else:
            if not isinstance(v, dict):
                yield Finding(ptr(base, op), f"{w}: 'Not' must be one rule object")
            else:
                yield from self._rule(m, state, base + "/Not", v, i, depth + 1)


class ResourceNotArn(Rule):
    id = "SFN113"
    name = "resource-not-arn"
    group = GROUP
    severity = Severity.WARNING
    summary = "A Task Resource does not look like an ARN (an unrendered placeholder, a typo)"
    docs = """\
## Why
`Resource` names the integration by ARN: `arn:aws:states:::lambda:invoke`, `arn:aws:states:::aws-sdk:...`,
a Lambda function or activity ARN. A value like `${WorkerArn}` is usually a template placeholder that was
never rendered.

## How to fix
Render the template (or pass `--placeholders opaque` to treat `${...}` as unknown values), or write the ARN.

## Known limits
A warning: the spec only requires a URI, and test fixtures often use dummy values.
"""
    sources = (TASK, f"{DG}/connect-to-resource.html")
    example_fail = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${WorkerArn}", "End": True}}}
    example_pass = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                                     "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        m = ctx.machine
        for state in _typed_states(m):
            for base, node in ((state.pointer, state.raw), (ptr(state.pointer, "ItemReader"), state.get("ItemReader")),
                               (ptr(state.pointer, "ResultWriter"), state.get("ResultWriter"))):
                if state.type not in ("Task", "Map") or not isinstance(node, dict):
                    continue
                v = node.get("Resource")
                if not isinstance(v, str) or not v.strip() or m.is_opaque(v) or v.startswith("arn:"):
                    continue
                if is_expression(v):
                    continue  # reported by jsonata-in-literal-field
                placeholder = "${" in v or "{{" in v
                yield Finding(ptr(base, "Resource"), f"State '{state.name}': 'Resource' {short(v)!r} is not an ARN"
                              + (" (an unrendered placeholder?)" if placeholder else ""),
                              hint="render the template first, or use --placeholders opaque" if placeholder else
                              "e.g. arn:aws:states:::lambda:invoke")


RULES = (MissingRequiredField, InvalidStateType, FieldNotSupported, JsonPathFieldInJsonataState,
         JsonataFieldInJsonPathState, InvalidQueryLanguage, InvalidFieldValue, TransitionFieldsInvalid,
         ConflictingFields, InvalidMapConfiguration, InvalidJsonPath, InvalidChoiceRule, ResourceNotArn)
