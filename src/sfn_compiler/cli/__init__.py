"""The `sfnc` command line. Commands are thin: parse options, call the stages, print, map errors to
exit codes (0 ok, 1 findings, 2 usage/config/input error). Heavy libraries (boto3, the JSONata engine,
jsonschema) are imported inside commands, never at start-up."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .. import __version__
from . import _common

app = typer.Typer(
    name="sfnc",
    help="Compile, validate, test and deploy AWS Step Functions state machines written in JSONata.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sfnc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[Optional[bool], typer.Option("--version", callback=_version, is_eager=True,
                                                    help="Show the version and exit.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    project: Annotated[Optional[str], typer.Option("--project", "-C", metavar="DIR",
                                                   help="Project directory (default: found from the current one).")] = None,
) -> None:
    ctx.obj = _common.Options(debug=debug, project_dir=project)
    ctx.color = _common.color_setting()   # click keeps or strips the colour codes by it (FORCE_COLOR in CI logs)


from . import render as _render  # noqa: E402,F401  (registers commands)
from . import deploy as _deploy  # noqa: E402,F401
from . import validate as _validate  # noqa: E402,F401
from . import diagram as _diagram  # noqa: E402,F401
from . import simulate as _simulate  # noqa: E402,F401
from . import importer as _importer  # noqa: E402,F401
from . import lock as _lock  # noqa: E402,F401


def main() -> None:
    app()
