"""Rendering a project: every template of an env (`render_env`), and the `sfnc render` run over several
envs (`render_project`: render, then write `definitions/<env>/` or compare with it)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from ..envconfig import EnvConfig, available_envs_hint, load_env, unused_values
from ..diagnostics import Diagnostic, Span, problem
from ..errors import SfncError
from ..load.pointer import escape_token
from ..project import Project, check_env_name, template_stem
from ..render.engine import RenderedTemplate, WriteResult, render_template, stale_diffs, write_outputs
from ..render.substitute import Resolver


@dataclass
class EnvRender:
    env: EnvConfig
    templates: list[RenderedTemplate]
    problems: list[Diagnostic]          # errors: nothing may be written
    warnings: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return not self.problems


def render_env(project: Project, env: EnvConfig, names: list[str] | None = None) -> EnvRender:
    templates = project.templates()
    if names:
        by_name = {template_stem(p): p for p in templates}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise SfncError([problem(f"no template named {n!r}", hint=_suggest(n, list(by_name))) for n in missing])
        templates = [by_name[n] for n in names]
    rendered: list[RenderedTemplate] = []
    problems: list[Diagnostic] = []
    used: set[str] = set()
    for path in templates:
        resolver = Resolver(env.values, env.name)
        try:
            project.check_inside(path, project.templates_dir, "template")
            r = render_template(path, resolver, display=project.display(path), env=env.name)
        except SfncError as exc:
            problems.extend(replace(p, env=p.env or env.name) for p in exc.problems)
            used |= resolver.used
            continue
        used |= r.used
        rendered.append(r)
    warnings = []
    if not names and not problems:   # a template that failed to render may use any value: no guessing
        for leaf in unused_values(env, used):
            origin = env.origin("/values/" + "/".join(escape_token(p) for p in leaf.split(".")))
            meant = difflib.get_close_matches(leaf, sorted(used), n=1, cutoff=0.75)
            hint = (f"did you mean {meant[0]!r}? The templates use ${{{meant[0]}}}; this key is used by none"
                    if meant else "remove it, or use --strict to make this an error")
            warnings.append(Diagnostic(f"value {leaf!r} is not used by any template", "warning", origin, env=env.name,
                                       hint=hint))
    return EnvRender(env, rendered, problems, warnings)


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}?" if close else ("templates: " + ", ".join(known) if known else "no templates found")


def select_envs(project: Project, envs: list[str] | None, all_envs: bool, *, required: bool = True) -> list[str]:
    """The env names a command runs on: --env (repeatable, deduplicated) or --all-envs; with neither,
    every env when not `required`."""
    if envs and all_envs:
        raise SfncError("use either --env or --all-envs, not both")
    if all_envs or (not envs and not required):
        names = project.env_names()
        if not names:
            raise SfncError("no env files found", hint=available_envs_hint(project))
        for name, path in project.env_paths().items():   # an env file whose name is not an env name
            check_env_name(name, source=Span(project.display(path)))
        return names
    if not envs:
        raise SfncError("no env selected", hint="pass --env ENV or --all-envs; " + available_envs_hint(project))
    return [check_env_name(e) for e in dict.fromkeys(envs)]



@dataclass
class EnvOutcome:
    """One env of `sfnc render`: what was rendered and what was done with it."""

    env: str
    render: EnvRender
    problems: list[Diagnostic]          # errors (unused values too, with strict): nothing was written
    diffs: list[str] | None = None      # with check: unified diffs of the stale files
    written: WriteResult | None = None  # without check: what was written
    out_dir: Path | None = None


def render_project(project: Project, env_names: list[str], names: list[str] | None, sets: tuple[str, ...] = (), *,
                   strict: bool = False, check: bool = False, out: Path | None = None) -> Iterator[EnvOutcome]:
    """Render each env in turn and write `definitions/<env>/` (or `out/<env>/`) atomically, or with `check`
    only compare with it. Yields each env's outcome as soon as it is done."""
    base = out if out is not None else project.definitions_dir
    for name in env_names:
        check_env_name(name)   # definitions/<name>/ is written and pruned: never a path
        result = render_env(project, load_env(project, name, sets), names or None)
        problems = list(result.problems)
        if strict:   # an unused value is a finding (exit 1), not an input error
            problems += [replace(w, severity="error", hint=w.hint if "--strict" not in (w.hint or "") else
                                 "remove it, or use it in a template") for w in result.warnings]
        outcome = EnvOutcome(name, result, problems, out_dir=base / name)
        if out is None:   # definitions/<env>/ is written and pruned: a symlink out of the project is not followed
            project.check_inside(outcome.out_dir, base, "definitions directory")
        if not problems:
            if check:
                outcome.diffs = stale_diffs(outcome.out_dir, result.templates, project.display, orphans=not names)
            else:
                outcome.written = write_outputs(outcome.out_dir, result.templates, prune=not names)
        yield outcome
