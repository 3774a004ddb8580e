"""Focused tests: SFN3xx JSONata, SFN4xx $states, SFN5xx variables, SFN6xx Retry/Catch."""

from __future__ import annotations

from check_harness import errors, run_rules
from sfn_compiler.check.base import Severity
from sfn_compiler.check.rules import ALL_RULES

BY_ID = {r.id: r for r in ALL_RULES}
LAMBDA = "arn:aws:states:::lambda:invoke"


def machine(states, start=None):
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def find(doc, rule_id, placeholders=None):
    return [r.finding for r in run_rules(doc, placeholders=placeholders, rules=(BY_ID[rule_id],))]


def one(doc, rule_id, placeholders=None):
    found = find(doc, rule_id, placeholders)
    assert len(found) == 1, found
    return found[0]


def pass_output(value, **extra):
    return machine({"A": {"Type": "Pass", "Output": value, "End": True, **extra}})


# ------------------------------------------------------------------ SFN3xx


def test_delimiters_and_empty_and_text_around():
    assert one(pass_output("{% 10 %"), "SFN302").message == "State 'A': 'Output' starts with '{%' but does not end with '%}'"
    assert one(pass_output("10 %}"), "SFN302").offset == 3
    assert one(pass_output("{%  %}"), "SFN303").pointer == "/States/A/Output"
    res = [r for r in run_rules(pass_output({"m": "Hello {% $states.input.n %}"}), placeholders=None)
           if r.rule.id == "SFN304"]
    assert [r.severity for r in res] == [Severity.WARNING] and res[0].finding.offset == 6


def test_comment_starting_with_delimiter_is_not_an_expression():
    doc = pass_output("{% $states.input %}", Comment="{% This is a comment")
    assert not errors(run_rules(doc))


def test_unknown_function_is_a_warning_with_suggestion():
    res = [r for r in run_rules(pass_output("{% $lenght($states.input.s) %}"), placeholders=None)
           if r.rule.id in ("SFN312", "SFN502")]
    assert [r.rule.id for r in res] == ["SFN312"]
    assert res[0].finding.hint == "did you mean $length?"


def test_placeholders_inside_expressions_opaque_mode():
    doc = pass_output("{% $exists($states.input.d) ? $states.input.d : ${var.dry_run_default} %}")
    assert not errors(run_rules(doc, placeholders="opaque"))
    assert find(doc, "SFN301", placeholders=None)  # unrendered, `${` is not JSONata


# ------------------------------------------------------------------ SFN4xx


# ------------------------------------------------------------------ SFN5xx


def test_variable_names():
    doc = machine({"A": {"Type": "Pass", "End": True, "Assign": {"states": 1, "a.b": 2, "top-level": 3, "ok_1": 4}}})
    res = {r.finding.pointer: r.severity for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN501"}
    assert res == {"/States/A/Assign/states": Severity.ERROR, "/States/A/Assign/a.b": Severity.ERROR,
                   "/States/A/Assign/top-level": Severity.WARNING}


def test_read_before_assign_choice_and_catch_paths():
    doc = machine({
        "T": {"Type": "Task", "Resource": LAMBDA, "Assign": {"ok": 1}, "Next": "C",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err": "{% $states.errorOutput %}"}, "Next": "C"}]},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $ok %}", "Assign": {"rule": 1}, "Next": "U"}],
              "Default": "U"},
        "U": {"Type": "Pass", "Output": {"a": "{% $rule %}", "b": "{% $err %}", "c": "{% $nope %}",
                                         "d": "{% $exists($err) ? $err : 0 %}"}, "End": True}})
    res = {(r.rule.id, r.finding.pointer) for r in run_rules(doc, placeholders=None) if r.rule.id in ("SFN502", "SFN503")}
    assert res == {("SFN503", "/States/C/Choices/0/Condition"), ("SFN503", "/States/U/Output/a"),
                   ("SFN503", "/States/U/Output/b"), ("SFN502", "/States/U/Output/c")}


def test_inner_scopes_see_outer_variables_and_distributed_maps_do_not():
    inner = {"StartAt": "I", "States": {"I": {"Type": "Pass", "Output": "{% $limit %}", "End": True}}}
    doc = machine({"S": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "M"},
                   "M": {"Type": "Map", "End": True, "ItemProcessor": inner}})
    assert not errors(run_rules(doc, placeholders=None))
    dist = {**inner, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}
    doc["States"]["M"]["ItemProcessor"] = dist
    f = one(doc, "SFN505")
    assert f.pointer == "/States/M/ItemProcessor/States/I/Output" and not find(doc, "SFN502")


def test_parallel_catcher_assigns_in_outer_scope_and_inner_reassignment_is_an_error():
    doc = machine({
        "P": {"Type": "Parallel", "Assign": {"total": 0}, "Next": "U", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"total": 1}, "End": True}}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"failed": True}, "Next": "U"}]},
        "U": {"Type": "Pass", "Output": "{% [$total, $failed] %}", "End": True}})
    res = [r for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN504"]
    assert [r.finding.pointer for r in res] == ["/States/P/Branches/0/States/B/Assign/total"]
    assert res[0].severity is Severity.ERROR   # the states language spec: an inner scope MUST NOT assign it
    assert {f.pointer for f in find(doc, "SFN503")} == {"/States/U/Output"}


# ------------------------------------------------------------------ SFN6xx
