"""Step Functions Local MockConfigFile, sfnc scenario files, expectation mismatch messages."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sfn_compiler.simulate import (
    MockMissing,
    MockResponse,
    ScenarioError,
    check_expectations,
    load_mock_config,
    load_scenario,
    run_execution,
)
from sfn_compiler.simulate.mocks import CallableMocks, mocks_from_spec

LAMBDA_SQS = {
    "QueryLanguage": "JSONata",
    "StartAt": "LambdaState",
    "States": {
        "LambdaState": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3}],
                        "Output": "{% $states.result.Payload %}", "Next": "SQSState"},
        "SQSState": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                     "Arguments": {"MessageBody": "{% $states.input.body %}"}, "End": True},
    },
}

# The example from the AWS "Configuration file for mocked service integrations" page.
MOCK_CONFIG = {
    "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
        "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
        "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
        "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
    }}},
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200,
                                                                                 "body": "Hello from Lambda!"}}}},
        "MockedSQSSuccess": {"0": {"Return": {"MD5OfMessageBody": "3bcb6e8e", "MessageId": "3bcb6e8e-8b51"}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}},
        },
    },
}


class TestMockConfigFile:
    def test_happy_path(self, tmp_path: Path):
        path = tmp_path / "MockConfigFile.json"
        path.write_text(json.dumps(MOCK_CONFIG))
        mocks = load_mock_config(path, "LambdaSQSIntegration", "HappyPath")
        r = run_execution(LAMBDA_SQS, {}, mocks)
        assert r.status == "SUCCEEDED"
        assert r.output == {"MD5OfMessageBody": "3bcb6e8e", "MessageId": "3bcb6e8e-8b51"}
        assert r.trace[1].details["calls"][0]["arguments"] == {"MessageBody": "Hello from Lambda!"}

    def test_invocation_ranges_count_retries(self):
        mocks = load_mock_config(MOCK_CONFIG, "LambdaSQSIntegration", "RetryPath")
        assert mocks.response("LambdaState", 0).error == "Lambda.ResourceNotReadyException"
        assert mocks.response("LambdaState", 1).error == mocks.response("LambdaState", 2).error == \
            "Lambda.TimeoutException"
        assert not mocks.response("LambdaState", 3).throws
        r = run_execution(LAMBDA_SQS, {}, mocks)
        assert r.status == "SUCCEEDED"
        assert [x["error"] for x in r.trace[0].retries] == [
            "Lambda.ResourceNotReadyException", "Lambda.TimeoutException", "Lambda.TimeoutException"]
        assert r.mock_invocations == {"LambdaState": 4, "SQSState": 1}

    def test_past_the_last_invocation_is_an_error(self):
        # AWS docs: "you must specify a mocked response for every invocation … the execution will fail"
        happy = load_mock_config(MOCK_CONFIG, "LambdaSQSIntegration", "HappyPath")
        assert happy.response("LambdaState", 1) is None  # no repeat of the last response
        d = json.loads(json.dumps(LAMBDA_SQS))
        d["States"]["LambdaState"]["Retry"][0]["MaxAttempts"] = 10
        config = {**MOCK_CONFIG, "MockedResponses": {**MOCK_CONFIG["MockedResponses"],
                                                     "MockedLambdaRetry": {"0-1": {"Throw": {"Error": "E"}}}}}
        mocks = load_mock_config(config, "LambdaSQSIntegration", "RetryPath")
        with pytest.raises(MockMissing, match=r"declares invocations 0-1, but invocation #2 was requested") as info:
            run_execution(d, {}, mocks)
        assert len(info.value.result.trace[0].retries) == 2

    def test_state_missing_from_test_case(self):
        mocks = load_mock_config(MOCK_CONFIG, "LambdaSQSIntegration", "HybridPath")
        with pytest.raises(MockMissing, match="Task state 'SQSState' has no mock"):
            run_execution(LAMBDA_SQS, {}, mocks)

    @pytest.mark.parametrize("machine,case,msg", [
        ("Nope", "HappyPath", "no state machine 'Nope'"),
        ("LambdaSQSIntegration", "Nope", "no test case 'Nope'"),
    ])
    def test_bad_selection(self, machine, case, msg):
        with pytest.raises(ScenarioError, match=msg):
            load_mock_config(MOCK_CONFIG, machine, case)

    def test_bad_keys(self):
        bad = {"StateMachines": {"M": {"TestCases": {"C": {"S": "R"}}}},
               "MockedResponses": {"R": {"first": {"Return": 1}}}}
        with pytest.raises(ScenarioError, match="invalid invocation key 'first'"):
            load_mock_config(bad, "M", "C")
        bad["MockedResponses"]["R"] = {"0": {"Return": 1, "Throw": {"Error": "E"}}}
        with pytest.raises(ScenarioError, match="exactly one of 'return' or 'throw'"):
            load_mock_config(bad, "M", "C")


class TestScenarioMocks:
    def test_single_mapping_is_used_for_every_call(self):
        m = mocks_from_spec({"S": {"return": {"a": 1}, "duration": 30}})
        assert m.response("S", 0) == m.response("S", 99) == MockResponse.returning({"a": 1}, 30)

    def test_list_with_times(self):
        m = mocks_from_spec({"S": [{"throw": {"Error": "E", "Cause": "c"}}, {"return": 1, "times": 2}, {"return": 2}]})
        assert [m.response("S", i).describe() for i in range(4)] == ["Throw E (c)", "Return 1", "Return 1", "Return 2"]
        assert m.response("S", 4) is None
        assert "declares invocations 0, 1-2, 3" in m.missing_message("S", 4)

    def test_aws_style_keys_accepted(self):
        m = mocks_from_spec({"S": {"0": {"Return": 1}, "1-2": {"Throw": {"Error": "E"}}}})
        assert m.response("S", 0).result == 1 and m.response("S", 2).error == "E"

    def test_callable_mocks(self):
        m = CallableMocks({"S": lambda i: {"return": i * 10}})
        assert m.response("S", 3).result == 30 and m.response("Other", 0) is None

    def test_errors_point_at_the_problem(self):
        with pytest.raises(ScenarioError, match="'S'\\[1\\]: 'times' must be a positive integer"):
            mocks_from_spec({"S": [{"return": 1}, {"return": 2, "times": 0}]})
        with pytest.raises(ScenarioError, match="unknown key\\(s\\) retrun"):
            mocks_from_spec({"S": {"retrun": 1}})


SCENARIO = """\
description: duplicate batch ends cleanly
input: {batch: b-1}
mocks:
  Acquire Lock:
    - throw: {Error: DynamoDB.ConditionalCheckFailedException, Cause: held}
expect:
  status: SUCCEEDED
  output: {skipped: true, batch: b-1}
  states: [Acquire Lock, Already Running]
  variables: {lockHeld: true}
"""

LOCK_MACHINE = {
    "QueryLanguage": "JSONata", "StartAt": "Acquire Lock",
    "States": {
        "Acquire Lock": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                         "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"],
                                    "Next": "Already Running", "Assign": {"lockHeld": True},
                                    "Output": "{% $states.input %}"}],
                         "Next": "Work"},
        "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Release"},
        "Release": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem", "End": True},
        "Already Running": {"Type": "Pass", "Output": {"skipped": True, "batch": "{% $states.input.batch %}"},
                            "End": True},
    },
}


class TestScenarioFiles:
    def test_load_and_pass(self, tmp_path: Path):
        p = tmp_path / "duplicate.yaml"
        p.write_text(SCENARIO)
        sc = load_scenario(p)
        assert sc.name == "duplicate" and sc.description == "duplicate batch ends cleanly"
        r = run_execution(LOCK_MACHINE, sc.input, sc.mocks, **sc.run_kwargs())
        assert check_expectations(sc, r) == []

    def test_mismatch_messages(self, tmp_path: Path):
        p = tmp_path / "wrong.yaml"
        p.write_text(textwrap.dedent("""\
            input: {batch: b-1}
            mocks:
              Acquire Lock: {return: {}}
              Work: {return: {done: 3, items: [1, 2]}}
              Release: {return: {}}
            expect:
              status: FAILED
              error: States.TaskFailed
              output: {skipped: true, batch: b-2}
              states: [Acquire Lock, Already Running]
              states_include: [Nope]
              states_exclude: [Work]
              variables: {lockHeld: true}
            """))
        sc = load_scenario(p)
        r = run_execution(LOCK_MACHINE, sc.input, sc.mocks)
        problems = check_expectations(sc, r)
        text = "\n".join(problems)
        assert "status: expected FAILED, got SUCCEEDED" in text
        assert "error: expected 'States.TaskFailed', got None" in text
        assert "output.skipped: missing" in text
        assert "states: visited sequence differs; first difference at position 1: expected 'Already Running', " \
               "got 'Work'" in text
        assert "+Work" in text and "-Already Running" in text  # unified diff lines
        assert "states_include: never visited ['Nope']" in text
        assert "states_exclude: visited ['Work']" in text
        assert "variables.lockHeld: missing" in text

    def test_subset_matching_rules(self):
        from sfn_compiler.simulate.scenario import subset_mismatches

        actual = {"a": {"b": 1, "c": [1, {"d": 2, "e": 3}]}, "flag": True, "n": 1}
        assert subset_mismatches({"a": {"c": [1, {"d": 2}]}}, actual, "output") == []
        assert subset_mismatches({"a": {"c": [1]}}, actual, "output") == [
            "output.a.c: expected 1 element(s), got 2: [1, {\"d\": 2, \"e\": 3}]"]
        assert subset_mismatches({"a": {"c": [1, {"d": 5}]}}, actual, "output") == [
            "output.a.c[1].d: expected 5, got 2"]
        assert subset_mismatches({"flag": 1}, actual, "output") == ["output.flag: expected 1, got true"]
        assert subset_mismatches({"n": 1.0}, actual, "output") == []

    def test_failed_status_expectation(self, tmp_path: Path):
        p = tmp_path / "fail.yaml"
        p.write_text(textwrap.dedent("""\
            mocks:
              Acquire Lock: {return: {}}
              Work: [{throw: {Error: Lambda.Unknown, Cause: crashed}}]
            expect: {status: FAILED, error: Lambda.Unknown, cause: crashed, states: [Acquire Lock, Work]}
            """))
        sc = load_scenario(p)
        assert check_expectations(sc, run_execution(LOCK_MACHINE, sc.input, sc.mocks)) == []

    def test_scenario_can_use_a_mock_config_file(self, tmp_path: Path):
        (tmp_path / "MockConfigFile.json").write_text(json.dumps(MOCK_CONFIG))
        p = tmp_path / "retry.yaml"
        p.write_text("mock_config: {file: MockConfigFile.json, machine: LambdaSQSIntegration, test_case: RetryPath}\n"
                     "expect: {status: SUCCEEDED}\n")
        sc = load_scenario(p)
        assert check_expectations(sc, run_execution(LAMBDA_SQS, sc.input, sc.mocks)) == []

    @pytest.mark.parametrize("text,msg", [
        ("expect: {status: OK}", "expect.status must be one of"),
        ("expect: {outptu: 1}", "unknown expectation"),
        ("inputs: {}", "unknown key"),
        ("expect: {states: A}", "must be a list of state names"),
        ("- 1", "must be a mapping"),
    ])
    def test_invalid_scenarios(self, tmp_path: Path, text: str, msg: str):
        p = tmp_path / "bad.yaml"
        p.write_text(text)
        with pytest.raises(ScenarioError, match=msg):
            load_scenario(p)


def test_run_execution_accepts_a_plain_mock_mapping():
    d: dict[str, Any] = {"QueryLanguage": "JSONata", "StartAt": "T",
                         "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}
    assert run_execution(d, {}, {"T": {"return": 5}}).output == 5


def test_scenario_warnings_catch_typos(tmp_path: Path):
    from sfn_compiler.simulate import scenario_warnings

    p = tmp_path / "typo.yaml"
    p.write_text("mocks:\n  Acquire lock: {return: {}}\n  Already Running: {return: {}}\n"
                 "expect: {states: [Acquire Lock, Releas]}\n")
    assert scenario_warnings(load_scenario(p), LOCK_MACHINE) == [
        "mock for 'Acquire lock' matches no state of the machine (did you mean 'Acquire Lock'?)",
        "mock for 'Already Running' is never used: it is a Pass state, only Tasks (and the ItemReader of a Map) "
        "are mocked",
        "expect.states names 'Releas', which is not a state of the machine (did you mean 'Release'?)",
    ]


def test_yaml_dates_stay_strings_and_start_time(tmp_path: Path):
    p = tmp_path / "dates.yaml"
    p.write_text("input: {day: 2025-03-01, at: 2025-03-01T10:00:00Z}\nstart_time: 2025-03-01T09:00:00Z\n")
    sc = load_scenario(p)
    assert sc.input == {"day": "2025-03-01", "at": "2025-03-01T10:00:00Z"}
    d = {"QueryLanguage": "JSONata", "StartAt": "W", "States": {
        "W": {"Type": "Wait", "Timestamp": "{% $states.input.at %}", "Next": "P"},
        "P": {"Type": "Pass", "Output": "{% $now() %}", "End": True}}}
    r = run_execution(d, sc.input, sc.mocks, **sc.run_kwargs())
    assert r.elapsed_seconds == 3600 and r.output == "2025-03-01T10:00:00.000Z"
    # without start_time the same Wait lies 14 months after the default start: past the one-year limit, and
    # the expectation mismatch says why and what to set
    p.write_text("input: {at: 2026-03-01T10:00:00Z}\nexpect: {status: SUCCEEDED}\n")
    sc = load_scenario(p)
    r = run_execution(d, sc.input, sc.mocks, **sc.run_kwargs())
    problems = check_expectations(sc, r)
    assert r.status == "TIMED_OUT" and problems[0].startswith("status: expected SUCCEEDED, got TIMED_OUT")
    assert problems[1].startswith("hint: Wait state 'W' waits until 2026-03-01T10:00:00Z, 424d10h after it starts")
    assert problems[1].endswith("or set start_time (a scenario)")
