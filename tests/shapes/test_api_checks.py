"""The detection behind SFN811-SFN820 with the real botocore models: Step Functions' spelling of members and
errors, what each integration raises, which States.* errors a state can raise."""

from __future__ import annotations

import pytest

from sfn_compiler.asl.model import Machine
from sfn_compiler.shapes import aws_models as M
from sfn_compiler.shapes.arguments import argument_findings
from sfn_compiler.shapes.error_names import error_name_findings, judge, states_error_impossible
from sfn_compiler.shapes.flow import analyse
from sfn_compiler.shapes.integrations import integration


def kinds(states: dict, ql: str = "JSONata") -> list[tuple[str, str]]:
    doc = {"QueryLanguage": ql, "StartAt": next(iter(states)), "States": states}
    return [(f.kind, f.pointer) for f in argument_findings(analyse(doc))]


def task(resource: str, arguments, **extra) -> dict:
    return {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", "Arguments": arguments, "End": True, **extra}


def test_member_names_as_step_functions_spells_them():
    assert M.sfn_member_name("stateMachineArn") == "StateMachineArn"
    assert M.sfn_member_name("equals") == M.sfn_member_name("Equals") == "EqualsValue"
    # CloudTrail's AdvancedFieldSelector has an `Equals` member: Step Functions names it EqualsValue
    op = M.operation("cloudtrail", "putEventSelectors")
    selector = op.constraints(("AdvancedEventSelectors", "[]", "FieldSelectors", "[]"))
    assert "EqualsValue" in selector.members and "Equals" not in selector.members


def test_idempotency_tokens_are_never_required():
    op = M.operation("sagemaker", "startPipelineExecution")
    assert "ClientRequestToken" not in op.constraints().required
    assert kinds({"S": task("aws-sdk:sagemaker:startPipelineExecution", {"PipelineName": "p"})}) == []


def test_model_constraints_survive_the_catalogues_merges():
    result = integration("arn:aws:states:::dynamodb:getItem").result      # GetItem output + SdkHttpMetadata
    capacity = dict(result.members)["ConsumedCapacity"].shape
    assert M.member_constraints(capacity, "TableName", "dynamodb") is not None
    params = integration("arn:aws:states:::lambda:invoke").parameters      # Invoke input, Payload overridden
    assert M.member_constraints(params, "FunctionName", "lambda").max == 256
    assert M.member_constraints(params, "Payload", "lambda") is None


def test_a_services_limits_do_not_depend_on_which_other_models_were_read():
    # ssm's and athena's TerminateSessionRequest convert to one shape (same name, one SessionId member);
    # ssm allows 96 characters, athena 256. Reading athena's model first must not hide ssm's limit.
    athena = integration("arn:aws:states:::aws-sdk:athena:terminateSession").parameters
    ssm = integration("arn:aws:states:::aws-sdk:ssm:terminateSession").parameters
    assert athena is ssm
    assert M.member_constraints(ssm, "SessionId", "ssm").max == 96
    assert M.member_constraints(athena, "SessionId", "athena").max == 256
    assert kinds({"S": task("aws-sdk:athena:terminateSession", {"SessionId": "s" * 200})}) == []
    assert kinds({"S": task("aws-sdk:ssm:terminateSession", {"SessionId": "s" * 200})}) == [
        ("argument-range", "/States/S/Arguments/SessionId")]


@pytest.mark.parametrize("resource,arguments", [
    ("dynamodb:updateItem", {"TableName": "t", "Key": {"pk": {"S": "k"}}, "UpdateExpression": "SET a = :a",
                             "ExpressionAttributeValues": {":a": {"N": "1"}}, "ReturnValues": "UPDATED_NEW"}),
    ("aws-sdk:dynamodb:updateItem", {"TableName": "t", "Key": {"pk": {"S": "k"}}, "UpdateExpression": "SET a = :a",
                                     "ExpressionAttributeValues": {":a": {"M": {"x": {"S": "y"}}}}}),
    ("aws-sdk:dynamodb:getItem", {"TableName": "t", "Key": {"pk": {"S": "{% $states.input.id %}"}},
                                  "ProjectionExpression": "#n", "ExpressionAttributeNames": {"#n": "name"}}),
    ("glue:startJobRun.sync", {"JobName": "etl", "Arguments": {"--day": "{% $states.input.day %}"},
                               "WorkerType": "G.1X", "NumberOfWorkers": 10, "Timeout": 60}),
    ("athena:startQueryExecution.sync", {"QueryString": "select 1", "WorkGroup": "primary",
                                         "QueryExecutionContext": {"Database": "db"},
                                         "ResultConfiguration": {"OutputLocation": "s3://b/p/"}}),
    ("events:putEvents", {"Entries": [{"Detail": {"nested": {"any": [1]}}, "DetailType": "t", "Source": "s",
                                       "Resources": ["arn:r"]}]}),
    ("states:startExecution.sync:2", {"StateMachineArn": "${child_arn}", "Name": "{% $uuid() %}",
                                      "Input": {"AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID":
                                                "{% $states.context.Execution.Id %}", "batch": 1}}),
])
def test_valid_arguments_a_careless_checker_would_flag(resource, arguments):
    assert kinds({"T": task(resource, arguments)}) == []


def test_judge_names_the_spelling_each_integration_raises():
    def use(resource: str, name: str):
        v = judge(name, integration(f"arn:aws:states:::{resource}"))
        return v and (v.kind, v.use)

    assert use("aws-sdk:dynamodb:updateItem", "DynamoDB.ConditionalCheckFailedException") == \
        ("spelling", "DynamoDb.ConditionalCheckFailedException")
    assert use("dynamodb:updateItem", "DynamoDb.ConditionalCheckFailedException") == \
        ("spelling", "DynamoDB.ConditionalCheckFailedException")
    assert use("states:startExecution.sync:2", "Sfn.ExecutionAlreadyExistsException") == \
        ("spelling", "StepFunctions.ExecutionAlreadyExistsException")
    assert use("aws-sdk:sfn:sendTaskSuccess", "Sfn.TaskTimedOut") == ("spelling", "Sfn.TaskTimedOutException")
    assert use("dynamodb:updateItem", "DynamoDB.ConditionalCheckFailedException") is None
    assert use("dynamodb:updateItem", "DynamoDB.AmazonDynamoDBException") is None
    assert use("aws-sdk:dynamodb:updateItem", "DynamoDb.DynamoDbException") is None
    assert use("lambda:invoke", "Lambda.Unknown") is None and use("lambda:invoke", "MyFunctionError") is None
    assert use("events:putEvents", "EventBridge.FailedEntry") is None
    assert use("lambda:invoke.waitForTaskToken", "Anything.AtAll") is None
    assert use("glue:startJobRun.sync", "Glue.Whatever") is None          # no documented optimized prefix
    assert use("aws-sdk:sagemaker:describePipelineExecution", "SageMaker.ThrottlingException")[0] == "not-modelled"
    assert use("dynamodb:getItem", "DynamoDB.ConditionalCheckFailedException")[0] == "not-modelled"
    assert use("dynamodb:getItem", "Lambda.ServiceException")[0] == "foreign"


def test_states_errors_by_origin_through_parallel_and_map():
    doc = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Parallel", "End": True, "Branches": [{"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "T"}]},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke", "HeartbeatSeconds": 5,
                  "Arguments": {"ApiEndpoint": "https://x", "Method": "GET"}, "End": True}}}],
              "Catch": [{"ErrorEquals": ["States.NoChoiceMatched", "States.HeartbeatTimeout", "States.Http.Socket",
                                         "States.ItemReaderFailed", "States.IntrinsicFailure"], "Next": "F"}]},
        "F": {"Type": "Fail"}}}
    m = Machine(doc)
    found = {f.name: f for f in error_name_findings(m)}
    assert set(found) == {"States.ItemReaderFailed", "States.IntrinsicFailure"}
    assert "neither this Parallel nor any state inside it raises it" in found["States.ItemReaderFailed"].message
    task_state = next(s for s in m.states if s.name == "T")
    assert states_error_impossible("States.Timeout", task_state) is None   # not judged: it can occur anywhere
