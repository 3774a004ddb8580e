"""Diagrams of a definition: Mermaid `stateDiagram-v2` and Graphviz DOT.

Choice edges carry their condition, shortened around where the conditions of one Choice differ (two
rules that test the same status against different values keep their values). Parallel branches and Map
processors are nested states. Catch edges, in `catch` mode:

- `grouped` (the default): the states that catch into the same handler meet at one junction before it,
  drawn distinctly: a red dashed `on error` node in Mermaid (stateDiagram-v2 cannot style a single
  transition, only states), a red point with dashed red edges in DOT; each edge is labelled with the
  errors it catches;
- `all`: one edge per catcher, labelled `catch …` (dashed red in DOT);
- `none`: no catch edges; the handlers keep their dashed red outline.

The structure and the edges come from `asl.walk`, like everything else that reads a definition."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..asl import walk
from ..asl.walk import Tree, is_terminal

_MAX_LABEL = 48


@dataclass
class Edge:
    src: str
    dst: str
    label: str = ""
    kind: str = "next"      # next | choice | default | catch


@dataclass
class Node:
    name: str
    type: str
    children: list["Scope"] = field(default_factory=list)   # Parallel branches / Map processor
    terminal: bool = False


@dataclass
class Scope:
    start: str | None
    nodes: list[Node]
    edges: list[Edge]


CATCH_MODES = ("grouped", "all", "none")


def _clean(text: str) -> str:
    text = text.strip()
    if text.startswith("{%") and text.endswith("%}"):
        text = text[2:-2].strip()
    return " ".join(text.split())


def _short(text: str) -> str:
    text = _clean(text)
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _fit_labels(labels: list[str], limit: int = _MAX_LABEL) -> list[str]:
    """The conditions of one Choice, each cut to `limit` characters around where they differ from one
    another (`…Status = 'Failed'` and `…Status = 'Stopped'`, not twice `$states.input.Pipe…`)."""
    if all(len(x) <= limit for x in labels):
        return labels
    prefix = suffix = 0
    if len(labels) > 1:
        first = labels[0]
        prefix = len(first)
        for x in labels[1:]:
            prefix = next((i for i, (a, b) in enumerate(zip(first, x)) if a != b), min(len(first), len(x), prefix))
            prefix = min(prefix, len(x))
        suffix = min(len(x) for x in labels)
        for x in labels[1:]:
            suffix = min(suffix, next((i for i, (a, b) in enumerate(zip(reversed(first), reversed(x))) if a != b),
                                      min(len(first), len(x))))
    out = []
    for x in labels:
        if len(x) <= limit:
            out.append(x)
            continue
        lo, hi = prefix, max(prefix, len(x) - suffix)
        width = limit - 2
        if len(labels) == 1 or hi - lo >= width:
            start = lo if len(labels) > 1 else 0
        else:
            start = max(0, lo - (width - (hi - lo)) // 2)
        start = max(0, min(start, len(x) - width))
        if start == 0:
            out.append(x[: limit - 1] + "…")
        elif start + width >= len(x):
            out.append("…" + x[len(x) - (limit - 1):])
        else:
            out.append("…" + x[start:start + width] + "…")
    return out


def build(definition: Any) -> Scope:
    """The diagram of a definition: `asl.walk.Tree`'s scopes and transitions, with edge labels."""
    root = Tree(definition).root
    return _build(root) if root is not None else Scope(None, [], [])


def _build(scope: walk.Scope) -> Scope:
    nodes, edges = [], []
    for name, state in scope.states.items():
        st = state.raw
        if not isinstance(st, dict):
            continue
        kind = st.get("Type", "?")
        node = Node(name, kind, children=[_build(child) for child in state.children], terminal=is_terminal(st))
        nodes.append(node)
        choice_edges = []
        for t in state.transitions():
            if not isinstance(t.target, str):
                continue
            label = ""
            if t.kind == "choice":
                rule = st["Choices"][t.index]
                cond = rule.get("Condition")
                label = _clean(cond) if isinstance(cond, str) else _jsonpath_label(rule)
            elif t.kind == "default":
                label = "default"
            elif t.kind == "catch":
                label = f"catch {', '.join(walk.error_names(st['Catch'][t.index]))}"
            edges.append(Edge(name, t.target, label, t.kind))
            if t.kind == "choice":
                choice_edges.append(edges[-1])
        for e, label in zip(choice_edges, _fit_labels([e.label for e in choice_edges])):
            e.label = label
    start = scope.start_at if isinstance(scope.start_at, str) else None
    return Scope(start, nodes, edges)


def _jsonpath_label(rule: dict) -> str:
    var = rule.get("Variable", "")
    for k, v in rule.items():
        if k not in ("Variable", "Next", "Comment"):
            return _clean(f"{var} {k} {v}")
    return "rule"


class _Ids:
    def __init__(self) -> None:
        self.ids: dict[tuple[int, str], str] = {}
        self.used: set[str] = set()

    def get(self, scope_key: int, name: str) -> str:
        key = (scope_key, name)
        if key not in self.ids:
            base = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "state"
            if base[0].isdigit():
                base = "s_" + base
            candidate, n = base, 2
            while candidate in self.used:
                candidate, n = f"{base}_{n}", n + 1
            self.used.add(candidate)
            self.ids[key] = candidate
        return self.ids[key]


_MERMAID_ESCAPES = {"#": "#35;", '"': "#quot;", "{": "#123;", "}": "#125;", ";": "#59;", ":": "#58;",
                    "<": "#lt;", ">": "#gt;"}


def _mermaid_text(text: str) -> str:
    return "".join(_MERMAID_ESCAPES.get(ch, ch) for ch in text)


def _check_catch(catch: str) -> None:
    if catch not in CATCH_MODES:
        raise ValueError(f"catch mode {catch!r}: one of {', '.join(CATCH_MODES)}")


def to_mermaid(definition: Any, catch: str = "grouped") -> str:
    _check_catch(catch)
    ids = _Ids()
    lines = ["stateDiagram-v2"]
    catch_targets: set[str] = set()
    junctions: list[str] = []

    def emit(scope: Scope, indent: str, key: int) -> None:
        for node in scope.nodes:
            sid = ids.get(key, node.name)
            label = f"{node.name}" if node.type in ("Task", "Pass", "Wait") else f"{node.name} ({node.type})"
            lines.append(f'{indent}state "{_mermaid_text(label)}" as {sid}')
            if node.children:
                lines.append(f"{indent}state {sid} {{")
                for i, child in enumerate(node.children):
                    if i:
                        lines.append(f"{indent}    --")
                    emit(child, indent + "    ", id(child))
                lines.append(f"{indent}}}")
        if scope.start:
            lines.append(f"{indent}[*] --> {ids.get(key, scope.start)}")
        grouped: dict[str, str] = {}
        for e in scope.edges:
            a, b = ids.get(key, e.src), ids.get(key, e.dst)
            if e.kind == "catch":
                catch_targets.add(b)
                if catch == "none":
                    continue
                if catch == "grouped":
                    j = grouped.get(b)
                    if j is None:
                        j = grouped[b] = ids.get(key, f"catch to {e.dst}")
                        junctions.append(j)
                        lines.append(f'{indent}state "on error" as {j}')
                        lines.append(f"{indent}{j} --> {b}")
                    lines.append(f"{indent}{a} --> {j} : {_mermaid_text(e.label[len('catch '):])}")
                    continue
            lines.append(f"{indent}{a} --> {b}" + (f" : {_mermaid_text(e.label)}" if e.label else ""))
        for node in scope.nodes:
            if node.terminal:
                lines.append(f"{indent}{ids.get(key, node.name)} --> [*]")

    root = build(definition)
    emit(root, "    ", 0)
    fails = [ids.get(0, n.name) for n in root.nodes if n.type == "Fail"]
    if fails:
        lines.append("    classDef failure fill:#fde2e1,stroke:#c0392b")
        lines.append(f"    class {','.join(fails)} failure")
    handlers = sorted(catch_targets - set(fails))
    if handlers:
        lines.append("    classDef handler stroke:#c0392b,stroke-dasharray: 4 3")
        lines.append(f"    class {','.join(handlers)} handler")
    if junctions:
        lines.append("    classDef caught fill:#fff5f5,color:#c0392b,stroke:#c0392b,stroke-dasharray: 2 2,font-size:10px")
        lines.append(f"    class {','.join(junctions)} caught")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(definition: Any, name: str = "state_machine", catch: str = "grouped") -> str:
    _check_catch(catch)
    ids = _Ids()
    out = [f'digraph "{_dot_text(name)}" {{', "  compound=true;", "  rankdir=TB;",
           '  node [shape=box, style="rounded", fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];']
    counter = [0]

    def emit(scope: Scope, indent: str, key: int, prefix: str) -> None:
        start_id = f"start_{prefix}"
        out.append(f'{indent}{start_id} [shape=circle, label="", width=0.2, style=filled, fillcolor=black];')
        for node in scope.nodes:
            nid = ids.get(key, node.name)
            shape = {"Choice": "diamond", "Succeed": "doublecircle", "Fail": "octagon", "Wait": "ellipse"}.get(node.type, "box")
            color = ', color="#c0392b"' if node.type == "Fail" else ""
            out.append(f'{indent}{nid} [label="{_dot_text(node.name)}", shape={shape}{color}];')
            if node.children:
                for i, child in enumerate(node.children):
                    counter[0] += 1
                    cid = f"{prefix}_{counter[0]}"
                    title = f"{node.name} / branch {i + 1}" if node.type == "Parallel" else f"{node.name} / item processor"
                    out.append(f'{indent}subgraph cluster_{cid} {{')
                    out.append(f'{indent}  label="{_dot_text(title)}"; style=dashed;')
                    emit(child, indent + "  ", id(child), cid)
                    out.append(f"{indent}}}")
                    out.append(f"{indent}{nid} -> start_{cid} [style=dotted, arrowhead=none];")
        if scope.start:
            out.append(f"{indent}{start_id} -> {ids.get(key, scope.start)};")
        grouped: dict[str, str] = {}
        red = 'style=dashed, color="#c0392b", fontcolor="#c0392b"'
        for e in scope.edges:
            a, b = ids.get(key, e.src), ids.get(key, e.dst)
            if e.kind == "catch" and catch == "none":
                continue
            if e.kind == "catch" and catch == "grouped":
                j = grouped.get(b)
                if j is None:
                    j = grouped[b] = ids.get(key, f"catch to {e.dst}")
                    out.append(f'{indent}{j} [shape=point, width=0.12, color="#c0392b", xlabel="on error", '
                               'fontcolor="#c0392b", fontsize=9];')
                    out.append(f"{indent}{j} -> {b} [{red}];")
                out.append(f'{indent}{a} -> {j} [label="{_dot_text(e.label[len("catch "):])}", {red}, arrowhead=none];')
                continue
            attrs = []
            if e.label:
                attrs.append(f'label="{_dot_text(e.label)}"')
            if e.kind == "catch":
                attrs.append(red)
            elif e.kind == "default":
                attrs.append("style=bold")
            out.append(f"{indent}{a} -> {b}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")

    emit(build(definition), "  ", 0, "root")
    out.append("}")
    return "\n".join(out) + "\n"
