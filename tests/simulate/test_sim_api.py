"""The public API the CLI builds on: names, signatures, result fields."""

from __future__ import annotations

import inspect
from datetime import datetime

import sfn_compiler.simulate as sim


def test_public_names():
    for name in ("run_execution", "ExecutionResult", "MockProvider", "load_mock_config", "load_scenario",
                 "check_expectations", "Coverage", "format_trace", "UnsupportedDefinition", "SimulationError"):
        assert name in sim.__all__ and hasattr(sim, name)
    assert issubclass(sim.UnsupportedDefinition, sim.SimulationError)
    assert issubclass(sim.MockMissing, sim.SimulationError)


def test_run_execution_signature():
    params = inspect.signature(sim.run_execution).parameters
    assert list(params)[:3] == ["definition", "input", "mocks"]
    kw = {n: p.default for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert kw["name"] == "machine" and kw["seed"] == 0 and kw["max_transitions"] is None
    assert kw["max_events"] == 25000
    assert isinstance(kw["start_time"], datetime) and kw["start_time"].tzinfo is not None


def test_result_fields():
    d = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {"Type": "Pass", "Assign": {"v": 1},
                                                                    "End": True}}}
    r = sim.run_execution(d, {"a": 1}, {})
    assert (r.status, r.output, r.error, r.cause, r.variables, r.transitions, r.elapsed_seconds) == \
        ("SUCCEEDED", {"a": 1}, None, None, {"v": 1}, 1, 0)
    assert isinstance(r.trace[0], sim.TraceEvent)
    assert r.trace[0].to_dict()["state"] == "P"


def test_mock_provider_protocol():
    class Always(sim.MockProvider):
        def response(self, state_name, invocation_index):
            return sim.MockResponse.returning({"state": state_name, "call": invocation_index})

    d = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}
    assert sim.run_execution(d, None, Always()).output == {"state": "T", "call": 0}
