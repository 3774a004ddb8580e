"""Inputs holding what a definition cannot (NaN, Infinity, huge integers, lone surrogates) or past the
loading bounds (an alias bomb, deep nesting), end to end: one located error (file:line:col, pointer), exit 2,
nothing written, never a traceback or an internal error."""

from __future__ import annotations

import json

import pytest

DEFINITION = '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Wait", "Seconds": %s, "End": true}\n  }\n}\n'


def clean(res) -> None:
    assert "Traceback" not in res.output and "internal error" not in res.output, res


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "1" * 5000])
def test_validate_of_a_file_with_a_value_json_cannot_hold_is_located(project, sfnc, value):
    project.write("machine.json", DEFINITION % value)
    res = sfnc("validate", "machine.json", "--format", "json", cwd=project.root)
    clean(res)
    assert res.exit_code == 2
    (d,) = json.loads(res.stdout)["diagnostics"]
    assert (d["rule"], d["file"], d["line"], d["column"], d["pointer"]) == \
        ("SFN001", "machine.json", 4, 38, "/States/A/Seconds")


def test_validate_of_a_lone_surrogate_and_of_deep_nesting_is_located(project, sfnc):
    project.write("s.json", DEFINITION.replace('"Type": "Wait", "Seconds": %s', '"Type": "Pass", "Comment": "\\ud800"'))
    project.write("deep.json", "[" * 100_000)
    res = sfnc("validate", "s.json", "deep.json", cwd=project.root)
    clean(res)
    assert res.exit_code == 2
    assert "deep.json:1:201: error SFN001 invalid-json: invalid JSON: nested deeper than 200 arrays and objects" \
        in res.stdout
    assert "s.json:4:38: error SFN001 invalid-json: invalid JSON: a lone surrogate \\ud800 in a string" in res.stdout
    assert "at /States/A/Comment" in res.stdout


@pytest.fixture
def proj(project):
    project.write("templates/wait.json", {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": "${s}",
                                                                           "End": True}}})
    project.write("envs/dev.yaml", "values:\n  s: 5\n")
    return project


def test_a_template_with_nan_is_a_located_render_error(proj, sfnc):
    proj.write("templates/bad.json", DEFINITION % "NaN")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    clean(res)
    assert res.exit_code == 2 and not (proj.root / "definitions").exists()
    assert "templates/bad.json:4:38: error: invalid JSON: NaN is not a number JSON can hold " \
           "(at /States/A/Seconds, env dev)" in res.stderr


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_an_env_value_that_is_not_a_finite_number_is_a_located_error(proj, sfnc, value):
    proj.write("envs/dev.yaml", f"values:\n  s: {value}\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    clean(res)
    assert res.exit_code == 2 and not (proj.root / "definitions").exists()
    assert f"envs/dev.yaml:2:6: error: {value} is not a finite number: JSON has no NaN or Infinity (at /values/s)" \
        in res.stderr


def test_an_alias_bomb_in_an_env_file_is_a_located_error(proj, sfnc):
    bomb = "values:\n  s: 5\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"  {n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    proj.write("envs/dev.yaml", bomb)
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    clean(res)
    assert res.exit_code == 2
    errors = [line for line in res.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("envs/dev.yaml:")
    assert "the document builds more than 1,000,000 values (its aliases repeat too much)" in errors[0]


def test_a_scenario_with_infinity_is_a_located_error(proj, sfnc):
    proj.write("tests/scenarios/wait/ok.yaml", "input: {n: 1}\nexpect:\n  status: SUCCEEDED\n")
    proj.write("tests/scenarios/wait/bad.yaml", "input:\n  n: .inf\nexpect:\n  status: SUCCEEDED\n")
    res = sfnc("test", "--env", "dev", cwd=proj.root)
    clean(res)
    assert res.exit_code == 2
    assert "bad.yaml:2:6: error: .inf is not a finite number: JSON has no NaN or Infinity (at /input/n)" \
        in res.output
    assert "1 passed, 0 failed, 1 could not be read" in res.stdout


def test_a_poll_catalogue_with_an_alias_that_contains_itself_is_a_located_error(tmp_path):
    from sfn_compiler.asl import poll_catalogue
    from sfn_compiler.errors import SfncError

    path = tmp_path / "poll.yaml"
    path.write_text("entries: &e [*e]\n")
    with pytest.raises(SfncError) as err:
        poll_catalogue.load(str(path))
    (p,) = err.value.problems
    assert (p.span.file, p.span.line, p.span.column, p.pointer) == (str(path), 1, 10, "/entries/0")
    assert p.message == "an alias that contains itself (a recursive structure cannot be JSON data)"


TF = '''resource "aws_sfn_state_machine" "m" {
  name       = "m"
  role_arn   = "arn:aws:iam::123456789012:role/x"
  definition = jsonencode({
    StartAt = "A"
    States = {
      A = { Type = "Wait", Seconds = %s, End = true }
    }
  })
}
'''


@pytest.mark.parametrize("value, message", [
    ("1e999", "the number 1e999 is too large for a double (it would be read as Infinity)"),
    ("1" * 5000, "an integer of 5000 digits (at most 4300 are read)"),
    ('1, Comment = "\\ud800"', "a lone surrogate \\ud800 in a string: not Unicode text"),
    ("{a = " * 300 + "1" + "}" * 300, "nested deeper than 200 levels"),
])
def test_terraform_values_json_cannot_hold_are_located(project, sfnc, value, message):
    project.write("main.tf", TF % value)
    res = sfnc("validate", "main.tf", "--format", "json", cwd=project.root)
    clean(res)
    assert res.exit_code == 2
    (d,) = json.loads(res.stdout)["diagnostics"]
    assert (d["rule"], d["file"], d["line"], d["message"]) == ("SFN001", "main.tf", 7, message)
