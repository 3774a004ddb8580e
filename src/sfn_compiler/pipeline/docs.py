"""`sfnc graph`: the definition a diagram is drawn from, the inferred shapes (`--shapes`), and the generated
`docs/workflows/<template>.md`."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagram.docs import workflow_markdown
from ..envconfig import load_env
from ..errors import SfncError
from ..fsutil import write_file
from ..load import load_json_file
from ..project import Project, template_stem
from ..render.substitute import Resolver
from .rendering import render_env


def diagram_source(project: Project, name: str, env: str | None = None) -> tuple[Any, str]:
    """(definition, label) for `sfnc graph NAME`: an ASL file as is, or a template (rendered for `env`)."""
    path = Path(name)
    if path.suffix in (".json", ".json5") and path.exists():
        return load_json_file(path, project.display(path)).data, path.stem
    by_name = {template_stem(p): p for p in project.templates()}
    if name not in by_name:
        close = difflib.get_close_matches(name, list(by_name), n=1)
        raise SfncError(f"no template named {name!r}", hint=f"did you mean {close[0]!r}?" if close else
                        ("templates: " + ", ".join(by_name)) if by_name else "no templates/ here")
    if env:
        result = render_env(project, load_env(project, env), [name])
        if result.problems:
            raise SfncError(result.problems)
        return result.templates[0].data, name
    return load_json_file(by_name[name], project.display(by_name[name])).data, name


def shapes_text(project: Project, name: str, env: str | None = None, input_schema: Path | None = None,
                depth: int = 2) -> str:
    """`sfnc graph NAME --shapes`: each reachable state's inferred input, result and output shapes, what it
    assigns and the variables it sees (docs/shapes.md), for a template (rendered for `env`; its
    `templates/<name>.input.schema.json` gives the execution input) or an ASL file (`input_schema`)."""
    from ..shapes.flow import analyse
    from ..shapes.render import render_flow
    from .input_schema import load_input_schema, template_input_schema

    data, label = diagram_source(project, name, env)
    if input_schema is not None:
        schema = load_input_schema(input_schema, project.display(input_schema))
    elif not (Path(name).suffix in (".json", ".json5") and Path(name).exists()):
        schema = template_input_schema(project, name)
    else:
        schema = None
    if not isinstance(data, dict) or not isinstance(data.get("States"), dict):
        raise SfncError(f"{label} is not a state machine definition (no States object)")
    from ..shapes import shape as S

    execution_input = S.UNKNOWN
    if schema is not None:
        from ..shapes.schema import from_json_schema

        execution_input = from_json_schema(schema.schema)
    flow = analyse(data, execution_input)
    head = (f"# shapes of {label}: execution input {S.render(execution_input, depth)}"
            + (f" ({schema.display})" if schema is not None else " (no input schema)") + "\n")
    return head + render_flow(flow, depth=depth, variables=True)


@dataclass
class DocsRun:
    templates: int
    stale: list[str] = field(default_factory=list)   # pages that differed (written, unless check)


def workflow_docs(project: Project, *, check: bool = False) -> DocsRun:
    """Write `docs/workflows/<template>.md` for every JSON template (with `check`, only compare)."""
    envs = {name: load_env(project, name) for name in project.env_names()}
    out_dir = project.root / "docs" / "workflows"
    run = DocsRun(len(project.templates()))
    for path in project.templates():
        if path.name.endswith(".j2"):
            continue
        name = template_stem(path)
        template = load_json_file(path, project.display(path)).data
        text = workflow_markdown(name, template, {e: c.values for e, c in envs.items()},
                                 lambda env, ph: Resolver(envs[env].values, env).resolve(ph))
        target = out_dir / f"{name}.md"
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        run.stale.append(project.display(target))
        if not check:
            write_file(target, text, display=project.display(target))
    return run
