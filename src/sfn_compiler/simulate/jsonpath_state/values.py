"""What a JSONPath state's paths read and how failures are worded: :class:`JsonPathFailure`,
:class:`JsonPathDefinitionError`, :class:`Env` (context object, variables, random source), :func:`resolve`,
Payload Templates (``"key.$"`` fields: a path or an intrinsic function) and AWS's timestamps."""

from __future__ import annotations

import calendar
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ...asl.intrinsics import Call, IntrinsicError, parse_intrinsic
from ...asl.intrinsics import evaluate as evaluate_intrinsic
from ...asl.jsonpath import JsonPath, PathNotFound, parse_path, to_json_text

RUNTIME = "States.Runtime"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
#: AWS's name for a ResultPath that cannot be applied; seen in real executions ("Unable to apply step …"),
#: where the ASL spec says States.ResultPathMatchFailure. See docs/simulator.md.
RESULT_PATH_FAILURE = "States.ReferencePathConflict"

#: AWS refuses a Wait longer than this (a Java int of seconds; recorded at 24,856 days:
#: jsonpath-base-023 "Wait state delay is too long.")
MAX_WAIT_SECONDS = 2**31 - 1


# =========================================================================== errors and environment


class JsonPathFailure(Exception):
    """A runtime error of a JSONPath state.

    ``error`` is the AWS error name, ``detail`` the text AWS puts after ``An error occurred while
    executing the state 'X' (entered at the event id #N).``; ``prefixed`` is False for the few causes
    AWS gives without that prefix.
    """

    def __init__(self, error: str, detail: str, *, prefixed: bool = True) -> None:
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.prefixed = prefixed

    def cause(self, state_name: str, event_id: int | None = None) -> str:
        if not self.prefixed:
            return self.detail
        entered = f" (entered at the event id #{event_id})" if event_id is not None else ""
        return f"An error occurred while executing the state '{state_name}'{entered}. {self.detail}"


class JsonPathDefinitionError(ValueError):
    """A JSONPath field that AWS refuses when the state machine is created. ``pointer`` is relative to the state."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer}: {message}" if pointer else message)
        self.pointer = pointer
        self.message = message


@dataclass
class Env:
    """What a path can read besides the state data."""

    context: Mapping[str, Any] = field(default_factory=dict)
    variables: Mapping[str, Any] = field(default_factory=dict)
    rng: random.Random | None = None

    def with_context(self, **updates: Any) -> "Env":
        ctx = dict(self.context)
        ctx.update(updates)
        return Env(ctx, self.variables, self.rng)


class _VariableMissing(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _document(path: JsonPath, data: Any, env: Env) -> Any:
    if path.root == "$":
        return data
    if path.root == "$$":
        return env.context
    name = path.root[1:]
    if name not in env.variables:
        raise _VariableMissing(name)
    return env.variables[name]


def resolve(path: JsonPath, data: Any, env: Env) -> Any:
    """Read ``path`` against the data, the context object or a variable (raises PathNotFound / _VariableMissing)."""
    return path.read(_document(path, data, env))


def _show(value: Any) -> str:
    try:
        return to_json_text(value)
    except (TypeError, ValueError):  # pragma: no cover - JSON data only
        return repr(value)


def _raw(value: Any) -> str:
    """A value as AWS quotes it inside its messages: strings bare, anything else as compact JSON."""
    return value if isinstance(value, str) else _show(value)


def _invalid_path(text: str, path: JsonPath, exc: Exception) -> JsonPathFailure:
    """``Invalid path '<p>' : <Jayway reason>`` (InputPath, OutputPath, TimeoutSecondsPath …; recorded)."""
    if isinstance(exc, _VariableMissing):
        return JsonPathFailure(RUNTIME, f"Invalid path '{text}' : The variable '{exc.name}' is not defined")
    reason = exc.reason if isinstance(exc, PathNotFound) else str(exc)
    return JsonPathFailure(RUNTIME, f"Invalid path '{text}' : {reason}")


def _not_found(text: str, field_name: str, path: JsonPath, data: Any, env: Env) -> JsonPathFailure:
    """The Payload Template wording (Parameters, ItemSelector, ResultSelector, Assign, ErrorPath …; recorded)."""
    if path.root == "$$":
        shown = env.context
    elif path.root == "$":
        shown = data
    else:
        shown = env.variables.get(path.root[1:], data)
    return JsonPathFailure(RUNTIME, f"The JSONPath '{text}' specified for the field '{field_name}' could not be found "
                                    f"in the input '{_show(shown)}'")


# =========================================================================== payload templates


def _eval_value(text: str, data: Any, env: Env, field_name: str) -> Any:
    """The value of a ``"key.$"`` field: a path (``$…``, ``$$…``, ``$var…``) or an intrinsic function."""
    if text.startswith("$"):
        path = parse_path(text)
        try:
            return resolve(path, data, env)
        except (PathNotFound, _VariableMissing):
            raise _not_found(text, field_name, path, data, env) from None
    call = parse_intrinsic(text)
    return _intrinsic(call, data, env, field_name)


def _intrinsic(call: Call, data: Any, env: Env, field_name: str) -> Any:
    def res(path: JsonPath) -> Any:
        try:
            return resolve(path, data, env)
        except (PathNotFound, _VariableMissing):
            raise _not_found(path.text, field_name, path, data, env) from None

    try:
        return evaluate_intrinsic(call, res, env.rng)
    except IntrinsicError as exc:
        raise JsonPathFailure(INTRINSIC_FAILURE, f"The intrinsic function '{call.text}' specified for the field "
                                                 f"'{field_name}' failed: {exc.detail}") from None


def payload(template: Any, data: Any, env: Env) -> Any:
    """Process a Payload Template: every ``"key.$"`` (however deeply nested, arrays included) is replaced by
    ``"key"`` holding its path's or intrinsic function's value; every other value is kept as written."""
    t = type(template)
    if t is dict:
        out: dict[str, Any] = {}
        for k, v in template.items():
            if isinstance(k, str) and k.endswith(".$") and isinstance(v, str):
                out[k[:-2]] = _eval_value(v, data, env, k)
            else:
                out[k] = payload(v, data, env) if type(v) in (dict, list) else v
        return out
    if t is list:
        return [payload(v, data, env) if type(v) in (dict, list) else v for v in template]
    return template


_ABSENT = object()


# =========================================================================== timestamps

# Java's ISO_OFFSET_DATE_TIME (AWS: "ISO-8601 extended offset date-time"): seconds and fraction optional,
# up to nanoseconds, a zone (Z or ±hh:mm[:ss]) required; 'T' and 'Z' in either case.
_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[Tt](?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?)?"
    r"(?P<z>[Zz]|[+-]\d{2}:\d{2}(?::\d{2})?)"
)


def parse_timestamp(text: Any) -> tuple[int, int] | None:
    """``(epoch seconds, nanoseconds)`` of an ISO-8601 offset date-time, or None when AWS would refuse it."""
    if not isinstance(text, str):
        return None
    m = _TIMESTAMP.fullmatch(text)
    if not m:
        return None
    try:
        base = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"] or 0))
    except ValueError:
        return None
    z = m["z"]
    offset = 0
    if z not in ("Z", "z"):
        sign = -1 if z[0] == "-" else 1
        hh, mm, *ss = (int(x) for x in z[1:].split(":"))
        if hh > 18 or mm > 59 or (ss and ss[0] > 59):
            return None
        offset = sign * (hh * 3600 + mm * 60 + (ss[0] if ss else 0))
    seconds = calendar.timegm(base.timetuple()) - offset
    nanos = int((m["f"] or "").ljust(9, "0") or 0)
    return seconds, nanos
