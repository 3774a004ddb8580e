"""Coverage counting, trace rendering, and the 200-iteration polling loop (correctness + speed)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfn_compiler.simulate import Coverage, format_trace, run_execution
from sfn_compiler.simulate.trace import format_duration, format_offset


def poll_machine() -> dict[str, Any]:
    """Start a SageMaker pipeline, then describe / wait 60 s until it reports a final status."""
    return {
        "QueryLanguage": "JSONata", "StartAt": "Start Pipeline", "TimeoutSeconds": 86400,
        "States": {
            "Start Pipeline": {
                "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
                "Arguments": {"PipelineName": "{% $states.input.pipeline %}", "ClientRequestToken": "{% $uuid() %}"},
                "Assign": {"arn": "{% $states.result.PipelineExecutionArn %}", "polls": 0},
                "Retry": [{"ErrorEquals": ["SageMaker.ThrottlingException"], "IntervalSeconds": 2}],
                "Next": "Describe Pipeline"},
            "Describe Pipeline": {
                "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
                "Arguments": {"PipelineExecutionArn": "{% $arn %}"},
                "Assign": {"status": "{% $states.result.PipelineExecutionStatus %}", "polls": "{% $polls + 1 %}"},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                "Next": "Finished?"},
            "Finished?": {"Type": "Choice", "Choices": [
                {"Condition": "{% $status = 'Succeeded' %}", "Next": "Done"},
                {"Condition": "{% $status in ['Failed', 'Stopped'] %}", "Next": "Failed"}],
                "Default": "Wait 60s"},
            "Wait 60s": {"Type": "Wait", "Seconds": 60, "Next": "Describe Pipeline"},
            "Done": {"Type": "Succeed", "Output": {"polls": "{% $polls %}", "arn": "{% $arn %}"}},
            "Failed": {"Type": "Fail", "Error": "PipelineFailed", "Cause": "{% 'status: ' & $status %}"},
        },
    }


def poll_mocks(n: int) -> dict[str, Any]:
    return {
        "Start Pipeline": {"return": {"PipelineExecutionArn": "arn:aws:sagemaker:pipe/exec-1"}},
        "Describe Pipeline": [{"return": {"PipelineExecutionStatus": "Executing"}, "times": n - 1},
                              {"return": {"PipelineExecutionStatus": "Succeeded"}, "duration": 0.5}],
    }


class TestPollLoop:
    def test_200_iterations(self):
        r = run_execution(poll_machine(), {"pipeline": "features"}, poll_mocks(200))  # speed: bench/timings.py
        assert r.status == "SUCCEEDED"
        assert r.output == {"polls": 200, "arn": "arn:aws:sagemaker:pipe/exec-1"}
        assert r.transitions == 1 + 200 * 3 - 1 + 1  # start + 200×(describe, choice) + 199 waits + Done
        assert r.elapsed_seconds == 199 * 60 + 0.5
        assert r.mock_invocations == {"Start Pipeline": 1, "Describe Pipeline": 200}

    def test_pipeline_failure_goes_to_fail(self):
        mocks = poll_mocks(3)
        mocks["Describe Pipeline"][-1] = {"return": {"PipelineExecutionStatus": "Failed"}}
        r = run_execution(poll_machine(), {"pipeline": "p"}, mocks)
        assert (r.status, r.error, r.cause) == ("FAILED", "PipelineFailed", "status: Failed")
        assert r.states[-2:] == ["Finished?", "Failed"]


class TestCoverage:
    def test_counts_every_possible_transition(self):
        cov = Coverage(poll_machine(), name="poll")
        rep = cov.report()
        # Next/End: Start, Describe, Wait = 3; Choice rules 2 + Default 1; Catch 1; Retry 1 → 8
        assert rep["states"]["total"] == 6 and rep["transitions"]["total"] == 8
        assert rep["transitions"]["covered"] == 0 and rep["executions"] == 0

    def test_accumulates_across_executions_and_names_what_to_test_next(self):
        d = poll_machine()
        cov = Coverage(d, name="poll")
        cov.add(run_execution(d, {"pipeline": "p"}, poll_mocks(2)))
        rep = cov.report()
        assert rep["states"] == {"total": 6, "covered": 5, "percent": 83.3}
        assert rep["transitions"]["covered"] == 5  # 3 Next + rule #0 + Default
        assert rep["uncovered"] == [
            "state 'Failed' (Fail) never visited",
            "retrier 'Start Pipeline' Retry[0] [SageMaker.ThrottlingException] never used",
            "transition 'Describe Pipeline' Catch[0] [States.ALL] → 'Failed'",
            "transition Choice 'Finished?' rule #1 {% $status in ['Failed', 'Stopped'] %} → 'Failed'",
        ]
        failing = poll_mocks(1)
        failing["Start Pipeline"] = [{"throw": {"Error": "SageMaker.ThrottlingException"}},
                                     {"return": {"PipelineExecutionArn": "a"}}]
        failing["Describe Pipeline"] = [{"throw": {"Error": "SageMaker.ResourceNotFound", "Cause": "gone"}}]
        cov.add(run_execution(d, {"pipeline": "p"}, failing))
        rep = cov.report()
        assert rep["executions"] == 2 and rep["statuses"] == {"SUCCEEDED": 1, "FAILED": 1}
        assert rep["states"]["percent"] == 100.0
        assert rep["transitions"]["covered"] == 7
        assert rep["uncovered"] == [
            "transition Choice 'Finished?' rule #1 {% $status in ['Failed', 'Stopped'] %} → 'Failed'"]
        assert rep["by_kind"]["retry"] == {"total": 1, "covered": 1, "percent": 100.0}
        assert "transitions 7/8 (87.5%)" in cov.format()

    def test_nested_scopes_are_counted(self):
        d = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
            "Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
                    "StartAt": "C", "States": {
                        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input > 1 %}", "Next": "Big"}],
                              "Default": "Small"},
                        "Big": {"Type": "Succeed"}, "Small": {"Type": "Succeed"}}}}}},
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}]}}}
        cov = Coverage(d)
        assert cov.report()["states"]["total"] == 6
        assert cov.report()["transitions"]["total"] == 5  # P end, M end, C rule, C default, X end
        cov.add(run_execution(d, [1], {}))
        assert cov.uncovered() == ["state 'Big' (Succeed) never visited",
                                   "transition Choice 'C' rule #0 {% $states.input > 1 %} → 'Big'"]
        cov.add(run_execution(d, [2], {}))
        assert cov.uncovered() == []


class TestTraceFormat:
    def test_text_lists_each_state_with_time_duration_type_and_outcome(self):
        d = poll_machine()
        mocks = poll_mocks(2)
        mocks["Start Pipeline"] = [{"throw": {"Error": "SageMaker.ThrottlingException", "Cause": "slow down"}},
                                   {"return": {"PipelineExecutionArn": "a"}, "duration": 1.5}]
        text = format_trace(run_execution(d, {"pipeline": "p"}, mocks, name="poll", execution_name="e1"))
        lines = text.splitlines()
        assert lines[0] == "Execution poll:e1  SUCCEEDED"
        assert "virtual time 1m04s" in lines[1] and "8 transitions" in lines[1]  # 7 states + 1 retry
        start = next(line for line in lines if "Start Pipeline" in line)
        assert start.startswith("+00:00:00") and "3.5s" in start and "Task" in start
        assert "1 retry: SageMaker.ThrottlingException → retry #1 of Retry[0] after 2s" in start
        assert start.endswith("→ Describe Pipeline")
        wait = next(line for line in lines if "Wait 60s" in line and "Wait  " in line)
        assert wait.startswith("+00:00:03.5") and "waited 1m" in wait
        assert any("Finished?" in line and "Default → Wait 60s" in line for line in lines)
        assert any("Finished?" in line and "rule #0 matched → Done" in line for line in lines)
        assert lines[-1].startswith('output: {"polls":2')

    def test_caught_error_and_branches_in_text(self):
        d = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Next": "Ok", "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Fail", "Error": "A.Err", "Cause": "bad"}}},
                {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H"}]},
            "Ok": {"Type": "Succeed"}, "H": {"Type": "Succeed"}}}
        text = format_trace(run_execution(d, {}, {}))
        assert "2 branches: #0 failed (A.Err), #1 cancelled; caught A.Err (from 'A') by Catch[0] → H" in text
        assert "┆ P/branch 0" in text
        assert "FAILED A.Err: bad" in text

    def test_json_is_a_stable_list_of_dicts(self):
        r = run_execution(poll_machine(), {"pipeline": "p"}, poll_mocks(2), execution_name="e1")
        data = json.loads(format_trace(r, "json"))
        assert [d["kind"] for d in data] == ["state"] * 7 + ["execution"]
        first = data[0]
        assert list(first)[:12] == ["kind", "seq", "state", "type", "path", "depth", "start_offset", "end_offset",
                                    "duration", "start_time", "status", "input"]
        assert first["details"]["calls"][0]["arguments"]["PipelineName"] == "p"
        assert data[-1]["status"] == "SUCCEEDED" and data[-1]["states"][0] == "Start Pipeline"
        assert format_trace(r, "json") == format_trace(
            run_execution(poll_machine(), {"pipeline": "p"}, poll_mocks(2), execution_name="e1"), "json")
        with pytest.raises(ValueError):
            format_trace(r, "xml")

    @pytest.mark.parametrize("seconds,text", [(0, "0s"), (2.5, "2.5s"), (60, "1m"), (3605, "1h00m05s"),
                                              (90061, "1d01h01m")])
    def test_duration_format(self, seconds, text):
        assert format_duration(seconds) == text

    def test_offset_format(self):
        assert format_offset(3.5) == "+00:00:03.5" and format_offset(90000) == "+1d01:00:00"
