"""PROTOTYPE: run JSONPath states in the current interpreter through :mod:`.jsonpath_state`.

A mixin of the interpreter's ``_Run``: it holds only the glue (which context object, which variables,
where each pipeline stage is called); the JSONPath semantics live in :mod:`.jsonpath_state`. Expected
to be redone on top of the refactored simulator (issue 10).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from . import jsonpath_state as jp

__all__ = ["JsonPathStates", "is_jsonpath"]


def is_jsonpath(sd: Mapping[str, Any], top_ql: str) -> bool:
    """A state's query language: its own ``QueryLanguage``, else the machine's (default JSONPath)."""
    return sd.get("QueryLanguage", top_ql) != "JSONata"


class JsonPathStates:
    """Handlers and hooks for JSONPath states (mixed into ``interpreter._Run``)."""

    # provided by _Run
    definition: Mapping[str, Any]
    ectx: Any
    start_time: Any

    def _is_jp(self, sd: Mapping[str, Any]) -> bool:
        return is_jsonpath(sd, self.definition.get("QueryLanguage", "JSONPath"))

    def _jp_env(self, scope: Any, ctx: Mapping[str, Any]) -> jp.Env:
        chain = []
        s = scope
        while s is not None:
            chain.append(s.vars)
            s = s.parent
        variables: dict[str, Any] = {}
        for vars_ in reversed(chain):
            variables.update(vars_)
        return jp.Env(ctx, variables, self.ectx.rng_uuid)

    def _jp_assign(self, name: str, values: dict[str, Any], scope: Any, ev: Any) -> None:
        from .interpreter import PAYLOAD_LIMIT_BYTES, _Failure, _json_size

        if values:
            if self.check_payload_size and _json_size(values) > PAYLOAD_LIMIT_BYTES:  # type: ignore[attr-defined]
                raise _Failure("States.DataLimitExceeded",
                               f"The variables assigned by state '{name}' exceed the 256 KiB limit", name)
            scope.assign(values)
            ev.assigned = values

    # ------------------------------------------------------------------ simple states

    def _jp_pass(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))  # type: ignore[attr-defined]
        result = jp.pass_result(sd, jp.effective_input(sd, inp, env))
        values = jp.assigned(sd.get("Assign"), result, env)
        out = jp.apply_result(sd, inp, result, env)
        self._jp_assign(name, values, scope, ev)
        return self._next(sd, ev), out  # type: ignore[attr-defined]

    def _jp_succeed(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))  # type: ignore[attr-defined]
        return None, jp.output_of(sd, jp.select_input(sd, inp, env), env)

    def _jp_fail(self, name, sd, inp, scope, clock, path, depth, ev):
        from .interpreter import _Failure

        env = self._jp_env(scope, self._context(name, clock.now, None))  # type: ignore[attr-defined]
        error, cause = jp.fail_error_cause(sd, inp, env)
        raise _Failure(error, cause, name)

    def _jp_wait(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))  # type: ignore[attr-defined]
        eff = jp.select_input(sd, inp, env)
        now_epoch = self.start_time.timestamp() + clock.now
        seconds = jp.wait_seconds(sd, eff, env, now_epoch)
        ev.details["wait_seconds"] = round(seconds, 3)
        clock.advance(seconds)
        values = jp.assigned(sd.get("Assign"), eff, env)
        out = jp.output_of(sd, eff, env)
        self._jp_assign(name, values, scope, ev)
        return self._next(sd, ev), out  # type: ignore[attr-defined]

    def _jp_choice(self, name, sd, inp, scope, clock, path, depth, ev):
        from .interpreter import _Failure, _short

        env = self._jp_env(scope, self._context(name, clock.now, None))  # type: ignore[attr-defined]
        eff = jp.select_input(sd, inp, env)
        outcome = jp.choose(sd, eff, env)
        if outcome is None:
            raise _Failure("States.NoChoiceMatched", f"No Choice Rule in state '{name}' matched and the state has "
                                                     f"no Default (input: {_short(eff)})", name)
        values = jp.assigned(outcome.assign, eff, env)
        out = jp.output_of(sd, eff, env)
        self._jp_assign(name, values, scope, ev)
        if outcome.index is None:
            ev.details["choice"] = "Default"
            ev.transition = ("default", None, outcome.next)
        else:
            ev.details["choice"] = outcome.index
            ev.transition = ("choice", outcome.index, outcome.next)
        return outcome.next, out

    # ------------------------------------------------------------------ hooks of Task / Parallel / Map

    def _jp_task_inputs(self, name: str, sd: Mapping[str, Any], inp: Any, scope: Any,
                        ctx: Mapping[str, Any]) -> tuple[Any, int | None, int | None]:
        env = self._jp_env(scope, ctx)
        selected = jp.select_input(sd, inp, env)
        timeout = jp.timeout_seconds(sd, selected, env)
        heartbeat = jp.heartbeat_seconds(sd, selected, env)
        return jp.effective_input(sd, inp, env), timeout, heartbeat

    def _jp_parallel_input(self, sd: Mapping[str, Any], inp: Any, scope: Any, ctx: Mapping[str, Any]) -> Any:
        return jp.effective_input(sd, inp, self._jp_env(scope, ctx))

    def _jp_map_inputs(self, sd: Mapping[str, Any], inp: Any, scope: Any, ctx: Mapping[str, Any]
                       ) -> tuple[list[Any], int, int | None, float | None, Callable[[int, Any], Any]]:
        env = self._jp_env(scope, ctx)
        eff = jp.select_input(sd, inp, env)
        items = jp.map_items(sd, eff, env)
        max_conc = jp.map_max_concurrency(sd, eff, env)
        tol_count = jp.map_tolerated_failure_count(sd, eff, env)
        tol_pct = jp.map_tolerated_failure_percentage(sd, eff, env)

        def select(i: int, item: Any) -> Any:
            return jp.map_item_input(sd, eff, i, item, env)

        return items, max_conc, tol_count, tol_pct, select

    def _jp_finish(self, name: str, sd: Mapping[str, Any], inp: Any, scope: Any
                   ) -> Callable[[Any, Mapping[str, Any]], tuple[Any, dict[str, Any]]]:
        def finish(result: Any, ctx: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
            env = self._jp_env(scope, ctx)
            values = jp.assigned(sd.get("Assign"), result, env)  # "$" is the result (ASL spec)
            return jp.apply_result(sd, inp, result, env), values

        return finish

    def _jp_caught(self, name: str, sd: Mapping[str, Any], inp: Any, scope: Any
                   ) -> Callable[[Mapping[str, Any], Any, Mapping[str, Any]], tuple[Any, dict[str, Any]]]:
        def caught(catcher: Mapping[str, Any], error_output: Any, ctx: Mapping[str, Any]
                   ) -> tuple[Any, dict[str, Any]]:
            env = self._jp_env(scope, ctx)
            values = jp.assigned(catcher.get("Assign"), error_output, env)  # "$" is the error output
            return jp.catch_output(catcher, inp, error_output), values

        return caught
