"""Start-up stays lean: `sfnc --help` and `--version` import neither boto3 nor the JSONata engine, and
`validate` does not load the engine either."""

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


def test_definitions_are_validated_without_the_jsonata_engine(tmp_path):
    # validation parses JSONata with its own parser (asl/jsonata_parser/); only the simulator evaluates
    import json

    probe = PROBE.replace("sys.argv = [\"sfnc\", {arg!r}]", "sys.argv = [\"sfnc\", \"validate\", \"--no-cache\", {arg!r}]")
    jsonpath = tmp_path / "jp.json"
    jsonpath.write_text(json.dumps({"StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "f", "Payload.$": "$.x"},
        "ResultSelector": {"v.$": "States.JsonToString($.Payload)"}, "End": True}}}))
    jsonata = tmp_path / "ja.json"
    expression = "{% $states.input.x ? $map($states.input.y, function($v){$v * 2}) : 1 %}"
    jsonata.write_text(json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": expression, "End": True}}}))
    lines = {}
    for name, path in (("jsonpath", jsonpath), ("jsonata", jsonata)):
        out = subprocess.run([sys.executable, "-c", probe.format(arg=str(path))], capture_output=True, text=True)
        lines[name] = [l for l in out.stdout.splitlines() if l.startswith("HEAVY:")][0]
    assert lines == {"jsonpath": "HEAVY:", "jsonata": "HEAVY:"}, lines
