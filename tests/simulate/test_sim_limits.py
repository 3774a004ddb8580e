"""Bounded virtual time: retry back-off, waits and mock durations of any size end a run cleanly (the one-year
execution limit, `result.EXECUTION_TIME_LIMIT`), never with an overflow or a computation that grows with
the numbers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.simulate import MockResponse, run_execution
from sfn_compiler.simulate.result import EXECUTION_TIME_LIMIT, PAYLOAD_LIMIT_BYTES, iso_timestamp
from sfn_compiler.simulate.runtime import Clock, ExecTimeout, json_size, over_payload_limit, retry_delay

from asl_builders import machine, task

YEAR_CAUSE = f"The execution exceeded the maximum execution time of one year ({EXECUTION_TIME_LIMIT:,} s of virtual time)"


def flaky(retrier: dict) -> dict:
    return machine({"T": task(Retry=[{"ErrorEquals": ["States.ALL"], **retrier}])})


@pytest.mark.parametrize("retrier", [
    {"IntervalSeconds": 99_999_999, "MaxAttempts": 99_999_999},                      # AWS's largest values
    {"IntervalSeconds": 1, "MaxAttempts": 99_999_999, "BackoffRate": 1e300},         # 1e300 ** 2 overflows
    {"IntervalSeconds": 10**400, "MaxAttempts": 5},                                  # too large for a float
    {"IntervalSeconds": 1, "MaxAttempts": 99_999_999, "BackoffRate": 10},            # an integer rate, as an int
])
def test_huge_retry_numbers_end_at_the_one_year_limit(retrier):
    r = run_execution(flaky(retrier), {}, {"T": {"throw": {"Error": "E"}}})
    assert (r.status, r.error, r.cause) == ("TIMED_OUT", "States.Timeout", YEAR_CAUSE)
    assert r.elapsed_seconds == EXECUTION_TIME_LIMIT
    delays = [x["computed_delay"] for x in r.trace[0].retries]
    assert all(0 < d <= EXECUTION_TIME_LIMIT for d in delays)


def test_a_capped_delay_retries_until_the_history_limit_without_big_numbers():
    # BackoffRate 10 with MaxDelaySeconds 1: 10 ** 5,000 is never computed as an integer
    r = run_execution(flaky({"IntervalSeconds": 1, "MaxAttempts": 99_999_999, "BackoffRate": 10,
                             "MaxDelaySeconds": 1}), {}, {"T": {"throw": {"Error": "E"}}})
    assert (r.status, r.error) == ("FAILED", "States.Runtime")
    assert r.trace[0].retries[-1]["delay"] == 1 and len(r.trace[0].retries) > 4000


def test_retry_delay():
    assert [retry_delay(3, 2, n, 10) for n in (1, 2, 3)] == [3, 6, 10]
    assert retry_delay(1, 2.0, 5_000) == EXECUTION_TIME_LIMIT
    assert retry_delay(10**400, 1, 1) == EXECUTION_TIME_LIMIT
    assert retry_delay(2, 1.5, 3, 31_622_400) == 4.5


@pytest.mark.parametrize("seconds", ["{% $power(10, 300) %}", "{% 63072000 %}", 63_072_000])
def test_a_wait_past_a_year_times_out(seconds):
    r = run_execution(machine({"W": {"Type": "Wait", "Seconds": seconds, "End": True}}), {}, {})
    assert (r.status, r.cause, r.elapsed_seconds) == ("TIMED_OUT", YEAR_CAUSE, EXECUTION_TIME_LIMIT)


def test_a_wait_until_year_9999_times_out_and_timestamps_stay_valid():
    d = machine({"W": {"Type": "Wait", "Timestamp": "9999-12-31T23:59:59Z", "Next": "P"},
                 "P": {"Type": "Pass", "Output": "{% $now() %}", "End": True}})
    r = run_execution(d, {}, {})
    assert r.status == "TIMED_OUT" and r.trace[0].status == "timed_out"


def test_timeout_seconds_above_a_year_is_the_year():
    d = machine({"W": {"Type": "Wait", "Seconds": 40_000_000, "End": True}}, TimeoutSeconds=99_999_999)
    assert run_execution(d, {}, {}).cause == YEAR_CAUSE
    d["TimeoutSeconds"] = 100
    r = run_execution(d, {}, {})
    assert r.cause == "The execution exceeded its TimeoutSeconds (100 s of virtual time)" and r.elapsed_seconds == 100


@pytest.mark.parametrize("duration", [math.inf, math.nan, 1e308, 10**400])
def test_mock_durations_of_any_size_end_at_the_limit(duration):
    # the scenario files refuse such durations (test_scenario_errors); a Python caller can still give them
    r = run_execution(machine({"T": task()}), {}, {"T": MockResponse(result=1, duration=duration)})
    assert (r.status, r.elapsed_seconds) == ("TIMED_OUT", EXECUTION_TIME_LIMIT)


def test_task_timeout_seconds_from_a_huge_expression():
    d = machine({"T": task(TimeoutSeconds="{% 1e300 %}")})
    r = run_execution(d, {}, {"T": {"return": 1, "duration": 5}})
    assert (r.status, r.output) == ("SUCCEEDED", 1)


def test_clock_advance():
    c = Clock(10.0, 100.0)
    c.advance(50)
    assert c.now == 60
    for huge in (10**400, math.inf, math.nan):
        c = Clock(10.0, 100.0)
        with pytest.raises(ExecTimeout):
            c.advance(huge)
        assert c.now == 100


@pytest.mark.parametrize("duration", [math.inf, 10**400])
def test_a_duration_past_timeout_seconds_times_the_task_out(duration):
    r = run_execution(machine({"T": task(TimeoutSeconds=60)}), {}, {"T": MockResponse(result=1, duration=duration)})
    assert (r.status, r.error, r.elapsed_seconds) == ("FAILED", "States.Timeout", 60)


# ---------------------------------------------------------------- payload sizes


@settings(max_examples=300, deadline=None)
@given(members=st.dictionaries(
    st.text(max_size=300),
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300)
    | st.lists(st.integers(), max_size=3), max_size=70))
def test_over_payload_limit_agrees_with_json_size(members):
    assert over_payload_limit(members) is (json_size(members) > PAYLOAD_LIMIT_BYTES)


def test_over_payload_limit_without_serializing_is_bounded_by_the_worst_small_object():
    # the largest object it sizes without serializing: 64 members, keys and strings of 256 characters that
    # JSON escapes as \uXXXX (6 bytes each)
    worst = {f"{i:02d}" + "\x01" * 254: "\x01" * 256 for i in range(64)}
    assert json_size(worst) <= PAYLOAD_LIMIT_BYTES and not over_payload_limit(worst)
    assert over_payload_limit({"a": "\x01" * 257, **{f"k{i}": "\x01" * 700 for i in range(63)}})  # serialized
    assert over_payload_limit({"n": 10 ** 4200, **{f"k{i}": 10 ** 4200 for i in range(63)}})


def test_a_task_result_over_the_limit_fails_and_one_under_it_is_the_output():
    d = machine({"T": task()})
    big = {f"k{i}": "x" * 5000 for i in range(60)}
    r = run_execution(d, {}, {"T": {"return": big}})
    assert r.error == "States.DataLimitExceeded" and "returned a result with a size exceeding" in r.cause
    r = run_execution(d, {}, {"T": {"return": {"Status": "OK"}}})
    assert r.status == "SUCCEEDED" and r.output == {"Status": "OK"}


@pytest.mark.parametrize("base, offset, text", [
    (datetime(2025, 1, 1, tzinfo=timezone.utc), 0.0, "2025-01-01T00:00:00Z"),
    (datetime(2025, 1, 1, tzinfo=timezone.utc), 61.5, "2025-01-01T00:01:01.5Z"),
    (datetime(2025, 12, 31, 23, 59, 59, tzinfo=timezone.utc), 0.123, "2025-12-31T23:59:59.123Z"),
    (datetime(2025, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))), 0.01, "2025-01-01T00:00:00.01Z"),
    (datetime(5, 1, 1, tzinfo=timezone.utc), 1.0, "5-01-01T00:00:01Z"),  # strftime's year, unpadded
])
def test_iso_timestamp(base, offset, text):
    assert iso_timestamp(base, offset) == text
