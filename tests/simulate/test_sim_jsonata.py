"""JSONata evaluation: the six Step Functions functions, null vs undefined, errors, virtual $now()."""

from __future__ import annotations

from typing import Any

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.simulate import run_execution
from sfn_compiler.simulate.expressions import (
    QueryError,
    binding_value,
    evaluate,
    evaluate_with_engine,
    java_random_next_double,
    reads_context,
)

from asl_builders import machine, task


def ev(expr: str, **bindings):
    return evaluate(expr, {k: binding_value(v) for k, v in bindings.items()})


class TestStepFunctionsFunctions:
    def test_random_seeded_is_java_util_random(self):
        # AWS: $random(seed) is java.util.Random(seed).nextDouble(); value reported from AWS for seed 42
        assert ev("$random(42)") == 0.7275636800328681
        assert java_random_next_double(42) == 0.7275636800328681
        assert ev("$random(42.9)") == 0.7275636800328681  # non-integers are rounded down

    def test_random_unseeded_is_reproducible_per_execution_seed(self):
        d = machine({"P": {"Type": "Pass", "Output": "{% [$random(), $random()] %}", "End": True}})
        a = run_execution(d, {}, {}, seed=7).output
        b = run_execution(d, {}, {}, seed=7).output
        c = run_execution(d, {}, {}, seed=8).output
        assert a == b and a != c
        assert a[0] != a[1] and all(0 <= x < 1 for x in a)

    def test_hash_hex_digests(self):
        assert ev("$hash('input', 'SHA-1')") == "140f86aae51ab9e1cda9b4254fe98a74eb54c1a1"
        for alg, py in [("MD5", "md5"), ("SHA-256", "sha256"), ("SHA-384", "sha384"), ("SHA-512", "sha512")]:
            assert ev(f"$hash('abc', '{alg}')") == hashlib.new(py, b"abc").hexdigest()
        with pytest.raises(QueryError, match="unsupported algorithm"):
            ev("$hash('abc', 'SHA-3')")

    def test_partition(self):
        assert ev("$partition([1,2,3,4],2)") == [[1, 2], [3, 4]]
        assert ev("$partition([1,2,3,4,5],2)") == [[1, 2], [3, 4], [5]]
        with pytest.raises(QueryError):
            ev("$partition([1,2],0)")

    def test_range_inclusive_and_negative_step(self):
        assert ev("$range(0,6,2)") == [0, 2, 4, 6]
        assert ev("$range(0,5,2)") == [0, 2, 4]
        assert ev("$range(6,0,-3)") == [6, 3, 0]
        assert ev("$range(1,9,9)") == 1  # a one-element sequence collapses (recorded: jsonata-intrinsic-functions-018)
        assert ev("[$range(1,9,9)]") == [1]
        with pytest.raises(QueryError, match="undefined"):  # an empty sequence is undefined
            ev("$range(0,6,-1)")
        with pytest.raises(QueryError, match="step must not be 0"):
            ev("$range(0,6,0)")

    def test_uuid_is_v4_and_deterministic_per_seed(self):
        d = machine({"P": {"Type": "Pass", "Output": "{% [$uuid(), $uuid()] %}", "End": True}})
        a = run_execution(d, {}, {}, seed=1).output
        assert a == run_execution(d, {}, {}, seed=1).output
        assert a != run_execution(d, {}, {}, seed=2).output
        assert a[0] != a[1]
        assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", u) for u in a)

    def test_parse(self):
        assert ev("$parse('{\"a\":[1,null]}')") == {"a": [1, None]}
        assert ev("'[1,2]' ~> $parse()") == [1, 2]
        assert ev("$parse('null')") is None  # JSON null is a value, not undefined
        with pytest.raises(QueryError, match="invalid JSON"):
            ev("$parse('{oops')")

    def test_eval_is_not_available(self):
        with pytest.raises(QueryError, match="T1006"):
            ev("$eval('1')")


class TestNullAndUndefined:
    def test_null_is_a_value(self):
        assert ev("$states.input.a", states={"input": {"a": None}}) is None
        assert ev("$v = null", v=None) is True
        assert ev("{'k': $v}", v=None) == {"k": None}

    def test_undefined_is_an_error(self):
        with pytest.raises(QueryError, match=r"returned nothing \(undefined\)"):
            ev("$states.input.missing", states={"input": {}})
        with pytest.raises(QueryError, match="undefined"):
            ev("$neverAssigned")

    def test_raw_python_exception_becomes_query_error(self):
        # jsonata-python raises ZeroDivisionError / ValueError for some inputs
        with pytest.raises(QueryError, match="threw an error during evaluation"):
            ev("1/0")
        with pytest.raises(QueryError):
            ev("$number('abc')")

    def test_function_result_is_unsupported(self):
        with pytest.raises(QueryError, match="unsupported result type"):
            ev("function($a){$a}")

    def test_whole_numbers_are_ints(self):
        assert ev("4/2") == 2 and isinstance(ev("4/2"), int)
        assert ev("$sum([1.5,1.5])") == 3


class TestVirtualNow:
    def test_now_and_millis_follow_the_virtual_clock(self):
        d = machine({
            "Before": {"Type": "Pass", "Assign": {"t0": "{% $now() %}", "m0": "{% $millis() %}"}, "Next": "W"},
            "W": {"Type": "Wait", "Seconds": 3600, "Next": "After"},
            "After": {"Type": "Pass", "Output": "{% {'t0': $t0, 't1': $now(), 'dm': $millis() - $m0} %}",
                      "End": True},
        })
        r = run_execution(d, {}, {})
        assert r.output == {"t0": "2025-01-01T00:00:00.000Z", "t1": "2025-01-01T01:00:00.000Z", "dm": 3_600_000}


class TestSimplePathShortcut:
    """``$var.a.b`` is evaluated without the engine; it must agree with the engine exactly."""

    json_values = st.recursive(
        st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2, allow_nan=False) | st.text(max_size=3),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from("abc"), children,
                                                                           max_size=3),
        max_leaves=8,
    )

    @settings(max_examples=100, deadline=None)
    @given(data=json_values, path=st.lists(st.sampled_from("abc"), max_size=3))
    def test_agrees_with_engine(self, data, path):
        source = "$v" + "".join("." + p for p in path)
        bindings = {"v": binding_value(data)}

        def run(fn):
            try:
                return ("ok", fn(source, bindings))
            except QueryError as exc:
                return ("error", exc.detail)

        assert run(evaluate) == run(evaluate_with_engine)

    scalars = (st.none() | st.booleans() | st.integers(-3, 3) | st.integers(-2**60, 2**60)
               | st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from(["", "a", "b", "ab", "B"]))
    operands = st.sampled_from(["$v", "$w", "$v.a", "$w.a.b", "$missing", "0", "1", "2.5", "-1", "1e3", "1e400",
                                "'a'", '"ab"', "''", "$v.and", "true"])

    @settings(max_examples=400, deadline=None)
    @given(lhs=operands, op=st.sampled_from(["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">="]),
           rhs=operands, v=json_values, w=json_values, a=scalars, space=st.sampled_from(["", " ", "  "]))
    def test_binary_shortcut_agrees_with_engine(self, lhs, op, rhs, v, w, a, space):
        # ``a OP b`` evaluated without the engine (the shortcut) must give what the engine gives
        source = f"{lhs}{space}{op}{space}{rhs}"
        if isinstance(v, dict):
            v = dict(v, a=a)
        bindings = {"v": binding_value(v), "w": binding_value({"a": {"b": a}} if w is None else w)}

        def run(fn):
            try:
                result = fn(source, bindings)
                return ("ok", result, type(result))
            except QueryError as exc:
                return ("error", exc.detail)

        assert run(evaluate) == run(evaluate_with_engine)

    def test_binary_shortcut_covers_the_loop_shapes(self):
        from sfn_compiler.simulate.expressions import _plan

        for source in ("$n + 1", "$n >= 5000", "$states.input.count * 2", "$status = 'Succeeded'", "$a != $b"):
            assert _plan(source)[0] == "binary", source
        assert ev("$n + 1", n=41) == 42 and ev("$n >= 5000", n=5000) is True
        assert ev("$n + 1", n=2**60) == 2**60  # doubles, as the engine computes them

    @pytest.mark.parametrize("op", ["+", "-", "*", "/", "%", "=", "!=", "<", "<=", ">", ">="])
    @pytest.mark.parametrize("n", [10 ** 400, -10 ** 400, 2 ** 1023 * 2, 2.5])
    def test_binary_shortcut_on_integers_past_a_double(self, op, n):
        for source in (f"$n {op} 1", f"1.5 {op} $n", f"$n {op} $n"):
            def run(fn):
                try:
                    result = fn(source, {"n": n})
                    return ("ok", result, type(result))
                except QueryError as exc:
                    return ("error", exc.detail)

            assert run(evaluate) == run(evaluate_with_engine), source

    def test_falls_back_for_arrays_and_unknown_names(self):
        assert ev("$v.a", v=[{"a": 1}, {"a": 2}]) == [1, 2]  # JSONata maps over arrays
        with pytest.raises(QueryError, match="unsupported result type"):
            ev("$string")  # a function, not a variable


def test_data_limit_exceeded():
    big = "x" * 300_000
    d = machine({"P": {"Type": "Pass", "Output": "{% $pad('', 300000, 'x') %}", "End": True}})
    r = run_execution(d, {}, {})
    assert r.error == "States.DataLimitExceeded"
    assert run_execution(d, {}, {}, check_payload_size=False).output == big


class TestContextObjectOnlyWhenRead:
    """A JSONata state builds its context object only when one of its expressions may read it."""

    @pytest.mark.parametrize("node, reads", [
        ("{% $n + 1 %}", False),
        ({"a": ["{% $states.input.x %}", "{% $states.result.y = 'z' %}"], "b": 1}, False),
        ("{% $states.context.State.Name %}", True),
        ("{% $states.context.Execution.Name = 'x' %}", True),
        ("{% $states %}", True),
        ({"deep": ["{% $string($states) %}"]}, True),  # the engine: anything may be read
        ("{% $now() %}", True),
        ("not an expression $states.context", False),
    ])
    def test_reads_context(self, node, reads):
        assert reads_context(node) is reads

    def test_states_read_their_context_through_shortcuts_and_the_engine(self):
        d = machine({
            "P": {"Type": "Pass", "Assign": {"n": "{% $states.context.State.Name %}"}, "Next": "C"},
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.context.State.Name = 'C' %}",
                                                 "Next": "T"}], "Default": "F"},
            "T": task("W", Output="{% {'retry': $states.context.State.RetryCount, 'r': $states.result} %}"),
            "W": {"Type": "Wait", "Seconds": 5, "Output": "{% [$states.context.State.EnteredTime, $n] %}",
                  "Next": "S"},
            "S": {"Type": "Succeed", "Output": "{% $states.context.State.Name & ' after ' & $states.input[1] %}"},
            "F": {"Type": "Fail"},
        })
        r = run_execution(d, {}, {"T": {"return": 7}})
        assert r.status == "SUCCEEDED", r.cause
        assert r.output == "S after P"
        assert r.trace[2].output == {"retry": 0, "r": 7}
        assert r.trace[3].output == ["2025-01-01T00:00:00Z", "P"]
