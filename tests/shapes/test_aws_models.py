"""botocore's API models as shapes, and the integrations catalogue (real models, no mocks)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sfn_compiler.shapes import aws_models as M
from sfn_compiler.shapes import shape as S
from sfn_compiler.shapes.integrations import integration, resolve_spec


@pytest.mark.parametrize("sfn, botocore", [
    ("dynamodb", "dynamodb"), ("sagemaker", "sagemaker"), ("s3", "s3"), ("sfn", "stepfunctions"),
    ("eventbridge", "events"), ("cloudwatchlogs", "logs"), ("emrserverless", "emr-serverless"),
    ("bedrockagentruntime", "bedrock-agent-runtime"), ("databasemigration", "dms"), ("costexplorer", "ce"),
    ("elasticloadbalancingv2", "elbv2"), ("acmpca", "acm-pca"), ("lexmodelsv2", "lexv2-models"),
])
def test_sdk_service_names_map_to_botocore(sfn, botocore):
    assert M.botocore_service(sfn) == botocore


def test_every_documented_sdk_service_that_botocore_still_ships_resolves():
    import os

    services = M.botocore_services()
    gone = []
    for name, entry in M.integrations_data()["sdk_services"].items():
        if M.botocore_service(name) is None:
            gone.append(name)
        if entry.get("botocore"):
            assert entry["botocore"].replace("-", "") in services or name in gone, name
    # services AWS deprecated and botocore dropped; everything else must resolve
    assert set(gone) <= {"mobile", "macie", "alexaforbusiness", "codestar", "opsworks", "opsworkscm", "robomaker",
                         "sms", "honeycode", "qldb", "qldbsession", "elastictranscoder", "elasticinference",
                         "lookoutvision", "evidently", "panorama", "iotanalytics", "iotevents", "ioteventsdata",
                         "iot1clickprojects", "iotfleethub", "iotthingsgraph", "worklink", "cloudsearch"}, gone


def test_operation_names_are_pascal_case_of_the_action():
    op = M.operation("sagemaker", "describePipelineExecution")
    assert op is not None and op.name == "DescribePipelineExecution" and op.service == "sagemaker"
    assert M.operation("dynamodb", "getItem").name == "GetItem"
    assert M.operation("sfn", "startExecution").name == "StartExecution"
    assert M.operation("dynamodb", "noSuchAction") is None
    assert M.operation("nosuchservice", "getItem") is None


def test_dynamodb_get_item_output():
    out = M.operation("dynamodb", "getItem").output
    assert set(out.member_names) == {"Item", "ConsumedCapacity"}
    item = S.member(out, "Item")
    assert item.kind == "object" and item.open and not item.members       # map<string, AttributeValue>
    attr = S.member(item, "anything")
    assert S.member(attr, "S") is S.STRING and S.member(attr, "N") is S.STRING
    assert S.member(attr, "BOOL") is S.BOOLEAN
    # AttributeValue is recursive (M: map<string, AttributeValue>): the recursion is cut to UNKNOWN
    nested = S.member(S.member(attr, "M"), "k")
    assert nested is S.UNKNOWN or S.member(nested, "S") is not S.NO_SUCH_MEMBER
    assert S.member(out, "project_name") is S.NO_SUCH_MEMBER


def test_sagemaker_pipeline_status_enum_is_the_apis_spelling():
    out = M.operation("sagemaker", "describePipelineExecution").output
    status = S.member(out, "PipelineExecutionStatus")
    assert status.kind == "string" and {"Executing", "Stopping", "Stopped", "Failed", "Succeeded"} <= status.values
    assert "SUCCEEDED" not in status.values
    assert S.member(M.operation("sagemaker", "startPipelineExecution").output, "PipelineExecutionArn") is S.STRING


def test_glue_job_run_state_enum_is_upper_case():
    run = S.member(M.operation("glue", "getJobRun").output, "JobRun")
    assert "SUCCEEDED" in S.member(run, "JobRunState").values


def test_camel_case_members_are_pascal_cased_and_timestamps_are_string_or_number():
    # recorded: an aws-sdk:sfn:startExecution result is {ExecutionArn, StartDate}
    out = M.operation("sfn", "startExecution").output
    assert set(out.member_names) == {"ExecutionArn", "StartDate"}
    assert out.member_map["ExecutionArn"].required
    assert set(S.member(out, "StartDate").alternatives()) == {S.STRING, S.NUMBER}


def test_input_shape_constraints_and_errors():
    op = M.operation("sagemaker", "startPipelineExecution")
    inp = op.input
    assert inp.member_map["PipelineName"].required and not inp.member_map["PipelineParameters"].required
    c = op.constraints(("PipelineExecutionDisplayName",))
    assert c.type == "string" and c.min == 1 and c.max == 82 and c.pattern
    assert op.constraints(("PipelineParameters", "[]", "Name")).max == 256
    top = op.constraints()
    assert "PipelineName" in top.required and "PipelineParameters" in top.members
    assert op.constraints(("NoSuchMember",)) is None
    assert "ResourceNotFound" in op.errors
    assert M.sfn_exception_name("ResourceNotFound") == "ResourceNotFoundException"
    assert M.sfn_exception_name("ConditionalCheckFailedException") == "ConditionalCheckFailedException"
    sfn = M.operation("sfn", "sendTaskSuccess")
    assert "TaskToken" in sfn.constraints().required        # camelCase in the model, PascalCase for Step Functions


def test_error_prefixes():
    assert M.sdk_error_prefix("dynamodb") == ("DynamoDb", True)
    assert M.sdk_error_prefix("sfn") == ("Sfn", True)
    assert M.sdk_error_prefix("acmpca") == ("AcmPca", True)
    prefix, documented = M.sdk_error_prefix("emrserverless")   # newer than AWS's table: a guess
    assert prefix and not documented


def test_models_load_lazily_and_not_at_import():
    code = ("import sys; import sfn_compiler.shapes.flow, sfn_compiler.shapes.findings, "
            "sfn_compiler.shapes.aws_models, sfn_compiler.shapes.integrations; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'botocore'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- the optimized integrations catalogue ----------------------------------------------------------


def test_every_catalogue_entry_resolves_and_cites_a_source():
    data = M.integrations_data()
    for key, entry in data["optimized"].items():
        assert entry.get("sources"), key
        assert all(isinstance(s, str) and (s.startswith("https://") or s.startswith("recorded:"))
                   for s in entry["sources"]), key
        resolve_spec(entry["result"])           # raises on a malformed spec or a missing model
        if "parameters" in entry:
            resolve_spec(entry["parameters"])
        if entry.get("api"):
            svc, op = entry["api"].split(":")
            assert M.api_operation(svc, op) is not None, key


def test_optimized_dynamodb_result_is_closed_with_sdk_metadata():
    i = integration("arn:aws:states:::dynamodb:getItem")
    assert i.kind == "optimized" and i.error_prefix == "DynamoDB" and i.certain
    assert set(i.result.member_names) == {"Item", "ConsumedCapacity", "SdkHttpMetadata", "SdkResponseMetadata"}
    sdk = integration("arn:aws:states:::aws-sdk:dynamodb:getItem")
    assert sdk.kind == "sdk" and sdk.error_prefix == "DynamoDb"
    assert set(sdk.result.member_names) == {"Item", "ConsumedCapacity"}
    assert "TableName" in sdk.parameters.member_names and sdk.parameters.member_map["TableName"].required


def test_lambda_invoke_payload_is_unknown():
    i = integration("arn:aws:states:::lambda:invoke")
    assert S.member(i.result, "Payload") is S.UNKNOWN
    assert {"ExecutedVersion", "StatusCode", "SdkHttpMetadata"} <= set(i.result.member_names)
    assert S.member(i.parameters, "Payload") is S.UNKNOWN and i.parameters.member_map["FunctionName"].required
    assert integration("arn:aws:states:::lambda:invoke.waitForTaskToken").result is S.UNKNOWN


def test_start_execution_sync_output_string_vs_sync2_json():
    sync = integration("arn:aws:states:::states:startExecution.sync").result
    sync2 = integration("arn:aws:states:::states:startExecution.sync:2").result
    assert S.member(sync, "Output") is S.STRING
    assert S.member(sync2, "Output") is S.UNKNOWN
    assert "SUCCEEDED" in S.member(sync2, "Status").values
    rr = integration("arn:aws:states:::states:startExecution").result
    assert {"ExecutionArn", "StartDate", "SdkHttpMetadata"} <= set(rr.member_names)


def test_uncertain_results_are_open_or_unknown():
    glue = integration("arn:aws:states:::glue:startJobRun.sync")
    assert not glue.certain and S.member(glue.result, "Anything") is S.UNKNOWN
    assert "SUCCEEDED" in S.member(glue.result, "JobRunState").values
    assert integration("arn:aws:states:::ecs:runTask.sync").result is S.UNKNOWN
    for r in ("arn:aws:lambda:eu-west-1:111122223333:function:f", "arn:aws:states:eu-west-1:1:activity:a",
              "${LambdaArn}", "arn:aws:states:::nosuchservice:doThing", "arn:aws:states:::aws-sdk:nosvc:getX",
              "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution.waitForTaskToken", 42):
        assert integration(r).result is S.UNKNOWN, r


def test_recased_results_of_unrecorded_services_are_caseless():
    # ECS's API members are camelCase (tasks, lastStatus); Step Functions returns them PascalCased, but that
    # is not recorded for ECS: a read that differs only in case is not judged, any other one is
    out = M.operation("ecs", "describeTasks").output
    assert out.caseless and S.member(out, "Tasks") is not S.NO_SUCH_MEMBER
    assert S.member(out, "tasks") is S.UNKNOWN and S.member(out, "Taskz") is S.NO_SUCH_MEMBER
    task = S.member(out, "Tasks").item
    assert task.caseless and S.member(task, "lastStatus") is S.UNKNOWN
    # recorded (stepfunctions) or shown by AWS's samples (bedrock, bedrock-agent): certain
    for svc, action, name in (("sfn", "startExecution", "executionArn"),
                              ("bedrockagent", "startIngestionJob", "ingestionJob"),
                              ("bedrock", "getEvaluationJob", "status")):
        res = M.operation(svc, action).output
        assert not res.caseless and S.member(res, name) is S.NO_SUCH_MEMBER, svc
    # APIs whose members are PascalCase already were not recased: nothing to be uncertain about
    assert not M.operation("sagemaker", "describePipelineExecution").output.caseless


def test_caseless_survives_joins_and_opening_but_not_open_objects():
    a = S.obj({"Tasks": S.NUMBER}, caseless=True)
    b = S.obj({"Tasks": S.NUMBER, "Failures": S.STRING})
    assert S.join(a, b).caseless and S.member(S.join(a, b), "failures") is S.UNKNOWN
    assert not S.obj({"Tasks": S.NUMBER}, open=True, caseless=True).caseless   # open: anything may exist anyway
    assert S.obj({"A": S.NUMBER}, caseless=True) is not S.obj({"A": S.NUMBER})
