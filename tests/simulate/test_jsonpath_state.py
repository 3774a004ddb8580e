"""The JSONPath state pipeline (simulate.jsonpath_state), one function at a time.

Behaviours restated from AWS's recordings cite the case id under ../shared/conformance/aws-recorded/cases/.
"""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.simulate import jsonpath_state as jp
from sfn_compiler.simulate.jsonpath_state import Env, JsonPathDefinitionError, JsonPathFailure

CTX = {
    "Execution": {"Id": "arn:exec", "Input": {"int-literal": 0}, "Name": "run-1"},
    "State": {"Name": "S", "EnteredTime": "2025-01-01T00:00:00Z"},
    "StateMachine": {"Id": "arn:sm", "Name": "sm"},
}


def env(variables=None, **ctx):
    return Env(dict(CTX, **ctx), variables or {}, random.Random(0))


def failure(fn, *args):
    with pytest.raises(JsonPathFailure) as e:
        fn(*args)
    return e.value


class TestEffectiveInput:
    def test_input_path_and_parameters(self):
        st_ = {"InputPath": "$.detail", "Parameters": {"a.$": "$.x", "lit": "$.x", "n": {"b.$": "$.y[0]"},
                                                       "arr": [{"c.$": "$.x"}, "$.x"]}}
        out = jp.effective_input(st_, {"detail": {"x": 1, "y": [2]}}, env())
        assert out == {"a": 1, "lit": "$.x", "n": {"b": 2}, "arr": [{"c": 1}, "$.x"]}

    def test_null_input_path_gives_an_empty_object(self):
        # jsonpath-base-019: "InputPath": null → Parameters see {}
        st_ = {"InputPath": None, "Parameters": {"Arg2": "argument2", "FromInput.$": "$"}}
        assert jp.effective_input(st_, {"InputValue": 0}, env()) == {"Arg2": "argument2", "FromInput": {}}

    def test_context_object_and_variables(self):
        st_ = {"Parameters": {"name.$": "$$.Execution.Name", "v.$": "$x.k", "all.$": "$$.StateMachine"}}
        out = jp.effective_input(st_, {}, env({"x": {"k": [1]}}))
        assert out == {"name": "run-1", "v": [1], "all": {"Id": "arn:sm", "Name": "sm"}}

    def test_intrinsic_in_parameters(self):
        # jsonpath-scenarios-042: "Values.$": "States.ArrayRange(0, 3, 1)"
        st_ = {"Parameters": {"Iterations": 3, "Values.$": "States.ArrayRange(0, 3, 1)"}}
        assert jp.effective_input(st_, {}, env()) == {"Iterations": 3, "Values": [0, 1, 2, 3]}

    def test_indefinite_path_in_parameters_is_a_list(self):
        # jsonpath-base-016 / -004
        st_ = {"Parameters": {"u.$": "$.users[?(@.status == 0)]", "none.$": "$.item.items[1:5]"}}
        assert jp.effective_input(st_, {"users": [{"status": 0}, {"status": 1}]}, env()) == \
            {"u": [{"status": 0}], "none": []}

    def test_missing_path_in_parameters(self):
        # jsonpath-scenarios-008 (cause after the state prefix; AWS quotes the input as compact JSON)
        f = failure(jp.effective_input, {"Parameters": {"value.$": "$.no_such_jsonpath"}}, {"int-literal": 0}, env())
        assert f.error == "States.Runtime"
        assert f.detail == ("The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found "
                            "in the input '{\"int-literal\":0}'")
        assert f.cause("pass") == "An error occurred while executing the state 'pass'. " + f.detail
        assert f.cause("pass", 2).startswith("An error occurred while executing the state 'pass' "
                                             "(entered at the event id #2). The JSONPath")

    def test_missing_context_path_in_parameters(self):
        # jsonpath-scenarios-007
        f = failure(jp.effective_input, {"Parameters": {"value.$": "$$.Execution.Input.no_such_jsonpath"}},
                    {"int-literal": 0}, env())
        assert f.detail.startswith("The JSONPath '$$.Execution.Input.no_such_jsonpath' specified for the field "
                                   "'value.$' could not be found in the input '{\"Execution\"")

    def test_missing_input_path(self):
        # jsonpath-scenarios-011
        f = failure(jp.effective_input, {"InputPath": "$.NoSuchInputPath"}, {"int-literal": 0}, env())
        assert (f.error, f.detail) == ("States.Runtime", "Invalid path '$.NoSuchInputPath' : No results for path: "
                                                         "$['NoSuchInputPath']")

    def test_intrinsic_failure(self):
        f = failure(jp.effective_input, {"Parameters": {"x.$": "States.ArrayGetItem($.a, 5)"}}, {"a": [1]}, env())
        assert f.error == "States.IntrinsicFailure"
        assert "States.ArrayGetItem($.a, 5)" in f.detail and "'x.$'" in f.detail and "out of bounds" in f.detail

    def test_missing_path_inside_an_intrinsic(self):
        f = failure(jp.effective_input, {"Parameters": {"x.$": "States.Format('{}', $.nope)"}}, {}, env())
        assert (f.error, f.detail) == ("States.Runtime", "The JSONPath '$.nope' specified for the field 'x.$' could "
                                                         "not be found in the input '{}'")

    def test_map_parameters_are_not_the_effective_input(self):
        # a Map's Parameters is its legacy ItemSelector (jsonpath-scenarios-045)
        assert jp.effective_input({"Type": "Map", "Parameters": {"a": 1}}, [1], env()) == [1]

    def test_pass_result_is_never_evaluated(self):
        # jsonpath-base-018: "Result": {"unsupported1.$": "$.jsonpath"} is output as written
        st_ = {"Result": {"unsupported1.$": "$.jsonpath", "unsupported2.$": "$$"}}
        assert jp.pass_result(st_, {"ignored": True}) == st_["Result"]
        assert jp.pass_result({}, {"eff": 1}) == {"eff": 1}


class TestResultAndOutput:
    def test_defaults_output_the_result(self):
        assert jp.apply_result({}, {"in": 1}, {"r": 2}, env()) == {"r": 2}

    def test_result_selector_result_path_output_path(self):
        st_ = {"ResultSelector": {"p.$": "$.Payload", "rc.$": "$$.State.RetryCount"}, "ResultPath": "$.out",
               "OutputPath": "$.out"}
        out = jp.apply_result(st_, {"in": 1}, {"Payload": "x"}, env(State={"RetryCount": 3}))
        assert out == {"p": "x", "rc": 3}

    def test_result_path_null_keeps_the_input(self):
        # jsonpath-scenarios-047: "ResultPath": null
        assert jp.apply_result({"ResultPath": None}, {"content": 1}, [1, 2], env()) == {"content": 1}

    def test_result_path_creates_intermediate_objects(self):
        # ASL spec example: $.master.result.sum with {"master": {"detail": [1, 2, 3]}}
        out = jp.merge_result({"master": {"detail": [1, 2, 3]}}, "$.master.result.sum", 6)
        assert out == {"master": {"detail": [1, 2, 3], "result": {"sum": 6}}}
        assert jp.merge_result({"master": {"detail": [1, 2, 3]}}, "$.master.detail", 6) == {"master": {"detail": 6}}

    def test_result_path_into_an_array_element(self):
        assert jp.merge_result({"a": [1, {"b": 2}]}, "$.a[1].c", 3) == {"a": [1, {"b": 2, "c": 3}]}

    def test_result_path_failures(self):
        f = failure(jp.merge_result, "foo", "$.x", 1)
        assert (f.error, f.cause("S")) == ("States.ReferencePathConflict",
                                           "Unable to apply ReferencePath $.x to input \"foo\"")
        f = failure(jp.merge_result, {"a": "s"}, "$.a.b", 1)
        assert f.cause("S") == "Unable to apply step \"b\" to input \"s\""
        f = failure(jp.merge_result, {"a": [1]}, "$.a[3]", 1)
        assert f.error == "States.ReferencePathConflict"

    def test_output_path(self):
        # jsonpath-base-019 (null → {}); jsonpath-assign-013 (a variable)
        assert jp.output_of({"OutputPath": None}, {"a": 1}, env()) == {}
        assert jp.output_of({"OutputPath": "$theAnswer"}, {"a": 1}, env({"theAnswer": 42})) == 42
        assert jp.output_of({"OutputPath": "$$.Execution.Input"}, {}, env()) == {"int-literal": 0}

    def test_missing_output_path(self):
        # jsonpath-scenarios-002
        f = failure(jp.apply_result, {"OutputPath": "$.no.such.result.path"}, {}, {}, env())
        assert f.detail == "Invalid path '$.no.such.result.path' : Missing property in path $['no']"

    def test_missing_variable_in_a_path(self):
        f = failure(jp.output_of, {"OutputPath": "$nope"}, {}, env())
        assert f.error == "States.Runtime" and "'nope'" in f.detail

    def test_catch_output(self):
        # jsonpath-error-handling-002 (ResultPath "$.TaskFailedError") and -020 (default: the error output)
        err = {"Error": "E", "Cause": "c"}
        assert jp.catch_output({"ResultPath": "$.TaskFailedError"}, {"Name": "n"}, err) == \
            {"Name": "n", "TaskFailedError": err}
        assert jp.catch_output({}, {"Name": "n"}, err) == err
        assert jp.catch_output({"ResultPath": None}, {"Name": "n"}, err) == {"Name": "n"}


json_objects = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=3)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("abc"), inner, max_size=3)),
    max_leaves=10,
).filter(lambda v: isinstance(v, dict))


@settings(max_examples=200, deadline=None)
@given(json_objects, st.sampled_from(["$", "$.a", "$.a.b", "$.b.c.a", "$.c"]), st.integers())
def test_result_path_never_mutates_the_input(doc, path, result):
    before = copy.deepcopy(doc)
    try:
        out = jp.merge_result(doc, path, result)
    except JsonPathFailure:
        out = None
    assert doc == before
    if out is not None and path != "$":
        # everything outside the path is unchanged
        assert jp.output_of({"OutputPath": path}, out, env()) == result


class TestAssign:
    def test_values_are_templates(self):
        # jsonpath-assign-002 / -004: ".$" keys are evaluated, plain strings are literals
        values = jp.assigned({"p.$": "$.input_value", "ctx.$": "$$.Execution.Id", "lit": "$.no.such.path",
                              "fmt.$": "States.Format('Format Func {}', $.input_value)",
                              "nested": {"a.$": "$.input_value", "l": ["$x", {"b.$": "$"}]}},
                             {"input_value": "v"}, env())
        assert values == {"p": "v", "ctx": "arn:exec", "lit": "$.no.such.path", "fmt": "Format Func v",
                          "nested": {"a": "v", "l": ["$x", {"b": {"input_value": "v"}}]}}

    def test_variables_read_the_values_on_state_entry(self):
        # jsonpath-query-language-002: {"theAnswerVar": 18, "oldAnswerVar.$": "$theAnswerVar"} with 42 set before
        values = jp.assigned({"theAnswerVar": 18, "oldAnswerVar.$": "$theAnswerVar"}, {}, env({"theAnswerVar": 42}))
        assert values == {"theAnswerVar": 18, "oldAnswerVar": 42}

    def test_empty(self):
        assert jp.assigned({}, {}, env()) == {}
        assert jp.assigned(None, {}, env()) == {}


# Choice: (operator, operand, value of $.Variable, expected) restated from the recorded choice_operators cases
CHOICE_CASES = [
    ("BooleanEquals", True, None, False),                  # -001
    ("BooleanEquals", False, 0, False),                    # -004
    ("BooleanEquals", True, "HelloWorld", False),          # -013
    ("BooleanEquals", True, True, True),                   # -028
    ("BooleanEquals", True, False, False),                 # -029
    ("IsBoolean", True, 0, False),                         # -063
    ("IsBoolean", False, 1.1, True),                       # -068
    ("IsBoolean", True, False, True),                      # -086
    ("IsNull", True, None, True),                          # -089
    ("IsNull", False, None, False),                        # -090
    ("IsNull", True, [], False),                           # -111
    ("IsNumeric", False, None, True),                      # -122
    ("IsNumeric", True, 0.0, True),                        # -125
    ("IsNumeric", True, "2012-10-09T19:00:55", False),     # -136
    ("IsNumeric", True, False, False),                     # -150
    ("IsPresent", True, None, True),                       # -153
    ("IsPresent", False, 0, False),                        # -154
    ("IsString", True, "", True),                          # -187
    ("IsString", True, [], False),                         # -201
    ("NumericEquals", 0, None, False),                     # -212
    ("NumericEquals", 0.0, 0, True),                       # -217
    ("NumericEquals", 1, 1.1, False),                      # -228
    ("NumericEquals", 0, "", False),                       # -230
    ("NumericEquals", 0, False, False),                    # -248
    ("NumericEquals", 1, True, False),                     # -250
    ("NumericEquals", 2.22, 2.22, True),                   # -254
    ("NumericGreaterThan", 0, 0.0, False),                 # -295
    ("NumericGreaterThan", 0, 1, True),                    # -298
    ("NumericGreaterThanEquals", 0, 0.0, True),            # -301
    ("NumericLessThan", 1, 0, True),                       # -313
    ("NumericLessThanEquals", 0, 0.0, True),               # -318
    ("StringEquals", "HelloWorld", 0, False),              # -332
    ("StringEquals", "\t\r\n", "\t\n", False),             # -341
    ("StringEquals", "Hello", "Hello", True),              # -342
    ("StringGreaterThan", "A ", "A", False),               # -347
    ("StringGreaterThan", "ABC", "AB", False),             # -349
    ("StringGreaterThanEquals", "", "", True),             # -350
    ("StringLessThan", "AB", "A", True),                   # -359
    ("StringLessThanEquals", "A", "AB", False),            # -361
    ("TimestampEquals", "2012-10-09T19:00:55Z", None, False),                        # -366
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2023-02-24 12:15:56.832957", False),  # -371
    ("TimestampEquals", "2012-10-09T19:00:55Z", "2012-10-09T19:00:55Z", True),       # -377
    ("TimestampGreaterThan", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", True),  # -381
    ("TimestampLessThanEquals", "2012-10-09T19:00:56Z", "2012-10-09T19:00:55Z", True),  # -390
]


def rule(op, operand, path="$.Variable"):
    return {"Variable": path, op: operand, "Next": "T"}


class TestChoice:
    @pytest.mark.parametrize("op, operand, value, expected", CHOICE_CASES)
    def test_recorded_operators(self, op, operand, value, expected):
        assert jp.evaluate_rule(rule(op, operand), {"Variable": value}, env()) is expected

    @pytest.mark.parametrize("op, variable, value, expected", [
        ("BooleanEqualsPath", False, False, True),                                   # -062
        ("NumericEqualsPath", 0, 0.0, True),                                         # -257
        ("NumericEqualsPath", True, 1, False),                                       # -292
        ("NumericLessThanPath", 0.0, 0, False),                                      # -327
        ("StringEqualsPath", " ", "     ", False),                                   # -343
        ("StringLessThanEqualsPath", "A", "AB", True),                               # -362
        ("TimestampGreaterThanEqualsPath", "2012-10-09T19:00:55Z", "2012-10-09T19:00:56Z", False),  # -385
    ])
    def test_recorded_path_operators(self, op, variable, value, expected):
        data = {"Variable": variable, "Value": value}
        assert jp.evaluate_rule(rule(op, "$.Value"), data, env()) is expected

    def test_timestamps_compare_instants(self):
        r = rule("TimestampEquals", "2012-10-09T19:00:55Z")
        assert jp.evaluate_rule(r, {"Variable": "2012-10-09T20:00:55+01:00"}, env())
        r = rule("TimestampLessThan", "2016-03-05T21:29:29.243167253Z")
        assert jp.evaluate_rule(r, {"Variable": "2016-03-05T21:29:29.243167252Z"}, env())

    def test_strings_compare_by_utf16_code_units(self):
        # Java's String.compareTo: U+FF5E sorts after the surrogate pair of U+1F600
        r = rule("StringGreaterThan", "\U0001F600")
        assert jp.evaluate_rule(r, {"Variable": "\uff5e"}, env())

    @pytest.mark.parametrize("pattern, value, expected", [
        ("foo*.log", "foo23.log", True), ("*.log", "zebra.log", True), ("foo*.*", "foobar.zebra", True),
        ("*.log", "zebra.txt", False), ("a\\*b", "a*b", True), ("a\\*b", "axb", False), ("a\\\\b", "a\\b", True),
        ("log", "log\n", False), ("*", "", True), ("a.c", "abc", False),
    ])
    def test_string_matches(self, pattern, value, expected):
        # ASL spec, StringMatches: only "*" is special; "\\*" and "\\\\" are a literal "*" and "\\"
        assert jp.evaluate_rule(rule("StringMatches", pattern), {"Variable": value}, env()) is expected

    def test_boolean_expressions(self):
        # jsonpath-scenarios-003 (Not / And), -004 (a one-element And)
        data = {"type": "Private", "value": 22}
        assert not jp.evaluate_rule({"Not": {"Variable": "$.type", "StringEquals": "Private"}}, data, env())
        assert jp.evaluate_rule({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                                         {"Variable": "$.value", "NumericLessThan": 30}]}, data, env())
        assert jp.evaluate_rule({"Or": [{"Variable": "$.value", "IsString": True},
                                        {"Variable": "$.type", "IsPresent": True}]}, data, env())

    def test_and_stops_early(self):
        # a missing Variable fails, but And stops at the first false rule (ASL spec)
        r = {"And": [{"Variable": "$.x", "IsPresent": True}, {"Variable": "$.x", "NumericEquals": 1}]}
        assert jp.evaluate_rule(r, {}, env()) is False

    def test_missing_variable_fails_except_for_is_present(self):
        assert jp.evaluate_rule(rule("IsPresent", False, "$.missing"), {}, env())
        f = failure(jp.evaluate_rule, rule("NumericEquals", 1, "$.missing"), {}, env())
        assert (f.error, f.detail) == ("States.Runtime", "Invalid path '$.missing': The choice state's condition "
                                                         "path references an invalid value.")

    def test_variables_and_context_in_rules(self):
        # jsonpath-assign-010 ($guess StringEqualsPath $answer); jsonpath-context-object-006 ($$ Variable)
        r = {"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "T"}
        assert jp.evaluate_rule(r, {}, env({"guess": "a", "answer": "a"}))
        r = {"Variable": "$$.Execution.Input.int-literal", "NumericLessThanEquals": 0, "Next": "T"}
        assert jp.evaluate_rule(r, {}, env())

    def test_choose(self):
        # jsonpath-assign-007: the matched rule's Assign, else the state's Assign on the Default path
        st_ = {"Choices": [{"Variable": "$.input_value", "IsPresent": False, "Assign": {"status": "UNKNOWN"},
                            "Next": "F"},
                           {"Variable": "$.input_value", "NumericEquals": 42, "Assign": {"status": "CORRECT"},
                            "Next": "F"}],
               "Assign": {"status": "INCORRECT", "guess.$": "$.input_value"}, "Default": "D"}
        out = jp.choose(st_, {"input_value": "42"}, env())
        assert (out.index, out.next, out.assign) == (None, "D", st_["Assign"])
        out = jp.choose(st_, {"input_value": 42}, env())
        assert (out.index, out.next, out.assign) == (1, "F", {"status": "CORRECT"})
        assert jp.choose({"Choices": st_["Choices"]}, {"input_value": 1}, env()) is None


class TestTimestamps:
    @pytest.mark.parametrize("text", [
        "2016-03-14T01:59:00Z", "2016-03-05T21:29:29.243167252Z", "2026-12-02T04:37:28.000000Z",
        "2026-12-02T04:37:28.00Z", "2012-10-09T19:00:55+01:00", "2012-10-09T19:00-05:30", "2012-10-09t19:00:55z",
    ])
    def test_valid(self, text):
        assert jp.parse_timestamp(text) is not None

    @pytest.mark.parametrize("text", [
        "2026-12-02T04:37:28.000000", "2026-12-02T04:37:28", "05-12-2016T21:29:29Z", "2016-12-05T25:29:29Z",
        "2016-12-05 21:29:29Z", "2016-13-05T21:29:29Z", "2023-02-24", "", 3, None, "2016-12-05T21:29:29.1234567890Z",
    ])
    def test_invalid(self, text):
        # jsonpath-base-025 / -028, jsonpath-scenarios-088 / -089 / -091
        assert jp.parse_timestamp(text) is None

    def test_value(self):
        assert jp.parse_timestamp("1970-01-01T01:00:00.5+01:00") == (0, 500_000_000)


NOW = 1_735_689_600.0  # 2025-01-01T00:00:00Z


class TestWait:
    def test_seconds_path(self):
        assert jp.wait_seconds({"SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": 1}}, env(), NOW) == 1
        assert jp.wait_seconds({"SecondsPath": "$waitTime"}, {}, env({"waitTime": 0}), NOW) == 0  # jsonpath-assign-015

    @pytest.mark.parametrize("value, detail", [
        (1.5, "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == 1.5"),  # base-021
        (-1, "The SecondsPath parameter references a negative value: $.input.waitSeconds == -1"),
        ("x", "The SecondsPath parameter cannot be parsed as a long value: $.input.waitSeconds == x"),
    ])
    def test_seconds_path_failures(self, value, detail):
        f = failure(jp.wait_seconds, {"SecondsPath": "$.input.waitSeconds"}, {"input": {"waitSeconds": value}},
                    env(), NOW)
        assert (f.error, f.detail) == ("States.Runtime", detail)

    def test_seconds_path_missing(self):
        f = failure(jp.wait_seconds, {"SecondsPath": "$.input.waitSeconds"}, {}, env(), NOW)
        assert f.detail == "The SecondsPath parameter does not reference an input value: $.input.waitSeconds"

    def test_timestamps(self):
        assert jp.wait_seconds({"Timestamp": "2016-03-14T01:59:00Z"}, {}, env(), NOW) == 0  # in the past
        assert jp.wait_seconds({"TimestampPath": "$.t"}, {"t": "2025-01-01T00:01:00.5Z"}, env(), NOW) == 60.5
        assert jp.wait_seconds({"Seconds": 5}, {}, env(), NOW) == 5

    def test_timestamp_path_invalid(self):
        # jsonpath-scenarios-088
        f = failure(jp.wait_seconds, {"TimestampPath": "$.TimestampValue"}, {"TimestampValue": "05-12-2016T21:29:29Z"},
                    env(), NOW)
        assert f.detail == ("The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time "
                            "format string: $.TimestampValue == 05-12-2016T21:29:29Z")

    def test_too_long(self):
        # jsonpath-base-023: 24,856 days ahead
        f = failure(jp.wait_seconds, {"TimestampPath": "$.t"}, {"t": "2094-12-21T04:37:28.000Z"}, env(), NOW)
        assert f.detail == "Wait state delay is too long."


class TestTaskTimeouts:
    def test_paths(self):
        assert jp.timeout_seconds({"TimeoutSecondsPath": "$timeout"}, {}, env({"timeout": 300})) == 300
        assert jp.heartbeat_seconds({"HeartbeatSecondsPath": "$.h"}, {"h": 120}, env()) == 120
        assert jp.timeout_seconds({"TimeoutSeconds": 5}, {}, env()) == 5
        assert jp.timeout_seconds({}, {}, env()) is None

    def test_missing(self):
        # jsonpath-scenarios-010 / -012
        f = failure(jp.timeout_seconds, {"TimeoutSecondsPath": "$.NoSuchTimeoutSecondsPath"}, {"int-literal": 0}, env())
        assert f.detail == ("Invalid path '$.NoSuchTimeoutSecondsPath' : No results for path: "
                            "$['NoSuchTimeoutSecondsPath']")

    def test_not_positive(self):
        f = failure(jp.heartbeat_seconds, {"HeartbeatSecondsPath": "$.h"}, {"h": 0}, env())
        assert f.error == "States.Runtime" and "$.h == 0" in f.detail


class TestFail:
    def test_literals_paths_and_intrinsics(self):
        # jsonpath-base-015 (intrinsics), jsonpath-context-object-001 ($$)
        st_ = {"ErrorPath": "States.Format('{}', $.Error)",
               "CausePath": "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)"}
        assert jp.fail_error_cause(st_, {"Error": "error string", "Cause": "cause string"}, env()) == \
            ("error string", "This is a custom error message for error string, caused by cause string.")
        assert jp.fail_error_cause({"ErrorPath": "$$.State.Name", "CausePath": "$$.StateMachine.Name"}, {}, env()) == \
            ("S", "sm")
        assert jp.fail_error_cause({"Error": "E"}, {}, env()) == ("E", None)
        assert jp.fail_error_cause({}, {}, env()) == (None, None)

    def test_missing_cause_path(self):
        # jsonpath-scenarios-009
        f = failure(jp.fail_error_cause, {"ErrorPath": "$.Error", "CausePath": "$.NoSuchCausePath"},
                    {"Error": "error-value"}, env())
        assert f.detail == ("The JSONPath '$.NoSuchCausePath' specified for the field 'CausePath' could not be found in "
                            "the input '{\"Error\":\"error-value\"}'")


class TestMap:
    def test_items_path(self):
        # jsonpath-scenarios-039, jsonpath-assign-017 (a variable)
        assert jp.map_items({"ItemsPath": "$.content.values"}, {"content": {"values": ["1"]}}, env()) == ["1"]
        assert jp.map_items({"ItemsPath": "$PokemonList"}, {}, env({"PokemonList": ["a"]})) == ["a"]
        assert jp.map_items({}, [1, 2], env()) == [1, 2]

    def test_items_must_be_an_array(self):
        f = failure(jp.map_items, {"ItemsPath": "$.a"}, {"a": {}}, env())
        assert f.detail == 'Reference path "$.a" must point to array.'
        f = failure(jp.map_items, {"ItemsPath": "$$.Execution.Input"}, {}, env())
        assert f.detail == 'Reference path "$.Execution.Input" must point to array.'

    def test_item_selector(self):
        # jsonpath-scenarios-046: "$" is the Map's effective input, $$.Map.Item holds Index and Value
        st_ = {"ItemSelector": {"original_input.$": "$", "value.$": "$$.Map.Item.Value",
                                "index.$": "$$.Map.Item.Index", "c": "HelloWorld"}}
        eff = {"shipped": ["A", "B"]}
        assert jp.map_item_input(st_, eff, 1, "B", env()) == {"original_input": eff, "value": "B", "index": 1,
                                                                "c": "HelloWorld"}

    def test_legacy_parameters_and_no_selector(self):
        # jsonpath-scenarios-045 / -052
        st_ = {"Parameters": {"mapValue.$": "$$.Map.Item.Value", "fromInput.$": "$"}}
        assert jp.map_item_input(st_, ["Hello"], 0, "Hello", env()) == {"mapValue": "Hello", "fromInput": ["Hello"]}
        assert jp.map_item_input({}, ["Hello"], 0, "Hello", env()) == "Hello"

    def test_max_concurrency_path(self):
        # jsonpath-assign-019: a string holding an integer is accepted
        assert jp.map_max_concurrency({"MaxConcurrencyPath": "$m"}, {}, env({"m": "1"})) == 1
        assert jp.map_max_concurrency({"MaxConcurrency": 3}, {}, env()) == 3
        assert jp.map_max_concurrency({}, {}, env()) == 0

    @pytest.mark.parametrize("key, value, detail", [
        ("MaxConcurrencyPath", "NoNumber",
         'The MaxConcurrencyPath field refers to value "NoNumber" which is not a valid integer: $.v'),   # scen.-076
        ("MaxConcurrencyPath", {}, 'The MaxConcurrencyPath field refers to value "{}" which is not a valid integer: $.v'),
        ("ToleratedFailureCountPath", -1, "ToleratedFailureCount cannot be negative."),                   # scen.-061
        ("ToleratedFailurePercentagePath", "NoNumber",
         'The ToleratedFailurePercentagePath field refers to value "NoNumber" which is not a valid float: $.v'),
        ("ToleratedFailurePercentagePath", 100.1, "ToleratedFailurePercentage must be between 0 and 100."),  # -068
        ("ToleratedFailurePercentagePath", -1.1, "ToleratedFailurePercentage must be between 0 and 100."),   # -065
    ])
    def test_path_number_failures(self, key, value, detail):
        fn = {"MaxConcurrencyPath": jp.map_max_concurrency, "ToleratedFailureCountPath": jp.map_tolerated_failure_count,
              "ToleratedFailurePercentagePath": jp.map_tolerated_failure_percentage}[key]
        f = failure(fn, {key: "$.v"}, {"v": value}, env())
        assert (f.error, f.detail) == ("States.Runtime", detail)

    def test_tolerated_failures(self):
        # jsonpath-scenarios-062, -067, -069; jsonpath-assign-020 (strings)
        assert jp.map_tolerated_failure_count({"ToleratedFailureCountPath": "$.v"}, {"v": 1}, env()) == 1
        assert jp.map_tolerated_failure_percentage({"ToleratedFailurePercentagePath": "$.v"}, {"v": 1.1}, env()) == 1.1
        assert jp.map_tolerated_failure_percentage({"ToleratedFailurePercentagePath": "$p"}, {},
                                                   env({"p": "1"})) == 1.0
        assert jp.map_tolerated_failure_count({"ToleratedFailureCount": 10}, {}, env()) == 10
        assert jp.map_tolerated_failure_percentage({}, {}, env()) is None


class TestCheckState:
    @pytest.mark.parametrize("state, pointer, message", [
        ({"Type": "Pass", "Parameters": {"a.$": ["$.x"]}}, "/Parameters/a.$",
         "The value for the field 'a.$' must be a STRING that contains a JSONPath but was an ARRAY"),
        ({"Type": "Pass", "Parameters": {"a": {"b.$": "States.Nope()"}}}, "/Parameters/a/b.$",
         "must be a valid JSONPath or a valid intrinsic function call"),
        ({"Type": "Pass", "InputPath": "$.a["}, "/InputPath", "is invalid"),
        ({"Type": "Pass", "ResultPath": "$.a[*]"}, "/ResultPath", "single node"),
        ({"Type": "Pass", "ResultPath": "$x.a"}, "/ResultPath", "a variable cannot be used here"),
        ({"Type": "Pass", "ResultPath": "$$.a"}, "/ResultPath", "context object"),
        ({"Type": "Task", "ResultSelector": "$.a"}, "/ResultSelector", "must be an object"),
        ({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s"}, "", "exactly one of"),
        ({"Type": "Wait", "Timestamp": "2016-03-14 01:59:00"}, "/Timestamp", "ISO-8601"),
        ({"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "X"}]}, "/Choices/0",
         "exactly one comparison operator"),
        ({"Type": "Choice", "Choices": [{"Variable": "$.a", "NumericEquals": "1", "Next": "X"}]},
         "/Choices/0/NumericEquals", "must be a number"),
        ({"Type": "Choice", "Choices": [{"Variable": "$.a[*]", "IsNull": True, "Next": "X"}]},
         "/Choices/0/Variable", "single node"),
        ({"Type": "Choice", "Choices": [{"And": [], "Next": "X"}]}, "/Choices/0/And", "non-empty"),
        ({"Type": "Choice", "Choices": [{"Variable": "$.a", "StringMatches": "a\\b", "Next": "X"}]},
         "/Choices/0/StringMatches", "open escape"),
        ({"Type": "Choice", "Choices": [{"Variable": "$.a", "IsNull": True}]}, "/Choices/0", "needs 'Next'"),
        ({"Type": "Fail", "CausePath": "oops"}, "/CausePath", "valid JSONPath or a valid intrinsic"),
        ({"Type": "Task", "Catch": [{"ErrorEquals": ["E"], "ResultPath": "$.a..b", "Next": "X"}]},
         "/Catch/0/ResultPath", "single node"),
    ])
    def test_refused(self, state, pointer, message):
        with pytest.raises(JsonPathDefinitionError) as e:
            jp.check_state(state)
        assert e.value.pointer == pointer
        assert message in e.value.message

    def test_accepted(self):
        jp.check_state({"Type": "Pass", "InputPath": None, "OutputPath": None, "ResultPath": None,
                        "Parameters": {"a.$": "$x.y", "b.$": "States.UUID()", "c": ["$.lit"]}, "Result": {"d.$": 1}})
        jp.check_state({"Type": "Choice", "Choices": [
            {"Not": {"Variable": "$$.Execution.Input.x", "TimestampEquals": "2016-03-14T01:59:00Z"}, "Next": "A"},
            {"Or": [{"Variable": "$v", "IsPresent": True}, {"Variable": "$.a", "StringEqualsPath": "$.b"}],
             "Assign": {"x.$": "$.a"}, "Next": "B"}]})
        jp.check_state({"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('{}', $.c)"})
        jp.check_state({"Type": "Map", "ItemsPath": "$items", "MaxConcurrencyPath": "$.m",
                        "ItemSelector": {"v.$": "$$.Map.Item.Value"}})
