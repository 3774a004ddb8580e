"""asl.resources: a Task's Resource as a service integration (form, pattern suffix, SDK or optimized)."""

from __future__ import annotations

import pytest

from sfn_compiler.asl.resources import Resource, parse_resource


@pytest.mark.parametrize("arn, expected", [
    ("arn:aws:states:::dynamodb:putItem", Resource("dynamodb:putItem", "", False, "dynamodb", "putItem")),
    ("arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
     Resource("aws-sdk:sagemaker:startPipelineExecution", "", True, "sagemaker", "startPipelineExecution")),
    ("arn:aws:states:::states:startExecution.sync:2",
     Resource("states:startExecution", ".sync:2", False, "states", "startExecution")),
    ("arn:aws:states:::glue:startJobRun.sync", Resource("glue:startJobRun", ".sync", False, "glue", "startJobRun")),
    ("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
     Resource("sqs:sendMessage", ".waitForTaskToken", False, "sqs", "sendMessage")),
    ("arn:${AWS::Partition}:states:::lambda:invoke", Resource("lambda:invoke", "", False, "lambda", "invoke")),
    ("arn:aws-us-gov:states:::sns:publish", Resource("sns:publish", "", False, "sns", "publish")),
])
def test_service_integrations(arn, expected):
    assert parse_resource(arn) == expected


@pytest.mark.parametrize("value", [
    "arn:aws:lambda:us-east-1:123456789012:function:f",      # a Lambda function, not an integration
    "arn:aws:states:us-east-1:123456789012:activity:a",      # an activity
    "arn:aws:states:::aws-sdk:s3",                           # no action
    "arn:aws:states:::dynamodb:putItem:extra",               # too many parts
    "${ResourceArn}", None, 3,
])
def test_anything_else_is_not_an_integration(value):
    assert parse_resource(value) is None


def test_resource_key_is_case_insensitive():
    assert parse_resource("arn:aws:states:::aws-sdk:SFN:StartExecution").key == "aws-sdk:sfn:startexecution"
