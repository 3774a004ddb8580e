"""Retry back-off on the virtual clock, jitter, error matching, Catch, task timeouts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.simulate import run_execution
from sfn_compiler.simulate.runtime import error_matches as _matches

from asl_builders import machine, task


def retry_machine(retrier: dict, catch: list | None = None) -> dict:
    t = task("Done", Retry=[retrier])
    if catch:
        t["Catch"] = catch
    return machine({"T": t, "Done": {"Type": "Pass", "End": True}})


class TestRetryBackoff:
    def test_interval_backoff_and_max_delay(self):
        # IntervalSeconds 3, BackoffRate 2, MaxDelaySeconds 10, 3 attempts → 3, 6, min(12, 10) = 10
        d = retry_machine({"ErrorEquals": ["Flaky"], "IntervalSeconds": 3, "BackoffRate": 2,
                           "MaxDelaySeconds": 10, "MaxAttempts": 3})
        r = run_execution(d, {}, {"T": [{"throw": {"Error": "Flaky", "Cause": "c"}, "times": 3},
                                        {"return": "ok"}]})
        assert r.status == "SUCCEEDED"
        ev = r.trace[0]
        assert [x["delay"] for x in ev.retries] == [3, 6, 10]
        assert [x["attempt"] for x in ev.retries] == [1, 2, 3]
        assert [x["failed_at"] for x in ev.retries] == [0, 3, 9]
        assert ev.duration == 19 and r.trace[1].start == 19 and r.elapsed_seconds == 19
        assert [c["start"] for c in ev.details["calls"]] == [0, 3, 9, 19]
        assert r.transitions == 2 + 3  # retries count as transitions

    def test_defaults_interval_1_backoff_2_max_attempts_3(self):
        d = retry_machine({"ErrorEquals": ["States.ALL"]})
        r = run_execution(d, {}, {"T": {"throw": {"Error": "Boom", "Cause": "always"}}})
        assert r.status == "FAILED" and r.error == "Boom"
        assert [x["delay"] for x in r.trace[0].retries] == [1, 2, 4]
        assert r.mock_invocations == {"T": 4}
        assert r.elapsed_seconds == 7

    def test_max_attempts_zero_never_retries(self):
        d = retry_machine({"ErrorEquals": ["States.ALL"], "MaxAttempts": 0})
        r = run_execution(d, {}, {"T": {"throw": {"Error": "Boom"}}})
        assert r.status == "FAILED" and r.trace[0].retries == [] and r.mock_invocations == {"T": 1}

    def test_first_matching_retrier_is_used_and_each_keeps_its_own_count(self):
        d = machine({"T": task(Retry=[
            {"ErrorEquals": ["A"], "IntervalSeconds": 1, "MaxAttempts": 1},
            {"ErrorEquals": ["A", "B"], "IntervalSeconds": 10, "MaxAttempts": 5},
        ])})
        r = run_execution(d, {}, {"T": [
            {"throw": {"Error": "B"}}, {"throw": {"Error": "A"}}, {"throw": {"Error": "B"}},
            {"throw": {"Error": "A"}},  # retrier 0 exhausted → goes to Catch (none) → fails, not to retrier 1
        ]})
        assert r.status == "FAILED" and r.error == "A"
        assert [(x["retrier"], x["attempt"], x["delay"]) for x in r.trace[0].retries] == [
            (1, 1, 10), (0, 1, 1), (1, 2, 20)]

    def test_jitter_full_within_bounds_and_reproducible(self):
        d = retry_machine({"ErrorEquals": ["E"], "IntervalSeconds": 4, "BackoffRate": 3, "MaxAttempts": 5,
                           "JitterStrategy": "FULL"})
        mocks = {"T": [{"throw": {"Error": "E"}, "times": 5}, {"return": 1}]}
        runs = {seed: [x["delay"] for x in run_execution(d, {}, mocks, seed=seed).trace[0].retries]
                for seed in (1, 2)}
        again = [x["delay"] for x in run_execution(d, {}, mocks, seed=1).trace[0].retries]
        assert runs[1] == again
        assert runs[1] != runs[2]
        for seed, delays in runs.items():
            for n, delay in enumerate(delays):
                assert 0 <= delay <= 4 * 3 ** n
        r = run_execution(d, {}, mocks, seed=1)
        assert r.elapsed_seconds == pytest.approx(sum(runs[1]), abs=0.01)
        assert [x["computed_delay"] for x in r.trace[0].retries] == [4, 12, 36, 108, 324]

    @settings(max_examples=25, deadline=None)
    @given(interval=st.integers(1, 30), backoff=st.sampled_from([1, 1.5, 2, 3]),
           max_delay=st.one_of(st.none(), st.integers(1, 100)), attempts=st.integers(1, 4))
    def test_backoff_arithmetic_property(self, interval, backoff, max_delay, attempts):
        retrier = {"ErrorEquals": ["E"], "IntervalSeconds": interval, "BackoffRate": backoff,
                   "MaxAttempts": attempts}
        if max_delay is not None:
            retrier["MaxDelaySeconds"] = max_delay
        r = run_execution(retry_machine(retrier), {}, {"T": [{"throw": {"Error": "E"}, "times": attempts},
                                                               {"return": 0}]})
        expected = [interval * backoff ** n for n in range(attempts)]
        if max_delay is not None:
            expected = [min(x, max_delay) for x in expected]
        assert [x["delay"] for x in r.trace[0].retries] == pytest.approx(expected)
        assert r.elapsed_seconds == pytest.approx(sum(expected))


class TestErrorMatching:
    def test_task_failed_does_not_match_timeout(self):
        assert _matches(["States.TaskFailed"], "Lambda.Unknown")
        assert _matches(["States.TaskFailed"], "States.QueryEvaluationError")
        assert not _matches(["States.TaskFailed"], "States.Timeout")
        assert _matches(["States.ALL"], "States.Timeout")
        assert not _matches(["States.ALL"], "States.Runtime")
        assert not _matches(["States.Runtime"], "States.Runtime")
        # AWS caught a task's States.DataLimitExceeded with States.ALL (aws-recorded jsonpath-error-handling-004)
        assert _matches(["States.ALL"], "States.DataLimitExceeded")

    def test_timeout_escapes_task_failed_catcher(self):
        d = machine({
            "T": task("Ok", TimeoutSeconds=10,
                      Retry=[{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 5}],
                      Catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"},
                             {"ErrorEquals": ["States.Timeout"], "Next": "TimedOut"}]),
            "Ok": {"Type": "Succeed"}, "Caught": {"Type": "Succeed"}, "TimedOut": {"Type": "Succeed"},
        })
        r = run_execution(d, {}, {"T": {"return": 1, "duration": 11}})
        assert r.states == ["T", "TimedOut"]
        assert r.trace[0].retries == []
        assert r.trace[0].caught["error"] == "States.Timeout"
        # but a task failure is retried and caught by States.TaskFailed
        r2 = run_execution(d, {}, {"T": {"throw": {"Error": "Lambda.ServiceException", "Cause": "x"}}})
        assert r2.states == ["T", "Caught"] and len(r2.trace[0].retries) == 5


class TestTaskTimeout:
    def test_mock_duration_above_timeout_seconds(self):
        d = machine({"T": task(TimeoutSeconds=30)})
        r = run_execution(d, {}, {"T": {"return": 1, "duration": 45}})
        assert r.status == "FAILED" and r.error == "States.Timeout"
        assert r.elapsed_seconds == 30  # the task is abandoned when the timeout fires
        assert "TimeoutSeconds=30" in r.cause

    def test_duration_equal_to_timeout_succeeds(self):
        d = machine({"T": task(TimeoutSeconds="{% $states.input.t %}")})
        r = run_execution(d, {"t": 45}, {"T": {"return": 1, "duration": 45}})
        assert r.status == "SUCCEEDED" and r.elapsed_seconds == 45
        assert r.trace[0].details["timeout_seconds"] == 45

    def test_timeout_seconds_must_be_positive(self):
        d = machine({"T": task(TimeoutSeconds="{% 0 %}")})
        r = run_execution(d, {}, {"T": {"return": 1}})
        assert r.error == "States.QueryEvaluationError" and "TimeoutSeconds" in r.cause

    def test_timeout_then_retry(self):
        d = machine({"T": task(TimeoutSeconds=5, Retry=[{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 1,
                                                         "IntervalSeconds": 2}])})
        r = run_execution(d, {}, {"T": [{"return": 1, "duration": 60}, {"return": 2, "duration": 1}]})
        assert r.status == "SUCCEEDED" and r.output == 2 and r.elapsed_seconds == 5 + 2 + 1


class TestCatch:
    def test_catch_with_error_output(self):
        d = machine({
            "Acquire Lock": task("Work", Catch=[
                {"ErrorEquals": ["Other"], "Next": "Work"},
                {"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Already Running",
                 "Output": {"reason": "{% $states.errorOutput.Cause %}", "input": "{% $states.input %}"},
                 "Assign": {"lockError": "{% $states.errorOutput.Error %}"}},
            ], Assign={"locked": True}),
            "Work": {"Type": "Succeed"},
            "Already Running": {"Type": "Pass", "End": True},
        })
        r = run_execution(d, {"batch": 7}, {"Acquire Lock": {
            "throw": {"Error": "DynamoDB.ConditionalCheckFailedException", "Cause": "held"}}})
        assert r.status == "SUCCEEDED"
        assert r.states == ["Acquire Lock", "Already Running"]
        assert r.output == {"reason": "held", "input": {"batch": 7}}
        assert r.variables == {"lockError": "DynamoDB.ConditionalCheckFailedException"}  # state Assign not applied
        ev = r.trace[0]
        assert ev.status == "caught" and ev.transition == ("catch", 1, "Already Running")

    def test_catch_default_output_is_error_output(self):
        d = machine({"T": task("Ok", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "H"}]),
                     "Ok": {"Type": "Succeed"}, "H": {"Type": "Pass", "End": True}})
        r = run_execution(d, {}, {"T": {"throw": {"Error": "E", "Cause": "why"}}})
        assert r.output == {"Error": "E", "Cause": "why"}

    def test_retries_run_before_catch(self):
        d = machine({"T": task("Ok", Retry=[{"ErrorEquals": ["E"], "MaxAttempts": 2}],
                               Catch=[{"ErrorEquals": ["E"], "Next": "H"}]),
                     "Ok": {"Type": "Succeed"}, "H": {"Type": "Succeed"}})
        r = run_execution(d, {}, {"T": {"throw": {"Error": "E"}}})
        assert r.states == ["T", "H"] and len(r.trace[0].retries) == 2 and r.elapsed_seconds == 3
