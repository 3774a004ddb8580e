"""`sfnc validate`, `sfnc rules`, `sfnc explain`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from . import _common
from . import app
from .render import EnvOpt, SetOpt

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="text, json, sarif, github or junit.")]


def _merge_envs(diags):
    """Diagnostics that are the same in several envs (same rule, template location, message) become one."""
    merged = {}
    for d in diags:
        if not d.template:
            merged[id(d)] = d
            continue
        key = (d.rule, d.template, d.message)
        if key in merged:
            first = merged[key]
            first.env = f"{first.env}, {d.env}" if d.env and d.env not in (first.env or "").split(", ") else first.env
        else:
            merged[key] = d
    return list(merged.values())


@app.command()
@_common.handle_errors
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="[PATH]...", help="ASL files or directories (default: the project's templates, rendered).")] = None,
    env: EnvOpt = None,
    fmt: FormatOpt = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    select: Annotated[Optional[list[str]], typer.Option("--select", metavar="RULE", help="Only these rules (id, name, group, prefix).")] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", metavar="RULE", help="Skip these rules.")] = None,
    placeholders: Annotated[Optional[str], typer.Option("--placeholders", metavar="MODE", help="opaque: unrendered ${...} stand for any value; error: each is an error.")] = None,
    remote: Annotated[bool, typer.Option("--remote", help="Also call AWS ValidateStateMachineDefinition (credentials needed).")] = False,
    machine_type: Annotated[Optional[str], typer.Option("--type", metavar="TYPE", help="STANDARD or EXPRESS, for PATHs (with --env the env's aws.type is used).")] = None,
    sets: SetOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write the report to FILE.")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option("--exclude", metavar="GLOB", help="Skip files and directories matching GLOB under a directory PATH (repeatable; ** spans directories).")] = None,
) -> None:
    """Validate state machines: the project's templates rendered per env, or ASL files."""
    from ..check import CheckConfig, runner, validate_rendered
    from ..check.pipeline import INPUT_ERROR_RULES
    from ..check.registry import all_rules, check_selectors
    from ..report import FORMATS, Summary, render

    if fmt not in FORMATS:
        raise SfncError(f"unknown format {fmt!r}", hint="formats: " + ", ".join(FORMATS))
    if machine_type is not None:
        machine_type = machine_type.upper()
        if machine_type not in ("STANDARD", "EXPRESS"):
            raise SfncError(f"--type must be STANDARD or EXPRESS, not {machine_type!r}")
    if placeholders not in (None, "opaque", "error"):
        raise SfncError(f"--placeholders must be 'opaque' or 'error', not {placeholders!r}")
    runner.DEBUG = _common.STATE.debug
    project = _common.project()
    config = CheckConfig.from_project(project)
    if select:
        check_selectors(select, "--select")
        config.select = select
    if ignore:
        check_selectors(ignore, "--ignore")
        config.ignore = config.ignore + ignore
    if placeholders:
        config.placeholders = placeholders

    diags = []
    files: list[str] = []
    envs_used: list[str] = []
    after: list = []     # problems printed after the report (inputs that could not be read: exit 2)
    notes: list[str] = []
    if paths:
        if env:
            raise SfncError("give either PATHs or --env, not both")
        from ..check.sources import validate_paths

        res = validate_paths(paths, config, display=project.display, roots=[project.root], excludes=exclude,
                             machine_type=machine_type)
        diags.extend(res.diagnostics)
        files.extend(res.files)
        after.extend(res.problems)
        notes.extend(res.notes)
        if remote and res.remote:
            from ..check.remote import make_client, remote_diagnostics

            client = make_client()
            for t in res.remote:
                diags += t.relocate(remote_diagnostics(client, t.load(), config, machine_type=t.machine_type or "STANDARD",
                                                       source_map=t.source_map))
        if not files and not after:
            from ..errors import Problem

            after.append(Problem("no state machine definitions found in " + ", ".join(str(p) for p in paths),
                                 hint="sfnc reads *.asl.json, *.asl.yaml, *.json and *.yaml definitions, CloudFormation/"
                                      "SAM/CDK templates and Terraform files (see docs/adopt.md#which-files-a-directory-walk-reads)"))
    else:
        from ..envconfig import load_env
        from ..render import render_env
        from .render import select_envs

        if machine_type:
            raise SfncError("--type is for PATHs; with templates the env's aws.type (or aws.templates.<name>.type) is used")
        if not project.templates():
            raise SfncError("nothing to validate: no PATH given and no templates/ in this project",
                            hint="run `sfnc validate FILE.json` or run from a project with templates/ and envs/")
        env_names = select_envs(project, env, False, required=False)
        render_problems = []
        for name in env_names:
            envcfg = load_env(project, name, sets or ())
            result = render_env(project, envcfg)
            render_problems.extend(result.problems)
            envs_used.append(name)
            for r in result.templates:
                display = project.display(project.definitions_dir / name / f"{r.name}.json")
                files.append(display)
                mtype = envcfg.machine_settings(r.name).get("type", "STANDARD")
                rdiags = validate_rendered(r, config, display=display, machine_type=mtype)
                if remote:
                    from ..check.remote import make_client, remote_diagnostics
                    from ..load import JsonDocument

                    rdiags += remote_diagnostics(make_client(envcfg.aws), JsonDocument(r.data, r.text, display), config,
                                                 machine_type=mtype,
                                                 source_map=r.source_map, env=name)
                diags.extend(rdiags)
        if render_problems:
            raise SfncError(render_problems)
        diags = _merge_envs(diags)
        files = sorted(set(files))

    from ..diagnostics import Diagnostic

    diags.sort(key=Diagnostic.sort_key)
    summary = Summary.of(diags, len(files), envs_used, len([r for r in all_rules() if config.enabled(r)]))
    text = render(fmt, diags, summary, style=lambda s, **k: _common.style(s, **k), files=files)
    if output:
        from ..render.engine import write_text_atomic

        write_text_atomic(output, text)
        typer.echo(summary.line(), err=True)
    else:
        typer.echo(text, nl=False)
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    if after:
        _common.print_problems(after)
        raise typer.Exit(EXIT_ERROR)
    if any(d.rule in INPUT_ERROR_RULES for d in diags):
        raise typer.Exit(EXIT_ERROR)
    if summary.errors or (strict and summary.warnings):
        raise typer.Exit(EXIT_FINDINGS)
    raise typer.Exit(EXIT_OK)


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
