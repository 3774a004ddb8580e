"""JSON Schema -> shape (the execution input a project declares in `templates/<name>.input.schema.json`).

Objects are open unless `additionalProperties: false` (JSON Schema's default lets any other member
exist), `required` members are marked, string `enum`/`const` become enum strings, `type` lists and
`anyOf`/`oneOf` become unions, local `$ref`s (`#/...`) are followed with recursion cut. Anything this does
not understand (`allOf`, `not`, `if`, remote refs, `patternProperties`) is UNKNOWN: a schema can only make
the inference more precise where it is plain.
"""

from __future__ import annotations

from typing import Any

from . import shape as S
from .shape import Member, Shape

_SIMPLE = {"string": S.STRING, "number": S.NUMBER, "integer": S.NUMBER, "boolean": S.BOOLEAN, "null": S.NULL}


def from_json_schema(schema: Any) -> Shape:
    return _Conv(schema).conv(schema, 0, ())


class _Conv:
    def __init__(self, root: Any) -> None:
        self.root = root

    def ref(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        node: Any = self.root
        for part in ref[1:].split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def conv(self, s: Any, depth: int, refs: tuple[str, ...]) -> Shape:
        if s is True or s == {}:
            return S.UNKNOWN
        if s is False or not isinstance(s, dict) or depth > S.MAX_DEPTH:
            return S.UNKNOWN
        if "$ref" in s:
            ref = s["$ref"]
            if not isinstance(ref, str) or ref in refs:
                return S.UNKNOWN
            target = self.ref(ref)
            return self.conv(target, depth + 1, refs + (ref,)) if target is not None else S.UNKNOWN
        if any(k in s for k in ("allOf", "not", "if", "patternProperties", "dependentSchemas")):
            return S.UNKNOWN
        if "const" in s:
            c = s["const"]
            return S.string([c]) if isinstance(c, str) else S.of_value(c)
        if "enum" in s and isinstance(s["enum"], list):
            vals = s["enum"]
            if vals and all(isinstance(v, str) for v in vals):
                return S.string(vals)
            return S.union(*(S.of_value(v) for v in vals)) if vals else S.UNKNOWN
        for key in ("anyOf", "oneOf"):
            if isinstance(s.get(key), list) and s[key]:
                return S.union(*(self.conv(x, depth + 1, refs) for x in s[key]))
        t = s.get("type")
        if isinstance(t, list):
            return S.union(*(self._typed(s, x, depth, refs) for x in t)) if t else S.UNKNOWN
        if isinstance(t, str):
            return self._typed(s, t, depth, refs)
        if "properties" in s or "additionalProperties" in s or "required" in s:
            return self._typed(s, "object", depth, refs)
        if "items" in s:
            return self._typed(s, "array", depth, refs)
        return S.UNKNOWN

    def _typed(self, s: dict, t: str, depth: int, refs: tuple[str, ...]) -> Shape:
        if t in _SIMPLE:
            return _SIMPLE[t]
        if t == "array":
            items = s.get("items")
            return S.array(self.conv(items, depth + 1, refs) if isinstance(items, dict) else S.UNKNOWN)
        if t == "object":
            props = s.get("properties") if isinstance(s.get("properties"), dict) else {}
            req = set(x for x in s.get("required", ()) if isinstance(x, str)) if isinstance(s.get("required"),
                                                                                          list) else set()
            members = {k: Member(self.conv(v, depth + 1, refs), k in req) for k, v in props.items()}
            for k in req - set(props):
                members[k] = Member(S.UNKNOWN, True)
            extra = s.get("additionalProperties", True)
            if extra is False:
                return S.obj(members)
            rest = S.UNKNOWN if extra is True or not isinstance(extra, dict) else self.conv(extra, depth + 1, refs)
            return S.obj(members, rest=rest)
        return S.UNKNOWN
