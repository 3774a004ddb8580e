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


def test_missing_required_fields_name_the_object():
    doc = {"States": {"T": {"Type": "Task", "End": True, "Catch": [{"ErrorEquals": ["States.ALL"]}]},
                      "M": {"Type": "Map", "End": True},
                      "P": {"Type": "Parallel", "End": True, "Branches": [{"States": {}}]}}}
    found = {(f.pointer, f.message) for f in find(doc, "SFN101")}
    assert ("", "The state machine is missing required field 'StartAt'") in found
    assert ("/States/T", "State 'T' (Task) is missing required field 'Resource'") in found
    assert ("/States/T/Catch/0", "State 'T': catcher 0 is missing required field 'Next'") in found
    assert ("/States/M", "State 'M' (Map) is missing required field 'ItemProcessor'") in found
    assert ("/States/P/Branches/0", "State 'P': branch 0 is missing required field 'StartAt'") in found


def test_invalid_state_type_suggests():
    f = one({"StartAt": "A", "States": {"A": {"Type": "succeed"}}}, "SFN102")
    assert f.pointer == "/States/A/Type" and f.hint == "did you mean 'Succeed'?"


def test_field_not_supported_examples():
    doc = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "TimeoutSeconds": 5, "Next": "F"},
        "F": {"Type": "Fail", "End": True, "Assign": {"x": 1}},
        "C": {"Type": "Choice", "Next": "A", "Choices": [{"Variable": "$.a", "IsPresent": True, "Next": "A",
                                                           "Not": {"Variable": "$.b", "IsNull": True, "Next": "A"}}]}}}
    found = {(f.pointer, f.message) for f in find(doc, "SFN103")}
    assert ("/States/A/TimeoutSeconds", "State 'A': field 'TimeoutSeconds' is not supported on a Pass state") in found
    assert ("/States/F/End", "State 'F': field 'End' is not supported on a Fail state") in found
    assert ("/States/F/Assign", "State 'F': field 'Assign' is not supported on a Fail state") in found
    assert ("/States/C/Next", "State 'C': field 'Next' is not supported on a Choice state") in found
    assert any(p == "/States/C/Choices/0/Not/Next" for p, _ in found)


def test_valid_fields_accepted_comment_in_choice_rule_output_on_succeed_assign_on_rule():
    doc = {**JA, "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Comment": "c", "Assign": {"a": 1},
                                             "Output": {"x": 1}, "Next": "S"}], "Default": "S"},
        "S": {"Type": "Succeed", "Output": "{% $states.input %}"}}}
    assert not errors(run_rules(doc))


def test_jsonpath_fields_in_jsonata_state_one_per_field():
    doc = {**JA, "StartAt": "T", "States": {"T": {
        "Type": "Task", "Resource": LAMBDA, "Parameters": {}, "ResultPath": "$.x", "End": True,
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "T"}]}}}
    found = {(f.pointer, f.hint) for f in find(doc, "SFN104")}
    assert found == {("/States/T/Parameters", "use Arguments"), ("/States/T/ResultPath", "use Output (or Assign)"),
                     ("/States/T/Catch/0/ResultPath", "use Output")}


def test_jsonata_field_in_inner_state_of_jsonata_map_under_jsonpath_machine():
    doc = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "QueryLanguage": "JSONata", "End": True, "Items": "{% [1] %}",
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": {"a": 1}, "End": True}}}}}}
    f = one(doc, "SFN105")
    assert f.pointer == "/States/M/ItemProcessor/States/P/Output"
    assert "inner states do not inherit" in f.hint


def test_valid_jsonpath_definition_is_clean():
    doc = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LAMBDA, "InputPath": "$.in", "Parameters": {"a.$": "$.x", "b": 1,
              "c.$": "States.Format('{}', $.y)", "d.$": "$$.Execution.Id"},
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


def test_query_language_rules():
    doc = {**JA, "StartAt": "M", "States": {
        "A": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True},
        "M": {"Type": "Map", "Next": "A", "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "I",
                                                            "States": {"I": {"Type": "Succeed", "QueryLanguage": "jsonata"}}}}}}
    found = {f.pointer for f in find(doc, "SFN106")}
    assert found == {"/States/A/QueryLanguage", "/States/M/ItemProcessor/QueryLanguage",
                     "/States/M/ItemProcessor/States/I/QueryLanguage"}


def test_field_values_types_and_ranges():
    doc = {**JA, "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 0, "HeartbeatSeconds": "{% 3 %}", "Next": "W"},
        "W": {"Type": "Wait", "Timestamp": "2026-01-01 00:00:00", "Next": "M"},
        "M": {"Type": "Map", "ToleratedFailurePercentage": 105, "MaxConcurrency": "{% 2 %}", "Items": "ITEMS",
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [], "End": True}}}
    found = {(f.pointer, f.message) for f in find(doc, "SFN107")}
    assert ("/States/T/TimeoutSeconds", "State 'T': 'TimeoutSeconds' is 0, it must be between 1 and 99999999") in found
    assert any(p == "/States/W/Timestamp" for p, _ in found)
    assert any(p == "/States/M/ToleratedFailurePercentage" for p, _ in found)
    assert any(p == "/States/M/Items" for p, _ in found)
    assert ("/States/P/Branches", "State 'P': 'Branches' is empty") in found
    assert not any(p in ("/States/T/HeartbeatSeconds", "/States/M/MaxConcurrency") for p, _ in found)


def test_jsonata_in_numeric_field_of_jsonpath_state_is_an_error():
    doc = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": "{% 5 %}", "End": True}}}
    f = one(doc, "SFN107")
    assert f.pointer == "/States/W/Seconds" and "SecondsPath" in f.hint


def test_opaque_placeholders_pass_type_checks():
    doc = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${LockTableArn}", "TimeoutSeconds": "${Timeout}",
                                            "Retry": "${local.retry}", "End": True}}}
    assert not errors(run_rules(doc, placeholders="opaque"))
    assert find(doc, "SFN107", placeholders=None)


def test_next_end_and_conflicts():
    doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": False, "Next": "B"},
                                      "B": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}}}
    assert [f.pointer for f in find(doc, "SFN108")] == ["/States/A/End"]
    assert [f.pointer for f in find(doc, "SFN109")] == ["/States/B/SecondsPath"]


def test_map_configuration():
    doc = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Label": "bad label", "ItemBatcher": {"BatchInput": {}},
        "ResultWriter": {"Resource": "arn:aws:states:::s3:putObject"},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "I",
                          "States": {"I": {"Type": "Pass", "End": True}}}}}}
    found = {f.message for f in find(doc, "SFN110")}
    assert "State 'M': a DISTRIBUTED Map needs 'ProcessorConfig.ExecutionType'" in found
    assert "State 'M': 'ItemBatcher' needs 'MaxItemsPerBatch' or 'MaxInputBytesPerBatch'" in found
    assert "State 'M': 'ResultWriter' has 'Resource' but no 'Parameters'" in found
    assert "State 'M': 'Label' contains ' ', which is not allowed" in found


def test_inline_map_reader_is_only_a_warning():
    doc = {"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}},
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}}
    res = [r for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN110"]
    assert [r.severity for r in res] == [Severity.WARNING]


def test_invalid_jsonpath_paths_and_templates():
    doc = {"StartAt": "A", "States": {"A": {
        "Type": "Pass", "InputPath": "bug$.library", "ResultPath": "$foo", "OutputPath": "$...",
        "Parameters": {"lorem.$": "ipsum", "x": 1, "x.$": "$.x", "f.$": "States.Formatt('{}', $.a)"}, "End": True}}}
    found = {f.pointer: f.message for f in find(doc, "SFN111")}
    assert set(found) == {"/States/A/InputPath", "/States/A/ResultPath", "/States/A/OutputPath",
                          "/States/A/Parameters/lorem.$", "/States/A/Parameters/x.$", "/States/A/Parameters/f.$"}
    assert "unknown intrinsic function 'States.Formatt'" in found["/States/A/Parameters/f.$"]


def test_choice_rules():
    doc = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "D", "Choices": [
            {"Variable": "$.a", "Next": "D"},
            {"Variable": "$.a", "StringEquals": "x", "NumericEquals": 1, "Next": "D"},
            {"And": [], "Next": "D"},
            {"Variable": "$.t", "TimestampEquals": "yesterday", "Next": "D"}]},
        "D": {"Type": "Succeed"}}}
    found = [f.pointer for f in find(doc, "SFN112")]
    assert found == ["/States/C/Choices/0", "/States/C/Choices/1/NumericEquals", "/States/C/Choices/2/And",
                     "/States/C/Choices/3/TimestampEquals"]
    ja = {**JA, "StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
        {"Condition": "$states.input.x > 1", "Next": "D"}], "Default": "D"}, "D": {"Type": "Succeed"}}}
    assert one(ja, "SFN112").pointer == "/States/C/Choices/0/Condition"


def test_resource_not_arn_is_a_warning_and_silent_when_opaque():
    doc = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "${WorkerArn}", "End": True}}}
    assert "unrendered placeholder" in one(doc, "SFN113").message
    assert not find(doc, "SFN113", placeholders="opaque")


# ------------------------------------------------------------------ SFN201..SFN207


def test_transition_target_missing_names_state_and_field():
    doc = {"StartAt": "Poll Status", "States": {
        "Poll Status": {"Type": "Task", "Resource": LAMBDA, "Next": "Relase",
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nope"}]},
        "Release": {"Type": "Succeed"}}}
    found = {f.pointer: (f.message, f.hint) for f in find(doc, "SFN202")}
    assert found["/States/Poll Status/Next"] == (
        "State 'Poll Status': 'Next' target 'Relase' does not exist in this scope", "did you mean 'Release'?")
    assert found["/States/Poll Status/Catch/0/Next"][0] == \
        "State 'Poll Status': 'Next' of catcher 0 target 'Nope' does not exist in this scope"


def test_transition_out_of_a_branch():
    doc = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "After", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "After"}}}]},
        "After": {"Type": "Succeed"}}}
    f = [f for f in find(doc, "SFN202")][0]
    assert f.pointer == "/States/P/Branches/0/States/B/Next"
    assert "cannot leave or enter" in f.hint


def test_start_at_missing_in_processor():
    doc = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "Frist", "States": {"First": {"Type": "Succeed"}}}}}}
    f = one(doc, "SFN201")
    assert f.pointer == "/States/M/ItemProcessor/StartAt" and f.hint == "did you mean 'First'?"


def test_unreachable_orphan_cycle_and_no_terminal_suppresses_it():
    doc = {"StartAt": "A", "States": {"A": {"Type": "Succeed"},
                                      "X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Pass", "Next": "X"}}}
    assert sorted(f.pointer for f in find(doc, "SFN203")) == ["/States/X", "/States/Y"]
    loop = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"},
                                       "C": {"Type": "Pass", "Next": "A"}}}
    assert one(loop, "SFN204").pointer == "/States"
    assert not find(loop, "SFN203")


def test_loop_trap_is_a_warning():
    doc = BY_ID["SFN205"].example_fail
    res = [r for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN205"]
    assert sorted(r.finding.pointer for r in res) == ["/States/X", "/States/Y"]
    assert all(r.severity is Severity.WARNING for r in res)


def test_names_length_and_uniqueness_across_scopes():
    long = "N" * 81
    doc = {"StartAt": long, "States": {long: {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Dup", "States": {"Dup": {"Type": "Succeed"}}},
        {"StartAt": "Dup", "States": {"Dup": {"Type": "Succeed"}}}]}}}
    assert one(doc, "SFN206").pointer == f"/States/{long}"
    f = one(doc, "SFN207")
    assert f.pointer == f"/States/{long}/Branches/1/States/Dup"
    assert f"/States/{long}/Branches/0/States/Dup" in f.message


def test_no_false_errors_on_multiline_and_nospace_expressions():
    doc = {**JA, "StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Output": {
        "a": "{%\n  $states.input.x +\n  1\n%}", "b": "{%$states.input.y%}"}}}}
    assert not errors(run_rules(doc)) and not ids(run_rules(doc)) - {"SFN507"}
