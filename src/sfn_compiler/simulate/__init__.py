"""Offline execution engine for Step Functions state machines (JSONata, JSONPath or mixed) (``sfnc run`` / ``sfnc test``).

Public API (stable; the CLI builds on it)::

    from sfn_compiler.simulate import (
        run_execution, ExecutionResult, TraceEvent, MockProvider, MockResponse,
        load_mock_config, load_scenario, check_expectations, Coverage, format_trace,
        UnsupportedDefinition, SimulationError,
    )

Semantics and the scenario format are documented in ``docs/simulator.md``.
"""

from .coverage import Coverage
from .errors import (
    InvalidDefinition,
    MockMissing,
    ScenarioError,
    SimulationError,
    TransitionLimitExceeded,
    UnsupportedDefinition,
)
from .interpreter import DEFAULT_START_TIME, ExecutionResult, TraceEvent, run_execution
from .mocks import CallableMocks, MockProvider, MockResponse, MockTable, load_mock_config, mocks_from_spec
from .scenario import Scenario, check_expectations, load_scenario, parse_scenario, scenario_warnings
from .trace import format_trace

__all__ = [
    "run_execution",
    "ExecutionResult",
    "TraceEvent",
    "DEFAULT_START_TIME",
    "MockProvider",
    "MockResponse",
    "MockTable",
    "CallableMocks",
    "mocks_from_spec",
    "load_mock_config",
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "check_expectations",
    "scenario_warnings",
    "Coverage",
    "format_trace",
    "SimulationError",
    "UnsupportedDefinition",
    "InvalidDefinition",
    "MockMissing",
    "TransitionLimitExceeded",
    "ScenarioError",
]
