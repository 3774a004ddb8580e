"""`sfnc run` (one definition, Step Functions Local mock files) and `sfnc test` (the project's scenarios,
with coverage)."""

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from . import _common, app
from .render import SetOpt


def _sim_error(exc: Exception, where: str) -> SfncError:
    located = getattr(exc, "problem", None)  # run_file placed it: the state the run stopped in
    return SfncError(located) if located is not None else SfncError(f"{type(exc).__name__}: {exc}", file=where)


@app.command()
@_common.handle_errors
def run(
    ctx: typer.Context,
    definition: Annotated[Path, typer.Argument(help="A definition JSON file (rendered; JSONata, JSONPath or mixed).")],
    input_file: Annotated[Optional[Path], typer.Option("--input", "-i", metavar="FILE", help="Execution input (JSON).")] = None,
    mock_config: Annotated[Optional[Path], typer.Option("--mock-config", metavar="FILE", help="Step Functions Local MockConfigFile.")] = None,
    test_case: Annotated[Optional[str], typer.Option("--test-case", metavar="NAME", help="Test case in the mock config.")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="State machine name in the mock config (default: file stem).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json trace (json is written as the run goes).")] = "text",
    seed: Annotated[int, typer.Option("--seed", help="Seed for $random/$uuid/jitter.")] = 0,
    max_events: Annotated[Optional[int], typer.Option("--max-events", metavar="N", help="History events before the execution fails (AWS: 25000).")] = None,
    mock_validation: Annotated[str, typer.Option("--mock-validation", metavar="MODE", help="Check mocked results against the Task's result shape like TestState's fieldValidationMode: strict (default), present or none.")] = "strict",
    start_time: Annotated[Optional[str], typer.Option("--start-time", metavar="TIMESTAMP", help="The virtual clock's start (ISO 8601; default 2025-01-01T00:00:00Z). A Standard execution times out after one year of it.")] = None,
) -> None:
    """Run a definition offline with mocked integrations on a virtual clock; print the trace."""
    import sys

    from ..pipeline.simulation import failure_place, run_file
    from ..simulate import SimulationError, format_trace
    from ..simulate.result import DEFAULT_START_TIME
    from ..simulate.trace import JsonTraceWriter, timeout_hint

    if fmt not in ("text", "json"):
        raise SfncError(f"unknown format {fmt!r}", hint="text or json")
    _check_mode(mock_validation)
    if input_file is not None and str(input_file).lstrip()[:1] in ("{", "[", '"') and not input_file.exists():
        raise SfncError("--input takes a file, not JSON text", file=str(input_file)[:60],
                        hint="write the input to a file: --input input.json")
    start = DEFAULT_START_TIME
    if start_time is not None:
        from ..simulate import ScenarioError
        from ..simulate.scenario import parse_start_time

        try:
            start = parse_start_time(start_time)
        except ScenarioError as exc:
            raise SfncError(exc.message.replace("start_time", "--start-time"), file=f"--start-time {start_time[:40]}",
                            hint="e.g. --start-time 2026-12-02T04:30:00Z") from None
    writer: JsonTraceWriter | None = None

    def sink(ev):  # the JSON array starts with the first record, once the definition was accepted
        nonlocal writer
        if writer is None:
            writer = JsonTraceWriter(sys.stdout, start)
        writer.state(ev)

    streamed = fmt == "json"
    try:
        result = run_file(definition, input_file=input_file, mock_config=mock_config, test_case=test_case,
                          name=name, seed=seed, max_events=max_events, trace_sink=sink if streamed else None,
                          keep_trace=not streamed, mock_validation=mock_validation, start_time=start,
                          on_problems=_common.print_problems)
    except SimulationError as exc:
        partial = getattr(exc, "result", None)
        if streamed:  # the visits so far, and no execution record: the run has no result
            if writer is not None:
                writer.finish(None)
        elif partial is not None:
            typer.echo(format_trace(partial, fmt), nl=False)
        raise _sim_error(exc, str(definition)) from None
    if streamed:
        (writer or JsonTraceWriter(sys.stdout, result.start_time)).finish(result)
        raise typer.Exit(EXIT_OK if result.status == "SUCCEEDED" else EXIT_FINDINGS)
    text = format_trace(result, fmt)
    typer.echo(text, nl=not text.endswith("\n"))
    # the trace ends with the output (shortened when long): print it whole only then
    typer.echo(f"status: {result.status}" + (f" ({result.error}: {result.cause})" if result.error else ""))
    place = failure_place(definition, result)
    if place:
        typer.echo(f"failed at: {place}")
    hint = timeout_hint(result)
    if hint:
        typer.echo(f"hint: {hint}")
    full = json.dumps(result.output, separators=(",", ":"), ensure_ascii=False, default=str)
    if result.status == "SUCCEEDED" and f"output: {full}" not in text:
        typer.echo("full output: " + full)
    raise typer.Exit(EXIT_OK if result.status == "SUCCEEDED" else EXIT_FINDINGS)


def _check_mode(mode: str) -> None:
    from ..simulate.mock_check import MODES

    if mode not in MODES:
        raise SfncError(f"unknown mock validation mode {mode!r}", hint=" | ".join(MODES))


@app.command("test")
@_common.handle_errors
def test_cmd(
    ctx: typer.Context,
    names: Annotated[Optional[list[str]], typer.Argument(metavar="[TEMPLATE]...", help="Only these templates.")] = None,
    env: Annotated[Optional[str], typer.Option("--env", "-e", help="Env to render with (default: [tool.sfnc.test] env, else local).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or junit.")] = "text",
    min_coverage: Annotated[Optional[float], typer.Option("--min-coverage", metavar="N", help="Fail when a machine's transition coverage is below N percent.")] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Print each scenario's trace.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Text: print only failures and the summary.")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write the json or junit report to FILE.")] = None,
    mock_validation: Annotated[Optional[str], typer.Option("--mock-validation", metavar="MODE", help="Check mocked results against the Task's result shape like TestState's fieldValidationMode: strict (default; [tool.sfnc.test] mock_validation), present or none.")] = None,
    scaffold: Annotated[Optional[str], typer.Option("--scaffold", metavar="TEMPLATE", help="Write starter scenarios for TEMPLATE (happy path, each Catch) with mocks built from the result shapes, then stop.")] = None,
    force: Annotated[bool, typer.Option("--force", help="With --scaffold: overwrite existing scenario files.")] = False,
    sets: SetOpt = None,
) -> None:
    """Run the project's scenarios (tests/scenarios/<template>/<case>.yaml) with coverage."""
    from ..pipeline.scenarios import run_scenarios
    from ..simulate import format_trace

    if fmt not in ("text", "json", "junit"):
        raise SfncError(f"unknown format {fmt!r}", hint="text, json or junit")
    if output is not None and fmt == "text":
        raise SfncError("--output is for --format json or junit")
    if min_coverage is not None and not 0 <= min_coverage <= 100:  # nan fails this too
        raise SfncError(f"--min-coverage must be a percentage from 0 to 100, got {min_coverage}")
    if mock_validation is not None:
        _check_mode(mock_validation)
    if scaffold is not None:
        from ..pipeline.scaffold import scaffold_scenarios

        if names:
            raise SfncError("--scaffold takes one TEMPLATE and no other template names")
        written = scaffold_scenarios(_common.project(ctx), scaffold, env, tuple(sets or ()), force=force)
        for w in written:
            typer.echo(f"wrote {w.display}  ({w.summary})")
        raise typer.Exit(EXIT_OK)
    run = run_scenarios(_common.project(ctx), env, names, tuple(sets or ()), min_coverage, mock_validation)
    report: list[dict[str, Any]] = []
    for m in run.machines:
        cases = []
        for c in m.cases:
            r = c.result
            if c.skipped:
                cases.append({"scenario": c.display, "skipped": c.skipped})
                if fmt == "text":
                    typer.echo(f"skip {c.display}  ({c.skipped})")
                continue
            if c.load_failed:
                cases.append({"scenario": c.display, "passed": False, "problems": [c.error]})
                if fmt == "text":
                    typer.echo(f"ERROR {c.display}\n  cannot read the scenario (see below)")
                continue
            if r is None:
                cases.append({"scenario": c.display, "passed": False, "problems": [c.error], "warnings": c.warnings})
                if fmt == "text":
                    typer.echo(f"FAIL {c.display}\n  {c.error}")
                continue
            cases.append({"scenario": c.display, "passed": c.passed, "status": r.status, "error": r.error,
                          "transitions": r.transitions, "virtual_seconds": r.elapsed_seconds,
                          "problems": c.mismatches, "warnings": c.warnings})
            if fmt == "text" and not (quiet and c.passed):
                mark = "ok  " if c.passed else "FAIL"
                typer.echo(f"{mark} {c.display}  ({r.status}{', ' + r.error if r.error else ''}; "
                           f"{r.transitions} transitions, {r.elapsed_seconds:.0f} s virtual)")
                for w in c.warnings:
                    typer.echo(f"  warning: {w}")
                for mm in c.mismatches:
                    typer.echo("  " + mm.replace("\n", "\n  "))
                if (trace and not quiet) or not c.passed:
                    typer.echo("  " + format_trace(r, "text").rstrip("\n").replace("\n", "\n  "))
        rep = m.coverage.report()
        report.append({"machine": m.name, "cases": cases,
                       "coverage": {k: rep[k] for k in ("states", "transitions", "by_kind", "uncovered")}})
        if fmt == "text" and not quiet:
            typer.echo("  " + m.coverage.format().replace("\n", "\n  "))
    extra = (f", {run.unreadable} could not be read" if run.unreadable else "") + \
        (f", {run.skipped} skipped" if run.skipped else "")
    line = (f"{run.total - run.failed - run.unreadable - run.skipped} passed, {run.failed} failed{extra} "
            f"({len(report)} machine{'' if len(report) == 1 else 's'}" + (f", env {run.env})" if run.env else ")"))
    if fmt == "text":
        if run.problems:  # what stopped scenarios from running comes before the count it explains
            _common.print_problems(run.problems)
        typer.echo(line)
    else:
        if fmt == "json":
            from ..report.json import diagnostic_json

            text = json.dumps({"version": 1, "env": run.env, "machines": report,
                               "problems": [diagnostic_json(p) for p in run.setup_problems],
                               "summary": {"scenarios": run.total, "failed": run.failed,
                                           "unreadable": run.unreadable, "skipped": run.skipped,
                                           "below_min_coverage": run.below}},
                              indent=2, ensure_ascii=False) + "\n"
        else:
            from ..simulate.junit import junit

            text = junit(report, run.env, min_coverage, run.setup_problems)
        if output is not None:
            from ..fsutil import write_file

            write_file(output, text)
            typer.echo(line, err=True)
        else:
            typer.echo(text, nl=False)
    for b in run.below:
        typer.echo(f"coverage below minimum: {b}", err=True)
    if run.problems:
        if fmt != "text":
            _common.print_problems(run.problems)
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if run.failed or run.below else EXIT_OK)
