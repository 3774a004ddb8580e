"""A JSONPath state's data flow: InputPath, Parameters, ResultSelector, ResultPath, OutputPath, Assign, a
Catcher's ResultPath; the fields of Wait, Task (timeouts), Fail and Map states read through paths."""

from __future__ import annotations

import re
from typing import Any, Mapping

from ...asl.jsonpath import PathNotFound, parse_path, parse_reference_path
from .values import (_ABSENT, MAX_WAIT_SECONDS, RESULT_PATH_FAILURE, RUNTIME, Env, JsonPathFailure, _eval_value,
                     _invalid_path, _raw, _show, _VariableMissing, parse_timestamp, payload, resolve)

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


# =========================================================================== Wait / Task timeouts


def wait_seconds(state: Mapping[str, Any], data: Any, env: Env, now_epoch: float,
                 details: dict[str, Any] | None = None) -> float:
    """How long a JSONPath Wait state waits, from ``Seconds``, ``SecondsPath``, ``Timestamp`` or
    ``TimestampPath`` (paths read the effective input). ``now_epoch`` is the current (virtual) time. A wait
    until a timestamp records it as ``details["wait_until"]`` (for the trace)."""
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
    if details is not None:
        details["wait_until"] = state["Timestamp"] if "Timestamp" in state else value
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


# =========================================================================== Distributed Map data sets


def map_reader_parameters(reader: Mapping[str, Any], data: Any, env: Env) -> Any:
    """An ItemReader's ``Parameters`` (a Payload Template over the effective input): the S3 call's arguments."""
    return payload(reader.get("Parameters", {}), data, env)


def map_reader_max_items(reader: Mapping[str, Any], data: Any, env: Env) -> Any:
    """``ReaderConfig.MaxItems``, or the value at ``MaxItemsPath`` (an integer, or a string holding one; recorded:
    jsonpath-assign-021; a value that is not an integer is ``States.Runtime``, recorded for ``1.5``). None when
    neither is given. Its range is checked by the reader (`map_io.max_items`)."""
    config = reader.get("ReaderConfig") or {}
    if "MaxItemsPath" in config:
        return _path_number(config, "MaxItemsPath", data, env, "integer")
    return config.get("MaxItems")


def map_batcher(batcher: Mapping[str, Any], data: Any, env: Env) -> tuple[int | None, int | None, Any]:
    """An ItemBatcher's ``MaxItemsPerBatch`` (or ``…Path``), ``MaxInputBytesPerBatch`` (or ``…Path``) and
    ``BatchInput`` (a Payload Template over the effective input)."""
    limits: list[int | None] = []
    for key in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
        if key + "Path" in batcher:
            n = int(_path_number(batcher, key + "Path", data, env, "integer"))
            if n <= 0:
                raise JsonPathFailure(RUNTIME, f"{key} must be positive.")
            limits.append(n)
        else:
            limits.append(batcher.get(key))
    batch_input = payload(batcher["BatchInput"], data, env) if "BatchInput" in batcher else None
    return limits[0], limits[1], batch_input


def map_writer_parameters(writer: Mapping[str, Any], data: Any, env: Env) -> Any:
    """A ResultWriter's ``Parameters`` (``Bucket``, ``Prefix``; a Payload Template over the effective input)."""
    return payload(writer.get("Parameters", {}), data, env)
