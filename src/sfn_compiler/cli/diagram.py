"""`sfnc graph`: diagrams of a template or definition, and the generated docs/workflows pages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import EXIT_FINDINGS, SfncError
from . import _common, app
from .render import EnvOpt


def _docs(project, check: bool) -> int:
    from ..envconfig import load_env
    from ..diagram.docs import workflow_markdown
    from ..load import load_json_file
    from ..project import template_stem
    from ..render.engine import write_text_atomic
    from ..render.substitute import Resolver

    envs = {name: load_env(project, name) for name in project.env_names()}
    out_dir = project.root / "docs" / "workflows"
    stale = []
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
        stale.append(project.display(target))
        if not check:
            write_text_atomic(target, text)
    if check and stale:
        typer.echo("stale workflow docs (run `sfnc graph --docs`): " + ", ".join(stale), err=True)
        return EXIT_FINDINGS
    typer.echo(f"workflow docs: {len(project.templates())} templates, {len(stale)} "
               + ("stale" if check else "written"))
    return 0


@app.command("graph")
@_common.handle_errors
def diagram(
    name: Annotated[Optional[str], typer.Argument(help="Template name, or a path to an ASL JSON file.")] = None,
    env: EnvOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="mermaid or dot.")] = "mermaid",
    docs: Annotated[bool, typer.Option("--docs", help="Write docs/workflows/<template>.md for every template.")] = False,
    check: Annotated[bool, typer.Option("--check", help="With --docs: write nothing, exit 1 when a page is stale.")] = False,
) -> None:
    """Draw a state machine as a Mermaid or Graphviz DOT diagram."""
    from ..diagram import to_dot, to_mermaid
    from ..load import load_json_file

    project = _common.project()
    if docs:
        raise typer.Exit(_docs(project, check))
    if not name:
        raise SfncError("name a template or an ASL file", hint="e.g. sfnc graph sfn_ndr_15m_features_inference")
    if fmt not in ("mermaid", "dot"):
        raise SfncError(f"unknown format {fmt!r}", hint="mermaid or dot")
    path = Path(name)
    if path.suffix in (".json", ".json5") and path.exists():
        data = load_json_file(path, project.display(path)).data
        label = path.stem
    else:
        from ..project import template_stem

        by_name = {template_stem(p): p for p in project.templates()}
        if name not in by_name:
            import difflib

            close = difflib.get_close_matches(name, list(by_name), n=1)
            raise SfncError(f"no template named {name!r}", hint=f"did you mean {close[0]!r}?" if close else
                            ("templates: " + ", ".join(by_name)) if by_name else "no templates/ here")
        label = name
        if env:
            from ..envconfig import load_env
            from ..pipeline import render_env

            result = render_env(project, load_env(project, env[0]), [name])
            if result.problems:
                raise SfncError(result.problems)
            data = result.templates[0].data
        else:
            data = load_json_file(by_name[name], project.display(by_name[name])).data
    typer.echo(to_mermaid(data) if fmt == "mermaid" else to_dot(data, label), nl=False)
