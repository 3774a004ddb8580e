"""Mocked results against result shapes (TestState's fieldValidationMode, as AWS recorded it) and sample values,
with the real botocore models."""

from __future__ import annotations

import pytest

from sfn_compiler.shapes.integrations import integration
from sfn_compiler.shapes.values import NONE, PRESENT, STRICT, check_value, label, sample_value


def problems(resource: str, value, mode: str = STRICT):
    i = integration(f"arn:aws:states:::{resource}")
    return [(label(p.path), p.message, p.severity) for p in check_value(value, i.result, mode, i.typed, i.certain, i.model_service)]


# AWS's recorded TestState STRICT cases (LocalStack tests/aws/services/stepfunctions/v2/test_state/
# test_field_validation_mode.snapshot.json, recorded 2025-12-03): what fails there fails here
@pytest.mark.parametrize("resource,value,where,message", [
    ("events:putEvents", {"Entries": "not a list"}, "Entries", "must be an array, not a string"),
    ("events:putEvents", {"Entries": [{"EventId": ["x"]}]}, "Entries[0].EventId", "must be a string, not an array"),
    ("events:putEvents", {"Entries": [{"EventId": "ok"}, {"EventId": ["x"]}]}, "Entries[1].EventId", "must be a string"),
    ("states:startExecution", {}, "ExecutionArn", "is required but missing"),
    ("states:startExecution", {"executionArn": "a", "startDate": "b"}, "ExecutionArn", "is required but missing"),
    ("states:startExecution", {"ExecutionArn": "a", "StartDate": True}, "StartDate", "not a boolean"),
    ("lambda:invoke", {"StatusCode": "200"}, "StatusCode", "must be a number, not a string"),
    ("dynamodb:putItem", {"ConsumedCapacity": {"CapacityUnits": "123.45"}}, "ConsumedCapacity.CapacityUnits",
     "must be a number, not a string"),
    ("aws-sdk:s3:getObject", {"ContentLength": "9000"}, "ContentLength", "must be a number, not a string"),
    ("aws-sdk:s3:getObject", {"StorageClass": "Papyrus"}, "StorageClass", "not an expected value"),
    ("aws-sdk:lambda:getFunction", {"Configuration": {"MemorySize": 127}}, "Configuration.MemorySize",
     "less than the minimum value 128"),
])
def test_strict_rejects_what_teststate_rejects(resource, value, where, message):
    found = problems(resource, value)
    assert any(w == where and message in m and sev == "error" for w, m, sev in found), found


@pytest.mark.parametrize("resource,value", [
    ("events:putEvents", {"random": "json"}),      # recorded: a field outside the API spec passes (STRICT)
    ("events:putEvents", {}),                       # recorded: nothing required
])
def test_strict_accepts_what_teststate_accepts(resource, value):
    assert [p for p in problems(resource, value) if p[2] == "error"] == []


def test_unknown_member_of_a_certain_result_is_a_warning_with_did_you_mean():
    i = integration("arn:aws:states:::states:startExecution")
    found = check_value({"ExecutionArn": "a", "StartDate": "d", "executionarn": "x"}, i.result, STRICT, True, True)
    (p,) = found
    assert p.severity == "warning" and p.path == ("executionarn",) and p.hint == "did you mean 'ExecutionArn'?"
    assert check_value({"ExecutionArn": "a", "StartDate": "d", "executionarn": "x"}, i.result, PRESENT) == []


def test_present_checks_only_present_members_and_none_nothing():
    assert problems("states:startExecution", {}, PRESENT) == []
    assert problems("lambda:invoke", {"StatusCode": "200"}, PRESENT)[0][:2] == ("StatusCode", "must be a number, not a string")
    assert problems("lambda:invoke", {"StatusCode": "200"}, NONE) == []


def test_what_the_task_really_returns_is_accepted():
    """Deliberate differences from TestState's raw API-output check: what AWS's runtime returns."""
    assert problems("lambda:invoke", {"StatusCode": 200, "Payload": {"any": ["shape", 1]}}) == []
    assert problems("lambda:invoke", {"StatusCode": 200, "Payload": "text"}) == []
    child = {"ExecutionArn": "arn:e", "StateMachineArn": "arn:s", "StartDate": 1735689600000, "Status": "SUCCEEDED",
             "Output": {"parsed": True}, "Input": {"a": 1}}
    assert problems("states:startExecution.sync:2", child) == []           # timestamps as epoch numbers too
    assert problems("dynamodb:getItem", {"Item": {"pk": {"S": "x"}}}) == []  # SdkHttpMetadata is never required
    assert problems("aws-sdk:dynamodb:getItem", {"Item": {"pk": {"S": "x"}}, "ConsumedCapacity": None}) == []


def test_sagemaker_pipeline_status_enum_and_glue_uncertain_result():
    ok = problems("aws-sdk:sagemaker:describePipelineExecution", {"PipelineExecutionStatus": "Succeeded"})
    assert ok == []
    (p,) = problems("aws-sdk:sagemaker:describePipelineExecution", {"PipelineExecutionStatus": "SUCCEEDED"})
    assert p[0] == "PipelineExecutionStatus" and "not an expected value" in p[1] and p[2] == "error"
    # glue:startJobRun.sync's result is the GetJobRun JobRun (no recording): the same check, as a warning
    (g,) = problems("glue:startJobRun.sync", {"JobRunState": "DONE"})
    assert g[2] == "warning" and "JobRunState" in g[0]
    assert problems("glue:startJobRun.sync", {"JobRunState": "SUCCEEDED", "Anything": 1}) == []


def test_samples_pass_strict_validation():
    for resource in ("aws-sdk:sagemaker:describePipelineExecution", "aws-sdk:sagemaker:startPipelineExecution",
                     "states:startExecution.sync:2", "states:startExecution", "dynamodb:getItem", "dynamodb:putItem",
                     "aws-sdk:dynamodb:updateItem", "lambda:invoke", "sns:publish", "sqs:sendMessage",
                     "athena:startQueryExecution", "events:putEvents", "aws-sdk:s3:getObject"):
        i = integration(f"arn:aws:states:::{resource}")
        assert problems(resource, sample_value(i.result, service=i.model_service)) == [], resource
    child = sample_value(integration("arn:aws:states:::states:startExecution.sync:2").result)
    assert child["Status"] == "SUCCEEDED" and child["StartDate"] == "2025-01-01T00:00:00Z"
    pipeline = integration("arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution").result
    assert sample_value(pipeline, prefer={"PipelineExecutionStatus": "Succeeded"}) == \
        {"PipelineExecutionStatus": "Succeeded"}
