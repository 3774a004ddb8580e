"""`sfnc render`: compile templates into `definitions/<env>/*.json`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..diagnostics import Diagnostic
from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from . import _common
from . import app

EnvOpt = Annotated[Optional[list[str]], typer.Option("--env", "-e", metavar="ENV",
                                                      help="Env to use (repeatable); envs/<ENV>.yaml.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", metavar="KEY=VALUE",
                                                      help="Override a value (YAML-typed); e.g. poll.max_attempts=5.")]


def select_envs(project, envs: list[str] | None, all_envs: bool, *, required: bool = True) -> list[str]:
    from ..envconfig import available_envs_hint

    if envs and all_envs:
        raise SfncError("use either --env or --all-envs, not both")
    if all_envs or (not envs and not required):
        names = project.env_names()
        if not names:
            raise SfncError("no env files found", hint=available_envs_hint(project))
        return names
    if not envs:
        raise SfncError("no env selected", hint="pass --env ENV or --all-envs; " + available_envs_hint(project))
    return list(dict.fromkeys(envs))


@app.command()
@_common.handle_errors
def render(
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
    from ..pipeline import render_env
    from ..render import stale_diffs, write_outputs

    project = _common.project()
    if not project.templates():
        raise SfncError(f"no templates found in {project.display(project.templates_dir)}",
                        hint="templates are *.json or *.json.j2 files")
    env_names = select_envs(project, env, all_envs)
    if stdout is not None:
        if len(env_names) != 1:
            raise SfncError("--stdout needs exactly one --env")
        envcfg = load_env(project, env_names[0], sets or ())
        result = render_env(project, envcfg, [stdout])
        if result.problems:
            raise SfncError(result.problems)
        typer.echo(result.templates[0].text, nl=False)
        return

    exit_code = EXIT_OK
    failures: list[Diagnostic] = []
    base = out if out is not None else project.definitions_dir
    for name in env_names:
        envcfg = load_env(project, name, sets or ())
        result = render_env(project, envcfg, names or None)
        problems = list(result.problems)
        if strict:
            problems += [replace(w, severity="error") for w in result.warnings]
        else:
            _common.print_problems(result.warnings)
        if problems:
            failures.extend(problems)
            _common.print_problems(problems)
            typer.echo(f"{name}: {len(project.templates()) if not names else len(names)} templates, "
                       f"{len(problems)} error(s), nothing written", err=True)
            continue
        out_dir = base / name
        if check:
            diffs = stale_diffs(out_dir, result.templates, project.display, orphans=not names)
            if diffs:
                for d in diffs:
                    typer.echo(d, nl=not d.endswith("\n"))
                typer.echo(f"{name}: {len(diffs)} of {len(result.templates)} definitions are stale "
                           f"(run `sfnc render --env {name}`)", err=True)
                exit_code = EXIT_FINDINGS
            else:
                typer.echo(f"{name}: {len(result.templates)} definitions up to date")
            continue
        wr = write_outputs(out_dir, result.templates, prune=not names)
        extra = f", {len(wr.removed)} removed" if wr.removed else ""
        typer.echo(f"{name}: {len(result.templates)} templates, {len(wr.written)} written, "
                   f"{len(wr.unchanged)} unchanged{extra} -> {project.display(out_dir)}")
    if failures:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(exit_code)
