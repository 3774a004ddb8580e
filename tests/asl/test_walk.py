"""asl.walk: the one traversal (scopes, states, Retry/Catch entries, transitions) and its users agreeing."""

from __future__ import annotations

from sfn_compiler.asl import walk
from sfn_compiler.asl.model import Machine
from sfn_compiler.diagram import build
from sfn_compiler.simulate.coverage import Coverage

NESTED = {
    "QueryLanguage": "JSONata",
    "StartAt": "P",
    "States": {
        "P": {"Type": "Parallel", "Next": "M", "Branches": [
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
            "not a branch",
            {"StartAt": "B2", "States": {"B2": {"Type": "Succeed"}}},
        ], "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}]},
        "M": {"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "Inner",
            "States": {"Inner": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
                                 "Retry": [{"ErrorEquals": ["A", 7]}, "x", {"ErrorEquals": "States.ALL"}]}}}},
        "F": {"Type": "Fail"},
        "Odd": ["not", "a", "state"],
    },
}


def test_tree_is_depth_first_in_document_order():
    tree = walk.Tree(NESTED)
    assert [s.pointer for s in tree.scopes] == [
        "", "/States/P/Branches/0", "/States/P/Branches/2", "/States/M/ItemProcessor"]
    assert [s.name for s in tree.states] == ["P", "B1", "B2", "M", "Inner", "F", "Odd"]
    inner = tree.states[4]
    assert inner.pointer == "/States/M/ItemProcessor/States/Inner"
    assert inner.scope.distributed and inner.scope.in_distributed and inner.scope.parent is tree.root
    assert tree.states[-1].type is None and tree.states[-1].raw == ["not", "a", "state"]
    assert tree.query_language == "JSONata" and inner.is_jsonata


def test_state_query_language_is_its_own_else_the_top_level_one():
    doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "QueryLanguage": "JSONata", "End": True},
                                      "B": {"Type": "Pass", "QueryLanguage": "Bogus", "End": True}}}
    a, b = walk.Tree(doc).states
    assert a.query_language == "JSONata" and b.query_language == "JSONPath"


def test_depth_limit_stops_descending_without_failing():
    doc: dict = {"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}
    for _ in range(10):
        doc = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [doc]}}}
    assert len(walk.Tree(doc).scopes) == 11
    assert len(walk.Tree(doc, max_depth=3).scopes) == 4


def test_child_scopes_and_processor():
    both = {"Type": "Map", "ItemProcessor": {"StartAt": "A"}, "Iterator": {"StartAt": "B"}}
    assert [c.key for c in walk.child_scopes(both)] == [("ItemProcessor",), ("Iterator",)]
    assert walk.processor(both) == {"StartAt": "A"}
    assert walk.processor({"Type": "Map", "Iterator": {"StartAt": "B"}}) == {"StartAt": "B"}
    assert list(walk.child_scopes({"Type": "Pass", "Branches": [{}]})) == []
    assert list(walk.child_scopes("nope")) == [] and walk.processor(None) is None


def test_entries_keep_objects_with_their_index_and_pointer():
    retry = list(walk.entries(NESTED["States"]["M"]["ItemProcessor"]["States"]["Inner"], "Retry", "/S"))
    assert [(e.index, e.pointer) for e in retry] == [(0, "/S/Retry/0"), (2, "/S/Retry/2")]
    assert retry[0].errors == ("A",) and retry[1].errors == ()
    index, pointer, raw = retry[0]
    assert (index, pointer, raw) == (0, "/S/Retry/0", {"ErrorEquals": ["A", 7]})
    assert list(walk.entries({"Catch": "x"}, "Catch")) == []


def test_transitions_in_order_with_pointers():
    choice = {"Type": "Choice", "Next": "ignored", "Default": "D",
              "Choices": [{"Condition": "{% true %}", "Next": "A"}, {"Condition": "{% false %}"}, "x",
                          {"Next": 3}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "never on a Choice"}]}
    got = [(t.kind, t.index, t.target, t.pointer) for t in walk.transitions(choice, "/States/C")]
    assert got == [("choice", 0, "A", "/States/C/Choices/0/Next"), ("choice", 3, 3, "/States/C/Choices/3/Next"),
                   ("default", None, "D", "/States/C/Default")]
    task = {"Type": "Task", "Next": "N", "Catch": [{"ErrorEquals": ["X"], "Next": "H"}, {"ErrorEquals": ["Y"]}]}
    assert [(t.kind, t.target) for t in walk.transitions(task)] == [("next", "N"), ("catch", "H")]
    assert [t.kind for t in walk.transitions({"Type": "Pass", "Next": "N", "Catch": [{"Next": "H"}]})] == ["next"]


def test_is_terminal():
    assert walk.is_terminal({"Type": "Succeed"}) and walk.is_terminal({"Type": "Fail"})
    assert walk.is_terminal({"Type": "Pass", "End": True})
    assert not walk.is_terminal({"Type": "Pass", "End": "true"}) and not walk.is_terminal({"Type": ["Fail"]})


def test_machine_diagram_and_coverage_see_the_same_states_and_edges():
    machine = Machine(NESTED)
    assert [s.pointer for s in machine.scopes] == [s.pointer for s in walk.Tree(NESTED).scopes]
    edges = {(e.source.name, e.target, e.kind) for e in machine.graph(machine.root).edges}
    diagram = build(NESTED)
    assert {(e.src, e.dst, e.kind) for e in diagram.edges} == edges == {("P", "M", "next"), ("P", "F", "catch")}
    assert [n.name for n in diagram.nodes] == ["P", "M", "F"]          # a state that is not an object: no node
    assert [len(n.children) for n in diagram.nodes] == [2, 1, 0]
    cov = Coverage(NESTED)
    assert cov.order == ["P", "B1", "B2", "M", "Inner", "F"]
    assert [t.key() for t in cov.transitions] == ["P:next", "P:catch[0]", "B1:end", "M:end", "Inner:end",
                                                 "Inner:retry[0]", "Inner:retry[2]"]


def test_machine_memo_builds_once_per_key():
    machine = Machine(NESTED)
    calls = []
    assert machine.memo("k", lambda: calls.append(1) or "v") == "v"
    assert machine.memo("k", lambda: calls.append(1) or "w") == "v"
    assert calls == [1]
    assert machine.graph(machine.root) is machine.graph(machine.root)
