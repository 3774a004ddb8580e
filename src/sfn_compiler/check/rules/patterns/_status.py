"""Which way a Choice sends a given job status.

A polling Choice tests the status the describe call returned: `$states.input.PipelineExecutionStatus =
'Succeeded'`, `$states.input.QueryExecution.Status.State in ['FAILED', 'CANCELLED']`, `$status !=
'RUNNING'` (with `$status` assigned from the result)... `truth(ast, value, refs)` evaluates a condition for
one status value in three-valued logic: True / False when the condition only depends on the status
(through `=`, `!=`, `in`, `and`, `or`, `$not`, `$lowercase`/`$uppercase`/`$trim`/`$string`,
`$contains` with a string), None when it depends on anything else (an attempt counter, another field).
`route(...)` then walks the Choice rules in order: a True rule is where the status goes, an unknown rule is
a possible target, and the Default (or the next status-testing Choice) takes what falls through.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from ....asl.jsonata import expression_body, parse

_TRANSFORMS: dict[str, Callable[[str], str]] = {
    "lowercase": str.lower, "uppercase": str.upper, "trim": lambda s: " ".join(s.split()), "string": lambda s: s,
}


class StatusRefs(NamedTuple):
    """Names that hold the status: the describe result's status field (last path segment) and the keys /
    variables it is copied into. Compared case-insensitively."""

    fields: frozenset[str]      # path steps: PipelineExecutionStatus, status, job_status
    variables: frozenset[str]   # bare variables: $status

    def ref(self, node) -> Callable[[str], str] | None:
        """If `node` reads the status, the transform applied to it (identity for a plain read)."""
        t = getattr(node, "type", None)
        if t == "path":
            steps = node.steps or []
            if not steps:
                return None
            last = steps[-1]
            if getattr(last, "type", None) == "name" and isinstance(last.value, str):
                if last.value.lower() in self.fields:
                    return lambda s: s
            if len(steps) == 1 and getattr(last, "type", None) == "variable":
                return self.ref(last)
            return None
        if t == "variable":
            v = node.value
            if isinstance(v, str) and v.lower() in self.variables and not getattr(node, "predicate", None):
                return lambda s: s
            return None
        if t == "function":
            proc = getattr(node, "procedure", None)
            name = proc.value if getattr(proc, "type", None) == "variable" else None
            args = node.arguments or []
            if name in _TRANSFORMS and len(args) == 1:
                inner = self.ref(args[0])
                if inner is not None:
                    f = _TRANSFORMS[name]
                    return lambda s, inner=inner, f=f: f(inner(s))
            return None
        if t == "block":
            exprs = node.expressions or []
            if len(exprs) == 1:
                return self.ref(exprs[0])
        return None

    def mentions(self, ast, depth: int = 0) -> bool:
        """The expression reads the status somewhere. (Recursive methods and functions in this module, not
        recursive closures: a closure that calls itself is a reference cycle, left to the cyclic collector.)"""
        if ast is None or depth > 200:
            return False
        if isinstance(ast, list):
            return any(self.mentions(x, depth + 1) for x in ast)
        if not hasattr(ast, "type"):
            return False
        if self.ref(ast) is not None:
            return True
        return any(self.mentions(getattr(ast, k, None), depth + 1) for k in _CHILDREN)


_CHILDREN = ("lhs", "rhs", "steps", "expressions", "arguments", "condition", "then", "_else", "expression")


def _literal(node) -> Any:
    t = getattr(node, "type", None)
    if t in ("string", "number", "value"):
        return ("lit", node.value)
    if t == "unary" and node.value == "[":
        items = []
        for x in node.expressions or []:
            lit = _literal(x)
            if lit is None:
                return None
            items.append(lit[1])
        return ("arr", items)
    if t == "block" and len(node.expressions or []) == 1:
        return _literal(node.expressions[0])
    return None


def truth(node, value: str, refs: StatusRefs) -> bool | None:
    t = getattr(node, "type", None)
    if t == "value" and isinstance(node.value, bool):
        return node.value
    if t == "block":
        exprs = node.expressions or []
        return truth(exprs[-1], value, refs) if len(exprs) == 1 else None
    if t == "binary":
        op = node.value
        if op in ("and", "or"):
            a = truth(node.lhs, value, refs)
            b = truth(node.rhs, value, refs)
            if op == "and":
                if a is False or b is False:
                    return False
                return True if (a is True and b is True) else None
            if a is True or b is True:
                return True
            return False if (a is False and b is False) else None
        if op in ("=", "!="):
            for x, y in ((node.lhs, node.rhs), (node.rhs, node.lhs)):
                f = refs.ref(x)
                lit = _literal(y)
                if f is not None and lit is not None and lit[0] == "lit":
                    eq = f(value) == lit[1]
                    return eq if op == "=" else not eq
            return None
        if op == "in":
            f = refs.ref(node.lhs)
            lit = _literal(node.rhs)
            if f is not None and lit is not None:
                items = lit[1] if lit[0] == "arr" else [lit[1]]
                return f(value) in items
            return None
        return None
    if t == "function":
        proc = getattr(node, "procedure", None)
        name = None
        if getattr(proc, "type", None) == "variable":
            name = proc.value
        elif getattr(proc, "type", None) == "path" and len(proc.steps or []) == 1:
            name = getattr(proc.steps[0], "value", None)  # `not(x)` parses as a path step
        args = node.arguments or []
        if name == "not" and len(args) == 1:
            r = truth(args[0], value, refs)
            return None if r is None else not r
        if name == "contains" and len(args) == 2:
            f = refs.ref(args[0])
            lit = _literal(args[1])
            if f is not None and lit is not None and lit[0] == "lit" and isinstance(lit[1], str):
                return lit[1] in f(value)
        if name == "exists" and len(args) == 1 and refs.ref(args[0]) is not None:
            return True
        return None
    return None


def condition_ast(rule: Any) -> Any:
    """AST of a JSONata Choice rule's Condition (booleans become a literal node), or None."""
    cond = rule.get("Condition") if isinstance(rule, dict) else None
    if isinstance(cond, bool):
        return _Bool(cond)
    body = expression_body(cond)
    return parse(body) if body is not None else None


class _Bool:
    type = "value"

    def __init__(self, v: bool) -> None:
        self.value = v


def choice_tests_status(state, refs: StatusRefs) -> bool:
    if state.type != "Choice" or not state.is_jsonata:
        return False
    rules = state.get("Choices")
    if not isinstance(rules, list):
        return False
    for rule in rules:
        ast = condition_ast(rule)
        if ast is not None and refs.mentions(ast):
            return True
    return False


class Route(NamedTuple):
    target: str            # state name the status ends up in
    via: tuple[str, ...]   # Choice states passed, in order
    pointer: str           # pointer of the Next/Default that sends it there
    default: bool          # reached through a Default
    decisive: bool         # a rule that tests the status sends it here (not a rule on something else)


def route(scope, choice_name: str, value: str, refs: StatusRefs, limit: int = 8) -> list[Route]:
    """Where `value` can go from the status Choice `choice_name`, following chained status Choices.

    A rule whose condition is true for the value takes it (decisive); a rule that depends on something
    else (an attempt counter) may take it (not decisive) and the walk goes on; the Default takes what is
    left (decisive when no rule before it was undecided)."""
    router = _Router(scope, value, refs, limit)
    router.walk(choice_name, (), True, 0)
    return router.out


class _Router:
    """`route`'s walk (an object rather than two closures that call each other: no reference cycle)."""

    def __init__(self, scope, value: str, refs: StatusRefs, limit: int) -> None:
        self.scope, self.value, self.refs, self.limit = scope, value, refs, limit
        self.out: list[Route] = []
        self.seen: set[str] = set()

    def walk(self, name: str, via: tuple[str, ...], decisive: bool, depth: int) -> None:
        st = self.scope.states.get(name)
        if st is None or depth > self.limit or name in self.seen or not choice_tests_status(st, self.refs):
            return
        self.seen.add(name)
        undecided = False
        for _, rule_pointer, rule in st.entries("Choices"):
            ast = condition_ast(rule)
            r = truth(ast, self.value, self.refs) if ast is not None else None
            if r is False:
                continue
            nxt = rule.get("Next")
            if isinstance(nxt, str):
                self.emit(nxt, via + (name,), decisive and r is True, rule_pointer + "/Next", False, depth)
            if r is True:
                return
            undecided = True
        d = st.get("Default")
        if isinstance(d, str):
            self.emit(d, via + (name,), decisive and not undecided, f"{st.pointer}/Default", True, depth)

    def emit(self, target: str, via: tuple[str, ...], decisive: bool, pointer: str, default: bool,
             depth: int) -> None:
        st = self.scope.states.get(target)
        if st is not None and choice_tests_status(st, self.refs) and target not in self.seen:
            self.walk(target, via, decisive, depth + 1)
            return
        self.out.append(Route(target, via, pointer, default, decisive))
