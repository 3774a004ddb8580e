"""JSON and Java renderings of JSON values, as AWS's messages and intrinsic functions print them."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


def to_json_text(value: Any) -> str:
    """Compact JSON as AWS prints data in its messages: ``{"a":1,"b":[true,null]}``."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def java_double(x: float) -> str:
    """``Double.toString(x)`` (how Jackson prints doubles): ``1.0``, ``1.1``, ``1.0E20``, ``1.0E-5``."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    a = abs(x)
    sign = "-" if x < 0 else ""
    d = Decimal(repr(a)).normalize()
    if 1e-3 <= a < 1e7:
        text = format(d, "f")
        return sign + (text if "." in text else text + ".0")
    digits = "".join(str(g) for g in d.as_tuple().digits)
    exponent = len(digits) - 1 + int(d.as_tuple().exponent)
    return f"{sign}{digits[0]}.{digits[1:] or '0'}E{exponent}"


def java_string(value: Any) -> str:
    """``String.valueOf`` of a JSON value as Java's collections print it (``States.Format`` arguments).

    Strings are bare, ``null``/booleans/numbers as in JSON (doubles as Java prints them), lists as
    ``[a, b]`` and objects as ``{k=v, k2=v2}`` (``java.util.Map.toString``). Recorded: an object argument
    ``{"Arg1": 1, "Arg2": []}`` formats as ``{Arg1=1, Arg2=[]}`` (case jsonpath-intrinsic-functions-057).
    """
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list):
        return "[" + ", ".join(java_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={java_string(v)}" for k, v in value.items()) + "}"
    return str(value)


def java_class_name(value: Any) -> str:
    """The Jackson node class Jayway names in its type-mismatch messages."""
    if value is None:
        return "com.fasterxml.jackson.databind.node.NullNode"
    if isinstance(value, bool):
        return "com.fasterxml.jackson.databind.node.BooleanNode"
    if isinstance(value, int):
        return ("com.fasterxml.jackson.databind.node.IntNode" if -2**31 <= value < 2**31
                else "com.fasterxml.jackson.databind.node.LongNode")
    if isinstance(value, float):
        return "com.fasterxml.jackson.databind.node.DoubleNode"
    if isinstance(value, str):
        return "com.fasterxml.jackson.databind.node.TextNode"
    if isinstance(value, list):
        return "com.fasterxml.jackson.databind.node.ArrayNode"
    return "com.fasterxml.jackson.databind.node.ObjectNode"
