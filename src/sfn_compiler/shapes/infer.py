"""A light type inference for JSONata expressions, over jsonata-python's AST.

`infer(body, env)` returns the shape of the expression's value. `env` gives the shape of `$states` (its
`input`, `result`, `errorOutput`, `context`) and of the workflow variables; everything else (local
`:=` bindings, lambda parameters) is tracked inside the expression. What cannot be known is UNKNOWN.

On the way it records `Event`s into `env.events` (when it is a list) for the detection functions:
- `MissingMember`: a path step reads a member that no value of the (certain) shape can have;
- `EnumMismatch`: `x = 'lit'` / `x != 'lit'` / `x in [...]` where `x` holds one of an enum's values and
  the literal is not one of them;
- `BadArgument`: a built-in function gets an argument of a type it certainly rejects, with the JSONata
  error code (T0410 argument type, T0412 array element type, D3030 `$number` of a non-numeric string);
- `BadOperand`: arithmetic on a value that is certainly not a number (T2001 / T2002).
Positions are character offsets in the body (jsonata-python records the end of each token; starts are
derived from the token text).

Semantics followed (JSONata 2.0, the version Step Functions documents): a path step over an array maps
over its items; a step on a scalar or a missing value is undefined; `$exists(x)`, `x ? a : b`, `x ?: y`,
`and` / `or` operands test a value without failing ("guarded" reads); an object constructor omits keys
whose value is undefined; function signatures are JSONata's (`<a<n>:n>` for `$sum`...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import shape as S
from .shape import Member, Shape

# --------------------------------------------------------------------------------------------------
# events


@dataclass(frozen=True)
class Event:
    start: int
    end: int


@dataclass(frozen=True)
class MissingMember(Event):
    path: str            # the path up to the base: `$states.input`, `$job.Status`
    name: str            # the member read
    base: Shape          # the shape it is read from
    guarded: bool        # inside $exists(...), a condition, `?:`, `and`/`or`
    root: str            # "states.input", "states.result", "states.errorOutput", "states.context",
                         # "variable", "context" (a bare name relative to a predicate's item), "other"
    variable: str | None = None
    depth: int = 0       # steps from the root (1 = `$states.input.x`, `$var.x`)


@dataclass(frozen=True)
class EnumMismatch(Event):
    op: str              # "=", "!=", "in"
    subject: str         # the compared expression's text
    literal: str
    values: frozenset[str]
    all_impossible: bool  # `in`: no literal of the list can match


@dataclass(frozen=True)
class BadArgument(Event):
    function: str        # "min", "substring"
    index: int           # 0-based argument position
    argument: Shape
    code: str            # T0410, T0412, D3030
    expected: str        # "an array of numbers", "a string"


@dataclass(frozen=True)
class BadOperand(Event):
    op: str
    side: str            # "left" | "right"
    operand: Shape
    code: str            # T2001 (left) / T2002 (right)


@dataclass
class Env:
    """What an expression can see."""

    states: Shape                                   # the shape of `$states`
    variables: Mapping[str, Shape] = field(default_factory=dict)
    events: list | None = None                      # collect Events here (None: do not collect)


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
# Step Functions functions: their argument errors are Step Functions', not JSONata signature errors, so
# only their results are typed (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html)
SFN_FUNCTIONS = frozenset({"partition", "range", "hash", "uuid", "parse", "random"})

_TYPE_VALUES = S.string(("null", "number", "string", "boolean", "array", "object", "function"), name="$type")


@dataclass(frozen=True)
class _Param:
    types: str            # type symbols: s n b l a o f x j
    sub: str | None       # array element type for `a<n>`
    optional: bool
    context: bool         # `-`: the context value when absent
    variadic: bool


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
# the walker


_STATES_KEYS = ("input", "result", "errorOutput", "context")


_RESULTS: dict[tuple, tuple[Shape, tuple[Event, ...]]] = {}
_NAMES: dict[str, tuple[str, ...] | None] = {}
_RESULTS_LIMIT = 200_000


def infer(body: str, env: Env) -> Shape:
    """The shape of the value of the JSONata expression `body` (UNKNOWN when it does not parse).

    Results are cached by (body, the shape of `$states`, the shapes of the variables the body names):
    shapes are interned, so the same expression in another env, or in the report pass after the fixed
    point, costs a dictionary lookup."""
    from ._asl import parse_ast

    ast = parse_ast(body)
    if ast is None:
        return S.UNKNOWN
    names = _NAMES.get(body)
    if names is None and body not in _NAMES:
        names = _NAMES[body] = _variable_names(ast)
    key = (body, env.states, tuple(env.variables.get(n) for n in names)) if names is not None else None
    hit = _RESULTS.get(key) if key is not None else None
    if hit is None:
        events: list[Event] = []
        try:
            shape = _Infer(Env(env.states, env.variables, events), body).eval(ast, S.UNKNOWN, False)
        except RecursionError:  # pragma: no cover - absurdly deep expressions
            shape, events = S.UNKNOWN, []
        hit = (shape, tuple(events))
        if key is not None:
            if len(_RESULTS) >= _RESULTS_LIMIT:
                _RESULTS.clear()
            _RESULTS[key] = hit
    if env.events is not None:
        env.events.extend(hit[1])
    return hit[0]


def _variable_names(ast: Any) -> tuple[str, ...] | None:
    """Every `$name` the expression mentions (sorted), or None when it is too large to walk cheaply."""
    names: set[str] = set()
    stack = [ast]
    seen = 0
    while stack:
        n = stack.pop()
        seen += 1
        if seen > 20_000:
            return None
        if n is None or isinstance(n, (str, int, float, bool)):
            continue
        if isinstance(n, (list, tuple)):
            stack.extend(n)
            continue
        if getattr(n, "type", None) == "variable" and isinstance(n.value, str) and n.value:
            names.add(n.value)
        for a in _CHILD_ATTRS + ("pattern", "update", "delete", "group", "terms", "procedure"):
            v = getattr(n, a, None)
            if v is not None and not isinstance(v, (str, int, float, bool)):
                stack.append(v)
        if getattr(n, "type", None) == "unary" and getattr(n, "lhs_object", None):
            stack.extend(x for pair in n.lhs_object for x in pair)
    return tuple(sorted(names))


def _end(node: Any) -> int:
    pos = getattr(node, "position", 0)
    return pos if isinstance(pos, int) else 0


def _send(node: Any) -> int:
    return _span(node)[1]


@dataclass
class _Path:
    """What a path value is rooted at (for messages and finding classification)."""

    text: str
    root: str
    variable: str | None = None
    depth: int = 0


class _Infer:
    def __init__(self, env: Env, src: str) -> None:
        self.env = env
        self.src = src
        self.locals: dict[str, Shape] = {}
        self.events = env.events
        self.depth = 0

    # ------------------------------------------------------------------ helpers

    def emit(self, event: Event) -> None:
        if self.events is not None:
            self.events.append(event)

    def text(self, node: Any) -> str:
        """Approximate source text of a node (for messages)."""
        return _node_text(node)

    # ------------------------------------------------------------------ evaluation

    def eval(self, node: Any, ctx: Shape, guarded: bool) -> Shape:
        self.depth += 1
        try:
            if self.depth > 200:
                return S.UNKNOWN
            out = self._eval(node, ctx, guarded)
            if getattr(node, "type", None) not in ("path", "variable", "name") and (
                    getattr(node, "predicate", None) or getattr(node, "stages", None)
                    or getattr(node, "group", None) is not None):
                out = self.stages(node, out, ctx, guarded, "predicate")
            return out
        finally:
            self.depth -= 1

    def _eval(self, node: Any, ctx: Shape, guarded: bool) -> Shape:
        if node is None:
            return S.UNDEFINED
        t = getattr(node, "type", None)
        if t == "string":
            return S.STRING
        if t == "number":
            return S.NUMBER
        if t == "value":
            v = getattr(node, "value", None)
            return S.BOOLEAN if isinstance(v, bool) else S.NULL
        if t == "regex":
            return S.UNKNOWN
        if t == "path":
            return self.path(node, ctx, guarded)
        if t == "variable":
            shape, _ = self.variable(node, ctx)
            return self.stages(node, shape, ctx, guarded, "predicate")
        if t == "name":
            return self.stages(node, self.step_name(node, ctx, guarded, None), ctx, guarded, "stages")
        if t == "binary":
            return self.binary(node, ctx, guarded)
        if t == "unary":
            return self.unary(node, ctx, guarded)
        if t == "condition":
            return self.condition(node, ctx, guarded)
        if t == "block":
            out = S.UNDEFINED
            for e in node.expressions or ():
                out = self.eval(e, ctx, guarded)
            return out
        if t == "bind":
            rhs = self.eval(node.rhs, ctx, guarded)
            lhs = node.lhs
            if getattr(lhs, "type", None) == "variable":
                self.locals[str(lhs.value)] = rhs
            return rhs
        if t in ("function", "partial"):
            return self.call(node, ctx, guarded, None)
        if t == "lambda":
            saved = dict(self.locals)
            for arg in node.arguments or ():
                if getattr(arg, "type", None) == "variable":
                    self.locals[str(arg.value)] = S.UNKNOWN
            self.eval(node.body, S.UNKNOWN, False)
            self.locals = saved
            return S.UNKNOWN
        if t == "apply":
            lhs = self.eval(node.lhs, ctx, guarded)
            rhs = node.rhs
            if getattr(rhs, "type", None) == "function":
                return self.call(rhs, ctx, guarded, lhs)
            self.eval(rhs, ctx, False)
            return S.UNKNOWN
        if t == "transform":
            self.eval(node.pattern, S.UNKNOWN, False)
            self.eval(node.update, S.UNKNOWN, False)
            if getattr(node, "delete", None) is not None:
                self.eval(node.delete, S.UNKNOWN, False)
            return S.UNKNOWN
        if t == "sort":
            for term in node.terms or ():
                self.eval(getattr(term, "expression", None), S.element(ctx), False)
            return ctx
        # wildcard, descendant, parent, error, operator placeholders ...
        return S.UNKNOWN

    # ------------------------------------------------------------------ names and paths

    def variable(self, node: Any, ctx: Shape) -> tuple[Shape, _Path]:
        name = node.value
        name = "" if name is None else str(name)
        if name == "":
            return ctx, _Path("$", "context")
        if name in self.locals:
            return self.locals[name], _Path("$" + name, "local", name)
        if name == "states":
            return self.env.states, _Path("$states", "states")
        if name in self.env.variables:
            return self.env.variables[name], _Path("$" + name, "variable", name)
        return S.UNKNOWN, _Path("$" + name, "other", name)

    def step_name(self, node: Any, base: Shape, guarded: bool, path: _Path | None) -> Shape:
        name = str(node.value)
        out = S.member(base, name)
        if out is S.NO_SUCH_MEMBER:
            end = _end(node)
            start = max(0, end - len(name))
            if path is None:
                p = _Path("", "context")
            else:
                p = path
            self.emit(MissingMember(start, end, p.text, name, base, guarded, p.root, p.variable, p.depth + 1))
            return S.UNDEFINED
        return out

    def path(self, node: Any, ctx: Shape, guarded: bool) -> Shape:
        steps = node.steps or []
        if not steps:
            return S.UNKNOWN
        first = steps[0]
        ft = getattr(first, "type", None)
        if ft == "variable":
            cur, p = self.variable(first, ctx)
            if first.value == "states":
                p = _Path("$states", "states")
            cur = self.stages(first, cur, ctx, guarded, "predicate")
        elif ft == "name":
            p = _Path(str(first.value), "context")
            cur = self.step_name(first, ctx, guarded, _Path("", "context"))
            cur = self.stages(first, cur, ctx, guarded, "stages")
        else:
            p = _Path(self.text(first), "other")
            cur = self.eval(first, ctx, guarded)
        for step in steps[1:]:
            st = getattr(step, "type", None)
            if cur is S.UNDEFINED:
                # reading on from a missing value: undefined, already reported at its first step
                self._walk_quietly(step)
                continue
            if st == "name":
                # `$states.input` etc. name the root for classification
                if p.root == "states" and p.depth == 0 and step.value in _STATES_KEYS:
                    nxt = S.member(cur, str(step.value))
                    if nxt is S.NO_SUCH_MEMBER:
                        self._walk_quietly(step)  # SFN401-SFN403 report `$states.<x>` misuse
                        cur = S.UNDEFINED
                        continue
                    cur = nxt
                    p = _Path(f"$states.{step.value}", f"states.{step.value}", None, 0)
                    cur = self.stages(step, cur, ctx, guarded, "stages")
                    continue
                if p.root == "states.context" and p.depth < 2:
                    nxt = S.member(cur, str(step.value))
                    if nxt is S.NO_SUCH_MEMBER:  # SFN404 reports unknown context fields
                        self._walk_quietly(step)
                        cur = S.UNDEFINED
                        continue
                    cur = nxt
                else:
                    cur = self.step_name(step, cur, guarded, p)
                p = _Path(f"{p.text}.{_name_text(step.value)}", p.root, p.variable, p.depth + 1)
                cur = self.stages(step, cur, ctx, guarded, "stages")
            elif st == "variable" and step.value == "":
                cur = self.stages(step, cur, ctx, guarded, "predicate")
            else:
                item = S.element(cur) if cur.kind == "array" else cur
                res = self.eval(step, item, guarded)
                cur = S.join(res, S.array(res)) if cur.kind == "array" and res.kind not in ("unknown",) else res
                p = _Path(f"{p.text}.{self.text(step)}", "other")
        if getattr(node, "group", None) is not None:
            self._walk_group(node.group, cur)
            return S.OBJECT
        return cur

    def stages(self, node: Any, shape: Shape, ctx: Shape, guarded: bool, attr: str) -> Shape:
        items = getattr(node, attr, None) or []
        if attr == "predicate" and getattr(node, "stages", None):
            items = list(items) + list(node.stages)
        if not items:
            if getattr(node, "group", None) is not None:
                self._walk_group(node.group, shape)
                return S.OBJECT
            return shape
        for st in items:
            if getattr(st, "type", None) != "filter":
                continue
            expr = st.expr
            et = getattr(expr, "type", None)
            if et == "number" or (et == "unary" and getattr(expr, "value", None) == "-"
                                  and getattr(getattr(expr, "expression", None), "type", None) == "number"):
                shape = S.element(shape)
                continue
            item = S.element(shape)
            self.eval(expr, item, False)
            shape = S.join(item, S.array(item)) if shape.kind == "array" else S.join(shape, S.UNDEFINED) \
                if shape.kind not in ("unknown", "undefined") else shape
        if getattr(node, "group", None) is not None:
            self._walk_group(node.group, shape)
            return S.OBJECT
        return shape

    def _walk_group(self, group: Any, ctx: Shape) -> None:
        for pair in getattr(group, "lhs_object", None) or ():
            for x in pair:
                self.eval(x, S.element(ctx), False)

    def _walk_quietly(self, node: Any) -> None:
        """Evaluate sub-expressions (predicates) of a step that is not reached, without member events."""
        saved = self.events
        self.events = None
        try:
            self.stages(node, S.UNKNOWN, S.UNKNOWN, False, "stages")
        finally:
            self.events = saved

    # ------------------------------------------------------------------ operators

    def binary(self, node: Any, ctx: Shape, guarded: bool) -> Shape:
        op = node.value
        if op in ("and", "or"):
            self.eval(node.lhs, ctx, True)
            self.eval(node.rhs, ctx, True)
            return S.BOOLEAN
        if op == "??":
            lhs = self.eval(node.lhs, ctx, True)
            rhs = self.eval(node.rhs, ctx, guarded)
            return S.join(S.without_undefined(lhs), rhs)
        lhs = self.eval(node.lhs, ctx, guarded)
        rhs = self.eval(node.rhs, ctx, guarded)
        if op in ("+", "-", "*", "/", "%"):
            for side, sh, code in (("left", lhs, "T2001"), ("right", rhs, "T2002")):
                if _certainly_not(sh, "number"):
                    n = node.lhs if side == "left" else node.rhs
                    self.emit(BadOperand(*_span(n), op, side, sh, code))
            return S.NUMBER
        if op == "&":
            return S.STRING
        if op in ("=", "!="):
            self._enum_compare(node, op, lhs, rhs)
            return S.BOOLEAN
        if op == "in":
            self._enum_in(node, lhs)
            return S.BOOLEAN
        if op in ("<", "<=", ">", ">="):
            return S.BOOLEAN
        if op == "..":
            return S.array(S.NUMBER)
        return S.UNKNOWN

    def _enum_compare(self, node: Any, op: str, lhs: Shape, rhs: Shape) -> None:
        for subject, sshape, lit in ((node.lhs, lhs, node.rhs), (node.rhs, rhs, node.lhs)):
            if getattr(lit, "type", None) != "string" or not isinstance(lit.value, str):
                continue
            if _placeholder(lit.value):  # an unrendered `${...}`: any value
                return
            values = S.enum_values(sshape)
            if values is not None and lit.value not in values:
                self.emit(EnumMismatch(_start(lit, self.src), _end(lit), op, self.text(subject), lit.value,
                                       values, True))
            return

    def _enum_in(self, node: Any, lhs: Shape) -> None:
        values = S.enum_values(lhs)
        if values is None:
            return
        rhs = node.rhs
        lits: list[Any] = []
        if getattr(rhs, "type", None) == "string":
            lits = [rhs]
        elif getattr(rhs, "type", None) == "unary" and rhs.value == "[":
            exprs = rhs.expressions or []
            if not all(getattr(e, "type", None) == "string" for e in exprs):
                return  # a non-literal item may match: judge nothing
            lits = list(exprs)
        if any(_placeholder(l.value) for l in lits):
            return
        bad = [l for l in lits if l.value not in values]
        for l in bad:
            self.emit(EnumMismatch(_start(l, self.src), _end(l), "in", self.text(node.lhs), l.value, values,
                                   len(bad) == len(lits)))

    def unary(self, node: Any, ctx: Shape, guarded: bool) -> Shape:
        v = node.value
        if v == "-":
            sh = self.eval(node.expression, ctx, guarded)
            if _certainly_not(sh, "number"):
                self.emit(BadOperand(*_span(node.expression), "-", "right", sh, "D1002"))
            return S.NUMBER
        if v == "[":
            item: Shape | None = None
            for e in node.expressions or ():
                s = self.eval(e, ctx, guarded)
                if getattr(e, "type", None) == "binary" and e.value == "..":
                    s = S.NUMBER
                item = s if item is None else S.join(item, s)
            if item is None:
                return S.array(S.UNKNOWN)
            return S.array(S.without_undefined(item))
        if v == "{":
            members: dict[str, Member] = {}
            literal_keys = True
            for pair in node.lhs_object or ():
                k, val = pair[0], pair[1]
                self.eval(k, ctx, guarded)
                vs = self.eval(val, ctx, guarded)
                if getattr(k, "type", None) == "string" and isinstance(k.value, str):
                    if vs is S.UNDEFINED:  # certainly undefined (a missing read, reported there): no cascade
                        members[k.value] = Member(S.UNKNOWN, False)
                        continue
                    may_be_undefined = any(a is S.UNDEFINED for a in vs.alternatives())
                    members[k.value] = Member(S.without_undefined(vs), not may_be_undefined)
                else:
                    literal_keys = False
            return S.obj(members, open=not literal_keys)
        return S.UNKNOWN

    def condition(self, node: Any, ctx: Shape, guarded: bool) -> Shape:
        cond_node, then_node, else_node = node.condition, node.then, getattr(node, "_else", None)
        cond = self.eval(cond_node, ctx, True)
        if then_node is cond_node or (getattr(then_node, "type", None) == getattr(cond_node, "type", None)
                                      and _span(then_node) == _span(cond_node)):  # `a ?: b`
            other = self.eval(else_node, ctx, guarded) if else_node is not None else S.UNDEFINED
            return S.join(S.without_undefined(cond), other)
        then = self.eval(then_node, ctx, guarded)
        other = self.eval(else_node, ctx, guarded) if else_node is not None else S.UNDEFINED
        return S.join(then, other)

    # ------------------------------------------------------------------ functions

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

    def _quiet_eval(self, node: Any) -> Shape:
        saved, locals_ = self.events, dict(self.locals)
        self.events = None
        try:
            return self.eval(node, S.UNKNOWN, False)
        finally:
            self.events, self.locals = saved, locals_


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


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or "{{" in value)


def _certainly_not(shape: Shape, kind: str) -> bool:
    """Every alternative is a known kind other than `kind` (undefined and unknown never count)."""
    alts = shape.alternatives()
    return all(a.kind not in ("unknown", "undefined", kind) for a in alts)


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


def _name_text(name: Any) -> str:
    s = str(name)
    return s if re.fullmatch(r"[A-Za-z_$][\w$]*", s) else "`" + s + "`"


_CHILD_ATTRS = ("steps", "lhs", "rhs", "expressions", "arguments", "procedure", "condition", "then", "_else",
                "expression", "lhs_object", "stages", "predicate", "expr", "body")


def _span(node: Any, depth: int = 0) -> tuple[int, int]:
    """(start, end) offsets of a node's source text (approximate: jsonata-python records token ends)."""
    lo, hi = 1 << 30, -1
    stack = [(node, 0)]
    seen: set[int] = set()
    while stack:
        n, d = stack.pop()
        if n is None or d > 60 or id(n) in seen:
            continue
        if isinstance(n, (list, tuple)):
            stack.extend((x, d + 1) for x in n)
            continue
        if not hasattr(n, "type"):
            continue
        seen.add(id(n))
        end = _end(n)
        t = n.type
        if t == "string":
            start = end - len(str(n.value)) - 2
        elif t == "name":
            start = end - len(str(n.value))
        elif t == "variable":
            start = end - len(str(n.value or "")) - 1
        elif t == "number":
            start = end - len(_num_text(n.value))
        elif t in ("path", "block", "unary", "function", "condition", "binary", "apply"):
            start = end - 1 if end > 0 else 1 << 30
            if end == 0:
                end = -1
        else:
            start = end - 1
        if end >= 0:
            hi = max(hi, end)
        if start >= 0:
            lo = min(lo, start)
        for a in _CHILD_ATTRS:
            v = getattr(n, a, None)
            if v is not None:
                stack.append((v, d + 1))
    if hi < 0:
        return 0, 0
    return (lo if lo <= hi else hi), hi


def _start(node: Any, src: str) -> int:
    return _span(node)[0]


def _num_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _node_text(node: Any, depth: int = 0) -> str:
    """A compact rendering of an expression node (for messages), e.g. `$states.input.Status`."""
    if node is None or depth > 20:
        return "..."
    t = getattr(node, "type", None)
    if t == "path":
        return ".".join(_node_text(s, depth + 1) for s in node.steps or ())
    if t == "variable":
        return "$" + str(node.value or "") + ("[...]" if getattr(node, "predicate", None) else "")
    if t == "name":
        return _name_text(node.value) + ("[...]" if getattr(node, "stages", None) else "")
    if t == "string":
        return repr(node.value)
    if t == "number":
        return _num_text(node.value)
    if t == "function":
        proc = node.procedure
        inner = ", ".join(_node_text(a, depth + 1) for a in node.arguments or ())
        return f"{_node_text(proc, depth + 1)}({inner})"
    if t == "block":
        return "(...)"
    if t == "binary":
        return f"{_node_text(node.lhs, depth + 1)} {node.value} {_node_text(node.rhs, depth + 1)}"
    return "..."
