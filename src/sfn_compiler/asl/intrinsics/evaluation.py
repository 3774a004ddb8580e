"""Evaluating an intrinsic function call: :func:`evaluate` with the caller's ``resolve(path)`` and random
source; :class:`IntrinsicError` when a function cannot compute its value."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from typing import Any, Callable

from ...jsontext import kind as json_kind
from ..jsonpath import JsonPath, java_string, to_json_text
from .syntax import Call, _Arg, _Literal, _PathArg, parse_intrinsic

HASH_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
#: AWS's documented limits
MAX_RANGE_ITEMS = 1000
MAX_ENCODE_CHARS = 10_000


class IntrinsicError(Exception):
    """A call failed at run time (``States.IntrinsicFailure``). ``detail`` says why."""

    def __init__(self, function: str, detail: str) -> None:
        super().__init__(f"{function}: {detail}")
        self.function = function
        self.detail = detail


# =========================================================================== evaluation


class JavaRandom:
    """``java.util.Random`` (the 48-bit LCG), for seeded ``States.MathRandom``."""

    _MULT = 0x5DEECE66D
    _MASK = (1 << 48) - 1

    def __init__(self, seed: int) -> None:
        self._seed = (int(seed) ^ self._MULT) & self._MASK

    def _next(self, bits: int) -> int:
        self._seed = (self._seed * self._MULT + 0xB) & self._MASK
        r = self._seed >> (48 - bits)
        return r - (1 << 32) if bits == 32 and r >= 1 << 31 else r  # Java's (int) cast

    def next_double(self) -> float:
        """``nextDouble()``."""
        return ((self._next(26) << 27) + self._next(27)) * (1.0 / (1 << 53))

    def next_int(self, bound: int) -> int:
        """``nextInt(bound)`` for 0 < bound < 2**31."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & -bound == bound:
            return (bound * (self._next(31) & 0x7FFFFFFF)) >> 31
        while True:
            bits = self._next(31) & 0x7FFFFFFF
            val = bits % bound
            if bits - val + (bound - 1) < (1 << 31):
                return val


def _show(v: Any) -> str:
    try:
        return to_json_text(v)
    except (TypeError, ValueError):  # pragma: no cover - callers pass JSON data
        return repr(v)


def _java_round(x: float) -> int:
    """``Math.round``: half up (``-1.5`` → ``-1``, ``2.5`` → ``3``)."""
    return math.floor(x + 0.5)


def _json_key(v: Any) -> str:
    """Jackson equality as a hashable key: objects ignore key order, ``1`` and ``1.0`` differ."""
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class _Evaluator:
    def __init__(self, resolve: Callable[[JsonPath], Any], rng: random.Random | None) -> None:
        self.resolve = resolve
        self.rng = rng

    def value(self, arg: _Arg) -> Any:
        if isinstance(arg, _Literal):
            return arg.value
        if isinstance(arg, _PathArg):
            return self.resolve(arg.path)
        return self.call(arg)

    def call(self, call: Call) -> Any:
        fn = getattr(self, "f_" + call.name[len("States."):])
        return fn(call)

    # ---- argument checks
    @staticmethod
    def fail(call: Call, detail: str) -> IntrinsicError:
        return IntrinsicError(call.name, detail)

    def string(self, call: Call, v: Any, what: str) -> str:
        if not isinstance(v, str):
            raise self.fail(call, f"{what} must be a string, but was {json_kind(v)}: {_show(v)}")
        return v

    def array(self, call: Call, v: Any, what: str) -> list:
        if not isinstance(v, list):
            raise self.fail(call, f"{what} must be an array, but was {json_kind(v)}: {_show(v)}")
        return v

    def integer(self, call: Call, v: Any, what: str) -> int:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
            raise self.fail(call, f"{what} must be a number, but was {json_kind(v)}: {_show(v)}")
        return v if isinstance(v, int) else _java_round(v)

    # ---- the functions
    def f_Format(self, call: Call) -> str:
        first = call.args[0]
        template_value = self.value(first)
        template = self.string(call, template_value, "the template (first argument)")
        raw = first.raw if isinstance(first, _Literal) and first.raw is not None else None
        pieces = _format_pieces(raw if raw is not None else template, escaped=raw is not None)
        if pieces is None:
            raise self.fail(call, f"the template {template!r} has an unmatched '{{' or '}}'")
        values = [self.value(a) for a in call.args[1:]]
        holes = len(pieces) - 1
        if holes != len(values):
            raise self.fail(call, f"the template has {holes} placeholder{'s' if holes != 1 else ''} '{{}}' "
                                  f"but {len(values)} argument{'s' if len(values) != 1 else ''} follow it")
        out = [pieces[0]]
        for v, piece in zip(values, pieces[1:]):
            out.append(java_string(v))
            out.append(piece)
        return "".join(out)

    def f_StringToJson(self, call: Call) -> Any:
        text = self.string(call, self.value(call.args[0]), "the argument")
        if not text.strip():
            return None  # recorded: '' and ' ' give null (jsonpath-intrinsic-functions-071, -072)
        try:
            return json.loads(text, parse_constant=_no_constant)
        except ValueError as exc:
            raise self.fail(call, f"the argument is not valid JSON: {exc}") from None

    def f_JsonToString(self, call: Call) -> str:
        return to_json_text(self.value(call.args[0]))

    def f_Array(self, call: Call) -> list:
        return [self.value(a) for a in call.args]

    def f_ArrayPartition(self, call: Call) -> list:
        arr = self.array(call, self.value(call.args[0]), "the first argument")
        size = self.integer(call, self.value(call.args[1]), "the chunk size")
        if size <= 0:
            raise self.fail(call, f"the chunk size must be a positive integer, but was {size}")
        return [arr[i:i + size] for i in range(0, len(arr), size)]

    def f_ArrayContains(self, call: Call) -> bool:
        arr = self.array(call, self.value(call.args[0]), "the first argument")
        key = _json_key(self.value(call.args[1]))
        return any(_json_key(x) == key for x in arr)

    def f_ArrayRange(self, call: Call) -> list[int]:
        start = self.integer(call, self.value(call.args[0]), "the start")
        end = self.integer(call, self.value(call.args[1]), "the end")
        step = self.integer(call, self.value(call.args[2]), "the step")
        if step == 0:
            raise self.fail(call, "the step must not be 0")
        count = (end - start) // step + 1 if (end - start) * step >= 0 else 0
        if count > MAX_RANGE_ITEMS:
            raise self.fail(call, f"the range has {count} items; an array can have at most {MAX_RANGE_ITEMS}")
        return [start + k * step for k in range(count)]

    def f_ArrayGetItem(self, call: Call) -> Any:
        arr = self.array(call, self.value(call.args[0]), "the first argument")
        index = self.integer(call, self.value(call.args[1]), "the index")
        if not 0 <= index < len(arr):
            raise self.fail(call, f"the index {index} is out of bounds for an array of length {len(arr)}")
        return arr[index]

    def f_ArrayLength(self, call: Call) -> int:
        return len(self.array(call, self.value(call.args[0]), "the argument"))

    def f_ArrayUnique(self, call: Call) -> list:
        arr = self.array(call, self.value(call.args[0]), "the argument")
        seen: set[str] = set()
        out = []
        for x in arr:
            k = _json_key(x)
            if k not in seen:
                seen.add(k)
                out.append(x)
        return out

    def f_Base64Encode(self, call: Call) -> str:
        text = self.string(call, self.value(call.args[0]), "the argument")
        if len(text) > MAX_ENCODE_CHARS:
            raise self.fail(call, f"the input has {len(text)} characters; the limit is {MAX_ENCODE_CHARS}")
        return base64.b64encode(text.encode("utf-8")).decode("ascii")

    def f_Base64Decode(self, call: Call) -> str:
        text = self.string(call, self.value(call.args[0]), "the argument")
        if len(text) > MAX_ENCODE_CHARS:
            raise self.fail(call, f"the input has {len(text)} characters; the limit is {MAX_ENCODE_CHARS}")
        try:
            return base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError, ValueError):
            raise self.fail(call, "the argument is not valid Base64 of UTF-8 text") from None

    def f_Hash(self, call: Call) -> str:
        data = self.value(call.args[0])
        algorithm = self.value(call.args[1])
        text = data if isinstance(data, str) else to_json_text(data)
        if len(text) > MAX_ENCODE_CHARS:
            raise self.fail(call, f"the input has {len(text)} characters; the limit is {MAX_ENCODE_CHARS}")
        name = HASH_ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
        if name is None:
            raise self.fail(call, f"unsupported algorithm {_show(algorithm)}; expected one of "
                                  + ", ".join(HASH_ALGORITHMS))
        return hashlib.new(name, text.encode("utf-8")).hexdigest()

    def f_JsonMerge(self, call: Call) -> dict:
        a, b, deep = (self.value(x) for x in call.args)
        for what, v in (("the first argument", a), ("the second argument", b)):
            if not isinstance(v, dict):
                raise self.fail(call, f"{what} must be a JSON object, but was {json_kind(v)}: {_show(v)}")
        if not isinstance(deep, bool):
            raise self.fail(call, f"the third argument must be a boolean, but was {json_kind(deep)}: {_show(deep)}")
        if deep:
            # AWS documentation: only the shallow mode is supported
            raise self.fail(call, "Currently, Step Functions only supports the shallow merging mode; therefore, "
                                  "you must specify the boolean value as false.")
        out = dict(a)
        out.update(b)
        return out

    def f_MathRandom(self, call: Call) -> int:
        start = self.integer(call, self.value(call.args[0]), "the start")
        end = self.integer(call, self.value(call.args[1]), "the end")
        if end < start:
            raise self.fail(call, f"the end ({end}) must not be less than the start ({start})")
        if len(call.args) == 3:
            seed = self.integer(call, self.value(call.args[2]), "the seed")
            return start + JavaRandom(seed).next_int(end - start + 1)
        rng = self.rng if self.rng is not None else random.Random()
        return rng.randint(start, end)

    def f_MathAdd(self, call: Call) -> int:
        a = self.integer(call, self.value(call.args[0]), "the first argument")
        b = self.integer(call, self.value(call.args[1]), "the second argument")
        return a + b

    def f_StringSplit(self, call: Call) -> list[str]:
        text = self.string(call, self.value(call.args[0]), "the first argument")
        delims = self.string(call, self.value(call.args[1]), "the delimiter")
        if not delims:
            return [text] if text else []
        # java.util.StringTokenizer: any delimiter character splits, empty tokens are dropped
        return [piece for piece in re.split("[" + re.escape(delims) + "]", text) if piece]

    def f_UUID(self, call: Call) -> str:
        rng = self.rng if self.rng is not None else random.Random()
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _no_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _format_pieces(template: str, *, escaped: bool) -> list[str] | None:
    """Split a States.Format template at its ``{}`` placeholders; None on a stray brace.

    ``escaped``: the template is a literal's raw text, where ``\\{``, ``\\}``, ``\\'`` and ``\\\\``
    stand for the characters themselves.
    """
    pieces: list[str] = []
    buf: list[str] = []
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if escaped and c == "\\" and i + 1 < n:
            buf.append(template[i + 1])
            i += 2
            continue
        if c == "{":
            if i + 1 < n and template[i + 1] == "}":
                pieces.append("".join(buf))
                buf = []
                i += 2
                continue
            return None
        if c == "}":
            return None
        buf.append(c)
        i += 1
    pieces.append("".join(buf))
    return pieces


def evaluate(call: Call | str, resolve: Callable[[JsonPath], Any], rng: random.Random | None = None) -> Any:
    """Evaluate a call. ``resolve(path)`` returns a path argument's value (or raises the caller's error).

    Raises :class:`IntrinsicError` when a function cannot compute its value.
    """
    if isinstance(call, str):
        call = parse_intrinsic(call)
    return _Evaluator(resolve, rng).call(call)
