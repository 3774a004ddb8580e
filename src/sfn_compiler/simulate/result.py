"""What a simulated execution returns: `ExecutionResult` and its trace of `TraceEvent`s, plus the
constants of the simulated environment (start time, account, region, limits)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any


DEFAULT_START_TIME = datetime(2025, 1, 1, 0, 0, 0, tzinfo=timezone.utc)
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PAYLOAD_LIMIT_BYTES = 262_144  # 256 KiB: state input/output, task result, one Assign
#: the longest a Standard execution runs: one year (AWS's quota; the execution then ends with States.Timeout).
#: sfnc counts the year as 366 days, AWS's longest MaxDelaySeconds, so it never times out earlier than AWS.
#: It also bounds every virtual-time sum (retry back-off, waits, mock durations): none can overflow.
EXECUTION_TIME_LIMIT = 31_622_400
#: the range of an execution's start time (`start_time`): every timestamp of a run stays a valid date
EARLIEST_START_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST_START_TIME = datetime(9998, 12, 31, tzinfo=timezone.utc)

QEE = "States.QueryEvaluationError"


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
    #: the id of the state's ...StateEntered event in the execution history (AWS's numbering)
    event_id: int | None = None

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
            "start_offset": round_seconds(self.start),
            "end_offset": round_seconds(self.end if self.end is not None else self.start),
            "duration": round_seconds(self.duration),
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
        d["event_id"] = self.event_id
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
    #: how many events AWS's execution history would hold, the last (ExecutionSucceeded/Failed/...) included
    events: int = 0
    #: (id, type, state name) of every history event, when the run was asked to record them
    history: list[tuple[int, str, str | None]] | None = None

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
            "events": self.events,
            "start_time": iso_timestamp(self.start_time, 0.0),
            "elapsed_seconds": round_seconds(self.elapsed_seconds),
        }


def round_seconds(x: float | None) -> float | None:
    if x is None:
        return None
    r = round(x, 3)
    if r != r or r in (math.inf, -math.inf):  # NaN, infinity: shown as they are
        return r
    return int(r) if r == int(r) else r


def iso_timestamp(base: datetime, offset: float = 0.0) -> str:
    """Step Functions style timestamp: millisecond precision, trailing zero fractions dropped, ``Z``."""
    t = base + timedelta(seconds=offset)
    t = t.astimezone(timezone.utc)
    ms = t.microsecond // 1000
    # isoformat is the faster; strftime writes years before 1000 without leading zeros ("5-01-01T…")
    text = t.isoformat(timespec="seconds")[:19] if t.year >= 1000 else t.strftime("%Y-%m-%dT%H:%M:%S")
    if ms:
        text += ("." + f"{ms:03d}").rstrip("0")
    return text + "Z"
