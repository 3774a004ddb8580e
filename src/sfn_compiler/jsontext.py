"""JSON text as sfnc writes it: `json.dumps(data, indent=2, ensure_ascii=False)`, byte for byte, faster.

With `indent`, the json module switches to its pure-Python encoder (generators, one `yield` per token),
which was 45% of rendering a definition. `dumps_indented` builds the same text with one plain recursive
call per container and the C string encoder for every string. Anything it is not sure to reproduce (a
subclass or another type, nesting deeper than `_MAX_DEPTH`, which is also how a circular reference shows)
goes to `json.dumps` itself, so the output, or the exception, is always the json module's.
tests/test_jsontext.py compares the two on the shared corpus, the bundled definitions and generated
documents.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C encoder when available (ensure_ascii=False's encoder)
from typing import Any

_MAX_DEPTH = 200
_INF = float("inf")


class _Unsure(Exception):
    """A value `dumps_indented` leaves to the json module."""


def dumps_indented(data: Any) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False)`."""
    try:
        return _value(data, "\n", 0)
    except _Unsure:
        return json.dumps(data, indent=2, ensure_ascii=False)


def _float(o: float) -> str:
    # json.encoder's floatstr with allow_nan=True
    if o != o:
        return "NaN"
    if o == _INF:
        return "Infinity"
    if o == -_INF:
        return "-Infinity"
    return float.__repr__(o)


def _key(k: Any) -> str:
    if isinstance(k, str):
        return encode_basestring(k)
    if isinstance(k, float):
        return encode_basestring(_float(k))
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return encode_basestring(int.__repr__(k))
    raise _Unsure  # json raises its TypeError


def _value(o: Any, nl: str, depth: int) -> str:
    t = type(o)
    if t is str:
        return encode_basestring(o)
    if t is dict:
        if not o:
            return "{}"
        if depth >= _MAX_DEPTH:
            raise _Unsure
        inner = nl + "  "
        enc = encode_basestring
        items = []
        for k, v in o.items():
            items.append((enc(k) if type(k) is str else _key(k)) + ": " +
                         (enc(v) if type(v) is str else _value(v, inner, depth + 1)))
        return "{" + inner + ("," + inner).join(items) + nl + "}"
    if t is list:
        if not o:
            return "[]"
        if depth >= _MAX_DEPTH:
            raise _Unsure
        inner = nl + "  "
        return "[" + inner + ("," + inner).join([_value(v, inner, depth + 1) for v in o]) + nl + "]"
    if t is int:
        return int.__repr__(o)
    if t is float:
        return _float(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if t is tuple:
        return _value(list(o), nl, depth)
    raise _Unsure  # a subclass (json may call its overrides) or a type json's `default` rejects


def kind(value: Any) -> str:
    """The JSON type of a value as AWS and JSON Schema name it: null, boolean, number, string, array,
    object; "other" for what JSON cannot hold."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"


def a_kind(value: Any) -> str:
    """`kind` for a sentence: "null", "a boolean", "an array", ..."""
    k = kind(value)
    return k if k == "null" else ("an " if k[0] in "aeiou" else "a ") + k
