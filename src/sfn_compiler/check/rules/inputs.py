"""SFN010-SFN015: problems with the inputs of a check rather than with a definition: a template that does
not render, a configuration that does not load, a file that cannot be read, a definition sfnc does not
read, a CloudFormation resource whose definition properties CloudFormation rejects, an env value no
template uses. They are rules (id,
name, docs) so that every report format can show them (SARIF, GitHub annotations, JUnit, JSON) and CI
sees the failure where it is; `check.sources.input_diagnostic` gives a pipeline problem its rule.

SFN010-SFN012 mean that something was not checked at all: they are always reported as errors (neither
`--select`/`--ignore` nor a severity override hides them) and make the exit code 2.
"""

from __future__ import annotations

from ..base import Rule, Severity

CFN_STATE_MACHINE = ("https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
                     "aws-resource-stepfunctions-statemachine.html")
SAM_STATE_MACHINE = ("https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
                     "sam-resource-statemachine.html")


class _Input(Rule):
    document = True
    group = "input"
    always = False          # True: reported whatever the selection, always an error, exit code 2


class TemplateNotRendered(_Input):
    id = "SFN010"
    name = "template-not-rendered"
    severity = Severity.ERROR
    always = True
    summary = "A template does not render for an env, so its definition was not checked."
    docs = """## Why
`sfnc validate` renders every template for every env before checking it. A template that does not
render for an env (a `${placeholder}` with no value in that env, a value of the wrong type, a Jinja
error in a `.json.j2`) produces no definition, so nothing in it was checked for that env and
`sfnc render` would refuse it too. Reported at the template line, with the env; exit code 2, and
`--ignore` does not hide it (nothing was checked).

## How to fix
Follow the message: add the value under `values:` in the env file (or `--set NAME=VALUE`), or fix the
template expression.
"""
    sources = ("observed sfnc behaviour: `sfnc render` refuses the env the same way",)
    example_fail = None   # needs a project: tests/report/test_formats.py::test_a_template_that_does_not_render
    example_pass = None


class ConfigInvalid(_Input):
    id = "SFN011"
    name = "config-invalid"
    severity = Severity.ERROR
    always = True
    summary = "An env file or the project's sfnc configuration does not load, so nothing was checked with it."
    docs = """## Why
An env file that breaks its schema, an `extends:` chain that is missing or circular, values that
reference each other in a cycle, a value from AWS (`{ssm: ...}`) that is not in the env's lock file, a
refused secret, an env name that does not exist, or a `[tool.sfnc.validate]` table sfnc cannot use: the
templates cannot be rendered for that env (or the rules cannot be configured), so nothing was checked.
Reported at the file and line that is wrong; exit code 2, and `--ignore` does not hide it.

## How to fix
Follow the message and its hint (for a value from AWS: `sfnc lock --env ENV`).
"""
    sources = ("observed sfnc behaviour: every command that loads the env refuses it the same way",)
    example_fail = None   # needs a project: tests/integrations/test_inputs_as_diagnostics.py
    example_pass = None


class InputNotRead(_Input):
    id = "SFN012"
    name = "input-not-read"
    severity = Severity.ERROR
    always = True
    summary = "A file named on the command line or referenced by a template cannot be read."
    docs = """## Why
A PATH that does not exist, a `DefinitionUri` / `DefinitionS3Location` / Terraform `templatefile()` file
that is missing or points outside the project, a file that is not UTF-8 or too large, or a directory
that holds no state machine at all: what it would have held was not checked, and CloudFormation (`sam
build`, `terraform plan`) would fail on the missing file too. Exit code 2, and `--ignore` does not hide
it.

## How to fix
Fix the path (relative to the template for `DefinitionUri`), run sfnc from the project that holds the
file, or point it at the right directory.
"""
    sources = (CFN_STATE_MACHINE, SAM_STATE_MACHINE)
    example_fail = None   # needs files: tests/integrations/test_inputs_as_diagnostics.py
    example_pass = None


class DefinitionNotRead(_Input):
    id = "SFN013"
    name = "definition-not-read"
    severity = Severity.INFO
    summary = "A definition sfnc does not read (in S3, a Terraform local), so that machine was not checked."
    docs = """## Why
sfnc reads definitions in local files and in the template itself. A `DefinitionUri: s3://...`, a
`DefinitionS3Location` with a bucket, a Terraform `definition = local.definition` or a definition chosen
by `Fn::If` is known only at deploy time, so that machine was not checked; a template named on the
command line may also hold no state machine at all. This is information, not a problem with the
template (`--strict` does not fail on it).

## How to fix
Nothing is wrong. To check the machine, validate the definition file itself (`sfnc validate
statemachine.asl.json`), or keep it next to the template and reference it with a local path.
"""
    sources = (CFN_STATE_MACHINE, SAM_STATE_MACHINE)
    example_fail = None   # needs a template: tests/integrations/test_inputs_as_diagnostics.py
    example_pass = None


class TemplatePropertyInvalid(_Input):
    id = "SFN014"
    name = "template-property-invalid"
    severity = Severity.ERROR
    summary = "CloudFormation rejects the state machine's definition properties (substitutions, or which of them is set)."
    docs = """## Why
CloudFormation and SAM accept exactly one of `Definition`, `DefinitionString`, `DefinitionUri` (SAM) and
`DefinitionS3Location`, and `DefinitionSubstitutions` is a map whose values are strings, numbers or
booleans (or intrinsic functions returning one): a list, a map or a null value fails the stack
operation with "Invalid definition substitution type". The definition itself is still checked as far
as it can be read.

## How to fix
Keep one definition property; give each substitution a scalar value (`!Join` or `!Sub` to build a
string from parts).
"""
    sources = (CFN_STATE_MACHINE, SAM_STATE_MACHINE)
    example_fail = None   # needs a template: tests/integrations/test_inputs_as_diagnostics.py
    example_pass = None


class EnvValueUnused(_Input):
    id = "SFN015"
    name = "env-value-unused"
    severity = Severity.WARNING
    summary = "A value in an env file is used by no template (often a misspelled key)."
    docs = """## Why
Every value under `values:` is there for a template's `${...}`. A value no template uses is most often a
misspelled key (`tables.lokcs` for `tables.locks`): the template then renders with the value it inherits
from `envs/_base.yaml`, or fails to render in another env, and the value meant for this env never
reaches the definition. sfnc reports it at its line in the env file, with "did you mean" when a template
uses a similar key. It is checked only when every template of the env rendered (a template that did not
render may use any value). A warning: `--strict` fails on it, `--ignore SFN015` hides it; `sfnc render
--strict` refuses to write the env.

## How to fix
Rename the key to the one the templates use, or remove it.
"""
    sources = ("observed sfnc behaviour: `sfnc render` warns about the same values (errors with --strict)",)
    example_fail = None   # needs a project: tests/cli/test_render_cli.py::test_misspelled_value_suggests_the_key_the_templates_use
    example_pass = None


RULES = (TemplateNotRendered, ConfigInvalid, InputNotRead, DefinitionNotRead, TemplatePropertyInvalid, EnvValueUnused)
