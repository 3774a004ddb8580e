"""`sfnc run` (one definition, Step Functions Local mock files) and `sfnc test` (the project's scenarios,
with coverage)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Problem, SfncError
from . import _common, app
from .render import SetOpt


def _sim_error(exc: Exception, where: str) -> SfncError:
    return SfncError(f"{type(exc).__name__}: {exc}", file=where)


@app.command()
@_common.handle_errors
def run(
    definition: Annotated[Path, typer.Argument(help="A definition JSON file (rendered, JSONata).")],
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


def _default_env(project) -> str:
    configured = project.section("test").get("env")
    names = project.env_names()
    if configured:
        return configured
    if "local" in names:
        return "local"
    if not names:
        raise SfncError("no env files found; scenarios run on a rendered definition")
    return names[0]


@app.command("test")
@_common.handle_errors
def test_cmd(
    names: Annotated[Optional[list[str]], typer.Argument(metavar="[TEMPLATE]...", help="Only these templates.")] = None,
    env: Annotated[Optional[str], typer.Option("--env", "-e", help="Env to render with (default: [tool.sfnc.test] env, else local).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or junit.")] = "text",
    min_coverage: Annotated[Optional[float], typer.Option("--min-coverage", metavar="N", help="Fail when a machine's transition coverage is below N percent.")] = None,
    trace: Annotated[bool, typer.Option("--trace", help="Print each scenario's trace.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Text: print only failures and the summary.")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write the json or junit report to FILE.")] = None,
    sets: SetOpt = None,
) -> None:
    """Run the project's scenarios (tests/scenarios/<template>/<case>.yaml) with coverage."""
    from ..envconfig import load_env
    from ..render import render_env
    from ..simulate import (Coverage, SimulationError, check_expectations, format_trace, load_scenario,
                            run_execution, scenario_warnings)

    if fmt not in ("text", "json", "junit"):
        raise SfncError(f"unknown format {fmt!r}", hint="text, json or junit")
    if output is not None and fmt == "text":
        raise SfncError("--output is for --format json or junit")
    project = _common.project()
    sdir = project.scenarios_dir
    if not sdir.is_dir():
        raise SfncError(f"no scenarios directory {project.display(sdir)}",
                        hint="write tests/scenarios/<template>/<case>.yaml (see docs/simulator.md)")
    env_name = env or _default_env(project)
    envcfg = load_env(project, env_name, sets or ())
    rendered = render_env(project, envcfg)
    if rendered.problems:
        raise SfncError(rendered.problems)
    by_name = {r.name: r for r in rendered.templates}
    dirs = sorted(d for d in sdir.iterdir() if d.is_dir())
    if names:
        missing = [n for n in names if not (sdir / n).is_dir()]
        if missing:
            raise SfncError([Problem(f"no scenarios for {n!r} in {project.display(sdir)}") for n in missing])
        dirs = [sdir / n for n in names]
    problems: list[Problem] = []
    report: list[dict[str, Any]] = []
    failed = 0
    total = 0
    below = []
    for d in dirs:
        if d.name not in by_name:
            problems.append(Problem(f"scenario directory {d.name!r} matches no template", file=project.display(d)))
            continue
        r = by_name[d.name]
        cov = Coverage(r.data, d.name)
        files = sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
        cases = []
        for f in files:
            total += 1
            display = project.display(f)
            try:
                scenario = load_scenario(f)
            except SimulationError as exc:
                failed += 1
                problems.append(Problem(str(exc), file=display))
                cases.append({"scenario": display, "passed": False, "problems": [str(exc)]})
                if fmt == "text":
                    typer.echo(f"FAIL {display}\n  cannot load the scenario (see below)")
                continue
            warnings = scenario_warnings(scenario, r.data)
            try:
                result = run_execution(r.data, scenario.input, scenario.mocks, name=d.name, **scenario.run_kwargs())
            except SimulationError as exc:
                failed += 1
                cases.append({"scenario": display, "passed": False, "problems": [f"{type(exc).__name__}: {exc}"],
                              "warnings": warnings})
                if fmt == "text":
                    typer.echo(f"FAIL {display}\n  {type(exc).__name__}: {exc}")
                continue
            cov.add(result)
            mismatches = check_expectations(scenario, result)
            ok = not mismatches
            failed += 0 if ok else 1
            cases.append({"scenario": display, "passed": ok, "status": result.status, "error": result.error,
                          "transitions": result.transitions, "virtual_seconds": result.elapsed_seconds,
                          "problems": mismatches, "warnings": warnings})
            if fmt == "text" and not (quiet and ok):
                mark = "ok  " if ok else "FAIL"
                typer.echo(f"{mark} {display}  ({result.status}{', ' + result.error if result.error else ''}; "
                           f"{result.transitions} transitions, {result.elapsed_seconds:.0f} s virtual)")
                for w in warnings:
                    typer.echo(f"  warning: {w}")
                for m in mismatches:
                    typer.echo("  " + m.replace("\n", "\n  "))
                if (trace and not quiet) or not ok:
                    typer.echo("  " + format_trace(result, "text").rstrip("\n").replace("\n", "\n  "))
        rep = cov.report()
        pct = rep["transitions"]["percent"]
        if min_coverage is not None and pct < min_coverage:
            below.append(f"{d.name}: {pct}% < {min_coverage}%")
        report.append({"machine": d.name, "cases": cases, "coverage": {k: rep[k] for k in ("states", "transitions", "by_kind", "uncovered")}})
        if fmt == "text" and not quiet:
            typer.echo("  " + cov.format().replace("\n", "\n  "))
    if fmt in ("json", "junit"):
        if fmt == "json":
            text = json.dumps({"version": 1, "env": env_name, "machines": report,
                               "summary": {"scenarios": total, "failed": failed, "below_min_coverage": below}},
                              indent=2, ensure_ascii=False) + "\n"
        else:
            from ..simulate.junit import junit

            text = junit(report, env_name, min_coverage)
        if output is not None:
            from ..render.engine import write_text_atomic

            write_text_atomic(output, text)
            typer.echo(f"{total - failed} passed, {failed} failed ({len(report)} machines, env {env_name})", err=True)
        else:
            typer.echo(text, nl=False)
    else:
        typer.echo(f"{total - failed} passed, {failed} failed ({len(report)} machines, env {env_name})")
        for b in below:
            typer.echo(f"coverage below minimum: {b}", err=True)
    if problems:
        _common.print_problems(problems)
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FINDINGS if failed or below else EXIT_OK)
