"""The pipeline: render -> load -> check for a project, shared by the CLI and deploy.

Each CLI command parses its options, calls one function here (or in a stage package) and reports; deploy
calls the same functions, so "render every template of an env" and "validate what was rendered" have
one home.

- `render_env(project, env, names)`: every template (or the named ones) of a project for one env, with
  the problems of each and the env values no template used.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from .envconfig import EnvConfig, unused_values
from .diagnostics import Diagnostic, problem
from .errors import SfncError
from .load.pointer import escape_token
from .project import Project, template_stem
from .render.engine import RenderedTemplate, render_template
from .render.substitute import Resolver


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
            warnings.append(Diagnostic(f"value {leaf!r} is not used by any template", "warning", origin, env=env.name,
                                       hint="remove it, or use --strict to make this an error"))
    return EnvRender(env, rendered, problems, warnings)


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"did you mean {close[0]!r}?" if close else ("templates: " + ", ".join(known) if known else "no templates found")
