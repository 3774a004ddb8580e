"""`sfnc render` (and the other commands that take an env) with hostile input: an env name that is a path,
symlinks out of the project, a value that would end a JSONata comment, templates that fail or pass a
bound. Each gives one located error and exit 2, writes nothing, and reads or changes nothing outside the
project (issue 14, items 1, 2, 4, 5 and the internal errors of rendering)."""

from __future__ import annotations

import os

import pytest

TEMPLATE = {"Comment": "owner ${owner}", "StartAt": "S", "States": {"S": {"Type": "Pass", "End": True}}}


@pytest.fixture
def proj(project, tmp_path):
    project.root = tmp_path / "repo" / "proj"
    project.write("templates/a.json", TEMPLATE)
    project.write("envs/dev.yaml", "values:\n  owner: me\n")
    # what a path-like env name would reach: an env file, and a definitions-like directory with a file
    # the prune step would delete
    outside = tmp_path / "outside"
    (outside / "x").mkdir(parents=True)
    (outside / "x.yaml").write_text("values:\n  owner: evil\n", encoding="utf-8")
    (outside / "x" / "keep.json").write_text("{}\n", encoding="utf-8")
    return project


def snapshot(root):
    return sorted((str(p.relative_to(root)), p.read_bytes() if p.is_file() else b"")
                  for p in root.rglob("*"))


@pytest.mark.parametrize("name", ["../../outside/x", "../x", "{outside}/x", "x" * 5000, "_base", "a b"])
def test_an_env_name_that_is_not_a_name_is_refused(proj, sfnc, tmp_path, name):
    name = name.format(outside=tmp_path / "outside")
    before = snapshot(tmp_path)
    res = sfnc("render", "--env", name, cwd=proj.root)
    assert res.exit_code == 2, res
    assert res.stderr.startswith("--env ") and "internal error" not in res.output
    assert ("invalid env name" in res.stderr) or ("hidden layer" in res.stderr)
    assert len(res.stderr) < 600
    assert snapshot(tmp_path) == before      # nothing read into definitions, nothing pruned outside


@pytest.mark.parametrize("args", [
    ["validate", "--env", "../x"],
    ["test", "--env", "../x"],
    ["lock", "--env", "../x"],
    ["deploy", "--env", "../x", "--dry-run"],
    ["diff", "--env", "dev", "--against", "../x"],
    ["graph", "a", "--env", "../x"],
    ["import", "--env", "../x", "--prefix", "app-"],
    ["render", "--env", "dev", "--env", "/abs/x"],
])
def test_every_command_refuses_a_path_as_env(proj, sfnc, tmp_path, args):
    before = snapshot(tmp_path)
    res = sfnc(*args, cwd=proj.root)
    assert res.exit_code == 2, res
    assert "invalid env name" in res.output and "internal error" not in res.output
    assert snapshot(tmp_path) == before


def test_an_extends_path_is_refused_at_its_line(proj, sfnc):
    proj.write("envs/dev.yaml", "values:\n  owner: me\nextends: ../../outside/x\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2 and "envs/dev.yaml:3:10: error: extends: invalid env name" in res.stderr
    proj.write("envs/dev.yaml", "values:\n  owner: me\nextends: staging\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2 and "envs/dev.yaml:3:10: error: extends: no env file 'staging'" in res.stderr


def test_symlinked_template_outside_the_project_is_refused_unless_configured(proj, sfnc, tmp_path):
    outside = tmp_path / "outside" / "b.json"
    outside.write_text('{"Comment": "outside", "StartAt": "S", "States": {"S": {"Type": "Pass", "End": true}}}\n',
                       encoding="utf-8")
    os.symlink(outside, proj.root / "templates" / "b.json")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    assert "templates/b.json: error: template is a symlink to" in res.stderr and "outside the project" in res.stderr
    assert not (proj.root / "definitions").exists()
    proj.write("sfnc.toml", "[render]\nallow_symlinks_outside = true\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 0, res
    assert proj.json("definitions/dev/b.json")["Comment"] == "outside"


def test_a_definitions_directory_linked_out_of_the_project_is_not_written_or_pruned(proj, sfnc, tmp_path):
    outside = tmp_path / "outside" / "x"
    (outside / "victim.json").write_text("{}\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in outside.iterdir()}
    (proj.root / "definitions").mkdir()
    os.symlink(outside, proj.root / "definitions" / "dev")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2
    assert "definitions/dev: error: definitions directory is a symlink to" in res.stderr
    assert {p.name: p.read_bytes() for p in outside.iterdir()} == before


def test_a_symlink_within_the_project_is_followed(proj, sfnc):
    proj.write("shared/c.json", TEMPLATE)
    os.symlink(proj.root / "shared" / "c.json", proj.root / "templates" / "c.json")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 0, res
    assert proj.json("definitions/dev/c.json")["Comment"] == "owner me"


def test_a_value_cannot_close_a_jsonata_comment(proj, sfnc):
    proj.write("templates/a.json", {"StartAt": "S", "States": {"S": {
        "Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% /* owner: ${owner} */ 'c' %}", "End": True}}})
    proj.write("envs/dev.yaml", "values:\n  owner: \"*/ $states.input.secret & /*\"\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2 and "templates/a.json:" in res.stderr
    assert "inside a JSONata comment and its value contains '*/'" in res.stderr
    assert not (proj.root / "definitions").exists()


@pytest.mark.parametrize("expr,words", [
    ("1/0", "ZeroDivisionError"),
    ("range(10**9)|list", "Range too big"),
    ("'%d' % 'x'", "TypeError"),
    ("range(undefined_n)|list", "'undefined_n' is undefined"),
    ("'a' * 10**9", "over the bound of 10,000,000"),
    ("(1,) * 10**8", "over the bound of 1,000,000"),
    ("lipsum(10**6)", "'lipsum' is undefined"),
    ("subnets.clear()", "not allowed in a sandboxed template"),
])
def test_a_failing_jinja_template_is_one_located_error(proj, sfnc, expr, words):
    proj.write("templates/j.json.j2", '{\n  "StartAt": "S",\n  "Comment": "<< ' + expr + ' >>",\n'
                                      '  "States": {"S": {"Type": "Pass", "End": true}}\n}\n')
    proj.write("envs/dev.yaml", "values:\n  owner: me\n  subnets: [a]\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert res.exit_code == 2, res
    assert "templates/j.json.j2:3: error:" in res.stderr and words in res.stderr
    assert "internal error" not in res.output and "Traceback" not in res.output
    assert not (proj.root / "definitions").exists()


@pytest.mark.parametrize("item,words", [
    ("values=1", "--set values=1: error: values: 1 is not of type 'object'"),
    ("aws=1", "--set aws=1: error: aws: 1 is not of type 'object'"),
    ("owner=.nan", "--set owner=.nan: error: value owner is NaN"),
])
def test_set_problems_are_located(proj, sfnc, item, words):
    res = sfnc("render", "--env", "dev", "--set", item, cwd=proj.root)
    assert res.exit_code == 2 and words in res.stderr and "internal error" not in res.output


def test_nan_from_a_set_never_reaches_a_definition(proj, sfnc):
    proj.write("templates/a.json", {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": "${wait}",
                                                                      "End": True}}})
    proj.write("envs/dev.yaml", "values:\n  wait: 5\n")
    assert sfnc("render", "--env", "dev", cwd=proj.root).exit_code == 0
    before = proj.read("definitions/dev/a.json")
    for value in (".nan", ".inf", "-.inf"):
        res = sfnc("render", "--env", "dev", "--set", f"wait={value}", cwd=proj.root)
        assert res.exit_code == 2 and "not a JSON number" in res.stderr
        assert sfnc("render", "--env", "dev", "--stdout", "a", "--set", f"wait={value}",
                    cwd=proj.root).exit_code == 2
    assert proj.read("definitions/dev/a.json") == before
