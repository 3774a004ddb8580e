"""Command modules load on demand: `sfnc --help` imports none, a command imports its own module. The table of
commands in sfn_compiler/cli/__init__.py matches what the modules register, and the help it prints is the
help typer prints from the real commands."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys

import sfn_compiler.cli as cli

COMMAND_MODULES = {"sfn_compiler.cli." + m for m, _ in cli.COMMANDS.values()}

PROBE = """
import sys
sys.argv = ["sfnc", *{args!r}]
try:
    from sfn_compiler.cli import main
    main()
except SystemExit:
    pass
print("MODULES:" + ",".join(sorted(m for m in sys.modules if m.startswith("sfn_compiler.cli."))))
"""


def _modules_after(*args: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args))], capture_output=True, text=True,
                         check=True)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("MODULES:")][0]
    return set(filter(None, line[len("MODULES:"):].split(",")))


def _all_modules_imported() -> None:
    for info in pkgutil.iter_modules(cli.__path__):
        importlib.import_module(f"sfn_compiler.cli.{info.name}")


def test_help_imports_no_command_module():
    assert _modules_after("--help") & COMMAND_MODULES == set()


def test_a_command_imports_only_what_it_needs(tmp_path):
    path = tmp_path / "m.json"
    path.write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}', encoding="utf-8")
    loaded = _modules_after("validate", str(path))
    assert "sfn_compiler.cli.validate" in loaded
    assert not loaded & {"sfn_compiler.cli.deploy", "sfn_compiler.cli.simulate", "sfn_compiler.cli.graph"}


def test_table_matches_the_registered_commands():
    from typer.main import get_command_name

    _all_modules_imported()
    registered = {}
    for info in cli.app.registered_commands:
        name = info.name or get_command_name(info.callback.__name__)
        summary = inspect.getdoc(info.callback).split("\n\n")[0]
        registered[name] = (info.callback.__module__.rsplit(".", 1)[1], " ".join(summary.split()))
    assert registered == cli.COMMANDS


def test_lazy_help_is_the_help_of_the_real_commands():
    import os

    # a fresh process: no command module imported (COLUMNS=90 gives click a 88-column formatter)
    code = "import sys; sys.argv = ['sfnc', '--help']; from sfn_compiler.cli import main; main()"
    lazy = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=dict(os.environ, COLUMNS="90")).stdout
    # in-process, every command module imported: the group is built from the real commands
    _all_modules_imported()
    from typer.testing import CliRunner

    eager = CliRunner().invoke(cli.app, ["--help"], terminal_width=88, prog_name="sfnc")
    assert eager.exit_code == 0
    assert lazy == eager.stdout
    for name in cli.COMMANDS:
        assert f"\n  {name} " in lazy


def test_unknown_command_suggests_a_known_one(sfnc):
    res = sfnc("valdate")
    assert res.exit_code == 2 and "Did you mean 'validate'?" in res.output
