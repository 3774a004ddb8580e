"""SFN112: Choice rules (one comparison each, operand types, JSONata Conditions)."""

from __future__ import annotations

from typing import Iterator

from ....asl import spec
from ....asl.jsonata import is_expression
from ....asl.model import Machine, State
from ...base import CheckContext, Finding, Rule, Severity
from .._common import DG, SPEC, is_number, ptr, short, type_name
from ._common import GROUP, RFC3339, typed_states


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
        for state in typed_states(m):
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
                bad = None if isinstance(v, str) and RFC3339.match(v) else "an RFC 3339 timestamp string"
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
