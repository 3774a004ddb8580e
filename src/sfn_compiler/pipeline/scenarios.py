"""`sfnc test`: render the project for one env, run each template's scenarios
(`tests/scenarios/<template>/<case>.yaml`) in the simulator and measure coverage. A scenario whose `input`
violates the template's input schema (`templates/<name>.input.schema.json`) is not run: each violation is
a problem located in the scenario file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, problem
from ..envconfig import load_env
from ..errors import SfncError
from ..project import Project
from ..simulate import (Coverage, ExecutionResult, SimulationError, check_expectations, load_scenario, run_execution,
                        scenario_warnings)
from ..simulate.scenario import state_types
from .input_schema import InputSchema, scenario_input_problems, template_input_schema
from .rendering import render_env


@dataclass
class CaseRun:
    display: str                            # the scenario file as users see it
    result: ExecutionResult | None = None   # None when the scenario could not be loaded or run
    error: str | None = None                # why not: the load error, or "<ExceptionType>: <message>"
    load_failed: bool = False
    input_invalid: bool = False             # the input violates the template's input schema (located problems)
    warnings: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.result is not None and not self.mismatches


@dataclass
class MachineRun:
    name: str
    coverage: Coverage
    cases: list[CaseRun] = field(default_factory=list)


@dataclass
class TestRun:
    env: str
    machines: list[MachineRun] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)   # unloadable scenarios, directories with no template
    below: list[str] = field(default_factory=list)             # "<machine>: 40.0% < 80%" (min coverage)

    @property
    def total(self) -> int:
        return sum(len(m.cases) for m in self.machines)

    @property
    def failed(self) -> int:
        return sum(1 for m in self.machines for c in m.cases if not c.passed)


def default_env(project: Project) -> str:
    """`[tool.sfnc.test] env`, else `local`, else the first env."""
    configured = project.section("test").get("env")
    names = project.env_names()
    if configured:
        return configured
    if "local" in names:
        return "local"
    if not names:
        raise SfncError("no env files found; scenarios run on a rendered definition")
    return names[0]


def run_scenarios(project: Project, env: str | None = None, names: list[str] | None = None,
                  sets: tuple[str, ...] = (), min_coverage: float | None = None) -> TestRun:
    sdir = project.scenarios_dir
    if not sdir.is_dir():
        raise SfncError(f"no scenarios directory {project.display(sdir)}",
                        hint="write tests/scenarios/<template>/<case>.yaml (see docs/simulator.md)")
    env_name = env or default_env(project)
    rendered = render_env(project, load_env(project, env_name, sets))
    if rendered.problems:
        raise SfncError(rendered.problems)
    by_name = {r.name: r for r in rendered.templates}
    dirs = sorted(d for d in sdir.iterdir() if d.is_dir())
    if names:
        missing = [n for n in names if not (sdir / n).is_dir()]
        if missing:
            raise SfncError([problem(f"no scenarios for {n!r} in {project.display(sdir)}") for n in missing])
        dirs = [sdir / n for n in names]
    run = TestRun(env_name)
    for d in dirs:
        if d.name not in by_name:
            run.problems.append(problem(f"scenario directory {d.name!r} matches no template", file=project.display(d)))
            continue
        r = by_name[d.name]
        schema = template_input_schema(project, d.name)
        machine = MachineRun(d.name, Coverage(r.data, d.name))
        run.machines.append(machine)
        types = state_types(r.data)
        for f in sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml", ".json")):
            case = _run_case(project, f, r.data, d.name, run.problems, types, schema)
            if case.result is not None:
                machine.coverage.add(case.result)
            machine.cases.append(case)
        pct = machine.coverage.report()["transitions"]["percent"]
        if min_coverage is not None and pct < min_coverage:
            run.below.append(f"{d.name}: {pct}% < {min_coverage}%")
    return run


def _run_case(project: Project, f: Path, definition, name: str, problems: list[Diagnostic],
              types: dict[str, str], schema: InputSchema | None = None) -> CaseRun:
    case = CaseRun(project.display(f))
    try:
        scenario = load_scenario(f)
    except SimulationError as exc:
        problems.append(problem(str(exc), file=case.display))
        case.error, case.load_failed = str(exc), True
        return case
    if schema is not None:
        bad = scenario_input_problems(schema, scenario.input, f, case.display)
        if bad:
            problems.extend(bad)
            case.error = f"its input does not match {schema.display}"
            case.load_failed = case.input_invalid = True
            return case
    case.warnings = scenario_warnings(scenario, definition, types=types)
    try:
        case.result = run_execution(definition, scenario.input, scenario.mocks, name=name, **scenario.run_kwargs())
    except SimulationError as exc:
        case.error = f"{type(exc).__name__}: {exc}"
        return case
    case.mismatches = check_expectations(scenario, case.result)
    return case
