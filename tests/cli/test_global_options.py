"""Global options reach commands through the click context (no module state): --debug and -C DIR."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sfn_compiler.cli import app


@pytest.fixture
def boom(monkeypatch):
    def crash(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr("sfn_compiler.check.runner.validate_file", crash)


def test_an_internal_error_is_one_line_without_debug(tmp_path, boom):
    f = tmp_path / "a.json"
    f.write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    res = CliRunner().invoke(app, ["-C", str(tmp_path), "validate", str(f)])
    assert res.exit_code == 2
    assert "internal error: RuntimeError: boom (run with --debug for a traceback)" in res.output


def test_debug_re_raises_and_does_not_leak_into_the_next_invocation(tmp_path, boom):
    f = tmp_path / "a.json"
    f.write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    res = CliRunner().invoke(app, ["--debug", "-C", str(tmp_path), "validate", str(f)])
    assert isinstance(res.exception, RuntimeError)
    again = CliRunner().invoke(app, ["-C", str(tmp_path), "validate", str(f)])
    assert again.exit_code == 2 and "internal error" in again.output


def test_project_dir_option(tmp_path):
    res = CliRunner().invoke(app, ["-C", str(tmp_path / "nope"), "validate"])
    assert res.exit_code == 2 and "project directory" in res.output and "does not exist" in res.output
