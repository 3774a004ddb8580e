"""The `sfnc` command line. Commands are thin: parse options, call the stages, print, map errors to
exit codes (0 ok, 1 findings, 2 usage/config/input error). Heavy libraries (boto3, the JSONata engine,
jsonschema) are imported inside commands, never at start-up.

Command modules are imported on demand: `COMMANDS` names each command's module and the summary that
`sfnc --help` lists, so `sfnc --help` imports no command module and `sfnc validate` imports only
cli/validate.py (a test checks the table against the modules). A command module registers its commands
on `app` with `@app.command()` as usual.

The command modules (and this one) do not use `from __future__ import annotations`: typer reads every
parameter's annotation at each run, and a string annotation is compiled and evaluated there each time
(2.5 ms for `validate`'s options); written as objects they are built once, when the module loads.
"""

import gc
from collections.abc import MutableMapping
from typing import Annotated, Any, Iterator, Optional

# sfnc builds large acyclic structures (parsed JSON, the ASL model, ASTs) and frees them at exit; the default
# thresholds (700, 10, 10) spend 15-25% of a 10,000-state validate in collections that find nothing
# (bench/run.py, scale group), and 3% of `sfnc --help` collecting while typer is imported. Cycles are still
# collected, less often. Set here, before typer loads, as well as in `main`.
GC_THRESHOLDS = (200_000, 30, 30)
gc.set_threshold(*GC_THRESHOLDS)

import typer  # noqa: E402
from typer.core import TyperCommand, TyperGroup  # noqa: E402

from .. import __version__  # noqa: E402

# command -> (module in sfn_compiler.cli, first paragraph of its docstring), in `sfnc --help` order
COMMANDS: dict[str, tuple[str, str]] = {
    "render": ("render", "Render templates/ into definitions/<env>/ (atomically per env)."),
    "deploy": ("deploy", "Deploy the committed definitions/<ENV>/ files: create, update (publish, alias, tags) "
                         "or leave unchanged."),
    "diff": ("deploy", "Show what differs: rendered definitions versus deployed machines (or versus another env)."),
    "validate": ("validate", "Validate state machines: the project's templates rendered per env, or state machines "
                             "where they live (ASL files, CloudFormation/SAM/CDK templates, Terraform files)."),
    "rules": ("validate", "List the rules (id, name, group, default severity, summary)."),
    "explain": ("validate", "Print a rule's documentation with an example that fires and one that does not."),
    "graph": ("diagram", "Draw a state machine as a Mermaid or Graphviz DOT diagram (or, with --shapes, show the data)."),
    "run": ("simulate", "Run a definition offline with mocked integrations on a virtual clock; print the trace."),
    "test": ("simulate", "Run the project's scenarios (tests/scenarios/<template>/<case>.yaml) with coverage."),
    "import": ("importer", "Create templates/ and envs/ from a SAM/CloudFormation template or from deployed state "
                           "machines."),
    "lock": ("lock", "Look up {ssm: ...} and {stack_output: ...} env values in AWS and pin them in "
                     "envs/<env>.lock.json."),
}


def _build(name: str):
    """The click command `name`, after importing the module that registers it."""
    from importlib import import_module

    from typer.main import get_command_from_info, get_command_name

    import_module(f"{__name__}.{COMMANDS[name][0]}")
    for info in app.registered_commands:
        if (info.name or get_command_name(info.callback.__name__)) == name:
            return get_command_from_info(info, pretty_exceptions_short=app.pretty_exceptions_short,
                                         rich_markup_mode=app.rich_markup_mode)
    raise LookupError(f"cli.{COMMANDS[name][0]} registers no command {name!r}")  # pragma: no cover


class _Commands(MutableMapping):
    """name -> click command; the commands of `COMMANDS` are built on first access."""

    def __init__(self, built: MutableMapping[str, Any]) -> None:
        self.built = dict(built)

    def __getitem__(self, name: str):
        cmd = self.built.get(name)
        if cmd is None:
            if name not in COMMANDS:
                raise KeyError(name)
            cmd = self.built[name] = _build(name)
        return cmd

    def __iter__(self) -> Iterator[str]:
        yield from COMMANDS
        yield from (n for n in self.built if n not in COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS) + sum(1 for n in self.built if n not in COMMANDS)

    def __setitem__(self, name: str, cmd) -> None:
        self.built[name] = cmd

    def __delitem__(self, name: str) -> None:  # pragma: no cover - click never removes commands
        del self.built[name]


class _LazyGroup(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self.commands)

    def list_commands(self, ctx) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx, formatter) -> None:
        # as TyperGroup.format_commands, with the summaries of COMMANDS instead of the built commands
        table = self.commands
        cmds = [(n, table.built.get(n) or TyperCommand(name=n, help=COMMANDS[n][1])) for n in table]
        cmds = [(n, c) for n, c in cmds if not c.hidden]
        if cmds:
            limit = formatter.width - 6 - max(len(n) for n, _ in cmds)
            with formatter.section("Commands"):
                formatter.write_dl([(n, c.get_short_help_str(limit)) for n, c in cmds])


app = typer.Typer(
    name="sfnc",
    cls=_LazyGroup,
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
    from ._common import Options, color_setting  # not at import: `sfnc --help` never runs this callback

    ctx.obj = Options(debug=debug, project_dir=project)
    ctx.color = color_setting()   # click keeps or strips the colour codes by it (FORCE_COLOR in CI logs)


def main() -> None:
    import os
    import sys

    gc.set_threshold(*GC_THRESHOLDS)   # (see GC_THRESHOLDS: a caller may have changed them since the import)
    try:
        try:
            app()
        finally:
            sys.stdout.flush()  # here, not at exit: a reader that went away is a BrokenPipeError we can catch
    except BrokenPipeError:
        # `sfnc rules | head`: stop quietly, as Unix tools do (Python docs, "Note on SIGPIPE"): no traceback, no
        # "Exception ignored" when Python flushes stdout at exit, and exit code 1 (click's, for a write that failed)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


def run() -> None:
    """The process's entry point (the `sfnc` script, `python -m sfn_compiler`): `main()`, then leave at once.

    A large validate leaves millions of objects behind (the definition, its parsed expressions, the API
    models' shapes), which the interpreter's shutdown would collect and free one by one: 0.07 s after a 1 MiB
    definition, 0.26 s after 10,000 states. Nothing needs that shutdown: every file sfnc writes is written
    and closed (atomically) before `main` returns, every forked worker has been waited for, and sfnc
    registers no exit handlers; so after flushing stdout and stderr the process exits with `os._exit`, as
    mypy's does. Not under a tracer or profiler (coverage, `python -m cProfile`): they report at exit.
    `main` itself still returns by raising SystemExit (tests call it in-process)."""
    import os
    import sys

    try:
        main()
        code = 0
    except SystemExit as exc:  # as sys.exit would: None is 0, an int is the status, anything else is printed
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a closed stream: the status says enough
            code = code or 1
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)
    os._exit(code)
