"""Human (text) and machine (JSON) renderings of an execution trace."""

from __future__ import annotations

import json
from typing import IO, Any

from .result import EXECUTION_TIME_LIMIT, ExecutionResult, TraceEvent, iso_timestamp, round_seconds

__all__ = ["format_trace", "format_duration", "format_offset", "JsonTraceWriter"]


def format_duration(seconds: float | None) -> str:
    """``0s``, ``2.5s``, ``3m20s``, ``1h00m05s``, ``2d03h``."""
    if seconds is None:
        return "-"
    s = float(seconds)
    if s < 60:
        r = round(s, 3)
        return f"{int(r)}s" if r == int(r) else f"{r:g}s"
    total = int(round(s))
    d, rem = divmod(total, 86400)
    h, rem = divmod(rem, 3600)
    m, sec = divmod(rem, 60)
    if d:
        return f"{d}d{h:02d}h" + (f"{m:02d}m" if m else "")
    if h:
        return f"{h}h{m:02d}m" + (f"{sec:02d}s" if sec else "")
    return f"{m}m" + (f"{sec:02d}s" if sec else "")


def format_offset(seconds: float) -> str:
    """Virtual time since the start: ``+00:01:00``, ``+00:00:03.5``, ``+1d02:00:00``."""
    ms_total = int(round(seconds * 1000))
    secs, ms = divmod(ms_total, 1000)
    d, rem = divmod(secs, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    text = f"+{d}d{h:02d}:{m:02d}:{s:02d}" if d else f"+{h:02d}:{m:02d}:{s:02d}"
    if ms:
        text += ("." + f"{ms:03d}").rstrip("0")
    return text


def _clip(text: Any, limit: int = 100) -> str:
    t = str(text)
    t = " ".join(t.split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _compact(value: Any, limit: int = 100) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return _clip(text, limit)


def _target(ev: TraceEvent) -> str:
    if ev.transition is None:
        return ""
    kind, _index, target = ev.transition
    if kind == "end":
        return " → (end)"
    return f" → {target}"


def _outcome(ev: TraceEvent) -> str:
    parts: list[str] = []
    d = ev.details
    t = ev.type
    if t == "Choice" and "choice" in d:
        c = d["choice"]
        parts.append("Default" if c == "Default" else f"rule #{c} matched")
    elif t == "Wait" and "wait_seconds" in d:
        parts.append(f"waited {format_duration(d['wait_seconds'])}"
                     + (f" (until {d['wait_until']})" if "wait_until" in d else ""))
    elif t == "Parallel" and "branches" in d:
        br = d["branches"]
        desc = ", ".join(f"#{b['index']} {b['status']}" + (f" ({b['error']})" if b.get("error") else "")
                         for b in br)
        parts.append(f"{len(br)} branches: {desc}")
    elif t == "Map" and "iterations" in d:
        it = d["iterations"]
        text = f"{it['items']} items"
        if "batches" in it:
            text += f" in {it['batches']} batches"
        text += f": {it['succeeded']} succeeded"
        if it["failed"]:
            text += f", {it['failed']} failed"
        if it["cancelled"]:
            text += f", {it['cancelled']} cancelled"
        if it.get("max_concurrency"):
            text += f" (MaxConcurrency {it['max_concurrency']})"
        parts.append(text)
    elif t == "Task" and d.get("calls"):
        calls = d["calls"]
        if len(calls) > 1:
            parts.append(f"{len(calls)} calls")
    if ev.retries:
        desc = ", ".join(f"{r['error']} → retry #{r['attempt']} of Retry[{r['retrier']}] after "
                         f"{format_duration(r['delay'])}" for r in ev.retries)
        parts.append(f"{len(ev.retries)} retr{'y' if len(ev.retries) == 1 else 'ies'}: {desc}")
    if ev.status == "caught" and ev.caught:
        c = ev.caught
        origin = f" (from '{c['origin']}')" if c.get("origin") and c["origin"] != ev.state else ""
        parts.append(f"caught {c['error']}{origin} by Catch[{c['catcher']}]")
    elif ev.status == "failed":
        parts.append(f"FAILED {ev.error or '(no error name)'}" + (f": {_clip(ev.cause)}" if ev.cause else ""))
    elif ev.status == "timed_out":
        parts.append("execution timed out here")
    elif ev.status == "aborted":
        parts.append(f"aborted: {_clip(ev.cause, 160)}")
    elif not parts or t in ("Task", "Pass", "Succeed"):
        parts.insert(0, ev.status)
    if ev.assigned:
        parts.append("assigned " + ", ".join(f"${k}" for k in ev.assigned))
    return "; ".join(parts) + _target(ev)


def _text(result: ExecutionResult) -> str:
    lines: list[str] = []
    head = f"Execution {result.name}:{result.execution_name}  {result.status}"
    if result.error or result.cause:
        head += f"  {result.error}" + (f": {_clip(result.cause, 160)}" if result.cause else "")
        if result.error_state:
            head += f"  (state '{result.error_state}')"
    lines.append(head)
    lines.append(f"  start {iso_timestamp(result.start_time)}, virtual time {format_duration(result.elapsed_seconds)}, "
                 f"{result.transitions} transition{'' if result.transitions == 1 else 's'}")
    width = max([len(e.state) + 2 * e.depth for e in result.trace] + [5])
    width = min(width, 48)
    lines.append(f"{'START':<13} {'DURATION':>8}  {'STATE':<{width}}  {'TYPE':<8}  OUTCOME")
    prev_path: tuple[str, ...] = ()
    for ev in result.trace:
        if ev.path != prev_path and ev.path:
            # header for a Parallel branch / Map iteration that starts here
            common = 0
            while common < min(len(ev.path), len(prev_path)) and ev.path[common] == prev_path[common]:
                common += 1
            for lvl in range(common, len(ev.path)):
                lines.append(f"{'':<13} {'':>8}  {'  ' * lvl}┆ {ev.path[lvl]}")
        prev_path = ev.path
        name = ("  " * ev.depth + ev.state)
        if len(name) > width:
            name = name[: width - 1] + "…"
        lines.append(f"{format_offset(ev.start):<13} {format_duration(ev.duration):>8}  {name:<{width}}  "
                     f"{ev.type:<8}  {_outcome(ev)}")
    retries = sum(len(e.retries) for e in result.trace)
    caught = sum(1 for e in result.trace if e.status == "caught")
    branches = sum(len(e.details.get("branches", ())) for e in result.trace)
    items = sum(e.details["iterations"]["items"] for e in result.trace if "iterations" in e.details)
    def n(count: int, word: str, plural: str | None = None) -> str:
        return f"{count} {word if count == 1 else (plural or word + 's')}"

    lines.append(f"summary: {n(len(result.trace), 'state visit')} ({len(result.states)} top level), "
                 f"{n(retries, 'retry', 'retries')}, {n(caught, 'caught error')}, {n(branches, 'branch', 'branches')}, "
                 f"{n(items, 'map item')}, virtual time {format_duration(result.elapsed_seconds)}")
    if result.status == "SUCCEEDED":
        lines.append(f"output: {_compact(result.output, 400)}")
    return "\n".join(lines)


def _state_record(ev: TraceEvent, start_time) -> dict[str, Any]:
    d: dict[str, Any] = {"kind": "state"}
    d.update(ev.to_dict(start_time))
    return d


def _summary_record(result: ExecutionResult, states: list[str]) -> dict[str, Any]:
    summary: dict[str, Any] = {"kind": "execution"}
    summary.update(result.to_dict())
    summary["end_time"] = iso_timestamp(result.start_time, result.elapsed_seconds)
    summary["states"] = states
    summary["mock_invocations"] = result.mock_invocations
    summary["elapsed_seconds"] = round_seconds(result.elapsed_seconds)
    return summary


def _json(result: ExecutionResult) -> str:
    events = [_state_record(ev, result.start_time) for ev in result.trace]
    events.append(_summary_record(result, result.states))
    return json.dumps(events, indent=2, ensure_ascii=False, default=str)


class JsonTraceWriter:
    """The JSON trace written while the execution runs (`sfnc run --format json`): a JSON array with one
    compact record per line, each state visit as it ends (nested visits before their Parallel/Map; `seq` is
    the order in which they were entered), then the ``"kind": "execution"`` summary. Nothing is kept per
    visit, so memory stays flat however many transitions run: the summary's ``states`` lists the first
    `STATES_KEPT` top-level states, and ``states_truncated`` says when there were more.

    Use ``writer.state`` as `run_execution`'s ``trace_sink`` (with ``keep_trace=False``), then
    ``writer.finish(result)``."""

    def __init__(self, stream: IO[str], start_time) -> None:
        self.stream = stream
        self.start_time = start_time
        self.first = True
        self.top: list[str] = []
        self.truncated = False
        stream.write("[\n")

    def _write(self, record: dict[str, Any]) -> None:
        if not self.first:
            self.stream.write(",\n")
        self.first = False
        self.stream.write(json.dumps(record, ensure_ascii=False, default=str))

    STATES_KEPT = 10_000

    def state(self, ev: TraceEvent) -> None:
        if ev.depth == 0:
            if len(self.top) < self.STATES_KEPT:
                self.top.append(ev.state)
            else:
                self.truncated = True
        self._write(_state_record(ev, self.start_time))

    def finish(self, result: ExecutionResult | None) -> None:
        if result is not None:
            summary = _summary_record(result, self.top)
            if self.truncated:
                summary["states_truncated"] = True
            self._write(summary)
        self.stream.write("\n]\n")


def timeout_hint(result: ExecutionResult) -> str | None:
    """Why a run timed out when a Wait until an absolute timestamp lies more than a year past the run's start
    (an execution lasts at most a year): the start time is fixed unless given, so a definition that waits until
    a date it assumes is near runs into the limit. None for any other run."""
    if result.status != "TIMED_OUT":
        return None
    ev = next((e for e in reversed(result.trace) if e.status == "timed_out"), None)
    if ev is None or ev.type != "Wait" or "wait_until" not in ev.details:
        return None
    if not ev.start + float(ev.details.get("wait_seconds") or 0) > EXECUTION_TIME_LIMIT:
        return None
    return (f"Wait state '{ev.state}' waits until {ev.details['wait_until']}, "
            f"{format_duration(ev.details['wait_seconds'])} after it starts (the run started at "
            f"{iso_timestamp(result.start_time, 0.0)}), and an execution ends after a year; to run from the time it "
            "assumes, pass --start-time (sfnc run) or set start_time (a scenario)")


def format_trace(result: ExecutionResult, fmt: str = "text") -> str:
    """Render ``result.trace``.

    ``text``: one line per state visit — virtual start offset, duration, state (indented when
    nested, with a ``┆ Branch/iteration`` header), type, and outcome (choice taken, wait,
    retries performed, branches executed, caught errors, next state).

    ``json``: a list of dicts, one per state visit (``"kind": "state"``, keys in a fixed order)
    followed by one ``"kind": "execution"`` summary.
    """
    if fmt == "text":
        return _text(result)
    if fmt == "json":
        return _json(result)
    raise ValueError(f"unknown trace format {fmt!r} (expected 'text' or 'json')")
