"""The process entry point (`sfnc`, `python -m sfn_compiler`: `cli.run`) leaves with `os._exit` after `main`:
the exit status, everything written to stdout/stderr and every file written must be as a normal exit
leaves them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def sfnc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sfn_compiler", *args], capture_output=True, text=True,
                          cwd=cwd or REPO, timeout=120)


def test_statuses_are_mains():
    assert sfnc("--version").returncode == 0
    missing = sfnc("validate", "--no-cache", "definitely/not/here.json")
    assert missing.returncode == 2 and "no such file or directory" in missing.stdout + missing.stderr
    assert sfnc("validate", "--no-such-option").returncode == 2


def test_findings_exit_1_and_a_long_report_arrives_whole(tmp_path):
    states = {f"S{i}": {"Type": "Pass", "Next": "Nowhere"} for i in range(300)}
    (tmp_path / "bad.json").write_text(json.dumps({"StartAt": "S0", "States": states}), encoding="utf-8")
    res = sfnc("validate", "--no-cache", "-f", "json", "bad.json", cwd=tmp_path)
    assert res.returncode == 1
    report = json.loads(res.stdout)           # complete JSON: nothing lost in a buffer at exit
    assert report["summary"]["errors"] >= 1


def test_files_written_are_complete(tmp_path):
    (tmp_path / "ok.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}),
                                      encoding="utf-8")
    res = sfnc("validate", "--no-cache", "-f", "sarif", "-o", "out.sarif", "ok.json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert json.loads((tmp_path / "out.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_rules_markdown_through_a_pipe_is_the_committed_docs():
    res = sfnc("rules", "--format", "md")
    assert res.returncode == 0
    assert res.stdout == (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


def test_a_profiler_still_reports_at_exit():
    # under a tracer or profiler the entry point exits normally, so `python -m cProfile` prints its stats
    res = subprocess.run([sys.executable, "-m", "cProfile", "-m", "sfn_compiler", "--version"], capture_output=True,
                         text=True, cwd=REPO, timeout=120)
    assert res.returncode == 0 and "sfnc " in res.stdout
    assert "function calls" in res.stdout
