"""SFN107, SFN113: field values of the right type and range (a hand-written type checker over the
field tables, so messages name the state and the field), and Task resources that look like ARNs."""

from __future__ import annotations

from typing import Any, Iterator

from ....asl import spec
from ....asl.jsonata import is_expression
from ....asl.model import Machine, State
from ....asl.walk import ERROR_HANDLING_TYPES
from ...base import CheckContext, Finding, Rule, Severity
from .._common import DG, QUOTA, SPEC, TASK, is_number, ptr, short, type_name
from ._common import GROUP, RFC3339, int_value, plain_string, scope_what, string_value, typed_states


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
                    yield from string_value(m, None, ptr(scope.pointer, f), scope.raw[f], f"{scope_what(scope)}: '{f}'")
            states = scope.raw.get("States")
            if "States" in scope.raw and not isinstance(states, dict):
                yield Finding(ptr(scope.pointer, "States"),
                              f"{scope_what(scope)}: 'States' is {type_name(states)}, not an object of states")
            elif isinstance(states, dict) and not states:
                yield Finding(ptr(scope.pointer, "States"), f"{scope_what(scope)}: 'States' is empty",
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

    def _top(self, m: Machine, doc: dict) -> Iterator[Finding]:
        for f in ("StartAt", "Comment", "Version"):
            if f in doc:
                yield from string_value(m, None, "/" + f, doc[f], f"Top-level '{f}'")
        if "TimeoutSeconds" in doc:
            v = doc["TimeoutSeconds"]
            if isinstance(v, str) and is_expression(v):
                yield Finding("/TimeoutSeconds", "Top-level 'TimeoutSeconds' is a {% %} expression; AWS documents "
                                                 "only an integer here", severity=Severity.WARNING,
                              hint="use a literal number of seconds")
            else:
                yield from int_value(m, None, "/TimeoutSeconds", v, "Top-level 'TimeoutSeconds'", 1, None, False)

    def _state(self, m: Machine, state: State) -> Iterator[Finding]:
        raw, t, name, p = state.raw, state.type, state.name, state.pointer
        w = f"State '{name}':"
        # (a plain string, an object for Assign, is passed over before its pointer and label are made)
        for f in ("Comment", "Resource", "Default", "Label"):
            if f in raw and not plain_string(raw[f]) and f in spec.allowed_fields(t):
                yield from string_value(m, state, ptr(p, f), raw[f], f"{w} '{f}'")
        if "Next" in raw and not plain_string(raw["Next"]) and t != "Choice" and "Next" in spec.allowed_fields(t):
            yield from string_value(m, state, ptr(p, "Next"), raw["Next"], f"{w} 'Next'")
        if t == "Task" and isinstance(raw.get("Resource"), str) and not raw["Resource"].strip():
            yield Finding(ptr(p, "Resource"), f"{w} 'Resource' is empty", hint="give the ARN of the integration")
        if t == "Task":
            for f in ("TimeoutSeconds", "HeartbeatSeconds"):
                if f in raw:
                    yield from int_value(m, state, ptr(p, f), raw[f], f"{w} '{f}'", 1, MAX_SECONDS, path_field=f + "Path")
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
                yield from int_value(m, state, ptr(p, "Seconds"), raw["Seconds"], f"{w} 'Seconds'", 0, MAX_SECONDS,
                                     path_field="SecondsPath")
            if "Timestamp" in raw:
                v = raw["Timestamp"]
                if m.is_opaque(v) or (state.is_jsonata and is_expression(v)):
                    pass
                elif not isinstance(v, str):
                    yield Finding(ptr(p, "Timestamp"), f"{w} 'Timestamp' is {type_name(v)}, not a timestamp string")
                elif not RFC3339.match(v):
                    hint = ("a path goes in 'TimestampPath'" if v.startswith("$") and not state.is_jsonata else
                            "e.g. \"2026-03-14T01:59:00Z\" (uppercase T and Z)")
                    yield Finding(ptr(p, "Timestamp"), f"{w} 'Timestamp' {short(v)!r} is not an RFC 3339 timestamp",
                                  hint=hint)
        if t == "Fail":
            for f in ("Error", "Cause"):
                if f in raw:
                    yield from string_value(m, state, ptr(p, f), raw[f], f"{w} '{f}'")
        if t == "Map":
            if "MaxConcurrency" in raw:
                yield from int_value(m, state, ptr(p, "MaxConcurrency"), raw["MaxConcurrency"], f"{w} 'MaxConcurrency'",
                                     0, None, path_field="MaxConcurrencyPath")
            if "ToleratedFailureCount" in raw:
                yield from int_value(m, state, ptr(p, "ToleratedFailureCount"), raw["ToleratedFailureCount"],
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
                    elif "Next" in rule and not plain_string(rule["Next"]):
                        yield from string_value(m, state, ptr(p, "Choices", i, "Next"), rule["Next"],
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
                    elif f == "Catch" and isinstance(item, dict) and "Next" in item and not plain_string(item["Next"]):
                        yield from string_value(m, state, ptr(p, f, i, "Next"), item["Next"],
                                                f"{w} 'Next' of catcher {i}")
        if "Assign" in raw and type(raw["Assign"]) is not dict and "Assign" in spec.allowed_fields(t):
            yield from self._assign(m, state, ptr(p, "Assign"), raw["Assign"], w + " 'Assign'")
        if t == "Choice":
            for i, base, rule in state.entries("Choices"):
                if "Assign" in rule and type(rule["Assign"]) is not dict:
                    yield from self._assign(m, state, ptr(base, "Assign"), rule["Assign"],
                                            f"{w} 'Assign' of Choice rule {i}")
        if t in ERROR_HANDLING_TYPES:
            for i, base, c in state.entries("Catch"):
                if "Assign" in c and type(c["Assign"]) is not dict:
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
        for state in typed_states(m):
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
