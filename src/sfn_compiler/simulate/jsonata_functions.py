"""The functions Step Functions adds to JSONata, as the simulator registers them on each compiled expression:
the six of AWS (`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`), `$now`/`$millis` on the
virtual clock, a `$pad` bounded in memory, and no `$eval` (AWS supports every other JSONata 2.0.6
built-in).

The per-evaluation state they need (virtual time, the execution's random generators) lives in a
thread-local :data:`CONTEXT`, set by the interpreter for each run (`EvalContext`).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
import uuid
from typing import Any, Callable

from jsonata import Jsonata
from jsonata.functions import Functions as _JFunctions
from jsonata.utils import Utils as _JUtils

from .budget import EXPRESSION_BUDGET

NULL = _JUtils.NULL_VALUE

__all__ = ["JSONATA_SF_FUNCTIONS", "EvalContext", "CONTEXT", "current_context", "FunctionError",
           "java_random_next_double", "register"]

JSONATA_SF_FUNCTIONS = ("partition", "range", "hash", "random", "uuid", "parse")

HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}

#: Guard against ``$range`` calls that would exhaust memory in the simulator.
RANGE_LIMIT = 1_000_000


class FunctionError(Exception):
    """Raised by the Step Functions functions on bad arguments."""


class EvalContext:
    """Per-execution inputs of the registered functions."""

    __slots__ = ("now_ms", "rng_random", "rng_uuid", "expression_budget")

    def __init__(self, now_ms: int = 0, seed: int | str = 0, expression_budget: float | None = EXPRESSION_BUDGET
                 ) -> None:
        self.now_ms = now_ms
        self.expression_budget = expression_budget
        self.rng_random = random.Random(f"sfnc:{seed}:random")
        self.rng_uuid = random.Random(f"sfnc:{seed}:uuid")


_THREAD = threading.local()


def current_context() -> EvalContext:
    ctx = getattr(_THREAD, "ctx", None)
    if ctx is None:
        ctx = _THREAD.ctx = EvalContext()
    return ctx


class _ContextHolder:
    """``CONTEXT.set(ctx)`` installs the context for the current thread."""

    @staticmethod
    def set(ctx: EvalContext) -> None:
        _THREAD.ctx = ctx

    @staticmethod
    def get() -> EvalContext:
        return current_context()


CONTEXT = _ContextHolder()


def java_random_next_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()`` (what AWS's seeded ``$random`` returns)."""
    mask = (1 << 48) - 1
    s = (int(seed) ^ 0x5DEECE66D) & mask

    s = (s * 0x5DEECE66D + 0xB) & mask
    hi = s >> (48 - 26)
    s = (s * 0x5DEECE66D + 0xB) & mask
    lo = s >> (48 - 27)
    return ((hi << 27) + lo) * (1.0 / (1 << 53))


def _as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FunctionError(f"{what} must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise FunctionError(f"{what} must be finite")
    return math.floor(value)  # AWS: functions that need integers round non-integers down


def _sf_partition(array: Any, size: Any) -> list:
    n = _as_int(size, "$partition: chunk size")
    if n <= 0:
        raise FunctionError("$partition: chunk size must be a positive integer")
    items = list(array) if array is not None else []
    return [items[i : i + n] for i in range(0, len(items), n)]


def _sf_range(start: Any, end: Any, step: Any) -> list:
    a = _as_int(start, "$range: start")
    b = _as_int(end, "$range: end")
    st = _as_int(step, "$range: step")
    if st == 0:
        raise FunctionError("$range: step must not be 0")
    count = (b - a) // st + 1 if (b - a) * st >= 0 else 0
    if count > RANGE_LIMIT:
        raise FunctionError(f"$range: would produce {count} elements (simulator limit {RANGE_LIMIT})")
    # a sequence, as AWS returns it: one element collapses to that element (recorded: $range(1, 9, 9) is 1,
    # jsonata-intrinsic-functions-018), none is undefined
    return _JUtils.create_sequence_from_iter(range(a, b + (1 if st > 0 else -1), st))


def _sf_hash(data: Any, algorithm: Any) -> str:
    name = HASH_ALGORITHMS.get(algorithm)
    if name is None:
        raise FunctionError(
            f"$hash: unsupported algorithm {algorithm!r}; expected one of {', '.join(HASH_ALGORITHMS)}"
        )
    return hashlib.new(name, str(data).encode("utf-8")).hexdigest()


def _sf_random(seed: Any = None) -> float:
    if seed is None:
        return current_context().rng_random.random()
    return java_random_next_double(_as_int(seed, "$random: seed"))


def _sf_uuid() -> str:
    return str(uuid.UUID(int=current_context().rng_uuid.getrandbits(128), version=4))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _sf_parse(text: Any) -> Any:
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except (TypeError, ValueError) as exc:
        raise FunctionError(f"$parse: invalid JSON string: {exc}") from None
    return NULL if value is None else value


#: the longest string $pad may build: a bound on what one call allocates (AWS has a memory limit per
#: evaluation, "Expression evaluation memory limit exceeded"; its size is not documented)
PAD_LIMIT = 10_000_000


def _pad(string: Any, width: Any, char: Any = None) -> Any:
    if isinstance(width, (int, float)) and not isinstance(width, bool) and abs(width) > PAD_LIMIT:
        raise FunctionError("Expression evaluation memory limit exceeded")
    return _JFunctions.pad(string, width, char)


def _now(picture: Any = None, timezone: Any = None) -> Any:
    return _JFunctions.datetime_from_millis(current_context().now_ms, picture, timezone)


def _millis() -> int:
    return current_context().now_ms


class _Impl:
    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def call(self, input: Any, args: Any) -> Any:  # noqa: A002 - engine protocol
        return self.fn(*(args or ()))


_REGISTRATIONS: tuple[tuple[str, Callable[..., Any], str], ...] = (
    ("partition", _sf_partition, "<an:a>"),
    ("range", _sf_range, "<nnn:a>"),
    ("hash", _sf_hash, "<ss:s>"),
    ("random", _sf_random, "<n?:n>"),
    ("uuid", _sf_uuid, "<:s>"),
    ("parse", _sf_parse, "<s-:x>"),
    ("now", _now, "<s?s?:s>"),
    ("millis", _millis, "<:n>"),
    ("pad", _pad, "<s-ns?:s>"),
)


def register(expr: Jsonata) -> None:
    """Register the Step Functions functions, `$now`/`$millis` on the virtual clock and a bounded `$pad` on
    `expr`, and remove `$eval`."""
    for name, fn, sig in _REGISTRATIONS:
        expr.register_function(name, Jsonata.JFunction(_Impl(fn), sig))
    # AWS supports every JSONata 2.0.6 built-in except $eval (use $parse).
    expr.register_function("eval", None)
