"""Mocks checked before a run: located errors in the scenario or MockConfigFile, TestState's modes, the mocked
Throw's error name; the 114 mocks.json files AWS recorded pass strict validation (real results)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_compiler.simulate import load_scenario
from sfn_compiler.simulate.mock_check import mock_config_problems, scenario_mock_problems

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
RECORDED = SHARED / "conformance" / "aws-recorded" / "cases"

DEFINITION = {"QueryLanguage": "JSONata", "StartAt": "Start", "States": {
    "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
              "Arguments": {"PipelineName": "features"}, "Next": "Describe"},
    "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
                 "Arguments": {"PipelineExecutionArn": "{% $states.input.PipelineExecutionArn %}"},
                 "Catch": [{"ErrorEquals": ["SageMaker.ResourceNotFoundException"], "Next": "Gone"}],
                 "Next": "Child"},
    "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
              "Arguments": {"StateMachineArn": "arn:aws:states:eu-west-1:123456789012:stateMachine:child"},
              "Next": "Notify"},
    "Notify": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"},
               "End": True},
    "Gone": {"Type": "Fail", "Error": "Gone"}}}


def scenario(tmp_path: Path, text: str, name: str = "case.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_scenario(p)


def test_wrong_mocks_are_located_errors_in_the_scenario(tmp_path):
    sc = scenario(tmp_path, """\
description: x
mocks:
  Start: {return: {PipelineExecutionArn: "arn:p"}}
  Describe:
    - return: {PipelineExecutionStatus: SUCCEEDED}
    - throw: {Error: SageMaker.ResourceNotFound}
  Child: {return: {Status: SUCCEEDED, Output: {a: 1}}}
  Notify: {return: {StatusCode: 200, Payload: [1, 2]}}
""")
    found = scenario_mock_problems(sc, DEFINITION)
    errors = {(p.span.line, p.span.column, p.pointer): p for p in found if p.severity == "error"}
    status = errors[(5, 41, "/mocks/Describe/0/return/PipelineExecutionStatus")]
    assert "Return.PipelineExecutionStatus is 'SUCCEEDED', not an expected value" in status.message
    assert status.hint == "did you mean 'Succeeded'?" and status.span.file.endswith("case.yaml")
    throw = errors[(6, 22, "/mocks/Describe/1/throw/Error")]
    assert "raises 'SageMaker.ResourceNotFoundException', never 'SageMaker.ResourceNotFound'" in throw.message
    assert throw.hint == "throw 'SageMaker.ResourceNotFoundException'"
    missing = sorted(p.pointer for p in found if "is required but missing" in p.message)
    assert missing == ["/mocks/Child/return/ExecutionArn", "/mocks/Child/return/StartDate",
                       "/mocks/Child/return/StateMachineArn"]
    assert all(p.span.line == 7 for p in found if "Child" in p.pointer)
    assert not [p for p in found if "Notify" in p.pointer]          # Payload is any JSON


def test_modes_strict_present_none(tmp_path):
    text = "mocks:\n  Child: {return: {Status: SUCCEEDED}}\n  Describe: {return: {PipelineExecutionStatus: Done}}\n"
    sc = scenario(tmp_path, text)
    strict = scenario_mock_problems(sc, DEFINITION)
    present = scenario_mock_problems(sc, DEFINITION, "present")
    assert len([p for p in strict if p.severity == "error"]) == 4            # 3 required + the enum
    assert [p.pointer for p in present] == ["/mocks/Describe/return/PipelineExecutionStatus"]
    assert scenario_mock_problems(sc, DEFINITION, "none") == []
    own = scenario(tmp_path, "mock_validation: present\n" + text, "own.yaml")     # the scenario's own mode wins
    assert [p.pointer for p in scenario_mock_problems(own, DEFINITION)] == [present[0].pointer]


def test_throw_of_a_states_error_the_task_cannot_raise_is_a_warning(tmp_path):
    sc = scenario(tmp_path, "mocks:\n  Notify: {throw: {Error: States.HeartbeatTimeout}}\n"
                            "  Describe: [{throw: {Error: DynamoDB.ConditionalCheckFailedException}}]\n")
    found = {p.pointer: p for p in scenario_mock_problems(sc, DEFINITION)}
    assert found["/mocks/Notify/throw/Error"].severity == "warning"
    assert "HeartbeatSeconds" in found["/mocks/Notify/throw/Error"].message
    foreign = found["/mocks/Describe/0/throw/Error"]
    assert foreign.severity == "warning" and "another service" in foreign.message


def test_mock_config_file_is_checked_and_located(tmp_path):
    cfg = tmp_path / "MockConfigFile.json"
    cfg.write_text(json.dumps({
        "StateMachines": {"m": {"TestCases": {"Happy": {"Describe": "Status", "Notify": "Lambda"}}}},
        "MockedResponses": {"Status": {"0": {"Return": {"PipelineExecutionStatus": "Running"}}},
                            "Lambda": {"0": {"Return": {"StatusCode": "200"}}}}}, indent=2), encoding="utf-8")
    found = mock_config_problems(cfg, "m", "Happy", DEFINITION)
    assert sorted(p.pointer for p in found) == ["/MockedResponses/Lambda/0/Return/StatusCode",
                                                "/MockedResponses/Status/0/Return/PipelineExecutionStatus"]
    assert all(p.span.file == str(cfg) and p.span.line for p in found)
    # a scenario's mock_config is checked too, except for the states the scenario mocks inline
    sc = scenario(tmp_path, "mocks:\n  Notify: {return: {StatusCode: 200}}\n"
                            "mock_config: {file: MockConfigFile.json, machine: m, test_case: Happy}\n")
    assert [p.pointer for p in scenario_mock_problems(sc, DEFINITION)] == \
        ["/MockedResponses/Status/0/Return/PipelineExecutionStatus"]


@pytest.mark.skipif(not RECORDED.is_dir(), reason="shared/conformance/aws-recorded is absent")
def test_recorded_aws_results_pass_strict_validation():
    """The recorded mocks are results AWS returned: strict validation must accept every one of them."""
    checked = 0
    for mocks in sorted(RECORDED.glob("*/mocks.json")):
        definition = json.loads((mocks.parent / "definition.json").read_text(encoding="utf-8"))
        found = mock_config_problems(mocks, "definition", "Replay", definition)
        assert [p.format() for p in found if p.severity == "error"] == [], mocks.parent.name
        checked += 1
    assert checked >= 100


def test_sfnc_test_fails_a_scenario_with_a_wrong_mock_before_running_it(sfnc, project):
    project.write("templates/flow.json", DEFINITION)
    project.write("envs/local.yaml", "values: {}\n")
    project.write("tests/scenarios/flow/ok.yaml", """\
        mocks:
          Start: {return: {PipelineExecutionArn: "arn:p"}}
          Describe: {return: {PipelineExecutionStatus: Succeeded}}
          Child: {return: {ExecutionArn: e, StateMachineArn: s, StartDate: "2025-01-01T00:00:00Z", Status: SUCCEEDED}}
          Notify: {return: {StatusCode: 200, Payload: {}}}
        expect: {status: SUCCEEDED}
    """)
    project.write("tests/scenarios/flow/wrong.yaml", """\
        mocks:
          Start: {return: {PipelineExecutionArn: "arn:p"}}
          Describe: {return: {PipelineExecutionStatus: SUCCEEDED}}
          Child: {return: {ExecutionArn: e, StateMachineArn: s, StartDate: "2025-01-01T00:00:00Z", Status: SUCCEEDED}}
          Notify: {return: {StatusCode: 200}}
        expect: {status: SUCCEEDED}
    """)
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 2, res
    assert "ok   tests/scenarios/flow/ok.yaml" in res.stdout and "FAIL tests/scenarios/flow/wrong.yaml" in res.stdout
    assert ("tests/scenarios/flow/wrong.yaml:3:48: error: mock for Task 'Describe' "
            "(aws-sdk:sagemaker:describePipelineExecution): Return.PipelineExecutionStatus is 'SUCCEEDED'") in res.stderr
    assert sfnc("test", "--mock-validation", "present", cwd=project.root).exit_code == 2
    res = sfnc("test", "--mock-validation", "none", cwd=project.root)
    assert res.exit_code == 0 and "ok   tests/scenarios/flow/wrong.yaml" in res.stdout      # not checked: it runs
    project.write("pyproject.toml", "[tool.sfnc.test]\nmock_validation = \"none\"\n")
    assert sfnc("test", cwd=project.root).exit_code == 0
    res = sfnc("test", "--mock-validation", "lenient", cwd=project.root)
    assert res.exit_code == 2 and "unknown mock validation mode 'lenient'" in res.stderr


def test_sfnc_run_refuses_a_wrong_mock_config(sfnc, project):
    project.write("flow.json", DEFINITION)
    project.write("mocks.json", {
        "StateMachines": {"flow": {"TestCases": {"T": {"Start": "S", "Describe": "D", "Child": "C", "Notify": "N"}}}},
        "MockedResponses": {"S": {"0": {"Return": {"PipelineExecutionArn": "p"}}},
                            "D": {"0": {"Return": {"PipelineExecutionStatus": "Succeeded"}}},
                            "C": {"0": {"Return": {"Status": "SUCCEEDED"}}},
                            "N": {"0": {"Return": {"StatusCode": 200}}}}})
    res = sfnc("run", "flow.json", "--mock-config", "mocks.json", "--test-case", "T", cwd=project.root)
    assert res.exit_code == 2 and "mocks.json:" in res.stderr and "Return.StartDate is required but missing" in res.stderr
    assert "status:" not in res.stdout                                   # nothing ran
    res = sfnc("run", "flow.json", "--mock-config", "mocks.json", "--test-case", "T", "--mock-validation", "present",
               cwd=project.root)
    assert res.exit_code == 0 and "status: SUCCEEDED" in res.stdout
