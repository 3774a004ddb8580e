"""Env names are plain names wherever they enter (docs/render.md#env-names), env files and lock files are
not followed outside the project, and env values are bounded JSON data (docs/render.md#bounds): each
problem is one error at its place, nothing outside the project is read."""

from __future__ import annotations

import os

import pytest

from sfn_compiler.awsvalues import lock_path
from sfn_compiler.envconfig import load_env, parse_set
from sfn_compiler.errors import SfncError
from sfn_compiler.pipeline import select_envs
from sfn_compiler.project import check_env_name, env_name_problem, find_project


@pytest.fixture
def proj(project, tmp_path):
    project.root = tmp_path / "p"
    project.write("sfnc.toml", "")
    project.write("envs/_base.yaml", "values:\n  app: orders\n")
    project.write("envs/dev.yaml", "values:\n  table: ${app}-${env}\n")
    # a file outside the project that a path-like env name would reach; broken, so reading it would show
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.yaml").write_text("values: [broken\n", encoding="utf-8")
    return project


def one(err: pytest.ExceptionInfo) -> "object":
    (p,) = err.value.problems
    return p


@pytest.mark.parametrize("name", ["dev", "prod-eu", "a", "A1_b", "x" * 64, "0"])
def test_plain_env_names(name):
    assert env_name_problem(name) is None and check_env_name(name) == name


@pytest.mark.parametrize("name", ["", "../x", "../../outside/x", "/abs/dir/x", "a/b", "a\\b", "x" * 65, ".hidden",
                                  "-x", "a b", "a.b", "dev\n", "..", "x" * 5000, "dev\x00"])
def test_names_that_are_not_env_names(name):
    with pytest.raises(SfncError) as err:
        check_env_name(name)
    p = one(err)
    assert "invalid env name" in p.message and p.span.file.startswith("--env ")
    assert len(p.format()) < 500     # a 5,000-character name is shortened


def test_hidden_layers_are_layer_names_only():
    assert env_name_problem("_base", layer=True) is None
    assert "hidden layer" in env_name_problem("_base")
    assert env_name_problem("__x", layer=True) is not None


@pytest.mark.parametrize("name", ["../outside/x", "../../outside/x", "{root}/../outside/x"])
def test_load_env_refuses_paths_and_reads_nothing(proj, tmp_path, name):
    p = find_project(proj.root)
    with pytest.raises(SfncError) as err:
        load_env(p, name.format(root=proj.root))
    assert "invalid env name" in one(err).message     # not the YAML error of the file outside


def test_lock_files_are_named_by_env_names(proj):
    p = find_project(proj.root)
    assert lock_path(p, "dev") == p.envs_dir / "dev.lock.json"
    with pytest.raises(SfncError, match="invalid env name"):
        lock_path(p, "../x")


def test_select_envs_checks_given_names_and_env_file_names(proj):
    p = find_project(proj.root)
    assert select_envs(p, ["dev", "dev"], False) == ["dev"]
    with pytest.raises(SfncError, match="invalid env name '../x'"):
        select_envs(p, ["dev", "../x"], False)
    proj.write("envs/my env.yaml", "values: {}\n")
    with pytest.raises(SfncError) as err:
        select_envs(p, None, True)
    assert one(err).span.file.endswith("my env.yaml") and "invalid env name 'my env'" in one(err).message


@pytest.mark.parametrize("extends,words", [
    ("../../outside/x", "extends: invalid env name '../../outside/x'"),
    ("/etc/x", "extends: invalid env name"),
    ("[a]", "an env name must be a string, not list"),
    ("nothere", "extends: no env file 'nothere' in"),
])
def test_extends_names_an_env_file_of_envs(proj, extends, words):
    proj.write("envs/qa.yaml", f"values: {{}}\nextends: {extends}\n")
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "qa")
    p = one(err)
    assert words in p.message and p.span.file.endswith("qa.yaml") and p.span.line == 2 and p.pointer == "/extends"


def test_config_env_is_an_env_name(proj):
    proj.write("sfnc.toml", "[validate]\nselect = ['ALL']\n\n[test]\nenv = '../../outside/x'\n")
    with pytest.raises(SfncError) as err:
        find_project(proj.root)
    p = one(err)
    assert "invalid env name" in p.message and p.span.file.endswith("sfnc.toml") and p.span.line == 5


def test_render_setting_is_checked(proj):
    proj.write("sfnc.toml", "[render]\nallow_symlinks_outside = 'yes'\n")
    with pytest.raises(SfncError) as err:
        find_project(proj.root)
    assert one(err).span.line == 2 and "allow_symlinks_outside" in one(err).message


def test_env_file_symlinked_outside_is_refused_unless_configured(proj, tmp_path):
    (tmp_path / "outside" / "ext.yaml").write_text("values:\n  table: outside\n", encoding="utf-8")
    os.symlink(tmp_path / "outside" / "ext.yaml", proj.root / "envs" / "ext.yaml")
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "ext")
    assert "env file is a symlink to" in one(err).message and "outside the project" in one(err).message
    proj.write("sfnc.toml", "[render]\nallow_symlinks_outside = true\n")
    assert load_env(find_project(proj.root), "ext").values["table"] == "outside"
    # a symlink inside the project is fine
    proj.write("sfnc.toml", "")
    proj.write("shared/qa.yaml", "values:\n  table: shared\n")
    os.symlink(proj.root / "shared" / "qa.yaml", proj.root / "envs" / "qa.yaml")
    assert load_env(find_project(proj.root), "qa").values["table"] == "shared"


@pytest.mark.parametrize("item,words,file", [
    ("values=1", "values: 1 is not of type 'object'", "--set values=1"),
    ("aws=1", "aws: 1 is not of type 'object'", "--set aws=1"),
    ("aws.region=7", "aws.region: 7 is not of type 'string'", "--set aws.region=7"),
    ("x=.nan", "value x is NaN, which is not a JSON number", "--set x=.nan"),
    ("x=-.inf", "-Infinity", "--set x=-.inf"),
    ("x=2024-01-01", "a date (YAML reads an unquoted date as one", "--set x=2024-01-01"),
    ("a..b=1", "an empty part in the key", "--set a..b=1"),
])
def test_set_is_checked_and_located(proj, item, words, file):
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "dev", [item])
    p = one(err)
    assert words in p.message and p.span.file == file, p.format()


def test_deep_set_keys_and_values_are_bounded(proj):
    with pytest.raises(SfncError, match="the key has 3,000 parts, more than 200"):
        parse_set(".".join(["a"] * 3000) + "=1")
    with pytest.raises(SfncError, match="nested deeper than 200 levels"):
        parse_set("x=" + "[" * 3000 + "]" * 3000)
    with pytest.raises(SfncError, match="nested deeper than 200 levels with its key"):
        parse_set(".".join(["a"] * 100) + "=" + "[" * 150 + "]" * 150)
    assert parse_set(".".join(["a"] * 50) + "=[[1]]")[1] == [[1]]


def test_deep_values_are_a_located_error(proj):
    proj.write("envs/dev.yaml", "values:\n  a: x\n  b: " + "[" * 900 + "]" * 900 + "\n")
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "dev")
    p = one(err)
    assert "nested deeper than 200 levels" in p.message and p.span.line == 3  # the reader stops it first


def test_long_value_reference_chains_are_bounded(proj):
    lines = "".join(f"  a{i}: ${{a{i - 1}}}\n" for i in range(1, 3000))
    proj.write("envs/dev.yaml", "values:\n  top: ${a2999}\n  a0: x\n" + lines)
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "dev")
    p = one(err)
    assert "values reference values more than 50 deep: top -> a2999 -> a2998 -> ..." in p.message
    assert p.span.file.endswith("dev.yaml") and p.span.line == 3 + 2950    # the value where the chain broke
    lines = "".join(f"  a{i}: ${{a{i - 1}}}\n" for i in range(1, 40))
    proj.write("envs/dev.yaml", "values:\n  top: ${a39}\n  a0: x\n" + lines)
    assert load_env(find_project(proj.root), "dev").values["top"] == "x"


def test_doubling_value_references_are_bounded(proj):
    lines = "".join(f"  a{i}: ${{a{i - 1}}}${{a{i - 1}}}\n" for i in range(1, 41))
    proj.write("envs/dev.yaml", "values:\n  top: ${a40}\n  a0: xxxxxxxxxx\n" + lines)
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "dev")
    p = one(err)
    assert p.message.startswith("value a20: a rendered string would be 10,485,760 characters long")
    assert p.span.line == 3 + 20


def test_doubling_lists_of_values_are_bounded(proj):
    lines = "".join(f"  a{i}: ['${{a{i - 1}}}', '${{a{i - 1}}}']\n" for i in range(1, 41))
    proj.write("envs/dev.yaml", "values:\n  a0: [x]\n" + lines)
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "dev")
    assert "items once written out, over the bound of 1,000,000" in one(err).message


@pytest.mark.parametrize("text,words", [
    ("values:\n  s: !!set {a, b}\n", "is a set, not JSON data"),
    ("values:\n  b: !!binary aGVsbG8=\n", "binary data"),
    ("values:\n  n: .inf\n", "Infinity"),
    ("values:\n  when: 2024-01-01T10:00:00Z\n", "a datetime"),
])
def test_values_are_json_data(proj, text, words):
    proj.write("envs/dev.yaml", text)
    with pytest.raises(SfncError) as err:
        load_env(find_project(proj.root), "dev")
    p = one(err)
    assert words in p.message and p.span.file.endswith("dev.yaml") and p.span.line == 2
