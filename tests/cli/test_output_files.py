"""Where the commands write: `validate -o`, `test -o` and `render --out` with paths that are not plain
files (empty, a directory, a pipe, a file where a directory belongs) give one clear error (exit 2) or
write through (a pipe stays a pipe); reports get the mode an ordinary write gives them."""

from __future__ import annotations

import os
import stat
import threading

import pytest

TEMPLATE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}


@pytest.fixture
def proj(project):
    project.write("templates/a.json", TEMPLATE)
    project.write("envs/dev.yaml", "values: {}\n")
    project.write("tests/scenarios/a/ok.yaml", "input: {}\nexpect:\n  status: SUCCEEDED\n")
    return project


def clean(res) -> None:
    assert "Traceback" not in res.output and "internal error" not in res.output, res


@pytest.mark.parametrize("command", [("validate", "-f", "json"), ("test", "--env", "dev", "-f", "json")])
@pytest.mark.parametrize("target, message", [
    ("", ".: error: cannot write the file: is a directory, not a file"),
    ("templates", "templates: error: cannot write the file: is a directory, not a file"),
    ("templates/a.json/report.json", "templates/a.json/report.json: error: cannot write the file: a parent of "
                                     "the path is not a directory"),
])
def test_a_report_path_that_cannot_be_a_file_is_one_clear_error(proj, sfnc, command, target, message):
    before = proj.read("templates/a.json")
    res = sfnc(*command, "-o", target, cwd=proj.root)
    clean(res)
    assert res.exit_code == 2
    assert [line for line in res.stderr.splitlines() if ": error: " in line] == [message]
    assert proj.read("templates/a.json") == before and (proj.root / "templates").is_dir()


@pytest.mark.parametrize("command", [("validate", "-f", "json"), ("test", "--env", "dev", "-f", "json")])
def test_a_report_to_a_pipe_is_written_through_and_the_pipe_stays(proj, sfnc, command):
    fifo = proj.root / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    res = sfnc(*command, "-o", str(fifo), cwd=proj.root)
    reader.join(timeout=30)
    clean(res)
    assert res.exit_code == 0 and got and got[0].startswith(b'{\n  "version": 1')
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_reports_get_the_umask_mode_and_keep_an_existing_one(proj, sfnc):
    old = os.umask(0o027)
    try:
        assert sfnc("validate", "-o", "r.txt", cwd=proj.root).exit_code == 0
        assert stat.S_IMODE(os.stat(proj.root / "r.txt").st_mode) == 0o640
        os.chmod(proj.root / "r.txt", 0o644)
        assert sfnc("validate", "-o", "r.txt", cwd=proj.root).exit_code == 0
        assert stat.S_IMODE(os.stat(proj.root / "r.txt").st_mode) == 0o644
    finally:
        os.umask(old)


def test_render_out_naming_a_file_is_a_clear_error_and_writes_nothing(proj, sfnc):
    proj.write("out.json", "{}\n")
    res = sfnc("render", "--env", "dev", "--out", "out.json", cwd=proj.root)
    clean(res)
    assert res.exit_code == 2
    assert "out.json: error: cannot write definitions: not a directory (definitions go to <dir>/<env>/)" \
        in res.stderr
    assert proj.read("out.json") == "{}\n" and sorted(p.name for p in proj.root.iterdir()) == \
        ["envs", "out.json", "templates", "tests"]
    res = sfnc("render", "--env", "dev", "--out", "out.json", "--check", cwd=proj.root)
    clean(res)
    assert res.exit_code == 2


def test_render_out_writes_env_directories_under_it(proj, sfnc):
    res = sfnc("render", "--env", "dev", "--out", "build/defs", cwd=proj.root)
    assert res.exit_code == 0, res
    assert proj.json("build/defs/dev/a.json") == TEMPLATE
    assert sorted(p.name for p in (proj.root / "build" / "defs").iterdir()) == ["dev"]
