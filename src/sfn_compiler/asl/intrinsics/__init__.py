"""The JSONPath intrinsic functions (``States.Format(…)`` and friends): parse once, evaluate many times.

Syntax (ASL spec, "Intrinsic Functions"): ``States.Name(arg, …)`` where an argument is a ``'string'``
(escapes ``\\'`` ``\\{`` ``\\}`` ``\\\\``), a number, ``true``/``false``/``null``, a path (``$.x``, ``$$.x``,
``$var.x``) or a nested call. :func:`parse_intrinsic` checks the function name and its number of
arguments, as AWS does when the state machine is created.

:func:`evaluate` takes a ``resolve(path)`` callback (so the caller decides what ``$``, ``$$`` and
``$var`` mean and how a missing path fails) and an injected ``random.Random`` for ``States.UUID`` and an
unseeded ``States.MathRandom`` (runs are reproducible). A function that cannot compute its value raises
:class:`IntrinsicError`; the simulator reports it as ``States.IntrinsicFailure``.

Modules: `syntax` (the call tree and its parser, :data:`ARITY`), `evaluation` (the 18 functions, loaded on
first use). Import from the package.

Recorded AWS behaviours this follows (cases under ``jsonpath-intrinsic-functions-*``): ``States.MathAdd``
rounds each argument half up (``1.5 + 1.51 = 4``); ``States.StringSplit`` splits on any character of the
delimiter and drops empty pieces; ``States.StringToJson('')`` is ``null``; ``States.Format`` prints an
object argument as ``{k=v, …}``; ``States.JsonToString`` prints compact JSON.
"""

from __future__ import annotations

import importlib
from typing import Any

from .syntax import ARITY, Call, IntrinsicSyntaxError, is_intrinsic, located_paths, parse_intrinsic, paths_in

# the evaluator (hashlib, base64, uuid ...) loads on first use: the rules only parse calls
_EVALUATE = frozenset({"HASH_ALGORITHMS", "MAX_ENCODE_CHARS", "MAX_RANGE_ITEMS", "IntrinsicError", "JavaRandom",
                       "evaluate"})


def __getattr__(name: str) -> Any:
    if name not in _EVALUATE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(".evaluation", __name__), name)

__all__ = [
    "Call",
    "IntrinsicSyntaxError",
    "IntrinsicError",
    "parse_intrinsic",
    "is_intrinsic",
    "evaluate",
    "paths_in",
    "located_paths",
    "ARITY",
    "JavaRandom",
]
