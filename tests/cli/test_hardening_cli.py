"""The command line under bad input (issue 14): `--min-coverage` out of range, scenario files of the wrong
types, a JSONata expression that never ends, JUnit reports with control characters, a stdout whose reader
went away (`sfnc rules | head`), very long arguments. Each gives one located message and exit 1 or 2:
never a traceback, never "internal error"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from sfn_compiler.simulate import run_execution

RUNAWAY = "{% ($f := function($n){ $f($n + 1) }; $f(0)) %}"
TASK = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"},
          "End": True}}}


def one_machine(project, scenarios: dict[str, str], template=TASK):
    project.write("templates/m.json", template)
    project.write("envs/local.yaml", "values: {}\n")
    for name, text in scenarios.items():
        project.write(f"tests/scenarios/m/{name}", text)


@pytest.fixture
def short_budget(monkeypatch):
    """One JSONata evaluation may take 0.2 s instead of 5 s: the runaway expression stops sooner."""
    monkeypatch.setitem(run_execution.__kwdefaults__, "expression_budget", 0.2)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "100.5", "-inf"])
def test_min_coverage_out_of_range_is_a_usage_error(sfnc, project, value):
    one_machine(project, {"ok.yaml": "mocks: {T: {return: {Payload: 1}}}\n"})
    res = sfnc("test", "--min-coverage", value, cwd=project.root)
    assert res.exit_code == 2 and res.stdout == ""
    assert "error: --min-coverage must be a percentage from 0 to 100, got" in res.stderr


@pytest.mark.parametrize("text,where", [
    ("mocks: {T: [1]}\n", "b.yaml:1:13: error: mocks: 'T'[0]: a response must be a mapping"),
    ("mocks: {T: {return: {Payload: 1}, duration: .inf}}\n",
     "b.yaml:1:45: error: .inf is not a finite number: JSON has no NaN or Infinity (at /mocks/T/duration)"),
    ("max_transitions: 1000000000000\n", "b.yaml:1:18: error: max_transitions must be an integer from 1 to 10,000,000"),
    ('mocks: {"T\\0": {return: 1}}\n', "b.yaml:1:9: error: mocks: a state name must not contain control characters"),
    ("expect: {status: [SUCCEEDED]}\n", "b.yaml:1:18: error: expect.status must be one of"),
    ("mock_config: {file: [1], machine: m, test_case: c}\n", "b.yaml:1:21: error: mock_config.file must be a string"),
])
def test_a_scenario_of_the_wrong_types_is_one_located_error(sfnc, project, text, where):
    one_machine(project, {"a.yaml": "mocks: {T: {return: {Payload: 1}}}\n", "b.yaml": text})
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 2, res
    assert "1 passed, 0 failed, 1 could not be read" in res.stdout
    [line] = [ln for ln in res.stderr.splitlines() if "b.yaml" in ln]
    assert line.startswith("tests/scenarios/m/" + where), line
    assert "internal error" not in res.output and "Traceback" not in res.output


def test_huge_retry_numbers_in_a_scenario_end_with_the_one_year_limit(sfnc, project):
    template = json.loads(json.dumps(TASK))
    template["States"]["T"]["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 99999999,
                                         "MaxAttempts": 99999999, "BackoffRate": 1000}]
    one_machine(project, {"a.yaml": "mocks: {T: {throw: {Error: Boom}}}\nexpect: {status: TIMED_OUT}\n"}, template)
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 0, res
    assert "ok   tests/scenarios/m/a.yaml  (TIMED_OUT, States.Timeout;" in res.stdout


def test_sfnc_run_stops_a_runaway_expression_and_says_where(sfnc, tmp_path, short_budget):
    f = tmp_path / "loop.json"
    f.write_text(json.dumps({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": [1], "End": True, "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Output": {"a": RUNAWAY}, "End": True}}}}}}, indent=1))
    res = sfnc("run", str(f))
    assert res.exit_code == 1, res
    status = next(ln for ln in res.stdout.splitlines() if ln.startswith("status: "))
    assert status.startswith("status: FAILED (States.QueryEvaluationError: An error occurred while executing the "
                             "state 'P'")
    assert status.endswith("specified for the field 'Output/a' threw an error during evaluation. "
                           "Expression evaluation timeout)")
    line, col = next((i + 1, ln.index('"{%') + 1) for i, ln in enumerate(f.read_text().splitlines()) if '"a":' in ln)
    assert res.stdout.splitlines()[-1] == f"failed at: {f}:{line}:{col} (at /States/M/ItemProcessor/States/P/Output/a)"


def test_sfnc_test_reports_a_runaway_expression_as_the_scenario_failing(sfnc, project, short_budget):
    template = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Condition": RUNAWAY, "Next": "D"}], "Default": "D"},
        "D": {"Type": "Succeed"}}}
    one_machine(project, {"a.yaml": "expect: {status: SUCCEEDED}\n"}, template)
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 1, res
    assert "FAIL tests/scenarios/m/a.yaml  (FAILED, States.QueryEvaluationError;" in res.stdout
    mismatch = next(ln for ln in res.stdout.splitlines() if ln.startswith("  status: expected SUCCEEDED, got FAILED"))
    assert "state 'C'" in mismatch and "field 'Choices[0]/Condition'" in mismatch
    assert "Expression evaluation timeout" in mismatch


CONTROL = "tab\tnul\x00esc\x1bbell\x07"


def test_sfnc_test_junit_with_control_characters_parses(sfnc, project):
    template = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"},
              "Output": "{% $states.result.Payload %}", "End": True}}}
    # the mock's data and the expected value hold control characters; the mismatch message quotes both
    one_machine(project, {
        "a.yaml": json.dumps({"mocks": {"T": {"return": {"Payload": CONTROL}}}, "expect": {"output": "x\x01"}}),
        "b.yaml": json.dumps({"mocks": {"T": {"throw": {"Error": "E\x02", "Cause": CONTROL}}},
                              "expect": {"status": "SUCCEEDED"}}),
    }, template)
    res = sfnc("test", "--format", "junit", cwd=project.root)
    assert res.exit_code == 1, res
    root = ET.fromstring(res.stdout.encode("utf-8"))
    failures = root.findall(".//failure")
    assert len(failures) == 2
    assert "\\u0001" in failures[0].text and "\\u0000" in failures[1].text
    out = project.root / "report.xml"
    sfnc("test", "--format", "junit", "-o", str(out), cwd=project.root)
    ET.parse(out)


def test_validate_junit_with_control_characters_parses(sfnc, tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"StartAt": "A\x01", "States": {"A\x02": {"Type": "Pass", "Next": "B\x00"}}}))
    res = sfnc("validate", str(f), "--format", "junit")
    assert res.exit_code == 1, res
    root = ET.fromstring(res.stdout.encode("utf-8"))
    text = "".join(x.text or "" for x in root.iter("failure"))
    assert "\\u0001" in text and "\\u0000" in text


def closed_stdout(*args: str, cwd=None) -> subprocess.CompletedProcess:
    """Run sfnc with a stdout whose reader is gone before it writes (`sfnc ... | head` after head exited)."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([sys.executable, "-m", "sfn_compiler", *args], stdout=w, stderr=subprocess.PIPE,
                              text=True, cwd=cwd, timeout=120)
    finally:
        os.close(w)


@pytest.mark.parametrize("args", [("rules",), ("rules", "--format", "md"), ("explain", "SFN101"), ("--help",)])
def test_a_closed_stdout_ends_quietly(args):
    res = closed_stdout(*args)
    assert res.returncode == 1 and res.stderr == "", res


def test_a_closed_stdout_ends_quietly_in_a_command_that_handles_errors(project):
    one_machine(project, {"a.yaml": "mocks: {T: {return: {Payload: 1}}}\n"})
    res = closed_stdout("test", "--trace", cwd=project.root)
    assert res.returncode == 1 and res.stderr == "", res


def test_very_long_arguments(sfnc, project):
    one_machine(project, {"a.yaml": "mocks: {T: {return: {Payload: 1}}}\n"})
    long = "a" * 5000
    for args in (["test", long], ["validate", long], ["run", long], ["-C", long, "test"], ["graph", long],
                 ["explain", long], ["run", long + ".json"], ["test", "--scaffold", long]):
        res = sfnc(*args, cwd=project.root)
        assert res.exit_code == 2, (args[:2], res.stderr[:300])
        assert "internal error" not in res.output and "Traceback" not in res.output
        assert res.stderr.startswith("error: ") or ": error: " in res.stderr.splitlines()[0]
        assert len(res.stderr) < 12_000   # the name is shortened where the system refuses it
    res = sfnc("-C", long, "test", cwd=project.root)
    assert res.stderr.startswith("a" * 100 + "…" + "a" * 99 + ": error: File name too long")


def test_sfnc_run_locates_what_stops_a_run_in_the_definition(sfnc, tmp_path):
    # a definition the creation checks let through (an unrendered placeholder) that the simulator cannot run
    f = tmp_path / "retry.json"
    f.write_text('{\n  "QueryLanguage": "JSONata",\n  "StartAt": "T",\n  "States": {\n'
                 '    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",\n'
                 '          "Retry": "${retries}", "End": true}\n  }\n}\n')
    res = sfnc("run", str(f))
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith(f"{f}:6:20: error: InvalidDefinition: /States/T/Retry: must be an array of objects")
    assert res.stderr.rstrip().endswith("(at /States/T/Retry)")
    # a Task with no mock, inside a Parallel: the error is at that Task (text and streamed JSON alike)
    f = tmp_path / "par.json"
    f.write_text(json.dumps({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
        "Type": "Parallel", "End": True, "Branches": [{"StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}]}}}, indent=1))
    line = next(i + 1 for i, ln in enumerate(f.read_text().splitlines()) if '"T": {' in ln)
    for fmt in ("text", "json"):
        res = sfnc("run", str(f), "--format", fmt)
        assert res.exit_code == 2
        assert res.stderr.startswith(f"{f}:{line}:") and "error: MockMissing: Task state 'T' has no mock" in res.stderr
        assert "(at /States/P/Branches/0/States/T)" in res.stderr
    # an input that is not JSON data is the input file's error
    bad = tmp_path / "in.json"
    bad.write_text('{"a": NaN}')
    res = sfnc("run", str(f), "--input", str(bad))
    assert res.exit_code == 2 and "internal error" not in res.stderr


@pytest.mark.parametrize("setting,message", [
    ("env = 1", "pyproject.toml:3: error: an env name must be a string, not int"),
    ('env = ["local"]', "pyproject.toml:3: error: an env name must be a string, not list"),
    ("mock_validation = 3", "unknown mock validation mode 3"),
])
def test_test_settings_of_the_wrong_type_name_the_config_file(sfnc, project, setting, message):
    one_machine(project, {"ok.yaml": "mocks: {T: {return: {Payload: 1}}}\n"})
    project.write("pyproject.toml", f"[tool.sfnc]\n[tool.sfnc.test]\n{setting}\n")
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 2, res
    assert res.stderr.startswith(message if message.startswith("pyproject.toml:3:") else
                                 "pyproject.toml: error: SFN011 config-invalid: " + message)
