"""Small helpers shared by the rule modules."""

from __future__ import annotations

from typing import Any, Iterable

from ...load.pointer import join_pointer as ptr  # noqa: F401 - the rules build pointers with it

DG = "https://docs.aws.amazon.com/step-functions/latest/dg"
SPEC = "https://states-language.net/spec.html"
TD = f"{DG}/transforming-data.html"
WV = f"{DG}/workflow-variables.html"
ERR = f"{DG}/concepts-error-handling.html"
SMS = f"{DG}/statemachine-structure.html"
CTX = f"{DG}/input-output-contextobject.html"
MAPD = f"{DG}/state-map-distributed.html"
TASK = f"{DG}/state-task.html"
QUOTA = f"{DG}/service-quotas.html"
IF = f"{DG}/intrinsic-functions.html"
RW = f"{DG}/input-output-resultwriter.html"
IR = f"{DG}/input-output-itemreader.html"
IB = f"{DG}/input-output-itembatcher.html"


def counted(items: Iterable[str]) -> str:
    """`'a' (2 times) and 'b'`: each distinct item quoted, in first-seen order, with its count when repeated."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    parts = [f"'{k}'" + (f" ({n} times)" if n > 1 else "") for k, n in counts.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def where(state) -> str:
    """`State 'X'` plus, for nested states, nothing else: names are unique machine-wide."""
    return f"State '{state.name}'"
