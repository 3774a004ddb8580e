"""The one place where the shapes package reads the rest of sfnc: the ASL model (`asl.model.Machine`, its
scopes and transition graphs, `asl.walk` entries), JSONata bodies (`asl.jsonata`), Task Resources
(`asl.resources`), the polling catalogue (`asl.poll_catalogue`) and the "did you mean" hint.
"""

from __future__ import annotations

from typing import Any

from ..asl import walk
from ..asl.jsonata import analyze  # noqa: F401 - the asl analyzer's view of a body (variables read ...)
from ..asl.jsonata import expression_body as _body_of
from ..asl.jsonata import parse as parse_ast  # noqa: F401 - the AST of a body, or None (cached, shared with analyze)
from ..asl.resources import parse_resource as _parse_resource
from ..diagnostics import did_you_mean  # noqa: F401
from ..placeholders import has_placeholder  # noqa: F401 - a `${...}` inside a string


_BODIES: dict[str, str | None] = {}


def expression_body(value: Any) -> str | None:
    """The body of a whole `{% ... %}` string, else None. An unrendered `${...}` outside string literals
    becomes a variable of the same length (`$___`), which no workflow assigns: its value is unknown (the
    string literal the other rules substitute would make it a string). Cached by text."""
    if not isinstance(value, str):
        return None
    try:
        return _BODIES[value]
    except KeyError:
        pass
    if len(_BODIES) >= 100_000:
        _BODIES.clear()
    body = _BODIES[value] = _body_of(value, as_variable=True)
    return body


_RESOURCES: dict[str, Any] = {}


def parse_resource(value: Any):
    """`asl.resources.parse_resource` (a Task's Resource as a service integration), cached by text: the
    inference, the error names and the polling checks ask for every Task's."""
    if not isinstance(value, str):
        return None
    try:
        return _RESOURCES[value]
    except KeyError:
        pass
    if len(_RESOURCES) >= 100_000:
        _RESOURCES.clear()
    hit = _RESOURCES[value] = _parse_resource(value)
    return hit


def poll_catalogue():
    """The built-in polling catalogue entries (`asl/poll_catalogue.py`)."""
    from ..asl.poll_catalogue import builtin

    return builtin()


# ------------------------------------------------------------------ the machine (asl.Machine public API)


def machine(document: Any, placeholders: str | None = "opaque"):
    from ..asl.model import Machine

    return Machine(document, placeholders=placeholders)


def scopes(m) -> list:
    """Scopes, parents before children."""
    return list(m.scopes)


def graph(m, scope):
    return m.graph(scope)


def out_edges(m, state) -> list:
    """Edges leaving `state` in its scope (Next, Choice rules, Default, Catch), targets that exist (computed
    once per state: callers must not change the list)."""
    cache = m.memo("shapes.out_edges", dict)
    hit = cache.get(id(state))
    if hit is None:
        g = m.graph(state.scope)
        hit = cache[id(state)] = [e for e in g.out.get(state.name, ()) if e.target in state.scope.states]
    return hit


def complete(m, scope) -> bool:
    """Every transition of the scope names an existing state: no missing target, no placeholder target, no
    Choice rule or Catcher without a `Next` (shapes of an incomplete graph would miss paths). Once per scope
    (an inner scope is analysed again for each input it is entered with)."""
    return m.memo(("shapes.complete", scope.pointer), lambda: _complete(m, scope))


def _complete(m, scope) -> bool:
    g = m.graph(scope)
    if g.missing or g.opaque_targets:
        return False
    for st in scope.states.values():
        if st.type == "Choice" and not _all_name_next(st, "Choices", required=True):
            return False
        if walk.handles_errors(st.raw) and not _all_name_next(st, "Catch", required=False):
            return False
    return True


def _all_name_next(st, key: str, required: bool) -> bool:
    """Every item of the state's `key` array (Choice rules, catchers) is an object with a string `Next`; a
    missing or non-array `key` passes unless `required`. (The items as `entries` gives them, without their
    pointers: `entries` holds the objects of the array.)"""
    items = st.get(key)
    if not isinstance(items, list):
        return not required
    return all(isinstance(i, dict) and isinstance(i.get("Next"), str) for i in items)


def reverse_postorder(m, scope) -> tuple[str, ...]:
    """State names of `scope` reachable from StartAt, in reverse postorder of a depth-first walk."""
    return m.graph(scope).reverse_postorder
