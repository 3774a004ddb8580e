"""`sfnc test --scaffold TEMPLATE`: one starter scenario per path worth covering (happy path, each Catch), mocks
built from the result shapes that pass strict mock validation, never overwriting without --force."""

from __future__ import annotations

import yaml

from sfn_compiler.simulate import load_scenario
from sfn_compiler.simulate.mock_check import scenario_mock_problems

FLOW = {"QueryLanguage": "JSONata", "StartAt": "Lock", "States": {
    "Lock": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
             "Arguments": {"TableName": "${table}", "Item": {"pk": {"S": "k"}},
                           "ConditionExpression": "attribute_not_exists(pk)"},
             "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Duplicate"}],
             "Next": "Start"},
    "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
              "Arguments": {"PipelineName": "features"},
              "Assign": {"arn": "{% $states.result.PipelineExecutionArn %}"}, "Next": "Describe"},
    "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
                 "Arguments": {"PipelineExecutionArn": "{% $arn %}"},
                 "Assign": {"status": "{% $states.result.PipelineExecutionStatus %}"}, "Next": "Done?"},
    "Done?": {"Type": "Choice", "Choices": [{"Condition": "{% $status = 'Succeeded' %}", "Next": "Fan Out"}],
              "Default": "Wait"},
    "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Describe"},
    "Fan Out": {"Type": "Parallel", "Branches": [
        {"StartAt": "Notify", "States": {"Notify": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                                                    "Arguments": {"TopicArn": "arn:t", "Message": "done"}, "End": True}}}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}], "Next": "Done"},
    "Done": {"Type": "Succeed"},
    "Duplicate": {"Type": "Succeed"},
    "Failed": {"Type": "Fail", "Error": "Failed"}}}


def setup(project):
    project.write("templates/flow.json", FLOW)
    project.write("envs/local.yaml", "values:\n  table: locks\n")


def test_scaffold_writes_a_happy_path_and_one_scenario_per_catch(sfnc, project):
    setup(project)
    res = sfnc("test", "--scaffold", "flow", cwd=project.root)
    assert res.exit_code == 0, res
    d = project.root / "tests" / "scenarios" / "flow"
    assert sorted(p.name for p in d.iterdir()) == ["catch_fan_out_0.yaml", "catch_lock_0.yaml", "happy_path.yaml"]
    happy = yaml.safe_load((d / "happy_path.yaml").read_text())
    assert happy["mocks"]["Describe"] == {"return": {"PipelineExecutionStatus": "Succeeded"}}   # the poll ends
    assert happy["mocks"]["Start"] == {"return": {"PipelineExecutionArn": "<PipelineExecutionArn>"}}
    assert happy["expect"] == {"status": "SUCCEEDED"}
    lock = yaml.safe_load((d / "catch_lock_0.yaml").read_text())
    assert lock["mocks"]["Lock"]["throw"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert lock["expect"] == {"status": "SUCCEEDED", "states_include": ["Duplicate"]}
    fan = yaml.safe_load((d / "catch_fan_out_0.yaml").read_text())
    assert fan["mocks"]["Notify"]["throw"]["Error"] == "States.TaskFailed"     # the first Task inside the Parallel
    assert fan["expect"] == {"status": "FAILED", "error": "Failed", "states_include": ["Failed"]}
    assert (d / "happy_path.yaml").read_text().startswith("# Scaffolded by `sfnc test --scaffold flow`")
    # every scaffolded mock passes strict validation, and the scenarios pass as written
    for p in d.iterdir():
        assert scenario_mock_problems(load_scenario(p), FLOW) == [], p.name
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 0 and "3 passed, 0 failed" in res.stdout, res


def test_scaffold_never_overwrites_without_force(sfnc, project):
    setup(project)
    project.write("tests/scenarios/flow/happy_path.yaml", "# mine\n")
    res = sfnc("test", "--scaffold", "flow", cwd=project.root)
    assert res.exit_code == 2 and "tests/scenarios/flow/happy_path.yaml exists" in res.stderr
    assert "--force" in res.stderr
    d = project.root / "tests" / "scenarios" / "flow"
    assert [p.name for p in d.iterdir()] == ["happy_path.yaml"]               # nothing written half-way
    assert sfnc("test", "--scaffold", "flow", "--force", cwd=project.root).exit_code == 0
    assert not (d / "happy_path.yaml").read_text().startswith("# mine")


def test_scaffold_of_an_unknown_template(sfnc, project):
    setup(project)
    res = sfnc("test", "--scaffold", "flwo", cwd=project.root)
    assert res.exit_code == 2 and "no template 'flwo'" in res.stderr and "did you mean 'flow'?" in res.stderr


def test_scaffold_says_what_a_path_needs_when_its_run_does_not_end(sfnc, project):
    flow = {"QueryLanguage": "JSONata", "StartAt": "Get", "States": {
        "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                "Arguments": {"TableName": "t", "Key": {"pk": {"S": "k"}}},
                "Output": "{% $states.result.Item.name.S %}", "End": True}}}
    project.write("templates/get.json", flow)
    project.write("envs/local.yaml", "values: {}\n")
    assert sfnc("test", "--scaffold", "get", cwd=project.root).exit_code == 0
    text = (project.root / "tests/scenarios/get/happy_path.yaml").read_text()
    assert "# TODO the scaffold run FAILED with States.QueryEvaluationError in 'Get'" in text
    assert yaml.safe_load(text)["expect"] == {"status": "SUCCEEDED"}
