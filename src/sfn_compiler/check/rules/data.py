"""SFN80x: the data that flows through a definition (issue 11), from the shape inference (`shapes/`).

Each rule maps the findings of one detection function of `shapes.findings` one to one: the inference runs
once per definition (`shapes.flow.flow_for`, shared by every rule here) with the execution input's shape
when the project gives a JSON Schema for it (`templates/<name>.input.schema.json`, `--input-schema`).
A rule that is not selected never runs, so `--ignore data` loads no AWS API model.

Only what certainly fails (or is certainly pointless) is reported: a shape the inference does not know
(`any`: Lambda payloads, activities, `${...}` placeholders, open results of integrations without recorded
evidence) never produces a finding. Ids SFN811+ belong to the API-model rules (issue 12).
"""

from __future__ import annotations

from typing import Any, Iterator

from ..base import CheckContext, Finding, Rule, Severity
from ._common import DG, TD, WV

GROUP = "data"

_AWSSDK = f"{DG}/supported-services-awssdk.html"
_DDB = f"{DG}/connect-ddb.html"
_LAMBDA = f"{DG}/connect-lambda.html"
_SFN = f"{DG}/connect-stepfunctions.html"
_RECORDED = ("observed AWS behaviour: LocalStack AWS-validated snapshots test_assign_reference_variables "
             "(a JSONata expression that returns nothing fails the state with States.QueryEvaluationError) and "
             "test_aws_sdk_task_service / test_sfn_task_service (aws-sdk and optimized results, PascalCase members)")
_JSONATA_SIG = "https://docs.jsonata.org/embedding-extending#function-signature-syntax"
_JSONATA_NUM = "https://docs.jsonata.org/numeric-operators"
_JSONATA_AGG = "https://docs.jsonata.org/aggregation-functions"
_SM_PIPE = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_DescribePipelineExecution.html"
_GLUE_RUN = "https://docs.aws.amazon.com/glue/latest/webapi/API_JobRun.html"
_POLLER = f"{DG}/sample-project-job-poller.html"


def _flow(ctx: CheckContext):
    """The shapes of this definition (one analysis per machine and execution input, shared by the rules)."""
    from ...shapes.flow import flow_for

    m = ctx.machine
    return flow_for(m, m.memo(("shapes.execution_input", id(ctx.input_schema)), lambda: _input_shape(ctx.input_schema)))


def _found(ctx: CheckContext, detect: Any) -> list[Any]:
    """`detect(flow)` (a detection function of `shapes.findings`) once per definition and execution input:
    two rules read each of `missing_members` and `bad_arguments` (by kind)."""
    return ctx.machine.memo(("shapes.found", detect.__name__, id(ctx.input_schema)), lambda: detect(_flow(ctx)))


def _input_shape(schema: Any):
    from ...shapes import shape as S

    if schema is None:
        return S.UNKNOWN
    from ...shapes.schema import from_json_schema

    return from_json_schema(schema)


def _has_expressions(ctx: CheckContext) -> bool:
    """Every finding here is about a JSONata expression: a definition without one needs no inference (and
    loads no API model)."""
    return bool(ctx.machine.expressions)


def _findings(rule: type[Rule], found, kind: str) -> Iterator[Finding]:
    for f in found:
        if f.kind != kind:
            continue
        sev = Severity(f.severity)
        yield Finding(f.pointer, f.message, hint=f.hint, offset=f.offset, path=tuple(f.path),
                      severity=None if sev is rule.severity else sev)


def _jsonata(states: dict) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}


_GET_ITEM = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
             "Arguments": {"TableName": "projects", "Key": {"pk": {"S": "{% $states.input.id %}"}}},
             "Next": "Notify"}
_DESCRIBE = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
             "Arguments": {"PipelineExecutionArn": "{% $states.input.arn %}"}, "Next": "Done?"}


class MemberDoesNotExist(Rule):
    id = "SFN801"
    name = "member-does-not-exist"
    group = GROUP
    severity = Severity.ERROR
    summary = "An expression reads a member that the value certainly does not have (a Task result, the input, a variable)"
    docs = """\
## Why
sfnc knows the shape of the data at every state: what each Task returns (the AWS API models botocore
ships, and a catalogue of the optimized integrations), what a `Pass`/`Output`/`Assign` builds, what a
catcher passes (`{Error, Cause}`). A read of a member that such a value cannot have is undefined: the field
fails with `States.QueryEvaluationError` ("returned nothing (undefined)"), or the comparison, `&` or
`$count` it feeds is silently wrong. The classic case: a state reads `$states.input.project_name` where its
input is the raw result of the previous Task (a DynamoDB `getItem` result is `{Item, ConsumedCapacity}`):
the execution input is `$states.context.Execution.Input`, or the Task needs an `Output` that carries it.

## How to fix
Read the member the value has (the message lists them, with a "did you mean"); read the execution input
from `$states.context.Execution.Input`; give the previous Task an `Output` (or `Assign` a variable); after
`lambda:invoke` the function's answer is under `Payload`, after `states:startExecution.sync:2` under
`Output`.

## Known limits
Only closed shapes are judged: a Lambda `Payload`, a DynamoDB `Item`'s attributes, an `.sync:2` child's
`Output`, activities, `${...}` placeholders and integrations without recorded results are `any`, and a read
guarded by `$exists(...)`, `?:` or `and`/`or` is `member-test-always-false`. Results follow the botocore
models installed with sfnc: a member newer than that botocore is reported until botocore is upgraded. For
services whose API members are camelCase, Step Functions returns them PascalCase; where that is not
recorded for the service, a read that differs from a member only in case is not judged. The execution input
is `any` unless the project gives its JSON Schema (docs/validate.md).
"""
    sources = (TD, _DDB, _LAMBDA, _SFN, _AWSSDK, _RECORDED)
    example_fail = _jsonata({
        "Get Project": _GET_ITEM,
        "Notify": {"Type": "Pass", "Output": {"project": "{% $states.input.project_name %}"}, "End": True}})
    example_pass = _jsonata({
        "Get Project": _GET_ITEM,
        "Notify": {"Type": "Pass", "Output": {"project": "{% $states.input.Item.project_name.S %}"}, "End": True}})

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if not _has_expressions(ctx):
            return
        from ...shapes.findings import missing_members

        yield from _findings(type(self), _found(ctx, missing_members), "missing-member")


class MemberTestAlwaysFalse(Rule):
    id = "SFN802"
    name = "member-test-always-false"
    group = GROUP
    severity = Severity.WARNING
    summary = "A guarded read ($exists, ?:, and/or) tests a member the value never has: the test is always false"
    docs = """\
## Why
`$exists($x.m)`, `$x.m ? a : b`, `$x.m ?: default` and `and`/`or` operands test a value without failing.
When the value certainly has no member `m` (the same knowledge as `member-does-not-exist`), the test is
always false: the branch it guards never runs, the default is always used. That is usually a misspelt
member or a read of the wrong value (the raw Task result instead of the execution input).

## How to fix
Test the member the value has (the message lists them), or the right value.

## Known limits
A warning: the expression does not fail, and a test kept on purpose for a future API member is possible.
The same limits as `member-does-not-exist` apply (only closed shapes are judged).
"""
    sources = (TD, _SM_PIPE, _AWSSDK, _RECORDED)
    example_fail = _jsonata({
        "Describe": _DESCRIBE,
        "Done?": {"Type": "Choice", "Choices": [
            {"Condition": "{% $exists($states.input.FailureMessage) %}", "Next": "Failed"}], "Default": "Ok"},
        "Failed": {"Type": "Fail", "Error": "PipelineFailed"},
        "Ok": {"Type": "Succeed"}})
    example_pass = _jsonata({
        "Describe": _DESCRIBE,
        "Done?": {"Type": "Choice", "Choices": [
            {"Condition": "{% $exists($states.input.FailureReason) %}", "Next": "Failed"}], "Default": "Ok"},
        "Failed": {"Type": "Fail", "Error": "PipelineFailed"},
        "Ok": {"Type": "Succeed"}})

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if not _has_expressions(ctx):
            return
        from ...shapes.findings import missing_members

        yield from _findings(type(self), _found(ctx, missing_members), "always-false")


class EnumComparisonImpossible(Rule):
    id = "SFN803"
    name = "enum-comparison-impossible"
    group = GROUP
    severity = Severity.ERROR
    summary = "A value of an API enum is compared with a literal the API never returns (=, !=, in)"
    docs = """\
## Why
Status members of AWS APIs are enums, and each API spells its values its own way: a SageMaker pipeline
execution is `Succeeded`, a Glue job run `SUCCEEDED`, an Athena query `SUCCEEDED`, a Step Functions
execution `SUCCEEDED`. Comparing with a value the enum does not have is always false (`=`) or always true
(`!=`): a polling loop that waits for `'SUCCEEDED'` from SageMaker never sees success and polls until its
bound or the execution's time limit. The message lists the API's values.

## How to fix
Use the API's spelling (the hint names it when only the case differs).

## Known limits
Only members whose shape is an enum of the API model (or of the project's input JSON Schema) are judged;
a value the inference does not know is never reported. An `in [...]` list with one impossible literal among
possible ones is a warning on that literal (that entry never matches).
"""
    sources = (_SM_PIPE, _GLUE_RUN, _AWSSDK, _RECORDED)
    example_fail = _jsonata({
        "Describe": _DESCRIBE,
        "Done?": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.PipelineExecutionStatus = 'SUCCEEDED' %}", "Next": "Ok"}],
            "Default": "Failed"},
        "Failed": {"Type": "Fail", "Error": "PipelineFailed"},
        "Ok": {"Type": "Succeed"}})
    example_pass = _jsonata({
        "Describe": _DESCRIBE,
        "Done?": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.PipelineExecutionStatus = 'Succeeded' %}", "Next": "Ok"}],
            "Default": "Failed"},
        "Failed": {"Type": "Fail", "Error": "PipelineFailed"},
        "Ok": {"Type": "Succeed"}})

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if not _has_expressions(ctx):
            return
        from ...shapes.findings import enum_mismatches

        yield from _findings(type(self), _found(ctx, enum_mismatches), "enum-mismatch")


_QUERY = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:query",
          "Arguments": {"TableName": "runs", "KeyConditionExpression": "pk = :p",
                        "ExpressionAttributeValues": {":p": {"S": "{% $states.input.id %}"}}},
          "End": True}


class FunctionArgumentRejected(Rule):
    id = "SFN804"
    name = "function-argument-rejected"
    group = GROUP
    severity = Severity.ERROR
    summary = "A built-in JSONata function gets an argument of a type it always rejects"
    docs = """\
## Why
JSONata's functions check their arguments against their signatures: `$sum`, `$max`, `$min` and
`$average` take an array of numbers, `$substring`, `$uppercase` and `$split` a string, `$number` a number,
string or boolean. Called with a value that is certainly of another type, the expression fails with the
JSONata error (T0410 argument type, T0412 array element type, D3030 `$number` of a non-numeric string),
and the state fails with `States.QueryEvaluationError`. The common case: `$max` over ISO 8601 timestamps
(strings) or over DynamoDB numbers (`N` is a string).

## How to fix
Convert first: `$number(...)` for DynamoDB numbers, `$toMillis(...)` for timestamps (e.g.
`$max($items.$toMillis(updatedAt))`), `$string(...)` for numbers.

## Known limits
Only arguments whose type the inference knows are judged. Step Functions' own functions (`$partition`,
`$range`, `$hash`, `$uuid`, `$parse`) are not checked here.
"""
    sources = (TD, _JSONATA_SIG, _JSONATA_AGG, _AWSSDK)
    example_fail = _jsonata({"Latest Run": {**_QUERY, "Output": {
        "latest": "{% $max($states.result.Items.finished_at.S) %}"}}})
    example_pass = _jsonata({"Latest Run": {**_QUERY, "Output": {
        "latest": "{% $max($states.result.Items.finished_at.S.$toMillis($)) %}"}}})

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if not _has_expressions(ctx):
            return
        from ...shapes.findings import bad_arguments

        yield from _findings(type(self), _found(ctx, bad_arguments), "bad-argument")


class ArithmeticOnNonNumber(Rule):
    id = "SFN805"
    name = "arithmetic-on-non-number"
    group = GROUP
    severity = Severity.ERROR
    summary = "Arithmetic (+ - * / %) on a value that is certainly not a number"
    docs = """\
## Why
JSONata's arithmetic operators take numbers only: a string operand (a DynamoDB `N` attribute is a
string, so are timestamps and most API identifiers), an object or a boolean fails the expression with
T2001 (left side) or T2002 (right side), and the state fails with `States.QueryEvaluationError`.

## How to fix
Convert the operand with `$number(...)` (or `$toMillis(...)` for timestamps).

## Known limits
Only operands whose type the inference knows are judged; an undefined operand makes the result undefined
(reported by `member-does-not-exist` when the read cannot exist).
"""
    sources = (TD, _JSONATA_NUM, _DDB)
    example_fail = _jsonata({
        "Get Project": {**_GET_ITEM, "Assign": {"attempts": "{% $states.result.Item.attempts.N + 1 %}"},
                        "Next": "Notify"},
        "Notify": {"Type": "Pass", "Output": {"attempts": "{% $attempts %}"}, "End": True}})
    example_pass = _jsonata({
        "Get Project": {**_GET_ITEM, "Assign": {"attempts": "{% $number($states.result.Item.attempts.N) + 1 %}"},
                        "Next": "Notify"},
        "Notify": {"Type": "Pass", "Output": {"attempts": "{% $attempts %}"}, "End": True}})

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if not _has_expressions(ctx):
            return
        from ...shapes.findings import bad_arguments

        yield from _findings(type(self), _found(ctx, bad_arguments), "bad-operand")


def _poll_loop(restart_assigns: bool) -> dict:
    restart = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
               "Arguments": {"PipelineName": "features", "ClientRequestToken": "{% $uuid() %}"}, "Next": "Wait"}
    if restart_assigns:
        restart["Assign"] = {"arn": "{% $states.result.PipelineExecutionArn %}"}
    return _jsonata({
        "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
                  "Arguments": {"PipelineName": "features", "ClientRequestToken": "{% $uuid() %}"},
                  "Assign": {"arn": "{% $states.result.PipelineExecutionArn %}"}, "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Describe"},
        "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
                     "Arguments": {"PipelineExecutionArn": "{% $arn %}"}, "Next": "Done?"},
        "Done?": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.PipelineExecutionStatus = 'Succeeded' %}", "Next": "Ok"},
            {"Condition": "{% $states.input.PipelineExecutionStatus in ['Failed', 'Stopped'] %}", "Next": "Restart"}],
            "Default": "Wait"},
        "Restart": restart,
        "Ok": {"Type": "Succeed"}})


class PollHandleNotUpdated(Rule):
    id = "SFN806"
    name = "poll-handle-not-updated"
    group = GROUP
    severity = Severity.ERROR
    summary = "A polling loop re-starts its job but the describe call keeps reading the old job's handle"
    docs = """\
## Why
A polling loop starts a job (a SageMaker pipeline, a Glue job run, an Athena query...), stores its handle
in a variable (`"arn": "{% $states.result.PipelineExecutionArn %}"`) and describes the job by that handle
until it is done. When the loop can start the job again (a retry after a failure) without storing the new
handle, the describe Task keeps polling the old job: it sees the old failure again (and restarts again) or
the old success, never the new run.

## How to fix
Assign the handle from the restart's result too (the hint gives the assignment), or poll the restarted job
with its own describe state.

## Known limits
JSONata states only; the describe argument must read exactly one variable (`{% $arn %}`). The job kinds
and their handles come from the polling catalogue (docs/patterns.md; a project's `[tool.sfnc.patterns]`
entries count too).
"""
    sources = (_POLLER, WV, _SM_PIPE)
    example_fail = _poll_loop(restart_assigns=False)
    example_pass = _poll_loop(restart_assigns=True)

    def check(self, ctx: CheckContext) -> Iterator[Finding]:
        if not _has_expressions(ctx):
            return
        from ...shapes.findings import stale_poll_handles
        from .patterns._common import catalogue_for

        entries = catalogue_for(ctx.settings).entries
        yield from _findings(type(self), stale_poll_handles(ctx.machine, entries), "stale-poll-handle")


RULES: tuple[type[Rule], ...] = (MemberDoesNotExist, MemberTestAlwaysFalse, EnumComparisonImpossible,
                                 FunctionArgumentRejected, ArithmeticOnNonNumber, PollHandleNotUpdated)
