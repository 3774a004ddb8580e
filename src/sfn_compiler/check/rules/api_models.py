"""SFN811-SFN820 (group `data`): Task arguments and error names checked against the AWS API models, offline.

The detection lives in `shapes` (`shapes.arguments`, `shapes.error_names`) over the botocore models and the
integration catalogue (`data/integrations.json`); these rules map its findings to diagnostics. SFN801-810
(the same group) are the data-flow rules of issue 11.
"""

from __future__ import annotations

from typing import Any, Iterable

from ..base import CheckContext, Finding, Rule, Severity
from ._common import DG, ERR

GROUP = "data"
AWSSDK = f"{DG}/supported-services-awssdk.html"
AWSSDK_ERRORS = f"{AWSSDK}#use-awssdk-integ-handle-errors"
PARAMS = f"{DG}/connect-parameters.html"
DDB = f"{DG}/connect-ddb.html"
TESTSTATE = "https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html"


def _argument_findings(ctx: CheckContext) -> list[Any]:
    def build() -> list[Any]:
        from ...shapes.arguments import argument_findings

        return argument_findings(ctx.machine)

    return ctx.machine.memo("api-models:arguments", build)


def _error_findings(ctx: CheckContext) -> list[Any]:
    def build() -> list[Any]:
        from ...shapes.error_names import error_name_findings

        return error_name_findings(ctx.machine)

    return ctx.machine.memo("api-models:error-names", build)


class _ArgumentRule(Rule):
    group = GROUP
    kind: str = ""

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for f in _argument_findings(ctx):
            if f.kind == self.kind:
                yield Finding(f.pointer, f.message, hint=f.hint, key=f.key)


def _task(resource: str, arguments: Any, ql: str = "JSONata", **extra: Any) -> dict:
    field = "Arguments" if ql == "JSONata" else "Parameters"
    return {"QueryLanguage": ql, "StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", field: arguments, **extra,
                 "End": True}}}


_SPELLING = """Member names are the API model's, as Step Functions spells them: PascalCase even where the
service's own API is camelCase (`StateMachineArn` for `stateMachineArn`), and `Equals` is written
`EqualsValue`. The optimized integrations take their own parameter sets: `lambda:invoke` takes
`FunctionName`, `Payload` (any JSON), `InvocationType`, `Qualifier`, `ClientContext`, `LogType`;
`states:startExecution` takes `Input` as an object or a string; `events:putEvents` takes `Detail` as
an object; `sns:publish` `Message` and `sqs:sendMessage` `MessageBody` take any JSON;
`bedrock:invokeModel` takes `Input`/`Output` `{S3Uri}` besides `Body`."""

_ARG_LIMITS = """Only what is certain is reported: `${...}` placeholders and CloudFormation intrinsics stand
for any value of the member's type; a `{% %}` expression is judged only where its inferred type is
certain; JSONPath `"Name.$"` values are typed when they are intrinsic functions or plain paths into known
shapes. Integrations whose parameters sfnc does not model (`eks:*`, `elasticmapreduce:*`, `emr-*`,
Lambda function ARNs, activities) are not checked. The models are botocore's: a member added to an API
after the installed botocore was released is unknown to it (update boto3)."""


class UnknownArgument(_ArgumentRule):
    id = "SFN811"
    name = "unknown-argument"
    kind = "unknown-argument"
    severity = Severity.ERROR
    summary = "A Task's Arguments/Parameters member is not a parameter of the API it calls"
    docs = f"""\
## Why
Step Functions passes `Arguments` (JSONata) or `Parameters` (JSONPath) to the service API. A member the
API does not have - a typo (`PipelineParameter` for `PipelineParameters`), a camelCase name, a member of
another operation - is refused: the definition does not deploy, or the Task fails on every run.

{_SPELLING}

## How to fix
Use the member name the hint suggests (the API's spelling), or remove the member.

## Known limits
{_ARG_LIMITS}
"""
    sources = (AWSSDK, PARAMS, f"{DG}/connect-lambda.html", f"{DG}/connect-stepfunctions.html")
    example_fail = _task("aws-sdk:sagemaker:startPipelineExecution",
                         {"PipelineName": "features", "PipelineParameter": [{"Name": "BatchId", "Value": "b-1"}]})
    example_pass = _task("aws-sdk:sagemaker:startPipelineExecution",
                         {"PipelineName": "features", "PipelineParameters": [{"Name": "BatchId", "Value": "b-1"}]})


class MissingArgument(_ArgumentRule):
    id = "SFN812"
    name = "missing-required-argument"
    kind = "missing-argument"
    severity = Severity.ERROR
    summary = "A Task's Arguments/Parameters lack a member the API requires"
    docs = f"""\
## Why
A required API member that is not given makes every call fail with a validation error
(`DynamoDb.DynamoDbException`, `DynamoDB.AmazonDynamoDBException`, ...). A JSONPath `"Name.$"` key counts
as giving `Name`. Members the SDK fills in itself (idempotency tokens such as `ClientRequestToken`) are
never required.

## How to fix
Add the member (the message names it).

## Known limits
Arguments written as one `{{% %}}` expression are checked when its inferred shape is a closed object. A
Task without `Arguments`/`Parameters` passes its input, whose members sfnc does not know: it is not checked.
{_ARG_LIMITS}
"""
    sources = (AWSSDK, PARAMS, DDB)
    example_fail = _task("dynamodb:getItem", {"Key": {"pk": {"S": "{% $states.input.id %}"}}})
    example_pass = _task("dynamodb:getItem", {"TableName": "orders", "Key": {"pk": {"S": "{% $states.input.id %}"}}})


class ArgumentType(_ArgumentRule):
    id = "SFN813"
    name = "argument-type-mismatch"
    kind = "argument-type"
    severity = Severity.ERROR
    summary = "A Task argument has a type the API member cannot take (an object for a list, text for a number, ...)"
    docs = f"""\
## Why
A value of the wrong type cannot be turned into the API request: AWS refuses the definition
(`SCHEMA_VALIDATION_FAILED: The value for the field 'Size' must be an INTEGER`) or the call fails. Only
conversions that cannot happen are reported: any JSON value given for a string member is sent as its JSON
text (Step Functions serialises it), a numeric string is read as a number and `"true"`/`"false"` as a
boolean; a non-numeric string for a number, a scalar for an object or list, an object for a number are
reported, for literals and for `{{% %}}` expressions whose inferred type is certain.

## How to fix
Give the member a value of the type the message names (a DynamoDB attribute is an object such as
`{{"S": "..."}}`).

## Known limits
{_ARG_LIMITS}
"""
    sources = (AWSSDK, PARAMS, DDB, "observed AWS behaviour: aws/aws-cdk#12284 (SCHEMA_VALIDATION_FAILED: The value for the "
               "field 'Size' must be an INTEGER at /States/.../Parameters)")
    example_fail = _task("dynamodb:putItem", {"TableName": "orders", "Item": {"pk": "order-1"}})
    example_pass = _task("dynamodb:putItem", {"TableName": "orders", "Item": {"pk": {"S": "{% $states.input.id %}"}}})


class ArgumentEnum(_ArgumentRule):
    id = "SFN814"
    name = "argument-not-in-enum"
    kind = "argument-enum"
    severity = Severity.ERROR
    summary = "A Task argument literal is not one of the values of the API member's enum"
    docs = f"""\
## Why
The API accepts only the values its enum lists (`ReturnValues: ALL_NEW`, `InvocationType: Event`); any
other value fails the call with a validation error. Enum values are case-sensitive.

## How to fix
Use one of the listed values (the hint gives the API's spelling of a value written in another case).

## Known limits
The enum is the installed botocore's: a value added to the API later is unknown to an older botocore
(update boto3). {_ARG_LIMITS}
"""
    sources = (AWSSDK, DDB)
    example_fail = _task("dynamodb:updateItem", {"TableName": "t", "Key": {"pk": {"S": "k"}},
                                                 "UpdateExpression": "SET n = :n",
                                                 "ExpressionAttributeValues": {":n": {"N": "1"}},
                                                 "ReturnValues": "all_new"})
    example_pass = _task("dynamodb:updateItem", {"TableName": "t", "Key": {"pk": {"S": "k"}},
                                                 "UpdateExpression": "SET n = :n",
                                                 "ExpressionAttributeValues": {":n": {"N": "1"}},
                                                 "ReturnValues": "ALL_NEW"})


class ArgumentRange(_ArgumentRule):
    id = "SFN815"
    name = "argument-out-of-range"
    kind = "argument-range"
    severity = Severity.ERROR
    summary = "A Task argument literal is shorter/longer or smaller/larger than the API member allows"
    docs = f"""\
## Why
The API's `min`/`max` bound a string's length, a number's value and a list's size (a SageMaker
`PipelineExecutionDisplayName` of at most 82 characters, a Lambda `MemorySize` from 128 to 10240); a
literal outside them fails the call with a validation error.

## How to fix
Bring the value inside the bounds the message names.

## Known limits
Only literals are measured (a string holding a `${{...}}` placeholder has no known length). {_ARG_LIMITS}
"""
    sources = (AWSSDK, PARAMS)
    example_fail = _task("aws-sdk:sagemaker:startPipelineExecution",
                         {"PipelineName": "features", "PipelineExecutionDisplayName": "x" * 90})
    example_pass = _task("aws-sdk:sagemaker:startPipelineExecution",
                         {"PipelineName": "features", "PipelineExecutionDisplayName": "features-run"})


class ArgumentPattern(_ArgumentRule):
    id = "SFN816"
    name = "argument-pattern-mismatch"
    kind = "argument-pattern"
    severity = Severity.WARNING
    summary = "A Task argument literal does not match the API member's pattern"
    docs = f"""\
## Why
Many API members carry a pattern (an ARN's form, an S3 URI, a name's characters); a literal that does not
match fails the call with a validation error.

## How to fix
Correct the value, or replace the sample token (`BUCKET_NAME`) with a placeholder (`${{bucket}}`) that
the render step fills in.

## Known limits
A warning: the models' patterns are regular expressions written for other engines (read here with
Python's `re`, searched, not anchored, as Smithy defines them: a pattern Python cannot read is skipped), and
a few are stricter than the services. {_ARG_LIMITS}
"""
    sources = (AWSSDK, "https://smithy.io/2.0/spec/constraint-traits.html#pattern-trait")
    example_fail = _task("aws-sdk:sagemaker:describePipelineExecution", {"PipelineExecutionArn": "features/run-1"})
    example_pass = _task("aws-sdk:sagemaker:describePipelineExecution", {
        "PipelineExecutionArn": "arn:aws:sagemaker:eu-west-1:123456789012:pipeline/features/execution/run-1"})


# --------------------------------------------------------------------------------------------------
# error names


def _retry_task(resource: str, names: list[str], catch: bool = True, **extra: Any) -> dict:
    state: dict[str, Any] = {"Type": "Task", "Resource": f"arn:aws:states:::{resource}", **extra, "Next": "Done"}
    if catch:
        state["Catch"] = [{"ErrorEquals": names, "Next": "Handled"}]
    else:
        state["Retry"] = [{"ErrorEquals": names, "MaxAttempts": 3}]
    states = {"Call": state, "Done": {"Type": "Succeed"}}
    if catch:
        states["Handled"] = {"Type": "Succeed"}
    return {"QueryLanguage": "JSONata", "StartAt": "Call", "States": states}


_PUT = {"TableName": "locks", "Item": {"pk": {"S": "batch-1"}}, "ConditionExpression": "attribute_not_exists(pk)"}


class _ErrorRule(Rule):
    group = GROUP
    kinds: tuple[str, ...] = ()

    def check(self, ctx: CheckContext) -> Iterable[Finding]:
        for f in _error_findings(ctx):
            if f.kind in self.kinds:
                yield Finding(f.pointer, self.message(ctx, f), hint=f.hint,
                              severity=Severity(f.severity) if f.severity != self.severity.value else None)

    def message(self, ctx: CheckContext, f: Any) -> str:
        return f.message


class ErrorNameSpelling(_ErrorRule):
    id = "SFN817"
    name = "error-name-misspelled"
    kinds = ("spelling",)
    severity = Severity.ERROR
    summary = "A Retry/Catch error name has the service's errors spelled differently from what the integration raises"
    docs = """\
## Why
Error names are matched exactly, case included. Each integration raises its service's errors with its own
prefix: the AWS SDK integrations use the prefix column of AWS's table (`DynamoDb.`, `Sfn.`, `Sns.`,
`Sqs.`, `S3.`, `SageMaker.`), the optimized integrations their own (`DynamoDB.`, `StepFunctions.`,
`SNS.`, `SQS.`, `Lambda.`, `EventBridge.`). A catcher written with the other spelling
(`DynamoDB.ConditionalCheckFailedException` on `aws-sdk:dynamodb:putItem`), without the prefix, or - for
the AWS SDK integrations, which always add it - without the `Exception` suffix (`S3.NoSuchKey`) never
matches: the error it was meant for fails the state, and the path written for it never runs.

For a DynamoDB lock acquire this is the duplicate-run signal: SFN712 leaves the wrong spelling to this
rule, whose message says so.

## How to fix
Write the name the message gives.
"""
    sources = (AWSSDK_ERRORS, ERR, DDB, f"{DG}/connect-stepfunctions.html", f"{DG}/connect-sns.html",
               f"{DG}/connect-sqs.html", f"{DG}/connect-eventbridge.html",
               "observed AWS behaviour: LocalStack AWS-validated snapshots tests/aws/services/stepfunctions/v2/error_handling/ "
               "(DynamoDb.ResourceNotFoundException for aws-sdk:dynamodb, DynamoDB.ResourceNotFoundException for "
               "dynamodb:*, Sfn.InvalidTokenException, StepFunctions.StateMachineDoesNotExistException, "
               "SNS.NotFoundException, SQS.AmazonSQSException, S3.NoSuchKeyException)")
    example_fail = _retry_task("aws-sdk:dynamodb:putItem", ["DynamoDB.ConditionalCheckFailedException"],
                               Arguments=_PUT)
    example_pass = _retry_task("aws-sdk:dynamodb:putItem", ["DynamoDb.ConditionalCheckFailedException"],
                               Arguments=_PUT)

    def message(self, ctx: CheckContext, f: Any) -> str:
        if not f.use or not f.use.endswith(".ConditionalCheckFailedException") or not _is_lock_acquire(ctx, f.state):
            return f.message
        return (f"{f.message}; this is the lock's duplicate-run signal: a duplicate run is not caught there "
                "(SFN712)")


def _is_lock_acquire(ctx: CheckContext, state: Any) -> bool:
    if not state.is_jsonata:
        return False
    from .patterns.lock_analysis import lock_analysis

    return any(lk.state is state for lk in lock_analysis(ctx).locks)


class ErrorNameNotModelled(_ErrorRule):
    id = "SFN818"
    name = "error-name-not-modelled"
    kinds = ("not-modelled",)
    severity = Severity.WARNING
    summary = "A Retry/Catch error name is not an exception the service model declares for the operation"
    docs = """\
## Why
A Task raises its service's modelled exceptions (`<Prefix>.<Name>Exception`); an error code the SDK does not
model reaches Step Functions as the service's generic exception (recorded: an unmodelled
`ValidationException` of `aws-sdk:secretsmanager:createSecret` arrived as
`SecretsManager.SecretsManagerException`). A name the model does not declare - for this operation
(`DynamoDB.ConditionalCheckFailedException` on a getItem), or at all (`SageMaker.ThrottlingException`) -
therefore never matches. An entry that also names the generic exception is not reported.

## How to fix
Use one of the exceptions the operation declares (the hint lists them), or the generic exception.

## Known limits
A warning: the installed botocore's models may lag behind the SDK Step Functions uses. The optimized
integrations' generic names (`AmazonDynamoDBException`, `AWSLambdaException`, `SdkClientException`) and
their documented extras (`Lambda.Unknown`, `EventBridge.FailedEntry`) are known.
"""
    sources = (AWSSDK_ERRORS, ERR, "observed AWS behaviour: LocalStack AWS-validated snapshot tests/aws/services/stepfunctions/v2/"
               "error_handling/test_aws_sdk.py (SecretsManager.SecretsManagerException for an unmodelled error)")
    example_fail = _retry_task("aws-sdk:sagemaker:describePipelineExecution", ["SageMaker.ThrottlingException"],
                               catch=False, Arguments={"PipelineExecutionArn": "{% $states.input.arn %}"})
    example_pass = _retry_task("aws-sdk:sagemaker:describePipelineExecution",
                               ["SageMaker.ThrottlingException", "SageMaker.SageMakerException"],
                               catch=False, Arguments={"PipelineExecutionArn": "{% $states.input.arn %}"})


class ErrorNameForeign(_ErrorRule):
    id = "SFN819"
    name = "error-name-foreign"
    kinds = ("foreign",)
    severity = Severity.WARNING
    summary = "A Retry/Catch error name belongs to another service, or to no service, on a service integration"
    docs = """\
## Why
A service integration raises its own service's errors and `States.*` errors, nothing else. A retrier
copied from a Lambda Task (`Lambda.ServiceException`) onto a DynamoDB Task, or a custom name on an
`aws-sdk:*` Task, never matches.

## How to fix
Remove the entry, or replace it with the service's own error (the hint lists the operation's).

## Known limits
Not checked where any name may come: Lambda functions and `lambda:invoke` (a function raises its own error
names), `.waitForTaskToken` (the callback's `SendTaskFailure` names the error), activities, and optimized
integrations whose error prefix is neither documented nor recorded.
"""
    sources = (AWSSDK_ERRORS, ERR)
    example_fail = _retry_task("dynamodb:putItem", ["Lambda.ServiceException"], catch=False, Arguments=_PUT)
    example_pass = _retry_task("dynamodb:putItem", ["DynamoDB.ProvisionedThroughputExceededException"], catch=False,
                               Arguments=_PUT)


class StatesErrorImpossible(_ErrorRule):
    id = "SFN820"
    name = "states-error-impossible"
    kinds = ("states-impossible",)
    severity = Severity.WARNING
    summary = "A Retry/Catch names a States.* error that this state can never raise"
    docs = """\
## Why
Some `States.*` errors have one origin: `States.HeartbeatTimeout` a Task with `HeartbeatSeconds`,
`States.Http.Socket` an HTTP Task, `States.ExceedToleratedFailureThreshold` a Map with a tolerated
failure threshold, `States.ItemReaderFailed` / `States.ResultWriterFailed` a Map with an ItemReader /
ResultWriter, `States.NoChoiceMatched` a Choice without Default, `States.BranchFailed` a Parallel,
`States.QueryEvaluationError` a JSONata state, and `States.ParameterPathFailure`,
`States.ResultPathMatchFailure`, `States.IntrinsicFailure` a JSONPath state. A Parallel or Map also fails
with what any state inside it raises. A retrier or catcher naming one of these on a state that cannot
raise it never matches: the handling it was written for is not there.

## How to fix
Remove the name, or add what raises it (`HeartbeatSeconds` on a callback Task).

## Known limits
`States.ALL`, `States.TaskFailed`, `States.Timeout`, `States.Permissions`, `States.DataLimitExceeded` and
`States.Runtime` can occur almost anywhere and are not judged.
"""
    sources = (ERR, "https://states-language.net/spec.html#appendix-a")
    example_fail = _retry_task("lambda:invoke", ["States.HeartbeatTimeout"],
                               Arguments={"FunctionName": "f", "Payload": {}})
    example_pass = _retry_task("lambda:invoke", ["States.HeartbeatTimeout"], HeartbeatSeconds=60,
                               Arguments={"FunctionName": "f", "Payload": {}})


RULES: tuple[type[Rule], ...] = (UnknownArgument, MissingArgument, ArgumentType, ArgumentEnum, ArgumentRange,
                                 ArgumentPattern, ErrorNameSpelling, ErrorNameNotModelled, ErrorNameForeign,
                                 StatesErrorImpossible)
