"""`sfnc validate`, `sfnc rules`, `sfnc explain`."""

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import SfncError
from . import _common
from . import app
from .render import EnvOpt, SetOpt

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="text, json, sarif, github or junit.")]


@app.command()
@_common.handle_errors
def validate(
    ctx: typer.Context,
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="[PATH]...", help="ASL files, CloudFormation/SAM/CDK templates, Terraform files or directories (default: the project's templates, rendered).")] = None,
    env: EnvOpt = None,
    fmt: FormatOpt = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    select: Annotated[Optional[list[str]], typer.Option("--select", metavar="RULE", help="Only these rules (id, name, group, prefix).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", metavar="RULE", help="Skip these rules.")] = None,
    placeholders: Annotated[Optional[str], typer.Option("--placeholders", metavar="MODE", help="opaque: unrendered ${...} stand for any value; error: each is an error.")] = None,
    remote: Annotated[bool, typer.Option("--remote", help="Also call AWS ValidateStateMachineDefinition (credentials needed).")] = False,
    machine_type: Annotated[Optional[str], typer.Option("--type", metavar="TYPE", help="STANDARD or EXPRESS, for PATHs (with --env the env's aws.type is used).")] = None,
    input_schema: Annotated[Optional[Path], typer.Option("--input-schema", metavar="FILE", help="JSON Schema of the execution input, for PATHs (templates: templates/<name>.input.schema.json).")] = None,
    sets: SetOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE.")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write the result cache (.sfnc_cache/).")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", metavar="N", min=1, help="Worker processes for many files (default: more than one only for a lot of text on an idle machine).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", metavar="GLOB", help="Skip files and directories matching GLOB under a directory PATH (repeatable; ** spans directories).")] = None,
) -> None:
    """Validate state machines: the project's templates rendered per env, or state machines where they live
    (ASL files, CloudFormation/SAM/CDK templates, Terraform files)."""
    from ..pipeline import ValidateOptions, validate as run_validation
    from ..report import FORMATS, render

    if fmt not in FORMATS:
        raise SfncError(f"unknown format {fmt!r}", hint="formats: " + ", ".join(FORMATS))
    if machine_type is not None:
        machine_type = machine_type.upper()
        if machine_type not in ("STANDARD", "EXPRESS"):
            raise SfncError(f"--type must be STANDARD or EXPRESS, not {machine_type!r}")
    if placeholders not in (None, "opaque", "error"):
        raise SfncError(f"--placeholders must be 'opaque' or 'error', not {placeholders!r}")
    run = run_validation(_common.project(ctx), ValidateOptions(
        paths=paths, excludes=exclude, envs=env, select=select, ignore=ignore, placeholders=placeholders, remote=remote,
        machine_type=machine_type, input_schema=input_schema, sets=tuple(sets or ()), strict=strict,
        debug=_common.options(ctx).debug, cache=not no_cache, jobs=jobs))
    # every format, on every exit code: templates that do not render, configs that do not load and files not
    # read are diagnostics (SFN010-SFN015) in the report like the findings
    summary = run.summary
    text = render(fmt, run.diagnostics, summary, style=lambda s, **k: _common.style(s, **k), files=run.files)
    if output:
        from ..fsutil import write_file

        write_file(output, text)
        typer.echo(summary.line(), err=True)
    else:
        typer.echo(text, nl=False)
    raise typer.Exit(run.exit_code)


@app.command()
@_common.handle_errors
def rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, md or json.")] = "text",
) -> None:
    """List the rules (id, name, group, default severity, summary)."""
    from ..check.registry import all_rules

    rs = all_rules()
    if fmt == "json":
        typer.echo(json.dumps([{"id": r.id, "name": r.name, "group": r.group, "severity": r.severity.value,
                                "summary": r.summary, "sources": list(r.sources)} for r in rs], indent=2))
    elif fmt == "md":
        from ..check.docs import rules_markdown

        typer.echo(rules_markdown(), nl=False)
    elif fmt == "text":
        for r in rs:
            typer.echo(f"{r.id}  {r.name:<36} {r.severity.value:<8} {r.group:<12} {r.summary}")
    else:
        raise SfncError(f"unknown format {fmt!r}", hint="text, md or json")


@app.command()
@_common.handle_errors
def explain(rule: Annotated[str, typer.Argument(help="Rule id (SFN201) or name.")]) -> None:
    """Print a rule's documentation with an example that fires and one that does not."""
    from ..check.docs import rule_markdown
    from ..check.registry import all_rules, find_rule

    r = find_rule(rule)
    if r is None:
        import difflib

        names = [x.name for x in all_rules()] + [x.id for x in all_rules()]
        close = difflib.get_close_matches(rule, names, n=1)
        raise SfncError(f"no rule {rule!r}", hint=(f"did you mean {close[0]!r}? " if close else "") + "`sfnc rules` lists them")
    typer.echo(rule_markdown(r), nl=False)
