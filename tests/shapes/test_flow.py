"""Shape inference over whole definitions: what each state passes on, per query language."""

from __future__ import annotations

from sfn_compiler.shapes import shape as S
from sfn_compiler.shapes.flow import ERROR_OUTPUT, analyse, flow_for
from sfn_compiler.shapes.render import render_flow
from sfn_compiler.shapes.schema import from_json_schema
from sfn_compiler.shapes.shape import Member

GET_ITEM = "arn:aws:states:::dynamodb:getItem"
DESCRIBE = "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution"


def machine(states: dict, start: str | None = None, ql: str = "JSONata") -> dict:
    return {"QueryLanguage": ql, "StartAt": start or next(iter(states)), "States": states}


def state(flow, name: str):
    for st in flow.machine.states:
        if st.name == name:
            return flow.of(st)
    raise KeyError(name)


def test_task_without_output_passes_its_result_and_assign_stores_shapes():
    doc = machine({
        "Get": {"Type": "Task", "Resource": GET_ITEM, "Arguments": {"TableName": "t", "Key": {}},
                "Assign": {"item": "{% $states.result.Item %}", "n": 1}, "Next": "Use"},
        "Use": {"Type": "Pass", "Output": {"name": "{% $item.name.S %}", "n": "{% $n + 1 %}"}, "End": True},
    })
    f = analyse(doc)
    get = state(f, "Get")
    assert get.input is S.UNKNOWN
    assert set(get.result.member_names) == {"Item", "ConsumedCapacity", "SdkHttpMetadata", "SdkResponseMetadata"}
    assert get.output is get.result
    use = state(f, "Use")
    assert use.input is get.result
    assert use.variables["n"] is S.NUMBER and use.variables["item"].kind == "object"
    assert use.output.member_map == {"name": Member(S.STRING, True), "n": Member(S.NUMBER, True)}
    assert f.events == []


def test_choice_passes_input_and_rule_output_and_assign_replace_the_states():
    doc = machine({
        "Describe": {"Type": "Task", "Resource": DESCRIBE, "Arguments": {"PipelineExecutionArn": "x"},
                     "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.PipelineExecutionStatus = 'Succeeded' %}", "Next": "Done",
             "Output": {"ok": True}, "Assign": {"status": "{% $states.input.PipelineExecutionStatus %}"}}],
                  "Default": "Other", "Assign": {"status": "other"}},
        "Done": {"Type": "Succeed"},
        "Other": {"Type": "Pass", "End": True},
    })
    f = analyse(doc)
    result = state(f, "Describe").result
    assert state(f, "Check").input is result
    assert state(f, "Done").input.member_map == {"ok": Member(S.BOOLEAN, True)}
    assert state(f, "Done").variables["status"].values >= {"Succeeded", "Executing"}
    assert state(f, "Other").input is result                     # the Default passes the input on
    assert state(f, "Other").variables["status"] is S.STRING


def test_catcher_passes_the_error_output_or_its_own_output():
    doc = machine({
        "Get": {"Type": "Task", "Resource": GET_ITEM, "Arguments": {},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"},
                          {"ErrorEquals": ["X"], "Next": "Merge",
                           "Output": "{% $merge([$states.input, {'error': $states.errorOutput}]) %}",
                           "Assign": {"err": "{% $states.errorOutput.Cause %}"}}],
                "End": True},
        "Handle": {"Type": "Pass", "Output": {"e": "{% $states.input.Error %}"}, "End": True},
        "Merge": {"Type": "Pass", "End": True},
    })
    f = analyse(doc, execution_input=S.obj({"order": Member(S.NUMBER, True)}))
    assert state(f, "Handle").input is ERROR_OUTPUT
    merged = state(f, "Merge").input
    assert S.member(merged, "order") is S.NUMBER and S.member(S.member(merged, "error"), "Error") is S.STRING
    assert state(f, "Merge").variables["err"] is S.STRING
    assert f.events == []


def test_parallel_result_is_an_array_of_branch_outputs_and_branches_see_outer_variables():
    doc = machine({
        "Init": {"Type": "Pass", "Assign": {"k": 1}, "Next": "P"},
        "P": {"Type": "Parallel", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Output": {"a": "{% $k %}"}, "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Output": {"b": "x"}, "End": True}}}],
              "Next": "After"},
        "After": {"Type": "Pass", "End": True},
    })
    f = analyse(doc)
    res = state(f, "P").result
    assert res.kind == "array"
    assert S.member(res.item, "a") is S.NUMBER and S.member(res.item, "b") is S.STRING
    assert state(f, "After").input is res


def test_map_iterations_items_item_selector_and_distributed_scope():
    doc = machine({
        "Init": {"Type": "Pass", "Output": {"rows": [{"id": 1}]}, "Assign": {"outer": "v"}, "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.rows %}",
              "ItemSelector": {"row": "{% $states.context.Map.Item.Value %}",
                               "i": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"StartAt": "Work", "States": {
                  "Work": {"Type": "Pass", "Output": {"id": "{% $states.input.row.id %}", "o": "{% $outer %}"},
                           "End": True}}},
              "Next": "D"},
        "D": {"Type": "Map", "Items": [1, 2],
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                "StartAt": "DW", "States": {"DW": {"Type": "Pass", "End": True}}},
              "End": True},
    })
    f = analyse(doc)
    work = state(f, "Work")
    assert S.member(S.member(work.input, "row"), "id") is S.NUMBER and S.member(work.input, "i") is S.NUMBER
    assert work.variables == {"outer": S.STRING}
    assert state(f, "M").result is S.array(work.output)
    assert state(f, "DW").variables == {}                 # a Distributed Map sees no outer variable
    assert state(f, "DW").input is S.NUMBER


def test_assign_is_evaluated_with_the_values_from_before_the_state():
    doc = machine({
        "Init": {"Type": "Pass", "Assign": {"x": "s", "a": 1}, "Next": "Swap"},
        "Swap": {"Type": "Pass", "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"}, "Next": "End"},
        "End": {"Type": "Succeed"},
    })
    f = analyse(doc)
    v = state(f, "End").variables
    assert v["x"] is S.NUMBER and v["nextX"] is S.STRING


def test_loops_reach_a_fixed_point_and_growing_shapes_are_widened():
    doc = machine({
        "Init": {"Type": "Pass", "Assign": {"acc": [], "n": 0}, "Next": "Grow"},
        "Grow": {"Type": "Pass", "Assign": {"acc": "{% [$acc] %}", "n": "{% $n + 1 %}"}, "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Condition": "{% $n < 100 %}", "Next": "Grow"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    })
    f = analyse(doc)
    acc = state(f, "Done").variables["acc"]
    assert acc.depth <= S.MAX_DEPTH
    assert state(f, "Grow").visits <= S.MAX_DEPTH + 3


def test_a_state_reached_from_two_paths_gets_the_join():
    doc = machine({
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "A"}], "Default": "B"},
        "A": {"Type": "Pass", "Output": {"x": 1}, "Next": "J"},
        "B": {"Type": "Pass", "Output": {"y": "s"}, "Next": "J"},
        "J": {"Type": "Pass", "Output": {"x": "{% $states.input.x %}", "y": "{% $states.input.y %}"}, "End": True},
    })
    f = analyse(doc)
    j = state(f, "J").input
    assert j.member_map == {"x": Member(S.NUMBER, False), "y": Member(S.STRING, False)}
    assert f.events == []


def test_jsonpath_states():
    doc = machine({
        "P": {"Type": "Pass", "Result": {"a": {"b": 1}}, "ResultPath": "$.r", "Next": "Q"},
        "Q": {"Type": "Pass", "Parameters": {"v.$": "$.r.a.b", "lit": "x"}, "Next": "T"},
        "T": {"Type": "Task", "Resource": GET_ITEM, "Parameters": {}, "ResultSelector": {"item.$": "$.Item"},
              "ResultPath": "$.res", "OutputPath": "$.res", "Next": "N"},
        "N": {"Type": "Pass", "InputPath": "$.item", "End": True},
    }, ql="JSONPath")
    f = analyse(doc, execution_input=S.obj({"id": Member(S.STRING, True)}))
    p = state(f, "P").output
    assert S.member(p, "id") is S.STRING and S.member(S.member(S.member(p, "r"), "a"), "b") is S.NUMBER
    assert state(f, "Q").output.member_map == {"v": Member(S.NUMBER, True), "lit": Member(S.STRING, True)}
    t = state(f, "T").output
    assert t.member_names == ("item",) and S.member(t, "item").kind == "object"
    assert state(f, "N").output is S.member(t, "item")


def test_execution_input_from_a_json_schema():
    schema = {"type": "object", "required": ["batch"], "additionalProperties": False,
              "properties": {"batch": {"type": "string"}, "mode": {"enum": ["full", "delta"]},
                             "items": {"type": "array", "items": {"$ref": "#/$defs/item"}}},
              "$defs": {"item": {"type": "object", "properties": {"id": {"type": "integer"}}}}}
    inp = from_json_schema(schema)
    assert inp.member_map["batch"] == Member(S.STRING, True) and not inp.open
    assert S.member(inp, "mode").values == {"full", "delta"}
    assert S.member(S.member(inp, "items"), "id") is not S.NO_SUCH_MEMBER
    assert S.member(S.member(inp, "items"), "other") is S.UNKNOWN  # items' objects are open
    doc = machine({"A": {"Type": "Pass", "Output": {"m": "{% $states.context.Execution.Input.mode %}",
                                                    "b": "{% $states.input.batch %}"}, "End": True}})
    f = analyse(doc, execution_input=inp)
    assert S.member(state(f, "A").output, "m") is S.member(inp, "mode")
    assert from_json_schema({"allOf": [{"type": "string"}]}) is S.UNKNOWN
    assert from_json_schema({"type": ["string", "null"]}).kind == "union"
    assert from_json_schema({"$ref": "#/nowhere"}) is S.UNKNOWN


def test_an_incomplete_graph_gives_unknown_shapes():
    doc = machine({
        "A": {"Type": "Pass", "Output": {"x": 1}, "Next": "C"},
        "C": {"Type": "Choice", "Choices": [{}], "Default": "B"},   # a rule without Next (a template)
        "B": {"Type": "Pass", "Output": "{% $states.input.y %}", "End": True},
    })
    f = analyse(doc)
    assert state(f, "B").input is S.UNKNOWN
    assert f.events == []


def test_render_flow():
    doc = machine({
        "Get": {"Type": "Task", "Resource": GET_ITEM, "Arguments": {}, "Assign": {"item": "{% $states.result.Item %}"},
                "Next": "Done"},
        "Done": {"Type": "Succeed"},
    })
    text = render_flow(analyse(doc), depth=1)
    assert "Get (Task arn:aws:states:::dynamodb:getItem)" in text
    assert "  input:  any" in text
    assert "  result: {ConsumedCapacity?: ConsumedCapacity, Item?: map<string, AttributeValue>, " in text
    assert "  $item := map<string, {B?: any, BOOL?: boolean, " in text
    assert "Done (Succeed)" in text


def test_long_chains_visit_each_state_once():
    n = 2000
    states = {f"S{i}": {"Type": "Pass", "Output": {"i": i, "prev": "{% $states.input.i %}"} if i else {"i": 0},
                        **({"Next": f"S{i + 1}"} if i < n - 1 else {"End": True})} for i in range(n)}
    f = analyse(machine(states))
    assert all(f.of(st).visits == 1 for st in f.machine.states)
    assert f.events == []


def test_flow_for_shares_one_analysis_per_machine():
    from sfn_compiler.asl.model import Machine

    m = Machine(machine({"A": {"Type": "Pass", "End": True}}))
    f = flow_for(m)
    assert flow_for(m) is f and f.machine is m
    other = flow_for(m, S.obj({"x": S.NUMBER}))
    assert other is not f and other.execution_input is S.obj({"x": S.NUMBER})
