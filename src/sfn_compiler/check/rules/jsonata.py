"""SFN3xx: JSONata expressions (`{% ... %}`) in JSONata states.

Why this module is long: it is one rule group (twelve rules, SFN301-SFN312, each 20-60 lines with its docs
and examples) over one shared input, `Machine.expressions` / `field_strings`; splitting it would split the
group that `--select jsonata` names.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from ...asl import spec
from ...asl.jsonata import is_expression
from ...asl.model import Expression, FieldString, Machine, State
from ...diagnostics import did_you_mean
from ..base import CheckContext, Finding, Note, Rule, Severity
from ._common import SPEC, TD, counted, ptr, short

GROUP = "jsonata"
_FLOCI_INVALID = "observed AWS behaviour: floci-io/floci#2745 (INVALID_JSONATA_EXPRESSION from validate-state-machine-definition)"
_FLOCI_TOP = ("observed AWS behaviour: floci-io/floci#2670 and PR #2699 (UNSUPPORTED_JSONATA_EXPRESSION \"Reference to "
              "'x' at the top level is not supported.\")")


def field_label(state: State, pointer: str) -> str:
    """The field path inside the state, AWS style: 'Output', 'Arguments/Payload', 'Choices/0/Condition'."""
    rel = pointer[len(state.pointer) + 1:] if pointer.startswith(state.pointer + "/") else pointer
    return rel.replace("~1", "/").replace("~0", "~")


def _where(e: Expression | FieldString) -> str:
    return f"State '{e.state.name}': '{field_label(e.state, e.pointer)}'"


class JsonataSyntaxError(Rule):
    id = "SFN301"
    name = "jsonata-syntax-error"
    group = GROUP
    severity = Severity.ERROR
    summary = "A {% %} expression does not parse as JSONata"
    docs = """\
## Why
AWS parses every JSONata expression when the definition is created or validated and rejects the whole
definition on a syntax error (`INVALID_JSONATA_EXPRESSION`, with the parser's message). The finding
points at the character where the parser stopped and gives the JSONata error code (e.g. `S0203`).

## How to fix
Fix the expression at the reported position. String literals inside an expression use single quotes.

## Known limits
Parsed with jsonata-python 0.7.1 (JSONata 2.x syntax); AWS runs JSONata 2.0.6. The 2.1 operators `??`
and `?:`, which this parser accepts, are reported by `jsonata-unsupported-operator`.
"""
    sources = (TD, _FLOCI_INVALID)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $foo( %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for e in ctx.machine.expressions:
            err = e.analysis.error
            if err is None or not e.body.strip():
                continue
            code = f" ({err.code})" if err.code else ""
            yield Finding(e.pointer, f"{_where(e)}: JSONata syntax error{code}: {err.message}",
                          offset=e.body_offset + err.position,
                          hint="check brackets and quotes near the marked position (string literals use single quotes)")


class JsonataMalformedDelimiters(Rule):
    id = "SFN302"
    name = "jsonata-malformed-delimiters"
    group = GROUP
    severity = Severity.ERROR
    summary = "A string opens with {% but does not end with %} (or ends with %} without any {%)"
    docs = """\
## Why
In a JSONata state a string is an expression only when it starts with `{%` and ends with `%}`.
"Improperly opening or closing the expression will result in a validation error" (AWS docs).

## How to fix
Close the expression with `%}` at the very end of the string (or open it with `{%` at the very start).
"""
    sources = (TD, SPEC)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $states.input %", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for fs in ctx.machine.field_strings:
            kind = fs.delimited.kind
            if kind == "unclosed":
                yield Finding(fs.pointer, f"{_where(fs)} starts with '{{%' but does not end with '%}}'", offset=0,
                              hint="end the string with %} (no text or spaces after it)")
            elif kind == "unopened":
                yield Finding(fs.pointer, f"{_where(fs)} ends with '%}}' but has no opening '{{%'",
                              offset=len(fs.value) - 2, hint="start the string with {%")


class JsonataEmptyExpression(Rule):
    id = "SFN303"
    name = "jsonata-empty-expression"
    group = GROUP
    severity = Severity.ERROR
    summary = "A {% %} expression is empty"
    docs = """\
## Why
AWS rejects `{% %}` with `INVALID_JSONATA_EXPRESSION` "Unexpected end of expression".

## How to fix
Write the expression, or use a literal value instead.
"""
    sources = (TD, "observed AWS behaviour: floci-io/floci StepFunctionsValidateStateMachineDefinitionIntegrationTest "
                   "(empty expression)")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% {} %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for e in ctx.machine.expressions:
            if not e.body.strip():
                yield Finding(e.pointer, f"{_where(e)}: the {{% %}} expression is empty", offset=e.body_offset)


class JsonataTextAroundExpression(Rule):
    id = "SFN304"
    name = "jsonata-text-around-expression"
    group = GROUP
    severity = Severity.WARNING
    summary = "Text around a {% %} expression makes the whole string a literal (no interpolation)"
    docs = """\
## Why
Step Functions has no string interpolation: `"Hello {% $name %}"` is the literal text
`Hello {% $name %}`, not a greeting. Only a string that is one whole `{% ... %}` is evaluated.

## How to fix
Build the string inside one expression: `"{% 'Hello ' & $name %}"`.

## Known limits
A warning: whether AWS rejects leading/trailing whitespace around the delimiters is not documented.
"""
    sources = (TD, SPEC)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": {"msg": "Hello {% $states.input.name %}"}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": {"msg": "{% 'Hello ' & $states.input.name %}"},
                                     "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for fs in ctx.machine.field_strings:
            if fs.delimited.kind == "surrounded":
                yield Finding(fs.pointer, f"{_where(fs)} has text around its {{% %}} expression, so it is a literal "
                                          "string, not an expression", offset=max(0, fs.value.find("{%")),
                              hint="make the whole string one expression, e.g. \"{% 'text ' & $x %}\"")


class JsonataUnsupportedOperator(Rule):
    id = "SFN305"
    name = "jsonata-unsupported-operator"
    group = GROUP
    severity = Severity.ERROR
    summary = "An expression uses ?? or ?:, JSONata 2.1 operators that Step Functions (JSONata 2.0.6) does not have"
    docs = """\
## Why
Step Functions implements JSONata 2.0.6. The coalescing `??` and default `?:` operators arrived in
JSONata 2.1, so AWS fails to parse expressions that use them.

## How to fix
`a ?? b` → `$exists(a) ? a : b`; `a ?: b` → `a ? a : b`.
"""
    sources = (TD, "https://github.com/jsonata-js/jsonata/releases/tag/v2.1.0")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $states.input.x ?? 0 %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $exists($states.input.x) ? $states.input.x : 0 %}",
                                     "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for e in ctx.machine.expressions:
            for mark in e.analysis.unsupported_ops:
                instead = "$exists(a) ? a : b" if mark.text == "??" else "a ? a : b"
                yield Finding(e.pointer, f"{_where(e)}: operator '{mark.text}' is not supported (Step Functions runs "
                                         "JSONata 2.0.6)", offset=e.body_offset + mark.start, hint=f"write {instead}")


class JsonataEvalUnsupported(Rule):
    id = "SFN306"
    name = "jsonata-eval-unsupported"
    group = GROUP
    severity = Severity.ERROR
    summary = "$eval is not available in Step Functions"
    docs = """\
## Why
"All built-in JSONata functions and operators in the 2.0.6 specification are supported, with one
exception: `$eval` is not available - use `$parse` instead" (AWS, Transforming data with JSONata). A call
fails the state at run time with `States.QueryEvaluationError` (T1006, attempted to invoke a
non-function) every time it is evaluated.

An error when the call is evaluated whenever its expression is (the state fails every time it runs); a
warning when it sits in a part that is evaluated only sometimes (a branch of `? :`, the right side of
`and`/`or`, a function body, a predicate or a later path step), where failure is not certain.

## How to fix
Use `$parse(jsonString)` to turn a JSON string into a value.

## Known limits
AWS accepts the definition; the call fails only when it runs. A variable named `eval` turns the rule off.
"""
    sources = (TD, "observed AWS behaviour: floci-io/floci#2737 ($eval fails at run time)")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $eval($states.input.json) %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $parse($states.input.json) %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if "eval" in ctx.machine.assigned_names:
            return
        for e in ctx.machine.expressions:
            for call in e.analysis.calls:
                if call.name == "eval":
                    yield Finding(e.pointer, f"{_where(e)}: $eval is not available in Step Functions" +
                                  _when(call), offset=e.body_offset + call.start, hint="use $parse() to read JSON text",
                                  severity=Severity.WARNING if call.conditional else None)


class JsonataTopLevelReference(Rule):
    id = "SFN307"
    name = "jsonata-top-level-reference"
    group = GROUP
    severity = Severity.ERROR
    summary = "A bare field name or $ at the top level of an expression (there is no input document)"
    docs = """\
## Why
Step Functions evaluates JSONata with no context item: the state input is `$states.input` and variables
are `$name`. A path whose first step is a bare field name (`total`, `order.id`) or `$` at the top level
of an expression has nothing to read, and AWS rejects the definition: `UNSUPPORTED_JSONATA_EXPRESSION`
"Reference to 'total' at the top level is not supported." Names and `$` inside predicates
(`$states.input.items[price > 10]`), later path steps and lambda bodies are fine. A function called
without its `$` (`not($x)`, `count(...)`) is such a field name too: the message names the function that
was meant (`$not(...)`). One finding per field lists every reference (with a count when one repeats);
the other places are related locations.

## How to fix
Read from `$states.input` (`$states.input.total`) or from a variable (`$total`); in a Choice `Condition`
likewise.
"""
    sources = (SPEC, TD, _FLOCI_TOP)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": {"v": "{% phone %}"}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": {"v": "{% $states.input.phone %}"}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        from ...asl.jsonata import FUNCTIONS

        for e in ctx.machine.expressions:   # one finding per field, naming every reference
            marks = e.analysis.top_level
            if not marks:
                continue
            calls = [m for m in marks if m.text != "$" and e.body[m.end:].lstrip().startswith("(")]
            names = [m for m in marks if m.text != "$" and m not in calls]
            parts, hints = [], []
            if names:
                several = len({m.text for m in names}) > 1 or len(names) > 1
                parts.append(f"reference{'s' if several else ''} to {counted(m.text for m in names)} at the top "
                             f"level {'are' if several else 'is'} not supported")
                first = names[0].text
                hints.append(f"use $states.input.{first} (or a variable ${first})")
            if any(m.text == "$" for m in marks):
                parts.append("'$' at the top level of the expression refers to an input document that JSONata "
                             "states do not have")
                hints.append("use $states.input")
            for name in dict.fromkeys(m.text for m in calls):
                parts.append(f"'{name}(...)' is read as a field '{name}' at the top level, which is not supported: " +
                             (f"did you mean the function '${name}(...)'?" if name in FUNCTIONS
                              else "function calls start with '$'"))
                hints.append(f"write ${name}(...)")
            first = marks[0]
            yield Finding(e.pointer, f"{_where(e)}: " + "; ".join(parts), offset=e.body_offset + first.start,
                          hint="; ".join(hints),
                          related=tuple(Note(e.pointer, f"'{m.text}' at the top level", e.body_offset + m.start)
                                        for m in marks[1:]))


class JsonataDoubleDollar(Rule):
    id = "SFN308"
    name = "jsonata-double-dollar"
    group = GROUP
    severity = Severity.ERROR
    summary = "$$ is used in a JSONata expression"
    docs = """\
## Why
`$$` (the JSONPath context object, or JSONata's root input) is not available: AWS rejects it with
`UNSUPPORTED_JSONATA_EXPRESSION` "Reference to '$$' is not supported."

## How to fix
Use `$states.context` for the context object (`$states.context.Execution.Id`) and `$states.input` for the
input.
"""
    sources = (SPEC, "observed AWS behaviour: floci-io/floci StepFunctionsValidateStateMachineDefinitionIntegrationTest "
                     "(\"Reference to '$$' is not supported.\")")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $$.Execution.Id %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $states.context.Execution.Id %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for e in ctx.machine.expressions:
            for mark in e.analysis.double_dollar:
                yield Finding(e.pointer, f"{_where(e)}: '$$' is not supported in JSONata",
                              offset=e.body_offset + mark.start, hint="use $states.context (or $states.input)")


def _literal_fields(m: Machine) -> Iterator[tuple[str, str, Any, State | None]]:
    """(pointer, label, value, state) of the fields that only take literals and hold a `{% %}` expression
    (the pointer and label are made only for those: the other fields are most of a definition)."""
    if not m.is_object:
        return
    x = is_expression
    for f in spec.LITERAL_TOP_FIELDS:
        if f in m.document and x(m.document[f]):
            yield "/" + f, f"Top-level '{f}'", m.document[f], None
    for scope in m.scopes:
        if scope.kind != "machine" and isinstance(scope.raw, dict) and "StartAt" in scope.raw \
                and x(scope.raw["StartAt"]):
            yield ptr(scope.pointer, "StartAt"), f"State '{scope.parent_state.name}': 'StartAt' of an inner scope", \
                scope.raw["StartAt"], scope.parent_state
    for state in m.states:
        raw = state.raw
        if not isinstance(raw, dict):
            continue
        for f in spec.LITERAL_STATE_FIELDS:
            if f in raw and x(raw[f]):
                yield ptr(state.pointer, f), f"State '{state.name}': '{f}'", raw[f], state
        for i, base, rule in state.entries("Choices"):
            if "Next" in rule and x(rule["Next"]):
                yield base + "/Next", f"State '{state.name}': 'Choices/{i}/Next'", rule["Next"], state
        for kind in ("Retry", "Catch"):
            for i, base, item in state.entries(kind):
                for key, value in item.items():
                    if kind == "Catch" and key not in ("ErrorEquals", "Next"):
                        continue
                    if key == "Comment":
                        continue
                    if key == "ErrorEquals" and isinstance(value, list):
                        for j, name in enumerate(value):
                            if x(name):
                                yield ptr(base, key, j), f"State '{state.name}': '{kind}/{i}/ErrorEquals/{j}'", name, state
                    elif x(value):
                        yield ptr(base, key), f"State '{state.name}': '{kind}/{i}/{key}'", value, state
        for key in ("ItemReader", "ResultWriter"):
            node = raw.get(key)
            if isinstance(node, dict) and "Resource" in node and x(node["Resource"]):
                yield ptr(state.pointer, key, "Resource"), f"State '{state.name}': '{key}/Resource'", node["Resource"], state
            sub = node.get("ReaderConfig" if key == "ItemReader" else "WriterConfig") if isinstance(node, dict) else None
            if isinstance(sub, dict):
                subname = "ReaderConfig" if key == "ItemReader" else "WriterConfig"
                for f in ("InputType", "CSVHeaderLocation", "CSVDelimiter", "ManifestType", "Transformation",
                          "OutputType"):
                    if f in sub and x(sub[f]):
                        yield ptr(state.pointer, key, subname, f), f"State '{state.name}': '{key}/{subname}/{f}'", sub[f], state
        for key in ("ItemProcessor", "Iterator"):
            proc = raw.get(key)
            cfg = proc.get("ProcessorConfig") if isinstance(proc, dict) else None
            if isinstance(cfg, dict):
                for f, value in cfg.items():
                    if x(value):
                        yield ptr(state.pointer, key, "ProcessorConfig", f), f"State '{state.name}': '{key}/ProcessorConfig/{f}'", \
                            value, state


class JsonataInLiteralField(Rule):
    id = "SFN309"
    name = "jsonata-in-literal-field"
    group = GROUP
    severity = Severity.ERROR
    summary = "A {% %} expression in a field that only takes a literal (Type, Resource, Next, StartAt, Retry, ErrorEquals, ...)"
    docs = """\
## Why
Step Functions evaluates JSONata only in data fields. `Type`, `Resource`, `Next`, `Default`, `End`,
`StartAt`, `QueryLanguage`, `Version`, Map `Label` and `ProcessorConfig`, ItemReader/ResultWriter
`Resource` and format settings, every retrier field and `ErrorEquals` are constants: a `{% %}` string
there is the wrong type or names a state/integration that does not exist. (`Comment` is free text and is
never evaluated, so a Comment starting with `{%` is fine.)

## How to fix
Write the literal value. To branch on data use a Choice state; to pick an integration at run time pass
the name in `Arguments`.
"""
    sources = (TD, SPEC)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "{% 'arn:aws:states:::' & $states.input.service %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for pointer, label, value, state in _literal_fields(ctx.machine):
            yield Finding(pointer, f"{label} is a {{% %}} expression, but this field only takes a literal value",
                              hint="write the constant value; JSONata is evaluated only in data fields")


# fields of a JSONPath state where a `{% %}` string is silently kept as text (JSONata-only fields such as
# Arguments/Output are errors there already: jsonata-field-in-jsonpath-state)
_EVALUATED_JSONPATH = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Result", "Error", "Cause")


def _strings(value: Any, pointer: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth > 100:
        return
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, ptr(pointer, k), depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, ptr(pointer, i), depth + 1)


class JsonataInJsonPathState(Rule):
    id = "SFN310"
    name = "jsonata-in-jsonpath-state"
    group = GROUP
    severity = Severity.WARNING
    summary = "A {% %} string in a JSONPath state is not evaluated (it stays literal text)"
    docs = """\
## Why
JSONata is evaluated only in JSONata states. In a JSONPath state (the default when neither the state nor
the top level sets `"QueryLanguage": "JSONata"`), `"{% $states.input.x %}"` is passed on as that literal
text. A frequent cause is `QueryLanguage` placed in the wrong object (e.g. inside `States`, or on a
Map/Parallel, whose inner states do not inherit it).

## How to fix
Set `"QueryLanguage": "JSONata"` on the state or at the top level, or use JSONPath (`"x.$": "$.x"`).

## Known limits
A warning: AWS accepts the definition, and the text may be meant literally.
"""
    sources = (SPEC, TD)
    example_fail = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x": "{% $states.input.x %}"},
                                                     "End": True}}}
    example_pass = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for state in ctx.machine.states:
            if state.is_jsonata or state.type is None:
                continue
            for f in _EVALUATED_JSONPATH:
                if f not in state.raw:
                    continue
                for pointer, s in _strings(state.raw[f], ptr(state.pointer, f)):
                    if is_expression(s):
                        yield Finding(pointer, f"State '{state.name}' uses JSONPath, so '{field_label(state, pointer)}'"
                                               " is literal text, not a JSONata expression",
                                      hint='set "QueryLanguage": "JSONata" on the state (or at the top level)')


def _assign_base(fs: FieldString) -> str | None:
    if fs.kind == "Assign":
        return fs.state.pointer + "/Assign"
    if fs.kind == "Choice.Assign":
        return f"{fs.state.pointer}/Choices/{fs.index}/Assign"
    if fs.kind == "Catch.Assign":
        return f"{fs.state.pointer}/Catch/{fs.index}/Assign"
    return None


_JSONPATH_LOOK = re.compile(r"^(\$\$?\.[A-Za-z_]|\$\$?\[|States\.[A-Za-z]+\()")


class JsonPathSyntaxInJsonataState(Rule):
    id = "SFN311"
    name = "jsonpath-syntax-in-jsonata-state"
    group = GROUP
    severity = Severity.WARNING
    summary = "A JSONata state holds JSONPath syntax ('.$' keys, \"$.x\" strings, States.* intrinsics) that stays literal"
    docs = """\
## Why
In a JSONata state keys ending in `.$` are ordinary keys and strings like `"$.order.id"` or
`"States.Format(...)"` are plain text; intrinsic functions must not be used outside JSONPath.

## How to fix
Use an expression: `"id": "{% $states.input.order.id %}"`, `"{% 'Hello ' & $name %}"`.

## Known limits
A warning: AWS accepts the definition, and the text may be meant literally.
"""
    sources = (SPEC, TD)
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": {"id.$": "$.order.id"}, "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": {"id": "{% $states.input.order.id %}"}, "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        for fs in ctx.machine.field_strings:
            parent, _, token = fs.pointer.rpartition("/")
            key = token.replace("~1", "/").replace("~0", "~")
            if key.endswith(".$"):
                if parent == _assign_base(fs):
                    continue  # an Assign key: a variable name, checked by invalid-variable-name
                yield Finding(fs.pointer, f"State '{fs.state.name}' uses JSONata: the key '{key}' in "
                                          f"'{field_label(fs.state, parent)}' is not evaluated as a path",
                              key=True, hint=f"use \"{key[:-2]}\": \"{{% ... %}}\"")
                continue
            if fs.delimited.kind == "literal" and _JSONPATH_LOOK.match(fs.value):
                yield Finding(fs.pointer, f"State '{fs.state.name}' uses JSONata: '{field_label(fs.state, fs.pointer)}'"
                                          f" is the literal text {short(fs.value)!r}, not a JSONPath reference",
                              hint="write a {% %} expression, e.g. {% $states.input.field %}")


def _when(call) -> str:
    """How sure the failure of a call is: every time the field is evaluated, or only in some cases."""
    if call.conditional:
        return " (the call is in a part of the expression that is evaluated only sometimes; when it is, the state fails)"
    return ": the state fails whenever this field is evaluated"


class JsonataUnknownFunction(Rule):
    id = "SFN312"
    name = "jsonata-unknown-function"
    group = GROUP
    severity = Severity.ERROR
    summary = "An expression calls $name(...) where name is neither a JSONata/Step Functions function nor a variable"
    docs = """\
## Why
Step Functions provides the JSONata 2.0.6 functions (except `$eval`) plus `$partition`, `$range`, `$hash`,
`$random`, `$uuid` and `$parse`. Calling anything else fails when the state runs (T1006, attempted to
invoke a non-function), usually because of a typo (`$lenght`).

An error when the call is evaluated whenever its expression is: the state fails every time it runs. A
warning when the call sits in a part that is evaluated only sometimes (a branch of `? :`, the right side
of `and`/`or`, a function body, a predicate or a later path step).

## How to fix
Fix the function name (the hint suggests the closest one), or define it locally with
`($f := function($x) { ... }; $f(1))`.

## Known limits
AWS accepts the definition; the call fails only when it runs. A name that any state assigns as a
variable is not reported (the variable may hold a function).
"""
    sources = (TD, "https://docs.jsonata.org/overview")
    example_fail = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $lenght($states.input.name) %}", "End": True}}}
    example_pass = {"QueryLanguage": "JSONata", "StartAt": "A",
                    "States": {"A": {"Type": "Pass", "Output": "{% $length($states.input.name) %}", "End": True}}}

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        from ...asl.jsonata import FUNCTIONS

        m = ctx.machine
        assigned = m.assigned_names
        for e in m.expressions:
            for call in e.analysis.calls:
                if call.name in FUNCTIONS or call.name in assigned or call.name in e.analysis.locals:
                    continue
                yield Finding(e.pointer, f"{_where(e)}: ${call.name}() is not a JSONata or Step Functions function" +
                              _when(call), offset=e.body_offset + call.start,
                              severity=Severity.WARNING if call.conditional else None,
                              hint=did_you_mean(call.name, FUNCTIONS, "did you mean $") or
                              "see the JSONata function library and the Step Functions additions")


RULES = (JsonataSyntaxError, JsonataMalformedDelimiters, JsonataEmptyExpression, JsonataTextAroundExpression,
         JsonataUnsupportedOperator, JsonataEvalUnsupported, JsonataTopLevelReference, JsonataDoubleDollar,
         JsonataInLiteralField, JsonataInJsonPathState, JsonPathSyntaxInJsonataState, JsonataUnknownFunction)
