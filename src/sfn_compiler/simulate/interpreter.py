"""Offline interpreter for Step Functions definitions (JSONata, JSONPath or mixed): the run loop, field
evaluation, Retry/Catch, Task invocations against mocks; `run_execution` is the entry point.

Everything runs on a *virtual clock*: Wait states, Retry back-off and mocked Task
durations move the clock forward instantly. Parallel branches and Map iterations
are executed one after another (deterministically, in Branches / item order) but
each on its own clock that starts when the Parallel/Map started, so the virtual
timestamps show them overlapping as they would on AWS; the Parallel/Map ends at
the latest branch/iteration end. See ``docs/simulator.md`` for the semantics and
for the AWS behaviours the simulator had to guess.

Around it: `result` (what a run returns), `runtime` (clock, variable scopes, errors in flight),
`prepare` (static checks before the run), `states` (Pass, Succeed, Fail, Wait, Choice), `fanout` (Parallel
and Map), `expressions` (JSONata), `jsonpath_state` (a JSONPath state's data flow, as pure functions: this
module and the mixins only say when each stage runs and turn its `JsonPathFailure` into a `Failure`).

Why this module is long: the run loop, field evaluation, Retry/Catch and Task share one object's state
(clock, trace, scopes, counters); splitting them further would scatter one state machine's execution across
files without a seam between them.
"""

from __future__ import annotations

import copy
import json
import random
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from ..asl import walk
from . import expressions
from . import jsonpath_state as jp
from .budget import EXPRESSION_BUDGET, RUN_BUDGET, RunTimeout, run_budget
from .errors import RunBudgetExceeded, SimulationError, TransitionLimitExceeded
from .expressions import QueryError, is_expression
from .fanout import FanOut
from .jsonpath_state import JsonPathFailure
from .mocks import MockProvider, MockTable, mocks_from_spec
from .prepare import prepare
from .result import (ACCOUNT_ID, DEFAULT_START_TIME, EXECUTION_TIME_LIMIT, PAYLOAD_LIMIT_BYTES, QEE, REGION,
                     ExecutionResult, TraceEvent, iso_timestamp, round_seconds)
from .history import ENTERED, EXITED, HISTORY_LIMIT, MAX_EVENTS_CAP, HistoryLimitReached, history_limit_cause
from .runtime import (Clock, ExecTimeout, Failure, VariableScope, error_matches, json_text, over_payload_limit,
                      quoted, retry_delay, type_name)
from .states import SimpleStates
from .task import Tasks

__all__ = ["run_execution", "ExecutionResult", "TraceEvent", "DEFAULT_START_TIME"]


class Run(SimpleStates, FanOut, Tasks):
    def __init__(self, definition: Mapping[str, Any], input_: Any, mocks: MockProvider, *, name: str,
                 seed: int, max_transitions: int | None, start_time: datetime, execution_name: str | None,
                 check_payload_size: bool, jsonpath_states: frozenset[str] = frozenset(),
                 max_events: int = HISTORY_LIMIT, record_history: bool = False,
                 sink: Callable[[TraceEvent], None] | None = None, keep_trace: bool = True,
                 time_budget: float | None = RUN_BUDGET, expression_budget: float | None = EXPRESSION_BUDGET) -> None:
        self.definition = definition
        self.jsonpath = jsonpath_states  # the names of the states that use JSONPath (from `prepare`)
        self.input = input_
        self.mocks = mocks
        self.name = name
        self.seed = seed
        self.max_transitions = max_transitions
        self.max_events = max_events
        self.event_id = 1  # ExecutionStarted
        self.history: list[tuple[int, str, str | None]] | None = [(1, "ExecutionStarted", None)] \
            if record_history else None
        self.entered: dict[str, int] = {}  # state name -> the id of its latest ...StateEntered event
        if start_time.tzinfo is None:
            start_time = start_time.replace(tzinfo=timezone.utc)
        self.start_time = start_time
        self.start_ms = int(round(start_time.timestamp() * 1000))
        self.check_payload_size = check_payload_size
        self.time_budget = time_budget
        self.ectx = expressions.EvalContext(self.start_ms, seed, expression_budget)
        self.rng_jitter = random.Random(f"sfnc:{seed}:jitter")
        self.rng_names = random.Random(f"sfnc:{seed}:names")
        self.execution_name = execution_name or self._uuid()
        self.trace: list[TraceEvent] = []
        self.visits = 0  # state visits so far (the next visit's `seq`)
        self.sink = sink  # called with each visit when it ends (a streamed trace)
        self.keep_trace = keep_trace
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
        self.top_scope = VariableScope()
        self._iso_cache: dict[float, str] = {}
        self._last_checked: Any = None
        self._now_bound: float | None = 0.0  # the virtual time `ectx.now_ms` was computed from (start_ms: 0.0)
        #: id(field node) -> (node, its evaluator: `expressions.field_evaluator`), made on the field's first use
        self._fields: dict[int, tuple[Any, Callable[[Mapping[str, Any]], Any]]] = {}
        #: id(state) -> (state, whether its expressions may read the context object): `_jsonata_context`
        self._context_reads: dict[int, tuple[Mapping[str, Any], bool]] = {}

    # ------------------------------------------------------------------ helpers

    def _context(self, name: str, entered: float, retry_count: int | None) -> dict[str, Any]:
        """The context object. `State.RetryCount` exists only in states that can retry (Task, Parallel, Map;
        None elsewhere): recorded for a Pass state as `{"Name", "EnteredTime"}` (jsonpath-base-012,
        mixed-outputdecl-001)."""
        entered_text = self._iso_cache.get(entered)
        if entered_text is None:
            if len(self._iso_cache) > 4096:
                self._iso_cache.clear()
            entered_text = self._iso_cache[entered] = iso_timestamp(self.start_time, entered)
        state: dict[str, Any] = {"EnteredTime": entered_text, "Name": name}
        if retry_count is not None:
            state["RetryCount"] = retry_count
        return {"Execution": self.exec_ctx, "State": state, "StateMachine": self.sm_ctx}

    def _jsonata_context(self, name: str, sd: Mapping[str, Any], entered: float,
                         retry_count: int | None = None) -> dict[str, Any] | None:
        """The context object of a JSONata state, or None when none of the state's expressions can read it
        (`expressions.reads_context`, decided once per state): building it for every visit was an eighth of a
        poll loop's time."""
        entry = self._context_reads.get(id(sd))
        if entry is None or entry[0] is not sd:  # the state is kept in the entry, so its id stays its own
            entry = self._context_reads[id(sd)] = (sd, expressions.reads_context(sd))
        return self._context(name, entered, retry_count) if entry[1] else None

    def _jp_env(self, scope: VariableScope, ctx: Mapping[str, Any]) -> jp.Env:
        """What a JSONPath state's paths read besides its data: `$$`, the variables in scope, the random source."""
        return jp.Env(ctx, scope.values(), self.ectx.rng_uuid)

    def _uuid(self) -> str:
        """A UUID for the names AWS generates (execution, Map Run, child executions), from the run's seed."""
        return str(uuid.UUID(int=self.rng_names.getrandbits(128), version=4))

    def _emit(self, kind: str, name: str | None = None) -> int:
        """Write one history event; the one that would be number `max_events` fails the execution instead."""
        n = self.event_id + 1
        if n >= self.max_events:
            raise HistoryLimitReached()
        self.event_id = n
        if self.history is not None:
            self.history.append((n, kind, name))
        return n

    def _prefix(self, name: str) -> str:
        """How AWS starts the cause of an error raised while a state runs."""
        eid = self.entered.get(name)
        where = f" (entered at the event id #{eid})" if eid is not None else ""
        return f"An error occurred while executing the state '{name}'{where}."

    def _qee(self, name: str, detail: str) -> Failure:
        """A States.QueryEvaluationError of state `name` (writes its EvaluationFailed event)."""
        self._emit("EvaluationFailed", name)
        return Failure(QEE, f"{self._prefix(name)} {detail}", name)

    def _jp_failure(self, jf: JsonPathFailure, name: str) -> Failure:
        return Failure(jf.error, jf.cause(name, self.entered.get(name)), name)

    def _bind(self, scope: VariableScope, states: dict[str, Any], clock: Clock) -> dict[str, Any]:
        now = clock.now
        if now != self._now_bound:  # $now() and $millis() read the time of the latest binding
            self._now_bound = now
            self.ectx.now_ms = self.start_ms + int(round(now * 1000))
        b = scope.bindings()
        b["states"] = states
        return b

    def _field(self, name: str, field_name: str, node: Any, b: Mapping[str, Any]) -> Any:
        entry = self._fields.get(id(node))
        if entry is None or entry[0] is not node:  # the node is kept in the entry, so its id stays its own
            if len(self._fields) > 65536:  # a bound: the fields are the definition's, a few per state
                self._fields.clear()
            entry = self._fields[id(node)] = (node, expressions.field_evaluator(node))
        try:
            return entry[1](b)
        except QueryError as exc:
            path = "/".join([field_name, *getattr(exc, "path", [])])
            raise self._qee(name, f"The JSONata expression '{quoted(getattr(exc, 'source', node))}' specified for "
                                  f"the field '{path}' {exc.detail}") from None

    def _type_error(self, name: str, field_name: str, node: Any, expected: str, value: Any) -> Failure:
        if is_expression(node):  # AWS's words, recorded for Map Items (jsonata-scenarios-011 ...)
            return self._qee(name, f"The JSONata expression '{quoted(node)}' specified for the field '{field_name}' "
                                   f"returned an unexpected result type. Expected {expected}, but was "
                                   f"'{type_name(value)}' for value: {json_text(value)}")
        return self._qee(name, f"The field '{field_name}' must be {expected}, but was {json_text(value)}")

    def _int_field(self, name: str, sd: Mapping[str, Any], key: str, b: Mapping[str, Any], minimum: int,
                   maximum: int | None = None) -> int | None:
        if key not in sd:
            return None
        node = sd[key]
        value = self._field(name, key, node, b)
        ok = (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
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
        if type(node) is not dict and not isinstance(node, Mapping):
            raise self._qee(name, f"The field '{field_name}' must be an object")
        return self._field(name, field_name, node, b)

    def _store(self, name: str, values: dict[str, Any], scope: VariableScope, ev: TraceEvent) -> None:
        """Assign evaluated variables (either query language) in `scope` and show them on the trace event."""
        if values:
            if self.check_payload_size and over_payload_limit(values):
                raise Failure("States.DataLimitExceeded",
                               f"The variables assigned by state '{name}' exceed the 256 KiB limit", name)
            scope.assign(values)
            ev.assigned = values

    def _check_size(self, value: Any, name: str, what: str) -> None:
        if not self.check_payload_size or value is self._last_checked:
            return  # pass-through of an already checked payload (Choice, Wait, default Task output …)
        t = type(value)
        if t is dict or t is list or (t is str and len(value) * 4 > PAYLOAD_LIMIT_BYTES):
            if over_payload_limit(value):
                raise Failure("States.DataLimitExceeded",
                               f"The {what} of state '{name}' is larger than the 256 KiB payload limit", name)
            self._last_checked = value

    def _transition(self) -> None:
        self.transitions += 1  # (inlined in _run_state)
        if self.max_transitions is not None and self.transitions > self.max_transitions:
            self._transition_limit()

    def _transition_limit(self) -> None:
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
        timeout = self.definition.get("TimeoutSeconds")
        limited = timeout is None or timeout > EXECUTION_TIME_LIMIT  # the year ends the run before TimeoutSeconds
        clock = Clock(0.0, EXECUTION_TIME_LIMIT if limited else float(timeout))
        status, output, error, cause, error_state = "SUCCEEDED", None, None, None, None
        try:
            if self.check_payload_size:
                try:
                    self._check_size(self.input, "(execution)", "input")
                except Failure as f:
                    raise SimulationError(f"execution input rejected: {f.cause}") from None
            with run_budget(self.time_budget):
                output = self._run_container(self.definition, self.input, self.top_scope, clock, (), 0)
        except Failure as f:
            status, error, cause, error_state = "FAILED", f.error, f.cause, f.state
        except ExecTimeout:
            status, error = "TIMED_OUT", "States.Timeout"
            cause = (f"The execution exceeded its TimeoutSeconds ({timeout} s of virtual time)" if not limited else
                     f"The execution exceeded the maximum execution time of one year ({EXECUTION_TIME_LIMIT:,} s "
                     "of virtual time)")
        except HistoryLimitReached:
            status, error, cause = "FAILED", "States.Runtime", history_limit_cause(self.max_events)
        except SimulationError as exc:
            exc.result = self._result("ABORTED", None, None, str(exc), None, clock)
            raise
        except RunTimeout:
            msg = (f"the run took more than {self.time_budget:g} s of real time (time_budget); a Map over very many "
                   "items or a long loop? Lower the work or raise the budget")
            raise RunBudgetExceeded(msg, result=self._result("ABORTED", None, None, msg, None, clock)) from None
        if self.history is not None:
            self.history.append((self.event_id + 1, {"SUCCEEDED": "ExecutionSucceeded", "FAILED": "ExecutionFailed",
                                                     "TIMED_OUT": "ExecutionTimedOut"}[status], None))
        return self._result(status, output, error, cause, error_state, clock)

    def _result(self, status: str, output: Any, error: str | None, cause: str | None,
                error_state: str | None, clock: Clock) -> ExecutionResult:
        return ExecutionResult(
            status=status,
            output=copy.deepcopy(output),
            error=error,
            cause=cause,
            trace=self.trace,
            variables=copy.deepcopy(self.top_scope.vars),
            transitions=self.transitions,
            elapsed_seconds=round_seconds(clock.now) or 0,
            name=self.name,
            execution_name=self.execution_name,
            start_time=self.start_time,
            error_state=error_state,
            input=self.input,
            mock_invocations=dict(self.invocations),
            events=self.event_id + 1,
            history=self.history,
        )

    def _run_container(self, container: Mapping[str, Any], inp: Any, scope: VariableScope, clock: Clock,
                       path: tuple[str, ...], depth: int) -> Any:
        states = container["States"]
        name = container["StartAt"]
        while True:
            nxt, inp = self._run_state(name, states[name], inp, scope, clock, path, depth)
            if nxt is None:
                return inp
            name = nxt

    def _run_state(self, name: str, sd: Mapping[str, Any], inp: Any, scope: VariableScope, clock: Clock,
                   path: tuple[str, ...], depth: int) -> tuple[str | None, Any]:
        self.transitions += 1
        if self.max_transitions is not None and self.transitions > self.max_transitions:
            self._transition_limit()
        typ = sd["Type"]
        # positionally (end, status, input): a keyword argument made this a fortieth of a Pass/Choice loop
        ev = TraceEvent(self.visits, name, typ, path, depth, clock.now, None, "running", inp)
        self.visits += 1
        if self.keep_trace:
            self.trace.append(ev)
        try:
            ev.event_id = self.entered[name] = self._emit(ENTERED[typ], name)
            try:
                handlers = self.jp_handlers if name in self.jsonpath else self.handlers
                nxt, out = handlers[typ](name, sd, inp, scope, clock, path, depth, ev)
            except JsonPathFailure as jf:
                raise self._jp_failure(jf, name) from None
            self._check_size(out, name, "output")
            self._emit(EXITED[typ], name)
            if ev.status == "running":
                ev.status = "succeeded"
            ev.output = out
            ev.next = nxt
            return nxt, out
        except Failure as f:
            ev.status, ev.error, ev.cause = "failed", f.error, f.cause
            if f.state is None:
                f.state = name
            raise
        except ExecTimeout:
            ev.status = "timed_out"
            raise
        except HistoryLimitReached:
            ev.status, ev.error, ev.cause = "failed", "States.Runtime", history_limit_cause(self.max_events)
            raise
        except SimulationError as exc:
            ev.status, ev.error, ev.cause = "aborted", type(exc).__name__, str(exc)
            raise
        finally:
            ev.end = clock.now
            if self.sink is not None:
                self.sink(ev)

    # ------------------------------------------------------------------ Retry / Catch wrapper

    def _with_retry_catch(self, name: str, sd: Mapping[str, Any], inp: Any, scope: VariableScope, clock: Clock,
                          ev: TraceEvent, body: Callable[[dict[str, Any] | None], Any], *, lazy_context: bool = False
                          ) -> tuple[str | None, Any]:
        """Run `body(context object)` with the state's Retry and Catch; with `lazy_context` (a JSONata Task that
        needs no task token) the context object is None when no expression of the state reads it."""
        jsonpath = name in self.jsonpath
        retriers: list[dict[str, Any]] | None = None  # read at the first failure
        counts: list[int] = []
        retry_total = 0
        entered = clock.now
        while True:
            ctx = (self._jsonata_context(name, sd, entered, retry_total) if lazy_context and not jsonpath else
                   self._context(name, entered, retry_total))
            try:
                result = body(ctx)
                if jsonpath:
                    env = self._jp_env(scope, ctx)
                    values = jp.assigned(sd.get("Assign"), result, env)  # "$" is the result (ASL spec)
                    out = jp.apply_result(sd, inp, result, env)
                else:
                    b = self._bind(scope, {"input": inp, "context": ctx, "result": result}, clock)
                    out = self._field(name, "Output", sd["Output"], b) if "Output" in sd else result
                    values = self._assign(name, sd.get("Assign"), b)
                self._store(name, values, scope, ev)
                return self._next(sd, ev), out
            except Failure as f:
                failure = f
            except JsonPathFailure as jf:
                failure = self._jp_failure(jf, name)
            # ---- Retry
            if retriers is None:
                retriers = [r.raw for r in walk.entries(sd, "Retry")]
                counts = [0] * len(retriers)
            for idx, r in enumerate(retriers):
                if error_matches(r.get("ErrorEquals"), failure.error):
                    break
            else:
                idx = -1
            if idx >= 0:
                r = retriers[idx]
                max_attempts = r.get("MaxAttempts", 3)
                if counts[idx] < max_attempts:
                    counts[idx] += 1
                    retry_total += 1
                    delay = retry_delay(r.get("IntervalSeconds", 1), r.get("BackoffRate", 2.0), counts[idx],
                                        r.get("MaxDelaySeconds"))
                    base_delay = delay
                    if r.get("JitterStrategy") == "FULL":
                        delay = self.rng_jitter.uniform(0, delay)
                    delay = round(delay, 3)
                    ev.retries.append({
                        "retrier": idx, "attempt": counts[idx], "error": failure.error, "cause": failure.cause,
                        "failed_at": round_seconds(clock.now), "delay": round_seconds(delay),
                        "computed_delay": round_seconds(base_delay),
                    })
                    self._transition()
                    clock.advance(delay)
                    continue
            if failure.error != "States.Runtime" and sd["Type"] in ("Map", "Parallel"):
                self._emit(sd["Type"] + "StateFailed", name)  # once it fails for good (recorded: not per attempt)
            # ---- Catch
            for cidx, _, c in walk.entries(sd, "Catch"):
                if error_matches(c.get("ErrorEquals"), failure.error):
                    break
            else:
                raise failure
            err_out = failure.error_output()
            if jsonpath:
                values = jp.assigned(c.get("Assign"), err_out, self._jp_env(scope, ctx))  # "$": the error output
                out = jp.catch_output(c, inp, err_out)
            else:
                b = self._bind(scope, {"input": inp, "context": ctx, "errorOutput": err_out}, clock)
                out = self._field(name, f"Catch[{cidx}]/Output", c["Output"], b) if "Output" in c else err_out
                values = self._assign(name, c.get("Assign"), b, f"Catch[{cidx}]/Assign")
            self._store(name, values, scope, ev)
            ev.status = "caught"
            ev.error, ev.cause = failure.error, failure.cause
            ev.caught = {"catcher": cidx, "error": failure.error, "cause": failure.cause, "next": c["Next"],
                         "origin": failure.state}
            ev.transition = ("catch", cidx, c["Next"])
            return c["Next"], out


def run_execution(
    definition: Mapping[str, Any],
    input: Any = None,  # noqa: A002 - public API name
    mocks: MockProvider | Mapping[str, Any] | None = None,
    *,
    name: str = "machine",
    seed: int = 0,
    max_transitions: int | None = None,
    max_events: int = HISTORY_LIMIT,
    record_history: bool = False,
    start_time: datetime = DEFAULT_START_TIME,
    execution_name: str | None = None,
    check_payload_size: bool = True,
    trace_sink: Callable[[TraceEvent], None] | None = None,
    keep_trace: bool = True,
    time_budget: float | None = RUN_BUDGET,
    expression_budget: float | None = EXPRESSION_BUDGET,
) -> ExecutionResult:
    """Run ``definition`` (a parsed ASL dict, JSONata, JSONPath or mixed) offline with every Task mocked.

    ``mocks`` is a :class:`MockProvider` or a mapping in the scenario ``mocks:`` syntax.
    Returns an :class:`ExecutionResult` whose status is SUCCEEDED, FAILED or TIMED_OUT (FAILED with
    ``States.Runtime`` when the history would pass ``max_events`` events, AWS's 25,000 by default).
    ``trace_sink`` is called with each state visit when it ends (a streamed trace); with ``keep_trace=False``
    the result's ``trace`` stays empty, so memory does not grow with the number of transitions.
    ``record_history`` keeps AWS's history events as ``(id, type, state)`` in ``result.history``.
    ``expression_budget`` bounds one JSONata evaluation (seconds of real time; past it the expression fails
    with ``States.QueryEvaluationError`` "Expression evaluation timeout", as AWS's 1 s limit does) and
    ``time_budget`` the whole run (:class:`RunBudgetExceeded`); None lifts a bound.
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
    if isinstance(max_events, bool) or not isinstance(max_events, int) or not 2 <= max_events <= MAX_EVENTS_CAP:
        raise SimulationError(f"max_events must be an integer from 2 to {MAX_EVENTS_CAP:,}, got {max_events!r}")
    jsonpath_states = prepare(definition)
    run = Run(definition, input, provider, name=name, seed=seed, max_transitions=max_transitions,
              start_time=start_time, execution_name=execution_name, check_payload_size=check_payload_size,
              jsonpath_states=jsonpath_states, max_events=max_events, record_history=record_history,
              sink=trace_sink, keep_trace=keep_trace, time_budget=time_budget, expression_budget=expression_budget)
    expressions.CONTEXT.set(run.ectx)
    return run.execute()
