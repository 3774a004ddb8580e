"""The package layout of docs/architecture.md, checked: no import cycle between packages, every package
imports only the layers below it, and no module grows past the size limit without a stated reason.

Imports are read from the source (module level and inside functions alike), so a deferred import that
only runs in one command still counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sfn_compiler"

# lowest first; a unit may import units of lower layers only (docs/architecture.md, "Dependency direction")
LAYERS: list[set[str]] = [
    {"errors", "diagnostics", "placeholders", "jsontext", "cache", "fsutil", "lazy"},  # leaves: no sfnc imports but each other
    {"load", "project"},                                 # text -> data with positions; where things live
    {"asl", "render", "awsvalues"},                      # the ASL model and walk; one template -> definition;
                                                         # env values pinned from AWS (lock files)
    {"shapes"},                                          # data shapes over asl (the rules that use them: check)
    {"envconfig", "check", "diagram", "simulate"},       # env values; rules; diagrams; the simulator
    {"report"},                                          # one module per report format
    {"pipeline"},                                        # render -> load -> check for a project
    {"deploy"},
    {"importer"},                                        # `sfnc import`: templates/envs from CloudFormation or AWS
    {"cli"},
    {"__main__"},
]
LEAVES_IMPORTING_EACH_OTHER = {("errors", "diagnostics"), ("fsutil", "errors"), ("cache", "fsutil")}
MAX_LINES = 600          # hard limit
SOFT_LINES = 500         # above this, the module says why at its top ("Why this module is long:")


def _unit(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "sfn_compiler" or len(parts) < 2 or parts[1] in ("__init__", "__version__"):
        return None
    return parts[1]


def _module_name(path: Path) -> tuple[str, str]:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
        return ".".join(parts), ".".join(parts)
    return ".".join(parts), ".".join(parts[:-1])


def import_graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        module, package = _module_name(path)
        here = _unit(module) or ("__init__" if module == "sfn_compiler" else None)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                targets = [target] + [f"{target}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for t in targets:
                there = _unit(t)
                if here and there and there != here:
                    edges.setdefault(here, set()).add(there)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(edges):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_no_import_cycle_between_packages():
    cycle = _cycle(import_graph())
    assert cycle is None, "import cycle between packages: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


def test_every_package_imports_only_lower_layers():
    layer = {u: i for i, units in enumerate(LAYERS) for u in units}
    units = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    units |= {p.stem for p in SRC.glob("*.py") if p.stem not in ("__init__",)}
    unplaced = sorted(units - set(layer))
    assert not unplaced, f"place {unplaced} in a layer of docs/architecture.md and of LAYERS here"
    wrong = sorted(f"{a} (layer {layer[a]}) imports {b} (layer {layer[b]})"
                   for a, bs in import_graph().items() if a in layer for b in bs
                   if layer[b] >= layer[a] and (a, b) not in LEAVES_IMPORTING_EACH_OTHER)
    assert not wrong, "imports against the dependency direction:\n" + "\n".join(wrong)
def test_modules_stay_small_or_say_why():
    too_long, unexplained = [], []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        rel = path.relative_to(SRC.parent)
        if lines > MAX_LINES:
            too_long.append(f"{rel}: {lines} lines")
        elif lines > SOFT_LINES and "Why this module is long:" not in text[:3000]:
            unexplained.append(f"{rel}: {lines} lines")
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"
    assert not unexplained, f"modules over {SOFT_LINES} lines without 'Why this module is long:' at the top: {unexplained}"
