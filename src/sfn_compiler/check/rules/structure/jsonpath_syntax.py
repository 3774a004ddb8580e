"""SFN111: the syntax of JSONPath paths, `.$` payload values and intrinsic function calls in JSONPath
states (a light checker: root, then `.name`, `..name`, `.*`, `[...]` segments; balanced calls)."""

from __future__ import annotations

import re
from typing import Any, Iterator

from ....asl import spec
from ....asl.model import Machine, State
from ....asl.walk import ERROR_HANDLING_TYPES
from ....diagnostics import did_you_mean
from ...base import CheckContext, Finding, Rule, Severity
from .._common import DG, IF, SPEC, ptr, short, type_name
from ._common import GROUP, nested_objects, nested_rules, typed_states


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
        for state in typed_states(m):
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
                    for npointer, nrule in nested_rules(rule, base):
                        yield from self._rule(m, state, npointer, nrule, i)
                    if isinstance(rule.get("Assign"), dict):
                        yield from self._template(m, state, ptr(base, "Assign"), rule["Assign"], 0)
            for f in ("Parameters", "ResultSelector", "ItemSelector", "Assign"):
                if f in raw and f in allowed:
                    yield from self._template(m, state, ptr(state.pointer, f), raw[f], 0)
            if isinstance(raw.get("Credentials"), dict):
                yield from self._template(m, state, ptr(state.pointer, "Credentials"), raw["Credentials"], 0)
            for container, base, node in nested_objects(state):
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
