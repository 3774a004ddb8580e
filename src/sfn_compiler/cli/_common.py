"""Shared CLI plumbing: global options (the click context's `obj`, no module state), project lookup, env
selection, error printing and exit-code mapping."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, NamedTuple

import typer

from ..diagnostics import Diagnostic, printable, problem
from ..errors import EXIT_ERROR, SfncError


class Options(NamedTuple):
    """The global options (`sfnc --debug -C DIR ...`), set by the root callback as the click context's `obj`."""

    debug: bool = False
    project_dir: str | None = None


def options(ctx: typer.Context | None) -> Options:
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, Options) else Options()


def project(ctx: typer.Context):
    from ..project import find_project

    project_dir = options(ctx).project_dir
    start = Path(project_dir) if project_dir else None
    if start is not None and not start.is_dir():
        raise SfncError(f"project directory {project_dir!r} does not exist")
    return find_project(start)


def color_setting() -> bool | None:
    """NO_COLOR (non-empty) turns colour off, FORCE_COLOR (non-empty, not 0/false) on even when the output
    is not a terminal (CI logs); None: decide by the stream."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "").strip().lower() not in ("", "0", "false"):
        return True
    return None


def color_enabled(stream=None) -> bool:
    stream = stream or sys.stdout
    setting = color_setting()
    if setting is not None:
        return setting
    return hasattr(stream, "isatty") and stream.isatty()


def style(text: str, fg: str | None = None, bold: bool = False, err: bool = False) -> str:
    if not color_enabled(sys.stderr if err else sys.stdout):
        return text
    return typer.style(text, fg=fg, bold=bold)


def print_problems(problems: list[Diagnostic]) -> None:
    """Each problem on stderr in its one-line form, the severity label coloured."""
    for p in problems:
        color = "yellow" if p.severity == "warning" else "red"
        text = printable(p.format())
        head, _, rest = text.partition("\n")
        label = f"{p.severity}:"
        head = head.replace(label, style(label, fg=color, bold=True, err=True), 1)
        typer.echo(head + ("\n" + rest if rest else ""), err=True)


def handle_errors(fn: Callable) -> Callable:
    """Turn SfncError into printed problems and its exit code; unexpected errors into one line + exit 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = options(kwargs.get("ctx")).debug
        try:
            return fn(*args, **kwargs)
        except SfncError as exc:
            if debug:
                traceback.print_exc()
            print_problems(exc.problems)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, BrokenPipeError):
            raise  # a closed stdout (`sfnc rules | head`): click ends quietly (exit 1), see cli.main
        except Exception as exc:  # a bug: say so in one line, keep the traceback behind --debug
            if isinstance(exc, OSError) and exc.filename is not None:
                # a path the user gave that the system refuses (too long, a directory, no permission): an input
                # problem, named by its file
                if debug:
                    traceback.print_exc()
                name = os.fsdecode(exc.filename)
                name = name if len(name) <= 200 else name[:100] + "…" + name[-99:]
                print_problems([problem(exc.strerror or type(exc).__name__, file=name)])
                raise typer.Exit(EXIT_ERROR) from None
            if debug:
                raise
            typer.echo(f"error: internal error: {type(exc).__name__}: {exc} (run with --debug for a traceback)",
                       err=True)
            raise typer.Exit(EXIT_ERROR) from None

    return wrapper
