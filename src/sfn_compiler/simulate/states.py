"""The simple state types, Pass, Succeed, Fail, Wait and Choice, in both query languages: the JSONata
fields (`Output`, `Assign`, `Condition`, ...) are evaluated by the run's `_field`; a JSONPath state's data
flow (InputPath, Parameters, ResultPath, OutputPath, Choice rules, ...) is `jsonpath_state`'s. `SimpleStates`
is mixed into `interpreter.Run` (it uses the run's helpers), like `fanout.FanOut` for Parallel and Map.

The context object of these states has no `State.RetryCount` (only Task, Parallel and Map can retry; AWS
recorded `{"Name", "EnteredTime"}` for a Pass state: jsonpath-base-012, mixed-outputdecl-001).
"""

from __future__ import annotations

from typing import Any, Mapping

from . import jsonpath_state as jp
from .result import TraceEvent, round_seconds
from .runtime import Failure, VariableScope, json_text, short


class SimpleStates:
    """Pass, Succeed, Fail, Wait and Choice (a mixin of `interpreter.Run`)."""

    # ------------------------------------------------------------------ JSONata

    def _output_and_assign(self, name: str, sd: Mapping[str, Any], b: Mapping[str, Any], default: Any,
                           scope: VariableScope, ev: TraceEvent) -> Any:
        out = self._field(name, "Output", sd["Output"], b) if "Output" in sd else default
        self._store(name, self._assign(name, sd.get("Assign"), b), scope, ev)
        return out

    def _pass(self, name, sd, inp, scope, clock, path, depth, ev):
        b = self._bind(scope, {"input": inp, "context": self._jsonata_context(name, sd, clock.now)}, clock)
        out = self._output_and_assign(name, sd, b, inp, scope, ev)
        return self._next(sd, ev), out

    def _succeed(self, name, sd, inp, scope, clock, path, depth, ev):
        if "Output" in sd:
            b = self._bind(scope, {"input": inp, "context": self._jsonata_context(name, sd, clock.now)}, clock)
            return None, self._field(name, "Output", sd["Output"], b)
        return None, inp

    def _fail(self, name, sd, inp, scope, clock, path, depth, ev):
        b = self._bind(scope, {"input": inp, "context": self._jsonata_context(name, sd, clock.now)}, clock)
        values = []
        for key in ("Error", "Cause"):
            if key not in sd:
                values.append(None)
                continue
            v = self._field(name, key, sd[key], b)
            if not isinstance(v, str):
                raise self._type_error(name, key, sd[key], "'string'", v)
            values.append(v)
        raise Failure(values[0], values[1], name)

    def _wait(self, name, sd, inp, scope, clock, path, depth, ev):
        entered = clock.now
        ctx = self._jsonata_context(name, sd, entered)
        b = self._bind(scope, {"input": inp, "context": ctx}, clock)
        if "Seconds" in sd:
            seconds = self._int_field(name, sd, "Seconds", b, 0)
            ev.details["wait_seconds"] = seconds
        elif "Timestamp" in sd:
            node = sd["Timestamp"]
            value = self._field(name, "Timestamp", node, b)
            when = jp.parse_timestamp(value)  # Java's ISO_OFFSET_DATE_TIME, as in JSONPath states
            if when is None:  # recorded: jsonata-scenarios-028 ... -033
                raise self._qee(name, "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                                      f"format string: {value if isinstance(value, str) else json_text(value)}")
            target = when[0] + when[1] / 1e9
            seconds = max(0.0, target - self.start_time.timestamp() - clock.now)
            ev.details["wait_until"] = value
            ev.details["wait_seconds"] = round_seconds(seconds)
        else:
            raise Failure("States.Runtime", f"Wait state '{name}' has neither Seconds nor Timestamp", name)
        clock.advance(seconds)
        b = self._bind(scope, {"input": inp, "context": ctx}, clock)
        out = self._output_and_assign(name, sd, b, inp, scope, ev)
        return self._next(sd, ev), out

    def _choice(self, name, sd, inp, scope, clock, path, depth, ev):
        b = self._bind(scope, {"input": inp, "context": self._jsonata_context(name, sd, clock.now)}, clock)
        for i, rule in enumerate(sd["Choices"]):
            node = rule["Condition"]
            value = self._field(name, f"Choices[{i}]/Condition", node, b)
            if not isinstance(value, bool):
                raise self._type_error(name, f"Choices[{i}]/Condition", node, "'boolean'", value)
            if value:
                out = self._field(name, f"Choices[{i}]/Output", rule["Output"], b) if "Output" in rule else inp
                self._store(name, self._assign(name, rule.get("Assign"), b, f"Choices[{i}]/Assign"), scope, ev)
                ev.details["choice"] = i
                ev.transition = ("choice", i, rule["Next"])
                return rule["Next"], out
        if "Default" in sd:
            out = self._output_and_assign(name, sd, b, inp, scope, ev)
            ev.details["choice"] = "Default"
            ev.transition = ("default", None, sd["Default"])
            return sd["Default"], out
        raise Failure("States.NoChoiceMatched",
                       f"No Choice Rule in state '{name}' matched and the state has no Default "
                       f"(input: {short(inp)})", name)

    # ------------------------------------------------------------------ JSONPath

    def _jp_pass(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))
        result = jp.pass_result(sd, jp.effective_input(sd, inp, env))
        values = jp.assigned(sd.get("Assign"), result, env)  # "$" is the result (ASL spec)
        out = jp.apply_result(sd, inp, result, env)
        self._store(name, values, scope, ev)
        return self._next(sd, ev), out

    def _jp_succeed(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))
        return None, jp.output_of(sd, jp.select_input(sd, inp, env), env)

    def _jp_fail(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))
        error, cause = jp.fail_error_cause(sd, inp, env)
        raise Failure(error, cause, name)

    def _jp_wait(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))
        eff = jp.select_input(sd, inp, env)
        seconds = jp.wait_seconds(sd, eff, env, self.start_time.timestamp() + clock.now, ev.details)
        ev.details["wait_seconds"] = round(seconds, 3)
        clock.advance(seconds)
        values = jp.assigned(sd.get("Assign"), eff, env)  # "$" is the effective input
        out = jp.output_of(sd, eff, env)
        self._store(name, values, scope, ev)
        return self._next(sd, ev), out

    def _jp_choice(self, name, sd, inp, scope, clock, path, depth, ev):
        env = self._jp_env(scope, self._context(name, clock.now, None))
        eff = jp.select_input(sd, inp, env)
        outcome = jp.choose(sd, eff, env)
        if outcome is None:
            raise Failure("States.NoChoiceMatched", f"No Choice Rule in state '{name}' matched and the state has "
                                                    f"no Default (input: {short(eff)})", name)
        values = jp.assigned(outcome.assign, eff, env)
        out = jp.output_of(sd, eff, env)
        self._store(name, values, scope, ev)
        if outcome.index is None:
            ev.details["choice"] = "Default"
            ev.transition = ("default", None, outcome.next)
        else:
            ev.details["choice"] = outcome.index
            ev.transition = ("choice", outcome.index, outcome.next)
        return outcome.next, out
