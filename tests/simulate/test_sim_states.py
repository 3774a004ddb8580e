"""Data flow, variables, Choice, Wait, Succeed/Fail, context object, execution-level limits."""

from __future__ import annotations

from typing import Any

from datetime import datetime, timezone

import pytest

from sfn_compiler.simulate import (
    InvalidDefinition,
    MockMissing,
    TransitionLimitExceeded,
    UnsupportedDefinition,
    run_execution,
)

from asl_builders import machine, task


class TestAssignAndOutput:
    def test_assign_and_output_see_state_entry_values(self):
        # AWS workflow-variables doc: {"x": "{% $a %}", "nextX": "{% $x %}"} with x=3, a=6 → x=6, nextX=3
        d = machine({
            "Init": {"Type": "Pass", "Assign": {"x": 3, "a": 6}, "Next": "Swap"},
            "Swap": {"Type": "Pass", "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"},
                     "Output": {"seenX": "{% $x %}"}, "Next": "Show"},
            "Show": {"Type": "Pass", "Output": {"x": "{% $x %}", "nextX": "{% $nextX %}"}, "End": True},
        })
        r = run_execution(d, {}, {})
        assert r.status == "SUCCEEDED"
        assert r.variables == {"x": 6, "a": 6, "nextX": 3}
        swap = r.trace[1]
        assert swap.output == {"seenX": 3}  # Output evaluated with the entry value, not the new one
        assert r.output == {"x": 6, "nextX": 3}

    def test_template_walks_objects_and_arrays_but_not_keys_or_plain_strings(self):
        d = machine({"P": {"Type": "Pass", "Output": {
            "{% 'key' %}": "{% 1 + 1 %}",
            "list": ["{% $states.input.a %}", "literal {% 1 %}", "$.a", {"deep": "{% $states.input.a & '!' %}"}],
            "n": 5, "nil": None,
        }, "End": True}})
        r = run_execution(d, {"a": "A"}, {})
        assert r.output == {"{% 'key' %}": 2, "list": ["A", "literal {% 1 %}", "$.a", {"deep": "A!"}],
                            "n": 5, "nil": None}

    def test_default_outputs(self):
        d = machine({
            "P": {"Type": "Pass", "Next": "T"},
            "T": task("W"),
            "W": {"Type": "Wait", "Seconds": 0, "Next": "S"},
            "S": {"Type": "Succeed"},
        })
        r = run_execution(d, {"in": 1}, {"T": {"return": {"res": 2}}})
        assert [e.output for e in r.trace] == [{"in": 1}, {"res": 2}, {"res": 2}, {"res": 2}]
        assert r.output == {"res": 2}
        assert r.trace[1].details["calls"][0]["arguments"] == {"in": 1}  # Arguments default = state input

    def test_task_arguments_output_and_result(self):
        d = machine({"T": task(Arguments={"FunctionName": "f", "Payload": {"id": "{% $states.input.id %}"}},
                               Output="{% $states.result.Payload.value * 2 %}",
                               Assign={"raw": "{% $states.result %}"})})
        r = run_execution(d, {"id": "x1"}, {"T": {"return": {"Payload": {"value": 21}}}})
        assert r.output == 42
        assert r.variables == {"raw": {"Payload": {"value": 21}}}
        call = r.trace[0].details["calls"][0]
        assert call["arguments"] == {"FunctionName": "f", "Payload": {"id": "x1"}}
        assert call["result"] == {"Payload": {"value": 21}}

    def test_null_output_is_not_undefined(self):
        d = machine({"P": {"Type": "Pass", "Output": "{% $states.input.a %}", "End": True}})
        r = run_execution(d, {"a": None}, {})
        assert r.status == "SUCCEEDED" and r.output is None

    def test_variables_holding_null(self):
        d = machine({"A": {"Type": "Pass", "Assign": {"v": None}, "Next": "B"},
                     "B": {"Type": "Pass", "Output": "{% $v = null %}", "End": True}})
        assert run_execution(d, {}, {}).output is True


class TestQueryEvaluationErrors:
    def test_undefined_in_a_field_fails_with_aws_style_message(self):
        d = machine({"P": {"Type": "Pass", "Output": {"result": "{% $states.input.missing %}"}, "End": True}})
        r = run_execution(d, {}, {})
        assert r.status == "FAILED"
        assert r.error == "States.QueryEvaluationError"
        assert r.error_state == "P"
        assert r.cause == ("An error occurred while executing the state 'P'. The JSONata expression "
                           "'{% $states.input.missing %}' specified for the field 'Output/result' returned "
                           "nothing (undefined).")

    def test_unassigned_variable_is_a_runtime_error(self):
        d = machine({"P": {"Type": "Pass", "Assign": {"y": "{% $nope %}"}, "End": True}})
        r = run_execution(d, {}, {})
        assert r.error == "States.QueryEvaluationError" and "'Assign/y'" in r.cause

    def test_query_error_in_pass_cannot_be_caught_but_in_task_it_can(self):
        d = machine({
            "T": task("Ok", Arguments={"x": "{% $states.input.nope %}"},
                      Catch=[{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Handled"}]),
            "Ok": {"Type": "Succeed"},
            "Handled": {"Type": "Pass", "Output": "{% $states.input.Error %}", "End": True},
        })
        r = run_execution(d, {}, {"T": {"return": 1}})
        assert r.status == "SUCCEEDED" and r.output == "States.QueryEvaluationError"
        assert r.mock_invocations == {}  # Arguments failed before the call

    def test_non_boolean_condition(self):
        d = machine({"C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n %}", "Next": "S"}],
                           "Default": "S"},
                     "S": {"Type": "Succeed"}})
        r = run_execution(d, {"n": 1}, {})
        assert r.error == "States.QueryEvaluationError"
        assert "Expected 'boolean', but was 'number'" in r.cause and "Choices[0]/Condition" in r.cause

    def test_syntax_error_is_reported_before_running(self):
        d = machine({"P": {"Type": "Pass", "Output": "{% [1, %}", "End": True}})
        with pytest.raises(InvalidDefinition, match=r"/States/P/Output.*could not be parsed"):
            run_execution(d, {}, {})


class TestChoice:
    def test_rules_in_order_first_true_wins(self):
        d = machine({
            "C": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.n > 10 %}", "Next": "Big"},
                {"Condition": "{% $states.input.n > 5 %}", "Next": "Medium"},
                {"Condition": True, "Next": "Small"}]},
            "Big": {"Type": "Succeed"}, "Medium": {"Type": "Succeed"}, "Small": {"Type": "Succeed"},
        })
        assert run_execution(d, {"n": 20}, {}).states == ["C", "Big"]
        assert run_execution(d, {"n": 7}, {}).states == ["C", "Medium"]
        assert run_execution(d, {"n": 1}, {}).states == ["C", "Small"]

    def test_rule_assign_and_output_replace_state_level(self):
        states = {
            "C": {"Type": "Choice", "Assign": {"path": "default", "stateLevel": True},
                  "Output": {"from": "state"},
                  "Choices": [
                      {"Condition": "{% $states.input.go = 'a' %}", "Next": "End",
                       "Assign": {"path": "a"}, "Output": {"from": "rule a"}},
                      {"Condition": "{% $states.input.go = 'b' %}", "Next": "End", "Assign": {"path": "b"}},
                  ], "Default": "End"},
            "End": {"Type": "Succeed"},
        }
        a = run_execution(machine(states), {"go": "a"}, {})
        assert a.variables == {"path": "a"} and a.output == {"from": "rule a"}
        b = run_execution(machine(states), {"go": "b"}, {})
        assert b.variables == {"path": "b"} and b.output == {"go": "b"}  # no rule Output → input passes
        dflt = run_execution(machine(states), {"go": "z"}, {})
        assert dflt.variables == {"path": "default", "stateLevel": True} and dflt.output == {"from": "state"}
        assert dflt.trace[0].transition == ("default", None, "End")

    def test_no_choice_matched(self):
        d = machine({"C": {"Type": "Choice", "Choices": [{"Condition": False, "Next": "S"}]},
                     "S": {"Type": "Succeed"}})
        r = run_execution(d, {"x": 1}, {})
        assert r.status == "FAILED" and r.error == "States.NoChoiceMatched" and r.error_state == "C"


class TestWaitAndClock:
    def test_one_hour_wait_takes_no_real_time(self):
        d = machine({"W": {"Type": "Wait", "Seconds": 3600, "Next": "P"},
                     "P": {"Type": "Pass", "Output": "{% $states.context.State.EnteredTime %}", "End": True}})
        r = run_execution(d, {}, {})  # the wall time it takes is measured by bench/timings.py
        assert r.elapsed_seconds == 3600
        assert r.trace[0].duration == 3600 and r.trace[1].start == 3600
        assert r.output == "2025-01-01T01:00:00Z"

    def test_wait_seconds_from_jsonata_and_timestamp(self):
        d = machine({
            "W1": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "W2"},
            "W2": {"Type": "Wait", "Timestamp": "{% $states.input.until %}", "Next": "W3"},
            "W3": {"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z", "End": True},  # in the past: no wait
        })
        r = run_execution(d, {"delay": 90, "until": "2025-01-01T02:00:00Z"}, {})
        assert [e.duration for e in r.trace] == [90, 7110, 0]
        assert r.elapsed_seconds == 7200

    def test_negative_seconds_is_a_query_error(self):
        d = machine({"W": {"Type": "Wait", "Seconds": "{% -1 %}", "End": True}})
        r = run_execution(d, {}, {})
        assert r.error == "States.QueryEvaluationError" and "Seconds" in r.cause

    def test_execution_timeout_on_virtual_clock(self):
        d = machine({"W": {"Type": "Wait", "Seconds": 7200, "Next": "S"}, "S": {"Type": "Succeed"}},
                    TimeoutSeconds=3600)
        r = run_execution(d, {}, {})
        assert r.status == "TIMED_OUT" and r.error == "States.Timeout"
        assert r.elapsed_seconds == 3600 and r.states == ["W"]
        assert r.trace[0].status == "timed_out"

    def test_custom_start_time(self):
        d = machine({"P": {"Type": "Pass", "Output": "{% $now() %}", "End": True}})
        r = run_execution(d, {}, {}, start_time=datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc))
        assert r.output == "2030-05-06T07:08:09.000Z"


class TestFailAndSucceed:
    def test_fail_with_jsonata_error_and_cause(self):
        d = machine({"F": {"Type": "Fail", "Error": "{% 'Batch.' & $states.input.kind %}",
                           "Cause": "{% 'batch ' & $states.input.id & ' rejected' %}"}})
        r = run_execution(d, {"kind": "Duplicate", "id": "b-7"}, {})
        assert (r.status, r.error, r.cause) == ("FAILED", "Batch.Duplicate", "batch b-7 rejected")
        assert r.output is None

    def test_fail_with_literals(self):
        r = run_execution(machine({"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}), {}, {})
        assert (r.error, r.cause) == ("E", "c")

    def test_fail_error_must_be_a_string(self):
        r = run_execution(machine({"F": {"Type": "Fail", "Error": "{% 42 %}"}}), {}, {})
        assert r.error == "States.QueryEvaluationError"

    def test_succeed_output(self):
        r = run_execution(machine({"S": {"Type": "Succeed", "Output": {"ok": "{% $states.input.v %}"}}}), {"v": 1}, {})
        assert r.output == {"ok": 1}


class TestContextObject:
    def test_context_fields(self):
        d = machine({"W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
                     "P": {"Type": "Pass", "Output": "{% $states.context %}", "End": True}})
        r = run_execution(d, {"a": 1}, {}, name="orders", execution_name="run-1")
        ctx = r.output
        assert ctx["Execution"] == {
            "Id": "arn:aws:states:us-east-1:123456789012:execution:orders:run-1",
            "Input": {"a": 1}, "Name": "run-1",
            "RoleArn": "arn:aws:iam::123456789012:role/sfnc-simulated-execution-role",
            "StartTime": "2025-01-01T00:00:00Z", "RedriveCount": 0,
        }
        # no RetryCount outside Task/Parallel/Map: AWS recorded {"Name", "EnteredTime"} for a Pass state
        # (aws-recorded mixed-outputdecl-001, jsonpath-base-012)
        assert ctx["State"] == {"EnteredTime": "2025-01-01T00:00:05Z", "Name": "P"}
        assert ctx["StateMachine"] == {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:orders",
                                       "Name": "orders"}
        assert "Map" not in ctx

    def test_retry_count_in_context(self):
        d = machine({"T": task(Arguments={"try": "{% $states.context.State.RetryCount %}"},
                               Retry=[{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 2}])})
        r = run_execution(d, {}, {"T": [{"throw": {"Error": "E"}, "times": 2}, {"return": "ok"}]})
        assert [c["arguments"]["try"] for c in r.trace[0].details["calls"]] == [0, 1, 2]


class TestDefinitionChecks:
    def test_jsonpath_machine_runs(self):
        d = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"v.$": "$.a"}, "End": True}}}
        assert run_execution(d, {"a": 1}, {}).output == {"v": 1}

    def test_jsonpath_state_inside_jsonata_machine_is_rejected(self):
        # AWS: "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
        d = machine({"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}})
        with pytest.raises(InvalidDefinition, match="can not be 'JSONPath' if set to 'JSONata'"):
            run_execution(d, {}, {})

    def test_state_level_jsonata_in_jsonpath_machine_runs(self):
        d = {"StartAt": "P", "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": 1, "End": True}}}
        assert run_execution(d, {}, {}).output == 1

    def test_item_reader_is_unsupported(self):
        d = machine({"M": {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"},
                           "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                             "StartAt": "X", "States": {"X": {"Type": "Succeed"}}},
                           "End": True}})
        with pytest.raises(UnsupportedDefinition, match="ItemReader"):
            run_execution(d, {}, {})

    def test_dangling_next(self):
        with pytest.raises(InvalidDefinition, match="'Nope'"):
            run_execution(machine({"P": {"Type": "Pass", "Next": "Nope"}}), {}, {})


class TestLimitsAndMocks:
    def test_missing_mock_names_the_state(self):
        d = machine({"P": {"Type": "Pass", "Next": "Call Lambda"}, "Call Lambda": task()})
        with pytest.raises(MockMissing, match="'Call Lambda'") as info:
            run_execution(d, {}, {})
        partial = info.value.result
        assert partial.status == "ABORTED" and partial.states == ["P", "Call Lambda"]

    def test_transition_limit_stops_endless_loop(self):
        d = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}})
        with pytest.raises(TransitionLimitExceeded, match="exceeded 500 state transitions") as info:
            run_execution(d, {}, {}, max_transitions=500)
        assert info.value.result.transitions == 501

    def test_default_limit_is_25000(self):
        d = machine({"A": {"Type": "Pass", "Next": "A"}})
        with pytest.raises(TransitionLimitExceeded, match="25000"):
            run_execution(d, {}, {})


@pytest.mark.parametrize("state,msg", [
    ({"Type": "Task", "Resource": "r", "End": True, "Retry": "${local.retry}"}, "/States/S/Retry: must be an array"),
    ({"Type": "Task", "Resource": "r", "End": True, "Retry": [{"ErrorEquals": []}]},
     "Retry\\[0\\]/ErrorEquals: must be a non-empty array"),
    ({"Type": "Task", "Resource": "r", "End": True, "Retry": [{"ErrorEquals": ["E"], "BackoffRate": 0.5}]},
     "BackoffRate: must be a number >= 1.0"),
    ({"Type": "Task", "Resource": "r", "End": True, "TimeoutSeconds": "30"}, "TimeoutSeconds: must be an integer"),
    ({"Type": "Wait", "Seconds": 1, "Timestamp": "2025-01-01T00:00:00Z", "End": True}, "exactly one of"),
    ({"Type": "Pass", "End": True, "Retry": []}, "'Retry' is not supported on a Pass state"),
])
def test_literal_fields_are_checked_before_running(state, msg):
    with pytest.raises(InvalidDefinition, match=msg):
        run_execution(machine({"S": state}), {}, {})
