"""The one place where the shapes package reads the rest of sfnc: the ASL model's public API and the
shared JSONata/Resource helpers. When `asl/walk.py` lands, the traversal below is what switches to it.
"""

from __future__ import annotations

from typing import Any, Iterator


def parse_ast(body: str) -> Any:
    """jsonata-python AST of an expression body, or None (cached by text)."""
    from ..check.rules.patterns._common import parse_ast as _parse

    return _parse(body)


def expression_body(value: Any) -> str | None:
    """The body of a whole `{% ... %}` string (placeholders neutralised), else None."""
    from ..check.rules.patterns._common import expression_body as _body

    return _body(value)


def split_delimited(value: str):
    from ..asl.jsonata import split_delimited as _split

    return _split(value)


def parse_resource(value: Any):
    from ..check.rules.patterns._common import parse_resource as _parse

    return _parse(value)


def did_you_mean(word: str, candidates, prefix: str = "did you mean ") -> str | None:
    from ..check.rules._common import did_you_mean as _dym

    return _dym(word, candidates, prefix)


def escape_token(token: Any) -> str:
    from ..load.pointer import escape_token as _esc

    return _esc(str(token))


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
    """Edges leaving `state` in its scope (Next, Choice rules, Default, Catch), targets that exist."""
    g = m.graph(state.scope)
    return [e for e in g.out.get(state.name, ()) if e.target in state.scope.states]


def complete(m, scope) -> bool:
    """Every transition of the scope names an existing state: no missing target, no placeholder target, no
    Choice rule or Catcher without a `Next` (shapes of an incomplete graph would miss paths)."""
    g = m.graph(scope)
    if g.missing or g.opaque_targets:
        return False
    for st in scope.states.values():
        raw = st.raw if isinstance(st.raw, dict) else {}
        if st.type == "Choice":
            rules = raw.get("Choices")
            if not isinstance(rules, list) or not all(isinstance(r, dict) and isinstance(r.get("Next"), str)
                                                       for r in rules):
                return False
        catch = raw.get("Catch")
        if st.type in ("Task", "Parallel", "Map") and isinstance(catch, list):
            if not all(isinstance(c, dict) and isinstance(c.get("Next"), str) for c in catch):
                return False
    return True


def reverse_postorder(m, scope) -> list[str]:
    """State names of `scope` reachable from StartAt, in reverse postorder of a depth-first walk."""
    g = m.graph(scope)
    start = g.start
    if start is None:
        return []
    order: list[str] = []
    seen = {start}
    stack: list[tuple[str, Iterator[str]]] = [(start, iter(g.successors(start)))]
    while stack:
        name, it = stack[-1]
        for nxt in it:
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(g.successors(nxt))))
                break
        else:
            stack.pop()
            order.append(name)
    order.reverse()
    return order
