"""`sfnc graph`: diagrams of a template or definition, and the generated docs/workflows pages."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import EXIT_FINDINGS, SfncError
from . import _common, app
from .render import EnvOpt


@app.command("graph")
@_common.handle_errors
def diagram(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Argument(help="Template name, or a path to an ASL JSON file.")] = None,
    env: EnvOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="mermaid or dot.")] = "mermaid",
    docs: Annotated[bool, typer.Option("--docs", help="Write docs/workflows/<template>.md for every template.")] = False,
    check: Annotated[bool, typer.Option("--check", help="With --docs: write nothing, exit 1 when a page is stale.")] = False,
    catch: Annotated[str, typer.Option("--catch", metavar="MODE", help="Catch edges: grouped (through one 'on error' junction per handler, the default), all (one edge per catcher) or none.")] = "grouped",
    no_catch: Annotated[bool, typer.Option("--no-catch", help="Same as --catch none.")] = False,
    shapes: Annotated[bool, typer.Option("--shapes", help="Print each state's inferred input, result and output shapes (and variables) instead of a diagram.")] = False,
    input_schema: Annotated[Optional[Path], typer.Option("--input-schema", metavar="FILE", help="With --shapes: JSON Schema of the execution input (templates: templates/<name>.input.schema.json).")] = None,
    depth: Annotated[int, typer.Option("--depth", metavar="N", help="With --shapes: nesting levels shown per shape.")] = 2,
) -> None:
    """Draw a state machine as a Mermaid or Graphviz DOT diagram (or, with --shapes, show the data)."""
    from ..diagram import CATCH_MODES, to_dot, to_mermaid
    from ..pipeline.docs import diagram_source, workflow_docs

    if no_catch:
        catch = "none"
    if catch not in CATCH_MODES:
        raise SfncError(f"unknown --catch mode {catch!r}", hint="grouped, all or none")

    project = _common.project(ctx)
    if docs:
        run = workflow_docs(project, check=check)
        if check and run.stale:
            typer.echo("stale workflow docs (run `sfnc graph --docs`): " + ", ".join(run.stale), err=True)
            raise typer.Exit(EXIT_FINDINGS)
        typer.echo(f"workflow docs: {run.templates} templates, {len(run.stale)} " + ("stale" if check else "written"))
        raise typer.Exit(0)
    if not name:
        raise SfncError("name a template or an ASL file", hint="e.g. sfnc graph sfn_ndr_15m_features_inference")
    if shapes:
        from ..pipeline.docs import shapes_text

        if depth < 1:
            raise SfncError("--depth must be at least 1")
        typer.echo(shapes_text(project, name, env[0] if env else None, input_schema, depth), nl=False)
        raise typer.Exit(0)
    if input_schema is not None:
        raise SfncError("--input-schema goes with --shapes")
    if fmt not in ("mermaid", "dot"):
        raise SfncError(f"unknown format {fmt!r}", hint="mermaid or dot")
    data, label = diagram_source(project, name, env[0] if env else None)
    typer.echo(to_mermaid(data, catch) if fmt == "mermaid" else to_dot(data, label, catch), nl=False)
