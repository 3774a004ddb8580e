"""SFN0xx: checks on the document as a whole, before (or around) the other rules: reading the file,
unrendered placeholders, suppressions, rule crashes and AWS's own validation. They are rules too (id,
name, docs, examples), so they share selection, severity overrides and reporting; the runner
(`check/runner.py`) implements them, so their `check` is never called (`document = True`)."""

from __future__ import annotations

from ..base import Rule, Severity

AWS_DOC_STRUCTURE = "https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html"


class InvalidJson(Rule):
    id = "SFN001"
    document = True
    name = "invalid-json"
    group = "parse"
    severity = Severity.ERROR
    summary = "The definition is not valid JSON."
    docs = """## Why
Step Functions rejects a definition that does not parse (`INVALID_JSON_DESCRIPTION`), and no other check
can run on it. sfnc reports it as an input error (exit code 2) with the parser's line and column.

## How to fix
Fix the JSON at the reported position (a trailing comma, a missing quote, an unescaped newline).
"""
    sources = ("https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html",
               "observed AWS behaviour: INVALID_JSON_DESCRIPTION (LocalStack snapshot test_sfn_api_validation)")
    example_fail = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"},}}'
    example_pass = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'


class DuplicateKey(Rule):
    id = "SFN002"
    document = True
    name = "duplicate-key"
    group = "parse"
    severity = Severity.ERROR
    summary = "An object has the same key twice; JSON keeps only the last one."
    docs = """## Why
JSON parsers keep the last of two equal keys, so a repeated state name silently replaces the first
state and a repeated field silently drops a value. The ASL spec requires unique state names.

## How to fix
Rename or remove one of the two; the message gives both lines.
"""
    sources = ("https://states-language.net/spec.html#states-fields",
               "https://github.com/awslabs/statelint/issues/39")
    example_fail = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Fail"}}}'
    example_pass = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Fail"}}}'


class DefinitionTooLarge(Rule):
    id = "SFN003"
    document = True
    name = "definition-too-large"
    group = "parse"
    severity = Severity.ERROR
    summary = "The definition is longer than 1,048,576 characters, the API limit."
    docs = """## Why
CreateStateMachine, UpdateStateMachine and ValidateStateMachineDefinition accept a `definition` of at
most 1,048,576 characters; a longer one cannot be deployed.

## How to fix
Split the workflow into nested state machines (`states:startExecution.sync:2`) or move repeated data
out of the definition.
"""
    sources = ("https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html",
               "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html")
    example_fail = None  # built in tests: a definition padded past the limit
    example_pass = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'


class NotAStateMachine(Rule):
    id = "SFN004"
    document = True
    name = "not-a-state-machine"
    group = "parse"
    severity = Severity.ERROR
    summary = "The file is JSON but not a state machine (no `StartAt` and `States`)."
    docs = """## Why
A state machine definition is an object with `StartAt` and `States` (AWS: `SCHEMA_VALIDATION_FAILED`,
"These fields are required: [States, StartAt]"). A file without them is usually not a definition at
all (a CloudFormation template, a mock config), so sfnc reports it as an input error (exit code 2).

## How to fix
Point sfnc at the definition file, or add the missing fields.
"""
    sources = (AWS_DOC_STRUCTURE,)
    example_fail = '{"Resources": {}}'
    example_pass = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}'


class UnusedSuppression(Rule):
    id = "SFN005"
    document = True
    name = "unused-suppression"
    group = "suppression"
    severity = Severity.WARNING
    summary = "An `sfnc: ignore[...]` comment suppresses nothing."
    docs = """## Why
A suppression that no longer matches a finding hides nothing today but would hide a future problem
silently; removing it keeps the definition honest.

## How to fix
Remove the rule from the comment (or the whole `sfnc: ignore[...]`).
"""
    sources = ("observed sfnc behaviour: suppressions live in a state's Comment",)
    example_fail = '{"StartAt": "A", "States": {"A": {"Type": "Succeed", "Comment": "sfnc: ignore[SFN002] legacy"}}}'
    example_pass = '{"StartAt": "A", "States": {"A": {"Type": "Succeed", "Comment": "done"}}}'


class InvalidSuppression(Rule):
    id = "SFN006"
    document = True
    name = "invalid-suppression"
    group = "suppression"
    severity = Severity.WARNING
    summary = "An `sfnc: ignore[...]` comment names no known rule."
    docs = """## Why
A misspelt rule id or name in a suppression suppresses nothing, so the finding it was meant for is
still reported and the comment is misleading.

## How to fix
Use a rule id (`SFN203`) or name (`state-unreachable`); `sfnc rules` lists them.
"""
    sources = ("observed sfnc behaviour: suppressions live in a state's Comment",)
    example_fail = '{"StartAt": "A", "States": {"A": {"Type": "Succeed", "Comment": "sfnc: ignore[no-such-rule] x"}}}'
    example_pass = '{"StartAt": "A", "States": {"A": {"Type": "Succeed", "Comment": "sfnc: a normal comment"}}}'


class AwsValidation(Rule):
    id = "SFN008"
    document = True
    name = "aws-validation"
    group = "remote"
    severity = Severity.ERROR
    summary = "AWS ValidateStateMachineDefinition reported a problem (`--remote`)."
    docs = """## Why
`sfnc validate --remote` also sends each definition to AWS's ValidateStateMachineDefinition API. AWS
says to rely only on its OK/FAIL result, not on codes or wording, so every AWS diagnostic maps to this
rule with the AWS code in the message; ERROR diagnostics are errors, WARNING ones warnings.

## How to fix
Follow the AWS message; report a missing offline check to sfnc if AWS caught something sfnc did not.
"""
    sources = ("https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html",)
    example_fail = None  # needs AWS; tested with botocore's Stubber
    example_pass = None


class RuleCrashed(Rule):
    id = "SFN009"
    document = True
    name = "rule-crashed"
    group = "internal"
    severity = Severity.ERROR
    summary = "A rule raised an exception on this definition (a bug in sfnc)."
    docs = """## Why
A crashing rule never stops the run: its crash is reported here so the other rules' results still count.

## How to fix
Please report it with the definition; `--debug` shows the traceback. Meanwhile ignore the rule for
this file with `per-path-ignores`.
"""
    sources = ("observed sfnc behaviour",)
    example_fail = None
    example_pass = None


RULES = (InvalidJson, DuplicateKey, DefinitionTooLarge, NotAStateMachine, UnusedSuppression,
                  InvalidSuppression, AwsValidation, RuleCrashed)
# the file could not be validated at all (SFN010-SFN012: a template, a config or a file not read): exit code 2
INPUT_ERROR_RULES = {"SFN001", "SFN004", "SFN010", "SFN011", "SFN012"}


class UnrenderedPlaceholder(Rule):
    id = "SFN007"
    document = True
    name = "unrendered-placeholder"
    group = "parse"
    severity = Severity.WARNING
    summary = "The definition still holds `${...}` deploy-time placeholders."
    docs = """## Why
A `${Name}` left in a definition is deployed literally (CloudFormation/SAM leave unknown keys alone),
and fails later or silently, e.g. as a `Resource` that is not an ARN. When you validate a template file
directly, sfnc treats each placeholder as an opaque value of whatever type the field needs and warns
once per file; `--placeholders opaque` accepts them silently, `--placeholders error` reports each one.

## How to fix
Validate the rendered definitions (`sfnc validate --env ENV`), or pass `--placeholders opaque` for
files whose placeholders another tool fills in.
"""
    sources = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-stepfunctions-statemachine.html",)
    example_fail = '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${FnArn}", "End": true}}}'
    example_pass = '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}'


RULES = RULES + (UnrenderedPlaceholder,)
