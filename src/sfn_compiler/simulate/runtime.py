"""What a run holds while it executes: the Step Functions error travelling up (`Failure`), the virtual
clock, workflow-variable scopes, error matching for Retry/Catch, payload sizes and value formatting."""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

from ..jsontext import kind as type_name  # noqa: F401 (re-exported for the interpreter)
from . import expressions
from .expressions import binding_value
from .result import EXECUTION_TIME_LIMIT, PAYLOAD_LIMIT_BYTES


class Failure(Exception):
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


class ExecTimeout(Exception):
    pass


class Clock:
    """Virtual seconds since the execution started; `deadline` ends the execution (its TimeoutSeconds, or
    the one-year limit: `result.EXECUTION_TIME_LIMIT`)."""

    __slots__ = ("now", "deadline")

    def __init__(self, now: float, deadline: float | None) -> None:
        self.now = now
        self.deadline = deadline

    def advance(self, seconds: float) -> None:
        try:
            t = self.now + seconds
        except OverflowError:  # an int too large for a float: past any deadline
            t = math.inf
        if self.deadline is not None and not t <= self.deadline:  # NaN, too, ends the run at its deadline
            self.now = max(self.now, self.deadline)
            raise ExecTimeout()
        self.now = t


def retry_delay(interval: float, backoff: float, attempt: int, max_delay: float | None = None) -> float:
    """A retrier's delay before `attempt` (1-based): ``IntervalSeconds × BackoffRate^(attempt − 1)``, capped by
    `MaxDelaySeconds` and by the execution time limit (a longer delay ends the execution all the same), so
    no retrier's numbers overflow or take long to compute (an integer BackoffRate is computed as a float)."""
    try:
        delay = float(interval) * float(backoff) ** (attempt - 1)
    except OverflowError:
        delay = math.inf
    if max_delay is not None:
        delay = min(delay, max_delay)
    return min(delay, EXECUTION_TIME_LIMIT)


class VariableScope:
    """Workflow-variable scope: one per States object run (top level, branch, iteration)."""

    __slots__ = ("vars", "parent", "_flat", "_values")

    def __init__(self, parent: "VariableScope | None" = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent
        self._flat: dict[str, Any] | None = None
        self._values: dict[str, Any] | None = None

    def bindings(self) -> dict[str, Any]:
        """The variables visible here as JSONata bindings (plus the engine's hooks): what a JSONata state reads."""
        flat = self._flat
        if flat is None:
            flat = dict(self.parent.bindings()) if self.parent is not None else dict(expressions.ENGINE_HOOKS)
            for k, v in self.vars.items():
                flat[k] = binding_value(v)
            self._flat = flat
        return flat

    def values(self) -> dict[str, Any]:
        """The variables visible here as plain JSON values (inner scopes shadow outer ones): what a JSONPath
        state's `$name` reads. The dict is never changed once returned (an assignment builds a new one)."""
        flat = self._values
        if flat is None:
            flat = dict(self.parent.values()) if self.parent is not None else {}
            flat.update(self.vars)
            self._values = flat
        return flat

    def assign(self, values: Mapping[str, Any]) -> None:
        if values:
            self.vars.update(values)
            self._values = None
            flat = self._flat  # updated in place: this scope's own variables shadow the outer ones
            if flat is not None:
                for k, v in values.items():
                    flat[k] = binding_value(v)


def error_matches(names: Any, error: str | None) -> bool:
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


def json_size(value: Any) -> int:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    n = len(text)
    if n * 4 > PAYLOAD_LIMIT_BYTES:
        n = len(text.encode("utf-8"))
    return n


#: the longest key or string and the largest integer of an object that `over_payload_limit` sizes without
#: serializing it: 64 members of at most 2 x 256 characters, each 6 bytes at most (a \uXXXX escape), are
#: 197 KB at most, below the 256 KiB limit
_SMALL_MEMBERS, _SMALL_TEXT, _SMALL_INT = 64, 256, 1 << 64


def over_payload_limit(value: Any) -> bool:
    """``json_size(value) > PAYLOAD_LIMIT_BYTES``, answered without serializing an object of a few scalars
    (a Task result or the variables a state assigns, mostly)."""
    if type(value) is dict and len(value) <= _SMALL_MEMBERS:
        for k, v in value.items():
            if type(k) is not str or len(k) > _SMALL_TEXT:
                break
            t = type(v)
            if t is int:
                if not -_SMALL_INT < v < _SMALL_INT:
                    break
            elif t is str:
                if len(v) > _SMALL_TEXT:
                    break
            elif not (t is float or t is bool or v is None):
                break
        else:
            return False
    return json_size(value) > PAYLOAD_LIMIT_BYTES


def json_text(value: Any) -> str:
    """A value as AWS quotes it in a cause: compact JSON, whole."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def quoted(node: Any) -> str:
    """A JSONata field as AWS quotes it in a cause: the expression without its ``{% %}`` delimiters
    (recorded: ``'{% $doesNotExist %}'`` is quoted ``'$doesNotExist'``, jsonata-assign-003)."""
    if isinstance(node, str) and len(node) >= 4 and node.startswith("{%") and node.endswith("%}"):
        return node[2:-2].strip()
    return str(node)


def short(value: Any, limit: int = 120) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
