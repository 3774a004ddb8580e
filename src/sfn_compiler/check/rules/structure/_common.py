"""Helpers shared by the SFN1xx structure rules: field tables for messages, nested configuration objects,
and the value checks several rules apply (`string_value`, `int_value`)."""

from __future__ import annotations

import re
from typing import Any, Iterator

from ....asl import spec
from ....asl.jsonata import is_expression
from ....asl.model import Machine, Scope, State
from ...base import Finding
from .._common import is_int, ptr, short, type_name


GROUP = "structure"


# replacements suggested when a field belongs to the other query language
JSONATA_INSTEAD = {
    "Parameters": "Arguments", "ResultSelector": "Output", "ResultPath": "Output (or Assign)",
    "OutputPath": "Output", "InputPath": "$states.input inside Arguments/Output", "Result": "Output",
    "ItemsPath": "Items", "TimeoutSecondsPath": "TimeoutSeconds with a {% %} expression",
    "HeartbeatSecondsPath": "HeartbeatSeconds with a {% %} expression", "SecondsPath": "Seconds with a {% %} expression",
    "TimestampPath": "Timestamp with a {% %} expression", "ErrorPath": "Error with a {% %} expression",
    "CausePath": "Cause with a {% %} expression", "MaxConcurrencyPath": "MaxConcurrency with a {% %} expression",
    "ToleratedFailureCountPath": "ToleratedFailureCount with a {% %} expression",
    "ToleratedFailurePercentagePath": "ToleratedFailurePercentage with a {% %} expression",
    "Variable": "Condition", "RoleArnPath": "RoleArn with a {% %} expression",
    "MaxItemsPath": "MaxItems with a {% %} expression", "MaxItemsPerBatchPath": "MaxItemsPerBatch with a {% %} expression",
    "MaxInputBytesPerBatchPath": "MaxInputBytesPerBatch with a {% %} expression",
}
JSONPATH_INSTEAD = {"Arguments": "Parameters", "Output": "ResultSelector/ResultPath/OutputPath", "Items": "ItemsPath",
                     "Condition": "Variable with a comparison operator"}

NESTED_FIELDS: dict[str, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {
    # container: (both, JSONPath-only, JSONata-only)
    "Credentials": (frozenset({"RoleArn"}), frozenset({"RoleArnPath"}), frozenset()),
    "ItemReader": (frozenset({"Resource", "ReaderConfig"}), frozenset({"Parameters"}), frozenset({"Arguments"})),
    "ResultWriter": (frozenset({"Resource", "WriterConfig"}), frozenset({"Parameters"}), frozenset({"Arguments"})),
    "ItemBatcher": (frozenset({"MaxItemsPerBatch", "MaxInputBytesPerBatch", "BatchInput"}),
                    frozenset({"MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"}), frozenset()),
    "ReaderConfig": (frozenset({"InputType", "CSVHeaderLocation", "CSVHeaders", "CSVDelimiter", "MaxItems",
                                "ManifestType", "Transformation"}), frozenset({"MaxItemsPath"}), frozenset()),
    "ProcessorConfig": (frozenset({"Mode", "ExecutionType"}), frozenset(), frozenset()),
    "WriterConfig": (frozenset({"Transformation", "OutputType"}), frozenset(), frozenset()),
}
# unknown fields in these newer, still-growing objects are warnings (AWS adds fields here)
LENIENT = frozenset({"ItemReader", "ReaderConfig", "ResultWriter", "WriterConfig", "ItemBatcher", "ProcessorConfig"})


def nested_objects(state: State) -> Iterator[tuple[str, str, dict]]:
    """(container name, pointer, object) for the nested configuration objects of a state."""
    raw = state.raw
    for key in ("Credentials", "ItemReader", "ResultWriter", "ItemBatcher"):
        node = raw.get(key)
        if isinstance(node, dict):
            yield key, ptr(state.pointer, key), node
            if key == "ItemReader" and isinstance(node.get("ReaderConfig"), dict):
                yield "ReaderConfig", ptr(state.pointer, key, "ReaderConfig"), node["ReaderConfig"]
            if key == "ResultWriter" and isinstance(node.get("WriterConfig"), dict):
                yield "WriterConfig", ptr(state.pointer, key, "WriterConfig"), node["WriterConfig"]
    for key in ("ItemProcessor", "Iterator"):
        proc = raw.get(key)
        if isinstance(proc, dict) and isinstance(proc.get("ProcessorConfig"), dict):
            yield "ProcessorConfig", ptr(state.pointer, key, "ProcessorConfig"), proc["ProcessorConfig"]


def typed_states(m: Machine) -> Iterator[State]:
    for state in m.states:
        if state.type is not None:
            yield state


def field_class(state_type: str, key: str) -> str:
    if key in spec.COMMON or key in spec.BOTH[state_type]:
        return "ok"
    if key in spec.JSONPATH_ONLY[state_type]:
        return "jsonpath"
    if key in spec.JSONATA_ONLY[state_type]:
        return "jsonata"
    return "unknown"


def nested_rules(rule: dict, base: str, depth: int = 0) -> Iterator[tuple[str, dict]]:
    """Rules nested under And / Or / Not (JSONPath), with their pointers."""
    if depth > 50:
        return
    for key in ("And", "Or"):
        sub = rule.get(key)
        if isinstance(sub, list):
            for j, r in enumerate(sub):
                if isinstance(r, dict):
                    yield ptr(base, key, j), r
                    yield from nested_rules(r, ptr(base, key, j), depth + 1)
    sub = rule.get("Not")
    if isinstance(sub, dict):
        yield base + "/Not", sub
        yield from nested_rules(sub, base + "/Not", depth + 1)


def scope_what(scope: Scope) -> str:
    if scope.parent_state is None:
        return "The state machine"
    if scope.kind == "branch":
        return f"State '{scope.parent_state.name}': branch {scope.pointer.rsplit('/', 1)[-1]}"
    return f"State '{scope.parent_state.name}': {scope.pointer.rsplit('/', 1)[-1]}"


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def plain_string(value: Any) -> bool:
    """A value `string_value` accepts at first sight: callers test it before making the pointer and label
    `string_value` takes (most values are strings: they are most of the fields of a definition)."""
    return type(value) is str


def string_value(m: Machine, state: State | None, pointer: str, value: Any, what: str) -> Iterator[Finding]:
    if not isinstance(value, str) and not m.is_opaque(value):
        yield Finding(pointer, f"{what} is {type_name(value)}, not a string")


def int_value(m: Machine, state: State | None, pointer: str, value: Any, what: str, minimum: int,
         maximum: int | None = None, jsonata_ok: bool = True, path_field: str | None = None) -> Iterator[Finding]:
    if m.is_opaque(value):
        return
    if isinstance(value, str) and is_expression(value):
        if state is not None and state.is_jsonata and jsonata_ok:
            return
        hint = (f"JSONata is not evaluated in a JSONPath state; use '{path_field}'" if path_field and state is not None
                and not state.is_jsonata else None)
        yield Finding(pointer, f"{what} is a {{% %}} string, but this field is not evaluated here", hint=hint)
        return
    if not is_int(value):
        hint = None
        if isinstance(value, str) and path_field and value.startswith("$"):
            hint = f"a path goes in '{path_field}'"
        elif isinstance(value, str) and state is not None and state.is_jsonata:
            hint = "write a number, or a whole {% %} expression"
        yield Finding(pointer, f"{what} is {type_name(value)} {short(value)!r}, not an integer", hint=hint)
        return
    if value < minimum or (maximum is not None and value > maximum):
        rng = f"at least {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        yield Finding(pointer, f"{what} is {value}, it must be {rng}")
