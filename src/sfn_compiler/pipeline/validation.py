"""Validating a project or ASL files: render -> load -> check, the env loop, `--remote`, the cross-env merge,
the summary and the exit policy. `sfnc validate` calls `validate`; deploy calls `check_env`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..check.rules.document import INPUT_ERROR_RULES
from ..check.rules.inputs import ConfigInvalid, EnvValueUnused, InputNotRead, TemplateNotRendered
from ..check.sources import input_diagnostics
from ..diagnostics import Diagnostic, problem
from ..errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, SfncError
from ..project import Project
from ..report.summary import Summary
from .results import Results

if TYPE_CHECKING:  # rendering is imported where templates are validated: `validate FILE` never needs it;
    # the rules load only when something is validated (not when every result comes from the cache)
    from ..check.config import CheckConfig
    from ..envconfig import EnvConfig
    from ..render.engine import RenderedTemplate
    from .rendering import EnvRender


@dataclass
class ValidateOptions:
    paths: list[Path] | None = None        # ASL files, templates or directories; None: the project's templates
    excludes: list[str] | None = None      # with paths: globs of files and directories to skip in directories
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
    cache: bool = False                    # reuse results of earlier runs (.sfnc_cache/); the CLI turns it on
    jobs: int | None = None                # worker processes for many files; None: by the number of files


@dataclass
class ValidateRun:
    diagnostics: list[Diagnostic]          # located, merged across envs, sorted; input problems too (SFN01x)
    files: list[str]                       # the files validated (display paths)
    envs: list[str]
    rules: int                             # rules enabled
    strict: bool = False

    @property
    def summary(self) -> Summary:
        return Summary.of(self.diagnostics, len(self.files), self.envs, self.rules)

    @property
    def exit_code(self) -> int:
        """2 when something could not be validated at all (a template that does not render, a config that
        does not load, a file not read or not a definition), 1 for errors (and warnings with strict), else 0."""
        if any(d.rule in INPUT_ERROR_RULES for d in self.diagnostics):
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


def check_rendered(project: Project, envcfg: EnvConfig, r: RenderedTemplate, config: CheckConfig | None, *,
                   remote: Callable[[EnvConfig], object] | None = None,
                   results: Results | None = None) -> tuple[str, list[Diagnostic]]:
    """Validate one rendered template as `definitions/<env>/<stem>.json` with the env's machine type:
    (that display path, its diagnostics). `remote(envcfg)` makes an AWS client to also run AWS's validation.
    `results` (one per run; its configuration is used instead of `config`) reuses cached results and the
    rules' findings for a definition rendered identically in an env validated before."""
    from .input_schema import template_input_schema

    display = project.display(project.definitions_dir / envcfg.name / f"{r.name}.json")
    mtype = envcfg.machine_settings(r.name).get("type", "STANDARD")
    substitutions = substituted_values(envcfg, r)
    found = template_input_schema(project, r.name)   # SfncError (SFN011 for the caller) when it does not load
    schema = found.schema if found is not None else None
    if results is None:
        from ..check.runner import validate_rendered

        diags = validate_rendered(r, config, display=display, machine_type=mtype, substitutions=substitutions,
                                  input_schema=schema)
    else:
        diags = results.rendered(r, display, mtype, substitutions, input_schema=schema)
    if remote is not None:
        from ..check.remote import remote_diagnostics
        from ..load import JsonDocument

        diags += remote_diagnostics(remote(envcfg), JsonDocument(r.data, r.text, display),
                                    results.config if results is not None else config,
                                    machine_type=mtype, source_map=r.source_map, env=envcfg.name)
    return display, diags


def substituted_values(envcfg: EnvConfig, r: RenderedTemplate) -> dict[str, str]:
    """Rendered text -> `${path}` for the env values the template used (strings and numbers of three or more
    characters: shorter ones would match words by chance), so a message that embeds an env's table name
    gets the same fingerprint in every env."""
    out: dict[str, str] = {}
    for path in sorted(r.used):
        node = dict(envcfg.values, env=envcfg.name) if "env" not in envcfg.values else envcfg.values
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, bool) or not isinstance(node, (str, int, float)):
            continue
        text = str(node)
        if len(text) >= 3:
            out.setdefault(text, f"${{{path}}}")
    return out


def check_env(project: Project, envcfg: EnvConfig, config: CheckConfig | None, names: list[str] | None = None, *,
              remote: Callable[[EnvConfig], object] | None = None, results: Results | None = None) -> EnvCheck:
    """Render the env's templates (`render_env`) and validate each one that rendered (`check_rendered`)."""
    from .rendering import render_env

    out = EnvCheck(render_env(project, envcfg, names))
    for r in out.render.templates:
        out.displays[r.name], out.diagnostics[r.name] = check_rendered(project, envcfg, r, config, remote=remote,
                                                                       results=results)
    return out


def check_config(project: Project, opts: ValidateOptions) -> CheckConfig:
    """The project's `[tool.sfnc.validate]` with the command line's selectors and modes on top."""
    from ..check.config import CheckConfig
    from ..check.registry import check_selectors

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
    if opts.paths and opts.envs:
        raise SfncError("give either PATHs or --env, not both")
    try:
        results = Results(project, lambda: check_config(project, opts), cache=opts.cache and not opts.debug,
                          options=(opts.select, opts.ignore, opts.placeholders), jobs=opts.jobs)
    except SfncError as exc:     # the project's [tool.sfnc.validate] (or a selector): nothing can be checked
        return ValidateRun(input_diagnostics(ConfigInvalid, exc.problems), [], [], 0, opts.strict)
    if opts.paths:
        from .sources import validate_paths

        schema = None
        if opts.input_schema is not None:
            from .input_schema import load_input_schema

            try:
                schema = load_input_schema(opts.input_schema, project.display(opts.input_schema)).schema
            except SfncError as exc:   # not JSON, not a JSON Schema: nothing can be checked with it
                return ValidateRun(input_diagnostics(ConfigInvalid, exc.problems), [], [], 0, opts.strict)
        res = validate_paths(opts.paths, None, display=project.display, roots=[project.root],
                             excludes=opts.excludes, machine_type=opts.machine_type, results=results,
                             input_schema=schema)
        diags, files, envs = res.diagnostics, res.files, []
        if opts.remote:
            from .sources import remote_diagnostics

            diags += remote_diagnostics(res, results.config)
    else:
        diags, files, envs = _validate_templates(project, results, opts)
    diags.sort(key=Diagnostic.sort_key)
    rules = results.rules_enabled()
    results.close()
    return ValidateRun(diags, files, envs, rules, opts.strict)


def _validate_templates(project: Project, results: Results,
                        opts: ValidateOptions) -> tuple[list[Diagnostic], list[str], list[str]]:
    """Render every env's templates and validate them. What stops an env (its file does not load, a
    template does not render) is a diagnostic of that env (SFN011, SFN010); the other envs still run."""
    from ..envconfig import load_env
    from .rendering import select_envs

    if opts.machine_type:
        raise SfncError("--type is for PATHs; with templates the env's aws.type (or aws.templates.<name>.type) is used")
    if opts.input_schema is not None:
        raise SfncError("--input-schema is for PATHs; a template's input schema is templates/<name>.input.schema.json")
    if not project.templates():
        return input_diagnostics(InputNotRead, [problem(
            "nothing to validate: no PATH given and no templates/ in this project",
            hint="run `sfnc validate FILE.json` (or a SAM/CDK/Terraform directory), or run from a project with "
                 "templates/ and envs/")]), [], []
    remote = None
    if opts.remote:
        from ..check.remote import make_client

        def remote(envcfg: EnvConfig):
            return make_client(envcfg.aws, env=envcfg.name, env_file=envcfg.layers[-1] if envcfg.layers else None)
    diags: list[Diagnostic] = []
    files: list[str] = []
    envs: list[str] = []
    try:
        names = select_envs(project, opts.envs, False, required=False)
    except SfncError as exc:
        return input_diagnostics(ConfigInvalid, exc.problems), [], []
    for name in names:
        envs.append(name)
        try:
            envcfg = load_env(project, name, opts.sets, cache=results.cache)
        except SfncError as exc:
            diags += input_diagnostics(ConfigInvalid, [replace(p, env=p.env or name) for p in exc.problems])
            continue
        try:
            checked = check_env(project, envcfg, None, remote=remote, results=results)
        except SfncError as exc:   # a template's input schema that is not JSON or not a JSON Schema
            diags += input_diagnostics(ConfigInvalid, exc.problems)
            continue
        diags += input_diagnostics(TemplateNotRendered, checked.render.problems)
        if checked.render.warnings:   # a misspelled key, often (the rule configuration only when there are any)
            diags += input_diagnostics(EnvValueUnused, checked.render.warnings, results.config)
        for stem, found in checked.diagnostics.items():
            files.append(checked.displays[stem])
            diags.extend(found)
    return merge_envs(diags), sorted(set(files)), envs


def merge_envs(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics that are the same in several envs become one, listing the envs: the same rule and template
    location, and the same fingerprint (which ignores env-substituted values); a problem with the inputs
    (SFN010 in a template, SFN015 for a value in envs/_base.yaml: no rendered file, no `template`) by its
    place and fingerprint. When the messages differ only in those values, the merged one shows the values
    as their placeholders (`${lock_table}`)."""
    merged: dict[object, Diagnostic] = {}
    for d in diags:
        t = d.template or d.span   # a problem with the inputs: its place (a template, an env file)
        if t is None:
            merged[id(d)] = d
            continue
        key = (d.rule, t.file, t.line, t.column, d.fingerprint or d.message)
        first = merged.get(key)
        if first is None:
            merged[key] = d
            continue
        if d.env and d.env not in (first.env or "").split(", "):
            first = replace(first, env=f"{first.env}, {d.env}")
        if d.message != first.message and first.neutral:
            first = replace(first, message=first.neutral)
        merged[key] = first
    return list(merged.values())
