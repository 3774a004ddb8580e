"""`sfnc run`: one definition file through the simulator, after the checks AWS makes when it creates a state
machine (a definition AWS refuses is refused here too, with the validator's message: `check.creation`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Mapping

from ..diagnostics import Diagnostic, problem
from ..errors import SfncError
from ..load import JsonDocument, load_json_file
from ..simulate import (ExecutionResult, InvalidDefinition, MockTable, ScenarioError, SimulationError, TraceEvent,
                        UnsupportedDefinition, load_mock_config, run_execution)
from ..simulate.history import HISTORY_LIMIT, MAX_EVENTS_CAP


def refused_at_creation(doc: JsonDocument, *, source_map=None, env: str | None = None,
                        machine_type: str | None = None) -> list[Diagnostic]:
    """The findings of the rules whose definitions AWS refuses at creation (errors only)."""
    from ..check.creation import creation_config
    from ..check.runner import validate_document

    return [d for d in validate_document(doc, creation_config(), source_map=source_map, env=env,
                                         machine_type=machine_type) if d.severity == "error"]


def check_max_events(value: int | None, where: str) -> int:
    if value is None:
        return HISTORY_LIMIT
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= MAX_EVENTS_CAP:
        raise SfncError(f"{where}: max events must be an integer from 2 to {MAX_EVENTS_CAP:,} (AWS's history holds "
                        f"{HISTORY_LIMIT:,}), got {value!r}")
    return value


def run_file(definition: Path, *, input_file: Path | None = None, mock_config: Path | Mapping[str, Any] | None = None,
             test_case: str | None = None, name: str | None = None, seed: int = 0, max_events: int | None = None,
             trace_sink: Callable[[TraceEvent], None] | None = None, keep_trace: bool = True,
             mock_validation: str = "strict", start_time: Any = None,
             on_problems: Callable[[list[Diagnostic]], None] | None = None) -> ExecutionResult:
    """Load, check as AWS does at creation, and run one definition with a MockConfigFile's test case.

    The mocks are checked against their Tasks first (`simulate.mock_check`, mode `mock_validation`): errors
    stop the run, warnings go to `on_problems`. Raises `SfncError` for input problems (unreadable files, a
    definition AWS would refuse, a bad or mismatched mock file) and `SimulationError` when the run cannot go
    on (a missing mock: ``.result`` holds the partial trace)."""
    max_events = check_max_events(max_events, "--max-events")
    doc = load_json_file(definition, str(definition))
    refused = refused_at_creation(doc)
    if refused:
        raise SfncError(refused)
    payload: Any = None
    if input_file is not None:
        payload = load_json_file(input_file, str(input_file)).data
    machine = name or definition.name.split(".")[0]
    if mock_config is not None:
        if not test_case:
            raise SfncError("--mock-config needs --test-case NAME")
        where = str(mock_config) if isinstance(mock_config, Path) else "(mock configuration)"
        try:
            mocks = load_mock_config(mock_config, machine, test_case, display=where)
        except ScenarioError as exc:
            raise SfncError(exc.diagnostics(where)) from None
        if isinstance(mock_config, Path):
            from ..simulate.mock_check import mock_config_problems

            problems = mock_config_problems(mock_config, machine, test_case, doc.data, mock_validation)
            if any(p.severity == "error" for p in problems):
                raise SfncError(problems)
            if problems and on_problems is not None:
                on_problems(problems)
    else:
        mocks = MockTable({})
    aborted: list[str] = []   # the states a run stopped in, innermost first (a visit ends inside out)

    def sink(ev: TraceEvent) -> None:
        if ev.status == "aborted":
            aborted.append(ev.state)
        trace_sink(ev)  # type: ignore[misc]

    try:
        return run_execution(doc.data, payload, mocks, name=machine, seed=seed, max_events=max_events,
                             trace_sink=sink if trace_sink is not None else None, keep_trace=keep_trace,
                             **({"start_time": start_time} if start_time is not None else {}))
    except (InvalidDefinition, UnsupportedDefinition) as exc:  # before the run: the definition's place
        raise SfncError(_problem(exc, doc, str(definition), _pointer(exc.message, doc.data))) from None
    except SimulationError as exc:
        if exc.message.startswith(("execution input", "the execution input")) and input_file is not None:
            raise SfncError(problem(exc.message, str(input_file), 1, 1)) from None
        trace = exc.result.trace if exc.result is not None else []
        state = aborted[0] if aborted else next((ev.state for ev in reversed(trace) if ev.status == "aborted"), None)
        exc.problem = _problem(exc, doc, str(definition), _state_pointer(doc.data, state))  # type: ignore[attr-defined]
        raise


def _problem(exc: SimulationError, doc: JsonDocument, where: str, pointer: str | None) -> Diagnostic:
    pos = doc.locate(pointer or "")
    return problem(f"{type(exc).__name__}: {exc}", where, pos.line, pos.column, pointer=pointer)


def _state_pointer(definition: Any, name: str | None) -> str | None:
    """The JSON pointer of the state named `name` (state names are unique in a machine the simulator runs)."""
    if name is None:
        return None
    from ..asl import walk

    return next((st.pointer for st in walk.Tree(definition).states if st.name == name), None)


_AT = re.compile(r"^(/[^:]*?):? ")
_DUPLICATE = re.compile(r"^state name '(.*)' is used more than once")


def _pointer(message: str, definition: Any) -> str | None:
    """Where a simulator's `InvalidDefinition` is: its message starts with the place (``/States/P/Retry[0]:``,
    written with [n] for an index), or names a top-level field or a state used twice."""
    if message.startswith("top-level "):
        return "/" + message.split()[1]
    m = _DUPLICATE.match(message)
    if m:
        from ..asl import walk

        return next((st.pointer for st in reversed(walk.Tree(definition).states) if st.name == m.group(1)), None)
    m = _AT.match(message)
    return re.sub(r"\[(\d+)\]", r"/\1", m.group(1)) if m else None


_FIELD = re.compile(r"(?:specified for the field|The field) '([^']+)'")


def failure_place(definition: Path, result: ExecutionResult) -> str | None:
    """Where a run that did not succeed failed in the definition file: ``file:line:col (at /States/P/Output)``,
    the state that raised the error, and the field when the cause names one (an expression that failed or ran
    past its budget); None when the run succeeded or the state is not found."""
    if result.status == "SUCCEEDED" or not result.error_state:
        return None
    try:
        doc = load_json_file(definition, str(definition))
    except SfncError:
        return None
    pointer = _state_pointer(doc.data, result.error_state)
    if pointer is None:
        return None
    m = _FIELD.search(result.cause or "")
    if m and (result.cause or "").find(f"'{result.error_state}'") != -1:
        pointer += "/" + re.sub(r"\[(\d+)\]", r"/\1", m.group(1))
    pos = doc.locate(pointer)
    return f"{definition}:{pos.line}:{pos.column} (at {pointer})"
