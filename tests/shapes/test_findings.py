"""The detection functions on definitions built from real API shapes (the models botocore ships).

Each case has a firing and a passing form; the passing forms are the tempting valid cases a careless
checker would flag (`Item.<any>.S`, `Payload.<any>`, `Output.<any>` after `.sync:2`, Glue's upper-case
statuses, guarded optional members, a Catch handler reading `$states.input.Error`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from sfn_compiler.shapes.findings import (bad_arguments, enum_mismatches, missing_members, shape_findings,
                                          stale_poll_handles)
from sfn_compiler.shapes.flow import analyse

ROOT = Path(__file__).resolve().parents[2]


def machine(states: dict) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}


def task(resource: str, nxt: str | None = "Next", **fields) -> dict:
    out = {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", "Arguments": fields.pop("Arguments", {}),
           **fields}
    if nxt:
        out["Next"] = nxt
    else:
        out["End"] = True
    return out


def then(expr_field: dict) -> dict:
    return {"Type": "Pass", "End": True, **expr_field}


def findings(doc, kind=None):
    out = shape_findings(doc)
    return [f for f in out if kind is None or f.kind == kind]


# -- DynamoDB getItem ---------------------------------------------------------------------------------


def _get_item(read: str) -> dict:
    return machine({"Get Lock": task("dynamodb:getItem", Arguments={"TableName": "locks", "Key": {}}),
                    "Next": then({"Output": {"v": "{% " + read + " %}"}})})


def test_reading_the_execution_input_after_get_item_fires_with_the_hint():
    [f] = findings(_get_item("$states.input.project_name"))
    assert f.kind == "missing-member" and f.severity == "error" and f.state.name == "Next"
    assert f.pointer == "/States/Next/Output/v" and f.offset == 3 + len("$states.input.")
    assert "its input (the result of 'Get Lock', dynamodb:getItem) has no member 'project_name'" in f.message
    assert "it has ConsumedCapacity, Item, SdkHttpMetadata, SdkResponseMetadata" in f.message
    assert "$states.context.Execution.Input.project_name" in f.hint and "'Get Lock' an Output" in f.hint


@pytest.mark.parametrize("read", ["$states.input.Item.project_name.S", "$states.input.Item.any_attribute.N",
                                  "$states.input.ConsumedCapacity.TableName", "$states.context.Execution.Input.x",
                                  "$states.input.SdkHttpMetadata.HttpStatusCode"])
def test_valid_get_item_reads(read):
    assert findings(_get_item(read)) == []


def test_attribute_values_are_typed():
    [f] = findings(_get_item("$states.input.Item.project_name.s"))
    assert "no member 's'" in f.message and "it has B, BOOL, BS, L, M, N, NS, NULL, S, SS" in f.message
    assert f.hint == "did you mean 'S'?"


# -- SageMaker pipelines --------------------------------------------------------------------------------


def _pipeline(condition: str, extra: dict | None = None) -> dict:
    return machine({
        "Describe": task("aws-sdk:sagemaker:describePipelineExecution", "Check",
                         Arguments={"PipelineExecutionArn": "{% $states.input.arn %}"}),
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% " + condition + " %}", "Next": "Done"}],
                  "Default": "Describe" if not extra else "Other"},
        "Done": {"Type": "Succeed"},
        **(extra or {}),
    })


def test_sagemaker_status_compared_with_the_wrong_case_fires():
    [f] = findings(_pipeline("$states.input.PipelineExecutionStatus = 'SUCCEEDED'"))
    assert f.kind == "enum-mismatch" and f.severity == "error" and f.pointer == "/States/Check/Choices/0/Condition"
    assert "is never 'SUCCEEDED'" in f.message and "'Succeeded'" in f.message and "always false" in f.message
    assert f.hint == "the API spells it 'Succeeded'"


@pytest.mark.parametrize("cond", [
    "$states.input.PipelineExecutionStatus = 'Succeeded'",
    "$states.input.PipelineExecutionStatus in ['Failed', 'Stopped']",
    "$exists($states.input.FailureReason) and $states.input.FailureReason != ''",   # guarded optional member
    "$lowercase($states.input.PipelineExecutionStatus) = 'succeeded'",
])
def test_sagemaker_valid_conditions(cond):
    assert findings(_pipeline(cond)) == []


@pytest.mark.parametrize("cond", [
    "$states.input.PipelineExecutionStatus = '${SuccessStatus}'",
    "$states.input.PipelineExecutionStatus = ${SuccessStatus}",
    "$states.input.PipelineExecutionStatus in ['${A}', 'NOPE']",
    "$floor(${Threshold}) > 1 and $substring(${Prefix}, 0, 1) = 'a'",
])
def test_unrendered_placeholders_stand_for_any_value(cond):
    assert findings(_pipeline(cond)) == []


def test_in_lists():
    [f] = findings(_pipeline("$states.input.PipelineExecutionStatus in ['FAILED', 'Stopped']"))
    assert f.severity == "warning" and "'FAILED'" in f.message and "never matches" in f.message
    fs = findings(_pipeline("$states.input.PipelineExecutionStatus in ['FAILED', 'STOPPED']"))
    assert [f.severity for f in fs] == ["error", "error"]


def test_guarded_read_of_a_member_that_never_exists_is_always_false():
    [f] = findings(_pipeline("$exists($states.input.failure_reason)"))
    assert f.kind == "always-false" and f.severity == "warning" and "always false" in f.message
    assert f.hint.startswith("did you mean 'FailureReason'?; 'Describe' has no Output")


def test_status_copied_into_a_variable_keeps_its_enum():
    doc = machine({
        "Describe": task("aws-sdk:sagemaker:describePipelineExecution", "Check",
                         Assign={"status": "{% $states.result.PipelineExecutionStatus %}"}),
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $status = 'COMPLETED' %}", "Next": "Done"}],
                  "Default": "Describe"},
        "Done": {"Type": "Succeed"},
    })
    [f] = findings(doc)
    assert f.kind == "enum-mismatch" and "$status is never 'COMPLETED'" in f.message


# -- Glue, Athena ----------------------------------------------------------------------------------------


def test_glue_statuses_are_upper_case():
    ok = machine({"Run": task("glue:startJobRun.sync", "Check", Arguments={"JobName": "j"}),
                  "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.JobRunState = 'SUCCEEDED' %}",
                                                           "Next": "Done"}], "Default": "Done"},
                  "Done": {"Type": "Succeed"}})
    assert findings(ok) == []
    assert findings(json.loads(json.dumps(ok).replace("$states.input.JobRunState", "$states.input.Whatever"))) == []
    sdk = machine({"Get": task("aws-sdk:glue:getJobRun", None, Arguments={"JobName": "j", "RunId": "r"},
                               Output="{% $states.result.JobRun.JobRunState = 'Succeeded' %}")})
    [f] = findings(sdk)
    assert f.kind == "enum-mismatch" and f.hint == "the API spells it 'SUCCEEDED'"


def test_athena_query_state():
    def doc(lit):
        return machine({"Get": task("aws-sdk:athena:getQueryExecution", None, Arguments={"QueryExecutionId": "q"},
                                    Output="{% $states.result.QueryExecution.Status.State = '" + lit + "' %}")})
    assert findings(doc("SUCCEEDED")) == []
    [f] = findings(doc("Succeeded"))
    assert f.kind == "enum-mismatch"
    # the optimized .sync result is not certain: reading members it does not list is never a finding
    opt = machine({"Q": task("athena:startQueryExecution.sync", None, Arguments={"QueryString": "select 1"},
                             Output="{% $states.result.QueryExecution.Whatever.Deep %}")})
    assert findings(opt) == []


# -- Lambda, nested executions -------------------------------------------------------------------------------


def test_lambda_payload_is_anything_but_the_result_is_not():
    ok = machine({"Invoke": task("lambda:invoke", "Use", Arguments={"FunctionName": "f", "Payload": {}}),
                  "Use": then({"Output": "{% $states.input.Payload.anything.at.all %}"})})
    assert findings(ok) == []
    bad = json.loads(json.dumps(ok).replace("$states.input.Payload.anything.at.all", "$states.input.anything"))
    [f] = findings(bad)
    assert f.hint.startswith("did you mean $states.input.Payload.anything?")


def test_nested_start_execution_output():
    sync2 = machine({"Child": task("states:startExecution.sync:2", None, Arguments={"StateMachineArn": "arn"},
                                   Output="{% $states.result.Output.anything %}")})
    assert findings(sync2) == []
    sync = json.loads(json.dumps(sync2).replace("startExecution.sync:2", "startExecution.sync"))
    [f] = findings(sync)
    assert "reads $states.result.Output.anything" in f.message and "startExecution.sync:2" in f.hint
    missing = json.loads(json.dumps(sync2).replace("$states.result.Output.anything", "$states.result.resultCount"))
    [f] = findings(missing)
    assert f.hint == "did you mean $states.result.Output.resultCount?"


# -- Catch -----------------------------------------------------------------------------------------------


def test_catch_handler_reads_the_error_output():
    doc = machine({
        "Invoke": task("lambda:invoke", "Done", Arguments={"FunctionName": "f"},
                       Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Handle"}]),
        "Handle": then({"Output": {"e": "{% $states.input.Error %}", "c": "{% $states.input.Cause %}"}}),
        "Done": {"Type": "Succeed"},
    })
    assert findings(doc) == []
    bad = json.loads(json.dumps(doc).replace("$states.input.Cause", "$states.input.order_id"))
    [f] = findings(bad)
    assert "a catcher's error output {Error, Cause}" in f.message and "$merge" in f.hint


# -- functions -------------------------------------------------------------------------------------------------


def test_functions_called_with_arguments_they_reject():
    doc = machine({
        "Query": task("aws-sdk:dynamodb:query", "Use", Arguments={"TableName": "t"}),
        "Use": then({"Output": {
            "latest": "{% $max($states.input.Items.created_at.S) %}",
            "n": "{% $number($states.input.Items[0]) %}",
            "s": "{% $substring($states.input.Count, 0, 2) %}",
            "ok1": "{% $max($states.input.Items.created_at.S.$toMillis($)) %}",
            "ok2": "{% $substring($string($states.input.Count), 0, 2) %}",
            "ok3": "{% $count($states.input.Items) %}",
        }}),
    })
    fs = bad_arguments(analyse(doc))
    assert [(f.pointer.rsplit("/", 1)[-1], f.code) for f in fs] == [("latest", "T0412"), ("n", "T0410"),
                                                                    ("s", "T0410")]
    latest = fs[0]
    assert "$max() fails with T0412: argument 1 must be an array of numbers" in latest.message
    assert "$toMillis" in latest.hint


# -- polling loops ---------------------------------------------------------------------------------------------------


def _training():
    path = ROOT / "definitions" / "dev" / "sfn_ndr_training_orchestrator.json"
    if not path.is_file():
        pytest.skip("bundled definitions not rendered")
    return json.loads(path.read_text())


def test_poll_handles_of_the_bundled_training_orchestrator_are_updated():
    doc = _training()
    assert stale_poll_handles(analyse(doc).machine) == []


def test_a_restart_path_that_skips_the_restart_keeps_polling_the_old_job():
    doc = copy.deepcopy(_training())
    check = doc["States"]["Missing Features: Check Status"]
    for rule in check["Choices"]:
        if rule["Next"] == "Verifier: Start Pipeline":
            rule["Next"] = "Verifier: Wait"            # "retry the verifier" without starting it again
    [f] = stale_poll_handles(analyse(doc).machine)
    assert f.kind == "stale-poll-handle" and f.state.name == "Missing Features: Start Pipeline"
    assert "'Verifier: Describe Pipeline', which polls $verifierExecutionArn" in f.message
    assert f.path[0] == "Missing Features: Start Pipeline" and f.path[-1] == "Verifier: Describe Pipeline"


def test_a_restart_that_stores_the_new_handle_elsewhere_fires():
    doc = copy.deepcopy(_training())
    start = doc["States"]["Verifier: Start Pipeline"]
    restart = copy.deepcopy(start)
    restart["Assign"] = {"verifierRetryArn": "{% $states.result.PipelineExecutionArn %}", "verifierPollAttempt": 0}
    doc["States"]["Verifier: Restart Pipeline"] = restart
    for rule in doc["States"]["Missing Features: Check Status"]["Choices"]:
        if rule["Next"] == "Verifier: Start Pipeline":
            rule["Next"] = "Verifier: Restart Pipeline"
    fs = stale_poll_handles(analyse(doc).machine)
    assert [f.state.name for f in fs] == ["Verifier: Restart Pipeline"]
    assert "(set by 'Verifier: Start Pipeline')" in fs[0].message


def test_bundled_templates_have_no_shape_findings():
    files = sorted((ROOT / "definitions").glob("*/*.json"))
    if not files:
        pytest.skip("bundled definitions not rendered")
    for p in files:
        assert shape_findings(json.loads(p.read_text())) == [], p


@pytest.mark.parametrize("text, effect", [
    ("{% $x %}", "fails"), ("{% $x.id %}", "fails"), ("{% $x + 1 %}", "fails"), ("{% $string($x) %}", "fails"),
    ("{% 'id-' & $x %}", "wrong"), ("{% $x = 'done' %}", "wrong"), ("{% $count($x) %}", "wrong"),
    ("{% {'id': $x} %}", "wrong"), ("{% $lookup($states.input, $x) %}", "unknown"), ("{% $y %}", "unknown"),
    ("not an expression", "unknown"),
])
def test_undefined_read_effect(text, effect):
    from sfn_compiler.shapes.findings import undefined_read_effect

    assert undefined_read_effect(text, "x") == effect
