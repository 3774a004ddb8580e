"""Parallel and Map: result order, ItemSelector context, tolerance, cancellation, variable scopes, timing."""

from __future__ import annotations

from typing import Any

import pytest

from sfn_compiler.simulate import format_trace, run_execution

from asl_builders import machine, task


def branch(states: dict[str, Any]) -> dict[str, Any]:
    return {"StartAt": next(iter(states)), "States": states}


def map_state(processor: dict[str, Any], **fields: Any) -> dict[str, Any]:
    s = {"Type": "Map", "ItemProcessor": branch(processor), "End": True}
    s.update(fields)
    return s


class TestParallel:
    def test_result_is_branch_outputs_in_branches_order(self):
        d = machine({"P": {"Type": "Parallel", "Arguments": {"n": "{% $states.input.n %}"}, "Branches": [
            branch({"Slow": task(Output="{% 'slow:' & $string($states.input.n) %}")}),
            branch({"Fast": {"Type": "Pass", "Output": "{% 'fast:' & $string($states.input.n) %}", "End": True}}),
        ], "End": True}})
        r = run_execution(d, {"n": 1}, {"Slow": {"return": None, "duration": 100}})
        assert r.output == ["slow:1", "fast:1"]
        # branches run concurrently on the virtual clock: both start at 0, the state ends at the slowest
        assert [(e.state, e.start, e.end) for e in r.trace] == [("P", 0, 100), ("Slow", 0, 100), ("Fast", 0, 0)]
        assert [e.path for e in r.trace[1:]] == [("P/branch 0",), ("P/branch 1",)]

    def test_failing_branch_fails_the_state_and_cancels_siblings(self):
        d = machine({"P": {"Type": "Parallel", "Branches": [
            branch({"A": task()}),
            branch({"B": task()}),
            branch({"C": task()}),
        ], "Next": "Never"}, "Never": {"Type": "Succeed"}})
        r = run_execution(d, {}, {"A": {"return": 1, "duration": 5},
                                  "B": {"throw": {"Error": "B.Failed", "Cause": "boom"}, "duration": 2},
                                  "C": {"return": 3}})
        assert r.status == "FAILED" and r.error == "B.Failed" and r.cause == "boom"
        assert r.error_state == "B"
        branches = r.trace[0].details["branches"]
        assert [(b["index"], b["status"]) for b in branches] == [(0, "succeeded"), (1, "failed"), (2, "cancelled")]
        assert "C" not in r.all_states and "C" not in r.mock_invocations
        assert r.elapsed_seconds == 2  # failure time of the failing branch
        assert "#2 cancelled" in format_trace(r)

    def test_parallel_catch_and_retry(self):
        d = machine({
            "P": {"Type": "Parallel", "Branches": [branch({"A": task()})],
                  "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1, "IntervalSeconds": 5}],
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H",
                             "Assign": {"failedWith": "{% $states.errorOutput.Error %}"}}],
                  "Next": "Ok"},
            "Ok": {"Type": "Succeed"}, "H": {"Type": "Pass", "End": True},
        })
        r = run_execution(d, {}, {"A": {"throw": {"Error": "E", "Cause": "x"}}})
        assert r.states == ["P", "H"]
        assert r.mock_invocations == {"A": 2}  # the whole Parallel is retried
        assert r.variables == {"failedWith": "E"}  # Catcher Assign lands in the outer scope
        assert r.elapsed_seconds == 5

    def test_variable_scopes(self):
        d = machine({
            "Init": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "P"},
            "P": {"Type": "Parallel", "Branches": [
                branch({"B1": {"Type": "Pass", "Assign": {"inner": "{% $outer + 10 %}"}, "Next": "B1b"},
                        "B1b": {"Type": "Pass", "Output": {"sawOuter": "{% $outer %}", "inner": "{% $inner %}"},
                                "End": True}}),
                branch({"B2": {"Type": "Pass", "Output": "{% $exists($inner) %}", "End": True}}),
            ], "Assign": {"fromResult": "{% $states.result[0].inner %}"}, "Next": "After"},
            "After": {"Type": "Pass", "Output": "{% $exists($inner) %}", "End": True},
        })
        r = run_execution(d, {}, {})
        assert r.trace[1].output == [{"sawOuter": 1, "inner": 11}, False]  # no access to sibling variables
        assert r.output is False  # inner variables vanish when the Parallel ends
        assert r.variables == {"outer": 1, "fromResult": 11}


class TestMap:
    def test_result_order_and_item_selector_context(self):
        d = machine({"M": map_state(
            {"Work": task(Output="{% $states.input.index * 100 + $states.result %}")},
            Items="{% $states.input.values %}",
            ItemSelector={"index": "{% $states.context.Map.Item.Index %}",
                          "value": "{% $states.context.Map.Item.Value %}",
                          "mapInput": "{% $states.input.tag %}"},
            MaxConcurrency=2,
        )})
        durations = [30, 10, 5, 1]
        mocks = {"Work": [{"return": i, "duration": dur} for i, dur in enumerate(durations)]}
        r = run_execution(d, {"values": ["a", "b", "c", "d"], "tag": "T"}, mocks)
        assert r.output == [0, 101, 202, 303]  # item order, not completion order
        inputs = [e.input for e in r.trace if e.state == "Work"]
        assert inputs == [{"index": i, "value": v, "mapInput": "T"} for i, v in enumerate("abcd")]
        # MaxConcurrency 2: item 2 starts when item 1 (10 s) frees its slot, item 3 when item 2 ends at 15 s
        starts = [e.start for e in r.trace if e.state == "Work"]
        assert starts == [0, 0, 10, 15]
        assert r.elapsed_seconds == 30

    def test_items_default_to_state_input_and_must_be_an_array(self):
        d = machine({"M": map_state({"Echo": {"Type": "Pass", "End": True}})})
        assert run_execution(d, [1, 2], {}).output == [1, 2]
        r = run_execution(d, {"not": "array"}, {})
        assert r.error == "States.QueryEvaluationError" and "must be an array" in r.cause
        d2 = machine({"M": map_state({"Echo": {"Type": "Pass", "End": True}}, Items="{% $states.input %}")})
        r2 = run_execution(d2, {"a": 1}, {})
        assert r2.error == "States.QueryEvaluationError" and "Expected 'array'" in r2.cause

    def test_zero_tolerance_fails_with_the_iteration_error(self):
        d = machine({"M": map_state({"W": task()})})
        r = run_execution(d, [1, 2, 3], {"W": [{"return": 1}, {"throw": {"Error": "Item.Bad", "Cause": "2"}},
                                               {"return": 3}]})
        assert r.status == "FAILED" and r.error == "Item.Bad"
        info = r.trace[0].details["iterations"]
        assert (info["succeeded"], info["failed"], info["cancelled"]) == (1, 1, 1)
        assert r.mock_invocations == {"W": 2}

    def test_tolerated_failure_count(self):
        d = machine({"M": map_state({"W": task()}, ToleratedFailureCount=1)})
        mocks = {"W": [{"return": "ok0"}, {"throw": {"Error": "E", "Cause": "c1"}}, {"return": "ok2"}]}
        r = run_execution(d, [0, 1, 2], mocks)
        assert r.status == "SUCCEEDED"
        assert r.output == ["ok0", {"Error": "E", "Cause": "c1"}, "ok2"]  # failed items give their error output
        r2 = run_execution(d, [0, 1, 2], {"W": {"throw": {"Error": "E", "Cause": "c"}}})
        assert r2.status == "FAILED" and r2.error == "States.ExceedToleratedFailureThreshold"
        assert r2.mock_invocations == {"W": 2}  # stops as soon as the threshold is exceeded

    def test_tolerated_failure_percentage_from_jsonata(self):
        d = machine({"M": map_state({"W": task()}, ToleratedFailurePercentage="{% $states.input.pct %}",
                                    Items="{% $states.input.items %}")})
        two_of_four = {"W": [{"throw": {"Error": "E"}}, {"return": 1}, {"throw": {"Error": "E"}}, {"return": 1}]}
        ok = run_execution(d, {"pct": 50, "items": [1, 2, 3, 4]}, two_of_four)
        assert ok.status == "SUCCEEDED" and ok.output[0] == {"Error": "E"}
        bad = run_execution(d, {"pct": 25, "items": [1, 2, 3, 4]}, two_of_four)
        assert bad.error == "States.ExceedToleratedFailureThreshold"

    def test_map_catch_assign_goes_to_outer_scope_and_iteration_vars_vanish(self):
        d = machine({
            "M": {"Type": "Map", "Items": [1, 2], "ItemProcessor": branch({
                "Set": {"Type": "Pass", "Assign": {"seen": "{% $states.input %}"}, "Next": "W"},
                "W": task()}),
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "H", "Assign": {"err": "{% $states.errorOutput %}"}}],
                "Next": "Ok"},
            "Ok": {"Type": "Succeed"}, "H": {"Type": "Pass", "Output": "{% $exists($seen) %}", "End": True},
        })
        r = run_execution(d, {}, {"W": [{"return": 1}, {"throw": {"Error": "X", "Cause": "y"}}]})
        assert r.states == ["M", "H"] and r.output is False
        assert r.variables == {"err": {"Error": "X", "Cause": "y"}}

    def test_iterations_read_outer_variables_but_distributed_map_cannot(self):
        inline = machine({"A": {"Type": "Pass", "Assign": {"k": 5}, "Next": "M"},
                          "M": map_state({"P": {"Type": "Pass", "Output": "{% $states.input * $k %}", "End": True}})},
                         )
        assert run_execution(inline, [1, 2], {}).output == [5, 10]
        dist = machine({"A": {"Type": "Pass", "Assign": {"k": 5}, "Next": "M"},
                        "M": {"Type": "Map", "End": True, "ItemProcessor": {
                            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                            "StartAt": "P", "States": {"P": {"Type": "Pass", "Output": "{% $k %}", "End": True}}}}})
        r = run_execution(dist, [1], {})
        assert r.error == "States.QueryEvaluationError"

    def test_item_batcher(self):
        d = machine({"M": {"Type": "Map", "End": True,
                           "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"job": "{% $states.input.job %}"}},
                           "Items": "{% $states.input.items %}",
                           "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                             **branch({"P": {"Type": "Pass", "End": True}})}}})
        r = run_execution(d, {"job": "j", "items": [1, 2, 3]}, {})
        assert r.output == [{"Items": [1, 2], "BatchInput": {"job": "j"}}, {"Items": [3], "BatchInput": {"job": "j"}}]

    def test_nested_map_in_parallel_trace(self):
        d = machine({"P": {"Type": "Parallel", "End": True, "Branches": [
            branch({"M": map_state({"Leaf": {"Type": "Wait", "Seconds": "{% $states.input %}", "End": True}})})]}})
        r = run_execution(d, [3, 1], {})
        assert r.output == [[3, 1]] and r.elapsed_seconds == 3
        leaf = [e for e in r.trace if e.state == "Leaf"]
        assert [e.path for e in leaf] == [("P/branch 0", "M/item 0"), ("P/branch 0", "M/item 1")]
        assert [e.depth for e in leaf] == [2, 2]

    @pytest.mark.parametrize("n", [0, 1])
    def test_empty_and_single_item(self, n):
        d = machine({"M": map_state({"P": {"Type": "Pass", "End": True}})})
        assert run_execution(d, list(range(n)), {}).output == list(range(n))
