"""Validating a project or ASL files: render -> load -> check, the env loop, `--remote`, the cross-env merge,
the summary and the exit policy. `sfnc validate` calls `validate`; deploy calls `check_env`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..check import CheckConfig, validate_file, validate_rendered
from ..check.registry import all_rules, check_selectors
from ..check.rules.document import INPUT_ERROR_RULES
from ..diagnostics import Diagnostic
from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from ..project import INPUT_SCHEMA_SUFFIX, Project
from ..report.summary import Summary

if TYPE_CHECKING:  # rendering is imported where templates are validated: `validate FILE` never needs it
    from ..envconfig import EnvConfig
    from ..render.engine import RenderedTemplate
    from .rendering import EnvRender


@dataclass
class ValidateOptions:
    paths: list[Path] | None = None        # ASL files or directories; None: the project's templates, rendered
    envs: list[str] | None = None          # with templates: these envs (default: every env)
    select: list[str] | None = None
    ignore: list[str] | None = None
    placeholders: str | None = None        # "opaque" | "error"
    remote: bool = False                   # also AWS ValidateStateMachineDefinition
    machine_type: str | None = None        # STANDARD | EXPRESS, for paths
    input_schema: Path | None = None       # the execution input's JSON Schema, for paths (templates: their own)
    sets: tuple[str, ...] = ()
    strict: bool = False                   # warnings fail too
    debug: bool = False                    # a crashing rule re-raises


@dataclass
class ValidateRun:
    diagnostics: list[Diagnostic]          # located, merged across envs, sorted
    files: list[str]                       # the files validated (display paths)
    envs: list[str]
    rules: int                             # rules enabled
    strict: bool = False
    problems: list[Diagnostic] = field(default_factory=list)   # templates that did not render (no rule)

    @property
    def summary(self) -> Summary:
        return Summary.of(self.diagnostics, len(self.files), self.envs, self.rules)

    @property
    def exit_code(self) -> int:
        """2 when a template did not render or a file could not be validated at all, 1 for errors (and
        warnings with strict), else 0."""
        if self.problems or any(d.rule in INPUT_ERROR_RULES for d in self.diagnostics):
            return EXIT_ERROR
        summary = self.summary
        if summary.errors or (self.strict and summary.warnings):
            return EXIT_FINDINGS
        return EXIT_OK


@dataclass
class EnvCheck:
    """One env's templates, rendered and validated."""

    render: EnvRender
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)   # template stem -> its findings
    displays: dict[str, str] = field(default_factory=dict)                   # template stem -> rendered file


def check_rendered(project: Project, envcfg: EnvConfig, r: RenderedTemplate, config: CheckConfig, *,
                   remote: Callable[[EnvConfig], object] | None = None) -> tuple[str, list[Diagnostic]]:
    """Validate one rendered template as `definitions/<env>/<stem>.json` with the env's machine type:
    (that display path, its diagnostics). `remote(envcfg)` makes an AWS client to also run AWS's validation."""
    from .input_schema import template_input_schema

    display = project.display(project.definitions_dir / envcfg.name / f"{r.name}.json")
    mtype = envcfg.machine_settings(r.name).get("type", "STANDARD")
    schema = template_input_schema(project, r.name)
    diags = validate_rendered(r, config, display=display, machine_type=mtype,
                              input_schema=schema.schema if schema is not None else None)
    if remote is not None:
        from ..check.remote import remote_diagnostics
        from ..load import JsonDocument

        diags += remote_diagnostics(remote(envcfg), JsonDocument(r.data, r.text, display), config,
                                    machine_type=mtype, source_map=r.source_map, env=envcfg.name)
    return display, diags


def check_env(project: Project, envcfg: EnvConfig, config: CheckConfig, names: list[str] | None = None, *,
              remote: Callable[[EnvConfig], object] | None = None) -> EnvCheck:
    """Render the env's templates (`render_env`) and validate each one that rendered (`check_rendered`)."""
    from .rendering import render_env

    out = EnvCheck(render_env(project, envcfg, names))
    for r in out.render.templates:
        out.displays[r.name], out.diagnostics[r.name] = check_rendered(project, envcfg, r, config, remote=remote)
    return out


def check_config(project: Project, opts: ValidateOptions) -> CheckConfig:
    """The project's `[tool.sfnc.validate]` with the command line's selectors and modes on top."""
    config = CheckConfig.from_project(project)
    config.debug = opts.debug
    if opts.select:
        check_selectors(opts.select, "--select")
        config.select = opts.select
    if opts.ignore:
        check_selectors(opts.ignore, "--ignore")
        config.ignore = config.ignore + opts.ignore
    if opts.placeholders:
        config.placeholders = opts.placeholders
    return config


def validate(project: Project, opts: ValidateOptions) -> ValidateRun:
    """Validate ASL files (`opts.paths`) or the project's templates rendered for each env."""
    config = check_config(project, opts)
    problems: list[Diagnostic] = []
    if opts.paths:
        if opts.envs:
            raise SfncError("give either PATHs or --env, not both")
        diags, files, envs = *_validate_paths(project, config, opts), []
    else:
        diags, files, envs, problems = _validate_templates(project, config, opts)
    diags.sort(key=Diagnostic.sort_key)
    rules = len([r for r in all_rules() if config.enabled(r)])
    return ValidateRun(diags, files, envs, rules, opts.strict, problems)


def iter_files(paths: list[Path]) -> list[Path]:
    """The files to validate: each file given, and the `.json`/`.json5` files below each directory
    (sorted; hidden files and directories below it skipped, whatever the path to it: `../corpus` works;
    execution input schemas, `*.input.schema.json`, skipped)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".json", ".json5") and q.is_file()
                                and not q.name.endswith(INPUT_SCHEMA_SUFFIX)
                                and not any(part.startswith(".") for part in q.relative_to(p).parts)))
        elif p.exists():
            files.append(p)
        else:
            raise SfncError("no such file or directory", file=str(p))
    return files


def _validate_paths(project: Project, config: CheckConfig,
                    opts: ValidateOptions) -> tuple[list[Diagnostic], list[str]]:
    diags: list[Diagnostic] = []
    files: list[str] = []
    schema = None
    if opts.input_schema is not None:
        from .input_schema import load_input_schema

        schema = load_input_schema(opts.input_schema, project.display(opts.input_schema)).schema
    for f in iter_files(opts.paths or []):
        display = project.display(f)
        files.append(display)
        file_diags = validate_file(f, display, config, machine_type=opts.machine_type, input_schema=schema)
        if opts.remote and not any(d.rule in INPUT_ERROR_RULES for d in file_diags):
            from ..check.remote import make_client, remote_diagnostics
            from ..load import load_json_file

            file_diags += remote_diagnostics(make_client(), load_json_file(f, display, allow_duplicates=True), config,
                                             machine_type=opts.machine_type or "STANDARD")
        diags.extend(file_diags)
    return diags, files


def _validate_templates(project: Project, config: CheckConfig,
                        opts: ValidateOptions) -> tuple[list[Diagnostic], list[str], list[str], list[Diagnostic]]:
    from ..envconfig import load_env
    from .rendering import select_envs

    if opts.machine_type:
        raise SfncError("--type is for PATHs; with templates the env's aws.type (or aws.templates.<name>.type) is used")
    if opts.input_schema is not None:
        raise SfncError("--input-schema is for PATHs; a template's input schema is templates/<name>.input.schema.json")
    if not project.templates():
        raise SfncError("nothing to validate: no PATH given and no templates/ in this project",
                        hint="run `sfnc validate FILE.json` or run from a project with templates/ and envs/")
    remote = None
    if opts.remote:
        from ..check.remote import make_client

        def remote(envcfg: EnvConfig):
            return make_client(envcfg.aws)
    diags: list[Diagnostic] = []
    files: list[str] = []
    envs: list[str] = []
    render_problems: list[Diagnostic] = []
    for name in select_envs(project, opts.envs, False, required=False):
        checked = check_env(project, load_env(project, name, opts.sets), config, remote=remote)
        render_problems.extend(checked.render.problems)
        envs.append(name)
        for stem, found in checked.diagnostics.items():
            files.append(checked.displays[stem])
            diags.extend(found)
    return merge_envs(diags), sorted(set(files)), envs, render_problems


def merge_envs(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics that are the same in several envs (same rule, template location, message) become one,
    listing the envs."""
    merged: dict[object, Diagnostic] = {}
    for d in diags:
        t = d.template
        if t is None:
            merged[id(d)] = d
            continue
        key = (d.rule, t.file, t.line, t.column, d.message)
        if key in merged:
            first = merged[key]
            if d.env and d.env not in (first.env or "").split(", "):
                merged[key] = replace(first, env=f"{first.env}, {d.env}")
        else:
            merged[key] = d
    return list(merged.values())
