"""The variable data flow (asl/variables.py: reverse postorder, bitsets) gives exactly the results of the
straightforward algorithm it replaced (kept here, only as the reference): the entry sets of every state and
every read's verdict, on the bundled templates, the shared corpus and generated graphs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check_harness import CORPUS, load_json5ish
from sfn_compiler.asl.model import Machine

REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------------------------------
# the reference: the previous implementation (LIFO worklist over frozensets), unchanged in substance


def reference_entry_sets(machine: Machine) -> dict[int, tuple[frozenset[str], frozenset[str]]]:
    state_assign: dict[int, frozenset[str]] = {}
    rule_assign: dict[tuple[int, Any], frozenset[str]] = {}
    catch_assign: dict[tuple[int, Any], frozenset[str]] = {}
    for a in machine.assigns:
        sid = id(a.state)
        if a.kind == "Assign":
            state_assign[sid] = state_assign.get(sid, frozenset()) | {a.name}
        elif a.kind == "Choice.Assign":
            rule_assign[(sid, a.index)] = rule_assign.get((sid, a.index), frozenset()) | {a.name}
        else:
            catch_assign[(sid, a.index)] = catch_assign.get((sid, a.index), frozenset()) | {a.name}

    def edge_assign(edge) -> frozenset[str]:
        sid = id(edge.source)
        if edge.kind == "choice":
            return rule_assign.get((sid, edge.index), frozenset())
        if edge.kind == "catch":
            return catch_assign.get((sid, edge.index), frozenset())
        return state_assign.get(sid, frozenset())

    out: dict[int, tuple[frozenset[str], frozenset[str]]] = {}
    for scope in machine.scopes:
        graph = machine.graph(scope)
        start = graph.start
        if start is None:
            continue
        parent = scope.parent_state
        if parent is None or scope.distributed:
            init = (frozenset(), frozenset())
        else:
            init = out.get(id(parent))
            if init is None:
                continue
        states = scope.states
        must = {start: init[0]}
        may = {start: init[1]}
        work, queued = [start], {start}
        while work:
            name = work.pop()
            queued.discard(name)
            for edge in graph.out.get(name, ()):
                t = edge.target
                if t not in states:
                    continue
                a = edge_assign(edge)
                m_out, y_out = must[name] | a, may[name] | a
                old_m = must.get(t)
                new_m = m_out if old_m is None else old_m & m_out
                new_y = may.get(t, frozenset()) | y_out
                if old_m is None or new_m != old_m or new_y != may.get(t):
                    must[t], may[t] = new_m, new_y
                    if t not in queued:
                        queued.add(t)
                        work.append(t)
        for name, m in must.items():
            out[id(states[name])] = (m, may[name])
    return out


def reference_verdicts(machine: Machine, entries) -> list[tuple[str, str, str]]:
    direct: dict[int, set[str]] = {}
    for a in machine.assigns:
        direct.setdefault(id(a.state.scope), set()).add(a.name)

    def subtree_names(scope) -> set[str]:
        out = set(direct.get(id(scope), set()))
        for s in machine.scopes:
            if any(a is scope for a in s.ancestors()):
                out |= direct.get(id(s), set())
        return out

    assigned = machine.assigned_names
    out = []
    for read in machine.reads:
        ent = entries.get(id(read.state))
        if ent is None:
            continue
        must, may = ent
        if read.name in must:
            status = "ok"
        elif read.name in may:
            status = "maybe"
        elif read.name not in assigned:
            status = "unassigned"
        else:
            status = "never"
            s = read.state.scope
            while s is not None and not s.distributed:
                s = s.parent
            if s is not None and read.name not in subtree_names(s):
                status = "outer-distributed"
        if read.guarded and status in ("maybe", "never"):
            status = "guarded"
        out.append((read.pointer, read.name, status))
    return out


def assert_same(document: Any, placeholders: str | None = "opaque") -> int:
    """Both algorithms agree on `document`; returns the number of reachable states compared."""
    machine = Machine(document, placeholders=placeholders)
    expected = reference_entry_sets(machine)
    va = machine.variables
    for state in machine.states:
        assert va.entry(state) == expected.get(id(state)), state.pointer
    got = [(v.read.pointer, v.read.name, v.status) for v in va.verdicts()]
    assert got == reference_verdicts(machine, expected)
    return len(expected)


# --------------------------------------------------------------------------------------------------
# bundled templates and the shared corpus


def _bundled() -> list[Path]:
    return sorted((REPO / "definitions").glob("*/*.json"))


@pytest.mark.parametrize("path", _bundled(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_results_on_bundled_definitions(path):
    assert assert_same(json.loads(path.read_text(encoding="utf-8"))) > 10


def _corpus_files() -> list[Path]:
    out: list[Path] = []
    for sub in ("real", "peers"):
        d = CORPUS / sub
        if d.is_dir():
            out += sorted(p for p in d.rglob("*") if p.suffix in (".json", ".json5") and p.is_file())
    return out


@pytest.mark.corpus
def test_same_results_on_the_shared_corpus():
    files = _corpus_files()
    if not files:
        pytest.skip("../shared/corpus is absent")
    compared = 0
    for path in files:
        try:
            doc = load_json5ish(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        try:
            compared += assert_same(doc)
        except AssertionError as exc:
            raise AssertionError(f"{path}: {exc}") from None
    assert compared > 1000


def test_same_results_on_loops_diamonds_and_nested_scopes():
    # a loop whose back edge narrows the must set, a diamond, a Parallel and a distributed Map inside
    doc = {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"a": 1, "n": 0}, "Next": "Loop"},
        "Loop": {"Type": "Choice", "Choices": [{"Condition": "{% $n > 3 %}", "Assign": {"b": 1}, "Next": "Out"}],
                 "Default": "Body", "Assign": {"c": "{% $a %}"}},
        "Body": {"Type": "Pass", "Assign": {"n": "{% $n + 1 %}", "d": "{% $b %}"}, "Next": "Loop"},
        "Out": {"Type": "Parallel", "Next": "M", "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Pass", "Output": "{% $c & $d & $b %}", "End": True}}}]},
        "M": {"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "I",
            "States": {"I": {"Type": "Pass", "Output": "{% $a %}", "End": True}}}}}}
    assert assert_same(doc) == 7
    m = Machine(doc)
    by = {s.name: s for s in m.states}
    assert m.variables.entry(by["Loop"]) == (frozenset({"a", "n"}), frozenset({"a", "n", "c", "d"}))
    assert m.variables.entry(by["X"]) == (frozenset({"a", "n", "b"}), frozenset({"a", "n", "b", "c", "d"}))
    assert sorted((v.read.state.name, v.read.name, v.status) for v in m.variables.verdicts()) == [
        ("Body", "b", "never"), ("Body", "n", "ok"), ("I", "a", "outer-distributed"), ("Loop", "a", "ok"),
        ("Loop", "n", "ok"), ("X", "b", "ok"), ("X", "c", "maybe"), ("X", "d", "maybe")]


# --------------------------------------------------------------------------------------------------
# generated graphs

NAMES = ("a", "b", "c", "d", "e", "f", "g")


@st.composite
def _assign(draw, jsonpath: bool):
    keys = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    if jsonpath:
        return {k + ".$": "$.x" for k in keys}
    return {k: 1 for k in keys}


@st.composite
def _scope(draw, depth: int):
    n = draw(st.integers(1, 7))
    names = [f"S{i}" for i in range(n)]
    target = st.sampled_from(names + ["Missing"])
    states: dict[str, Any] = {}
    for name in names:
        jsonpath = draw(st.integers(0, 9)) == 0
        kinds = ["Pass", "Task", "Choice", "Wait", "Succeed", "Fail"] + (["Parallel", "Map"] if depth < 2 else [])
        kind = draw(st.sampled_from(kinds))
        state: dict[str, Any] = {"Type": kind}
        if jsonpath:
            state["QueryLanguage"] = "JSONPath"
        reads = draw(st.lists(st.sampled_from(NAMES + ("zz",)), max_size=2))
        if reads and kind not in ("Choice", "Fail", "Succeed", "Wait"):
            if jsonpath:
                state["Parameters"] = {f"k{i}.$": f"${r}" for i, r in enumerate(reads)}
            else:
                expr = " & ".join(f"$string(${r})" for r in reads)
                if draw(st.booleans()):
                    expr = f"$exists(${reads[0]}) ? {expr} : ''"
                state["Output"] = "{% " + expr + " %}"
        if kind not in ("Succeed", "Fail") and draw(st.booleans()):
            state["Assign"] = draw(_assign(jsonpath))
        if kind == "Choice":
            rules = []
            for _ in range(draw(st.integers(1, 3))):
                rule: dict[str, Any] = {"Next": draw(target)}
                if jsonpath:
                    rule.update({"Variable": "$.x", "IsPresent": True})
                else:
                    rule["Condition"] = "{% true %}"
                    if draw(st.booleans()):
                        rule["Assign"] = draw(_assign(False))
                rules.append(rule)
            state["Choices"] = rules
            if draw(st.booleans()):
                state["Default"] = draw(target)
        elif kind not in ("Succeed", "Fail"):
            if draw(st.booleans()):
                state["Next"] = draw(target)
            else:
                state["End"] = True
        if kind in ("Task", "Parallel", "Map"):
            if kind == "Task":
                state["Resource"] = "arn:aws:states:::lambda:invoke"
            catches = []
            for _ in range(draw(st.integers(0, 2))):
                c: dict[str, Any] = {"ErrorEquals": ["States.ALL"], "Next": draw(target)}
                if draw(st.booleans()):
                    c["Assign"] = draw(_assign(jsonpath))
                catches.append(c)
            if catches:
                state["Catch"] = catches
        if kind == "Parallel":
            state["Branches"] = [draw(_scope(depth + 1)) for _ in range(draw(st.integers(1, 2)))]
        elif kind == "Map":
            proc = draw(_scope(depth + 1))
            if draw(st.booleans()):
                proc["ProcessorConfig"] = {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}
            state["ItemProcessor"] = proc
        states[name] = state
    start = draw(st.sampled_from(names + ["Missing"])) if draw(st.integers(0, 9)) == 0 else names[0]
    return {"StartAt": start, "States": states}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_scope(0), st.booleans())
def test_same_results_on_generated_graphs(scope, jsonata):
    doc = dict(scope)
    if jsonata:
        doc["QueryLanguage"] = "JSONata"
    assert_same(doc, placeholders=None)
