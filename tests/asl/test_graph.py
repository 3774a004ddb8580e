"""asl.graph: one scope's transition graph: edges, missing targets, reachability, reverse postorder, terminals,
cycles."""

from __future__ import annotations

from sfn_compiler.asl.model import Machine

DOC = {"StartAt": "A", "States": {
    "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "B"}], "Default": "Gone"},
    "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "C",
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}]},
    "C": {"Type": "Pass", "Next": "B"},
    "F": {"Type": "Fail"},
    "Orphan": {"Type": "Pass", "Next": "Orphan"},
}}


def test_edges_missing_targets_and_terminals():
    m = Machine(DOC)
    g = m.graph(m.root)
    assert [(e.source.name, e.target, e.kind, e.index, e.pointer) for e in g.edges] == [
        ("A", "B", "choice", 0, "/States/A/Choices/0/Next"), ("A", "Gone", "default", None, "/States/A/Default"),
        ("B", "C", "next", None, "/States/B/Next"), ("B", "F", "catch", 0, "/States/B/Catch/0/Next"),
        ("C", "B", "next", None, "/States/C/Next"), ("Orphan", "Orphan", "next", None, "/States/Orphan/Next")]
    assert [e.target for e in g.missing] == ["Gone"]
    assert g.terminals == {"F"} and g.start == "A" and g.successors("A") == ["B"]


def test_reachability_termination_and_cycles():
    m = Machine(DOC)
    g = m.graph(m.root)
    assert g.reachable == {"A", "B", "C", "F"}
    assert g.can_terminate == {"A", "B", "C", "F"}
    assert g.cycles() == [["B", "C"], ["Orphan"]]


def test_reverse_postorder_puts_a_state_before_the_states_it_leads_to():
    m = Machine(DOC)
    assert m.graph(m.root).reverse_postorder == ("A", "B", "F", "C")   # unreachable Orphan left out
    diamond = Machine({"StartAt": "S", "States": {
        "S": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "L"}], "Default": "R"},
        "L": {"Type": "Pass", "Next": "J"}, "R": {"Type": "Pass", "Next": "J"}, "J": {"Type": "Succeed"}}})
    order = diamond.graph(diamond.root).reverse_postorder
    assert order[0] == "S" and order[-1] == "J" and set(order) == {"S", "L", "R", "J"}
    assert Machine({"StartAt": "Gone", "States": {"A": {"Type": "Succeed"}}}).graph(
        Machine({"StartAt": "Gone", "States": {"A": {"Type": "Succeed"}}}).root).reverse_postorder == ()


def test_opaque_targets_are_not_edges():
    doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "${Next}"}}}
    g = Machine(doc, placeholders="opaque").graph(Machine(doc, placeholders="opaque").root)
    assert g.edges == [] and g.opaque_targets
    plain = Machine(doc)
    assert [e.target for e in plain.graph(plain.root).missing] == ["${Next}"]
