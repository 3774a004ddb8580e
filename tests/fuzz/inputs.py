"""The fuzz suite's generators: placeholders and Jinja expressions, templates (`.json` with `${...}`,
`.json.j2`), env YAML, ASL definitions, scenario and mock files, CLI argument sets. Each kind of input is
drawn from named operators (`fuzzkit.OpTable`), so a class that still fails in another part of sfnc can be
left out by name (`fuzzkit.KNOWN_OPEN`)."""

from __future__ import annotations

import json
from typing import Any, Callable

import yaml
from hypothesis import strategies as st

from fuzzkit import (CORPUS, JSON_VALUES, REPO, SCALARS, TEXT_OPS, TEMPLATE, OpTable, delete_at, get_at, pick_path,
                     set_at)

# ----------------------------------------------------------------------------------------------- names

VALUE_NAMES = ["region", "env", "account_id", "engagement.functions.pre_cleanup", "engagement.network.subnet_ids",
               "engagement.timeouts.training_seconds", "poll.streaming.max_attempts", "tables.processing_lock",
               "engagement.ecs.cluster_arn", "state_machines", "engagement", "missing", "engagement.missing.x",
               "engagement.network.subnet_ids.0", "poll"]
NAMES = st.sampled_from(VALUE_NAMES)

# ----------------------------------------------------------------------------------------------- Jinja expressions
# Each class of expression is an operator: the sandbox and the render bounds must turn every one into a
# located error or a JSON value.

EXPR = OpTable()
_LITERALS = st.sampled_from(["1", "0", "-1", "2.5", "'a'", '"b"', "none", "true", "[1, 2]", "{'k': 1}", "(1, 2)",
                             "'${x}'", "'*/'", "'\\u0000'", "10**20", "1e308"])


@EXPR.add("expr.name")
def _name(_, draw):
    return draw(NAMES)


@EXPR.add("expr.literal")
def _literal(_, draw):
    return draw(_LITERALS)


@EXPR.add("expr.filter")
def _filter(_, draw):
    f = draw(st.sampled_from(["upper", "lower", "length", "tojson", "int", "float", "string", "join(',')", "first",
                              "last", "list", "sort", "trim", "default('d')", "replace('a', 'b')", "round", "abs",
                              "sum", "title", "wordcount", "e", "nope", "center(10)", "indent(2)", "truncate(5)",
                              "format(1)", "dictsort", "attr('x')", "max", "min", "urlize"]))
    return f"{draw(NAMES)} | {f}"


@EXPR.add("expr.operator")
def _operator(_, draw):
    op = draw(st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "~", "==", "<", "and", "or", "in"]))
    return f"{draw(NAMES)} {op} {draw(_LITERALS)}"


@EXPR.add("expr.access")
def _access(_, draw):
    return draw(NAMES) + draw(st.sampled_from(["[0]", "['k']", ".x", "[-1]", "[1:]", "[::2]", ".keys()",
                                                ".values()", ".get('x')", ".upper()", ".split(',')", ".format(1)"]))


@EXPR.add("expr.conditional")
def _conditional(_, draw):
    return f"{draw(NAMES)} if {draw(_LITERALS)} else {draw(_LITERALS)}"


@EXPR.add("expr.syntax")
def _syntax(_, draw):
    return draw(st.sampled_from(["", " ", "1 +", "(", ")", "a b", "|", "x |", "'", "{%", "%}", "}", "${", "a.",
                                 "[", "**", "not", "if", "a if", "lambda: 1", "import os", "__import__('os')"]))


@EXPR.add("expr.python-internals")
def _internals(_, draw):
    return draw(st.sampled_from(["''.__class__", "region.__class__.__mro__", "().__class__.__base__.__subclasses__()",
                                 "env.__len__()", "self", "config", "request", "lipsum.__globals__",
                                 "range.__call__", "namespace"]))


@EXPR.add("expr.non-json-result")
def _non_json(_, draw):
    return draw(st.sampled_from(["engagement.items()", "cycler(1, 2)", "joiner()", "namespace(a=1)", "range(3)",
                                 "engagement.keys()", "lipsum", "dict", "1 == 1 and engagement.values()",
                                 "region | items", "engagement | items", "region | batch(2)", "region | slice(2)",
                                 "region | map('upper')", "region | select", "region | reverse", "region | unique",
                                 "engagement.network.subnet_ids | reverse"]))


@EXPR.add("expr.mutating-method")
def _mutating(_, draw):
    return draw(st.sampled_from(["engagement.network.subnet_ids.clear() or 'x'", "engagement.pop('ecs')",
                                 "engagement.network.subnet_ids.append(1) or 'x'", "engagement.update({'a': 1}) or 1",
                                 "engagement.network.subnet_ids.sort() or 1"]))


@EXPR.add("expr.runtime-error")
def _runtime(_, draw):
    return draw(st.sampled_from(["1 / 0", "1 // 0", "1 % 0", "'a' + 1", "int('x')", "'%d' % 'x'", "'{}'.format",
                                 "'{0}{1}'.format(1)", "[1][5]", "{'a': 1}['b']", "region | int + none",
                                 "range(1, 2, 0)", "'x' * 'y'", "(1).x()"]))


@EXPR.add("expr.huge")
def _huge(_, draw):
    return draw(st.sampled_from(["'a' * 10**9", "(1,) * 10**8", "[0] * 10**8", "lipsum(10**6)", "range(10**9)",
                                 "range(10**8) | list", "10 ** 10 ** 8", "'x' * 2**40", "(region * 10**7) ~ region"]))


def expression(draw, ops: list[str] | None = None) -> str:
    name = draw(st.sampled_from(ops or EXPR.names()))
    return EXPR.ops[name].apply("", draw)


# ----------------------------------------------------------------------------------------------- JSON templates

TEMPLATE_OPS = OpTable()


def _string_paths(doc, draw):
    return pick_path(doc, draw, lambda v: isinstance(v, str))


def _json_op(fn: Callable[[Any, Callable], Any]) -> Callable[[str, Callable], str]:
    """A structural mutation: parse the text (left as is when it is no longer JSON), change, dump."""
    def apply(text: str, draw) -> str:
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):
            return text
        doc = fn(doc, draw)
        return json.dumps(doc, indent=draw(st.sampled_from([None, 2])), ensure_ascii=draw(st.booleans()))
    return apply


def _placeholder(draw) -> str:
    return "${" + expression(draw) + "}"


@TEMPLATE_OPS.add("tpl.replace-string-with-placeholder")
@_json_op
def _replace_placeholder(doc, draw):
    path = _string_paths(doc, draw)
    if path is None:
        return doc
    old = get_at(doc, path)
    new = draw(st.sampled_from([_placeholder(draw), old + _placeholder(draw), _placeholder(draw) + " " + old,
                                "$${" + old + "}", "${", "${}", "${${x}}"]))
    return set_at(doc, path, new)


@TEMPLATE_OPS.add("tpl.placeholder-in-key")
@_json_op
def _placeholder_key(doc, draw):
    path = pick_path(doc, draw, lambda v: isinstance(v, dict) and v)
    if path is None:
        return doc
    node = get_at(doc, path)
    key = draw(st.sampled_from(sorted(node)))
    node[key + _placeholder(draw)] = node.pop(key)
    return doc


@TEMPLATE_OPS.add("tpl.placeholder-in-jsonata")
@_json_op
def _placeholder_jsonata(doc, draw):
    path = _string_paths(doc, draw)
    if path is None:
        return doc
    body = draw(st.sampled_from(["'${region}'", "\"${region}\"", "/* owner: ${region} */ 'c'", "${poll.streaming.max_attempts} + 1",
                                 "$states.input.${region}", "[${engagement.network.subnet_ids}]", "${engagement}",
                                 "'${" + expression(draw, ["expr.name", "expr.literal", "expr.filter"]) + "}'"]))
    return set_at(doc, path, "{% " + body + " %}")


@TEMPLATE_OPS.add("tpl.replace-value")
@_json_op
def _replace_value(doc, draw):
    path = pick_path(doc, draw)
    return set_at(doc, path, draw(JSON_VALUES)) if path else draw(JSON_VALUES)


@TEMPLATE_OPS.add("tpl.delete")
@_json_op
def _delete(doc, draw):
    path = pick_path(doc, draw)
    return delete_at(doc, path) if path else doc


@TEMPLATE_OPS.add("tpl.asl-field")
@_json_op
def _asl_field(doc, draw):
    path = pick_path(doc, draw, lambda v: isinstance(v, dict) and "Type" in v)
    if path is None:
        return doc
    field_, value = draw(ASL_FIELDS)
    get_at(doc, path)[field_] = value
    return doc


def _text_with(token: str) -> Callable[[str, Callable], str]:
    def apply(text, draw):
        i = text.find(": ", draw(st.integers(0, max(0, len(text) - 1))))
        if i < 0:
            return text
        end = min((j for j in (text.find(",", i), text.find("}", i), text.find("\n", i)) if j > 0), default=-1)
        return text[: i + 2] + token + text[end:] if end > 0 else text
    return apply


TEMPLATE_OPS.add("tpl.nan-literal")(_text_with("NaN"))
TEMPLATE_OPS.add("tpl.infinity-literal")(_text_with("-Infinity"))
TEMPLATE_OPS.add("tpl.big-int")(_text_with("1" * 5000))
TEMPLATE_OPS.add("tpl.lone-surrogate")(_text_with('"\\ud800"'))
TEMPLATE_OPS.add("tpl.deep-nesting")(_text_with("[" * 3000 + "]" * 3000))
for _name_, _op in TEXT_OPS.ops.items():
    TEMPLATE_OPS.ops["tpl." + _name_] = _op

# ----------------------------------------------------------------------------------------------- ASL fields

_NUMS = st.one_of(st.integers(-5, 10**8), st.sampled_from([0, 99_999_999, 2**31, 10**20, 31_622_401]),
                  st.floats(0, 1e9, allow_nan=False), st.text(max_size=4), st.none(), st.booleans())
_EXPRS = st.sampled_from(["{% $states.input %}", "{% $x %}", "{% $states.input.missing %}", "{% 1/0 %}", "{% [1,2] %}",
                          "{% $power(10, 300) %}", "{% $count($range(0, 10)) %}", "{% $ %}", "{%%}", "{% '{%' %}",
                          "{% ($f := function($n){ $f($n + 1) }; $f(0)) %}", "{% $pad('x', 100000000) %}",
                          "{% $states.context.Execution.Id %}", "{% $eval('1') %}", "{% $random() %}",
                          "{% $sum($map([1..10000], function($v){ $v * 2 })) %}", "{% [1..100000] %}",
                          "$.a", "$.a[*]", "$$.Map.Item.Value", "States.Array($.a)", "States.MathAdd(1)", "$x"])
ASL_FIELDS = st.one_of(
    st.tuples(st.sampled_from(["TimeoutSeconds", "HeartbeatSeconds", "Seconds", "MaxConcurrency",
                               "ToleratedFailureCount", "ToleratedFailurePercentage"]), st.one_of(_NUMS, _EXPRS)),
    st.tuples(st.just("Retry"), st.lists(st.fixed_dictionaries({"ErrorEquals": st.sampled_from(
        [["States.ALL"], ["States.TaskFailed"], [], "x", ["E", "States.ALL"]])}, optional={
        "IntervalSeconds": _NUMS, "MaxAttempts": _NUMS, "BackoffRate": st.one_of(_NUMS, st.sampled_from([1e300, 1.5])),
        "MaxDelaySeconds": _NUMS, "JitterStrategy": st.sampled_from(["FULL", "NONE", "x"])}), max_size=3)),
    st.tuples(st.sampled_from(["Output", "Arguments", "Assign", "Items", "Condition", "Error", "Cause", "Timestamp",
                               "Parameters", "ResultPath", "InputPath", "OutputPath", "ItemsPath",
                               "ResultSelector", "Variable"]), st.one_of(_EXPRS, JSON_VALUES)),
    st.tuples(st.sampled_from(["Type", "Next", "Default", "End", "QueryLanguage", "Resource", "StartAt"]),
              st.one_of(SCALARS, st.sampled_from(["Pass", "Task", "Map", "Parallel", "Wait", "Choice", "Fail",
                                                  "Succeed", "JSONPath", "JSONata", "Nope"]))),
)

# ----------------------------------------------------------------------------------------------- .json.j2

J2_OPS = OpTable()
J2_BASE = """{
  "QueryLanguage": "JSONata",
  "StartAt": "Step 0",
  "States": {
<% for i in range(n) %>
    "Step << i >>": {"Type": "Pass", "Output": {"region": "<< region >>", "i": << i >>}, "Next": "Step << i + 1 >>"},
<% endfor %>
    "Step << n >>": {"Type": "Succeed", "Comment": "{% $states.input %} ${region}"}
  }
}
"""


def _j2_insert(snippet: Callable[[Callable], str]) -> Callable[[str, Callable], str]:
    def apply(text, draw):
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines)))
        return "\n".join(lines[:i] + [snippet(draw)] + lines[i:])
    return apply


def _j2_expr(ops):
    """An expression of these classes (a .json.j2 operator is in KNOWN_OPEN by its own name)."""
    return lambda draw: "<< " + expression(draw, ops) + " >>"


J2_OPS.add("j2.expression")(_j2_insert(_j2_expr(["expr.name", "expr.literal", "expr.conditional", "expr.syntax"])))
J2_OPS.add("j2.filter-operator-access")(_j2_insert(_j2_expr(["expr.filter", "expr.operator", "expr.access"])))
J2_OPS.add("j2.python-internals")(_j2_insert(_j2_expr(["expr.python-internals"])))
J2_OPS.add("j2.non-json-result")(_j2_insert(_j2_expr(["expr.non-json-result"])))
J2_OPS.add("j2.mutating-method")(_j2_insert(_j2_expr(["expr.mutating-method"])))
J2_OPS.add("j2.runtime-error")(_j2_insert(_j2_expr(["expr.runtime-error"])))
J2_OPS.add("j2.huge")(_j2_insert(_j2_expr(["expr.huge"])))
J2_OPS.add("j2.block")(_j2_insert(lambda draw: draw(st.sampled_from([
    "<% if region %>", "<% endif %>", "<% for x in [] %><% endfor %>", "<% set y = 1 %>", "<% else %>",
    "<% raw %>{{ x }}<% endraw %>", "<# comment #>", "<# never closed", "<% for %>", "<%", "%>", "<< region",
    "<% filter upper %>x<% endfilter %>", "<% with a = 1 %><< a >><% endwith %>", "<% do %>",
    "<% break %>", "<% continue %>", "<% call x() %><% endcall %>", "<% autoescape true %><% endautoescape %>",
]))))
J2_OPS.add("j2.include-import-extends")(_j2_insert(lambda draw: draw(st.sampled_from([
    "<% include 'other.json.j2' %>", "<% import 'x' as y %>", "<% extends 'base' %>", "<% from 'x' import y %>",
    "<% include '/etc/passwd' %>", "<% include '../pyproject.toml' %>", "<% include region %>",
]))))
J2_OPS.add("j2.recursion")(_j2_insert(lambda draw: draw(st.sampled_from([
    "<% macro f(n) %><< f(n + 1) >><% endmacro %><< f(0) >>",
    "<% macro f(n) %><< f(n) >><< f(n) >><% endmacro %><< f(0) >>",
    "<% set ns = namespace(l=[1]) %><% for x in ns.l %><% set ns.l = ns.l + [x] %><% endfor %>",
]))))
J2_OPS.add("j2.loop-growth")(_j2_insert(lambda draw: draw(st.sampled_from([
    "<% set l = [1] %><% for x in l %><% do l.append(x) %><% endfor %>",
    "<% for i in range(10**7) %><% endfor %>",
    "<% for i in range(3000) %><% for j in range(3000) %><% endfor %><% endfor %>",
]))))
J2_OPS.add("j2.undefined-range")(_j2_insert(lambda draw: draw(st.sampled_from([
    "<% for i in range(nope) %><% endfor %>", "<% for i in range(region) %><% endfor %>",
    "<< range(undefined_value) | list >>",
]))))
for _name_, _op in TEXT_OPS.ops.items():
    J2_OPS.ops["j2." + _name_] = _op

# ----------------------------------------------------------------------------------------------- env YAML

ENV_OPS = OpTable()


def _yaml_op(fn: Callable[[Any, Callable], Any]) -> Callable[[str, Callable], str]:
    def apply(text: str, draw) -> str:
        try:
            doc = yaml.safe_load(text)
        except (yaml.YAMLError, ValueError, RecursionError):
            return text
        if not isinstance(doc, dict):
            return text
        doc = fn(doc, draw)
        return yaml.safe_dump(doc, allow_unicode=draw(st.booleans()), sort_keys=False, width=10**6)
    return apply


@ENV_OPS.add("env.replace-value")
@_yaml_op
def _env_replace(doc, draw):
    path = pick_path(doc, draw)
    return set_at(doc, path, draw(JSON_VALUES)) if path else doc


@ENV_OPS.add("env.delete")
@_yaml_op
def _env_delete(doc, draw):
    path = pick_path(doc, draw)
    return delete_at(doc, path) if path else doc


@ENV_OPS.add("env.value-placeholder")
@_yaml_op
def _env_placeholder(doc, draw):
    values = doc.setdefault("values", {}) if isinstance(doc.get("values", {}), dict) else {}
    values[draw(st.sampled_from(["region", "x", "engagement"]))] = "${" + expression(
        draw, ["expr.name", "expr.literal", "expr.filter", "expr.operator", "expr.syntax"]) + "}"
    return doc


@ENV_OPS.add("env.top-level")
@_yaml_op
def _env_top(doc, draw):
    key = draw(st.sampled_from(["values", "aws", "tags", "nope", "deploy"]))
    doc[key] = draw(st.one_of(JSON_VALUES, st.sampled_from(["us-east-1", "local", "_base", "dev"])))
    return doc


@ENV_OPS.add("env.aws-section")
@_yaml_op
def _env_aws(doc, draw):
    aws = doc.setdefault("aws", {}) if isinstance(doc.get("aws"), (dict, type(None))) else {}
    if aws is None:
        aws = doc["aws"] = {}
    aws[draw(st.sampled_from(["region", "account_id", "role_arn", "name_prefix", "tags", "profile", "x"]))] = \
        draw(st.one_of(SCALARS, JSON_VALUES))
    return doc


@ENV_OPS.add("env.extends-name")
@_yaml_op
def _env_extends(doc, draw):
    doc["extends"] = draw(st.sampled_from(["_base", "dev", "local", "nope", "", ["_base"], 1, None, "x" * 300]))
    return doc


@ENV_OPS.add("env.extends-path")
@_yaml_op
def _env_extends_path(doc, draw):
    doc["extends"] = draw(st.sampled_from(["../pyproject", "../../x", "/tmp/x", "envs/_base", "./dev", "_base.yaml"]))
    return doc


@ENV_OPS.add("env.value-doubling")
@_yaml_op
def _env_doubling(doc, draw):
    n = draw(st.integers(20, 40))
    values = doc.setdefault("values", {}) if isinstance(doc.get("values"), dict) else {}
    values["a0"] = "xx"
    for i in range(1, n):
        values[f"a{i}"] = f"${{a{i - 1}}}${{a{i - 1}}}"
    values["region"] = f"${{a{n - 1}}}"
    return doc


@ENV_OPS.add("env.deep-chain")
@_yaml_op
def _env_chain(doc, draw):
    n = draw(st.sampled_from([50, 3000]))
    values = doc.setdefault("values", {}) if isinstance(doc.get("values"), dict) else {}
    values["c0"] = "x"
    for i in range(1, n):
        values[f"c{i}"] = f"${{c{i - 1}}}"
    values["region"] = f"${{c{n - 1}}}"
    return doc


def _env_text(token: Callable[[Callable], str]) -> Callable[[str, Callable], str]:
    def apply(text, draw):
        return text.rstrip("\n") + "\n" + token(draw)
    return apply


ENV_OPS.add("env.alias-bomb")(_env_text(lambda draw: "bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
    for i in range(1, draw(st.sampled_from([3, 9]))))))
ENV_OPS.add("env.nan")(_env_text(lambda draw: "tags:\n  x: " + draw(st.sampled_from([".nan", ".inf", "-.inf"]))))
ENV_OPS.add("env.deep-nesting")(_env_text(lambda draw: "deep: " + "[" * draw(st.sampled_from([100, 5000]))
                                          + "]" * 5000))
ENV_OPS.add("env.big-int")(_env_text(lambda draw: "tags:\n  big: " + "9" * 5000))
ENV_OPS.add("env.yaml-tags")(_env_text(lambda draw: draw(st.sampled_from([
    "x: !!python/object/apply:os.system ['true']", "x: !!binary aGVsbG8=", "x: !!set {a, b}", "x: !custom 1",
    "x: !!timestamp 2025-01-01", "x: &a [*a]", "x: *undefined", "? [a]\n: b", "x: !!float nope"]))))
for _name_, _op in TEXT_OPS.ops.items():
    ENV_OPS.ops["env." + _name_] = _op

# ----------------------------------------------------------------------------------------------- definitions

DEFINITION_OPS = OpTable()


def definition_sources() -> list:
    """The texts definitions are mutated from: the bundled definitions, and the real corpus when present."""
    paths = sorted((REPO / "definitions" / "local").glob("*.json"))
    if (CORPUS / "MANIFEST.tsv").is_file():
        paths += sorted(CORPUS.rglob("*.json"))
    return paths


DEFINITION_OPS.add("asl.field")(_asl_field)
DEFINITION_OPS.add("asl.replace-value")(_replace_value)
DEFINITION_OPS.add("asl.delete")(_delete)


@DEFINITION_OPS.add("asl.nest")
@_json_op
def _nest(doc, draw):
    depth = draw(st.sampled_from([3, 40, 400]))
    inner: dict = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    for _ in range(depth):
        inner = {"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "Branches": [inner], "End": True}}}
    return {**inner, **({"QueryLanguage": "JSONata"} if draw(st.booleans()) else {})}


DEFINITION_OPS.add("asl.nan-literal")(_text_with("NaN"))
DEFINITION_OPS.add("asl.big-int")(_text_with("1" * 5000))
DEFINITION_OPS.add("asl.lone-surrogate")(_text_with('"\\ud800"'))
DEFINITION_OPS.add("asl.deep-nesting")(_text_with("[" * 100_000 + "]" * 100_000))
for _name_, _op in TEXT_OPS.ops.items():
    DEFINITION_OPS.ops["asl." + _name_] = _op


def task_names(text: str) -> list[str]:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return []
    names: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            states = node.get("States")
            if isinstance(states, dict):
                names.extend(k for k, v in states.items() if isinstance(v, dict) and v.get("Type") == "Task")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(doc)
    return names


# ----------------------------------------------------------------------------------------------- scenarios, mocks

SCENARIO_OPS = OpTable()
_YAML_SPECIAL = st.sampled_from([".inf", "-.inf", ".nan", "~", "yes", "0x1F", "1e3", "1.0e+12", "2025-01-01",
                                 '"\\0"', '"a\\tb"', "[]", "{}", "[1, [2]]", "{a: {b: c}}", "!!binary aGk=",
                                 "1000000000000", "-1", "true", "''", '"\\ud800"', "&a x", "*a"])
_TOP_KEYS = ["description", "input", "mocks", "mock_config", "expect", "seed", "execution_name", "start_time",
             "max_transitions", "max_events", "envs", "mock_validation", "unknown"]
_MOCK_STATES = ["PreCleanup", "DataPreparation", "TrainModel", "RunInference", "NotifyFailure", "Nope", "T\u0000"]


def _yaml_scalar(draw) -> str:
    return draw(st.one_of(_YAML_SPECIAL, SCALARS.map(lambda v: json.dumps(v))))


@SCENARIO_OPS.add("scn.key-value")
def _scn_key(text, draw):
    key = draw(st.sampled_from(_TOP_KEYS))
    return _set_top(text, key, _yaml_scalar(draw))


@SCENARIO_OPS.add("scn.mock")
def _scn_mock(text, draw):
    state = draw(st.sampled_from(_MOCK_STATES))
    resp = draw(st.sampled_from([
        "{return: %s}", "{throw: {Error: %s}}", "{return: {}, duration: %s}", "[{return: 1, times: %s}]",
        "{'0': {return: 1}, '%s': {return: 2}}", "{throw: {Error: E, Cause: %s}}", "%s", "[%s]",
        "{Return: 1, return: %s}", "{throw: %s}"])) % _yaml_scalar(draw)
    return _set_top(text, "mocks", "{" + json.dumps(state) + ": " + resp + "}")


@SCENARIO_OPS.add("scn.expect")
def _scn_expect(text, draw):
    key = draw(st.sampled_from(["status", "error", "cause", "output", "states", "states_include", "states_exclude",
                                "variables", "nope"]))
    return _set_top(text, "expect", "{" + key + ": " + _yaml_scalar(draw) + "}")


@SCENARIO_OPS.add("scn.mock-config")
def _scn_mock_config(text, draw):
    entry = draw(st.sampled_from(["{file: mocks.json, machine: M, test_case: C}", "{file: %s, machine: M, test_case: C}",
                                  "{file: mocks.json, machine: %s, test_case: C}", "%s", "{file: ../../../x, machine: M, test_case: C}"]))
    if "%s" in entry:
        entry = entry % _yaml_scalar(draw)
    return _set_top(text, "mock_config", entry)


@SCENARIO_OPS.add("scn.placeholder")
def _scn_placeholder(text, draw):
    return _set_top(text, draw(st.sampled_from(["description", "input", "expect"])),
                    json.dumps("${" + expression(draw, ["expr.name", "expr.literal", "expr.filter", "expr.syntax"]) + "}"))


def _set_top(text: str, key: str, value: str) -> str:
    lines = [ln for ln in text.split("\n") if not ln.startswith(key + ":")]
    return "\n".join(lines).rstrip("\n") + f"\n{key}: {value}\n"


for _name_, _op in TEXT_OPS.ops.items():
    SCENARIO_OPS.ops["scn." + _name_] = _op


def mock_config_text(draw) -> str:
    """A Step Functions Local MockConfigFile for the project's template, mutated."""
    responses = {"R": {"0-99": {"Return": {"Payload": {}}}}, "E": {"0": {"Throw": {"Error": "E", "Cause": "c"}}}}
    doc = {"StateMachines": {"M": {"TestCases": {"C": {s: draw(st.sampled_from(["R", "E"])) for s in _MOCK_STATES[:5]}}}},
           "MockedResponses": responses}
    for _ in range(draw(st.integers(0, 3))):
        path = pick_path(doc, draw)
        if path:
            doc = set_at(doc, path, draw(JSON_VALUES))
    return json.dumps(doc, indent=1)


# ----------------------------------------------------------------------------------------------- CLI arguments

_ARG_VALUES = st.one_of(
    st.sampled_from(["local", "dev", "_base", "prod", "", " ", "-", "--", "x" * 5000, "nan", "inf", "-1", "0",
                     "1e400", "99999999999999999999", "../x", "..", ".", "a/b", "~", "$HOME", "é", "\u2028",
                     TEMPLATE, "SFN101", "lambda", "definitions/local/" + TEMPLATE + ".json", "templates",
                     "envs/local.yaml", "tests/scenarios", "a=b", "poll.streaming.max_attempts=5", "x=.nan",
                     "values=1", "aws=1", "a." * 200 + "=1", "x=[[[[[[[[]]]]]]]]", "=1", "json", "junit", "sarif",
                     "github", "text", "md", "dot", "mermaid", "strict", "present", "none", "STANDARD", "EXPRESS",
                     "opaque", "error", "grouped", "*", "**/*.json"]),
    st.text(max_size=12).filter(lambda s: "\x00" not in s and not s.startswith("/dev")),
)

COMMANDS: dict[str, list[str]] = {
    "render": ["--env", "--all-envs", "--check", "--stdout", "--out", "--set", "--strict", "-e"],
    "validate": ["--env", "--format", "--strict", "--select", "--ignore", "--placeholders", "--type", "--input-schema",
                 "--set", "--output", "--no-cache", "--jobs", "--exclude", "-f", "-o"],
    "test": ["--env", "--format", "--min-coverage", "--trace", "--quiet", "--output", "--mock-validation",
             "--scaffold", "--force", "--set", "-q"],
    "run": ["--input", "--mock-config", "--test-case", "--name", "--format", "--seed", "--max-events",
            "--mock-validation"],
    "graph": ["--env", "--format", "--docs", "--check", "--catch", "--no-catch", "--shapes", "--input-schema",
              "--depth"],
    "rules": ["--format"],
    "explain": [],
}
FLAGS = {"--all-envs", "--check", "--strict", "--no-cache", "--trace", "--quiet", "-q", "--force", "--docs",
         "--no-catch", "--shapes"}
OUTPUT_OPTIONS = {"--output", "-o", "--out"}


@st.composite
def cli_args(draw) -> list[str]:
    """A command, some of its options with values (and a few that are not its own), positional words."""
    cmd = draw(st.sampled_from(sorted(COMMANDS)))
    args = [cmd]
    options = COMMANDS[cmd] + ["--help", "--bogus", "-x"]
    for _ in range(draw(st.integers(0, 4))):
        opt = draw(st.sampled_from(options))
        args.append(opt)
        if opt in FLAGS or opt in ("--help",):
            continue
        if opt in OUTPUT_OPTIONS:  # inside the project only (never /dev/null, never outside)
            args.append(draw(st.sampled_from(["out.txt", "reports/r.xml", "", ".", "templates", "out/"])))
        elif opt == "--jobs":      # worker processes: a few, never thousands
            args.append(draw(st.sampled_from(["1", "2", "0", "-1", "x"])))
        elif draw(st.integers(0, 9)):
            args.append(draw(_ARG_VALUES))
    for _ in range(draw(st.integers(0, 2))):
        word = draw(_ARG_VALUES)
        args.append(word)
    return args
