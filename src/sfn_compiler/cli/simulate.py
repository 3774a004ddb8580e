"""`sfnc run` (one definition, Step Functions Local mock files) and `sfnc test` (the project's scenarios,
with coverage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from . import _common, app
from .render import SetOpt


def _sim_error(exc: Exception, where: str) -> SfncError:
    return SfncError(f"{type(exc).__name__}: {exc}", file=where)


@app.command()
@_common.handle_errors
def run(
    ctx: typer.Context,
    definition: Annotated[Path, typer.Argument(help="A definition JSON file (rendered; JSONata, JSONPath or mixed).")],
    input_file: Annotated[Optional[Path], typer.Option("--input", "-i", metavar="FILE", help="Execution input (JSON).")] = None,
    mock_config: Annotated[Optional[Path], typer.Option("--mock-config", metavar="FILE", help="Step Functions Local MockConfigFile.")] = None,
    test_case: Annotated[Optional[str], typer.Option("--test-case", metavar="NAME", help="Test case in the mock config.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="State machine name in the mock config (default: file stem).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json trace.")] = "text",
    seed: Annotated[int, typer.Option("--seed", help="Seed for $random/$uuid/jitter.")] = 0,
) -> None:
    """Run a definition offline with mocked integrations on a virtual clock; print the trace."""
    from ..load import load_json_file
    from ..simulate import SimulationError, format_trace, load_mock_config, run_execution

    if fmt not in ("text", "json"):
        raise SfncError(f"unknown format {fmt!r}", hint="text or json")
    doc = load_json_file(definition, str(definition))
    payload: Any = None
    if input_file is not None:
        payload = load_json_file(input_file, str(input_file)).data
    machine = name or definition.name.split(".")[0]
    if mock_config is not None:
        if not test_case:
            raise SfncError("--mock-config needs --test-case NAME")
        try:
            mocks = load_mock_config(mock_config, machine, test_case)
        except SimulationError as exc:
            raise _sim_error(exc, str(mock_config)) from None
    else:
        from ..simulate import MockTable

        mocks = MockTable({})
    try:
        result = run_execution(doc.data, payload, mocks, name=machine, seed=seed)
    except SimulationError as exc:
        partial = getattr(exc, "result", None)
        if partial is not None:
            typer.echo(format_trace(partial, fmt), nl=False)
        raise _sim_error(exc, str(definition)) from None
    typer.echo(format_trace(result, fmt), nl=False)
    if fmt == "text":
        typer.echo(f"status: {result.status}" + (f" ({result.error}: {result.cause})" if result.error else ""))
        if result.status == "SUCCEEDED":
            typer.echo("output: " + json.dumps(result.output, ensure_ascii=False))
    raise typer.Exit(EXIT_OK if result.status == "SUCCEEDED" else EXIT_FINDINGS)


@app.command("test")
@_common.handle_errors
def test_cmd(
    ctx: typer.Context,
    names: Annotated[Optional[list[str]], typer.Argument(metavar="[TEMPLATE]...", help="Only these templates.")] = None,
    env: Annotated[Optional[str], typer.Option("--env", "-e", help="Env to render with (default: [tool.sfnc.test] env, else local).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    min_coverage: Annotated[Optional[float], typer.Option("--min-coverage", metavar="N", help="Fail when a machine's transition coverage is below N percent.")] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Print each scenario's trace.")] = False,
    sets: SetOpt = None,
) -> None:
    """Run the project's scenarios (tests/scenarios/<template>/<case>.yaml) with coverage."""
    from ..pipeline.scenarios import run_scenarios
    from ..simulate import format_trace

    if fmt not in ("text", "json"):
        raise SfncError(f"unknown format {fmt!r}", hint="text or json")
    run = run_scenarios(_common.project(ctx), env, names, tuple(sets or ()), min_coverage)
    report: list[dict[str, Any]] = []
    for m in run.machines:
        cases = []
        for c in m.cases:
            r = c.result
            if c.load_failed:
                cases.append({"scenario": c.display, "passed": False, "problems": [c.error]})
                if fmt == "text":
                    why = f"{c.error} (see below)" if c.input_invalid else "cannot load the scenario (see below)"
                    typer.echo(f"FAIL {c.display}\n  {why}")
                continue
            if r is None:
                cases.append({"scenario": c.display, "passed": False, "problems": [c.error], "warnings": c.warnings})
                if fmt == "text":
                    typer.echo(f"FAIL {c.display}\n  {c.error}")
                continue
            cases.append({"scenario": c.display, "passed": c.passed, "status": r.status, "error": r.error,
                          "transitions": r.transitions, "virtual_seconds": r.elapsed_seconds,
                          "problems": c.mismatches, "warnings": c.warnings})
            if fmt == "text":
                mark = "ok  " if c.passed else "FAIL"
                typer.echo(f"{mark} {c.display}  ({r.status}{', ' + r.error if r.error else ''}; "
                           f"{r.transitions} transitions, {r.elapsed_seconds:.0f} s virtual)")
                for w in c.warnings:
                    typer.echo(f"  warning: {w}")
                for mm in c.mismatches:
                    typer.echo("  " + mm.replace("\n", "\n  "))
                if trace or not c.passed:
                    typer.echo("  " + format_trace(r, "text").rstrip("\n").replace("\n", "\n  "))
        rep = m.coverage.report()
        report.append({"machine": m.name, "cases": cases,
                       "coverage": {k: rep[k] for k in ("states", "transitions", "by_kind", "uncovered")}})
        if fmt == "text":
            typer.echo("  " + m.coverage.format().replace("\n", "\n  "))
    if fmt == "json":
        typer.echo(json.dumps({"version": 1, "env": run.env, "machines": report,
                               "summary": {"scenarios": run.total, "failed": run.failed,
                                           "below_min_coverage": run.below}},
                              indent=2, ensure_ascii=False))
    else:
        typer.echo(f"{run.total - run.failed} passed, {run.failed} failed ({len(report)} machines, env {run.env})")
        for b in run.below:
            typer.echo(f"coverage below minimum: {b}", err=True)
    if run.problems:
        _common.print_problems(run.problems)
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if run.failed or run.below else EXIT_OK)
