"""Focused tests: SFN3xx JSONata, SFN4xx $states, SFN5xx variables, SFN6xx Retry/Catch."""

from __future__ import annotations

from check_harness import errors, run_rules
from sfn_compiler.check.base import Severity
from sfn_compiler.check.rules import ALL_RULES

BY_ID = {r.id: r for r in ALL_RULES}
LAMBDA = "arn:aws:states:::lambda:invoke"


def machine(states, start=None):
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def find(doc, rule_id, placeholders=None):
    return [r.finding for r in run_rules(doc, placeholders=placeholders, rules=(BY_ID[rule_id],))]


def one(doc, rule_id, placeholders=None):
    found = find(doc, rule_id, placeholders)
    assert len(found) == 1, found
    return found[0]


def pass_output(value, **extra):
    return machine({"A": {"Type": "Pass", "Output": value, "End": True, **extra}})


# ------------------------------------------------------------------ SFN3xx


def test_syntax_error_offset_points_into_the_string():
    text = "{% $sum($states.input.items.numbers %}"
    f = one(pass_output({"total": text}), "SFN301")
    assert f.pointer == "/States/A/Output/total"
    assert "(S0203)" in f.message and "State 'A': 'Output/total'" in f.message
    assert f.offset == len(text) - 2  # body offset 2 + parser position at the end of the body


def test_syntax_error_offset_for_an_unexpected_token():
    text = "{% 10 + * 2 %}"
    f = one(pass_output(text), "SFN301")
    assert "(S0201)" in f.message and text[f.offset] == "2"


def test_syntax_error_in_condition():
    doc = machine({"C": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.a = = 1 %}", "Next": "D"}],
                         "Default": "D"}, "D": {"Type": "Succeed"}})
    f = one(doc, "SFN301")
    assert f.pointer == "/States/C/Choices/0/Condition" and "S0211" in f.message


def test_delimiters_and_empty_and_text_around():
    assert one(pass_output("{% 10 %"), "SFN302").message == "State 'A': 'Output' starts with '{%' but does not end with '%}'"
    assert one(pass_output("10 %}"), "SFN302").offset == 3
    assert one(pass_output("{%  %}"), "SFN303").pointer == "/States/A/Output"
    res = [r for r in run_rules(pass_output({"m": "Hello {% $states.input.n %}"}), placeholders=None)
           if r.rule.id == "SFN304"]
    assert [r.severity for r in res] == [Severity.WARNING] and res[0].finding.offset == 6


def test_comment_starting_with_delimiter_is_not_an_expression():
    doc = pass_output("{% $states.input %}", Comment="{% This is a comment")
    assert not errors(run_rules(doc))


def test_21_operators_eval_top_level_and_double_dollar():
    f = one(pass_output("{% $states.input.a ?? 0 %}"), "SFN305")
    assert f.offset == 3 + len("$states.input.a ") and "'??'" in f.message
    assert one(pass_output("{% $eval('1') %}"), "SFN306").offset == 3
    f = one(pass_output({"v": "{% phone %}"}), "SFN307")
    assert f.message == "State 'A': 'Output/v': reference to 'phone' at the top level is not supported"
    assert f.offset == 3 and f.hint.startswith("use $states.input.phone")
    assert one(pass_output("{% $ %}"), "SFN307").offset == 3
    assert one(pass_output("{% $$.Execution.Id %}"), "SFN308").offset == 3


def test_names_in_predicates_lambdas_and_later_steps_are_fine():
    text = ("{% $states.input.items[price > 10].name ~> $map(function($v) { $v & x }) "
            "& $states.input.o.$.k & $count($states.input.items[$ > 1]) %}")
    assert not find(pass_output(text), "SFN307")


def test_expressions_in_literal_fields():
    doc = machine({"T": {"Type": "Task", "Resource": LAMBDA, "Next": "{% 'X' %}",
                         "Retry": [{"ErrorEquals": ["{% 'States.ALL' %}"], "MaxAttempts": "{% 2 %}"}]},
                   "X": {"Type": "Succeed"}})
    found = {f.pointer for f in find(doc, "SFN309")}
    assert found == {"/States/T/Next", "/States/T/Retry/0/ErrorEquals/0", "/States/T/Retry/0/MaxAttempts"}
    assert not find(doc, "SFN202") and not find(doc, "SFN602")


def test_jsonata_in_jsonpath_state_and_jsonpath_in_jsonata_state():
    doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x": "{% $states.input.x %}"}, "End": True}}}
    assert one(doc, "SFN310").pointer == "/States/A/Parameters/x"
    doc = pass_output({"id.$": "$.order.id", "f": "States.Format('{}', 1)", "p": "$.x"})
    assert {f.pointer for f in find(doc, "SFN311")} == {"/States/A/Output/id.$", "/States/A/Output/f",
                                                          "/States/A/Output/p"}


def test_unknown_function_is_a_warning_with_suggestion():
    res = [r for r in run_rules(pass_output("{% $lenght($states.input.s) %}"), placeholders=None)
           if r.rule.id in ("SFN312", "SFN502")]
    assert [r.rule.id for r in res] == ["SFN312"]
    assert res[0].finding.hint == "did you mean $length?"


def test_placeholders_inside_expressions_opaque_mode():
    doc = pass_output("{% $exists($states.input.d) ? $states.input.d : ${var.dry_run_default} %}")
    assert not errors(run_rules(doc, placeholders="opaque"))
    assert find(doc, "SFN301", placeholders=None)  # unrendered, `${` is not JSONata


# ------------------------------------------------------------------ SFN4xx


def test_states_result_and_error_output_placement():
    doc = machine({
        "T": {"Type": "Task", "Resource": LAMBDA, "Arguments": {"p": "{% $states.result %}"},
              "Output": "{% $states.result.Payload %}", "Assign": {"r": "{% $states.result %}"}, "Next": "P",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Output": "{% $states.errorOutput %}",
                         "Assign": {"e": "{% $states.result %}"}, "Next": "P"}]},
        "P": {"Type": "Pass", "Output": {"x": "{% $states.errorOutput.Cause %}"}, "End": True}})
    assert {f.pointer for f in find(doc, "SFN401")} == {"/States/T/Arguments/p", "/States/T/Catch/0/Assign/e"}
    f = one(doc, "SFN402")
    assert f.pointer == "/States/P/Output/x" and f.offset == 3


def test_unknown_states_member_and_context_fields():
    f = one(pass_output("{% $states.Input.x %}"), "SFN403")
    assert f.hint == "did you mean 'input'?"
    assert one(pass_output("{% $states.context.Execution.ID %}"), "SFN404").hint == "did you mean 'Id'?"
    assert one(pass_output("{% $states.context.Map.Item.Index %}"), "SFN404").message.startswith(
        "State 'A': $states.context.Map is only available")
    ok = machine({"M": {"Type": "Map", "End": True, "ItemSelector": {"i": "{% $states.context.Map.Item.Index %}"},
                        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}})
    assert not find(ok, "SFN404")


# ------------------------------------------------------------------ SFN5xx


def test_variable_names():
    doc = machine({"A": {"Type": "Pass", "End": True, "Assign": {"states": 1, "a.b": 2, "top-level": 3, "ok_1": 4}}})
    res = {r.finding.pointer: r.severity for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN501"}
    assert res == {"/States/A/Assign/states": Severity.ERROR, "/States/A/Assign/a.b": Severity.ERROR,
                   "/States/A/Assign/top-level": Severity.WARNING}


def test_read_before_assign_choice_and_catch_paths():
    doc = machine({
        "T": {"Type": "Task", "Resource": LAMBDA, "Assign": {"ok": 1}, "Next": "C",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"err": "{% $states.errorOutput %}"}, "Next": "C"}]},
        "C": {"Type": "Choice", "Choices": [{"Condition": "{% $ok %}", "Assign": {"rule": 1}, "Next": "U"}],
              "Default": "U"},
        "U": {"Type": "Pass", "Output": {"a": "{% $rule %}", "b": "{% $err %}", "c": "{% $nope %}",
                                         "d": "{% $exists($err) ? $err : 0 %}"}, "End": True}})
    res = {(r.rule.id, r.finding.pointer) for r in run_rules(doc, placeholders=None) if r.rule.id in ("SFN502", "SFN503")}
    assert res == {("SFN503", "/States/C/Choices/0/Condition"), ("SFN503", "/States/U/Output/a"),
                   ("SFN503", "/States/U/Output/b"), ("SFN502", "/States/U/Output/c")}


def test_read_never_assigned_message_and_offset():
    doc = machine({"A": {"Type": "Pass", "Output": "{% 1 + $orderId %}", "Next": "B"},
                   "B": {"Type": "Pass", "Assign": {"orderId": 1}, "End": True}})
    f = one(doc, "SFN502")
    assert f.message == "State 'A': 'Output' reads $orderId, but no path from StartAt to this state assigns it"
    assert f.offset == 3 + 4


def test_loop_assignments_reach_the_next_iteration_as_maybe():
    doc = machine({
        "W": {"Type": "Wait", "Seconds": 1, "Next": "Poll"},
        "Poll": {"Type": "Pass", "Assign": {"n": "{% $exists($n) ? $n + 1 : 1 %}"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $n > 3 %}", "Next": "Done"}], "Default": "W"},
        "Done": {"Type": "Succeed"}})
    assert not find(doc, "SFN502") and not find(doc, "SFN503")


def test_inner_scopes_see_outer_variables_and_distributed_maps_do_not():
    inner = {"StartAt": "I", "States": {"I": {"Type": "Pass", "Output": "{% $limit %}", "End": True}}}
    doc = machine({"S": {"Type": "Pass", "Assign": {"limit": 5}, "Next": "M"},
                   "M": {"Type": "Map", "End": True, "ItemProcessor": inner}})
    assert not errors(run_rules(doc, placeholders=None))
    dist = {**inner, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}
    doc["States"]["M"]["ItemProcessor"] = dist
    f = one(doc, "SFN505")
    assert f.pointer == "/States/M/ItemProcessor/States/I/Output" and not find(doc, "SFN502")


def test_parallel_catcher_assigns_in_outer_scope_and_inner_reassignment_warns():
    doc = machine({
        "P": {"Type": "Parallel", "Assign": {"total": 0}, "Next": "U", "Branches": [
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Assign": {"total": 1}, "End": True}}}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"failed": True}, "Next": "U"}]},
        "U": {"Type": "Pass", "Output": "{% [$total, $failed] %}", "End": True}})
    res = [r for r in run_rules(doc, placeholders=None) if r.rule.id == "SFN504"]
    assert [r.finding.pointer for r in res] == ["/States/P/Branches/0/States/B/Assign/total"]
    assert res[0].severity is Severity.WARNING
    assert {f.pointer for f in find(doc, "SFN503")} == {"/States/U/Output"}


def test_same_state_output_sees_old_value_not_an_error():
    doc = machine({"A": {"Type": "Pass", "Assign": {"t": "{% 1 %}"}, "Output": "{% $t %}", "End": True}})
    assert not find(doc, "SFN502")
    f = one(doc, "SFN506")
    assert "has no value yet" in f.message


def test_never_read_and_shadowed_function():
    doc = BY_ID["SFN508"].example_fail
    assert one(doc, "SFN508").offset == 3
    assert one(BY_ID["SFN507"].example_fail, "SFN507").pointer == "/States/A/Assign/unused"


def test_jsonpath_variable_reads_count():
    doc = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"x": 1}, "Next": "B"},
                                      "B": {"Type": "Pass", "Parameters": {"v.$": "$x", "w.$": "$y"}, "End": True}}}
    assert [f.pointer for f in find(doc, "SFN502")] == ["/States/B/Parameters/w.$"]
    assert not find(doc, "SFN507")


# ------------------------------------------------------------------ SFN6xx


def test_states_all_placement():
    doc = machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True,
                         "Retry": [{"ErrorEquals": ["States.ALL", "X"]}, {"ErrorEquals": ["Y"]}],
                         "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "T"}]}})
    assert [f.message for f in find(doc, "SFN601")] == [
        "State 'T': retrier 0 lists States.ALL together with other error names",
        "State 'T': retrier 0 uses States.ALL but is not the last retrier"]


def test_retrier_ranges():
    doc = machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True, "Retry": [{
        "ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 0, "MaxAttempts": -1, "BackoffRate": 0.5,
        "MaxDelaySeconds": 31622401, "JitterStrategy": "full"}]}})
    assert {f.pointer.rsplit("/", 1)[1] for f in find(doc, "SFN602")} == {
        "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy"}
    ok = machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True, "Retry": [{
        "ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 1, "MaxAttempts": 0, "BackoffRate": 1,
        "MaxDelaySeconds": 31622400, "JitterStrategy": "FULL"}]}})
    assert not find(ok, "SFN602")


def test_error_equals_unknown_states_error_and_shadowing():
    doc = machine({"T": {"Type": "Task", "Resource": LAMBDA, "End": True,
                         "Retry": [{"ErrorEquals": []}, {"IntervalSeconds": 1}],
                         "Catch": [{"ErrorEquals": ["States.Timout"], "Next": "T"},
                                   {"ErrorEquals": ["A", "B"], "Next": "T"}, {"ErrorEquals": ["B"], "Next": "T"},
                                   {"ErrorEquals": ["States.ALL"], "Next": "T"}]}})
    assert [f.pointer for f in find(doc, "SFN603")] == ["/States/T/Retry/0/ErrorEquals", "/States/T/Retry/1"]
    assert one(doc, "SFN604").hint == "did you mean 'States.Timeout'?"
    assert one(doc, "SFN605").pointer == "/States/T/Catch/2/ErrorEquals"


def test_heartbeat_below_timeout():
    doc = machine({"T": {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 10, "HeartbeatSeconds": 20,
                         "End": True}})
    assert one(doc, "SFN606").pointer == "/States/T/HeartbeatSeconds"
    doc["States"]["T"]["HeartbeatSeconds"] = "{% 20 %}"
    assert not find(doc, "SFN606")
