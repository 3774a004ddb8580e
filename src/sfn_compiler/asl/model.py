"""The ASL model every rule shares: scopes, states, query languages, expressions, variable reads/writes.

`Machine(document, placeholders=...)` is built once per document (by `CheckContext.machine`). It never
raises and never mutates the document: anything of an unexpected type is skipped. `State.raw` is the
state's value as written (a dict whenever `State.type` is not None); rules read fields with `.get` and must
not assume their types.

- Scopes and states: `walk.Tree` (the one traversal; see `walk.py`): the top level, each Parallel branch,
  each Map `ItemProcessor` / `Iterator`, recursively; a state's effective query language.
- `graph(scope)`: transitions, reachability, terminals, cycles (see `graph.py`).
- `memo(key, build)`: the one per-document cache for results computed outside this class.
- `expressions`: every `{% %}` string in the fields AWS evaluates for a JSONata state, with its pointer,
  field kind and body offset; `field_strings` also yields the malformed ones.
- `reads` / `assigns`: variable reads (JSONata and JSONPath) and `Assign` keys; `variables` runs the
  data-flow analysis (see `variables.py`).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Callable, Iterator, NamedTuple

from ..load.pointer import escape_token, join_pointer as _p
from . import spec
from .graph import Graph
from .jsonata import Analysis, Delimited, analyze, has_placeholder, neutralize_placeholders, split_delimited
from .walk import ERROR_HANDLING_TYPES, MAX_DEPTH, Scope, State, Tree  # noqa: F401  (re-exported)


class FieldString(NamedTuple):
    """A string in a field AWS evaluates for a JSONata state."""

    pointer: str
    state: State
    kind: str            # "Output", "Arguments", "Assign", "Catch.Output", "Choice.Condition", "TimeoutSeconds", ...
    value: str
    scalar: bool         # the field takes one value (TimeoutSeconds, Condition...) rather than a template
    index: int | None    # Catch / Choices index for "Catch.*" / "Choice.*" kinds
    delimited: Delimited


class Expression(NamedTuple):
    pointer: str
    state: State
    kind: str
    text: str
    body: str
    body_offset: int
    index: int | None
    analysis: Analysis

    @property
    def ok(self) -> bool:
        return self.analysis.error is None


class VarRead(NamedTuple):
    name: str
    pointer: str
    offset: int | None
    state: State
    kind: str
    index: int | None
    called: bool = False
    jsonpath: bool = False
    guarded: bool = False   # the same expression tests it with `$exists(...)`


class VarAssign(NamedTuple):
    name: str        # the variable (a JSONPath `x.$` key assigns `x`)
    key: str         # the key as written
    pointer: str     # pointer of the key's value (locate with key=True)
    state: State
    kind: str        # "Assign" | "Choice.Assign" | "Catch.Assign"
    index: int | None


_CFN_INTRINSICS = frozenset({"Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::ImportValue", "Fn::If", "Fn::Select",
                             "Fn::FindInMap", "Fn::GetAZs", "Fn::Base64", "Fn::Split", "Fn::ToJsonString"})


class Machine:
    def __init__(self, document: Any, placeholders: str | None = None) -> None:
        self.document = document
        self.placeholders = placeholders
        self.opaque = placeholders == "opaque"
        self.is_object = isinstance(document, dict)
        tree = Tree(document)
        self.query_language = tree.query_language
        self.scopes: list[Scope] = tree.scopes
        self.states: list[State] = tree.states
        self.root: Scope | None = tree.root
        self._memo: dict[Any, Any] = {}

    def release(self) -> None:
        """Break the model's reference cycles (a scope and its states point at each other; the analyses in
        the memo point back at the machine) once nothing will read it again, so that reference counting frees
        it with the document it holds. Left to the cyclic collector, freeing a large definition's model meant
        walking every object of the document (a tenth of a 10,000-state run)."""
        for scope in self.scopes:
            scope.parent = scope.parent_state = None
            scope.states = {}
        for st in self.states:
            st.scope = None   # type: ignore[assignment]
            st.children = []
            st._entries = None
        self._memo.clear()
        self.__dict__.clear()   # the cached properties too (the machine is not used again)

    def memo(self, key: Any, build: Callable[[], Any]) -> Any:
        """`build()` once per machine and key: the one cache for per-document results computed outside
        this class (transition graphs, pattern analyses, variable verdicts)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build()
            return value

    # ------------------------------------------------------------------ structure

    def graph(self, scope: Scope) -> Graph:
        """The transition graph of one scope (see `graph.py`)."""
        key = ("graph", scope.pointer)
        g = self._memo.get(key)
        if g is None:
            g = self._memo[key] = Graph(self, scope)
        return g

    # ------------------------------------------------------------------ placeholders

    def is_opaque(self, value: Any) -> bool:
        """In opaque-placeholder mode, a string holding `${...}` (or `{{resolve:...}}`), or a CloudFormation
        intrinsic object (`{"Ref": ...}`, `{"Fn::GetAtt": ...}`), stands for a value of whatever type its
        field needs."""
        if not self.opaque:
            return False
        if isinstance(value, dict):
            return len(value) == 1 and next(iter(value)) in _CFN_INTRINSICS
        return has_placeholder(value)

    # ------------------------------------------------------------------ JSONata fields

    @cached_property
    def field_strings(self) -> list[FieldString]:
        out: list[FieldString] = []
        for state in self.states:
            if state.is_jsonata and state.type is not None:
                self._state_strings(state, out)
        return out

    def _state_strings(self, state: State, out: list[FieldString]) -> None:
        """Appends a state's field strings to `out` (a list rather than nested generators: this runs for
        every string of every JSONata state)."""
        t = state.type
        raw = state.raw
        template, scalar = self._template, self._scalar
        for name in spec.TEMPLATE_FIELDS.get(t, ()):
            if name in raw:
                template(out, state, _p(state.pointer, name), raw[name], name, None)
        for name in spec.SCALAR_FIELDS.get(t, ()):
            if name in raw:
                scalar(out, state, _p(state.pointer, name), raw[name], name, None)
        for path, name in spec.NESTED_SCALAR_FIELDS.get(t, ()):
            node = _dig(raw, path)
            if isinstance(node, dict) and name in node:
                scalar(out, state, _p(state.pointer, *path, name), node[name], ".".join(path + (name,)), None)
        for path, name in spec.NESTED_TEMPLATE_FIELDS.get(t, ()):
            node = _dig(raw, path)
            if isinstance(node, dict) and name in node:
                template(out, state, _p(state.pointer, *path, name), node[name], ".".join(path + (name,)), None)
        if t not in ("Succeed", "Fail"):
            self._assign(out, state, state.pointer, raw.get("Assign"), "Assign", None)
        if t == "Choice":
            for rule in state.entries("Choices"):
                i, base = rule.index, rule.pointer
                if "Condition" in rule.raw:
                    scalar(out, state, base + "/Condition", rule.raw["Condition"], "Choice.Condition", i)
                if "Output" in rule.raw:
                    template(out, state, base + "/Output", rule.raw["Output"], "Choice.Output", i)
                self._assign(out, state, base, rule.raw.get("Assign"), "Choice.Assign", i)
        if t in ERROR_HANDLING_TYPES:
            for c in state.entries("Catch"):
                if "Output" in c.raw:
                    template(out, state, c.pointer + "/Output", c.raw["Output"], "Catch.Output", c.index)
                self._assign(out, state, c.pointer, c.raw.get("Assign"), "Catch.Assign", c.index)

    def _assign(self, out: list[FieldString], state: State, base: str, assign: Any, kind: str,
                index: int | None) -> None:
        """The values of an Assign object (state, Choice rule or Catcher); keys are names, never evaluated."""
        if isinstance(assign, dict):
            for key, value in assign.items():
                self._template(out, state, _p(base, "Assign", key), value, kind, index)

    def _scalar(self, out: list[FieldString], state: State, pointer: str, value: Any, kind: str,
                index: int | None) -> None:
        if isinstance(value, str):
            out.append(FieldString(pointer, state, kind, value, True, index, split_delimited(value)))

    def _template(self, out: list[FieldString], state: State, pointer: str, value: Any, kind: str,
                  index: int | None, depth: int = 0) -> None:
        if isinstance(value, str):
            out.append(FieldString(pointer, state, kind, value, False, index, split_delimited(value)))
        elif depth > 200:
            return
        elif isinstance(value, dict):
            for k, v in value.items():
                self._template(out, state, _p(pointer, k), v, kind, index, depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self._template(out, state, _p(pointer, i), v, kind, index, depth + 1)

    @cached_property
    def expressions(self) -> list[Expression]:
        out: list[Expression] = []
        for fs in self.field_strings:
            d = fs.delimited
            if d.kind != "expression":
                continue
            body = d.body
            if self.opaque:
                body = neutralize_placeholders(body)
            out.append(Expression(fs.pointer, fs.state, fs.kind, fs.value, d.body, d.body_offset, fs.index,
                                  analyze(body)))
        return out

    # ------------------------------------------------------------------ variables

    @cached_property
    def assigns(self) -> list[VarAssign]:
        out: list[VarAssign] = []
        for state in self.states:
            if state.type is None:
                continue
            raw = state.raw
            jsonpath = not state.is_jsonata
            assign = raw.get("Assign")
            if isinstance(assign, dict):
                for key in assign:
                    out.append(VarAssign(_var_name(key, jsonpath), key, _p(state.pointer, "Assign", key), state,
                                         "Assign", None))
            for key_, kind in (("Choices", "Choice.Assign"), ("Catch", "Catch.Assign")):
                if key_ == "Choices" and state.type != "Choice":
                    continue
                for e in state.entries(key_):
                    if isinstance(e.raw.get("Assign"), dict):
                        for key in e.raw["Assign"]:
                            out.append(VarAssign(_var_name(key, jsonpath), key, _p(e.pointer, "Assign", key), state,
                                                 kind, e.index))
        return out

    @cached_property
    def assigned_names(self) -> frozenset[str]:
        return frozenset(a.name for a in self.assigns)

    @cached_property
    def reads(self) -> list[VarRead]:
        """Variable reads: JSONata free variables (built-in functions excluded unless a variable of that name
        is assigned somewhere) and `$name` references in JSONPath paths / `.$` values / intrinsics."""
        from .jsonata import FUNCTIONS

        assigned = self.assigned_names
        out: list[VarRead] = []
        for expr in self.expressions:
            for v in expr.analysis.variables:
                if v.name in FUNCTIONS and v.name not in assigned:
                    continue
                out.append(VarRead(v.name, expr.pointer, expr.body_offset + v.start, expr.state, expr.kind,
                                   expr.index, v.called, guarded=v.name in expr.analysis.guarded))
        for state in self.states:
            if state.type is not None and not state.is_jsonata:
                out.extend(self._jsonpath_reads(state))
        return out

    def _jsonpath_reads(self, state: State) -> Iterator[VarRead]:
        raw = state.raw
        for name in ("InputPath", "OutputPath", "ItemsPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
                     "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "MaxConcurrencyPath",
                     "ToleratedFailureCountPath", "ToleratedFailurePercentagePath"):
            if name in raw:
                yield from _path_reads(state, _p(state.pointer, name), raw[name], name, None)
        for path, name in ((("Credentials",), "RoleArnPath"), (("ItemReader", "ReaderConfig"), "MaxItemsPath"),
                           (("ItemBatcher",), "MaxItemsPerBatchPath"), (("ItemBatcher",), "MaxInputBytesPerBatchPath")):
            node = _dig(raw, path)
            if isinstance(node, dict) and name in node:
                yield from _path_reads(state, _p(state.pointer, *path, name), node[name], name, None)
        for name in ("Parameters", "ResultSelector", "ItemSelector"):
            if name in raw:
                yield from _template_reads(state, _p(state.pointer, name), raw[name], name, None)
        for path, name in ((("ItemReader",), "Parameters"), (("ResultWriter",), "Parameters"),
                           (("ItemBatcher",), "BatchInput")):
            node = _dig(raw, path)
            if isinstance(node, dict) and name in node:
                yield from _template_reads(state, _p(state.pointer, *path, name), node[name], name, None)
        if isinstance(raw.get("Assign"), dict):
            yield from _template_reads(state, _p(state.pointer, "Assign"), raw["Assign"], "Assign", None)
        for c in state.entries("Catch"):
            if isinstance(c.raw.get("Assign"), dict):
                yield from _template_reads(state, c.pointer + "/Assign", c.raw["Assign"], "Catch.Assign", c.index)
        if state.type == "Choice":
            for r in state.entries("Choices"):
                yield from _choice_reads(state, r.pointer, r.raw, r.index, 0)
                if isinstance(r.raw.get("Assign"), dict):
                    yield from _template_reads(state, r.pointer + "/Assign", r.raw["Assign"], "Choice.Assign", r.index)

    @cached_property
    def variables(self):
        from .variables import VariableAnalysis

        return VariableAnalysis(self)


def _dig(raw: Any, path: tuple[str, ...]) -> Any:
    node = raw
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _var_name(key: Any, jsonpath: bool) -> str:
    key = str(key)
    if jsonpath and key.endswith(".$"):
        return key[:-2]
    return key


def jsonpath_variables(value: str) -> list[tuple[str, int]]:
    """`$name` references in a JSONPath path or intrinsic-function string: [(name, offset)], as the parsers
    read them: a path's root (`asl.jsonpath.path_root`, also when the rest of the path does not parse), the
    roots of an intrinsic call's path arguments (`asl.intrinsics.located_paths`; a call that does not parse
    reads nothing: SFN111 reports it)."""
    if not isinstance(value, str) or "$" not in value:
        return []
    from .intrinsics import IntrinsicSyntaxError, located_paths, parse_intrinsic  # JSONPath states only
    from .jsonpath import path_root

    if value.startswith("States."):
        try:
            call = parse_intrinsic(value)
        except IntrinsicSyntaxError:
            return []
        return [(path.variable, start) for path, start in located_paths(call) if path.variable]
    root = path_root(value)
    return [(root[1:], 0)] if root is not None and root not in ("$", "$$") else []


def _path_reads(state: State, pointer: str, value: Any, kind: str, index: int | None) -> Iterator[VarRead]:
    if isinstance(value, str):
        for name, off in jsonpath_variables(value):
            yield VarRead(name, pointer, off, state, kind, index, jsonpath=True)


def _template_reads(state: State, pointer: str, value: Any, kind: str, index: int | None,
                    depth: int = 0) -> Iterator[VarRead]:
    if depth > 200:
        return
    if isinstance(value, dict):
        for k, v in value.items():
            child = _p(pointer, k)
            if isinstance(k, str) and k.endswith(".$") and isinstance(v, str):
                yield from _path_reads(state, child, v, kind, index)
            elif isinstance(v, (dict, list)):
                yield from _template_reads(state, child, v, kind, index, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _template_reads(state, _p(pointer, i), v, kind, index, depth + 1)


def _choice_reads(state: State, base: str, rule: dict, index: int, depth: int) -> Iterator[VarRead]:
    if depth > 50:
        return
    if "Variable" in rule:
        yield from _path_reads(state, base + "/Variable", rule["Variable"], "Choice.Variable", index)
    for key, value in rule.items():
        if key.endswith("Path") and key in spec.COMPARISON_OPERATORS:
            yield from _path_reads(state, _p(base, key), value, "Choice." + key, index)
    for key in ("And", "Or"):
        sub = rule.get(key)
        if isinstance(sub, list):
            for j, r in enumerate(sub):
                if isinstance(r, dict):
                    yield from _choice_reads(state, _p(base, key, j), r, index, depth + 1)
    sub = rule.get("Not")
    if isinstance(sub, dict):
        yield from _choice_reads(state, base + "/Not", sub, index, depth + 1)
