"""`sfnc deploy` and `sfnc diff`: committed definitions -> Step Functions, and drift checks.

boto3 is imported only when one of these commands runs (inside `deploy.client.SfnClient.connect`).
"""

import sys
from typing import Annotated, Optional

import typer

from ..diagnostics import Diagnostic, problem
from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from . import _common
from . import app

NamesArg = Annotated[Optional[list[str]], typer.Argument(
    metavar="[NAME]...", help="Templates or state machine names (default: all of the env).")]
EnvReq = Annotated[str, typer.Option("--env", "-e", metavar="ENV", help="The env: envs/<ENV>.yaml.")]
SetOpt = Annotated[Optional[list[str]], typer.Option("--set", metavar="KEY=VALUE",
                                                      help="Override a value (YAML-typed); e.g. aws.region=eu-west-1.")]


def _stdin_is_tty() -> bool:
    return hasattr(sys.stdin, "isatty") and sys.stdin.isatty()


def _colorize_diff(diff: str) -> str:
    if not _common.color_enabled():
        return diff
    out = []
    for line in diff.splitlines(keepends=True):
        body, nl = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if line.startswith(("+++", "---")):
            out.append(typer.style(body, bold=True) + nl)
        elif line.startswith("+"):
            out.append(typer.style(body, fg="green") + nl)
        elif line.startswith("-"):
            out.append(typer.style(body, fg="red") + nl)
        elif line.startswith("@@"):
            out.append(typer.style(body, fg="cyan") + nl)
        else:
            out.append(line)
    return "".join(out)


def _aws_problem(exc, env: str, name: str | None = None) -> Diagnostic:
    prefix = f"{name}: " if name else ""
    return problem(prefix + exc.message, env=env, hint=exc.hint)


def _connect(envcfg):
    """Client + account guard for an env. Returns (client, account_id used for ARNs, guard line)."""
    from ..deploy.client import AwsError, SfnClient, account_guard

    aws = envcfg.aws
    try:
        client = SfnClient.connect(aws)
        checked = account_guard(client, aws.get("account_id"))
    except AwsError as exc:
        raise SfncError(_aws_problem(exc, envcfg.name)) from None
    where = aws.get("endpoint_url") or f"AWS {client.region}"
    if client.local:
        guard = f"local endpoint {where}: account guard skipped, dummy credentials"
    elif aws.get("account_id"):
        guard = f"{where}, account {checked} (matches account_id)"
    else:
        guard = (f"{where}, account {checked} "
                 + _common.style("(warning: aws.account_id is not set, so the account guard is off)", fg="yellow"))
    return client, aws.get("account_id") or checked, guard


def _plan(envcfg, client, targets, account_id):
    from ..deploy.client import AwsError
    from ..deploy.run import plan_targets

    try:
        return plan_targets(client, targets, account_id=account_id)
    except AwsError as exc:  # the endpoint or the credentials: every machine would fail the same way
        raise SfncError(_aws_problem(exc, envcfg.name)) from None


def _print_refusals(envname: str, col) -> None:
    _common.print_problems(col.refusals)
    typer.echo(f"{envname}: refusing to deploy: {len(col.refusals)} problem(s) above; nothing was changed", err=True)


@app.command()
@_common.handle_errors
def deploy(
    ctx: typer.Context,
    env: EnvReq,
    names: NamesArg = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan and diffs; make no changing call.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (envs with aws.confirm).")] = False,
    sets: SetOpt = None,
) -> None:
    """Deploy the committed definitions/<ENV>/ files: create, update (publish, alias, tags) or leave unchanged.

    Refuses stale or invalid definitions, and an env whose values from AWS (envs/<ENV>.lock.json) changed
    since they were locked. Exit 0 when everything deployed (or is unchanged), 1 when a
    machine failed or the deploy was refused, 2 for usage, config and credential errors.
    """
    from ..deploy.collect import collect_targets, git_commit
    from ..deploy.plan import Plan
    from ..deploy.results import format_plan, planned_result, summary_table
    from ..deploy.run import apply_plans
    from ..envconfig import load_env

    project = _common.project(ctx)
    envcfg = load_env(project, env, sets or ())
    col = collect_targets(project, envcfg, names, committed=True, validate=True)
    _common.print_problems(col.warnings)
    if col.refusals:
        _print_refusals(env, col)
        raise typer.Exit(EXIT_FINDINGS)
    if col.skipped:
        typer.echo(f"skipped (aws.templates.<name>.skip): {', '.join(col.skipped)}")
    if not col.targets:
        typer.echo(f"{env}: nothing to deploy")
        raise typer.Exit(EXIT_OK)
    needs_confirm = bool(envcfg.aws.get("confirm")) and not yes and not dry_run
    if needs_confirm and not _stdin_is_tty():
        raise SfncError(f"env {env!r} needs confirmation (aws.confirm: true) and there is no terminal to ask on",
                        hint="pass --yes to deploy non-interactively, or --dry-run to see the plan")

    client, account_id, guard = _connect(envcfg)
    typer.echo(f"env {env}: {guard}")
    if envcfg.aws_refs:   # values from SSM / stack outputs: what was rendered must still be what AWS holds
        from ..deploy.lock import stale_lock_problems

        stale = stale_lock_problems(project, envcfg)
        if stale:
            _common.print_problems(stale)
            typer.echo(f"{env}: refusing to deploy: the lock file is stale; nothing was changed", err=True)
            raise typer.Exit(EXIT_FINDINGS)
    plans = _plan(envcfg, client, col.targets, account_id)
    for p in plans:
        if isinstance(p, Plan):
            typer.echo(format_plan(p, colorize=_colorize_diff), nl=False)
        else:
            typer.echo(f"{p.target.name} ({env}/{p.target.template}): " + _common.style("failed", fg="red", bold=True)
                       + f": {p.error}")
    if dry_run:
        results = [planned_result(p) if isinstance(p, Plan) else p for p in plans]
        typer.echo("\nDry run: no changes made.")
        typer.echo(summary_table(results, style=_common.style), nl=False)
        raise typer.Exit(EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK)

    changes = sum(1 for p in plans if isinstance(p, Plan) and p.changed)
    if needs_confirm and changes:
        if not typer.confirm(f"Apply {changes} change(s) to env {env!r}?", default=False):
            typer.echo("aborted: nothing was changed", err=True)
            raise typer.Exit(EXIT_FINDINGS)
    commit = git_commit(project.root, project.definitions_dir / env)
    results = apply_plans(client, plans, commit=commit)
    typer.echo("")
    typer.echo(summary_table(results, style=_common.style), nl=False)
    raise typer.Exit(EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK)


@app.command()
@_common.handle_errors
def diff(
    ctx: typer.Context,
    env: EnvReq,
    names: NamesArg = None,
    against: Annotated[Optional[str], typer.Option(
        "--against", metavar="ENV2", help="Compare with another env's rendering instead of the deployed machines.")] = None,
    sets: SetOpt = None,
) -> None:
    """Show what differs: rendered definitions versus deployed machines (or versus another env).

    Normalized JSON (key order and whitespace do not count). Exit 0 when identical, 1 when anything
    differs (a machine not deployed counts), 2 on errors.
    """
    from ..envconfig import load_env

    project = _common.project(ctx)
    envcfg = load_env(project, env, sets or ())
    if against is not None:
        from ..diagnostics import Span
        from ..project import check_env_name

        shown = against if len(against) <= 40 else against[:37] + "..."
        check_env_name(against, source=Span(f"--against {shown}"))
        _diff_envs(project, envcfg, load_env(project, against, sets or ()), names)
        return
    _diff_deployed(project, envcfg, names)


def _diff_envs(project, a, b, names: list[str] | None) -> None:
    from ..deploy.collect import resolve_names
    from ..deploy.plan import canonical, unified
    from ..pipeline import render_env

    stems = resolve_names(project, a, names)
    ra, rb = render_env(project, a, stems), render_env(project, b, stems)
    if ra.problems or rb.problems:
        raise SfncError(ra.problems + rb.problems)
    left = {r.name: r for r in rb.templates}
    right = {r.name: r for r in ra.templates}
    differing = 0
    for stem in sorted(set(left) | set(right)):
        old = canonical(left[stem].data) if stem in left else ""
        new = canonical(right[stem].data) if stem in right else ""
        if old == new:
            typer.echo(f"{stem}: identical in {b.name} and {a.name}")
            continue
        differing += 1
        typer.echo(_colorize_diff(unified(old, new, f"{b.name}/{stem}.json", f"{a.name}/{stem}.json")), nl=False)
    typer.echo(f"{differing} of {len(set(left) | set(right))} definitions differ between {b.name} and {a.name}")
    raise typer.Exit(EXIT_FINDINGS if differing else EXIT_OK)


def _diff_deployed(project, envcfg, names: list[str] | None) -> None:
    from ..deploy.collect import collect_targets
    from ..deploy.plan import Plan

    col = collect_targets(project, envcfg, names, committed=False, validate=False)
    if col.skipped:
        typer.echo(f"skipped (aws.templates.<name>.skip): {', '.join(col.skipped)}")
    client, account_id, guard = _connect(envcfg)
    typer.echo(f"env {envcfg.name}: {guard}")
    plans = _plan(envcfg, client, col.targets, account_id)
    differing = errors = 0
    for p in plans:
        if not isinstance(p, Plan):
            errors += 1
            _common.print_problems([problem(f"{p.target.name}: {p.error}", env=envcfg.name, hint=p.hint)])
            continue
        name = f"{p.target.name} ({p.target.template})"
        if p.action == "create":
            differing += 1
            typer.echo(f"{name}: " + _common.style("not deployed", fg="yellow"))
            continue
        if not p.changed:
            typer.echo(f"{name}: no differences")
            for note in p.notes:   # e.g. an alias rolled back by hand: not a difference, worth saying
                typer.echo(f"  note: {note}")
            continue
        differing += 1
        typer.echo(f"{name}: differs")
        if p.definition_diff:
            typer.echo(_colorize_diff(p.definition_diff), nl=False)
        for change in p.config_changes:
            typer.echo(f"  config {change}")
        if p.tags_add:
            typer.echo("  tags to set: " + ", ".join(f"{k}={v}" for k, v in sorted(p.tags_add.items())))
        if p.tags_remove:
            typer.echo("  tags to remove: " + ", ".join(p.tags_remove))
        if p.alias and p.alias.action:
            typer.echo(f"  {p.alias.summary()}")
        for note in p.notes:
            typer.echo(f"  note: {note}")
    total = len(plans)
    typer.echo(f"{differing} of {total} machines differ from the rendered definitions"
               + (f", {errors} could not be read" if errors else ""))
    if errors:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if differing else EXIT_OK)
