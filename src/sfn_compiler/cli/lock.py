"""`sfnc lock`: resolve env values that live in AWS (SSM parameters, stack outputs) into envs/<env>.lock.json."""

from typing import Annotated, Optional

import typer

from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from . import _common, app


@app.command()
@_common.handle_errors
def lock(
    ctx: typer.Context,
    env: Annotated[Optional[list[str]], typer.Option("--env", "-e", metavar="ENV", help="Env to lock (repeatable).")] = None,
    all_envs: Annotated[bool, typer.Option("--all-envs", help="Every env.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Compare AWS with the lock files; write nothing; exit 1 when they differ.")] = False,
) -> None:
    """Look up {ssm: ...} and {stack_output: ...} env values in AWS and pin them in envs/<env>.lock.json.

    Other commands read the pinned values and never call AWS for them, so `render --check` is
    deterministic; re-run `sfnc lock` to take new values (and review the lock file's diff). `sfnc deploy`
    refuses to deploy an env whose lock file no longer matches AWS."""
    from ..deploy.lock import Resolver, lock_env
    from ..pipeline import select_envs

    project = _common.project(ctx)
    resolver = Resolver()
    problems = []
    stale = 0
    for name in select_envs(project, env, all_envs):
        r = lock_env(project, name, resolver, check=check)
        if r.problems:
            problems.extend(r.problems)
        elif not r.refs:
            typer.echo(f"{name}: no values from AWS" + (f" ({r.lock_file} is not needed)" if r.exists else ""))
        elif check and r.stale:
            stale += 1
            typer.echo(f"{name}: {r.lock_file} differs from AWS: " + ", ".join(r.stale))
        elif check:
            typer.echo(f"{name}: {r.lock_file} matches AWS ({r.refs} values)")
        elif r.written:
            typer.echo(f"{name}: wrote {r.lock_file} ({r.refs} values)")
        else:
            typer.echo(f"{name}: {r.lock_file} unchanged ({r.refs} values)")
    if problems:
        _common.print_problems(problems)
        raise typer.Exit(EXIT_ERROR)
    typer.echo(f"{resolver.calls} AWS lookups", err=True)
    raise typer.Exit(EXIT_FINDINGS if stale else EXIT_OK)
