"""The Task state in both query languages: its arguments (JSONPath `InputPath` + `Parameters`, JSONata
`Arguments`), timeouts, the mocked call and its history events, inside the run's Retry/Catch wrapper. `Tasks`
is mixed into `interpreter.Run`, like `states.SimpleStates` and `fanout.FanOut`."""

from __future__ import annotations

from typing import Any

from ..asl.resources import parse_resource
from . import jsonpath_state as jp
from .errors import MockMissing
from .history import task_events
from .result import round_seconds
from .runtime import Failure, over_payload_limit


def _task_name(resource: Any) -> str:
    """How AWS names a Task in its data-limit cause: the service of an integration, else the Resource."""
    parsed = parse_resource(resource)
    return parsed.service if parsed is not None else str(resource)


class Tasks:
    """The Task state (a mixin of `interpreter.Run`: it uses the run's helpers)."""

    def _task(self, name, sd, inp, scope, clock, path, depth, ev):
        resource = sd.get("Resource")
        ev.details["resource"] = resource
        calls: list[dict[str, Any]] = []
        ev.details["calls"] = calls
        callback = isinstance(resource, str) and resource.endswith(".waitForTaskToken")
        jsonpath = name in self.jsonpath
        prefix, submits = task_events(resource)

        def body(ctx: dict[str, Any] | None) -> Any:
            idx = self.invocations.get(name, 0)
            if callback:
                ctx["Task"] = {"Token": f"sfnc-task-token:{self.execution_name}:{name}:{idx}"}
            if jsonpath:
                env = self._jp_env(scope, ctx)
                selected = jp.select_input(sd, inp, env)
                timeout = jp.timeout_seconds(sd, selected, env)
                heartbeat = jp.heartbeat_seconds(sd, selected, env)
                args = jp.effective_input(sd, inp, env)
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
            call: dict[str, Any] = {"invocation": idx, "start": round_seconds(clock.now), "arguments": args}
            calls.append(call)
            resp = self.mocks.response(name, idx)
            if resp is None:
                raise MockMissing(self.mocks.missing_message(name, idx))
            self._emit(prefix + "Scheduled", name)
            self._emit(prefix + "Started", name)
            if submits:
                self._emit("TaskSubmitted", name)
            duration = resp.duration or 0  # not float(): an int past a float's range is past every deadline
            if timeout is not None and duration > timeout:
                clock.advance(timeout)
                call.update(duration=timeout, error="States.Timeout")
                self._emit(prefix + "TimedOut", name)
                raise Failure("States.Timeout",
                               f"Task '{name}' timed out after TimeoutSeconds={timeout} (the mock takes "
                               f"{round_seconds(duration)} s of virtual time)", name)
            clock.advance(duration)
            call["duration"] = round_seconds(duration)
            if resp.throws:
                call.update(error=resp.error, cause=resp.cause)
                self._emit(prefix + ("TimedOut" if resp.error == "States.Timeout" else "Failed"), name)
                raise Failure(resp.error, resp.cause, name)
            self._emit(prefix + "Succeeded", name)
            call["result"] = resp.result
            if self.check_payload_size and resp.result is not None:
                if over_payload_limit(resp.result):
                    # recorded: jsonpath-error-handling-004 ('lambda' for lambda:invoke), -006 (a function ARN)
                    raise Failure("States.DataLimitExceeded", f"The state/task '{_task_name(resource)}' returned a "
                                  "result with a size exceeding the maximum number of bytes service limit.", name)
                self._last_checked = resp.result  # the state's output when it has no Output: not sized again
            return resp.result

        return self._with_retry_catch(name, sd, inp, scope, clock, ev, body, lazy_context=not callback)
