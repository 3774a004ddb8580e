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
over its items; a step on a scalar or a missing value is undefined; arithmetic and `<`-style comparisons
with an undefined operand are undefined (`=`/`!=` give false, `&` reads it as ''), and so are most built-in
functions given an undefined first argument; `$exists(x)`, `x ? a : b`, `x ?: y`,
`and` / `or` operands test a value without failing ("guarded" reads); an object constructor omits keys
whose value is undefined; function signatures are JSONata's (`<a<n>:n>` for `$sum`...).

Around it: `events` (what it reports), `functions` (the built-in functions: signatures, argument checks,
result shapes), `jsonata_ast` (a node's span and text).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from . import shape as S
from ._asl import parse_ast
from ._record import Record
from .events import BadArgument, BadOperand, EnumMismatch, Event, MissingMember
from .functions import SFN_FUNCTIONS, SIGNATURES, FunctionCalls
from .jsonata_ast import _end, _name_text, _node_text, _span, _start, same_span
from .shape import Member, Shape

__all__ = ["infer", "Env", "Event", "MissingMember", "EnumMismatch", "BadArgument", "BadOperand", "SIGNATURES",
           "SFN_FUNCTIONS"]


class Env(Record):
    """What an expression can see."""

    __slots__ = ("states", "variables", "events")

    def __init__(self, states: Shape, variables: Mapping[str, Shape] | None = None, events: list | None = None) -> None:
        self.states = states                                          # the shape of `$states`
        self.variables = {} if variables is None else variables
        self.events = events    # collect Events here (None: do not collect)


# --------------------------------------------------------------------------------------------------
# the walker


_STATES_KEYS = ("input", "result", "errorOutput", "context")
_STEP_TYPES = ("path", "variable", "name")   # their predicates and stages are applied where they are read


_RESULTS: dict[tuple, tuple[Shape, tuple[Event, ...]]] = {}
_NAMES: dict[str, tuple[tuple[str, ...], bool]] = {}
_RESULTS_LIMIT = 200_000
_VARIABLE = re.compile(r"\$(\w+)")


def _names(body: str) -> tuple[tuple[str, ...], bool]:
    """(every `$name` token in the text but `$states`, sorted; whether `$states` is one): a superset of the
    variables the expression reads (a `$x` inside a string literal counts too), which is all a cache key needs
    (`$states` is always the `states` shape; an expression without it does not depend on that shape)."""
    hit = _NAMES.get(body)
    if hit is None:
        if len(_NAMES) >= _RESULTS_LIMIT:
            _NAMES.clear()
        found = set(_VARIABLE.findall(body))
        hit = _NAMES[body] = (tuple(sorted(found - {"states"})), "states" in found)
    return hit


def infer(body: str, env: Env) -> Shape:
    """The shape of the value of the JSONata expression `body` (UNKNOWN when it does not parse), its events
    added to `env.events` when that is a list (see `inferred`)."""
    shape, events = inferred(body, env.states, env.variables)
    if env.events is not None and events:
        env.events.extend(events)
    return shape


def inferred(body: str, states: Shape, variables: Mapping[str, Shape]) -> tuple[Shape, tuple[Event, ...]]:
    """(shape, events) of the expression `body` where `$states` is `states` and the workflow variables are
    `variables` (the callers in the flow use this directly: no Env, no event list). Results are cached by (body, the shape of `$states` when the body names it, the shapes of the variables
    the body names): shapes are interned, so the same expression in another env or at another state, or in
    the report pass after the fixed point, costs a dictionary lookup."""
    names, uses_states = _NAMES.get(body) or _names(body)
    skey = states if uses_states else None
    key = (body, skey, tuple(map(variables.get, names))) if names else (body, skey)
    hit = _RESULTS.get(key)
    if hit is None:
        ast = parse_ast(body)
        if ast is None:
            hit = (S.UNKNOWN, ())
        else:
            events: list[Event] = []
            try:
                shape = _Infer(Env(states, variables, events), body).eval(ast, S.UNKNOWN, False)
            except RecursionError:  # pragma: no cover - absurdly deep expressions
                shape, events = S.UNKNOWN, []
            hit = (shape, tuple(events))
        if len(_RESULTS) >= _RESULTS_LIMIT:
            _RESULTS.clear()
        _RESULTS[key] = hit
    return hit


class _Path(Record):
    """What a path value is rooted at (for messages and finding classification)."""

    __slots__ = ("text", "root", "variable", "depth")

    def __init__(self, text: str, root: str, variable: str | None = None, depth: int = 0) -> None:
        self.text = text
        self.root = root
        self.variable = variable
        self.depth = depth


class _Infer(FunctionCalls):
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
        # no try/finally for the depth: an exception ends the whole inference (infer() drops this walker)
        self.depth += 1
        if self.depth > 200:
            self.depth -= 1
            return S.UNKNOWN
        if node is None:
            self.depth -= 1
            return S.UNDEFINED
        t = getattr(node, "type", None)
        out = self._eval(node, t, ctx, guarded)
        if t not in _STEP_TYPES and (getattr(node, "predicate", None) or getattr(node, "stages", None)
                                     or getattr(node, "group", None) is not None):
            out = self.stages(node, out, ctx, guarded, "predicate")
        self.depth -= 1
        return out

    def _eval(self, node: Any, t: Any, ctx: Shape, guarded: bool) -> Shape:
        # the commonest node types first
        if t == "path":
            return self.path(node, ctx, guarded)
        if t == "string":
            return S.STRING
        if t in ("function", "partial"):
            return self.call(node, ctx, guarded, None)
        if t == "binary":
            return self.binary(node, ctx, guarded)
        if t == "variable":
            shape, _ = self.variable(node, ctx)
            return self.stages(node, shape, ctx, guarded, "predicate")
        if t == "name":
            return self.stages(node, self.step_name(node, ctx, guarded, None), ctx, guarded, "stages")
        if t == "number":
            return S.NUMBER
        if t == "unary":
            return self.unary(node, ctx, guarded)
        if t == "condition":
            return self.condition(node, ctx, guarded)
        if t == "value":
            v = getattr(node, "value", None)
            return S.BOOLEAN if isinstance(v, bool) else S.NULL
        if t == "regex":
            return S.UNKNOWN
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
            # JSONata: an undefined operand makes the result undefined
            return S.UNDEFINED if S.UNDEFINED in (lhs, rhs) else S.NUMBER
        if op == "&":
            return S.STRING
        if op in ("=", "!="):
            self._enum_compare(node, op, lhs, rhs)
            return S.BOOLEAN
        if op == "in":
            self._enum_in(node, lhs)
            return S.BOOLEAN
        if op in ("<", "<=", ">", ">="):
            return S.UNDEFINED if S.UNDEFINED in (lhs, rhs) else S.BOOLEAN
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
                                       values, True, _enum_name(sshape)))
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
                                   len(bad) == len(lits), _enum_name(lhs)))

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
                                      and same_span(then_node, cond_node)):  # `a ?: b`
            other = self.eval(else_node, ctx, guarded) if else_node is not None else S.UNDEFINED
            return S.join(S.without_undefined(cond), other)
        then = self.eval(then_node, ctx, guarded)
        other = self.eval(else_node, ctx, guarded) if else_node is not None else S.UNDEFINED
        return S.join(then, other)

    # ------------------------------------------------------------------ functions

    def _quiet_eval(self, node: Any) -> Shape:
        saved, locals_ = self.events, dict(self.locals)
        self.events = None
        try:
            return self.eval(node, S.UNKNOWN, False)
        finally:
            self.events, self.locals = saved, locals_


def _enum_name(shape: Shape) -> str | None:
    """The name of the (one) enum a shape holds, when every enum alternative has the same name."""
    names = {a.name if a.kind == "string" else a.item.name for a in shape.alternatives()
             if a.kind == "string" or (a.kind == "array" and a.item.kind == "string")}
    return names.pop() if len(names) == 1 else None


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or "{{" in value)


def _certainly_not(shape: Shape, kind: str) -> bool:
    """Every alternative is a known kind other than `kind` (undefined and unknown never count)."""
    alts = shape.alternatives()
    return all(a.kind not in ("unknown", "undefined", kind) for a in alts)
