"""Exceptions raised by the offline simulator.

These describe problems with the *simulation* (an unsupported or invalid
definition, a missing mock, a runaway loop). Errors that happen *inside* the
simulated execution (``States.TaskFailed``, ``States.QueryEvaluationError`` …)
are not Python exceptions: they end up in ``ExecutionResult.error``.
"""

from __future__ import annotations

from typing import Any


class SimulationError(Exception):
    """The simulator could not run (or finish) the execution.

    When raised while an execution is in progress, ``result`` holds the partial
    :class:`~sfn_compiler.simulate.ExecutionResult` (status ``"ABORTED"``) so a
    caller can still print the trace that led to the problem.
    """

    def __init__(self, message: str, *, result: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class UnsupportedDefinition(SimulationError):
    """The definition uses something ``sfnc run`` does not simulate (JSONPath, ItemReader, …)."""


class InvalidDefinition(SimulationError):
    """The definition is malformed (missing StartAt, dangling Next, unparseable JSONata, …)."""


class MockMissing(SimulationError):
    """A Task was reached and no mocked response exists for that invocation."""


class TransitionLimitExceeded(SimulationError):
    """The execution exceeded ``max_transitions`` (probably an endless loop)."""


class RunBudgetExceeded(SimulationError):
    """The run took more real time than its ``time_budget``."""


class ScenarioError(SimulationError):
    """A scenario or mock-configuration file is malformed."""
