"""The shared ASL model: scopes, query languages, expressions, graph, JSONata analysis, variable data-flow."""

from __future__ import annotations

from sfn_compiler.asl.jsonata import analyze, neutralize_placeholders, split_delimited
from sfn_compiler.asl.model import Machine, jsonpath_variables

JA = "JSONata"

NESTED = {
    "StartAt": "P",
    "States": {
        "P": {"Type": "Parallel", "Next": "Done", "QueryLanguage": JA, "Branches": [
            {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}},
            {"StartAt": "M", "States": {"M": {
                "Type": "Map", "End": True,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                  "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}},
        ]},
        "Done": {"Type": "Succeed"},
    },
}


def test_scopes_states_and_pointers():
    m = Machine(NESTED)
    assert [s.pointer for s in m.scopes] == ["", "/States/P/Branches/0", "/States/P/Branches/1",
                                              "/States/P/Branches/1/States/M/ItemProcessor"]
    byname = {s.name: s for s in m.states}
    assert byname["B1"].pointer == "/States/P/Branches/0/States/B1"
    assert byname["I"].pointer == "/States/P/Branches/1/States/M/ItemProcessor/States/I"
    inner = byname["I"].scope
    assert inner.distributed and inner.in_distributed and inner.parent_state is byname["M"]
    assert not byname["B1"].scope.in_distributed
    assert byname["M"].scope.parent_state is byname["P"]


def test_inner_states_follow_the_top_level_language_not_the_parallels():
    m = Machine(NESTED)
    byname = {s.name: s for s in m.states}
    assert byname["P"].query_language == JA          # its own setting
    assert byname["B1"].query_language == "JSONPath"  # top level default, not P's
    m2 = Machine({**NESTED, "QueryLanguage": JA})
    assert all(s.query_language == JA for s in m2.states)


def test_machine_never_raises_on_garbage():
    for doc in (None, [], "x", 3, {"States": []}, {"States": {"A": "x"}}, {"States": {"A": {"Type": "Map",
                "ItemProcessor": []}}}, {"States": {"A": {"Type": "Parallel", "Branches": [1, None, {"States": 2}]}}}):
        m = Machine(doc, placeholders="opaque")
        for s in m.scopes:
            g = m.graph(s)
            g.reachable, g.can_terminate, g.cycles()
        m.expressions, m.reads, m.assigns, m.variables.verdicts()


def test_expressions_kinds_and_offsets():
    doc = {"QueryLanguage": JA, "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Arguments": {"Payload": {"x": "{%  $states.input.x %}"}}, "TimeoutSeconds": "{% 5 %}",
              "Output": "{% $states.result %}", "Assign": {"v": "{% 1 %}"}, "End": True,
              "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}",
                         "Assign": {"e": "{% 2 %}"}, "Next": "C"}]},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Output": "{% 1 %}", "Next": "T"}],
              "Comment": "{% not an expression", "Default": "T"}}}
    m = Machine(doc)
    kinds = {(e.pointer, e.kind) for e in m.expressions}
    assert kinds == {("/States/T/Arguments/Payload/x", "Arguments"), ("/States/T/TimeoutSeconds", "TimeoutSeconds"),
                     ("/States/T/Output", "Output"), ("/States/T/Assign/v", "Assign"),
                     ("/States/T/Catch/0/Output", "Catch.Output"), ("/States/T/Catch/0/Assign/e", "Catch.Assign"),
                     ("/States/C/Choices/0/Condition", "Choice.Condition"), ("/States/C/Choices/0/Output", "Choice.Output")}
    x = next(e for e in m.expressions if e.kind == "Arguments")
    assert x.body_offset == 2 and x.text[x.body_offset:].startswith("  $states")


def test_jsonpath_states_have_no_expressions_but_have_variable_reads():
    doc = {"StartAt": "A", "States": {"A": {
        "Type": "Pass", "Parameters": {"x": "{% $a %}", "y.$": "$counter", "z.$": "States.Format('{}', $name, $.k)"},
        "Assign": {"n.$": "$$.Execution.Id"}, "End": True}}}
    m = Machine(doc)
    assert m.expressions == []
    assert {(r.name, r.pointer) for r in m.reads} == {("counter", "/States/A/Parameters/y.$"),
                                                       ("name", "/States/A/Parameters/z.$")}
    assert [a.name for a in m.assigns] == ["n"]  # "n.$" assigns n


def test_graph_reachability_orphan_cycle_terminals_and_cycles():
    doc = {"StartAt": "A", "States": {
        "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "B"}], "Default": "E"},
        "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "A",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Missing"}]},
        "E": {"Type": "Succeed"},
        "X": {"Type": "Pass", "Next": "Y"}, "Y": {"Type": "Pass", "Next": "X"}}}
    m = Machine(doc)
    g = m.graph(m.root)
    assert {(e.source.name, e.target, e.kind, e.index, e.pointer) for e in g.edges} == {
        ("A", "B", "choice", 0, "/States/A/Choices/0/Next"), ("A", "E", "default", None, "/States/A/Default"),
        ("B", "A", "next", None, "/States/B/Next"), ("B", "Missing", "catch", 0, "/States/B/Catch/0/Next"),
        ("X", "Y", "next", None, "/States/X/Next"), ("Y", "X", "next", None, "/States/Y/Next")}
    assert g.reachable == {"A", "B", "E"}
    assert g.terminals == {"E"}
    assert g.can_terminate == {"A", "B", "E"}
    assert g.cycles() == [["A", "B"], ["X", "Y"]]
    assert [e.target for e in g.missing] == ["Missing"]


def test_jsonata_analysis_variables_locals_builtins():
    a = analyze(" ($x := $count($items); $map($x, function($v, $i) { $v + $i + $offset })) ")
    assert {v.name for v in a.variables} == {"items", "offset"}
    assert {c.name for c in a.calls} == {"count", "map"}
    assert a.locals == {"x", "v", "i"}
    a = analyze("$states.input.items[price > 10].(name) & $lenght(x)")
    assert [s.path for s in a.states] == [("input", "items")]
    assert [m.text for m in a.top_level] == ["x"]        # `x` as a function argument reads the absent input
    assert [(v.name, v.called) for v in a.variables] == [("lenght", True)]


def test_jsonata_analysis_top_level_double_dollar_and_21_operators():
    a = analyze("$ & total & $$.Execution.Id")
    assert [(m.text, m.start) for m in a.top_level] == [("$", 0), ("total", 4)]
    assert [m.start for m in a.double_dollar] == [12]
    a = analyze("$a ?? 1")
    assert [(m.text, m.start) for m in a.unsupported_ops] == [("??", 3)]
    assert [c.name for c in a.calls] == []  # the `$exists` jsonata-python synthesises is not a user call
    a = analyze("$a.b ?: 2")
    assert [(m.text, m.start) for m in a.unsupported_ops] == [("?:", 5)]
    assert analyze("$exists($a) ? $a : 1").unsupported_ops == ()


def test_jsonata_analysis_guarded_and_errors():
    assert analyze("$exists($w.Error) ? $w.Error : 'x'").guarded == {"w"}
    err = analyze("$foo(").error
    assert (err.code, err.position) == ("S0203", 5)
    err = analyze("1 2").error
    assert (err.code, err.position) == ("S0201", 2)  # the start of the offending token
    assert analyze("   ").error.code == "S0207"


def test_analysis_is_cached_by_text():
    assert analyze("$states.input.cached") is analyze("$states.input.cached")


def test_delimiters():
    assert split_delimited("{%x%}").kind == "expression"
    assert split_delimited("{% x").kind == "unclosed"
    assert split_delimited("x %}").kind == "unopened"
    assert split_delimited("Hi {% x %}").kind == "surrounded"
    assert split_delimited("{% x %} ").kind == "surrounded"
    assert split_delimited("plain").kind == "literal"


def test_placeholders_are_neutralised_with_the_same_length():
    body = " $x + ${var.max} + '${Name}' & ${a['b']} "
    out = neutralize_placeholders(body)
    assert len(out) == len(body)
    assert "'${Name}'" in out and "${var.max}" not in out
    assert analyze(out).error is None


def test_opaque_values():
    m = Machine({"StartAt": "A", "States": {}}, placeholders="opaque")
    assert m.is_opaque("${Timeout}") and m.is_opaque("arn:${AWS::Partition}:states:::x")
    assert m.is_opaque({"Fn::GetAtt": ["X", "Arn"]}) and m.is_opaque("{{resolve:ssm:/x}}")
    assert not m.is_opaque("${unterminated") and not m.is_opaque("plain")
    assert not Machine({}, placeholders=None).is_opaque("${Timeout}")


def test_variable_dataflow_edges_and_scopes():
    doc = {"QueryLanguage": JA, "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Assign": {"d": 1},
              "Choices": [{"Condition": "{% true %}", "Assign": {"r": 1}, "Next": "T"}], "Default": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Assign": {"t": 1}, "Next": "P",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"c": 1}, "Next": "P"}]},
        "P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}}}
    m = Machine(doc)
    va = m.variables
    byname = {s.name: s for s in m.states}
    assert va.entry(byname["T"]) == (frozenset(), frozenset({"d", "r"}))
    assert va.entry(byname["P"]) == (frozenset(), frozenset({"d", "r", "t", "c"}))
    assert va.entry(byname["B"]) == va.entry(byname["P"])  # inner scopes start with the Parallel's entry sets


def test_jsonpath_variables_are_read_with_the_parsers():
    assert jsonpath_variables("$order.items[0]") == [("order", 0)]
    assert jsonpath_variables("$order.items[") == [("order", 0)]       # the root, even when the rest is broken
    assert jsonpath_variables("$.order") == [] and jsonpath_variables("$$.Execution.Id") == []
    assert jsonpath_variables("order") == [] and jsonpath_variables(3) == []
    text = "States.Format('{} costs {}', $name, States.MathAdd($price, 1), '$quoted', $.x)"
    assert jsonpath_variables(text) == [("name", 29), ("price", 51)]
    assert jsonpath_variables("States.Format('{}', $name") == []       # a call that does not parse (SFN111)



class _Analysis:
    """A per-document analysis kept in the model's memo that points back at the model (as flows do)."""

    def __init__(self, machine):
        self.machine = machine


def _alive_after_drop(release: bool) -> bool:
    import gc
    import weakref

    doc = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "Next": "D", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": "{% $states.input %}", "End": True}}}]},
        "D": {"Type": "Succeed"}}}
    enabled = gc.isenabled()
    gc.disable()
    try:
        m = Machine(doc)
        for scope in m.scopes:
            m.graph(scope)
        probe = weakref.ref(m.memo("test.analysis", lambda: _Analysis(m)))
        if release:
            m.release()
        del m
        return probe() is not None
    finally:
        if enabled:
            gc.enable()


def test_a_released_model_is_freed_by_reference_counting():
    # without release() the analyses in the memo and the machine hold each other: only the cyclic collector
    # frees them; released, dropping the model frees it at once
    assert _alive_after_drop(release=False)
    assert not _alive_after_drop(release=True)
