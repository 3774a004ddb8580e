"""`sfnc import`: templates/ and envs/ from a CloudFormation/SAM/CDK template or from deployed machines."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import EXIT_FINDINGS, EXIT_OK, SfncError
from . import _common, app


def _pair(values: list[str] | None, envs: list[str], what: str) -> list[str | None]:
    """One value for every env, or one per env in order."""
    values = values or []
    if not values:
        return [None] * len(envs)
    if len(values) == 1:
        return values * len(envs)
    if len(values) != len(envs):
        raise SfncError(f"give one {what} for every --env (in the same order), or a single one for all")
    return list(values)


@app.command("import")
@_common.handle_errors
def import_cmd(
    ctx: typer.Context,
    template: Annotated[Optional[Path], typer.Argument(metavar="[TEMPLATE]", help="A CloudFormation/SAM template or cdk.out/*.template.json to import from.")] = None,
    env: Annotated[Optional[list[str]], typer.Option("--env", "-e", metavar="ENV", help="Env to write (repeatable; with a template: one, default dev).")] = None,
    prefix: Annotated[Optional[list[str]], typer.Option("--prefix", metavar="PREFIX", help="Deployed machines whose names start with PREFIX (one per --env, in order).")] = None,
    arn: Annotated[Optional[list[str]], typer.Option("--arn", metavar="[ENV=]ARN", help="A deployed machine (repeatable; ENV= when there are several envs).")] = None,
    region: Annotated[Optional[list[str]], typer.Option("--region", metavar="REGION", help="AWS region (one, or one per --env).")] = None,
    profile: Annotated[Optional[list[str]], typer.Option("--profile", metavar="PROFILE", help="AWS profile (one, or one per --env).")] = None,
    endpoint_url: Annotated[Optional[str], typer.Option("--endpoint-url", metavar="URL", help="Another Step Functions endpoint (a local emulator).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would be written; write nothing.")] = False,
) -> None:
    """Create templates/ and envs/ from a SAM/CloudFormation template or from deployed state machines."""
    from ..importer.plan import plan_files, render_check, write_all

    from ..project import check_env_name

    project = _common.project(ctx)
    envs = [check_env_name(e) for e in env or []]   # envs/<env>.yaml is written: never a path
    if template is not None:
        if prefix or arn:
            raise SfncError("give a TEMPLATE or deployed machines (--prefix/--arn), not both")
        if len(envs) > 1:
            raise SfncError("a template gives one env: pass a single --env")
        from ..importer.from_template import plan_from_template

        if not template.is_file():
            raise SfncError("no such file", file=str(template))
        plan = plan_from_template(template, project.display, env=envs[0] if envs else "dev",
                                  roots=[template.resolve().parent, project.root])
    else:
        if not envs or not (prefix or arn):
            raise SfncError("nothing to import from", hint="sfnc import template.yaml, or "
                            "sfnc import --env dev --prefix app-dev- [--env prod --prefix app-prod-]")
        from ..importer.from_deployed import Source, plan_from_deployed

        prefixes = _pair(prefix, envs, "--prefix") if prefix else [""] * len(envs)
        sources = [Source(e, p or "", region=r, profile=pr, endpoint_url=endpoint_url)
                   for e, p, r, pr in zip(envs, prefixes, _pair(region, envs, "--region"), _pair(profile, envs, "--profile"))]
        by_env = {s.env: s for s in sources}
        for item in arn or []:
            name, sep, value = item.partition("=")
            if sep and name in by_env:
                by_env[name].arns.append(value)
            elif not item.startswith("arn:") or len(envs) != 1:
                raise SfncError(f"--arn {item!r}: write ENV=ARN (envs: {', '.join(envs)})")
            else:
                sources[0].arns.append(item)
        plan = plan_from_deployed(sources)

    files = plan_files(plan, project.templates_dir, project.envs_dir)
    mismatches = render_check(plan)
    for note in plan.notes:
        typer.echo(f"note: {note}", err=True)
    if dry_run:
        for path, text in files.items():
            typer.echo(f"--- {project.display(path)}\n{text}")
    else:   # (the check above ran first: a failing import still writes, and says what differs)
        write_all(files, force=force, display=project.display)
        for path in files:
            typer.echo(f"wrote {project.display(path)}")
    todo = [(d.name, path, what) for d in plan.envs.values() for path, what in d.todo_values.items()]
    todo += [(d.name, None, item) for d in plan.envs.values() for item in d.todo_aws]
    if todo:
        typer.echo("\nfill in before rendering for real (CloudFormation resolves these at deploy time):")
        for env_name, path, what in todo:
            typer.echo(f"  envs/{env_name}.yaml: " + (f"values.{path}: {what}" if path else f"aws.{what}"))
    if mismatches:
        for m in mismatches:
            typer.echo(f"warning: {m}", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    count = sum(len(v) for v in plan.expected.values())
    typer.echo(f"\nrendering the import reproduces all {count} definition{'s' if count != 1 else ''}; "
               "next: sfnc render --all-envs && sfnc validate" + ("" if template is not None else " && sfnc diff --env ENV"))
    raise typer.Exit(EXIT_OK)
