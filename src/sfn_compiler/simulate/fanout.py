"""Parallel and Map states: branches and iterations run one after another (deterministically), each on its
own clock that starts when the Parallel/Map started; `FanOut` is mixed into the interpreter's run. In a
JSONPath state, the Parallel's input, the Map's items, limits and item selection come from `jsonpath_state`.
"""

from __future__ import annotations

import heapq
from typing import Any

from ..asl import walk
from . import jsonpath_state as jp
from . import map_io
from .errors import MockMissing
from .history import HISTORY_LIMIT, HistoryLimitReached, history_limit_cause
from .result import ACCOUNT_ID, REGION, iso_timestamp, round_seconds
from .runtime import Clock, Failure, VariableScope, json_size, json_text

#: the Arguments of a ResultWriter or ItemReader without them (one object: `Run._field` keeps an evaluator per
#: field object)
_NO_ARGUMENTS: dict[str, Any] = {}


class FanOut:
    """The Parallel / Map / ItemBatcher part of `interpreter.Run` (a mixin: it uses the run's helpers)."""

    def _parallel(self, name, sd, inp, scope, clock, path, depth, ev):
        branches = sd["Branches"]

        def body(ctx: dict[str, Any]) -> Any:
            if name in self.jsonpath:
                args = jp.effective_input(sd, inp, self._jp_env(scope, ctx))
            else:
                b = self._bind(scope, {"input": inp, "context": ctx}, clock)
                args = self._field(name, "Arguments", sd["Arguments"], b) if "Arguments" in sd else inp
            self._emit("ParallelStateStarted", name)
            summary: list[dict[str, Any]] = []
            ev.details["branches"] = summary
            results, start, end = [], clock.now, clock.now
            for i, br in enumerate(branches):
                bclock = Clock(start, clock.deadline)
                entry: dict[str, Any] = {"index": i, "status": "running", "start": round_seconds(start)}
                summary.append(entry)
                try:
                    out = self._run_container(br, args, VariableScope(scope), bclock, path + (f"{name}/branch {i}",),
                                              depth + 1)
                except Failure as f:
                    entry.update(status="failed", end=round_seconds(bclock.now), error=f.error)
                    summary.extend({"index": j, "status": "cancelled"} for j in range(i + 1, len(branches)))
                    clock.now = bclock.now
                    raise
                except BaseException:
                    entry.update(status="aborted", end=round_seconds(bclock.now))
                    clock.now = max(clock.now, bclock.now)
                    raise
                entry.update(status="succeeded", end=round_seconds(bclock.now))
                results.append(out)
                end = max(end, bclock.now)
            clock.now = end
            self._emit("ParallelStateSucceeded", name)
            return results

        return self._with_retry_catch(name, sd, inp, scope, clock, ev, body)

    # ------------------------------------------------------------------ Map

    def _map(self, name, sd, inp, scope, clock, path, depth, ev):
        proc = walk.processor(sd)
        pconf = proc.get("ProcessorConfig") or {}
        mode = pconf.get("Mode", "INLINE")
        distributed = mode == "DISTRIBUTED"
        jsonpath = name in self.jsonpath
        reader, writer = sd.get("ItemReader"), sd.get("ResultWriter")

        def body(ctx: dict[str, Any]) -> Any:
            jp_env = jp_eff = b = None
            if jsonpath:  # ItemsPath etc. read the input after InputPath
                jp_env = self._jp_env(scope, ctx)
                jp_eff = jp.select_input(sd, inp, jp_env)
                items = None if reader is not None else jp.map_items(sd, jp_eff, jp_env)
            else:
                b = self._bind(scope, {"input": inp, "context": ctx}, clock)
                if reader is not None:
                    items = None
                elif "Items" in sd:
                    items = self._field(name, "Items", sd["Items"], b)
                    if not isinstance(items, list):
                        raise self._type_error(name, "Items", sd["Items"], "'array'", items)
                else:
                    items = inp
                    if not isinstance(items, list):  # recorded: jsonata-scenarios-020 ... -022
                        raise self._qee(name, f"Map state input must be an array but was: {json_text(items)}")
            # recorded: MaxConcurrencyPath is read before MapStateStarted (jsonpath-scenarios-076), the tolerance
            # paths and MaxItemsPath after it (jsonpath-scenarios-061, -063; MaxItemsPath 1.5)
            if jsonpath:
                max_conc = jp.map_max_concurrency(sd, jp_eff, jp_env)
            else:
                max_conc = self._int_field(name, sd, "MaxConcurrency", b, 0) or 0
            self._emit("MapStateStarted", name)
            if jsonpath:
                tol_count = jp.map_tolerated_failure_count(sd, jp_eff, jp_env)
                tol_pct = jp.map_tolerated_failure_percentage(sd, jp_eff, jp_env)
                reader_limit = jp.map_reader_max_items(reader, jp_eff, jp_env) if reader is not None else None
            else:
                tol_count = self._int_field(name, sd, "ToleratedFailureCount", b, 0)
                tol_pct = self._number_field(name, sd, "ToleratedFailurePercentage", b, 0, 100)
                reader_limit = None
                if reader is not None and "MaxItems" in (reader.get("ReaderConfig") or {}):
                    reader_limit = self._field(name, "ItemReader/ReaderConfig/MaxItems",
                                               reader["ReaderConfig"]["MaxItems"], b)
            run_arn = run_id = None
            if distributed:
                run_id = self._uuid()
                label = sd.get("Label") or name
                run_arn = (f"arn:aws:states:{REGION}:{ACCOUNT_ID}:mapRun:{self.name}/{label}:{run_id}")
                self._emit("MapRunStarted", name)
            try:
                if reader is not None:
                    items = self._read_items(name, reader, reader_limit, inp, jp_eff, jp_env, b)
                results = self._iterate(name, sd, proc, items, ctx, inp, scope, clock, path, depth, ev, mode,
                                        max_conc, tol_count, tol_pct, jp_eff, jp_env, b, run_arn)
                if writer is not None:
                    args = (jp.map_writer_parameters(writer, jp_eff, jp_env) if jsonpath else
                            self._field(name, "ResultWriter/Arguments", writer.get("Arguments", _NO_ARGUMENTS), b))
                    results = map_io.writer_result(run_arn or "", run_id or "", args)
            except map_io.ReaderFailure as rf:
                if distributed:
                    self._emit("MapRunFailed", name)
                raise Failure(rf.error, rf.cause, name) from None
            except Failure:
                if distributed:
                    self._emit("MapRunFailed", name)
                raise
            if distributed:
                self._emit("MapRunSucceeded", name)
            self._emit("MapStateSucceeded", name)
            return results

        return self._with_retry_catch(name, sd, inp, scope, clock, ev, body)

    def _read_items(self, name, reader, limit, inp, jp_eff, jp_env, b) -> list[Any]:
        """The items an ItemReader reads: its S3 call is answered by the mock of the Map state."""
        kind = map_io.resource_kind(reader.get("Resource"))
        if kind is None:
            raise map_io.ReaderFailure(f"ItemReader Resource {reader.get('Resource')!r} is not s3:getObject or "
                                       "s3:listObjectsV2")
        config = reader.get("ReaderConfig") or {}
        if kind == "getObject" and config.get("InputType") == "CSV":
            map_io.csv_headers(config)  # AWS refuses duplicate declared headers before it reads (recorded)
        limit = map_io.max_items(limit)
        if jp_env is not None:
            jp.map_reader_parameters(reader, jp_eff, jp_env)
        else:
            self._field(name, "ItemReader/Arguments", reader.get("Arguments", _NO_ARGUMENTS), b)
        idx = self.invocations.get(name, 0)
        self.invocations[name] = idx + 1
        resp = self.mocks.response(name, idx)
        if resp is None:
            raise MockMissing(f"Map state '{name}' reads its items with ItemReader (s3:{kind}), and no mocked "
                              f"response gives them: {self.mocks.missing_message(name, idx)}; mock '{name}' with "
                              + ('{"Body": "<the object\'s content>"}' if kind == "getObject"
                                 else '{"Contents": [{"Key": ..., "Size": ...}]}'))
        if resp.throws:
            raise map_io.ReaderFailure(resp.cause or resp.error or "", map_io.ITEM_READER_FAILED
                                       if not resp.error else resp.error)
        return map_io.read_items(kind, config, resp.result, limit)

    def _iterate(self, name, sd, proc, items, ctx, inp, scope, clock, path, depth, ev, mode, max_conc, tol_count,
                 tol_pct, jp_eff, jp_env, b, run_arn) -> list[Any]:
        jsonpath = jp_env is not None
        distributed = mode == "DISTRIBUTED"
        zero_tolerance = not tol_count and not tol_pct
        start = clock.now
        info: dict[str, Any] = {"mode": mode, "items": len(items), "max_concurrency": max_conc, "succeeded": 0,
                                "failed": 0, "cancelled": 0, "failures": []}
        if tol_count is not None:
            info["tolerated_failure_count"] = tol_count
        if tol_pct is not None:
            info["tolerated_failure_percentage"] = tol_pct
        if run_arn:
            info["map_run_arn"] = run_arn
        ev.details["iterations"] = info

        def select(i: int, item: Any) -> Any:
            if jsonpath:  # ItemSelector (or the legacy Parameters) with "$" = the effective input
                return jp.map_item_input(sd, jp_eff, i, item, jp_env)
            if "ItemSelector" not in sd:
                return item
            mctx = dict(ctx)
            mctx["Map"] = {"Item": {"Index": i, "Value": item}}
            bs = self._bind(scope, {"input": inp, "context": mctx}, clock)
            return self._field(name, "ItemSelector", sd["ItemSelector"], bs)

        batcher = sd.get("ItemBatcher")
        if batcher is not None:
            chosen = [select(i, x) for i, x in enumerate(items)]
            if jsonpath:
                max_items, max_bytes, batch_input = jp.map_batcher(batcher, jp_eff, jp_env)
            else:
                max_items = self._int_field(name, batcher, "MaxItemsPerBatch", b, 1)
                max_bytes = self._int_field(name, batcher, "MaxInputBytesPerBatch", b, 1, map_io.MAX_BATCH_BYTES)
                batch_input = (self._field(name, "ItemBatcher/BatchInput", batcher["BatchInput"], b)
                               if "BatchInput" in batcher else None)
            selected: list[Any] = map_io.batches(chosen, max_items, max_bytes, batch_input, json_size)
            info["batches"] = len(selected)
            lazy = False
        else:
            selected, lazy = items, True
        total = len(selected)
        results: list[Any] = [None] * total
        slots: list[float] = []
        # AWS runs at most 40 inline iterations (developer guide, "Inline mode") and 10,000 child executions at
        # a time, whatever MaxConcurrency says: the timing of the iterations shows it
        cap = map_io.MAX_CHILD_EXECUTIONS if distributed else map_io.MAX_INLINE_CONCURRENCY
        max_conc = min(max_conc, cap) if max_conc else cap
        end = start
        failures = 0
        for i, it_input in enumerate(selected):
            if max_conc and len(slots) >= max_conc:
                t0 = heapq.heappop(slots)
            else:
                t0 = start
            iclock = Clock(t0, clock.deadline)
            if lazy:
                clock.now, saved = t0, clock.now
                try:
                    it_input = select(i, it_input)
                finally:
                    clock.now = saved
            try:
                if distributed:
                    out = self._child_execution(name, sd, proc, it_input, iclock, path + (f"{name}/item {i}",),
                                                depth + 1)
                else:
                    self._emit("MapIterationStarted", name)
                    out = self._run_container(proc, it_input, VariableScope(scope), iclock,
                                              path + (f"{name}/item {i}",), depth + 1)
                    self._emit("MapIterationSucceeded", name)
            except Failure as f:
                if not distributed:
                    self._emit("MapIterationFailed", name)
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
                    raise Failure("States.ExceedToleratedFailureThreshold",
                                  "The specified tolerated failure threshold was exceeded", name) from None
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

    def _child_execution(self, name, sd, proc, it_input, iclock, path, depth) -> Any:
        """One child execution of a Distributed Map: its own history (and history limit), its own context
        object (`Execution` and `StateMachine` of the child) and no access to the parent's variables."""
        express = (proc.get("ProcessorConfig") or {}).get("ExecutionType") == "EXPRESS"
        label = sd.get("Label") or name
        child = self._uuid()
        sm_name = f"{self.name}/{label}"
        if express:
            exec_id = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:express:{sm_name}:{child}:{self._uuid()}"
        else:
            exec_id = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:{sm_name}:{child}"
        exec_ctx = {"Id": exec_id, "Input": it_input, "Name": child, "RoleArn": self.exec_ctx["RoleArn"],
                    "StartTime": iso_timestamp(self.start_time, iclock.now)}
        if not express:
            exec_ctx["RedriveCount"] = 0
        saved = (self.exec_ctx, self.sm_ctx, self.event_id, self.max_events, self.history)
        self.exec_ctx = exec_ctx
        self.sm_ctx = {"Id": f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{sm_name}", "Name": sm_name}
        self.event_id, self.history = 1, None
        self.max_events = HISTORY_LIMIT if not express else 2**62
        try:
            return self._run_container(proc, it_input, VariableScope(None), iclock, path, depth)
        except HistoryLimitReached:
            raise Failure("States.Runtime", history_limit_cause(self.max_events), name) from None
        finally:
            self.exec_ctx, self.sm_ctx, self.event_id, self.max_events, self.history = saved
