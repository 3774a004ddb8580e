"""What AWS refuses when a JSONPath state is created: paths and intrinsic functions that do not parse,
``.$`` keys that do not hold strings, incomplete Choice rules (:func:`check_state`)."""

from __future__ import annotations

from typing import Any, Mapping

from ...asl import walk
from ...asl.intrinsics import IntrinsicSyntaxError, parse_intrinsic
from ...asl.jsonpath import JsonPathSyntaxError, parse_path, parse_reference_path
from ...jsontext import kind
from .choice import _OPERATORS, _TYPE_TESTS, _is_number, _matches_regex
from .values import JsonPathDefinitionError, _show, parse_timestamp

# =========================================================================== creation-time checks


def _json_kind(v: Any) -> str:
    """AWS's upper-case name of a JSON value's type in creation-time messages (`got STRING`)."""
    return kind(v).upper()


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
    for key, sub in (("ItemReader", "Parameters"), ("ResultWriter", "Parameters"), ("ItemBatcher", "BatchInput")):
        part = state.get(key)
        if isinstance(part, Mapping) and sub in part:
            _check_template(part[sub], f"{pointer}/{key}/{sub}")
    reader_config = (state.get("ItemReader") or {}).get("ReaderConfig") if isinstance(state.get("ItemReader"),
                                                                                     Mapping) else None
    if isinstance(reader_config, Mapping) and "MaxItemsPath" in reader_config:
        _check_path(reader_config["MaxItemsPath"], f"{pointer}/ItemReader/ReaderConfig/MaxItemsPath", reference=True)
    batcher = state.get("ItemBatcher")
    if isinstance(batcher, Mapping):
        for key in ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
            if key in batcher:
                _check_path(batcher[key], f"{pointer}/ItemBatcher/{key}", reference=True)
    for i, _, catcher in walk.entries(state, "Catch"):
        if "ResultPath" in catcher:
            _check_path(catcher["ResultPath"], f"{pointer}/Catch/{i}/ResultPath", reference=True,
                        variables=False, context=False, nullable=True)
        if "Assign" in catcher:
            _check_template(catcher["Assign"], f"{pointer}/Catch/{i}/Assign")
