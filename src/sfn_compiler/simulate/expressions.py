"""JSONata expressions in the simulator: compiling and evaluating them with jsonata-python.

* compiles expressions once per source string (per thread) and registers the six
  Step Functions functions plus a virtual-clock ``$now``/``$millis`` on each;
* evaluates with ``$states`` and workflow-variable bindings, keeping JSONata
  ``null`` and *undefined* apart;
* turns every evaluation failure (coded ``JException`` or a raw Python exception
  leaking out of the engine) into :class:`QueryError`, which the interpreter
  reports as ``States.QueryEvaluationError``.

The Step Functions functions and the per-evaluation state they need (virtual time, the execution's random
generators: :data:`CONTEXT`) are `jsonata_functions`'; `EvalContext`, `CONTEXT`, `java_random_next_double`
and `JSONATA_SF_FUNCTIONS` are re-exported here.

Why this module is long: the shortcuts that evaluate the two commonest expression shapes without the
engine reproduce the engine's own rules on its own representations (`NULL`, `to_json`, `QueryError`), so
they stay next to the engine calls they must agree with.
"""

from __future__ import annotations

import math
import operator
import re
import threading
from typing import Any, Callable, Mapping

from jsonata import Jsonata
from jsonata.utils import Utils as _JUtils

from .budget import EvaluationTimeout, evaluation_budget
from .jsonata_functions import (CONTEXT, JSONATA_SF_FUNCTIONS, EvalContext, FunctionError, current_context,
                                java_random_next_double, register)

NULL = _JUtils.NULL_VALUE

__all__ = [
    "QueryError",
    "EvalContext",
    "CONTEXT",
    "compile_expression",
    "evaluate",
    "field_evaluator",
    "reads_context",
    "is_expression",
    "expression_source",
    "java_random_next_double",
    "to_json",
    "JSONATA_SF_FUNCTIONS",
    "binding_value",
    "ENGINE_HOOKS",
]

class QueryError(Exception):
    """An expression failed: ``detail`` completes "The JSONata expression '…' specified for the field '…' <detail>"."""

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


# --------------------------------------------------------------------------- compile / evaluate


def is_expression(value: Any) -> bool:
    """True when ``value`` is a string of the form ``{% … %}`` (the whole string)."""
    return type(value) is str and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


def expression_source(value: str) -> str:
    return value[2:-2]


_THREAD = threading.local()


def _cache() -> dict[str, Jsonata]:
    c = getattr(_THREAD, "cache", None)
    if c is None:
        c = _THREAD.cache = {}
    return c


def compile_expression(source: str) -> Jsonata:
    """Compile (or fetch from the per-thread cache) the JSONata text ``source``.

    Raises :class:`QueryError` with a ``could not be parsed`` detail on syntax errors.
    """
    cache = _cache()
    expr = cache.get(source)
    if expr is not None:
        return expr
    try:
        expr = Jsonata(source)
    except Exception as exc:  # JException or a raw parser exception
        raise QueryError(f"could not be parsed: {_describe(exc)}", code=getattr(exc, "error", None)) from None
    if expr.errors:
        raise QueryError(f"could not be parsed: {_describe(expr.errors[0])}")
    expr.set_output_convert_nulls(False)
    expr.set_validate_input(False)
    register(expr)
    cache[source] = expr
    return expr


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FunctionError):
        return str(exc)
    code = getattr(exc, "error", None)
    msg = str(exc) or type(exc).__name__
    if code and isinstance(code, str) and not msg.startswith(code):
        return f"{code}: {msg}"
    if not code:
        return f"{type(exc).__name__}: {msg}"
    return msg


class _Unsupported(Exception):
    pass


def to_json(value: Any) -> Any:
    """Rebuild an engine result as plain JSON data (``null`` → ``None``, sequences → lists)."""
    t = type(value)
    if t is str or t is int or t is bool or value is None:
        return value
    if t is float:
        if not math.isfinite(value):
            raise _Unsupported("a non-finite number")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        return value
    if t is dict:
        return {k: to_json(v) for k, v in value.items()}
    if value is NULL:
        return None
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    raise _Unsupported(f"a {type(value).__name__}")


# Two shapes make up most expressions of Step Functions definitions, and both are evaluated here without the
# engine when their operands allow it:
#   - a path ``$name.field.field`` when every step reaches an object;
#   - ``a OP b`` with OP one of ``+ - * / % = != < <= > >=`` and each side such a path or a number or string
#     literal (``$n + 1``, ``$n >= 5000``, ``$status = 'Succeeded'``), when both values are numbers, both
#     strings or (for = and !=) both booleans: the engine's own rules (`evaluate_numeric_expression`,
#     `evaluate_comparison_expression`, `evaluate_equality_expression` in jsonata-python) are reproduced
#     exactly, and anything else (arrays to map over, a missing value, mixed types, an overflow) goes to the
#     engine. tests/simulate/test_sim_jsonata.py checks both shortcuts against the engine on random data.
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PATH_SRC = r"\$" + _NAME + r"(?:\s*\.\s*" + _NAME + r")*"
_SIMPLE_PATH = re.compile(r"^\s*(" + _PATH_SRC + r")\s*$")
_OPERAND = _PATH_SRC + r"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|'[^'\\]*'|\"[^\"\\]*\""
_BINARY = re.compile(r"^\s*(" + _OPERAND + r")\s*(\+|-|\*|/|%|!=|<=|>=|=|<|>)\s*(" + _OPERAND + r")\s*$")
#: names JSONata reads as operators or literals after a dot: such paths go to the engine
_KEYWORDS = frozenset(("and", "or", "in", "true", "false", "null", "function", "lambda"))
_NO_FAST = object()
_PATH, _LITERAL = 0, 1


def _operand_plan(text: str) -> tuple | None:
    if text[0] == "$":
        var, *keys = (k.strip() for k in text[1:].split("."))
        if var in _KEYWORDS or any(k in _KEYWORDS for k in keys):
            return None
        return (_PATH, var, tuple(keys))
    if text[0] in "'\"":
        return (_LITERAL, text[1:-1])
    number = float(text)  # JSONata's number literals are doubles
    return (_LITERAL, number) if math.isfinite(number) else None


def _plan(source: str) -> tuple | None:
    """("path", var, keys) | ("binary", lhs, op, rhs) | None (the engine evaluates it)."""
    m = _SIMPLE_PATH.match(source)
    if m:
        operand = _operand_plan(m.group(1))
        return None if operand is None else ("path", operand[1], operand[2])
    m = _BINARY.match(source)
    if m:
        lhs, rhs = _operand_plan(m.group(1)), _operand_plan(m.group(3))
        if lhs is not None and rhs is not None:
            return ("binary", lhs, m.group(2), rhs)
    return None


# Each plan becomes a closure, made once per source text: ``fn(bindings)`` returns the value, or _NO_FAST when
# the engine must decide (it may raise QueryError where the engine's answer is known: a missing field).
_SHORTCUTS: dict[str, Callable[[Mapping[str, Any]], Any] | None] = {}


def _shortcut(source: str) -> Callable[[Mapping[str, Any]], Any] | None:
    fn = _SHORTCUTS.get(source, _NO_FAST)
    if fn is _NO_FAST:
        plan = _plan(source)
        if plan is None:
            fn = None
        elif plan[0] == "path":
            fn = _path_shortcut(plan[1], plan[2])
        else:
            fn = _binary_shortcut(plan[1], plan[2], plan[3])
        if len(_SHORTCUTS) > 65536:
            _SHORTCUTS.clear()
        _SHORTCUTS[source] = fn
    return fn  # type: ignore[return-value]


def _path_shortcut(var: str, keys: tuple[str, ...]) -> Callable[[Mapping[str, Any]], Any]:
    """``$var.k1.k2``: every step must reach an object; a missing key there is undefined (the engine's error)."""

    def path(bindings: Mapping[str, Any]) -> Any:
        value = bindings.get(var, _NO_FAST)
        if value is _NO_FAST or value is None:  # None: engine hooks (see ENGINE_HOOKS), not a variable
            return _NO_FAST
        for k in keys:
            if type(value) is not dict:
                return _NO_FAST
            value = value.get(k, _NO_FAST)
            if value is _NO_FAST:
                raise QueryError("returned nothing (undefined).")
        t = type(value)
        if t is str or t is int or t is bool:
            return value
        if value is NULL:
            return None
        try:
            return to_json(value)
        except _Unsupported:
            return _NO_FAST

    return path


def _remainder(x: float, y: float) -> Any:
    return int(math.fmod(x, y))


#: the engine's `evaluate_numeric_expression` on two doubles; a zero divisor of / and % is left to the
#: engine (an error, or D1001 for an infinite result)
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "%": _remainder}
_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


_NUMERIC, _EQUALITY, _ORDERING = 0, 1, 2


def _binary_shortcut(lhs: tuple, op: str, rhs: tuple) -> Callable[[Mapping[str, Any]], Any]:
    """``a OP b`` by the engine's rules (`evaluate_numeric_expression`, `evaluate_equality_expression`,
    `evaluate_comparison_expression`) when both values are numbers, both strings or (= and !=) both booleans.

    An operand is a literal or the value at ``$var.k1.k2`` when every step is an object holding the key
    (_NO_FAST otherwise); both are read inline, in one closure per expression (a call per operand was a
    third of the time of ``$n + 1``)."""
    const_a, var_a, keys_a = (lhs[1], None, ()) if lhs[0] == _LITERAL else (None, lhs[1], lhs[2])
    const_b, var_b, keys_b = (rhs[1], None, ()) if rhs[0] == _LITERAL else (None, rhs[1], rhs[2])
    if op in _ARITHMETIC:
        kind, operation = _NUMERIC, _ARITHMETIC[op]
    elif op == "=" or op == "!=":
        kind, operation = _EQUALITY, None
    else:
        kind, operation = _ORDERING, _ORDER[op]
    divides = op in ("/", "%")
    exact = op == "%"  # its result is an int already
    negate = op == "!="

    def binary(bindings: Mapping[str, Any]) -> Any:
        if var_a is None:
            a = const_a
        else:
            a = bindings.get(var_a, _NO_FAST)
            if a is None:  # None: engine hooks (see ENGINE_HOOKS), not a variable
                return _NO_FAST
            for k in keys_a:
                if type(a) is not dict:
                    return _NO_FAST
                a = a.get(k, _NO_FAST)
            if a is _NO_FAST:
                return _NO_FAST
        if var_b is None:
            b = const_b
        else:
            b = bindings.get(var_b, _NO_FAST)
            if b is None:
                return _NO_FAST
            for k in keys_b:
                if type(b) is not dict:
                    return _NO_FAST
                b = b.get(k, _NO_FAST)
            if b is _NO_FAST:
                return _NO_FAST
        ta, tb = type(a), type(b)
        numbers = (ta is int or ta is float) and (tb is int or tb is float)
        if kind == _NUMERIC:
            if not numbers:
                return _NO_FAST
            try:
                x, y = float(a), float(b)
            except OverflowError:  # an int past a double's range: the engine's error
                return _NO_FAST
            if divides and y == 0.0:
                return _NO_FAST
            r = operation(x, y)
            if exact:
                return r
            if not math.isfinite(r):  # the engine decides
                return _NO_FAST
            return int(r) if r.is_integer() else r  # jsonata-python's `Utils.convert_number`
        if kind == _EQUALITY:
            if numbers:
                try:
                    equal = float(a) == float(b)
                except OverflowError:  # an int past a double's range: the engine's error
                    return _NO_FAST
            elif (ta is str and tb is str) or (ta is bool and tb is bool):
                equal = a == b
            else:
                return _NO_FAST
            return equal is not negate
        if ta is not tb:
            if not numbers:
                return _NO_FAST
            try:
                a, b = float(a), float(b)
            except OverflowError:  # an int past a double's range: the engine decides
                return _NO_FAST
        elif ta is not str and ta is not int and ta is not float:
            return _NO_FAST
        return operation(a, b)

    return binary


def evaluate(source: str, bindings: Mapping[str, Any]) -> Any:
    """Evaluate ``source`` with ``bindings`` (already engine-ready; see :func:`binding_value`).

    Returns plain JSON data. Raises :class:`QueryError` when the result is undefined,
    is not JSON (a function), or the evaluation raised anything.
    """
    fn = _SHORTCUTS.get(source, _NO_FAST)
    if fn is _NO_FAST:
        fn = _shortcut(source)
    if fn is not None:
        value = fn(bindings)
        if value is not _NO_FAST:
            return value
    return evaluate_with_engine(source, bindings)


def field_evaluator(node: Any) -> Callable[[Mapping[str, Any]], Any]:
    """How a JSONata state's field evaluates, made once per field: ``fn(bindings)`` returns the field's value
    with each ``{% … %}`` string replaced by its expression's value (objects and arrays rebuilt, other values
    as they are). A failure raises :class:`QueryError` with ``source`` (the ``{% … %}`` string) and ``path``
    (the keys and indexes down to it)."""
    t = type(node)
    if t is str:
        if not is_expression(node):
            return lambda bindings: node
        source = node[2:-2]
        shortcut = _shortcut(source)

        def expression(bindings: Mapping[str, Any]) -> Any:
            try:
                if shortcut is not None:
                    value = shortcut(bindings)
                    if value is not _NO_FAST:
                        return value
                return evaluate_with_engine(source, bindings)
            except QueryError as exc:
                exc.source = node  # type: ignore[attr-defined]
                exc.path = []  # type: ignore[attr-defined]
                raise

        return expression
    if (t is dict or t is list) and not _has_expression(node):
        if any(type(v) is dict or type(v) is list for v in (node.values() if t is dict else node)):
            return lambda bindings: _rebuild(node)
        return lambda bindings: node.copy()  # one level: its values are shared, as `_rebuild` shares them
    if t is dict:
        members = [(k, field_evaluator(v)) for k, v in node.items()]

        def obj(bindings: Mapping[str, Any]) -> Any:
            out = {}
            for k, fn in members:
                try:
                    out[k] = fn(bindings)
                except QueryError as exc:
                    exc.path.insert(0, str(k))  # type: ignore[attr-defined]
                    raise
            return out

        return obj
    if t is list:
        elements = [field_evaluator(v) for v in node]

        def array(bindings: Mapping[str, Any]) -> Any:
            out = []
            for i, fn in enumerate(elements):
                try:
                    out.append(fn(bindings))
                except QueryError as exc:
                    exc.path.insert(0, str(i))  # type: ignore[attr-defined]
                    raise
            return out

        return array
    return lambda bindings: node


def reads_context(node: Any) -> bool:
    """Whether an expression in ``node`` (a field, or a whole state) may read ``$states.context``: one the
    shortcuts do not plan may read anything; a planned one reads it only through ``$states`` itself or a
    path ``$states.context…``."""
    return _any_string(node, _may_read_context)


def _may_read_context(s: str) -> bool:
    if not is_expression(s):
        return False
    plan = _plan(s[2:-2])
    if plan is None:
        return True
    operands = ((_PATH, plan[1], plan[2]),) if plan[0] == "path" else (plan[1], plan[3])
    return any(o[0] == _PATH and o[1] == "states" and (not o[2] or o[2][0] == "context") for o in operands)


def _has_expression(node: Any) -> bool:
    return _any_string(node, is_expression)


def _any_string(node: Any, test: Callable[[str], bool]) -> bool:
    """`test` holds for a string somewhere in `node` (its objects' values and arrays' items, recursively)."""
    t = type(node)
    if t is str:
        return test(node)
    if t is dict:
        return any(_any_string(v, test) for v in node.values())
    if t is list:
        return any(_any_string(v, test) for v in node)
    return False


def _rebuild(node: Any) -> Any:
    """A field without expressions evaluates to a copy of its objects and arrays (its other values shared)."""
    t = type(node)
    if t is dict:
        return {k: _rebuild(v) for k, v in node.items()}
    if t is list:
        return [_rebuild(v) for v in node]
    return node


def evaluate_with_engine(source: str, bindings: Mapping[str, Any]) -> Any:
    """:func:`evaluate` without the shortcuts (used to cross-check them)."""
    expr = compile_expression(source)
    Jsonata.CURRENT.jsonata = expr  # the engine reads its "current" instance from a thread-local
    try:
        with evaluation_budget(current_context().expression_budget):
            result = expr.evaluate(None, bindings)
    except EvaluationTimeout:  # AWS's words for an evaluation over its time limit (TD, "JSONata Runtime Errors")
        raise QueryError("threw an error during evaluation. Expression evaluation timeout") from None
    except RecursionError:
        raise QueryError("threw an error during evaluation. Stack overflow error") from None
    except MemoryError:
        raise QueryError("threw an error during evaluation. Expression evaluation memory limit exceeded") from None
    except Exception as exc:
        raise QueryError(f"threw an error during evaluation. {_describe(exc)}",
                         code=getattr(exc, "error", None)) from None
    if result is None:
        raise QueryError("returned nothing (undefined).")
    try:
        return to_json(result)
    except _Unsupported:
        raise QueryError("returned an unsupported result type.") from None  # recorded: jsonata-scenarios-010


#: jsonata-python looks these callbacks up through the whole frame chain for every AST node it
#: evaluates. Binding them to None in the outermost evaluation frame ends each lookup at once
#: (it roughly halves evaluation time); :class:`runtime.VariableScope` adds them to every binding set.
ENGINE_HOOKS = {"__evaluate_entry": None, "__evaluate_exit": None}


def binding_value(value: Any) -> Any:
    """Prepare a top-level variable value for binding: JSON ``null`` must be bound as the engine's null."""
    return NULL if value is None else value
