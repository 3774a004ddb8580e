"""JSONPath Choice rules: ``And``/``Or``/``Not``, the comparison operators (``StringEquals`` ...
``TimestampGreaterThanEqualsPath``), ``StringMatches`` and the type tests (``IsNull`` ... ``IsTimestamp``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from ...asl.jsonpath import JsonPath, PathNotFound, parse_path
from .values import _ABSENT, RUNTIME, Env, JsonPathFailure, _VariableMissing, parse_timestamp, resolve

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
