"""Parallel and Map states: branches and iterations run one after another (deterministically), each on its
own clock that starts when the Parallel/Map started; `FanOut` is mixed into the interpreter's run. In a
JSONPath state, the Parallel's input, the Map's items, limits and item selection come from `jsonpath_state`.
"""

from __future__ import annotations

import heapq
from typing import Any, Mapping

from ..asl import walk
from . import jsonpath_state as jp
from .result import QEE, round_seconds
from .runtime import Clock, Failure, VariableScope, json_size, short, type_name


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
            return results

        return self._with_retry_catch(name, sd, inp, scope, clock, ev, body)

    # ------------------------------------------------------------------ Map

    def _map(self, name, sd, inp, scope, clock, path, depth, ev):
        proc = walk.processor(sd)
        mode = (proc.get("ProcessorConfig") or {}).get("Mode", "INLINE")
        distributed = mode == "DISTRIBUTED"
        jsonpath = name in self.jsonpath

        def body(ctx: dict[str, Any]) -> Any:
            jp_env = jp_eff = None
            if jsonpath:  # ItemsPath etc. read the input after InputPath (ItemBatcher: refused by `prepare`)
                jp_env = self._jp_env(scope, ctx)
                jp_eff = jp.select_input(sd, inp, jp_env)
                items = jp.map_items(sd, jp_eff, jp_env)
                max_conc = jp.map_max_concurrency(sd, jp_eff, jp_env)
                tol_count = jp.map_tolerated_failure_count(sd, jp_eff, jp_env)
                tol_pct = jp.map_tolerated_failure_percentage(sd, jp_eff, jp_env)
            else:
                b = self._bind(scope, {"input": inp, "context": ctx}, clock)
                if "Items" in sd:
                    items = self._field(name, "Items", sd["Items"], b)
                    if not isinstance(items, list):
                        raise self._type_error(name, "Items", sd["Items"], "'array'", items)
                else:
                    items = inp
                    if not isinstance(items, list):
                        raise Failure(QEE, f"An error occurred while executing the state '{name}'. The Map "
                                           "state has no 'Items' field, so its input must be an array, but was "
                                           f"'{type_name(items)}' for value: {short(items)}", name)
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
                iclock = Clock(t0, clock.deadline)
                if lazy:
                    clock.now, saved = t0, clock.now
                    try:
                        it_input = select(i, it_input)
                    finally:
                        clock.now = saved
                try:
                    out = self._run_container(proc, it_input, VariableScope(None if distributed else scope), iclock,
                                              path + (f"{name}/item {i}",), depth + 1)
                except Failure as f:
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
            isize = json_size(item) + 1 if max_bytes else 0
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
