"""JSONata expressions as Step Functions sees them: delimiters, parsing, and what an expression reads.

`split_delimited(s)` classifies a string of a JSONata field (`{% body %}`, malformed, text around an
expression, or a plain literal). `analyze(body)` parses one expression body (jsonata-python's parser,
ported: asl/jsonata_parser/) and walks the AST once, returning an `Analysis` (parse error with its
position, free variables, `$states` paths, top-level references to the absent input, `$$`, the JSONata 2.1
operators `??` and `?:`, function calls). Results are cached by source text in a module-level dict: real
definitions repeat expressions a lot, and parsing is the slow part.

Positions are character offsets in the body. The parser records the *end* of each token, so starts
are derived from the token text (approximate for back-quoted names). `parse(body)` gives the AST itself
(the same cache: the shape inference and the pattern rules reuse the trees `analyze` built).

Why this module is long: delimiters, opaque placeholders in a body, the parse cache and the analysis walk
all serve one parse of each expression body; apart, each would reach into the others' private state (the
cache shared by `parse` and `analyze`).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .. import placeholders
from ..placeholders import placeholder_end
from .jsonata_parser import Node, new_parser

OPEN = "{%"
CLOSE = "%}"

# JSONata 2.0.6 built-ins (the version AWS documents) and the Step Functions additions.
JSONATA_FUNCTIONS = frozenset(
    "sum count max min average string substring substringBefore substringAfter lowercase uppercase length "
    "trim pad match contains replace split join formatNumber formatBase formatInteger parseInteger number "
    "floor ceil round abs sqrt power random boolean not map zip filter single reduce sift keys lookup append "
    "exists spread merge reverse each error assert type sort shuffle distinct base64encode base64decode "
    "encodeUrlComponent encodeUrl decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis".split()
)
SFN_FUNCTIONS = frozenset("partition range hash random uuid parse".split())
FUNCTIONS = JSONATA_FUNCTIONS | SFN_FUNCTIONS


# --------------------------------------------------------------------------------------------------
# delimiters


class Delimited(NamedTuple):
    """How a string of a JSONata-evaluated field reads.

    kind: "expression" (whole string is `{% body %}`), "unclosed" (starts with `{%`, no closing `%}` at the
    end), "unopened" (ends with `%}`, no `{%` anywhere), "surrounded" (contains `{% … %}` with text around
    it, or only whitespace after the closing: a literal for AWS), "literal" (no delimiters).
    """

    kind: str
    body: str = ""
    body_offset: int = 0


_SURROUNDED, _UNCLOSED, _UNOPENED, _LITERAL = (Delimited(k) for k in ("surrounded", "unclosed", "unopened", "literal"))


def split_delimited(s: str) -> Delimited:
    if s.startswith(OPEN):
        if len(s) >= 4 and s.endswith(CLOSE):
            return Delimited("expression", s[2:-2], 2)
        stripped = s.rstrip()
        if stripped != s and len(stripped) >= 4 and stripped.endswith(CLOSE):
            return _SURROUNDED
        return _UNCLOSED
    if s.endswith(CLOSE):
        if OPEN in s:
            return _SURROUNDED
        return _UNOPENED
    if OPEN in s and CLOSE in s[s.index(OPEN) + 2:]:
        return _SURROUNDED
    return _LITERAL


def is_expression(s: Any) -> bool:
    return isinstance(s, str) and len(s) >= 4 and s.startswith(OPEN) and s.endswith(CLOSE)


def expression_body(value: Any, as_variable: bool = False) -> str | None:
    """The body of a whole-string `{% ... %}` expression with its unrendered placeholders neutralised
    (`neutralize_placeholders`: a string literal, or with `as_variable` a variable of unknown value), else
    None."""
    if not isinstance(value, str):
        return None
    d = split_delimited(value)
    if d.kind != "expression":
        return None
    return neutralize_placeholders(d.body, as_variable)


# --------------------------------------------------------------------------------------------------
# placeholders inside expressions (opaque mode)

_PLACEHOLDER_START = re.compile(r"\$\{|\{\{resolve:")


def neutralize_placeholders(body: str, as_variable: bool = False) -> str:
    """Replace `${...}` / `{{resolve:...}}` outside JSONata string literals by a string literal of the same
    length (`"xx…"`), so an unrendered template still parses and offsets are unchanged. With `as_variable`,
    by a variable of the same length (`$___`) instead: a value of unknown type (the shape inference's view).
    A plain `{{` is JSONata (a block holding an object constructor: `function($v){{"S": $v}}`), never a
    placeholder."""
    if "${" not in body and "{{resolve:" not in body:
        return body
    out: list[str] = []
    i = 0
    n = len(body)
    quote: str | None = None
    while i < n:
        ch = body[i]
        if quote:
            out.append(ch)
            if ch == "\\" and quote != "`" and i + 1 < n:
                out.append(body[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
            i += 1
            continue
        if ch in "'\"`":
            quote = ch
            out.append(ch)
            i += 1
            continue
        if body.startswith("/*", i):
            end = body.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(body[i:end])
            i = end
            continue
        m = _PLACEHOLDER_START.match(body, i)
        if m:
            end = _placeholder_end(body, i)
            if end > 0:
                width = end - i
                out.append("$" + "_" * (width - 1) if as_variable else '"' + "x" * (width - 2) + '"')
                i = end
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _placeholder_end(s: str, i: int) -> int:
    """End (exclusive) of the placeholder starting at i (`${…}` or `{{…}}`), or -1."""
    if s.startswith("{{", i):
        j = s.find("}}", i + 2)
        return -1 if j < 0 else j + 2
    return placeholder_end(s, i)


def has_placeholder(s: Any) -> bool:
    """A complete `${...}` (CloudFormation/SAM/Terraform) placeholder or a `{{resolve:...}}` dynamic
    reference in the string (the lexer's definition: `sfn_compiler.placeholders`)."""
    return placeholders.has_placeholder(s) or placeholders.has_dynamic_reference(s)


# --------------------------------------------------------------------------------------------------
# analysis


class ParseError(NamedTuple):
    code: str | None
    message: str
    position: int  # offset in the body


class VarRef(NamedTuple):
    name: str
    start: int
    end: int
    called: bool = False  # `$name(...)`
    conditional: bool = False  # evaluated only sometimes: a branch of `?:`, the right of and/or, a lambda
                               # body, a predicate, a later path step (once per item: maybe never)


class StatesRef(NamedTuple):
    path: tuple[str, ...]  # ("input", "x"), ("context", "Execution", "Id"), () for a bare `$states`
    start: int
    end: int


class Mark(NamedTuple):
    text: str  # the name, '$', '$$', '??', '?:', 'eval'
    start: int
    end: int


class Analysis(NamedTuple):
    error: ParseError | None = None
    variables: tuple[VarRef, ...] = ()        # free variable reads (locals and built-in calls removed)
    calls: tuple[VarRef, ...] = ()            # every `$name(...)` call (built-ins included)
    states: tuple[StatesRef, ...] = ()        # `$states...` references
    top_level: tuple[Mark, ...] = ()          # bare names / `$` read from the (absent) input at top level
    double_dollar: tuple[Mark, ...] = ()      # `$$` anywhere
    unsupported_ops: tuple[Mark, ...] = ()    # `??`, `?:`
    locals: frozenset[str] = frozenset()      # names bound inside the expression
    guarded: frozenset[str] = frozenset()     # variables tested with `$exists($name...)` in the expression

    @property
    def ok(self) -> bool:
        return self.error is None


_CACHE: dict[str, Analysis] = {}
_CACHE_LIMIT = 50_000

# offending-token attribute for parse errors whose location is the end of that token
_TOKEN_ATTR = {"S0201": "current", "S0202": "expected", "S0211": "current", "S0208": "current",
               "S0213": "current", "S0204": "current", "S0205": "current", "S0212": "current"}


def analyze(body: str) -> Analysis:
    """Parse and analyse one expression body (cached by text)."""
    hit = _CACHE.get(body)
    if hit is not None:
        return hit
    result = _analyze(body)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[body] = result
    return result


_AST: dict[str, Any] = {}


def parse(body: str) -> Any:
    """The AST of an expression body (jsonata-python's processed tree), or None when it does not parse
    (cached by text; the ASTs `analyze` built are reused). Callers must not mutate the tree."""
    if body in _AST:
        return _AST[body]
    ast = None
    if body.strip():
        try:
            ast = new_parser().parse(body)
        except Exception:  # a parse error (reported by the JSONata rules) or a RecursionError
            ast = None
    _remember(body, ast)
    return ast


def _remember(body: str, ast: Any) -> None:
    if len(_AST) >= _CACHE_LIMIT:
        _AST.clear()
    _AST[body] = ast


def _analyze(body: str) -> Analysis:
    if not body.strip():
        return Analysis(error=ParseError("S0207", "Unexpected end of expression", len(body)))
    parser = new_parser()
    try:
        ast = parser.parse(body)
    except RecursionError:
        return Analysis(error=ParseError(None, "expression too deeply nested to parse", 0))
    except Exception as exc:  # JException, or an internal error of the parser on odd input
        code = getattr(exc, "error", None)
        loc = getattr(exc, "location", 0)
        if not isinstance(loc, int):
            loc = 0
        attr = _TOKEN_ATTR.get(code or "")
        if attr:
            tok = getattr(exc, attr, None)
            if tok is not None and not isinstance(tok, bool):
                tok_text = str(tok)
                if body[max(0, loc - len(tok_text)):loc] == tok_text:
                    loc -= len(tok_text)
        loc = max(0, min(loc, len(body)))
        message = str(exc) if code else f"cannot parse the expression ({type(exc).__name__}: {exc})"
        if code in ("S0101", "S0105") and _unclosed_quote(body) is not None:   # a string / backquoted name
            loc = _unclosed_quote(body)
            what = "string literal" if body[loc] != "`" else "backquoted name"
            message = f"the {what} that starts here is never closed (no matching {body[loc]})"
        return Analysis(error=ParseError(code if isinstance(code, str) else None, message, loc))
    _remember(body, ast)
    walker = _Walker(body)
    try:
        walker.walk(ast, True)
    except RecursionError:  # pragma: no cover - absurdly deep ASTs: keep the parse verdict only
        return Analysis()
    bound, guarded, ops = walker.bound, walker.guarded, parser.sfnc_ops
    return Analysis(
        variables=_dedupe([v for v in walker.refs if v.name not in bound] if bound else walker.refs),
        calls=_dedupe(walker.calls),
        states=_dedupe(walker.states),
        top_level=_dedupe(walker.top),
        double_dollar=_dedupe(walker.dd),
        unsupported_ops=_dedupe([Mark(op, max(0, end - len(op)), end) for op, end in ops]) if ops else (),
        locals=frozenset(bound) if bound else _NO_NAMES,
        guarded=frozenset(guarded) if guarded else _NO_NAMES,
    )


_NO_NAMES: frozenset[str] = frozenset()


def _unclosed_quote(body: str) -> int | None:
    """Offset of the quote that opens a string literal (or backquoted name) the body never closes."""
    quote, start, i, n = None, 0, 0, len(body)
    while i < n:
        ch = body[i]
        if quote:
            if ch == "\\" and quote != "`":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif body.startswith("/*", i):
            end = body.find("*/", i + 2)
            if end < 0:
                return None
            i = end + 2
            continue
        elif ch in "'\"`":
            quote, start = ch, i
        i += 1
    return start if quote else None


def _dedupe(items: list) -> tuple:
    if len(items) < 2:
        return tuple(items)
    seen = set()
    out = []
    for item in items:
        if item not in seen:
            seen.add(item)
            out.append(item)
    out.sort(key=lambda x: x.start)
    return tuple(out)


def _end(node: Any) -> int:
    pos = getattr(node, "position", 0)
    return pos if isinstance(pos, int) else 0


class _Walker:
    """One pass over a processed AST (jsonata-python's form).

    `top` is True while the node is evaluated against the expression's input (the context item), which
    Step Functions does not provide: a bare name or `$` there is a top-level reference. Steps after the
    first of a path, predicates, group-by, sort terms, transform updates and lambda bodies are not top.
    """

    def __init__(self, src: str) -> None:
        self.src = src
        self.refs: list[VarRef] = []
        self.calls: list[VarRef] = []
        self.states: list[StatesRef] = []
        self.top: list[Mark] = []
        self.dd: list[Mark] = []
        self.bound: set[str] = set()
        self.guarded: set[str] = set()
        self.seen: set[int] = set()
        self.cond = 0       # > 0 while walking a part that is evaluated only sometimes

    def maybe(self, node: Any, top: bool) -> None:
        """Walk a part of the expression that is evaluated only under a condition (or once per item). (No
        try/finally: a walk that raises is dropped whole, `_analyze` keeps the parse verdict only.)"""
        self.cond += 1
        self.walk(node, top)
        self.cond -= 1

    def walk(self, node: Any, top: bool) -> None:
        if type(node) is not Node:   # every node of the tree is a `Node`; lists hold nodes (or pairs of them)
            if type(node) is list:
                for item in node:
                    self.walk(item, top)
            return                   # a value: None, a string, a number, a regex
        key = id(node)
        if key in self.seen:
            return
        self.seen.add(key)
        visit = _VISIT.get(node.type)
        if visit is not None:
            visit(self, node, top)
        # literals, regex, wildcard, descendant, parent, error: nothing to collect but their decorations
        d = node.__dict__
        if len(d) > 3 and not d.keys().isdisjoint(_DECORATIONS):   # type, value, position: none
            self._decorations(d)

    def _name(self, node: Any, top: bool) -> None:
        if top:
            name = str(node.value)
            end = _end(node)
            self.top.append(Mark(name, max(0, end - len(name)), end))

    def _bind(self, node: Any, top: bool) -> None:
        lhs = node.lhs
        if getattr(lhs, "type", None) == "variable":
            self.bound.add(str(lhs.value))
        self.walk(node.rhs, top)

    def _function(self, node: Any, top: bool) -> None:   # a call, or a partial application
        proc = node.procedure
        if getattr(proc, "type", None) == "variable":
            self._variable(proc, top, called=True)
            self.maybe(getattr(proc, "predicate", None), False)
        else:
            self.walk(proc, top)
        exists = getattr(proc, "type", None) == "variable" and proc.value == "exists" and _end(proc) > 0
        for arg in node.arguments or ():
            if getattr(arg, "type", None) == "operator":  # `?` placeholder of a partial application
                continue
            before = len(self.refs)
            self.walk(arg, top)
            if exists:
                self.guarded.update(r.name for r in self.refs[before:])

    def _lambda(self, node: Any, top: bool) -> None:
        for arg in node.arguments or ():
            if getattr(arg, "type", None) == "variable":
                self.bound.add(str(arg.value))
        self.maybe(node.body, False)

    def _condition(self, node: Any, top: bool) -> None:
        self.walk(node.condition, top)
        self.maybe(node.then, top)
        self.maybe(node._else, top)

    def _block(self, node: Any, top: bool) -> None:
        self.walk(node.expressions, top)

    def _binary(self, node: Any, top: bool) -> None:   # binary operators, and `~>` (apply)
        self.walk(node.lhs, top)
        if node.type == "binary" and node.value in ("and", "or"):
            self.maybe(node.rhs, top)     # short-circuit
        else:
            self.walk(node.rhs, top)

    def _unary(self, node: Any, top: bool) -> None:
        if node.lhs_object is not None:
            for pair in node.lhs_object:
                self.walk(pair, top)
        elif node.expressions is not None:
            self.walk(node.expressions, top)
        else:
            self.walk(node.expression, top)

    def _transform(self, node: Any, top: bool) -> None:
        # a transform is a function: its pattern applies to the value it is given (`$x ~> |…|…|`)
        self.maybe(node.pattern, False)
        self.maybe(node.update, False)
        self.maybe(node.delete, False)

    def _filter(self, node: Any, top: bool) -> None:
        self.maybe(node.expr, False)

    def _sort(self, node: Any, top: bool) -> None:
        for term in node.terms or ():
            self.maybe(getattr(term, "expression", None), False)

    def _index(self, node: Any, top: bool) -> None:
        if node.value:
            self.bound.add(str(node.value))

    def _decorations(self, d: dict) -> None:
        """A node's predicates, stages, group-by and focus/index bindings, read from its dict (`d`): a node
        holds the attributes the parser set on it, the others are class defaults (jsonata_parser/nodes.py)."""
        items = d.get("predicate")
        if items:
            self.maybe(items, False)
        items = d.get("stages")
        if items:
            self.maybe(items, False)
        group = d.get("group")
        if group is not None and group.lhs_object:
            for pair in group.lhs_object:
                self.maybe(pair, False)
        for name in (d.get("focus"), d.get("index")):
            if isinstance(name, str) and name:
                self.bound.add(name)

    def _variable(self, node: Any, top: bool, called: bool) -> None:
        name = node.value
        name = "" if name is None else str(name)
        end = _end(node)
        if end == 0 and called:  # the `$exists` the parser synthesises for `??`
            return
        start = max(0, end - len(name) - 1)
        if name == "":
            if top:
                self.top.append(Mark("$", start, end))
        elif name == "$":
            self.dd.append(Mark("$$", max(0, end - 2), end))
        else:
            ref = VarRef(name, start, end, called, self.cond > 0)
            if called:
                self.calls.append(ref)
                if name not in FUNCTIONS:
                    self.refs.append(ref)
            elif name != "states":
                self.refs.append(ref)
            else:
                self.states.append(StatesRef((), start, end))

    def _path(self, node: Any, top: bool) -> None:
        steps = node.steps or []
        if not steps:
            return
        first = steps[0]
        if getattr(first, "type", None) == "variable" and first.value == "states":
            names: list[str] = []
            end = _end(first)
            start = max(0, end - len("states") - 1)
            for step in steps[1:]:
                if getattr(step, "type", None) == "name" and isinstance(step.value, str):
                    names.append(step.value)
                    end = _end(step)
                    if step.predicate or step.stages or step.group is not None:
                        break
                else:
                    break
            self.states.append(StatesRef(tuple(names), start, end))
            self.seen.add(id(first))
            self._decorations(first.__dict__)
        else:
            self.walk(first, top)
        for step in steps[1:]:
            self.maybe(step, False)


_VISIT = {"path": _Walker._path, "variable": lambda w, node, top: w._variable(node, top, called=False),
          "name": _Walker._name, "bind": _Walker._bind, "function": _Walker._function, "partial": _Walker._function,
          "lambda": _Walker._lambda, "condition": _Walker._condition, "block": _Walker._block,
          "binary": _Walker._binary, "apply": _Walker._binary, "unary": _Walker._unary,
          "transform": _Walker._transform, "filter": _Walker._filter, "sort": _Walker._sort, "index": _Walker._index}
_DECORATIONS = ("predicate", "stages", "group", "focus", "index")   # the node attributes `_decorations` reads
