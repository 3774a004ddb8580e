"""The JSONPath intrinsic functions (``States.Format(…)`` and friends): parse once, evaluate many times.

Syntax (ASL spec, "Intrinsic Functions"): ``States.Name(arg, …)`` where an argument is a ``'string'``
(escapes ``\\'`` ``\\{`` ``\\}`` ``\\\\``), a number, ``true``/``false``/``null``, a path (``$.x``, ``$$.x``,
``$var.x``) or a nested call. :func:`parse_intrinsic` checks the function name and its number of
arguments, as AWS does when the state machine is created.

:func:`evaluate` takes a ``resolve(path)`` callback (so the caller decides what ``$``, ``$$`` and
``$var`` mean and how a missing path fails) and an injected ``random.Random`` for ``States.UUID`` and an
unseeded ``States.MathRandom`` (runs are reproducible). A function that cannot compute its value raises
:class:`IntrinsicError`; the simulator reports it as ``States.IntrinsicFailure``.

Recorded AWS behaviours this follows (cases under ``jsonpath-intrinsic-functions-*``): ``States.MathAdd``
rounds each argument half up (``1.5 + 1.51 = 4``); ``States.StringSplit`` splits on any character of the
delimiter and drops empty pieces; ``States.StringToJson('')`` is ``null``; ``States.Format`` prints an
object argument as ``{k=v, …}``; ``States.JsonToString`` prints compact JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from .jsonpath import JsonPath, JsonPathSyntaxError, java_string, parse_path, to_json_text

__all__ = [
    "Call",
    "IntrinsicSyntaxError",
    "IntrinsicError",
    "parse_intrinsic",
    "is_intrinsic",
    "evaluate",
    "paths_in",
    "ARITY",
    "JavaRandom",
]

#: name → (minimum, maximum) number of arguments (None: no maximum)
ARITY: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}

HASH_ALGORITHMS = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
#: AWS's documented limits
MAX_RANGE_ITEMS = 1000
MAX_ENCODE_CHARS = 10_000


class IntrinsicSyntaxError(ValueError):
    """The text is not an intrinsic function call AWS accepts (a creation-time error)."""

    def __init__(self, text: str, message: str, position: int | None = None) -> None:
        super().__init__(f"invalid intrinsic function {text!r}: {message}"
                         + (f" (at offset {position})" if position is not None else ""))
        self.text = text
        self.message = message
        self.position = position


class IntrinsicError(Exception):
    """A call failed at run time (``States.IntrinsicFailure``). ``detail`` says why."""

    def __init__(self, function: str, detail: str) -> None:
        super().__init__(f"{function}: {detail}")
        self.function = function
        self.detail = detail


# =========================================================================== AST


@dataclass(frozen=True)
class _Literal:
    value: Any
    raw: str | None = None  # a string literal's text between the quotes, escapes kept (States.Format)


@dataclass(frozen=True)
class _PathArg:
    path: JsonPath


@dataclass(frozen=True)
class Call:
    """``name(args…)``; ``text`` is the source of this call."""

    name: str
    args: tuple["_Literal | _PathArg | Call", ...]
    text: str


_Arg = _Literal | _PathArg | Call


def paths_in(call: Call) -> list[JsonPath]:
    """Every path argument, nested calls included (what the call reads)."""
    out: list[JsonPath] = []
    for a in call.args:
        if isinstance(a, _PathArg):
            out.append(a.path)
        elif isinstance(a, Call):
            out.extend(paths_in(a))
    return out


# =========================================================================== parser


_NAME = re.compile(r"[A-Za-z0-9_.]+")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_KEYWORD = re.compile(r"(true|false|null)(?![A-Za-z0-9_])")


def is_intrinsic(value: Any) -> bool:
    """True for a string that AWS reads as an intrinsic function call (``States.X(``…)."""
    return isinstance(value, str) and value.startswith("States.") and "(" in value


class _P:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def error(self, message: str, pos: int | None = None) -> IntrinsicSyntaxError:
        return IntrinsicSyntaxError(self.text, message, self.pos if pos is None else pos)

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def call(self) -> Call:
        start = self.pos
        m = _NAME.match(self.text, self.pos)
        if not m:
            raise self.error("expected a function name such as States.Format")
        name = m.group(0)
        if name not in ARITY:
            if name.startswith("States."):
                raise self.error(f"unknown intrinsic function {name!r}", start)
            raise self.error(f"{name!r} is not an intrinsic function (names start with 'States.')", start)
        self.pos = m.end()
        self.ws()
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise self.error(f"expected '(' after {name}")
        self.pos += 1
        args: list[_Arg] = []
        self.ws()
        if self.pos < len(self.text) and self.text[self.pos] == ")":
            self.pos += 1
        else:
            while True:
                self.ws()
                args.append(self.arg())
                self.ws()
                if self.pos >= len(self.text):
                    raise self.error(f"unclosed argument list of {name}")
                c = self.text[self.pos]
                if c == ",":
                    self.pos += 1
                    continue
                if c == ")":
                    self.pos += 1
                    break
                raise self.error(f"expected ',' or ')' in the arguments of {name}")
        lo, hi = ARITY[name]
        if len(args) < lo or (hi is not None and len(args) > hi):
            want = str(lo) if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            raise self.error(f"{name} takes {want} argument{'s' if want != '1' else ''}, got {len(args)}", start)
        return Call(name, tuple(args), self.text[start:self.pos])

    def arg(self) -> _Arg:
        t = self.text
        if self.pos >= len(t):
            raise self.error("expected an argument")
        c = t[self.pos]
        if c == "'":
            return self.string()
        if c == "$":
            return self.path()
        if t.startswith("States.", self.pos):
            return self.call()
        m = _KEYWORD.match(t, self.pos)
        if m:
            self.pos = m.end()
            return _Literal({"true": True, "false": False, "null": None}[m.group(1)])
        m = _NUMBER.match(t, self.pos)
        if m:
            self.pos = m.end()
            word = m.group(0)
            if any(x in word for x in ".eE"):
                return _Literal(float(word))
            return _Literal(int(word))
        raise self.error(f"unexpected {c!r}: an argument is a 'string', a number, null, a path or a function")

    def string(self) -> _Literal:
        t = self.text
        start = self.pos
        self.pos += 1
        buf: list[str] = []
        while self.pos < len(t):
            c = t[self.pos]
            if c == "\\":
                nxt = t[self.pos + 1] if self.pos + 1 < len(t) else ""
                if nxt not in ("'", "{", "}", "\\"):
                    raise self.error("an open escape backslash: only \\', \\{, \\} and \\\\ are escapes", self.pos)
                buf.append(nxt)
                self.pos += 2
                continue
            if c == "'":
                self.pos += 1
                return _Literal("".join(buf), raw=t[start + 1:self.pos - 1])
            buf.append(c)
            self.pos += 1
        raise self.error("unclosed string literal", start)

    def path(self) -> _PathArg:
        t = self.text
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(t):
            c = t[self.pos]
            if quote:
                if c == "\\":
                    self.pos += 2
                    continue
                if c == quote:
                    quote = ""
            elif c in ("'", '"'):
                quote = c
            elif c == "[" or c == "(":
                depth += 1
            elif c == "]" or (c == ")" and depth > 0):
                depth -= 1
            elif depth == 0 and c in ",)":
                break
            self.pos += 1
        text = t[start:self.pos].rstrip()
        try:
            return _PathArg(parse_path(text))
        except JsonPathSyntaxError as exc:
            raise self.error(f"invalid path argument {text!r}: {exc.message}", start) from None


@lru_cache(maxsize=4096)
def parse_intrinsic(text: str) -> Call:
    """Parse ``States.X(…)``. Raises :class:`IntrinsicSyntaxError`."""
    p = _P(text)
    call = p.call()
    p.ws()
    if p.pos != len(text):
        raise p.error("unexpected text after the closing ')'")
    return call


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


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


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
            raise self.fail(call, f"{what} must be a string, but was {_type_name(v)}: {_show(v)}")
        return v

    def array(self, call: Call, v: Any, what: str) -> list:
        if not isinstance(v, list):
            raise self.fail(call, f"{what} must be an array, but was {_type_name(v)}: {_show(v)}")
        return v

    def integer(self, call: Call, v: Any, what: str) -> int:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not math.isfinite(v)):
            raise self.fail(call, f"{what} must be a number, but was {_type_name(v)}: {_show(v)}")
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
                raise self.fail(call, f"{what} must be a JSON object, but was {_type_name(v)}: {_show(v)}")
        if not isinstance(deep, bool):
            raise self.fail(call, f"the third argument must be a boolean, but was {_type_name(deep)}: {_show(deep)}")
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
