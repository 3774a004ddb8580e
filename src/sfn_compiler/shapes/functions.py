"""JSONata's built-in functions (2.0.6) and Step Functions' (`$partition`, `$range`, `$hash`, `$uuid`,
`$parse`, `$random`) in the inference: their signatures, the arguments they certainly reject
(`BadArgument`: T0410, T0412, D3030) and the shapes they return. `FunctionCalls` is mixed into the
inference's walker (`infer._Infer`, whose `eval`, `emit` and `_quiet_eval` it uses)."""

from __future__ import annotations

import re
from typing import Any, Callable

from . import shape as S
from ._record import FrozenRecord, _fill
from .events import BadArgument
from .jsonata_ast import _span
from .shape import Shape

# --------------------------------------------------------------------------------------------------
# signatures of the built-in functions (JSONata 2.0.6) and of the Step Functions functions


SIGNATURES: dict[str, str] = {
    "sum": "<a<n>:n>", "count": "<a:n>", "max": "<a<n>:n>", "min": "<a<n>:n>", "average": "<a<n>:n>",
    "string": "<x-b?:s>", "substring": "<s-nn?:s>", "substringBefore": "<s-s:s>", "substringAfter": "<s-s:s>",
    "lowercase": "<s-:s>", "uppercase": "<s-:s>", "length": "<s-:n>", "trim": "<s-:s>", "pad": "<s-ns?:s>",
    "match": "<s-f<s:o>n?:a<o>>", "contains": "<s-(sf):b>", "replace": "<s-(sf)(sf)n?:s>",
    "split": "<s-(sf)n?:a<s>>", "join": "<a<s>s?:s>", "formatNumber": "<n-so?:s>", "formatBase": "<n-n?:s>",
    "formatInteger": "<n-s:s>", "parseInteger": "<s-s:n>", "number": "<(nsb)-:n>", "floor": "<n-:n>",
    "ceil": "<n-:n>", "round": "<n-n?:n>", "abs": "<n-:n>", "sqrt": "<n-:n>", "power": "<n-n:n>",
    "boolean": "<x-:b>", "not": "<x-:b>", "map": "<af>", "zip": "<a+>", "filter": "<af>",
    "single": "<af?>", "reduce": "<afj?:j>", "sift": "<o-f?:o>", "keys": "<x-:a<s>>", "lookup": "<x-s:x>",
    "append": "<xx:a>", "exists": "<x:b>", "spread": "<x-:a<o>>", "merge": "<a<o>:o>", "reverse": "<a:a>",
    "each": "<o-f:a>", "error": "<s?:x>", "assert": "<bs?:x>", "type": "<x:s>", "sort": "<af?:a>",
    "shuffle": "<a:a>", "distinct": "<x:x>", "base64encode": "<s-:s>", "base64decode": "<s-:s>",
    "encodeUrlComponent": "<s-:s>", "encodeUrl": "<s-:s>", "decodeUrlComponent": "<s-:s>",
    "decodeUrl": "<s-:s>", "eval": "<sx?:x>", "toMillis": "<s-s?:n>", "fromMillis": "<n-s?s?:s>",
    "clone": "<(oa)-:o>", "now": "<s?s?:s>", "millis": "<:n>",
    # JSONata's $random takes no argument; Step Functions' replaces it (optional seed)
    "random": "<n?:n>",
}
# functions that return undefined when their first argument is undefined (jsonata 2.0 functions.js: each
# starts with `if (typeof arg === 'undefined') return undefined;`); $count gives 0, $exists false, $append
# the other argument
UNDEFINED_IN_OUT = frozenset({
    "sum", "max", "min", "average", "string", "substring", "substringBefore", "substringAfter", "lowercase",
    "uppercase", "length", "trim", "pad", "match", "contains", "replace", "split", "join", "formatNumber",
    "formatBase", "formatInteger", "parseInteger", "number", "floor", "ceil", "round", "abs", "sqrt", "power",
    "boolean", "not", "keys", "lookup", "spread", "merge", "reverse", "sort", "shuffle", "distinct", "each", "sift",
    "base64encode", "base64decode", "encodeUrlComponent", "encodeUrl", "decodeUrlComponent", "decodeUrl",
    "toMillis", "fromMillis", "type", "map", "filter", "single", "reduce"})
# Step Functions functions: their argument errors are Step Functions', not JSONata signature errors, so
# only their results are typed (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)
SFN_FUNCTIONS = frozenset({"partition", "range", "hash", "uuid", "parse", "random"})

_TYPE_VALUES = S.string(("null", "number", "string", "boolean", "array", "object", "function"), name="$type")


class _Param(FrozenRecord):
    __slots__ = ("types", "sub", "optional", "context", "variadic")
    types: str            # type symbols: s n b l a o f x j
    sub: str | None       # array element type for `a<n>`
    optional: bool
    context: bool         # `-`: the context value when absent
    variadic: bool

    def __init__(self, types: str, sub: str | None, optional: bool, context: bool, variadic: bool) -> None:
        _fill(self, types, sub, optional, context, variadic)


def _parse_signature(sig: str) -> tuple[list[_Param], str | None]:
    body = sig[1:-1]
    params: list[_Param] = []
    ret: str | None = None
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == ":":
            ret = body[i + 1:]
            break
        if ch == "(":
            j = body.index(")", i)
            types = body[i + 1:j]
            i = j + 1
        else:
            types = ch
            i += 1
        sub = None
        if i < len(body) and body[i] == "<":
            depth, j = 0, i
            while j < len(body):
                if body[j] == "<":
                    depth += 1
                elif body[j] == ">":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            sub = body[i + 1:j]
            i = j + 1
        opt = ctx = var = False
        while i < len(body) and body[i] in "?-+":
            opt |= body[i] == "?"
            ctx |= body[i] == "-"
            var |= body[i] == "+"
            i += 1
        params.append(_Param(types, sub if "a" in types else None, opt, ctx, var))
    return params, ret


_PARSED = {name: _parse_signature(sig) for name, sig in SIGNATURES.items()}

_SYMBOL = {"string": "s", "number": "n", "boolean": "b", "null": "l", "array": "a", "object": "o"}
_TYPE_WORDS = {"s": "a string", "n": "a number", "b": "a boolean", "l": "null", "a": "an array", "o": "an object",
               "f": "a function"}


def _rejects(shape: Shape, types: str) -> bool:
    """True when no value of `shape` has one of the type symbols (UNKNOWN / undefined never reject)."""
    if "x" in types or "j" in types or "f" in types:
        return False
    for alt in shape.alternatives():
        sym = _SYMBOL.get(alt.kind)
        if sym is None or sym in types:   # unknown, undefined: accepted
            return False
    return True


_PLURAL = {"n": "numbers", "s": "strings", "o": "objects", "b": "booleans", "l": "nulls", "a": "arrays"}


def _check_param(shape: Shape, p: _Param) -> tuple[str, str] | None:
    """(code, expected) when `shape` is certainly rejected by the parameter."""
    if "a" in p.types:
        # any value fits an array parameter (a single value is wrapped in an array); then each item must
        # have the element type (JSONata: T0412)
        if p.sub and len(p.sub) == 1 and p.sub not in "xjf":
            items = [a.item if a.kind == "array" else a for a in shape.alternatives()]
            if items and all(_rejects(x, p.sub) for x in items):
                return "T0412", f"an array of {_PLURAL.get(p.sub, p.sub)}"
        return None
    if _rejects(shape, p.types):
        return "T0410", " or ".join(_TYPE_WORDS.get(t, t) for t in p.types)
    return None


# --------------------------------------------------------------------------------------------------
# calls in the walker


class FunctionCalls:
    """Function calls: `call` evaluates the arguments, checks them and returns the result's shape."""

    def call(self, node: Any, ctx: Shape, guarded: bool, applied: Shape | None) -> Shape:
        proc = node.procedure
        args_nodes = [a for a in (node.arguments or ()) if getattr(a, "type", None) != "operator"]
        if getattr(proc, "type", None) != "variable":
            self.eval(proc, ctx, False)
            for a in args_nodes:
                self.eval(a, ctx, False)
            return S.UNKNOWN
        name = str(proc.value)
        user = name in self.locals or name in self.env.variables
        arg_guard = guarded or name in ("exists", "boolean", "not", "type", "count")
        args = [self.eval(a, ctx, arg_guard) for a in args_nodes]
        if user or name not in SIGNATURES and name not in SFN_FUNCTIONS:
            return S.UNKNOWN
        if node.type == "partial":
            return S.UNKNOWN
        full = ([applied] if applied is not None else []) + args
        full_nodes = ([None] if applied is not None else []) + args_nodes
        if name in SIGNATURES:
            self._check_args(name, full, full_nodes, node)
        if full and full[0] is S.UNDEFINED and name in UNDEFINED_IN_OUT:
            return S.UNDEFINED
        return self._result(name, full, full_nodes)

    def _check_args(self, name: str, args: list[Shape], nodes: list[Any], call: Any) -> None:
        if name in SFN_FUNCTIONS and name != "random":
            return
        params, _ = _PARSED[name]
        if not params or any(p.variadic for p in params):
            return
        # arguments align with parameters left to right; with one argument less than needed and a context
        # parameter first, the context would be used: do not judge such calls
        required = sum(1 for p in params if not p.optional)
        if len(args) < required or len(args) > len(params):
            return
        for i, (shape, p) in enumerate(zip(args, params)):
            res = _check_param(shape, p)
            if res is None:
                continue
            code, expected = res
            n = nodes[i] if i < len(nodes) else None
            start, end = _span(n) if n is not None else _span(call)
            self.emit(BadArgument(start, end, name, i, shape, code, expected))
        if name == "number" and args:
            vals = _string_values(args[0])
            if vals is not None and vals and not any(_numeric(v) for v in vals):
                n = nodes[0]
                start, end = _span(n) if n is not None else _span(call)
                self.emit(BadArgument(start, end, name, 0, args[0], "D3030", "a numeric string"))

    def _result(self, name: str, args: list[Shape], nodes: list[Any]) -> Shape:
        a0 = args[0] if args else S.UNDEFINED
        if name in ("lowercase", "uppercase", "trim", "string"):
            vals = a0.values if a0.kind == "string" else None
            if vals is not None:
                f: Callable[[str], str] = {"lowercase": str.lower, "uppercase": str.upper,
                                           "trim": lambda s: " ".join(s.split()), "string": lambda s: s}[name]
                return S.string({f(v) for v in vals}, name=a0.name)
            return S.STRING
        if name == "type":
            return _TYPE_VALUES
        if name == "split":
            return S.array(S.STRING)
        if name in ("keys",):
            return S.join(S.STRING, S.array(S.STRING))
        if name == "merge":
            node = nodes[0] if nodes else None
            if node is not None and getattr(node, "type", None) == "unary" and node.value == "[":
                from .integrations import merge_objects

                parts = [S.without_undefined(self._quiet_eval(e)) for e in node.expressions or ()]
                return merge_objects(parts) if parts else S.obj({})
            return S.OBJECT
        if name in ("append",):
            items = [S.element(a) for a in args]
            return S.array(S.union(*items)) if items else S.ARRAY
        if name in ("sort", "reverse", "shuffle"):
            return S.array(S.element(a0))
        if name in ("distinct", "clone"):
            return a0
        if name in ("filter",):
            e = S.element(a0)
            return S.join(e, S.array(e))
        if name == "single":
            return S.element(a0)
        if name == "lookup":
            if len(nodes) > 1 and getattr(nodes[1], "type", None) == "string":
                m = S.member(a0, nodes[1].value)
                return S.UNDEFINED if m is S.NO_SUCH_MEMBER else m
            return S.UNKNOWN
        if name == "partition":
            return S.array(S.array(S.element(a0)))
        if name == "range":
            return S.array(S.NUMBER)
        if name in ("hash", "uuid"):
            return S.STRING
        if name == "random":
            return S.NUMBER
        if name == "parse":
            return S.UNKNOWN
        _, ret = _PARSED.get(name, ([], None))
        return _ret_shape(ret)


def _ret_shape(ret: str | None) -> Shape:
    if not ret:
        return S.UNKNOWN
    head = ret[0]
    if head == "n":
        return S.NUMBER
    if head == "s":
        return S.STRING
    if head == "b":
        return S.BOOLEAN
    if head == "l":
        return S.NULL
    if head == "o":
        return S.OBJECT
    if head == "a":
        m = re.match(r"a<(\w)>", ret)
        if m and m.group(1) in "snb":
            return S.array({"s": S.STRING, "n": S.NUMBER, "b": S.BOOLEAN}[m.group(1)])
        return S.ARRAY
    return S.UNKNOWN


def _string_values(shape: Shape) -> frozenset[str] | None:
    if shape.kind == "string":
        return shape.values
    return None


def _numeric(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False
