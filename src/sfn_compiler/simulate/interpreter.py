"""Offline interpreter for Step Functions definitions (JSONata states; JSONPath states through jsonpath_wiring).

Everything runs on a *virtual clock*: Wait states, Retry back-off and mocked Task
durations move the clock forward instantly. Parallel branches and Map iterations
are executed one after another (deterministically, in Branches / item order) but
each on its own clock that starts when the Parallel/Map started, so the virtual
timestamps show them overlapping as they would on AWS; the Parallel/Map ends at
the latest branch/iteration end. See ``docs/simulator.md`` for the semantics and
for the AWS behaviours the simulator had to guess.
"""

from __future__ import annotations

import copy
import heapq
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Mapping

from . import engine
from .engine import QueryError, binding_value, is_expression
from .errors import (
    InvalidDefinition,
    MockMissing,
    SimulationError,
    TransitionLimitExceeded,
    UnsupportedDefinition,
)
from .jsonpath_state import JsonPathDefinitionError, JsonPathFailure, check_state
from .jsonpath_wiring import JsonPathStates, is_jsonpath
from .mocks import MockProvider, MockTable, mocks_from_spec

__all__ = ["run_execution", "ExecutionResult", "TraceEvent", "DEFAULT_START_TIME"]

DEFAULT_START_TIME = datetime(2025, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PAYLOAD_LIMIT_BYTES = 262_144  # 256 KiB: state input/output, task result, one Assign
DEFAULT_MAX_TRANSITIONS = 25_000

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
QEE = "States.QueryEvaluationError"


# =========================================================================== results


@dataclass(slots=True)
class TraceEvent:
    """One visit of one state (retries of a Task/Parallel/Map stay in the same visit).

    ``start``/``end`` are virtual seconds since the execution started. ``path`` names the
    enclosing Parallel branches / Map iterations (empty at top level).
    """

    seq: int
    state: str
    type: str
    path: tuple[str, ...]
    depth: int
    start: float
    end: float | None = None
    status: str = "running"  # succeeded | failed | caught | timed_out | aborted
    input: Any = None
    output: Any = None
    next: str | None = None
    #: ("next"|"end"|"choice"|"default"|"catch", index or None, target or None)
    transition: tuple[str, int | None, str | None] | None = None
    retries: list[dict[str, Any]] = field(default_factory=list)
    caught: dict[str, Any] | None = None
    error: str | None = None
    cause: str | None = None
    assigned: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return (self.end if self.end is not None else self.start) - self.start

    def to_dict(self, start_time: datetime | None = None) -> dict[str, Any]:
        d: dict[str, Any] = {
            "seq": self.seq,
            "state": self.state,
            "type": self.type,
            "path": list(self.path),
            "depth": self.depth,
            "start_offset": _round(self.start),
            "end_offset": _round(self.end if self.end is not None else self.start),
            "duration": _round(self.duration),
        }
        if start_time is not None:
            d["start_time"] = iso_timestamp(start_time, self.start)
        d["status"] = self.status
        d["input"] = self.input
        d["output"] = self.output
        d["next"] = self.next
        d["transition"] = (
            {"kind": self.transition[0], "index": self.transition[1], "target": self.transition[2]}
            if self.transition else None
        )
        d["retries"] = [dict(r) for r in self.retries]
        d["caught"] = dict(self.caught) if self.caught else None
        d["error"] = self.error
        d["cause"] = self.cause
        d["assigned"] = self.assigned
        d["details"] = self.details
        return d


@dataclass
class ExecutionResult:
    status: str  # SUCCEEDED | FAILED | TIMED_OUT | ABORTED (partial result attached to a SimulationError)
    output: Any = None
    error: str | None = None
    cause: str | None = None
    trace: list[TraceEvent] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    transitions: int = 0
    elapsed_seconds: float = 0.0
    name: str = "machine"
    execution_name: str = ""
    start_time: datetime = DEFAULT_START_TIME
    error_state: str | None = None
    input: Any = None
    mock_invocations: dict[str, int] = field(default_factory=dict)

    @property
    def states(self) -> list[str]:
        """Top-level states in visit order."""
        return [e.state for e in self.trace if e.depth == 0]

    @property
    def all_states(self) -> list[str]:
        """Every state visited (nested ones included), in entry order."""
        return [e.state for e in self.trace]

    @property
    def end_time(self) -> datetime:
        return self.start_time + timedelta(seconds=self.elapsed_seconds)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "execution_name": self.execution_name,
            "status": self.status,
            "error": self.error,
            "cause": self.cause,
            "error_state": self.error_state,
            "output": self.output,
            "variables": self.variables,
            "transitions": self.transitions,
            "start_time": iso_timestamp(self.start_time, 0.0),
            "elapsed_seconds": _round(self.elapsed_seconds),
        }


def _round(x: float | None) -> float | None:
    if x is None:
        return None
    r = round(x, 3)
    return int(r) if r == int(r) else r


def iso_timestamp(base: datetime, offset: float = 0.0) -> str:
    """Step Functions style timestamp: millisecond precision, trailing zero fractions dropped, ``Z``."""
    t = base + timedelta(seconds=offset)
    t = t.astimezone(timezone.utc)
    ms = t.microsecond // 1000
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    if ms:
        text += ("." + f"{ms:03d}").rstrip("0")
    return text + "Z"


# =========================================================================== internals


class _Failure(Exception):
    """A Step Functions error travelling up through states (catchable where ASL says so)."""

    def __init__(self, error: str | None, cause: str | None, state: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.cause = cause
        self.state = state

    def error_output(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Error": self.error}
        if self.cause is not None:
            out["Cause"] = self.cause
        return out


class _ExecTimeout(Exception):
    pass


class _Clock:
    __slots__ = ("now", "deadline")

    def __init__(self, now: float, deadline: float | None) -> None:
        self.now = now
        self.deadline = deadline

    def advance(self, seconds: float) -> None:
        t = self.now + seconds
        if self.deadline is not None and t > self.deadline:
            self.now = max(self.now, self.deadline)
            raise _ExecTimeout()
        self.now = t


class _Scope:
    """Workflow-variable scope: one per States object run (top level, branch, iteration)."""

    __slots__ = ("vars", "parent", "_flat")

    def __init__(self, parent: "_Scope | None" = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self._flat: dict[str, Any] | None = None

    def bindings(self) -> dict[str, Any]:
        flat = self._flat
        if flat is None:
            flat = dict(self.parent.bindings()) if self.parent is not None else dict(engine.ENGINE_HOOKS)
            for k, v in self.vars.items():
                flat[k] = binding_value(v)
            self._flat = flat
        return flat

    def assign(self, values: Mapping[str, Any]) -> None:
        if values:
            self.vars.update(values)
            self._flat = None


def _matches(names: Any, error: str | None) -> bool:
    if error == "States.Runtime":
        return False  # never retried nor caught (AWS: not even by States.ALL)
    for n in names or ():
        if n == error:
            return True
        if n == "States.ALL":  # matches States.DataLimitExceeded too (recorded: jsonpath-error-handling-004)
            return True
        if n == "States.TaskFailed" and error not in ("States.Timeout", "States.DataLimitExceeded"):
            return True
    return False


def _json_size(value: Any) -> int:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    n = len(text)
    if n * 4 > PAYLOAD_LIMIT_BYTES:
        n = len(text.encode("utf-8"))
    return n


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _short(value: Any, limit: int = 120) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_timestamp(text: str) -> datetime | None:
    if not isinstance(text, str) or "T" not in text:
        return None
    if not (text.endswith("Z") or "+" in text[10:] or "-" in text[10:]):
        return None  # RFC3339 needs a zone designator
    try:
        t = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


# =========================================================================== static preparation


_NESTED_KEYS = ("Branches", "ItemProcessor", "Iterator")
_LITERAL_KEYS = frozenset(
    ("Type", "Next", "End", "Resource", "Comment", "QueryLanguage", "Default", "Retry", "Label",
     "ProcessorConfig", "Branches", "ItemProcessor", "Iterator", "ResultWriter", "ItemReader")
)


def _prepare(definition: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Validate what the interpreter relies on; return {state name: state definition} for the whole machine."""
    if not isinstance(definition, Mapping):
        raise InvalidDefinition("the definition must be a JSON object")
    top_ql = definition.get("QueryLanguage", "JSONPath")
    all_states: dict[str, dict[str, Any]] = {}
    _prepare_container(definition, "", top_ql, all_states)
    t = definition.get("TimeoutSeconds")
    if t is not None and (isinstance(t, bool) or not isinstance(t, int) or t <= 0):
        raise InvalidDefinition("top-level TimeoutSeconds must be a positive integer")
    return all_states


def _prepare_container(container: Mapping[str, Any], where: str, top_ql: str,
                       all_states: dict[str, dict[str, Any]]) -> None:
    label = where or "the definition"
    states = container.get("States")
    start = container.get("StartAt")
    if not isinstance(states, Mapping) or not states:
        raise InvalidDefinition(f"{label}: 'States' must be a non-empty object")
    if not isinstance(start, str) or start not in states:
        raise InvalidDefinition(f"{label}: StartAt {start!r} does not name a state in its States object")
    for name, sd in states.items():
        loc = f"{where}/States/{name}"
        if not isinstance(sd, Mapping):
            raise InvalidDefinition(f"{loc}: a state must be an object")
        if name in all_states:
            raise InvalidDefinition(f"state name {name!r} is used more than once (names must be unique in the "
                                    "whole state machine, nested states included)")
        all_states[name] = sd  # type: ignore[assignment]
        typ = sd.get("Type")
        if typ not in STATE_TYPES:
            raise InvalidDefinition(f"{loc}: unknown Type {typ!r}")
        jsonpath = is_jsonpath(sd, top_ql)
        if jsonpath and top_ql == "JSONata":
            raise InvalidDefinition(f"{loc}/QueryLanguage: 'QueryLanguage' can not be 'JSONPath' if set to "
                                    "'JSONata' for whole state machine")

        def target(t: Any, what: str) -> None:
            if not isinstance(t, str) or t not in states:
                raise InvalidDefinition(f"{loc}/{what}: target {t!r} is not a state in the same States object")

        if typ == "Choice":
            choices = sd.get("Choices")
            if not isinstance(choices, list) or not choices:
                raise InvalidDefinition(f"{loc}: Choices must be a non-empty array")
            for i, rule in enumerate(choices):
                if not jsonpath and (not isinstance(rule, Mapping) or "Condition" not in rule):
                    raise InvalidDefinition(f"{loc}/Choices[{i}]: a JSONata Choice rule needs 'Condition'")
                target(rule.get("Next") if isinstance(rule, Mapping) else None, f"Choices[{i}]/Next")
            if "Default" in sd:
                target(sd["Default"], "Default")
        elif typ not in ("Succeed", "Fail"):
            if sd.get("End") is True:
                if "Next" in sd:
                    raise InvalidDefinition(f"{loc}: has both Next and End")
            else:
                target(sd.get("Next"), "Next")
        _check_literals(sd, typ, loc, jsonpath)
        if jsonpath:
            try:
                check_state(sd, loc)
            except JsonPathDefinitionError as exc:
                raise InvalidDefinition(str(exc)) from None
            if typ == "Map" and "ItemBatcher" in sd:
                raise UnsupportedDefinition(f"state '{name}': ItemBatcher in a JSONPath Map is not supported by "
                                            "sfnc run yet")
        for i, c in enumerate(sd.get("Catch") or ()):
            target(c.get("Next"), f"Catch[{i}]/Next")
        if typ == "Parallel":
            branches = sd.get("Branches")
            if not isinstance(branches, list) or not branches:
                raise InvalidDefinition(f"{loc}: Branches must be a non-empty array")
            for i, br in enumerate(branches):
                _prepare_container(br, f"{loc}/Branches[{i}]", top_ql, all_states)
        if typ == "Map":
            if "ItemReader" in sd:
                raise UnsupportedDefinition(f"state '{name}': Map ItemReader (reading items from S3) is not "
                                            "supported by sfnc run; pass the items in the input or with 'Items'")
            if "ResultWriter" in sd:
                raise UnsupportedDefinition(f"state '{name}': Map ResultWriter (writing results to S3) is not "
                                            "supported by sfnc run")
            proc = sd.get("ItemProcessor", sd.get("Iterator"))
            if not isinstance(proc, Mapping):
                raise InvalidDefinition(f"{loc}: Map needs an ItemProcessor")
            _prepare_container(proc, f"{loc}/ItemProcessor", top_ql, all_states)
        if not jsonpath:
            _precompile(sd, loc)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_literals(sd: Mapping[str, Any], typ: str, loc: str, jsonpath: bool = False) -> None:
    """Retry/Catch shapes and literal (non-JSONata) numeric fields, which AWS checks at creation time."""

    def bad(field_name: str, what: str, value: Any) -> InvalidDefinition:
        return InvalidDefinition(f"{loc}/{field_name}: must be {what}, got {_short(value)}")

    def error_equals(item: Mapping[str, Any], where: str) -> None:
        ee = item.get("ErrorEquals")
        if not isinstance(ee, list) or not ee or not all(isinstance(e, str) for e in ee):
            raise bad(f"{where}/ErrorEquals", "a non-empty array of error names", ee)

    for key in ("Retry", "Catch"):
        if key in sd:
            if typ not in ("Task", "Parallel", "Map"):
                raise InvalidDefinition(f"{loc}: field '{key}' is not supported on a {typ} state")
            if not isinstance(sd[key], list) or not all(isinstance(x, Mapping) for x in sd[key]):
                raise bad(key, "an array of objects", sd[key])
    for i, r in enumerate(sd.get("Retry") or ()):
        where = f"Retry[{i}]"
        error_equals(r, where)
        checks = (("IntervalSeconds", lambda v: _is_int(v) and v >= 1, "a positive integer"),
                  ("MaxAttempts", lambda v: _is_int(v) and v >= 0, "an integer >= 0"),
                  ("BackoffRate", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1,
                   "a number >= 1.0"),
                  ("MaxDelaySeconds", lambda v: _is_int(v) and v >= 1, "a positive integer"),
                  ("JitterStrategy", lambda v: v in ("FULL", "NONE"), "FULL or NONE"))
        for field_name, ok, what in checks:
            if field_name in r and not ok(r[field_name]):
                raise bad(f"{where}/{field_name}", what, r[field_name])
    for i, c in enumerate(sd.get("Catch") or ()):
        error_equals(c, f"Catch[{i}]")
    literal_ints = {"Task": (("TimeoutSeconds", 1), ("HeartbeatSeconds", 1)), "Wait": (("Seconds", 0),),
                    "Map": (("MaxConcurrency", 0), ("ToleratedFailureCount", 0))}.get(typ, ())
    for field_name, minimum in literal_ints:
        v = sd.get(field_name)
        if field_name in sd and not is_expression(v) and not (_is_int(v) and v >= minimum):
            raise bad(field_name, f"an integer >= {minimum} or a {{% JSONata %}} expression", v)
    if typ == "Map" and "ToleratedFailurePercentage" in sd:
        v = sd["ToleratedFailurePercentage"]
        if not is_expression(v) and not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100):
            raise bad("ToleratedFailurePercentage", "a number in [0, 100] or a {% JSONata %} expression", v)
    if typ == "Wait" and not jsonpath:
        if ("Seconds" in sd) == ("Timestamp" in sd):
            raise InvalidDefinition(f"{loc}: a Wait state needs exactly one of Seconds or Timestamp")
        ts = sd.get("Timestamp")
        if ts is not None and not is_expression(ts) and _parse_timestamp(ts) is None:
            raise bad("Timestamp", "an RFC3339 timestamp such as 2016-03-14T01:59:00Z", ts)
    if typ == "Choice" and not jsonpath:
        for i, rule in enumerate(sd["Choices"]):
            cond = rule["Condition"]
            if not isinstance(cond, bool) and not is_expression(cond):
                raise bad(f"Choices[{i}]/Condition", "true, false or a {% JSONata %} expression", cond)
    for field_name in ("Assign",):
        if field_name in sd and not isinstance(sd[field_name], Mapping):
            raise bad(field_name, "an object", sd[field_name])


def _precompile(node: Any, loc: str, key: str | None = None) -> None:
    """Parse every ``{% %}`` string of a state now, so syntax errors surface before the run."""
    if isinstance(node, Mapping):
        for k, v in node.items():
            if key is None and k in _LITERAL_KEYS:
                continue
            _precompile(v, f"{loc}/{k}", k if key is None else key)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _precompile(v, f"{loc}[{i}]", key)
    elif is_expression(node):
        try:
            engine.compile_expression(node[2:-2])
        except QueryError as exc:
            raise InvalidDefinition(f"{loc}: the JSONata expression '{node}' {exc.detail}") from None


# =========================================================================== the run


class _Run(JsonPathStates):
    def __init__(self, definition: Mapping[str, Any], input_: Any, mocks: MockProvider, *, name: str,
                 seed: int, max_transitions: int, start_time: datetime, execution_name: str | None,
                 check_payload_size: bool) -> None:
        self.definition = definition
        self.input = input_
        self.mocks = mocks
        self.name = name
        self.seed = seed
        self.max_transitions = max_transitions
        if start_time.tzinfo is None:
            start_time = start_time.replace(tzinfo=timezone.utc)
        self.start_time = start_time
        self.start_ms = int(round(start_time.timestamp() * 1000))
        self.check_payload_size = check_payload_size
        self.ectx = engine.EvalContext(self.start_ms, seed)
        self.rng_jitter = random.Random(f"sfnc:{seed}:jitter")
        names = random.Random(f"sfnc:{seed}:names")
        self.execution_name = execution_name or str(uuid.UUID(int=names.getrandbits(128), version=4))
        self.trace: list[TraceEvent] = []
        self.transitions = 0
        self.invocations: dict[str, int] = {}
        sm_arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"
        self.exec_ctx = {
            "Id": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{name}:{self.execution_name}",
            "Input": input_,
            "Name": self.execution_name,
            "RoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/sfnc-simulated-execution-role",
            "StartTime": iso_timestamp(start_time),
            "RedriveCount": 0,
        }
        self.sm_ctx = {"Id": sm_arn, "Name": name}
        self.handlers: dict[str, Callable[..., tuple[str | None, Any]]] = {
            "Pass": self._pass, "Task": self._task, "Choice": self._choice, "Wait": self._wait,
            "Succeed": self._succeed, "Fail": self._fail, "Parallel": self._parallel, "Map": self._map,
        }
        self.jp_handlers: dict[str, Callable[..., tuple[str | None, Any]]] = dict(self.handlers, **{
            "Pass": self._jp_pass, "Choice": self._jp_choice, "Wait": self._jp_wait, "Succeed": self._jp_succeed,
            "Fail": self._jp_fail,
        })
        self.top_scope = _Scope()
        self._iso_cache: dict[float, str] = {}
        self._last_checked: Any = None

    # ------------------------------------------------------------------ helpers

    def _context(self, name: str, entered: float, retry_count: int | None) -> dict[str, Any]:
        """The context object. ``State.RetryCount`` exists only in states that can retry (Task, Parallel,
        Map): recorded for a Pass state as ``{"Name", "EnteredTime"}`` (jsonpath-base-012, mixed-outputdecl-001)."""
        entered_text = self._iso_cache.get(entered)
        if entered_text is None:
            if len(self._iso_cache) > 4096:
                self._iso_cache.clear()
            entered_text = self._iso_cache[entered] = iso_timestamp(self.start_time, entered)
        state: dict[str, Any] = {"EnteredTime": entered_text, "Name": name}
        if retry_count is not None:
            state["RetryCount"] = retry_count
        return {"Execution": self.exec_ctx, "State": state, "StateMachine": self.sm_ctx}

    def _bind(self, scope: _Scope, states: dict[str, Any], clock: _Clock) -> dict[str, Any]:
        self.ectx.now_ms = self.start_ms + int(round(clock.now * 1000))
        b = scope.bindings()
        b["states"] = states
        return b

    def _walk(self, node: Any, b: Mapping[str, Any]) -> Any:
        t = type(node)
        if t is str:
            if len(node) >= 4 and node[0] == "{" and node[1] == "%" and node[-1] == "}" and node[-2] == "%":
                try:
                    return engine.evaluate(node[2:-2], b)
                except QueryError as exc:
                    exc.source = node  # type: ignore[attr-defined]
                    exc.path = []  # type: ignore[attr-defined]
                    raise
            return node
        if t is dict:
            out = {}
            for k, v in node.items():
                try:
                    out[k] = self._walk(v, b)
                except QueryError as exc:
                    exc.path.insert(0, str(k))  # type: ignore[attr-defined]
                    raise
            return out
        if t is list:
            res = []
            for i, v in enumerate(node):
                try:
                    res.append(self._walk(v, b))
                except QueryError as exc:
                    exc.path.insert(0, str(i))  # type: ignore[attr-defined]
                    raise
            return res
        return node

    def _field(self, name: str, field_name: str, node: Any, b: Mapping[str, Any]) -> Any:
        try:
            return self._walk(node, b)
        except QueryError as exc:
            path = "/".join([field_name, *getattr(exc, "path", [])])
            raise _Failure(QEE, f"An error occurred while executing the state '{name}'. The JSONata expression "
                                f"'{getattr(exc, 'source', node)}' specified for the field '{path}' {exc.detail}",
                           name) from None

    def _type_error(self, name: str, field_name: str, node: Any, expected: str, value: Any) -> _Failure:
        if is_expression(node):
            return _Failure(QEE, f"An error occurred while executing the state '{name}'. The JSONata expression "
                                 f"'{node}' specified for the field '{field_name}' returned an unexpected result. "
                                 f"Expected {expected}, but was '{_type_name(value)}' for value: {_short(value)}",
                            name)
        return _Failure(QEE, f"An error occurred while executing the state '{name}'. The field '{field_name}' "
                             f"must be {expected}, but was {_short(value)}", name)

    def _int_field(self, name: str, sd: Mapping[str, Any], key: str, b: Mapping[str, Any], minimum: int,
                   maximum: int | None = None) -> int | None:
        if key not in sd:
            return None
        node = sd[key]
        value = self._field(name, key, node, b)
        ok = not isinstance(value, bool) and isinstance(value, (int, float)) and float(value).is_integer()
        if ok:
            value = int(value)
            ok = value >= minimum and (maximum is None or value <= maximum)
        if not ok:
            rng = f"an integer >= {minimum}" if maximum is None else f"an integer in [{minimum}, {maximum}]"
            raise self._type_error(name, key, node, rng, value)
        return value

    def _number_field(self, name: str, sd: Mapping[str, Any], key: str, b: Mapping[str, Any],
                      lo: float, hi: float) -> float | None:
        if key not in sd:
            return None
        node = sd[key]
        value = self._field(name, key, node, b)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise self._type_error(name, key, node, f"a number in [{lo:g}, {hi:g}]", value)
        return value

    def _assign(self, name: str, node: Any, b: Mapping[str, Any], field_name: str = "Assign") -> dict[str, Any]:
        if node is None:
            return {}
        if not isinstance(node, Mapping):
            raise _Failure(QEE, f"state '{name}': {field_name} must be an object", name)
        values = self._field(name, field_name, node, b)
        if self.check_payload_size and values and _json_size(values) > PAYLOAD_LIMIT_BYTES:
            raise _Failure("States.DataLimitExceeded",
                           f"The variables assigned by state '{name}' exceed the 256 KiB limit", name)
        return values

    def _check_size(self, value: Any, name: str, what: str) -> None:
        if not self.check_payload_size or value is self._last_checked:
            return  # pass-through of an already checked payload (Choice, Wait, default Task output …)
        t = type(value)
        if t is dict or t is list or (t is str and len(value) * 4 > PAYLOAD_LIMIT_BYTES):
            if _json_size(value) > PAYLOAD_LIMIT_BYTES:
                raise _Failure("States.DataLimitExceeded",
                               f"The {what} of state '{name}' is larger than the 256 KiB payload limit", name)
            self._last_checked = value

    def _transition(self) -> None:
        self.transitions += 1
        if self.transitions > self.max_transitions:
            raise TransitionLimitExceeded(
                f"the execution exceeded {self.max_transitions} state transitions (AWS fails executions whose "
                "history grows past 25,000 events); probably an endless loop — check the loop's exit Choice "
                "and the mocks that should end it, or raise max_transitions")

    @staticmethod
    def _next(sd: Mapping[str, Any], ev: TraceEvent) -> str | None:
        if sd.get("End") is True:
            ev.transition = ("end", None, None)
            return None
        nxt = sd["Next"]
        ev.transition = ("next", None, nxt)
        return nxt

    # ------------------------------------------------------------------ execution

    def execute(self) -> ExecutionResult:
        clock = _Clock(0.0, None)
        timeout = self.definition.get("TimeoutSeconds")
        if timeout is not None:
            clock.deadline = float(timeout)
        status, output, error, cause, error_state = "SUCCEEDED", None, None, None, None
        try:
            if self.check_payload_size:
                try:
                    self._check_size(self.input, "(execution)", "input")
                except _Failure as f:
                    raise SimulationError(f"execution input rejected: {f.cause}") from None
            output = self._run_container(self.definition, self.input, self.top_scope, clock, (), 0)
        except _Failure as f:
            status, error, cause, error_state = "FAILED", f.error, f.cause, f.state
        except _ExecTimeout:
            status, error = "TIMED_OUT", "States.Timeout"
            cause = f"The execution exceeded its TimeoutSeconds ({timeout} s of virtual time)"
        except SimulationError as exc:
            exc.result = self._result("ABORTED", None, None, str(exc), None, clock)
            raise
        return self._result(status, output, error, cause, error_state, clock)

    def _result(self, status: str, output: Any, error: str | None, cause: str | None,
                error_state: str | None, clock: _Clock) -> ExecutionResult:
        return ExecutionResult(
            status=status,
            output=copy.deepcopy(output),
            error=error,
            cause=cause,
            trace=self.trace,
            variables=copy.deepcopy(self.top_scope.vars),
            transitions=self.transitions,
            elapsed_seconds=_round(clock.now) or 0,
            name=self.name,
            execution_name=self.execution_name,
            start_time=self.start_time,
            error_state=error_state,
            input=self.input,
            mock_invocations=dict(self.invocations),
        )

    def _run_container(self, container: Mapping[str, Any], inp: Any, scope: _Scope, clock: _Clock,
                       path: tuple[str, ...], depth: int) -> Any:
        states = container["States"]
        name = container["StartAt"]
        while True:
            nxt, inp = self._run_state(name, states[name], inp, scope, clock, path, depth)
            if nxt is None:
                return inp
            name = nxt

    def _run_state(self, name: str, sd: Mapping[str, Any], inp: Any, scope: _Scope, clock: _Clock,
                   path: tuple[str, ...], depth: int) -> tuple[str | None, Any]:
        self._transition()
        typ = sd["Type"]
        ev = TraceEvent(len(self.trace), name, typ, path, depth, clock.now, input=inp)
        self.trace.append(ev)
        try:
            try:
                handlers = self.jp_handlers if self._is_jp(sd) else self.handlers
                nxt, out = handlers[typ](name, sd, inp, scope, clock, path, depth, ev)
            except JsonPathFailure as jf:
                raise _Failure(jf.error, jf.cause(name), name) from None
            self._check_size(out, name, "output")
        except _Failure as f:
            ev.status, ev.error, ev.cause = "failed", f.error, f.cause
            if f.state is None:
                f.state = name
            raise
        except _ExecTimeout:
            ev.status = "timed_out"
            raise
        except SimulationError as exc:
            ev.status, ev.error, ev.cause = "aborted", type(exc).__name__, str(exc)
            raise
        finally:
            ev.end = clock.now
        if ev.status == "running":
            ev.status = "succeeded"
        ev.output = out
        ev.next = nxt
        return nxt, out

    # ------------------------------------------------------------------ simple states

    def _output_and_assign(self, name: str, sd: Mapping[str, Any], b: Mapping[str, Any], default: Any,
                           scope: _Scope, ev: TraceEvent) -> Any:
        out = self._field(name, "Output", sd["Output"], b) if "Output" in sd else default
        values = self._assign(name, sd.get("Assign"), b)
        if values:
            scope.assign(values)
            ev.assigned = values
        return out

    def _pass(self, name, sd, inp, scope, clock, path, depth, ev):
        b = self._bind(scope, {"input": inp, "context": self._context(name, clock.now, None)}, clock)
        out = self._output_and_assign(name, sd, b, inp, scope, ev)
        return self._next(sd, ev), out

    def _succeed(self, name, sd, inp, scope, clock, path, depth, ev):
        if "Output" in sd:
            b = self._bind(scope, {"input": inp, "context": self._context(name, clock.now, None)}, clock)
            return None, self._field(name, "Output", sd["Output"], b)
        return None, inp

    def _fail(self, name, sd, inp, scope, clock, path, depth, ev):
        b = self._bind(scope, {"input": inp, "context": self._context(name, clock.now, None)}, clock)
        values = []
        for key in ("Error", "Cause"):
            if key not in sd:
                values.append(None)
                continue
            v = self._field(name, key, sd[key], b)
            if not isinstance(v, str):
                raise self._type_error(name, key, sd[key], "'string'", v)
            values.append(v)
        raise _Failure(values[0], values[1], name)

    def _wait(self, name, sd, inp, scope, clock, path, depth, ev):
        entered = clock.now
        ctx = self._context(name, entered, None)
        b = self._bind(scope, {"input": inp, "context": ctx}, clock)
        if "Seconds" in sd:
            seconds = self._int_field(name, sd, "Seconds", b, 0)
            ev.details["wait_seconds"] = seconds
        elif "Timestamp" in sd:
            node = sd["Timestamp"]
            value = self._field(name, "Timestamp", node, b)
            when = _parse_timestamp(value)
            if when is None:
                raise self._type_error(name, "Timestamp", node, "an RFC3339 timestamp such as "
                                       "'2016-03-14T01:59:00Z'", value)
            seconds = max(0.0, (when - self.start_time).total_seconds() - clock.now)
            ev.details["wait_until"] = value
            ev.details["wait_seconds"] = _round(seconds)
        else:
            raise _Failure("States.Runtime", f"Wait state '{name}' has neither Seconds nor Timestamp", name)
        clock.advance(seconds)
        b = self._bind(scope, {"input": inp, "context": ctx}, clock)
        out = self._output_and_assign(name, sd, b, inp, scope, ev)
        return self._next(sd, ev), out

    def _choice(self, name, sd, inp, scope, clock, path, depth, ev):
        b = self._bind(scope, {"input": inp, "context": self._context(name, clock.now, None)}, clock)
        for i, rule in enumerate(sd["Choices"]):
            node = rule["Condition"]
            value = self._field(name, f"Choices[{i}]/Condition", node, b)
            if not isinstance(value, bool):
                raise self._type_error(name, f"Choices[{i}]/Condition", node, "'boolean'", value)
            if value:
                out = self._field(name, f"Choices[{i}]/Output", rule["Output"], b) if "Output" in rule else inp
                values = self._assign(name, rule.get("Assign"), b, f"Choices[{i}]/Assign")
                if values:
                    scope.assign(values)
                    ev.assigned = values
                ev.details["choice"] = i
                ev.transition = ("choice", i, rule["Next"])
                return rule["Next"], out
        if "Default" in sd:
            out = self._output_and_assign(name, sd, b, inp, scope, ev)
            ev.details["choice"] = "Default"
            ev.transition = ("default", None, sd["Default"])
            return sd["Default"], out
        raise _Failure("States.NoChoiceMatched",
                       f"No Choice Rule in state '{name}' matched and the state has no Default "
                       f"(input: {_short(inp)})", name)

    # ------------------------------------------------------------------ Retry / Catch wrapper

    def _with_retry_catch(self, name: str, sd: Mapping[str, Any], inp: Any, scope: _Scope, clock: _Clock,
                          ev: TraceEvent, body: Callable[[dict[str, Any]], Any]) -> tuple[str | None, Any]:
        jsonpath = self._is_jp(sd)
        finish = self._jp_finish(name, sd, inp, scope) if jsonpath else None
        caught = self._jp_caught(name, sd, inp, scope) if jsonpath else None
        retriers = sd.get("Retry") or ()
        counts = [0] * len(retriers)
        retry_total = 0
        entered = clock.now
        while True:
            ctx = self._context(name, entered, retry_total)
            try:
                result = body(ctx)
                if finish is not None:
                    out, values = finish(result, ctx)
                    self._jp_assign(name, values, scope, ev)
                    return self._next(sd, ev), out
                b = self._bind(scope, {"input": inp, "context": ctx, "result": result}, clock)
                out = self._field(name, "Output", sd["Output"], b) if "Output" in sd else result
                values = self._assign(name, sd.get("Assign"), b)
                if values:
                    scope.assign(values)
                    ev.assigned = values
                return self._next(sd, ev), out
            except _Failure as f:
                failure = f
            except JsonPathFailure as jf:
                failure = _Failure(jf.error, jf.cause(name), name)
            # ---- Retry
            for idx, r in enumerate(retriers):
                if _matches(r.get("ErrorEquals"), failure.error):
                    break
            else:
                idx = -1
            if idx >= 0:
                r = retriers[idx]
                max_attempts = r.get("MaxAttempts", 3)
                if counts[idx] < max_attempts:
                    counts[idx] += 1
                    retry_total += 1
                    interval = r.get("IntervalSeconds", 1)
                    backoff = r.get("BackoffRate", 2.0)
                    delay = interval * backoff ** (counts[idx] - 1)
                    if "MaxDelaySeconds" in r:
                        delay = min(delay, r["MaxDelaySeconds"])
                    base_delay = delay
                    if r.get("JitterStrategy") == "FULL":
                        delay = self.rng_jitter.uniform(0, delay)
                    delay = round(delay, 3)
                    ev.retries.append({
                        "retrier": idx, "attempt": counts[idx], "error": failure.error, "cause": failure.cause,
                        "failed_at": _round(clock.now), "delay": _round(delay),
                        "computed_delay": _round(base_delay),
                    })
                    self._transition()
                    clock.advance(delay)
                    continue
            # ---- Catch
            for cidx, c in enumerate(sd.get("Catch") or ()):
                if _matches(c.get("ErrorEquals"), failure.error):
                    break
            else:
                raise failure
            err_out = failure.error_output()
            if caught is not None:
                out, values = caught(c, err_out, ctx)
                self._jp_assign(name, values, scope, ev)
            else:
                b = self._bind(scope, {"input": inp, "context": ctx, "errorOutput": err_out}, clock)
                out = self._field(name, f"Catch[{cidx}]/Output", c["Output"], b) if "Output" in c else err_out
                values = self._assign(name, c.get("Assign"), b, f"Catch[{cidx}]/Assign")
                if values:
                    scope.assign(values)
                    ev.assigned = values
            ev.status = "caught"
            ev.error, ev.cause = failure.error, failure.cause
            ev.caught = {"catcher": cidx, "error": failure.error, "cause": failure.cause, "next": c["Next"],
                         "origin": failure.state}
            ev.transition = ("catch", cidx, c["Next"])
            return c["Next"], out

    # ------------------------------------------------------------------ Task

    def _task(self, name, sd, inp, scope, clock, path, depth, ev):
        resource = sd.get("Resource")
        ev.details["resource"] = resource
        calls: list[dict[str, Any]] = []
        ev.details["calls"] = calls
        callback = isinstance(resource, str) and resource.endswith(".waitForTaskToken")
        jsonpath = self._is_jp(sd)

        def body(ctx: dict[str, Any]) -> Any:
            idx = self.invocations.get(name, 0)
            if callback:
                ctx["Task"] = {"Token": f"sfnc-task-token:{self.execution_name}:{name}:{idx}"}
            if jsonpath:
                args, timeout, heartbeat = self._jp_task_inputs(name, sd, inp, scope, ctx)
            else:
                b = self._bind(scope, {"input": inp, "context": ctx}, clock)
                args = self._field(name, "Arguments", sd["Arguments"], b) if "Arguments" in sd else inp
                timeout = self._int_field(name, sd, "TimeoutSeconds", b, 1)
                heartbeat = self._int_field(name, sd, "HeartbeatSeconds", b, 1)
            if timeout is not None:
                ev.details["timeout_seconds"] = timeout
            if heartbeat is not None:
                ev.details["heartbeat_seconds"] = heartbeat
            self.invocations[name] = idx + 1
            call: dict[str, Any] = {"invocation": idx, "start": _round(clock.now), "arguments": args}
            calls.append(call)
            resp = self.mocks.response(name, idx)
            if resp is None:
                raise MockMissing(self.mocks.missing_message(name, idx))
            duration = float(resp.duration or 0)
            if timeout is not None and duration > timeout:
                clock.advance(timeout)
                call.update(duration=timeout, error="States.Timeout")
                raise _Failure("States.Timeout",
                               f"Task '{name}' timed out after TimeoutSeconds={timeout} (the mock takes "
                               f"{_round(duration)} s of virtual time)", name)
            clock.advance(duration)
            call["duration"] = _round(duration)
            if resp.throws:
                call.update(error=resp.error, cause=resp.cause)
                raise _Failure(resp.error, resp.cause, name)
            call["result"] = resp.result
            self._check_size(resp.result, name, "task result")
            return resp.result

        return self._with_retry_catch(name, sd, inp, scope, clock, ev, body)

    # ------------------------------------------------------------------ Parallel

    def _parallel(self, name, sd, inp, scope, clock, path, depth, ev):
        branches = sd["Branches"]

        def body(ctx: dict[str, Any]) -> Any:
            if self._is_jp(sd):
                args = self._jp_parallel_input(sd, inp, scope, ctx)
            else:
                b = self._bind(scope, {"input": inp, "context": ctx}, clock)
                args = self._field(name, "Arguments", sd["Arguments"], b) if "Arguments" in sd else inp
            summary: list[dict[str, Any]] = []
            ev.details["branches"] = summary
            results, start, end = [], clock.now, clock.now
            for i, br in enumerate(branches):
                bclock = _Clock(start, clock.deadline)
                entry: dict[str, Any] = {"index": i, "status": "running", "start": _round(start)}
                summary.append(entry)
                try:
                    out = self._run_container(br, args, _Scope(scope), bclock, path + (f"{name}/branch {i}",),
                                              depth + 1)
                except _Failure as f:
                    entry.update(status="failed", end=_round(bclock.now), error=f.error)
                    summary.extend({"index": j, "status": "cancelled"} for j in range(i + 1, len(branches)))
                    clock.now = bclock.now
                    raise
                except BaseException:
                    entry.update(status="aborted", end=_round(bclock.now))
                    clock.now = max(clock.now, bclock.now)
                    raise
                entry.update(status="succeeded", end=_round(bclock.now))
                results.append(out)
                end = max(end, bclock.now)
            clock.now = end
            return results

        return self._with_retry_catch(name, sd, inp, scope, clock, ev, body)

    # ------------------------------------------------------------------ Map

    def _map(self, name, sd, inp, scope, clock, path, depth, ev):
        proc = sd.get("ItemProcessor", sd.get("Iterator"))
        mode = (proc.get("ProcessorConfig") or {}).get("Mode", "INLINE")
        distributed = mode == "DISTRIBUTED"

        def body(ctx: dict[str, Any]) -> Any:
            b = self._bind(scope, {"input": inp, "context": ctx}, clock)
            jp_select = None
            if self._is_jp(sd):
                items, max_conc, tol_count, tol_pct, jp_select = self._jp_map_inputs(sd, inp, scope, ctx)
            else:
                if "Items" in sd:
                    items = self._field(name, "Items", sd["Items"], b)
                    if not isinstance(items, list):
                        raise self._type_error(name, "Items", sd["Items"], "'array'", items)
                else:
                    items = inp
                    if not isinstance(items, list):
                        raise _Failure(QEE, f"An error occurred while executing the state '{name}'. The Map "
                                            "state has no 'Items' field, so its input must be an array, but was "
                                            f"'{_type_name(items)}' for value: {_short(items)}", name)
                max_conc = self._int_field(name, sd, "MaxConcurrency", b, 0) or 0
                tol_count = self._int_field(name, sd, "ToleratedFailureCount", b, 0)
                tol_pct = self._number_field(name, sd, "ToleratedFailurePercentage", b, 0, 100)
            zero_tolerance = not tol_count and not tol_pct
            start = clock.now
            n = len(items)
            info: dict[str, Any] = {"mode": mode, "items": n, "max_concurrency": max_conc, "succeeded": 0,
                                    "failed": 0, "cancelled": 0, "failures": []}
            if tol_count is not None:
                info["tolerated_failure_count"] = tol_count
            if tol_pct is not None:
                info["tolerated_failure_percentage"] = tol_pct
            ev.details["iterations"] = info

            def select(i: int, item: Any) -> Any:
                if jp_select is not None:
                    return jp_select(i, item)
                if "ItemSelector" not in sd:
                    return item
                mctx = dict(ctx)
                mctx["Map"] = {"Item": {"Index": i, "Value": item}}
                bs = self._bind(scope, {"input": inp, "context": mctx}, clock)
                return self._field(name, "ItemSelector", sd["ItemSelector"], bs)

            batcher = sd.get("ItemBatcher")
            if batcher is not None:
                chosen = [select(i, x) for i, x in enumerate(items)]
                b = self._bind(scope, {"input": inp, "context": ctx}, clock)
                selected: list[Any] = self._batch(name, batcher, chosen, b)
                info["batches"] = len(selected)
                lazy = False
            else:
                selected, lazy = items, True
            total = len(selected)
            results: list[Any] = [None] * total
            slots: list[float] = []
            end = start
            failures = 0
            for i, it_input in enumerate(selected):
                if max_conc and len(slots) >= max_conc:
                    t0 = heapq.heappop(slots)
                else:
                    t0 = start
                iclock = _Clock(t0, clock.deadline)
                if lazy:
                    clock.now, saved = t0, clock.now
                    try:
                        it_input = select(i, it_input)
                    finally:
                        clock.now = saved
                try:
                    out = self._run_container(proc, it_input, _Scope(None if distributed else scope), iclock,
                                              path + (f"{name}/item {i}",), depth + 1)
                except _Failure as f:
                    failures += 1
                    info["failed"] = failures
                    results[i] = f.error_output()
                    info["failures"].append({"index": i, "error": f.error, "cause": f.cause})
                    exceeded = (zero_tolerance
                                or (tol_count is not None and failures > tol_count)
                                or (tol_pct is not None and failures * 100.0 / total > tol_pct))
                    if exceeded:
                        info["cancelled"] = total - i - 1
                        clock.now = iclock.now
                        if zero_tolerance:
                            raise
                        raise _Failure("States.ExceedToleratedFailureThreshold",
                                       f"Map state '{name}': {failures} of {total} iterations failed, which "
                                       f"exceeds the tolerated failure threshold (count={tol_count}, "
                                       f"percentage={tol_pct}); last error {f.error}: {f.cause}", name) from None
                except BaseException:
                    clock.now = max(clock.now, iclock.now)
                    raise
                else:
                    results[i] = out
                    info["succeeded"] += 1
                if max_conc:
                    heapq.heappush(slots, iclock.now)
                end = max(end, iclock.now)
            clock.now = end
            return results

        return self._with_retry_catch(name, sd, inp, scope, clock, ev, body)

    def _batch(self, name: str, batcher: Mapping[str, Any], items: list[Any], b: Mapping[str, Any]) -> list[Any]:
        max_items = self._int_field(name, batcher, "MaxItemsPerBatch", b, 1)
        max_bytes = self._int_field(name, batcher, "MaxInputBytesPerBatch", b, 1)
        batch_input = (self._field(name, "ItemBatcher/BatchInput", batcher["BatchInput"], b)
                       if "BatchInput" in batcher else None)
        batches: list[list[Any]] = []
        current: list[Any] = []
        size = 0
        for item in items:
            isize = _json_size(item) + 1 if max_bytes else 0
            if current and ((max_items and len(current) >= max_items) or (max_bytes and size + isize > max_bytes)):
                batches.append(current)
                current, size = [], 0
            current.append(item)
            size += isize
        if current:
            batches.append(current)
        out = []
        for batch in batches:
            entry: dict[str, Any] = {"Items": batch}
            if batch_input is not None:
                entry["BatchInput"] = batch_input
            out.append(entry)
        return out


# =========================================================================== public entry point


def run_execution(
    definition: Mapping[str, Any],
    input: Any = None,  # noqa: A002 - public API name
    mocks: MockProvider | Mapping[str, Any] | None = None,
    *,
    name: str = "machine",
    seed: int = 0,
    max_transitions: int = DEFAULT_MAX_TRANSITIONS,
    start_time: datetime = DEFAULT_START_TIME,
    execution_name: str | None = None,
    check_payload_size: bool = True,
) -> ExecutionResult:
    """Run ``definition`` (a parsed ASL dict, JSONata, JSONPath or mixed) offline with every Task mocked.

    ``mocks`` is a :class:`MockProvider` or a mapping in the scenario ``mocks:`` syntax.
    Returns an :class:`ExecutionResult` whose status is SUCCEEDED, FAILED or TIMED_OUT.
    Raises :class:`UnsupportedDefinition` / :class:`InvalidDefinition` before running, and
    :class:`MockMissing` / :class:`TransitionLimitExceeded` (with ``.result`` holding the partial
    trace) when the run cannot continue.
    """
    if mocks is None:
        provider: MockProvider = MockTable({}, source="(no mocks given)")
    elif isinstance(mocks, MockProvider):
        provider = mocks
    elif isinstance(mocks, Mapping):
        provider = mocks_from_spec(mocks)
    else:
        raise TypeError("mocks must be a MockProvider or a mapping in the scenario 'mocks:' syntax")
    try:
        json.dumps(input, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SimulationError(f"the execution input is not JSON data: {exc}") from None
    _prepare(definition)
    run = _Run(definition, input, provider, name=name, seed=seed, max_transitions=max_transitions,
               start_time=start_time, execution_name=execution_name, check_payload_size=check_payload_size)
    engine.CONTEXT.set(run.ectx)
    return run.execute()
