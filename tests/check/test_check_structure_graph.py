"""Focused tests: SFN1xx structure and SFN2xx graph rules (pointers and messages)."""

from __future__ import annotations

from check_harness import errors, ids, run_rules
from sfn_compiler.check.base import Severity
from sfn_compiler.check.rules import ALL_RULES

BY_ID = {r.id: r for r in ALL_RULES}
JA = {"QueryLanguage": "JSONata"}
LAMBDA = "arn:aws:states:::lambda:invoke"


def find(doc, rule_id, placeholders=None):
    return [r.finding for r in run_rules(doc, placeholders=placeholders, rules=(BY_ID[rule_id],))]


def one(doc, rule_id, placeholders=None):
    found = find(doc, rule_id, placeholders)
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------ SFN101..SFN113


def test_valid_fields_accepted_comment_in_choice_rule_output_on_succeed_assign_on_rule():
    doc = {**JA, "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Comment": "c", "Assign": {"a": 1},
                                             "Output": {"x": 1}, "Next": "S"}], "Default": "S"},
        "S": {"Type": "Succeed", "Output": "{% $states.input %}"}}}
    assert not errors(run_rules(doc))


def test_valid_jsonpath_definition_is_clean():
    doc = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LAMBDA, "InputPath": "$.in", "Parameters": {"FunctionName": "f", "Payload": {
              "a.$": "$.x", "b": 1, "c.$": "States.Format('{}', $.y)", "d.$": "$$.Execution.Id"}},
              "ResultSelector": {"r.$": "$.Payload"}, "ResultPath": "$.out", "OutputPath": "$", "Next": "C",
              "TimeoutSecondsPath": "$.t", "Assign": {"myVar": 1, "other.$": "$.x"},
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 3, "BackoffRate": 2}]},
        "C": {"Type": "Choice", "Choices": [
            {"Variable": "$.a", "StringMatches": "x*", "Next": "W"},
            {"And": [{"Variable": "$.b", "IsPresent": True}, {"Not": {"Variable": "$.c", "NumericEqualsPath": "$.d"}}],
             "Next": "W"}], "Default": "W"},
        "W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "M"},
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.mc", "ItemSelector": {"v.$": "$$.Map.Item.Value", "w.$": "$myVar"},
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "Result": {"x": 1}, "End": True}}},
              "Next": "F"},
        "F": {"Type": "Fail", "ErrorPath": "$.err", "CausePath": "States.Format('{}', $.c)"}}}
    assert not errors(run_rules(doc)), [r.finding.message for r in errors(run_rules(doc))]


def test_opaque_placeholders_pass_type_checks():
    doc = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${LockTableArn}", "TimeoutSeconds": "${Timeout}",
                                            "Retry": "${local.retry}", "End": True}}}
    assert not errors(run_rules(doc, placeholders="opaque"))
    assert find(doc, "SFN107", placeholders=None)


def test_inline_map_reader_is_only_a_warning():
    doc = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}},
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}}
    res = [r for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN110"]
    assert [r.severity for r in res] == [Severity.WARNING]


# ------------------------------------------------------------------ SFN201..SFN207


def test_loop_trap_is_one_warning_at_the_loop_entry():
    doc = BY_ID["SFN205"].example_fail
    res = [r for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN205"]
    assert [r.finding.pointer for r in res] == ["/States/X"]       # one root cause, one finding
    assert [n.pointer for n in res[0].finding.related] == ["/States/Y"]
    assert res[0].finding.follows == ("SFN721", "/States/X")      # cycle-without-exit takes it in when it fires
    assert all(r.severity is Severity.WARNING for r in res)


def test_states_leading_into_two_traps_are_grouped_by_trap():
    doc = {"StartAt": "S", "States": {
        "S": {"Type": "Choice", "Choices": [{"Variable": "$.a", "BooleanEquals": True, "Next": "L1"}],
              "Default": "Lead"},
        "Lead": {"Type": "Pass", "Next": "L2"},
        "L1": {"Type": "Pass", "Next": "L1b"}, "L1b": {"Type": "Pass", "Next": "L1"},
        "L2": {"Type": "Wait", "Seconds": 1, "Next": "L2"},
        "Done": {"Type": "Succeed"}}}
    res = [r.finding for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN205"]
    # S reaches both loops: it joins the first one a breadth-first walk meets
    assert [(f.pointer, [n.pointer for n in f.related]) for f in res] == [
        ("/States/L1", ["/States/S", "/States/L1b"]), ("/States/L2", ["/States/Lead"])]
    assert [n.message for n in res[0].related] == [
        "State 'S' can never reach a terminal state either (it leads into this loop)", "State 'L1b' is in the same loop"]


def test_no_false_errors_on_multiline_and_nospace_expressions():
    doc = {**JA, "StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Output": {
        "a": "{%\n  $states.input.x +\n  1\n%}", "b": "{%$states.input.y%}"}}}}
    assert not errors(run_rules(doc)) and not ids(run_rules(doc)) - {"SFN507"}
