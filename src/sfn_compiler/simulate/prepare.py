"""Static preparation before a run: check what the interpreter relies on (state types, transition targets,
Retry/Catch shapes, literal fields), parse every `{% %}` expression of a JSONata state and every path and
intrinsic function of a JSONPath state (`jsonpath_state.check_state`), so problems surface as
`InvalidDefinition` / `UnsupportedDefinition` before the first state runs."""

from __future__ import annotations

from typing import Any, Mapping

from ..asl import walk
from ..asl.spec import JSONATA, JSONPATH, QUERY_LANGUAGES, STATE_TYPES
from . import expressions
from .errors import InvalidDefinition, UnsupportedDefinition
from .expressions import QueryError, is_expression
from .jsonpath_state import JsonPathDefinitionError, check_state
from .runtime import parse_timestamp, short


_LITERAL_KEYS = frozenset(
    ("Type", "Next", "End", "Resource", "Comment", "QueryLanguage", "Default", "Retry", "Label",
     "ProcessorConfig", "Branches", "ItemProcessor", "Iterator", "ResultWriter", "ItemReader")
)


def prepare(definition: Mapping[str, Any]) -> frozenset[str]:
    """Validate what the interpreter relies on; return the names of the states that use JSONPath (names are
    unique in the whole machine). Scopes and states come from `asl.walk.Tree` (the one traversal), in visit
    order."""
    if not isinstance(definition, Mapping):
        raise InvalidDefinition("the definition must be a JSON object")
    top_ql = definition.get("QueryLanguage", JSONPATH)
    if top_ql not in QUERY_LANGUAGES:
        raise InvalidDefinition(f"top-level QueryLanguage must be JSONata or JSONPath, got {short(top_ql)}")
    all_states: dict[str, dict[str, Any]] = {}
    jsonpath: set[str] = set()
    where: dict[int, str] = {}     # id(scope) -> its location in messages ("", "/States/P/Branches[0]", ...)
    for item in walk.Tree(definition, max_depth=_MAX_DEPTH).preorder():
        if isinstance(item, walk.Scope):
            where[id(item)] = _where(item, where)
            _check_scope(item, where[id(item)])
        elif _check_state(item, f"{where[id(item.scope)]}/States/{item.name}", top_ql, all_states):
            jsonpath.add(item.name)
    t = definition.get("TimeoutSeconds")
    if t is not None and (isinstance(t, bool) or not isinstance(t, int) or t <= 0):
        raise InvalidDefinition("top-level TimeoutSeconds must be a positive integer")
    return frozenset(jsonpath)


_MAX_DEPTH = 1_000  # the run follows every level; so does the check (the walk's default stops at 64)
_FIELD = {"next": "Next", "default": "Default", "choice": "Choices[{}]/Next", "catch": "Catch[{}]/Next"}


def _where(scope: walk.Scope, where: dict[int, str]) -> str:
    parent = scope.parent_state
    if parent is None:
        return ""
    loc = f"{where[id(parent.scope)]}/States/{parent.name}"
    return f"{loc}/Branches[{scope.pointer.rsplit('/', 1)[-1]}]" if scope.kind == "branch" else f"{loc}/ItemProcessor"


def _check_scope(scope: walk.Scope, where: str) -> None:
    label = where or "the definition"
    states, start = scope.states_raw, scope.start_at
    if not isinstance(states, Mapping) or not states:
        raise InvalidDefinition(f"{label}: 'States' must be a non-empty object")
    if not isinstance(start, str) or start not in states:
        raise InvalidDefinition(f"{label}: StartAt {start!r} does not name a state in its States object")


def _check_state(state: walk.State, loc: str, top_ql: str, all_states: dict[str, dict[str, Any]]) -> bool:
    """Check one state; True when it uses JSONPath."""
    name, sd, states = state.name, state.raw, state.scope.states_raw
    if not isinstance(sd, Mapping):
        raise InvalidDefinition(f"{loc}: a state must be an object")
    if name in all_states:
        raise InvalidDefinition(f"state name {name!r} is used more than once (names must be unique in the "
                                "whole state machine, nested states included)")
    all_states[name] = sd  # type: ignore[assignment]
    typ = sd.get("Type")
    if typ not in STATE_TYPES:
        raise InvalidDefinition(f"{loc}: unknown Type {typ!r}")
    if sd.get("QueryLanguage", top_ql) not in QUERY_LANGUAGES:
        raise InvalidDefinition(f"{loc}/QueryLanguage: must be JSONata or JSONPath, got {short(sd['QueryLanguage'])}")
    jsonpath = not state.is_jsonata
    if jsonpath and top_ql == JSONATA:
        raise InvalidDefinition(f"{loc}/QueryLanguage: 'QueryLanguage' can not be 'JSONPath' if set to "
                                "'JSONata' for whole state machine")

    def no_target(what: str) -> InvalidDefinition:
        return InvalidDefinition(f"{loc}/{what}: target None is not a state in the same States object")

    if typ == "Choice":
        choices = sd.get("Choices")
        if not isinstance(choices, list) or not choices:
            raise InvalidDefinition(f"{loc}: Choices must be a non-empty array")
        for i, rule in enumerate(choices):
            if not jsonpath and (not isinstance(rule, Mapping) or "Condition" not in rule):
                raise InvalidDefinition(f"{loc}/Choices[{i}]: a JSONata Choice rule needs 'Condition'")
            if not isinstance(rule, Mapping) or "Next" not in rule:
                raise no_target(f"Choices[{i}]/Next")
    elif typ not in ("Succeed", "Fail"):
        if sd.get("End") is True:
            if "Next" in sd:
                raise InvalidDefinition(f"{loc}: has both Next and End")
        elif "Next" not in sd:
            raise no_target("Next")
    _check_literals(sd, typ, loc, jsonpath)
    if jsonpath:
        try:
            check_state(sd, loc)
        except JsonPathDefinitionError as exc:
            raise InvalidDefinition(str(exc)) from None
        if typ == "Map" and "ItemBatcher" in sd:
            raise UnsupportedDefinition(f"state '{name}': ItemBatcher in a JSONPath Map is not supported by "
                                        "sfnc run yet")
    for c in state.entries("Catch"):
        if "Next" not in c.raw:
            raise no_target(f"Catch[{c.index}]/Next")
    if typ not in ("Succeed", "Fail"):
        for t in state.transitions():
            if not isinstance(t.target, str) or t.target not in states:
                raise InvalidDefinition(f"{loc}/{_FIELD[t.kind].format(t.index)}: target {t.target!r} is not a "
                                        "state in the same States object")
    if typ == "Parallel":
        branches = sd.get("Branches")
        if not isinstance(branches, list) or not branches:
            raise InvalidDefinition(f"{loc}: Branches must be a non-empty array")
        for i, br in enumerate(branches):
            if not isinstance(br, Mapping):
                raise InvalidDefinition(f"{loc}/Branches[{i}]: a branch must be an object")
    if typ == "Map":
        if "ItemReader" in sd:
            raise UnsupportedDefinition(f"state '{name}': Map ItemReader (reading items from S3) is not "
                                        "supported by sfnc run; pass the items in the input or with 'Items'")
        if "ResultWriter" in sd:
            raise UnsupportedDefinition(f"state '{name}': Map ResultWriter (writing results to S3) is not "
                                        "supported by sfnc run")
        if not isinstance(walk.processor(sd), Mapping):
            raise InvalidDefinition(f"{loc}: Map needs an ItemProcessor")
    if not jsonpath:
        _precompile(sd, loc)
    return jsonpath


def is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_literals(sd: Mapping[str, Any], typ: str, loc: str, jsonpath: bool = False) -> None:
    """Retry/Catch shapes and literal (non-JSONata) numeric fields, which AWS checks at creation time (a
    JSONPath Wait's and Choice's own fields: `jsonpath_state.check_state`)."""

    def bad(field_name: str, what: str, value: Any) -> InvalidDefinition:
        return InvalidDefinition(f"{loc}/{field_name}: must be {what}, got {short(value)}")

    def error_equals(item: Mapping[str, Any], where: str) -> None:
        ee = item.get("ErrorEquals")
        if not isinstance(ee, list) or not ee or not all(isinstance(e, str) for e in ee):
            raise bad(f"{where}/ErrorEquals", "a non-empty array of error names", ee)

    for key in ("Retry", "Catch"):
        if key in sd:
            if typ not in ("Task", "Parallel", "Map"):
                raise InvalidDefinition(f"{loc}: field '{key}' is not supported on a {typ} state")
            if not isinstance(sd[key], list) or not all(isinstance(x, Mapping) for x in sd[key]):
                raise bad(key, "an array of objects", sd[key])
    for i, r in enumerate(sd.get("Retry") or ()):
        where = f"Retry[{i}]"
        error_equals(r, where)
        checks = (("IntervalSeconds", lambda v: is_int(v) and v >= 1, "a positive integer"),
                  ("MaxAttempts", lambda v: is_int(v) and v >= 0, "an integer >= 0"),
                  ("BackoffRate", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v >= 1,
                   "a number >= 1.0"),
                  ("MaxDelaySeconds", lambda v: is_int(v) and v >= 1, "a positive integer"),
                  ("JitterStrategy", lambda v: v in ("FULL", "NONE"), "FULL or NONE"))
        for field_name, ok, what in checks:
            if field_name in r and not ok(r[field_name]):
                raise bad(f"{where}/{field_name}", what, r[field_name])
    for i, c in enumerate(sd.get("Catch") or ()):
        error_equals(c, f"Catch[{i}]")
    literal_ints = {"Task": (("TimeoutSeconds", 1), ("HeartbeatSeconds", 1)), "Wait": (("Seconds", 0),),
                    "Map": (("MaxConcurrency", 0), ("ToleratedFailureCount", 0))}.get(typ, ())
    for field_name, minimum in literal_ints:
        v = sd.get(field_name)
        if field_name in sd and not is_expression(v) and not (is_int(v) and v >= minimum):
            raise bad(field_name, f"an integer >= {minimum} or a {{% JSONata %}} expression", v)
    if typ == "Map" and "ToleratedFailurePercentage" in sd:
        v = sd["ToleratedFailurePercentage"]
        if not is_expression(v) and not (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 100):
            raise bad("ToleratedFailurePercentage", "a number in [0, 100] or a {% JSONata %} expression", v)
    if typ == "Wait" and not jsonpath:
        if ("Seconds" in sd) == ("Timestamp" in sd):
            raise InvalidDefinition(f"{loc}: a Wait state needs exactly one of Seconds or Timestamp")
        ts = sd.get("Timestamp")
        if ts is not None and not is_expression(ts) and parse_timestamp(ts) is None:
            raise bad("Timestamp", "an RFC3339 timestamp such as 2016-03-14T01:59:00Z", ts)
    if typ == "Choice" and not jsonpath:
        for i, rule in enumerate(sd["Choices"]):
            cond = rule["Condition"]
            if not isinstance(cond, bool) and not is_expression(cond):
                raise bad(f"Choices[{i}]/Condition", "true, false or a {% JSONata %} expression", cond)
    for field_name in ("Assign",):
        if field_name in sd and not isinstance(sd[field_name], Mapping):
            raise bad(field_name, "an object", sd[field_name])


def _precompile(node: Any, loc: str, key: str | None = None) -> None:
    """Parse every ``{% %}`` string of a state now, so syntax errors surface before the run."""
    if isinstance(node, Mapping):
        for k, v in node.items():
            if key is None and k in _LITERAL_KEYS:
                continue
            _precompile(v, f"{loc}/{k}", k if key is None else key)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _precompile(v, f"{loc}[{i}]", key)
    elif is_expression(node):
        try:
            expressions.compile_expression(node[2:-2])
        except QueryError as exc:
            raise InvalidDefinition(f"{loc}: the JSONata expression '{node}' {exc.detail}") from None
