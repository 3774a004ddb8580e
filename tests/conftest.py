"""Shared fixtures: small projects on disk and a CLI runner."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# No test reads results an earlier test (or run) left in a .sfnc_cache/: a monkeypatched rule or a fake
# registry is invisible to the cache's key. The cache's own tests (tests/pipeline/test_result_cache.py)
# turn it on for themselves, in their own directories. Subprocesses inherit this.
os.environ["SFNC_NO_CACHE"] = "1"


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, content: Any) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not isinstance(content, str):
            content = json.dumps(content, indent=2) + "\n"
        else:
            content = textwrap.dedent(content)
        path.write_text(content, encoding="utf-8")
        return path

    def read(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def json(self, rel: str) -> Any:
        return json.loads(self.read(rel))


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return f"Result(exit={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


@pytest.fixture
def sfnc(monkeypatch):
    """Run the CLI in-process: sfnc(*args, cwd=path) -> Result (stdout and stderr apart)."""
    from sfn_compiler.cli import app

    monkeypatch.setenv("NO_COLOR", "1")

    def run(*args: str, cwd: Path | None = None, input: str | None = None) -> Result:
        runner = CliRunner()
        argv = list(args)
        if cwd is not None:
            argv = ["-C", str(cwd), *argv]
            monkeypatch.chdir(cwd)
        res = runner.invoke(app, argv, input=input, catch_exceptions=False, terminal_width=200)
        return Result(res.exit_code, res.stdout, res.stderr)

    return run
