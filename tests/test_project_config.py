"""find_project reads sfnc's settings from `[tool.sfnc]` in pyproject.toml, and leaves other projects'
pyproject.toml files alone (not parsed: a broken one is not sfnc's to report)."""

from __future__ import annotations

import pytest

from sfn_compiler.errors import SfncError
from sfn_compiler.project import find_project


def _repo(tmp_path, pyproject: str):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    return tmp_path


@pytest.mark.parametrize("text", [
    '[tool.sfnc]\ntemplates = "sfn/tpl"\n',
    '[tool]\nsfnc = { templates = "sfn/tpl" }\n',
    '[tool."\\u0073fnc"]\ntemplates = "sfn/tpl"\n',        # a quoted key spelled with an escape
])
def test_the_sfnc_table_is_read_however_it_is_spelled(tmp_path, text):
    root = _repo(tmp_path, text)
    project = find_project(root / "sub")
    assert project.root == root.resolve()
    assert project.settings == {"templates": "sfn/tpl"}


def test_a_pyproject_that_cannot_configure_sfnc_is_not_parsed(tmp_path):
    root = _repo(tmp_path, '[project]\nname = "x"\nversion = \n')      # broken, and not about sfnc
    project = find_project(root / "sub")
    assert project.settings == {}
    assert project.root == (root / "sub").resolve()


def test_a_broken_pyproject_that_names_sfnc_is_reported(tmp_path):
    root = _repo(tmp_path, '[tool.sfnc]\ntemplates = \n')
    with pytest.raises(SfncError, match="invalid TOML"):
        find_project(root / "sub")
