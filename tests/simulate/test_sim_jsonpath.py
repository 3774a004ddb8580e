"""JSONPath and mixed machines run end to end (simulate.jsonpath_state through the interpreter, states, fanout).

Behaviours restated from AWS's recordings cite the case id under ../shared/conformance/aws-recorded/cases/.
"""

from __future__ import annotations

import pytest

from sfn_compiler.simulate import InvalidDefinition, UnsupportedDefinition, run_execution


def jp_machine(states, start=None, **top):
    return {"StartAt": start or next(iter(states)), "States": states, **top}


def ok(definition, inp=None, mocks=None, **kw):
    r = run_execution(definition, {} if inp is None else inp, mocks or {}, **kw)
    assert r.status == "SUCCEEDED", (r.error, r.cause)
    return r


class TestTask:
    def test_retry_count_in_result_selector(self):
        # jsonpath-scenarios-015: Parameters, ResultSelector with $$.State.RetryCount, ResultPath
        d = jp_machine({"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                              "Parameters": {"ThisState.$": "$"},
                              "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                              "ResultSelector": {"FinalRetryCount.$": "$$.State.RetryCount", "got.$": "$.ThisState"},
                              "ResultPath": "$.state_output", "End": True}})
        r = ok(d, {"Value1": "x"}, {"T": [{"throw": {"Error": "Exception"}, "times": 2}, {"return": {"ThisState": 1}}]})
        assert r.output == {"Value1": "x", "state_output": {"FinalRetryCount": 2, "got": 1}}
        assert [c["arguments"] for c in r.trace[0].details["calls"]] == [{"ThisState": {"Value1": "x"}}] * 3

    def test_catch_result_path(self):
        # jsonpath-error-handling-002: "ResultPath": "$.TaskFailedError" in the catcher
        d = jp_machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjects",
                              "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.TaskFailedError",
                                         "Next": "H"}], "End": True},
                        "H": {"Type": "Pass", "End": True}})
        r = ok(d, {"Bucket": "b"}, {"T": {"throw": {"Error": "S3.NoSuchBucketException", "Cause": "c"}}})
        assert r.output == {"Bucket": "b", "TaskFailedError": {"Error": "S3.NoSuchBucketException", "Cause": "c"}}

    def test_assign_sees_the_raw_result_and_output_path_the_old_variables(self):
        # ASL spec "Using Assign": in a Task "$" is the result; jsonpath-assign-022: OutputPath reads old values
        d = jp_machine({
            "Init": {"Type": "Pass", "Assign": {"answer": 42}, "Next": "T"},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "ResultSelector": {"p.$": "$.Payload"}, "Assign": {"answer.$": "$.Payload", "raw.$": "$"},
                  "ResultPath": "$.r", "OutputPath": "$answer", "End": True}})
        r = ok(d, {}, {"T": {"return": {"Payload": "new"}}})
        assert r.output == 42
        assert r.variables == {"answer": "new", "raw": {"Payload": "new"}}

    def test_timeout_seconds_path(self):
        d = jp_machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                              "TimeoutSecondsPath": "$.t", "End": True}})
        r = run_execution(d, {"t": 5}, {"T": {"return": 1, "duration": 10}})
        assert (r.status, r.error) == ("FAILED", "States.Timeout")
        assert r.elapsed_seconds == 5

    def test_intrinsic_failure_in_parameters_is_catchable(self):
        d = jp_machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                              "Parameters": {"x.$": "States.ArrayGetItem($.a, 3)"},
                              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}], "End": True},
                        "H": {"Type": "Pass", "End": True}})
        r = ok(d, {"a": []}, {})
        assert r.output["Error"] == "States.IntrinsicFailure"
        assert r.mock_invocations == {}

    def test_runtime_errors_are_not_caught(self):
        # jsonpath-scenarios-002: an OutputPath that matches nothing fails even with a States.Runtime catcher
        d = jp_machine({"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f",
                              "OutputPath": "$.no.such.result.path",
                              "Catch": [{"ErrorEquals": ["States.Runtime"], "Next": "C"}], "Next": "F"},
                        "C": {"Type": "Pass", "End": True}, "F": {"Type": "Pass", "End": True}})
        r = run_execution(d, {}, {"T": {"return": {}}})
        assert (r.status, r.error) == ("FAILED", "States.Runtime")
        assert r.cause == ("An error occurred while executing the state 'T'. Invalid path '$.no.such.result.path' : "
                           "Missing property in path $['no']")

    def test_data_limit_caught_by_states_all(self):
        # jsonpath-error-handling-004: AWS caught a task's States.DataLimitExceeded with States.ALL
        d = jp_machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}], "End": True},
                        "H": {"Type": "Pass", "End": True}})
        r = ok(d, {}, {"T": {"throw": {"Error": "States.DataLimitExceeded", "Cause": "too big"}}})
        assert r.output == {"Error": "States.DataLimitExceeded", "Cause": "too big"}

    def test_callback_token(self):
        d = jp_machine({"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                              "HeartbeatSecondsPath": "$.h", "Parameters": {"TaskToken.$": "$$.Task.Token"},
                              "End": True}})
        r = ok(d, {"h": 120}, {"T": {"return": "done"}})
        assert r.trace[0].details["calls"][0]["arguments"]["TaskToken"].startswith("sfnc-task-token:")
        assert r.trace[0].details["heartbeat_seconds"] == 120


class TestSimpleStates:
    def test_pass_pipeline(self):
        # jsonpath-base-019: InputPath null, OutputPath null
        d = jp_machine({"S0": {"Type": "Pass", "Parameters": {"Arg1": "argument1", "FromInput.$": "$"}, "Next": "S1"},
                        "S1": {"Type": "Pass", "InputPath": None, "Parameters": {"FromInput.$": "$"}, "Next": "S2"},
                        "S2": {"Type": "Pass", "OutputPath": None, "End": True}})
        r = ok(d, {"InputValue": 0})
        assert [e.output for e in r.trace] == [{"Arg1": "argument1", "FromInput": {"InputValue": 0}},
                                               {"FromInput": {}}, {}]

    def test_context_has_no_retry_count_outside_task_parallel_map(self):
        # jsonpath-base-012: $$.State of a Pass state is {"Name", "EnteredTime"}
        d = jp_machine({"P": {"Type": "Pass", "Parameters": {"s.$": "$$.State"}, "End": True}})
        assert ok(d).output == {"s": {"EnteredTime": "2025-01-01T00:00:00Z", "Name": "P"}}

    def test_choice_and_default_assign(self):
        # jsonpath-assign-010: Choice on variables, Pass Assign with Result
        d = jp_machine({
            "Setup": {"Type": "Pass", "Assign": {"guess": "the_guess", "answer": "the_answer"}, "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Variable": "$guess", "StringEqualsPath": "$answer",
                                                     "Next": "Right"}], "Default": "Wrong"},
            "Right": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": True},
            "Wrong": {"Type": "Pass", "Assign": {"guess.$": "$answer"}, "Result": {"state": "WRONG"},
                      "Next": "Check"}})
        r = ok(d)
        assert r.output == {"state": "CORRECT"}
        assert r.states == ["Setup", "Check", "Wrong", "Check", "Right"]
        assert r.trace[1].transition == ("default", None, "Wrong")

    def test_no_choice_matched(self):
        d = jp_machine({"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "E"}]},
                        "E": {"Type": "Succeed"}})
        r = run_execution(d, {"x": 1}, {})
        assert (r.status, r.error) == ("FAILED", "States.NoChoiceMatched")

    def test_missing_choice_variable(self):
        d = jp_machine({"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "E"}],
                              "Default": "E"}, "E": {"Type": "Succeed"}})
        r = run_execution(d, {}, {})
        assert (r.status, r.error) == ("FAILED", "States.Runtime")
        assert r.cause.endswith("Invalid path '$.x': The choice state's condition path references an invalid value.")

    def test_wait_seconds_path_moves_the_virtual_clock(self):
        d = jp_machine({"W": {"Type": "Wait", "SecondsPath": "$.s", "InputPath": "$.w", "Assign": {"x.$": "$.s"},
                              "OutputPath": "$.s", "End": True}})
        r = ok(d, {"w": {"s": 90}})
        assert (r.output, r.elapsed_seconds, r.variables) == (90, 90, {"x": 90})

    def test_fail_state(self):
        # jsonpath-base-015
        d = jp_machine({"F": {"Type": "Fail", "ErrorPath": "States.Format('{}', $.Error)", "CausePath": "$.Cause"}})
        r = run_execution(d, {"Error": "error string", "Cause": "c"}, {})
        assert (r.status, r.error, r.cause) == ("FAILED", "error string", "c")

    def test_succeed_paths(self):
        d = jp_machine({"S": {"Type": "Succeed", "InputPath": "$.a", "OutputPath": "$.b"}})
        assert ok(d, {"a": {"b": 2}}).output == 2


class TestParallelAndMap:
    def test_parallel(self):
        # jsonpath-scenarios-078 / -081
        d = jp_machine({"P": {"Type": "Parallel", "InputPath": "$.in", "Parameters": {"v.$": "$"},
                              "ResultSelector": {"n.$": "States.ArrayLength($)", "all.$": "$"}, "End": True,
                              "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                                           {"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.v",
                                                                             "End": True}}}]}})
        assert ok(d, {"in": [1]}).output == {"n": 2, "all": [{"v": [1]}, [1]]}

    def test_map_item_selector_and_outer_variables(self):
        # jsonpath-scenarios-046 and jsonpath-assign-016
        d = jp_machine({
            "Start": {"Type": "Pass", "Assign": {"tmpl": "It's {}!"}, "Result": {"detail": {"p": "UQS",
                                                                                           "shipped": ["A", "B"]}},
                      "Next": "M"},
            "M": {"Type": "Map", "InputPath": "$.detail", "ItemsPath": "$.shipped", "ResultPath": "$.detail.out",
                  "ItemSelector": {"i.$": "$$.Map.Item.Index", "s.$": "States.Format($tmpl, $$.Map.Item.Value)",
                                   "p.$": "$.p"},
                  "ItemProcessor": {"StartAt": "H", "States": {"H": {"Type": "Pass", "End": True}}}, "End": True}})
        r = ok(d)
        assert r.output == {"detail": {"p": "UQS", "shipped": ["A", "B"],
                                       "out": [{"i": 0, "s": "It's A!", "p": "UQS"},
                                               {"i": 1, "s": "It's B!", "p": "UQS"}]}}

    def test_map_iterations_see_outer_variables(self):
        # jsonpath-assign-012: nested Maps reading $bias and the outer iteration's variables
        d = jp_machine({
            "Input": {"Type": "Pass", "Result": [[9, 44, 6]], "Assign": {"bias": 4.3}, "Next": "Outer"},
            "Outer": {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "Vec", "States": {
                "Vec": {"Type": "Pass", "Assign": {"x.$": "$[0]", "y.$": "$[1]", "z.$": "$[2]"}, "Next": "Inner"},
                "Inner": {"Type": "Map", "End": True, "ItemProcessor": {"StartAt": "Sum", "States": {
                    "Sum": {"Type": "Pass", "End": True, "Assign": {
                        "Sum.$": "States.MathAdd(States.MathAdd(States.MathAdd($y, $x), $z), $bias)"}}}}}}}}})
        r = ok(d)
        assert [e.assigned for e in r.trace if e.state == "Sum"] == [{"Sum": 63}] * 3

    def test_map_legacy_iterator_and_parameters(self):
        # jsonpath-scenarios-052
        d = jp_machine({"M": {"Type": "Map", "Parameters": {"v.$": "$$.Map.Item.Value", "all.$": "$"},
                              "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                              "End": True}})
        assert ok(d, ["a"]).output == [{"v": "a", "all": ["a"]}]

    def test_map_runtime_failures(self):
        # jsonpath-scenarios-063
        d = jp_machine({"M": {"Type": "Map", "ItemsPath": "$.Items", "ToleratedFailureCountPath": "$.t",
                              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                              "End": True}})
        r = run_execution(d, {"Items": [0], "t": "NoNumber"}, {})
        assert (r.status, r.error) == ("FAILED", "States.Runtime")
        assert r.cause == ("An error occurred while executing the state 'M'. The ToleratedFailureCountPath field "
                           "refers to value \"NoNumber\" which is not a valid integer: $.t")
        r = run_execution(d, {"Items": {}, "t": 1}, {})
        assert r.cause.endswith('Reference path "$.Items" must point to array.')

    def test_map_tolerated_failures(self):
        d = jp_machine({"M": {"Type": "Map", "ToleratedFailureCountPath": "$$.Execution.Input.t", "ItemsPath": "$.i",
                              "ItemProcessor": {"StartAt": "C", "States": {
                                  "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 1,
                                                                       "Next": "Bad"}], "Default": "Good"},
                                  "Bad": {"Type": "Fail", "Error": "E"}, "Good": {"Type": "Succeed"}}},
                              "End": True}})
        assert ok(d, {"i": [0, 1, 2], "t": 1}).output == [0, {"Error": "E"}, 2]


class TestMixedMachines:
    def test_data_and_variables_cross_query_languages(self):
        # mixed-query-language-005 / -006
        d = jp_machine({
            "JP": {"Type": "Pass", "Result": {"riddle": "r?"}, "Assign": {"answer": 42, "inputData.$": "$"},
                   "ResultPath": "$.enigma.mystery", "Next": "JA"},
            "JA": {"Type": "Pass", "QueryLanguage": "JSONata",
                   "Output": {"q": "{% $states.input.enigma.mystery.riddle %}", "a": "{% $answer %}",
                              "d": "{% $inputData %}"},
                   "Assign": {"answer": 18, "old": "{% $answer %}"}, "Next": "JP2"},
            "JP2": {"Type": "Pass", "Parameters": {"q.$": "$.q", "old.$": "$old", "now.$": "$answer"}, "End": True}})
        r = ok(d, {"f": 1})
        assert r.output == {"q": "r?", "old": 42, "now": 18}
        assert r.trace[1].output == {"q": "r?", "a": 42, "d": {"riddle": "r?"}}

    def test_jsonata_catch_assign_read_by_jsonpath(self):
        # mixed-states-variables-001
        d = jp_machine({
            "T": {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"errorVar": "{% $states.errorOutput %}"},
                             "Next": "F"}], "End": True},
            "F": {"Type": "Pass", "OutputPath": "$errorVar", "End": True}})
        r = ok(d, {}, {"T": {"throw": {"Error": "Exception", "Cause": "c"}}})
        assert r.output == {"Error": "Exception", "Cause": "c"}


class TestDefinitions:
    def test_refused_at_creation(self):
        d = jp_machine({"P": {"Type": "Pass", "Parameters": {"a.$": 1}, "End": True}})
        with pytest.raises(InvalidDefinition, match=r"/States/P/Parameters/a\.\$: The value for the field 'a\.\$' "
                                                    "must be a STRING"):
            run_execution(d, {}, {})

    def test_choice_rule_targets_are_checked(self):
        d = jp_machine({"C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": True, "Next": "Nope"}]}})
        with pytest.raises(InvalidDefinition, match="'Nope'"):
            run_execution(d, {}, {})

    def test_jsonpath_item_batcher_is_not_supported_yet(self):
        d = jp_machine({"M": {"Type": "Map", "ItemBatcher": {"MaxItemsPerBatch": 2},
                              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                              "End": True}})
        with pytest.raises(UnsupportedDefinition, match="ItemBatcher"):
            run_execution(d, [1], {})

    def test_jsonata_strings_in_jsonpath_states_are_literals(self):
        d = jp_machine({"P": {"Type": "Pass", "Parameters": {"a": "{% $x %}", "b": "{% not jsonata"}, "End": True}})
        assert ok(d).output == {"a": "{% $x %}", "b": "{% not jsonata"}
