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
    """A scenario or mock-configuration file is malformed.

    The parsers raise it with `pointer`, the JSON pointer of the bad value in the file they read;
    `load_scenario` / `load_mock_config` then `locate` it in that file (file:line:col), so ``str(exc)`` and
    `diagnostics()` name the place. `problems` holds the reader's own located diagnostics (a YAML or JSON
    syntax error, a duplicate key), which are reported as they are."""

    def __init__(self, message: str, *, pointer: str | None = None, key: bool = False, hint: str | None = None,
                 problems: Any = None, result: Any = None) -> None:
        super().__init__(message, result=result)
        self.pointer = pointer
        self.key = key  # the problem is the key at `pointer` (a name), not its value
        self.hint = hint
        self.problems = list(problems or ())
        self.file: str | None = None
        self.line: int | None = None
        self.column: int | None = None

    def locate(self, file: str, doc: Any = None) -> "ScenarioError":
        """Place the error in `file` (a document with `locate(pointer)` gives line and column); an error
        already placed (in another file: a scenario's mock_config file) keeps its place."""
        if self.file is None and not self.problems:
            self.file = file
            if doc is not None and self.pointer is not None:
                pos = doc.locate(self.pointer, key=self.key)
                self.line, self.column = pos.line, pos.column
        return self

    def diagnostics(self, file: str | None = None) -> list:
        """The error as located diagnostics (`file`, when given, names a file not yet placed)."""
        from ..diagnostics import problem

        if self.problems:
            return list(self.problems)
        return [problem(self.message, self.file or file, self.line, self.column, pointer=self.pointer,
                        hint=self.hint)]

    def __str__(self) -> str:
        if self.problems:
            return "\n".join(p.format() for p in self.problems)
        if self.file is None:
            return self.message
        from ..diagnostics import Span

        at = f" (at {self.pointer})" if self.pointer else ""
        return f"{Span(self.file, self.line, self.column).format()}: {self.message}{at}"
