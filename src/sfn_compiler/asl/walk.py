"""The one traversal of an Amazon States Language document: scopes, states, Retry/Catch entries, transitions.

Everything that walks a definition (the model and its rules, the diagram, the simulator, suppressions)
goes through this module, so they all agree on where nested scopes live, which retriers and catchers
count and what an edge is. It reads the raw document, never mutates it and skips values of unexpected
types (a rule reports those); nothing here raises on odd input.

- `Tree(document)`: every scope and state, depth first in document order (`tree.scopes`, `tree.states`,
  `tree.root`, `tree.preorder()` for both interleaved). Scopes are the top level, each Parallel branch and each Map `ItemProcessor` / legacy
  `Iterator`; nesting deeper than `MAX_DEPTH` levels is not followed.
- `child_scopes(state)`: the scopes nested in one state; `processor(state)`: the Map processor AWS runs.
- `entries(state, "Retry" | "Catch" | "Choices")`: the retriers, catchers or Choice rules that are
  objects, with index and pointer.
- `transitions(state)`: the edges a state declares (`Next`, Choice rules' `Next`, `Default`, catchers'
  `Next`), each with its kind, index, target as written and the pointer of the field naming it.

Sources: https://states-language.net/spec.html ("Parallel State", "Map State", "Error Handling"),
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html (ItemProcessor, formerly Iterator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple

from ..load.pointer import escape_token, join_pointer
from . import spec

MAX_DEPTH = 64  # nested Parallel/Map levels followed (deeper ones are ignored, not crashed on)
ERROR_HANDLING_TYPES = ("Task", "Parallel", "Map")  # the state types that may Retry and Catch (a tuple: `in` must not hash)
PROCESSOR_KEYS = ("ItemProcessor", "Iterator")                  # Iterator: the pre-2022 name of ItemProcessor


# --------------------------------------------------------------------------------------------------
# one state's raw fields


class Entry(NamedTuple):
    """A retrier, catcher or Choice rule that is an object (unpacks as `index, pointer, raw`)."""

    index: int
    pointer: str          # of the entry: /States/T/Catch/0
    raw: dict

    @property
    def errors(self) -> tuple[str, ...]:
        return error_names(self.raw)


def error_names(item: Any) -> tuple[str, ...]:
    """The string names of a retrier's or catcher's `ErrorEquals` (others are skipped)."""
    ee = item.get("ErrorEquals") if isinstance(item, dict) else None
    return tuple(e for e in ee if isinstance(e, str)) if isinstance(ee, list) else ()


class Transition(NamedTuple):
    """An edge a state declares; `target` is the value as written (not always a string)."""

    kind: str             # "next" | "choice" | "default" | "catch"
    index: int | None     # Choices / Catch index
    target: Any
    pointer: str          # of the field naming the target: /States/C/Choices/1/Next


class ChildScope(NamedTuple):
    key: tuple[str | int, ...]   # ("Branches", 0) or ("ItemProcessor",)
    raw: dict
    kind: str                    # "branch" | "processor"
    distributed: bool            # a Distributed Map's processor


def states_of(scope: Any) -> Iterator[tuple[str, Any]]:
    """(name, raw state) of a scope's `States` object, in document order."""
    states = scope.get("States") if isinstance(scope, dict) else None
    if isinstance(states, dict):
        for name, raw in states.items():
            yield str(name), raw


def child_scopes(state: Any) -> Iterator[ChildScope]:
    """The scopes nested in a state: a Parallel's branches, a Map's `ItemProcessor` and `Iterator` (both
    when both are written; AWS accepts one)."""
    if not isinstance(state, dict):
        return
    stype = state.get("Type")
    if stype == "Parallel":
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, dict):
                    yield ChildScope(("Branches", i), branch, "branch", False)
    elif stype == "Map":
        for key in PROCESSOR_KEYS:
            proc = state.get(key)
            if isinstance(proc, dict):
                cfg = proc.get("ProcessorConfig")
                yield ChildScope((key,), proc, "processor", isinstance(cfg, dict) and cfg.get("Mode") == "DISTRIBUTED")


def processor(state: Any) -> Any:
    """The processor a Map runs, as written: `ItemProcessor`, else the legacy `Iterator` (None if neither)."""
    if not isinstance(state, dict):
        return None
    return state.get("ItemProcessor", state.get("Iterator"))


def entries(state: Any, key: str, pointer: str = "") -> Iterator[Entry]:
    """The objects of a state's `Retry`, `Catch` or `Choices` array, whatever the state's type (callers
    that follow AWS's semantics check the type: `handles_errors`, `Type == "Choice"`)."""
    items = state.get(key) if isinstance(state, dict) else None
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield Entry(i, f"{pointer}/{key}/{i}", item)   # the keys need no RFC 6901 escaping


def handles_errors(state: Any) -> bool:
    """The state type may have Retry and Catch (Task, Parallel, Map)."""
    return isinstance(state, dict) and state.get("Type") in ERROR_HANDLING_TYPES


def transitions(state: Any, pointer: str = "") -> list[Transition]:
    """The edges a state declares, in this order: `Next` (not on a Choice), each Choice rule's `Next`,
    `Default`, each catcher's `Next` (Task, Parallel and Map only). Missing fields give no edge."""
    if not isinstance(state, dict):
        return []
    stype = state.get("Type")
    out: list[Transition] = []
    if stype != "Choice" and "Next" in state:
        out.append(Transition("next", None, state["Next"], pointer + "/Next"))
    if stype == "Choice":
        choices = state.get("Choices")
        if isinstance(choices, list):
            for i, rule in enumerate(choices):
                if isinstance(rule, dict) and "Next" in rule:
                    out.append(Transition("choice", i, rule["Next"], f"{pointer}/Choices/{i}/Next"))
        if "Default" in state:
            out.append(Transition("default", None, state["Default"], pointer + "/Default"))
    if stype in ERROR_HANDLING_TYPES:
        for c in entries(state, "Catch", pointer):
            if "Next" in c.raw:
                out.append(Transition("catch", c.index, c.raw["Next"], c.pointer + "/Next"))
    return out


def is_terminal(state: Any) -> bool:
    """A Succeed or Fail state, or one with `End: true`."""
    if not isinstance(state, dict):
        return False
    stype = state.get("Type")
    return (isinstance(stype, str) and stype in spec.TERMINAL_TYPES) or state.get("End") is True


# --------------------------------------------------------------------------------------------------
# the tree


@dataclass(eq=False, slots=True)
class State:
    name: str
    pointer: str
    raw: Any
    scope: "Scope"
    query_language: str
    children: list["Scope"] = field(default_factory=list)
    type: str | None = field(init=False)  # one of the eight state types, else None
    _entries: dict[str, tuple[Entry, ...]] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        t = self.raw.get("Type") if isinstance(self.raw, dict) else None
        self.type = t if isinstance(t, str) and t in spec.STATE_TYPES else None

    @property
    def is_jsonata(self) -> bool:
        return self.query_language == spec.JSONATA

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default) if isinstance(self.raw, dict) else default

    def has(self, key: str) -> bool:
        return isinstance(self.raw, dict) and key in self.raw

    def entries(self, key: str) -> tuple[Entry, ...]:
        """Its retriers (`"Retry"`), catchers (`"Catch"`) or Choice rules (`"Choices"`) that are objects (made
        once per state and key: a dozen rules read them)."""
        cache = self._entries
        if cache is None:
            cache = self._entries = {}
        got = cache.get(key)
        if got is None:
            got = cache[key] = tuple(entries(self.raw, key, self.pointer))
        return got

    def transitions(self) -> list[Transition]:
        return transitions(self.raw, self.pointer)

    @property
    def label(self) -> str:
        return f"State '{self.name}'"

    def __repr__(self) -> str:
        return f"State({self.pointer!r}, {self.type})"


@dataclass(eq=False, slots=True)
class Scope:
    pointer: str              # "" for the top level, "/States/P/Branches/0", "/States/M/ItemProcessor"
    raw: Any
    kind: str                 # "machine" | "branch" | "processor"
    parent_state: State | None
    parent: "Scope | None"
    distributed: bool = False  # this scope is a Distributed Map's processor
    states: dict[str, State] = field(default_factory=dict)
    depth: int = 0

    @property
    def start_at(self) -> Any:
        return self.raw.get("StartAt") if isinstance(self.raw, dict) else None

    @property
    def states_raw(self) -> Any:
        return self.raw.get("States") if isinstance(self.raw, dict) else None

    @property
    def nearest_distributed(self) -> "Scope | None":
        """This scope or the closest enclosing one that is a Distributed Map's processor."""
        s: Scope | None = self
        while s is not None:
            if s.distributed:
                return s
            s = s.parent
        return None

    @property
    def in_distributed(self) -> bool:
        return self.nearest_distributed is not None

    def ancestors(self) -> Iterator["Scope"]:
        s = self.parent
        while s is not None:
            yield s
            s = s.parent

    @property
    def label(self) -> str:
        if self.parent_state is None:
            return "the state machine"
        if self.kind == "branch":
            return f"branch {self.pointer.rsplit('/', 1)[-1]} of '{self.parent_state.name}'"
        return f"the {self.pointer.rsplit('/', 1)[-1]} of '{self.parent_state.name}'"

    def __repr__(self) -> str:
        return f"Scope({self.pointer!r})"


def top_query_language(document: Any) -> str:
    ql = document.get("QueryLanguage") if isinstance(document, dict) else None
    return spec.JSONATA if ql == spec.JSONATA else spec.JSONPATH


class Tree:
    """Every scope and state of a document, depth first in document order: a state's nested scopes come
    right after it. A state's query language is its own `QueryLanguage`, else the top-level one (inner
    states do not inherit from the enclosing Map/Parallel)."""

    def __init__(self, document: Any, max_depth: int = MAX_DEPTH) -> None:
        self.document = document
        self.query_language = top_query_language(document)
        self.max_depth = max_depth
        self.scopes: list[Scope] = []
        self.states: list[State] = []
        self.root: Scope | None = None
        if isinstance(document, dict):
            self.root = self._scope(document, "", "machine", None, None, False, 0)

    def preorder(self) -> Iterator["Scope | State"]:
        """Scopes and states in visit order: a scope, then each of its states followed by the states'
        nested scopes (recursively)."""
        def visit(scope: Scope) -> Iterator[Scope | State]:
            yield scope
            for state in scope.states.values():
                yield state
                for child in state.children:
                    yield from visit(child)

        if self.root is not None:
            yield from visit(self.root)

    def _scope(self, raw: Any, pointer: str, kind: str, parent_state: State | None, parent: Scope | None,
               distributed: bool, depth: int) -> Scope:
        scope = Scope(pointer, raw, kind, parent_state, parent, distributed, depth=depth)
        self.scopes.append(scope)
        for name, sraw in states_of(raw):
            ql = self.query_language
            if isinstance(sraw, dict):
                own = sraw.get("QueryLanguage")
                if own in spec.QUERY_LANGUAGES:
                    ql = own
            state = State(name, f"{pointer}/States/{escape_token(name)}", sraw, scope, ql)
            scope.states[state.name] = state
            self.states.append(state)
            if depth >= self.max_depth:
                continue
            for child in child_scopes(sraw):
                state.children.append(self._scope(child.raw, join_pointer(state.pointer, *child.key), child.kind,
                                                  state, scope, child.distributed, depth + 1))
        return scope
