"""Real-time budgets (simulate/budget.py): a runaway JSONata expression stops with AWS's
"Expression evaluation timeout", a run that takes too long stops with RunBudgetExceeded, and nothing fires
outside the evaluation or run it was meant for."""

from __future__ import annotations

import time

import pytest

from sfn_compiler.simulate import RunBudgetExceeded, run_execution
from sfn_compiler.simulate import expressions as ex
from sfn_compiler.simulate.budget import EvaluationTimeout, evaluation_budget, run_budget

# The watchdog's exception lands wherever the thread is; when that is a gc callback (hypothesis installs one),
# Python prints it as "unraisable" and drops it, and the watchdog sends it again (budget._RESEND).
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

RUNAWAY = "{% ($f := function($n){ $f($n + 1) }; $f(0)) %}"  # a tail call: jsonata-python loops, no recursion


def jsonata(states):
    return {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}


def test_a_runaway_expression_fails_the_state_like_aws():
    d = jsonata({"P": {"Type": "Pass", "Output": RUNAWAY, "End": True}})
    t0 = time.monotonic()
    r = run_execution(d, {}, {}, expression_budget=0.2)
    assert time.monotonic() - t0 < 5
    assert (r.status, r.error) == ("FAILED", "States.QueryEvaluationError")
    assert r.cause.endswith("specified for the field 'Output' threw an error during evaluation. "
                            "Expression evaluation timeout")


def test_a_timeout_is_caught_like_any_query_evaluation_error():
    d = jsonata({"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": RUNAWAY,
                       "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "After"}], "Next": "After"},
                 "After": {"Type": "Pass", "Output": "{% 1 + 1 %}", "End": True}})
    r = run_execution(d, {}, {}, expression_budget=0.1)
    assert (r.status, r.output) == ("SUCCEEDED", 2)
    time.sleep(0.1)  # no exception arrives late


def test_nothing_fires_after_an_evaluation_ends():
    for i in range(3000):
        with evaluation_budget(0.01):
            pass
        assert ex.evaluate("$a + 1", {"a": i}) == i + 1
    time.sleep(0.1)
    with pytest.raises(EvaluationTimeout):
        with evaluation_budget(0.05):
            while True:
                pass
    time.sleep(0.1)  # the fired exception was delivered once, and nothing is pending


def test_a_run_over_its_budget_is_aborted_with_its_trace():
    d = jsonata({"P": {"Type": "Pass", "Next": "C"},
                 "C": {"Type": "Choice", "Choices": [{"Condition": "{% false %}", "Next": "D"}], "Default": "P"},
                 "D": {"Type": "Succeed"}})
    with pytest.raises(RunBudgetExceeded, match="more than 0.2 s of real time") as info:
        run_execution(d, {}, {}, time_budget=0.2, max_events=10_000_000)
    assert info.value.result.status == "ABORTED" and info.value.result.transitions > 100
    with run_budget(0.05):  # a run budget ends with its run
        pass
    time.sleep(0.1)


def test_pad_is_bounded():
    assert ex.evaluate('$pad("ab", 4, "#")', {}) == "ab##"
    with pytest.raises(ex.QueryError, match="memory limit exceeded"):
        ex.evaluate('$pad("x", 300000000)', {})
