"""Start-up stays lean: `sfnc --help` and `--version` import neither boto3 nor the JSONata engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
sys.argv = ["sfnc", {arg!r}]
try:
    from sfn_compiler.cli import main
    main()
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("boto3", "botocore", "jsonata", "jsonschema", "moto"))
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize("arg", ["--help", "--version"])
def test_help_and_version_do_not_import_heavy_libraries(arg):
    out = subprocess.run([sys.executable, "-c", PROBE.format(arg=arg)], capture_output=True, text=True, check=True)
    line = [l for l in out.stdout.splitlines() if l.startswith("HEAVY:")][0]
    assert line == "HEAVY:", line


def test_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "sfn_compiler", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("sfnc ")
