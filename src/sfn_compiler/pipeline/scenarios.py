"""`sfnc test`: render the project for one env, run each template's scenarios
(`tests/scenarios/<template>/<case>.yaml`) in the simulator and measure coverage. A scenario whose `input`
violates the template's input schema (`templates/<name>.input.schema.json`) is not run: each violation is
a problem located in the scenario file."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from ..diagnostics import Diagnostic, problem
from ..envconfig import load_env
from ..errors import SfncError
from ..project import Project
from ..simulate import (Coverage, ExecutionResult, ScenarioError, SimulationError, check_expectations, load_scenario,
                        run_execution, scenario_warnings)
from ..simulate.mock_check import scenario_mock_problems
from ..simulate.scenario import state_types
from .input_schema import InputSchema, scenario_input_problems, template_input_schema
from .rendering import render_env


@dataclass
class CaseRun:
    display: str                            # the scenario file as users see it
    result: ExecutionResult | None = None   # None when the scenario could not be loaded or run
    error: str | None = None                # why not: the load error, or "<ExceptionType>: <message>"
    load_failed: bool = False
    skipped: str | None = None              # why the scenario did not run in this env (`envs:` names others)
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
    problems: list[Diagnostic] = field(default_factory=list)   # what stopped scenarios from running (exit 2)
    below: list[str] = field(default_factory=list)             # "<machine>: 40.0% < 80%" (min coverage)

    @property
    def total(self) -> int:
        return sum(len(m.cases) for m in self.machines)

    @property
    def setup_problems(self) -> list[Diagnostic]:
        """The problems that are not one scenario's own (a scenario that does not load is a failed case too)."""
        own = {c.display for m in self.machines for c in m.cases}
        return [p for p in self.problems if not (p.span and p.span.file in own)]

    @property
    def failed(self) -> int:
        """Scenarios that ran (or could not run) and did not pass; unreadable and skipped ones are counted apart."""
        return sum(1 for m in self.machines for c in m.cases if not c.passed and not c.load_failed and not c.skipped)

    @property
    def skipped(self) -> int:
        return sum(1 for m in self.machines for c in m.cases if c.skipped)

    @property
    def unreadable(self) -> int:
        """Scenario files that could not be read: an input error (exit 2), not a failed scenario."""
        return sum(1 for m in self.machines for c in m.cases if c.load_failed)


def default_env(project: Project) -> str:
    """`[tool.sfnc.test] env`, else `local`, else the first env."""
    configured = project.section("test").get("env")
    names = project.env_names()
    if configured is not None and not (isinstance(configured, str) and configured):
        raise SfncError(f"[tool.sfnc.test] env must be an env name, got {configured!r}", file=_config(project))
    if configured:
        return configured
    if "local" in names:
        return "local"
    if not names:
        raise SfncError("no env files found; scenarios run on a rendered definition")
    return names[0]


def mock_validation_mode(project: Project, given: str | None = None) -> str:
    """`--mock-validation`, else `[tool.sfnc.test] mock_validation`, else `strict` (TestState's default)."""
    from ..simulate.mock_check import MODES

    mode = given or project.section("test").get("mock_validation") or "strict"
    if not isinstance(mode, str) or mode not in MODES:
        raise SfncError(f"unknown mock validation mode {mode!r}", hint=" | ".join(MODES),
                        file=None if given else _config(project))
    return mode


def _config(project: Project) -> str | None:
    """The project's config file as users see it (where `[tool.sfnc.test]` settings come from)."""
    return project.display(project.config_file) if project.config_file is not None else None


def run_scenarios(project: Project, env: str | None = None, names: list[str] | None = None,
                  sets: tuple[str, ...] = (), min_coverage: float | None = None,
                  mock_validation: str | None = None) -> TestRun:
    """Run every scenario (or those of `names`). What stops a scenario from running (no scenarios
    directory, an env that does not load (SFN011), a template that does not render (SFN010), a scenario
    file that does not load, a directory that matches no template) is in `problems`, so the reports show it.
    Each scenario's mocks are checked first (`mock_validation`: docs/simulator.md, "Mock validation")."""
    from ..check.rules.inputs import ConfigInvalid, TemplateNotRendered
    from ..check.sources import input_diagnostics
    from ..project import check_env_name, template_stem

    sdir = project.scenarios_dir
    try:
        env_name = check_env_name(env) if env else default_env(project)
    except SfncError as exc:
        return TestRun(env or "", problems=input_diagnostics(ConfigInvalid, exc.problems))
    run = TestRun(env_name)
    if not sdir.is_dir():
        run.problems.append(problem(f"no scenarios directory {project.display(sdir)}",
                                    hint="write tests/scenarios/<template>/<case>.yaml (see docs/simulator.md)"))
        return run
    try:
        mode = mock_validation_mode(project, mock_validation)
        envcfg = load_env(project, env_name, sets)
    except SfncError as exc:
        run.problems += input_diagnostics(ConfigInvalid, [replace(p, env=p.env or env_name) for p in exc.problems])
        return run
    rendered = render_env(project, envcfg)
    run.problems += input_diagnostics(TemplateNotRendered, rendered.problems)
    by_name = {r.name: r for r in rendered.templates}
    not_rendered = {template_stem(p) for p in project.templates()} - set(by_name)
    dirs = sorted(d for d in sdir.iterdir() if d.is_dir())
    if names:  # names are looked up among the directories, never used as paths (`../x`, a 5,000-character name)
        by_dir = {d.name: d for d in dirs}
        run.problems += [problem(f"no scenarios for {n!r} in {project.display(sdir)}")
                         for n in names if n not in by_dir]
        dirs = [by_dir[n] for n in names if n in by_dir]
    for d in dirs:
        if d.name in not_rendered:
            continue          # its template did not render: reported above
        if d.name not in by_name:
            run.problems.append(problem(f"scenario directory {d.name!r} matches no template", file=project.display(d)))
            continue
        r = by_name[d.name]
        try:
            schema = template_input_schema(project, d.name)
        except SfncError as exc:   # not JSON, or not a JSON Schema: its scenarios cannot be checked
            run.problems += input_diagnostics(ConfigInvalid, exc.problems)
            continue
        machine = MachineRun(d.name, Coverage(r.data, d.name))
        run.machines.append(machine)
        types = state_types(r.data)
        refused = _refused(project, envcfg, r)
        run.problems.extend(refused)
        for f in sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml", ".json")):
            if refused:  # AWS would not create this definition, so it never runs: neither do its scenarios
                machine.cases.append(CaseRun(project.display(f), error=f"not run: AWS refuses the definition at "
                                                                        f"creation ({refused[0].message})"))
                continue
            case = _run_case(project, f, r.data, d.name, run.problems, types, envcfg, mode, schema)
            if case.result is not None:
                machine.coverage.add(case.result)
            machine.cases.append(case)
        pct = machine.coverage.report()["transitions"]["percent"]
        if min_coverage is not None and pct < min_coverage:
            run.below.append(f"{d.name}: {pct}% < {min_coverage}%")
    return run


def _refused(project: Project, envcfg, rendered) -> list[Diagnostic]:
    """The validator's findings that make AWS refuse the rendered definition at creation (`check.creation`)."""
    from ..check.creation import creation_config
    from .validation import check_rendered

    return [d for d in check_rendered(project, envcfg, rendered, creation_config())[1] if d.severity == "error"]


def env_values(data, envcfg, display: str, depth: int = 0, pointer: str = ""):
    """The scenario with each `${...}` in its strings replaced by the env's value, as templates are rendered:
    a scenario that expects "after ${poll.streaming.max_attempts} status checks" holds in every env. A
    placeholder that is the whole string keeps the value's type (a number stays a number). An error is a
    `ScenarioError` at the string's pointer (`load_scenario` locates it)."""
    from ..load.pointer import escape_token
    from ..placeholders import PlaceholderError
    from ..render.substitute import PlaceholderErrors, Resolver, substitute
    from ..simulate import ScenarioError

    if depth > 100:
        return data
    if isinstance(data, dict):
        return {k: env_values(v, envcfg, display, depth + 1, f"{pointer}/{escape_token(str(k))}")
                for k, v in data.items()}
    if isinstance(data, list):
        return [env_values(v, envcfg, display, depth + 1, f"{pointer}/{i}") for i, v in enumerate(data)]
    if isinstance(data, str) and "${" in data:
        try:
            return substitute(data, Resolver(envcfg.values, envcfg.name))[0]
        except (PlaceholderError, PlaceholderErrors) as exc:
            raise ScenarioError(f"{exc} (in {data!r})", pointer=pointer) from None
    return data


def _run_case(project: Project, f: Path, definition, name: str, problems: list[Diagnostic],
              types: dict[str, str], envcfg, mode: str = "strict", schema: InputSchema | None = None) -> CaseRun:
    case = CaseRun(project.display(f))
    try:
        scenario = load_scenario(f, transform=lambda data: env_values(data, envcfg, case.display), display=case.display)
    except ScenarioError as exc:
        problems.extend(exc.diagnostics(case.display))
        case.error, case.load_failed = str(exc), True
        return case
    if scenario.envs is not None and envcfg.name not in scenario.envs:
        case.skipped = f"written for env {', '.join(scenario.envs)}"
        return case
    if schema is not None:
        bad = scenario_input_problems(schema, scenario.input, f, case.display)
        if bad:  # an input the state machine is not started with: the scenario's error, located in its file
            problems.extend(bad)
            more = f" (and {len(bad) - 1} more, below)" if len(bad) > 1 else ""
            case.error = f"not run: {bad[0].span.format()}: {bad[0].message}{more}"
            return case
    case.warnings = scenario_warnings(scenario, definition, types=types)
    mock_problems = scenario_mock_problems(scenario, definition, mode, display=case.display)
    wrong = [p for p in mock_problems if p.severity == "error"]
    case.warnings += [p.format() for p in mock_problems if p.severity != "error"]
    if wrong:  # a wrong mock is the scenario's error, located in its file (exit 2), not a surprising run
        problems.extend(wrong)
        first = wrong[0]
        where = f"{first.span.format()}: " if first.span else ""
        more = f" (and {len(wrong) - 1} more, below)" if len(wrong) > 1 else ""
        case.error = f"not run: a mock does not match its Task: {where}{first.message}{more}"
        return case
    try:
        case.result = run_execution(definition, scenario.input, scenario.mocks, name=name, **scenario.run_kwargs())
    except SimulationError as exc:
        case.error = f"{type(exc).__name__}: {exc}"
        return case
    case.mismatches = check_expectations(scenario, case.result)
    return case
