"""`sfnc lock`: resolve env values that live in AWS (SSM parameters, stack outputs) into envs/<env>.lock.json."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK
from . import _common, app


@app.command()
@_common.handle_errors
def lock(
    env: Annotated[Optional[list[str]], typer.Option("--env", "-e", metavar="ENV", help="Env to lock (repeatable).")] = None,
    all_envs: Annotated[bool, typer.Option("--all-envs", help="Every env.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Compare AWS with the lock files; write nothing; exit 1 when they differ.")] = False,
) -> None:
    """Look up {ssm: ...} and {stack_output: ...} env values in AWS and pin them in envs/<env>.lock.json.

    Other commands read the pinned values and never call AWS for them, so `render --check` is
    deterministic; re-run `sfnc lock` to take new values (and review the lock file's diff)."""
    from ..awsvalues import Resolver, lock_path, lock_text, read_lock, refs_of_env, resolve_env
    from ..render.engine import write_text_atomic
    from .render import select_envs

    project = _common.project()
    names = select_envs(project, env, all_envs)
    resolver = Resolver()
    problems = []
    stale = 0
    for name in names:
        refs, _ = refs_of_env(project, name)
        path = lock_path(project, name)
        shown = project.display(path)
        if not refs:
            typer.echo(f"{name}: no values from AWS" + (f" ({shown} is not needed)" if path.exists() else ""))
            continue
        values, env_problems = resolve_env(project, name, resolver)
        if env_problems:
            problems.extend(env_problems)
            continue
        text = lock_text(name, values)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if check:
            locked = read_lock(path, shown) if current is not None else {}
            changed = sorted(k for k in set(values) | set(locked)
                             if k not in values or k not in locked or locked[k].get("value") != values[k])
            if changed:
                stale += 1
                typer.echo(f"{name}: {shown} differs from AWS: " + ", ".join(changed))
            else:
                typer.echo(f"{name}: {shown} matches AWS ({len(values)} values)")
            continue
        if current == text:
            typer.echo(f"{name}: {shown} unchanged ({len(values)} values)")
        else:
            write_text_atomic(path, text)
            typer.echo(f"{name}: wrote {shown} ({len(values)} values)")
    if problems:
        _common.print_problems(problems)
        raise typer.Exit(EXIT_ERROR)
    typer.echo(f"{resolver.calls} AWS lookups", err=True)
    raise typer.Exit(EXIT_FINDINGS if stale else EXIT_OK)

