"""The one place where the shapes package reads the rest of sfnc: the ASL model's public API and the
shared JSONata/Resource helpers. When `asl/walk.py` lands, the traversal below is what switches to it.
"""

from __future__ import annotations

from typing import Any, Iterator


_FN: dict[str, Any] = {}


def _fn(module: str, name: str) -> Any:
    """A function of another sfnc module, imported on first use (the check package imports every rule: it
    must not load when only the shapes are used, and must not be imported at `sfnc --help`)."""
    key = module + ":" + name
    f = _FN.get(key)
    if f is None:
        import importlib

        f = _FN[key] = getattr(importlib.import_module(module, __package__), name)
    return f


def parse_ast(body: str) -> Any:
    """jsonata-python AST of an expression body, or None (cached by text)."""
    return _fn("..asl.jsonata", "parse")(body)


def expression_body(value: Any) -> str | None:
    """The body of a whole `{% ... %}` string, else None. An unrendered `${...}` outside string literals
    becomes a variable of the same length (`$___`), which no workflow assigns: its value is unknown (the
    string literal the other rules substitute would make it a string)."""
    if not isinstance(value, str):
        return None
    d = _fn("..asl.jsonata", "split_delimited")(value)
    if d.kind != "expression":
        return None
    return _fn("..asl.jsonata", "neutralize_placeholders")(d.body, as_variable=True)


def parse_resource(value: Any):
    return _fn("..check.rules.patterns._common", "parse_resource")(value)


def did_you_mean(word: str, candidates, prefix: str = "did you mean ") -> str | None:
    return _fn("..check.rules._common", "did_you_mean")(word, candidates, prefix)


def analyze(body: str):
    """The asl analyzer's view of an expression body (variables read, `$states` paths ...)."""
    return _fn("..asl.jsonata", "analyze")(body)


def poll_catalogue():
    """The built-in polling catalogue entries (check/rules/patterns/catalogue.py)."""
    return _fn("..check.rules.patterns.catalogue", "builtin")()


# ------------------------------------------------------------------ the machine (asl.Machine public API)


def machine(document: Any, placeholders: str | None = "opaque"):
    return _fn("..asl.model", "Machine")(document, placeholders=placeholders)


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
