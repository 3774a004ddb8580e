"""The data flow of JSONPath states, as pure functions the interpreter calls.

A JSONPath state (``"QueryLanguage": "JSONPath"``, the default) moves data through fixed stages
(ASL spec, "Input and Output Processing with JSONPath")::

    raw input ─InputPath─▶ ─Parameters─▶ effective input ─(task / branches / items)─▶ result
    result ─ResultSelector─▶ effective result ─ResultPath (into the raw input)─▶ ─OutputPath─▶ output

Interface (all functions are pure; nothing here mutates its arguments):

- :class:`Env` – what paths can read besides the state data: the context object (``$$``), the
  workflow variables visible to the state (``$name``) and the random source of ``States.UUID`` /
  ``States.MathRandom``.
- :func:`effective_input` (InputPath + Parameters), :func:`select_input` (InputPath only: Choice, Wait,
  Succeed, Map), :func:`pass_result`, :func:`apply_result` (ResultSelector + ResultPath + OutputPath),
  :func:`output_of` (OutputPath only), :func:`assigned` (Assign, with ``$`` bound as the spec says),
  :func:`catch_output` (a Catcher's ResultPath).
- :func:`choose` and :func:`evaluate_rule` (Choice rules), :func:`wait_seconds`,
  :func:`timeout_seconds` / :func:`heartbeat_seconds`, :func:`fail_error_cause`, :func:`map_items`,
  :func:`map_item_input`, :func:`map_max_concurrency`, :func:`map_tolerated_failure_count`,
  :func:`map_tolerated_failure_percentage`.
- :func:`check_state` – the creation-time checks of the JSONPath fields of one state (paths and
  intrinsic functions parse, ``.$`` keys hold strings, Choice rules are complete).

Runtime failures raise :class:`JsonPathFailure` (an AWS error name and the cause text after the
``An error occurred while executing the state 'X'.`` prefix); :meth:`JsonPathFailure.cause` writes the
whole cause. Values crossing between JSONata and JSONPath states are plain JSON.
"""

from __future__ import annotations

import calendar
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from ..asl.intrinsics import Call, IntrinsicError, IntrinsicSyntaxError, parse_intrinsic
from ..asl.intrinsics import evaluate as evaluate_intrinsic
from ..asl.jsonpath import JsonPath, JsonPathSyntaxError, PathNotFound, parse_path, parse_reference_path, to_json_text

__all__ = [
    "Env",
    "resolve",
    "JsonPathFailure",
    "JsonPathDefinitionError",
    "RUNTIME",
    "INTRINSIC_FAILURE",
    "RESULT_PATH_FAILURE",
    "effective_input",
    "select_input",
    "payload",
    "pass_result",
    "apply_result",
    "output_of",
    "merge_result",
    "assigned",
    "catch_output",
    "choose",
    "ChoiceOutcome",
    "evaluate_rule",
    "wait_seconds",
    "timeout_seconds",
    "heartbeat_seconds",
    "fail_error_cause",
    "map_items",
    "map_item_input",
    "map_max_concurrency",
    "map_tolerated_failure_count",
    "map_tolerated_failure_percentage",
    "parse_timestamp",
    "check_state",
]

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


# =========================================================================== input and output


def _select(state: Mapping[str, Any], key: str, data: Any, env: Env) -> Any:
    """InputPath / OutputPath: absent → the data, null → {}, a path → its value (AWS's ``Invalid path`` on failure)."""
    if key not in state:
        return data
    text = state[key]
    if text is None:
        return {}
    path = parse_path(text)
    if not path.tokens and path.root == "$":
        return data
    try:
        return resolve(path, data, env)
    except (PathNotFound, _VariableMissing) as exc:
        raise _invalid_path(text, path, exc) from None


def select_input(state: Mapping[str, Any], raw_input: Any, env: Env) -> Any:
    """InputPath only (Choice, Wait, Succeed, Map; the first half of :func:`effective_input`)."""
    return _select(state, "InputPath", raw_input, env)


def effective_input(state: Mapping[str, Any], raw_input: Any, env: Env) -> Any:
    """InputPath, then Parameters (Pass, Task, Parallel). A Map's ``Parameters`` is its item selector instead."""
    data = select_input(state, raw_input, env)
    if "Parameters" in state and state.get("Type") != "Map":
        return payload(state["Parameters"], data, env)
    return data


def pass_result(state: Mapping[str, Any], effective: Any) -> Any:
    """A Pass state's result: its ``Result`` (never evaluated, ``.$`` keys included), else its effective input."""
    return state["Result"] if "Result" in state else effective


def output_of(state: Mapping[str, Any], data: Any, env: Env) -> Any:
    """OutputPath only (Choice, Wait, Succeed: applied to the effective input)."""
    return _select(state, "OutputPath", data, env)


def apply_result(state: Mapping[str, Any], raw_input: Any, result: Any, env: Env) -> Any:
    """ResultSelector (Task, Parallel, Map), ResultPath into the raw input, then OutputPath."""
    if "ResultSelector" in state:
        result = payload(state["ResultSelector"], result, env)
    combined = merge_result(raw_input, state.get("ResultPath", "$"), result) if "ResultPath" in state \
        else result
    return output_of(state, combined, env)


def merge_result(raw_input: Any, result_path: str | None, result: Any) -> Any:
    """Place ``result`` into ``raw_input`` at the Reference Path ``result_path`` (a new document).

    ``null`` keeps the raw input; ``$`` replaces it; ``$.a.b`` overwrites or creates ``b`` (and the missing
    objects on the way). Objects on the path are copied, everything else is shared with ``raw_input``.
    """
    if result_path is None:
        return raw_input
    path = parse_reference_path(result_path, allow_variables=False, allow_context=False)
    if not path.tokens:
        return result
    if not isinstance(raw_input, (dict, list)):
        raise JsonPathFailure(RESULT_PATH_FAILURE, f"Unable to apply ReferencePath {result_path} to input "
                                                   f"{_show(raw_input)}", prefixed=False)
    return _put(raw_input, path.steps(), 0, result)


def _put(node: Any, steps: tuple[str | int, ...], i: int, result: Any) -> Any:
    step = steps[i]
    last = i == len(steps) - 1
    if isinstance(step, str):
        if not isinstance(node, dict):
            raise JsonPathFailure(RESULT_PATH_FAILURE, f"Unable to apply step \"{step}\" to input {_show(node)}",
                                  prefixed=False)
        out = dict(node)
        if last:
            out[step] = result
        else:
            child = node.get(step, _ABSENT)
            out[step] = _put({} if child is _ABSENT else child, steps, i + 1, result)
        return out
    if not isinstance(node, list) or not -len(node) <= step < len(node):
        raise JsonPathFailure(RESULT_PATH_FAILURE, f"Unable to apply step \"[{step}]\" to input {_show(node)}",
                              prefixed=False)
    out_list = list(node)
    out_list[step] = result if last else _put(node[step], steps, i + 1, result)
    return out_list


_ABSENT = object()


def assigned(assign: Mapping[str, Any] | None, data: Any, env: Env) -> dict[str, Any]:
    """The new values of an ``Assign`` object (evaluated, not yet assigned).

    ``data`` is what ``$`` means there (ASL spec, "Using Assign" with JSONPath): the result in a Task,
    Map or Parallel state, the error output in a Catcher, the effective input in Choice and Wait states,
    and the result (``Result``, or InputPath + Parameters) in a Pass state. Keys ending in ``.$`` are
    paths or intrinsic functions; other values are literals (nested ``.$`` keys are evaluated too).
    """
    if not assign:
        return {}
    return payload(dict(assign), data, env)


def catch_output(catcher: Mapping[str, Any], raw_input: Any, error_output: Any) -> Any:
    """A Catcher's output: its ResultPath (default ``$``) places the error output into the raw input."""
    return merge_result(raw_input, catcher.get("ResultPath", "$"), error_output)


# =========================================================================== Choice


@dataclass(frozen=True)
class ChoiceOutcome:
    """The rule that matched (``index`` None: the Default) and where to go."""

    index: int | None
    next: str
    assign: Mapping[str, Any] | None


def choose(state: Mapping[str, Any], data: Any, env: Env) -> ChoiceOutcome | None:
    """Try the rules in order on the effective input; the first true one wins, else Default.

    None when nothing matches and there is no Default: the caller fails the state with
    ``States.NoChoiceMatched``. A rule's ``assign`` (or the state's, on the Default path) is evaluated
    by the caller with :func:`assigned`, ``$`` being the effective input.
    """
    for i, rule in enumerate(state.get("Choices") or ()):
        if evaluate_rule(rule, data, env):
            return ChoiceOutcome(i, rule["Next"], rule.get("Assign"))
    if "Default" in state:
        return ChoiceOutcome(None, state["Default"], state.get("Assign"))
    return None


_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")


def _rule_operator(rule: Mapping[str, Any]) -> str | None:
    for key in rule:
        if key in _OPERATORS or key in _TYPE_TESTS:
            return key
    return None


def evaluate_rule(rule: Mapping[str, Any], data: Any, env: Env) -> bool:
    """One Choice rule (``And``/``Or``/``Not`` or a data test) against the effective input."""
    if "And" in rule:
        return all(evaluate_rule(r, data, env) for r in rule["And"])
    if "Or" in rule:
        return any(evaluate_rule(r, data, env) for r in rule["Or"])
    if "Not" in rule:
        return not evaluate_rule(rule["Not"], data, env)
    op = _rule_operator(rule)
    if op is None:  # check_state refuses this at creation
        raise JsonPathFailure(RUNTIME, "A Choice Rule has no comparison operator")
    text = rule["Variable"]
    path = parse_path(text)
    expected = rule[op]
    if op == "IsPresent":
        try:
            resolve(path, data, env)
            present = True
        except (PathNotFound, _VariableMissing):
            present = False
        return present is expected
    value = _choice_value(text, path, data, env)
    if op in _TYPE_TESTS:
        return _type_test(op, value) is expected
    if op.endswith("Path"):  # StringEqualsPath …: the other operand is read from the data too
        expected = _choice_value(expected, parse_path(expected), data, env)
    return _compare(op, value, expected)


def _choice_value(text: str, path: JsonPath, data: Any, env: Env) -> Any:
    try:
        return resolve(path, data, env)
    except (PathNotFound, _VariableMissing):
        # AWS: "Invalid path '$.x': The choice state's condition path references an invalid value."
        raise JsonPathFailure(RUNTIME, f"Invalid path '{text}': The choice state's condition path references an "
                                       "invalid value.") from None


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _type_test(op: str, v: Any) -> bool:
    if op == "IsNull":
        return v is None
    if op == "IsNumeric":
        return _is_number(v)
    if op == "IsString":
        return isinstance(v, str)
    if op == "IsBoolean":
        return isinstance(v, bool)
    if op == "IsTimestamp":
        return isinstance(v, str) and parse_timestamp(v) is not None
    raise AssertionError(op)  # pragma: no cover


def _utf16(s: str) -> bytes:
    """Java compares strings by UTF-16 code units."""
    return s.encode("utf-16-be", "surrogatepass")


def _compare(op: str, a: Any, b: Any) -> bool:
    """A comparison operator; values of the wrong type compare false (ASL spec; recorded for every operator)."""
    kind, rel = _OPERATORS[op]
    if kind == "String":
        if not (isinstance(a, str) and isinstance(b, str)):
            return False
        if rel == "Matches":
            return _string_matches(a, b)
        x, y = _utf16(a), _utf16(b)
    elif kind == "Numeric":
        if not (_is_number(a) and _is_number(b)):
            return False
        x, y = a, b
    elif kind == "Boolean":
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    else:  # Timestamp
        if not (isinstance(a, str) and isinstance(b, str)):
            return False
        ta, tb = parse_timestamp(a), parse_timestamp(b)
        if ta is None or tb is None:
            return False
        x, y = ta, tb
    if rel == "Equals":
        return x == y
    if rel == "LessThan":
        return x < y
    if rel == "GreaterThan":
        return x > y
    if rel == "LessThanEquals":
        return x <= y
    return x >= y  # GreaterThanEquals


_OPERATORS: dict[str, tuple[str, str]] = {}
for _kind in ("String", "Numeric", "Timestamp"):
    for _rel in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"):
        _OPERATORS[_kind + _rel] = (_kind, _rel)
        _OPERATORS[_kind + _rel + "Path"] = (_kind, _rel)
_OPERATORS["StringMatches"] = ("String", "Matches")
_OPERATORS["BooleanEquals"] = ("Boolean", "Equals")
_OPERATORS["BooleanEqualsPath"] = ("Boolean", "Equals")


def _string_matches(value: str, pattern: str) -> bool:
    """StringMatches: ``*`` matches any run of characters; ``\\*`` and ``\\\\`` are a literal ``*`` and ``\\``."""
    rx = _matches_regex(pattern)
    return rx is not None and rx.fullmatch(value) is not None


_MATCH_CACHE: dict[str, re.Pattern[str] | None] = {}


def _matches_regex(pattern: str) -> re.Pattern[str] | None:
    rx = _MATCH_CACHE.get(pattern, _ABSENT)
    if rx is not _ABSENT:
        return rx  # type: ignore[return-value]
    parts: list[str] = []
    i = 0
    ok = True
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 < len(pattern) and pattern[i + 1] in "*\\":
                parts.append(re.escape(pattern[i + 1]))
                i += 2
                continue
            ok = False  # an open escape backslash (check_state refuses it)
            break
        parts.append(".*" if c == "*" else re.escape(c))
        i += 1
    compiled = re.compile("".join(parts), re.S) if ok else None
    if len(_MATCH_CACHE) > 1024:
        _MATCH_CACHE.clear()
    _MATCH_CACHE[pattern] = compiled
    return compiled


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


# =========================================================================== Wait / Task timeouts


def wait_seconds(state: Mapping[str, Any], data: Any, env: Env, now_epoch: float) -> float:
    """How long a JSONPath Wait state waits, from ``Seconds``, ``SecondsPath``, ``Timestamp`` or
    ``TimestampPath`` (paths read the effective input). ``now_epoch`` is the current (virtual) time."""
    if "Seconds" in state:
        return float(state["Seconds"])
    if "SecondsPath" in state:
        text = state["SecondsPath"]
        path = parse_path(text)
        try:
            value = resolve(path, data, env)
        except (PathNotFound, _VariableMissing):
            raise JsonPathFailure(RUNTIME, f"The SecondsPath parameter does not reference an input value: {text}") \
                from None
        n = _as_long(value)
        if n is None:
            raise JsonPathFailure(RUNTIME, f"The SecondsPath parameter cannot be parsed as a long value: "
                                           f"{text} == {_raw(value)}")
        if n < 0:
            raise JsonPathFailure(RUNTIME, f"The SecondsPath parameter references a negative value: "
                                           f"{text} == {_raw(value)}")
        return float(n)
    if "Timestamp" in state:
        target = parse_timestamp(state["Timestamp"])
        if target is None:  # check_state refuses an unparseable literal at creation
            raise JsonPathFailure(RUNTIME, f"The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                                           f"date-time format string: {state['Timestamp']}")
    elif "TimestampPath" in state:
        text = state["TimestampPath"]
        path = parse_path(text)
        try:
            value = resolve(path, data, env)
        except (PathNotFound, _VariableMissing):
            raise JsonPathFailure(RUNTIME, f"The TimestampPath parameter does not reference an input value: "
                                           f"{text}") from None
        target = parse_timestamp(value)
        if target is None:
            raise JsonPathFailure(RUNTIME, "The TimestampPath parameter does not reference a valid ISO-8601 "
                                           f"extended offset date-time format string: {text} == {_raw(value)}")
    else:
        raise JsonPathFailure(RUNTIME, "A Wait state needs one of Seconds, SecondsPath, Timestamp or TimestampPath")
    delay = target[0] + target[1] / 1e9 - now_epoch
    if delay > MAX_WAIT_SECONDS:
        raise JsonPathFailure(RUNTIME, "Wait state delay is too long.")
    return max(0.0, delay)


def _as_long(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
        return int(value)
    return None


def _positive_seconds(state: Mapping[str, Any], key: str, data: Any, env: Env) -> int | None:
    if key in state:
        return int(state[key])
    pkey = key + "Path"
    if pkey not in state:
        return None
    text = state[pkey]
    path = parse_path(text)
    try:
        value = resolve(path, data, env)
    except (PathNotFound, _VariableMissing) as exc:
        raise _invalid_path(text, path, exc) from None  # recorded: jsonpath-scenarios-010, -012
    n = _as_long(value)
    if n is None or n <= 0:
        raise JsonPathFailure(RUNTIME, f"The {pkey} parameter must reference a positive integer value: "
                                       f"{text} == {_raw(value)}")
    return n


def timeout_seconds(state: Mapping[str, Any], data: Any, env: Env) -> int | None:
    """``TimeoutSeconds`` or the value at ``TimeoutSecondsPath`` (read from the input after InputPath)."""
    return _positive_seconds(state, "TimeoutSeconds", data, env)


def heartbeat_seconds(state: Mapping[str, Any], data: Any, env: Env) -> int | None:
    """``HeartbeatSeconds`` or the value at ``HeartbeatSecondsPath``."""
    return _positive_seconds(state, "HeartbeatSeconds", data, env)


# =========================================================================== Fail


def fail_error_cause(state: Mapping[str, Any], data: Any, env: Env) -> tuple[str | None, str | None]:
    """A Fail state's ``Error``/``ErrorPath`` and ``Cause``/``CausePath`` (paths and intrinsics read the input)."""
    out: list[str | None] = []
    for key in ("Error", "Cause"):
        if key in state:
            out.append(state[key])
            continue
        pkey = key + "Path"
        if pkey not in state:
            out.append(None)
            continue
        value = _eval_value(state[pkey], data, env, pkey)
        if not isinstance(value, str):
            raise JsonPathFailure(RUNTIME, f"The value of the field '{pkey}' must be a string, but "
                                           f"'{state[pkey]}' gave: {_show(value)}")
        out.append(value)
    return out[0], out[1]


# =========================================================================== Map


def map_items(state: Mapping[str, Any], data: Any, env: Env) -> list[Any]:
    """The items array: ``ItemsPath`` (default ``$``) applied to the effective input (after InputPath)."""
    text = state.get("ItemsPath", "$")
    path = parse_path(text)
    try:
        items = resolve(path, data, env)
    except (PathNotFound, _VariableMissing) as exc:
        raise _invalid_path(text, path, exc) from None
    if not isinstance(items, list):
        shown = text[1:] if path.is_context else text
        raise JsonPathFailure(RUNTIME, f"Reference path \"{shown}\" must point to array.")
    return items


def map_item_input(state: Mapping[str, Any], data: Any, index: int, item: Any, env: Env) -> Any:
    """One iteration's input: ``ItemSelector`` (or the legacy ``Parameters``) with ``$`` = the effective input
    and ``$$.Map.Item`` = ``{Index, Value}``; without either, the item itself."""
    template = state.get("ItemSelector", state.get("Parameters", _ABSENT))
    if template is _ABSENT:
        return item
    item_env = env.with_context(Map={"Item": {"Index": index, "Value": item}})
    return payload(template, data, item_env)


def _path_number(state: Mapping[str, Any], key: str, data: Any, env: Env, kind: str) -> Any:
    text = state[key]
    path = parse_path(text)
    try:
        value = resolve(path, data, env)
    except (PathNotFound, _VariableMissing) as exc:
        raise _invalid_path(text, path, exc) from None
    number: Any = None
    if kind == "integer":
        number = _as_long(value)
    elif not isinstance(value, bool):
        if isinstance(value, (int, float)):
            number = value
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
    if number is None:
        raise JsonPathFailure(RUNTIME, f"The {key} field refers to value \"{_raw(value)}\" which is not a valid "
                                       f"{kind}: {text}")
    return number


def map_max_concurrency(state: Mapping[str, Any], data: Any, env: Env) -> int:
    """``MaxConcurrency`` or ``MaxConcurrencyPath`` (an integer, or a string holding one; recorded); 0 = no limit."""
    if "MaxConcurrencyPath" in state:
        n = _path_number(state, "MaxConcurrencyPath", data, env, "integer")
        if n < 0:
            raise JsonPathFailure(RUNTIME, "MaxConcurrency cannot be negative.")
        return int(n)
    return int(state.get("MaxConcurrency", 0) or 0)


def map_tolerated_failure_count(state: Mapping[str, Any], data: Any, env: Env) -> int | None:
    if "ToleratedFailureCountPath" in state:
        n = _path_number(state, "ToleratedFailureCountPath", data, env, "integer")
        if n < 0:
            raise JsonPathFailure(RUNTIME, "ToleratedFailureCount cannot be negative.")
        return int(n)
    v = state.get("ToleratedFailureCount")
    return None if v is None else int(v)


def map_tolerated_failure_percentage(state: Mapping[str, Any], data: Any, env: Env) -> float | None:
    if "ToleratedFailurePercentagePath" in state:
        n = _path_number(state, "ToleratedFailurePercentagePath", data, env, "float")
        if not 0 <= n <= 100:
            raise JsonPathFailure(RUNTIME, "ToleratedFailurePercentage must be between 0 and 100.")
        return n
    v = state.get("ToleratedFailurePercentage")
    return None if v is None else v


# =========================================================================== creation-time checks


def _json_kind(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "BOOLEAN"
    if isinstance(v, (int, float)):
        return "NUMBER"
    if isinstance(v, str):
        return "STRING"
    if isinstance(v, list):
        return "ARRAY"
    return "OBJECT"


def _check_path(value: Any, pointer: str, *, reference: bool = False, variables: bool = True,
                context: bool = True, nullable: bool = False) -> None:
    if value is None and nullable:
        return
    if not isinstance(value, str):
        raise JsonPathDefinitionError(pointer, f"must be a JSONPath string, got {_json_kind(value)}")
    try:
        path = parse_reference_path(value) if reference else parse_path(value)
    except JsonPathSyntaxError as exc:
        raise JsonPathDefinitionError(pointer, f"the JSONPath {value!r} is invalid: {exc.message}") from None
    if path.variable is not None and not variables:
        raise JsonPathDefinitionError(pointer, f"{value!r}: a variable cannot be used here")
    if path.is_context and not context:
        raise JsonPathDefinitionError(pointer, f"{value!r}: the context object ('$$') cannot be used here")


def _check_value_expression(value: str, pointer: str) -> None:
    if value.startswith("$"):
        _check_path(value, pointer)
        return
    try:
        parse_intrinsic(value)
    except IntrinsicSyntaxError as exc:
        raise JsonPathDefinitionError(pointer, f"the value {value!r} must be a valid JSONPath or a valid intrinsic "
                                               f"function call: {exc.message}") from None


def _check_template(template: Any, pointer: str, depth: int = 0) -> None:
    if depth > 200:
        return
    if isinstance(template, dict):
        for k, v in template.items():
            child = f"{pointer}/{k}"
            if isinstance(k, str) and k.endswith(".$"):
                if not isinstance(v, str):
                    # AWS: "The value for the field 'x.$' must be a STRING that contains a JSONPath but was an ARRAY"
                    raise JsonPathDefinitionError(child, f"The value for the field '{k}' must be a STRING that "
                                                         f"contains a JSONPath but was an {_json_kind(v)}")
                _check_value_expression(v, child)
            else:
                _check_template(v, child, depth + 1)
    elif isinstance(template, list):
        for i, v in enumerate(template):
            _check_template(v, f"{pointer}/{i}", depth + 1)


def _check_rule(rule: Any, pointer: str, top: bool) -> None:
    if not isinstance(rule, Mapping):
        raise JsonPathDefinitionError(pointer, "a Choice Rule must be an object")
    if top and not isinstance(rule.get("Next"), str):
        raise JsonPathDefinitionError(pointer, "a top-level Choice Rule needs 'Next'")
    for key in ("And", "Or"):
        if key in rule:
            subs = rule[key]
            if not isinstance(subs, list) or not subs:
                raise JsonPathDefinitionError(f"{pointer}/{key}", "must be a non-empty array of Choice Rules")
            for j, sub in enumerate(subs):
                _check_rule(sub, f"{pointer}/{key}/{j}", False)
            return
    if "Not" in rule:
        _check_rule(rule["Not"], f"{pointer}/Not", False)
        return
    if "Variable" not in rule:
        raise JsonPathDefinitionError(pointer, "a Choice Rule needs 'Variable' (or And / Or / Not)")
    _check_path(rule["Variable"], f"{pointer}/Variable", reference=True)
    ops = [k for k in rule if k in _OPERATORS or k in _TYPE_TESTS]
    if len(ops) != 1:
        raise JsonPathDefinitionError(pointer, "a Choice Rule needs exactly one comparison operator"
                                      + (f", got {', '.join(ops)}" if ops else ""))
    op = ops[0]
    value = rule[op]
    where = f"{pointer}/{op}"
    if op in _TYPE_TESTS or op == "BooleanEquals":
        if not isinstance(value, bool):
            raise JsonPathDefinitionError(where, f"must be a boolean, got {_json_kind(value)}")
    elif op.endswith("Path"):
        _check_path(value, where, reference=True)
    elif op.startswith("Numeric"):
        if not _is_number(value):
            raise JsonPathDefinitionError(where, f"must be a number, got {_json_kind(value)}")
    elif op.startswith("Timestamp"):
        if parse_timestamp(value) is None:
            raise JsonPathDefinitionError(where, f"must be an ISO-8601 timestamp string, got {_show(value)}")
    else:  # String*
        if not isinstance(value, str):
            raise JsonPathDefinitionError(where, f"must be a string, got {_json_kind(value)}")
        if op == "StringMatches" and _matches_regex(value) is None:
            raise JsonPathDefinitionError(where, "an open escape backslash: only \\* and \\\\ are escapes")


def check_state(state: Mapping[str, Any], pointer: str = "") -> None:
    """Refuse what AWS refuses when a JSONPath state is created (raises :class:`JsonPathDefinitionError`)."""
    typ = state.get("Type")
    for key in ("InputPath", "OutputPath"):
        if key in state:
            _check_path(state[key], f"{pointer}/{key}", nullable=True)
    if "ResultPath" in state:
        _check_path(state["ResultPath"], f"{pointer}/ResultPath", reference=True, variables=False, context=False,
                    nullable=True)
    for key in ("Parameters", "ResultSelector", "ItemSelector", "Assign"):
        if key in state:
            if key in ("ResultSelector", "ItemSelector", "Assign") and not isinstance(state[key], Mapping):
                raise JsonPathDefinitionError(f"{pointer}/{key}", "must be an object")
            _check_template(state[key], f"{pointer}/{key}")
    for key in ("TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath", "TimestampPath", "ItemsPath",
                "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"):
        if key in state:
            _check_path(state[key], f"{pointer}/{key}", reference=True)
    for key in ("ErrorPath", "CausePath"):
        if key in state:
            value = state[key]
            if not isinstance(value, str):
                raise JsonPathDefinitionError(f"{pointer}/{key}", f"must be a string, got {_json_kind(value)}")
            if value.startswith("$"):
                _check_path(value, f"{pointer}/{key}", reference=True)
            else:
                _check_value_expression(value, f"{pointer}/{key}")
    if typ == "Wait":
        given = [k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in state]
        if len(given) != 1:
            raise JsonPathDefinitionError(pointer, "a JSONPath Wait state needs exactly one of Seconds, SecondsPath, "
                                                   "Timestamp or TimestampPath")
        if "Timestamp" in state and parse_timestamp(state["Timestamp"]) is None:
            raise JsonPathDefinitionError(f"{pointer}/Timestamp", f"must be an ISO-8601 timestamp such as "
                                                                  f"2016-03-14T01:59:00Z, got {_show(state['Timestamp'])}")
    if typ == "Choice":
        for i, rule in enumerate(state.get("Choices") or ()):
            _check_rule(rule, f"{pointer}/Choices/{i}", True)
            if isinstance(rule, Mapping) and "Assign" in rule:
                _check_template(rule["Assign"], f"{pointer}/Choices/{i}/Assign")
    for i, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, Mapping):
            if "ResultPath" in catcher:
                _check_path(catcher["ResultPath"], f"{pointer}/Catch/{i}/ResultPath", reference=True,
                            variables=False, context=False, nullable=True)
            if "Assign" in catcher:
                _check_template(catcher["Assign"], f"{pointer}/Catch/{i}/Assign")

