"""JSONPath in the shape inference: the shape a plain path (`$.a.b`, `$.a[0]`, `$$.Execution.Input`,
`$var.x`) reads, a Payload Template's shape (`"key.$"` fields), a ResultPath's placement of the result.
Anything else (filters, intrinsic functions, paths into unknown places) is UNKNOWN. `an` is the flow's
analyser: `an.flow.context()` is the shape of the context object (`$$`)."""

from __future__ import annotations

from typing import Any, Mapping

from . import shape as S
from .shape import Member, Shape

Vars = Mapping[str, Shape]


def context_shape(execution_input: Shape, with_map_item: Shape | None = None) -> Shape:
    """The context object's documented fields; `Map.Item` (`Index`, `Value`: `with_map_item`) in a Map's
    ItemSelector (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html)."""
    members = {
        "Execution": Member(S.obj({"Id": Member(S.STRING, True), "Input": Member(execution_input, True),
                                   "Name": Member(S.STRING, True), "RoleArn": Member(S.STRING, True),
                                   "StartTime": Member(S.STRING, True), "RedriveCount": Member(S.NUMBER, True),
                                   "RedriveTime": S.STRING}), True),
        "State": Member(S.obj({"EnteredTime": Member(S.STRING, True), "Name": Member(S.STRING, True),
                               "RetryCount": Member(S.NUMBER, True)}), True),
        "StateMachine": Member(S.obj({"Id": Member(S.STRING, True), "Name": Member(S.STRING, True)}), True),
        "Task": S.obj({"Token": Member(S.STRING, True)}),
    }
    if with_map_item is not None:
        members["Map"] = Member(S.obj({"Item": Member(S.obj({
            "Index": Member(S.NUMBER, True), "Value": Member(with_map_item, True), "Key": S.STRING,
            "Source": S.STRING}), True)}), True)
    return S.obj(members)


def _parse_path(path: str) -> list[Any] | None:
    """`$.a.b[0]['c d'][*]` -> ['a', 'b', 0, 'c d', '*'], or None when the path is not that simple."""
    if not isinstance(path, str) or not path.startswith("$"):
        return None
    i, n, out = 1, len(path), []
    while i < n:
        ch = path[i]
        if ch == ".":
            j = i + 1
            while j < n and (path[j].isalnum() or path[j] in "_-$@"):
                j += 1
            if j == i + 1:
                return None
            out.append(path[i + 1:j])
            i = j
        elif ch == "[":
            j = path.find("]", i)
            if j < 0:
                return None
            inner = path[i + 1:j].strip()
            if inner == "*":
                out.append("*")
            elif inner.isdigit():
                out.append(int(inner))
            elif len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
                out.append(inner[1:-1])
            else:
                return None
            i = j + 1
        else:
            return None
    return out


def _walk_path(shape: Shape, steps: list[Any]) -> Shape:
    cur = shape
    for st in steps:
        if isinstance(st, int) or st == "*":
            cur = S.element(cur) if st != "*" else cur
            continue
        m = S.member(cur, st)
        if m is S.NO_SUCH_MEMBER:
            return S.UNKNOWN  # a JSONPath that misses fails at run time; not judged here
        cur = m
    return cur


def _jsonpath_get(shape: Shape, path: Any, an: Any, env: Vars) -> Shape:
    if path is None:
        return S.obj({})
    if not isinstance(path, str):
        return S.UNKNOWN
    if path.startswith("$$"):
        steps = _parse_path(path[1:])
        return _walk_path(an.flow.context(), steps) if steps is not None else S.UNKNOWN
    if len(path) > 1 and path[1] not in ".[":   # `$var.x`: a variable
        name = path[1:].split(".", 1)[0].split("[", 1)[0]
        rest = path[1 + len(name):]
        base = env.get(name, S.UNKNOWN)
        steps = _parse_path("$" + rest)
        return _walk_path(base, steps) if steps is not None else S.UNKNOWN
    steps = _parse_path(path)
    return _walk_path(shape, steps) if steps is not None else S.UNKNOWN


def _jsonpath_input(shape: Shape, path: Any, an: Any, env: Vars) -> Shape:
    if path is None:
        return S.obj({})
    return _jsonpath_get(shape, path, an, env)


def _jsonpath_template(value: Any, data: Shape, an: Any, env: Vars, map_item: Shape | None = None,
                       depth: int = 0) -> Shape:
    if depth > 100:
        return S.UNKNOWN
    if isinstance(value, dict):
        members: dict[str, Member] = {}
        for k, v in value.items():
            k = str(k)
            if k.endswith(".$"):
                if isinstance(v, str) and v.startswith("$$.Map.Item.Value") and map_item is not None:
                    steps = _parse_path("$" + v[len("$$.Map.Item.Value"):])
                    sh = _walk_path(map_item, steps) if steps is not None else S.UNKNOWN
                elif isinstance(v, str) and v.startswith("$"):
                    sh = _jsonpath_get(data, v, an, env)
                else:
                    sh = S.UNKNOWN  # intrinsic functions
                members[k[:-2]] = Member(sh, True)
            else:
                members[k] = Member(_jsonpath_template(v, data, an, env, map_item, depth + 1), True)
        return S.obj(members)
    if isinstance(value, list):
        item = None
        for v in value:
            s = _jsonpath_template(v, data, an, env, map_item, depth + 1)
            item = s if item is None else S.join(item, s)
        return S.array(item if item is not None else S.UNKNOWN)
    return S.of_value(value)


def _result_path(inp: Shape, result: Shape, path: Any) -> Shape:
    if path is None:
        return inp
    if path == "$":
        return result
    steps = _parse_path(path) if isinstance(path, str) else None
    if not steps or any(not isinstance(s, str) or s == "*" for s in steps):
        return S.UNKNOWN
    return _set(inp, steps, result)


def _set(base: Shape, steps: list[str], value: Shape) -> Shape:
    name = steps[0]
    inner = value if len(steps) == 1 else None
    if base.kind == "object":
        members = dict(base.members)
        if inner is None:
            old = members.get(name)
            inner = _set(old.shape if old else S.obj({}), steps[1:], value)
        members[name] = Member(inner, True)
        return S.obj(members, open=base.open, rest=base.rest if base.open else None, caseless=base.caseless)
    if inner is None:
        inner = _set(S.obj({}), steps[1:], value)
    return S.obj({name: Member(inner, True)}, open=True)  # unknown input: other members unknown
