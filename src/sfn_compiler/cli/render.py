"""`sfnc render`: compile templates into `definitions/<env>/*.json`."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from . import _common
from . import app

EnvOpt = Annotated[Optional[list[str]], typer.Option("--env", "-e", metavar="ENV",
                                                      help="Env to use (repeatable); envs/<ENV>.yaml.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", metavar="KEY=VALUE",
                                                      help="Override a value (YAML-typed); e.g. poll.max_attempts=5.")]


@app.command()
@_common.handle_errors
def render(
    ctx: typer.Context,
    names: Annotated[Optional[list[str]], typer.Argument(metavar="[NAME]...", help="Templates to render (default: all).")] = None,
    env: EnvOpt = None,
    all_envs: Annotated[bool, typer.Option("--all-envs", help="Render every env in envs/.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 with a diff when committed output is stale.")] = False,
    stdout: Annotated[Optional[str], typer.Option("--stdout", metavar="NAME", help="Print one rendered definition instead of writing files.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar="DIR", help="Write to DIR/<env>/ instead of definitions/<env>/.")] = None,
    sets: SetOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Unused env values are errors.")] = False,
) -> None:
    """Render templates/ into definitions/<env>/ (atomically per env)."""
    from ..envconfig import load_env
    from ..pipeline import render_env, render_project, select_envs

    project = _common.project(ctx)
    if not project.templates():
        raise SfncError(f"no templates found in {project.display(project.templates_dir)}",
                        hint="templates are *.json or *.json.j2 files")
    env_names = select_envs(project, env, all_envs)
    if stdout is not None:
        if len(env_names) != 1:
            raise SfncError("--stdout needs exactly one --env")
        result = render_env(project, load_env(project, env_names[0], sets or ()), [stdout])
        if result.problems:
            raise SfncError(result.problems)
        typer.echo(result.templates[0].text, nl=False)
        return

    exit_code = EXIT_OK
    failed = False
    for o in render_project(project, env_names, names, tuple(sets or ()), strict=strict, check=check, out=out):
        if not strict:
            _common.print_problems(o.render.warnings)
        if o.problems:
            # a template that does not render is an input error (2); with --strict, unused values only are
            # findings (1), like validation errors
            failed = failed or bool(o.render.problems)
            exit_code = EXIT_FINDINGS
            _common.print_problems(o.problems)
            typer.echo(f"{o.env}: {len(project.templates()) if not names else len(names)} templates, "
                       f"{len(o.problems)} error(s), nothing written", err=True)
        elif o.diffs:
            for d in o.diffs:
                typer.echo(d, nl=not d.endswith("\n"))
            typer.echo(f"{o.env}: {len(o.diffs)} of {len(o.render.templates)} definitions are stale "
                       f"(run `sfnc render --env {o.env}`)", err=True)
            exit_code = EXIT_FINDINGS
        elif o.diffs is not None:
            typer.echo(f"{o.env}: {len(o.render.templates)} definitions up to date")
        else:
            wr = o.written
            extra = f", {len(wr.removed)} removed" if wr.removed else ""
            typer.echo(f"{o.env}: {len(o.render.templates)} templates, {len(wr.written)} written, "
                       f"{len(wr.unchanged)} unchanged{extra} -> {project.display(o.out_dir)}")
    raise typer.Exit(EXIT_ERROR if failed else exit_code)
