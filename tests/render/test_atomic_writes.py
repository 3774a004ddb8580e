"""`sfnc render` and `sfnc validate -o` killed with SIGKILL at every step of their writes: after the next
run the definitions directory holds all the old files or all the new ones, a report is the old one or the
new one, and no temporary file is left. The kill point is fsutil's test hook SFNC_TEST_KILL_AFTER=N (the
process SIGKILLs itself at its Nth write step: a file, a link, the journal, a rename), so every point is
tried, in a bounded number of trials."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

MAX_TRIALS = 40      # a write of this project has about 15 steps; the test fails if it needs more


def template(comment: str) -> dict:
    return {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": comment, "End": True}}}


def snapshot(directory: Path) -> dict[str, bytes | str] | None:
    if not directory.exists():
        return None
    return {str(p.relative_to(directory)): ("<dir>" if p.is_dir() else p.read_bytes())
            for p in sorted(directory.rglob("*"))}


def leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if ".sfnc-" in p.name or p.suffix == ".tmp")


def killed_run(root: Path, n: int, *args: str) -> int:
    env = dict(os.environ, SFNC_TEST_KILL_AFTER=str(n), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "sfn_compiler", "-C", str(root), *args], env=env,
                          capture_output=True, timeout=120).returncode


@pytest.fixture
def render_project(project):
    """definitions/dev/ rendered from the old values, with files sfnc did not generate; then the templates
    and values change so that a render rewrites two files, adds one, removes one and keeps the rest."""
    project.write("templates/same.json", template("always the same"))
    project.write("templates/b.json", template("b ${v}"))
    project.write("templates/c.json", template("c ${v}"))
    project.write("envs/dev.yaml", "values:\n  v: old\n")
    return project


def test_a_render_killed_at_any_step_leaves_all_old_or_all_new(render_project, sfnc, tmp_path):
    proj = render_project
    assert sfnc("render", "--env", "dev", cwd=proj.root).exit_code == 0
    proj.write("definitions/dev/gone.json", template("no template renders this any more"))
    proj.write("definitions/dev/README.md", "written by hand\n")
    proj.write("definitions/dev/notes/keep.txt", "kept\n")
    defs = proj.root / "definitions" / "dev"
    old = snapshot(defs)
    saved = tmp_path / "saved-old"
    shutil.copytree(defs, saved, symlinks=True)

    proj.write("envs/dev.yaml", "values:\n  v: new\n")
    proj.write("templates/d.json", template("added"))
    new_copy = tmp_path / "new-copy"
    shutil.copytree(proj.root, new_copy, symlinks=True)
    res = sfnc("render", "--env", "dev", cwd=new_copy)
    assert "2 written" not in res.stdout and "3 written, 1 unchanged, 1 removed" in res.stdout, res
    new = snapshot(new_copy / "definitions" / "dev")
    assert new != old and set(new) - set(old) == {"d.json"} and set(old) - set(new) == {"gone.json"}

    outcomes = {"old": 0, "new": 0}
    for n in range(1, MAX_TRIALS + 1):
        shutil.rmtree(proj.root / "definitions")
        shutil.copytree(saved, defs, symlinks=True)
        code = killed_run(proj.root, n, "render", "--env", "dev")
        if code == 0:      # the run got past its last step: every step has been tried
            assert snapshot(defs) == new and leftovers(proj.root) == []
            break
        assert code == -signal.SIGKILL, f"step {n}: exit {code}"
        # the next run (here one that only reads: --check) finishes or undoes the switch first
        res = sfnc("render", "--env", "dev", "--check", cwd=proj.root)
        state = snapshot(defs)
        assert state in (old, new), f"killed at step {n}: a mix of old and new: {state}"
        assert leftovers(proj.root) == [], f"killed at step {n}"
        assert res.exit_code == (0 if state == new else 1)
        outcomes["old" if state == old else "new"] += 1
        assert sfnc("render", "--env", "dev", cwd=proj.root).exit_code == 0
        assert snapshot(defs) == new and leftovers(proj.root) == []
    else:
        pytest.fail(f"the render still had write steps after {MAX_TRIALS} trials")
    # both outcomes happen: killed before the journal is committed (old) and after it (new)
    assert outcomes["old"] >= 3 and outcomes["new"] >= 3, outcomes


def test_an_unchanged_definition_keeps_its_file_when_others_change(render_project, sfnc):
    proj = render_project
    sfnc("render", "--env", "dev", cwd=proj.root)
    same = proj.root / "definitions" / "dev" / "same.json"
    before = os.stat(same)
    proj.write("envs/dev.yaml", "values:\n  v: new\n")
    res = sfnc("render", "--env", "dev", cwd=proj.root)
    assert "2 written, 1 unchanged" in res.stdout
    after = os.stat(same)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_definitions_get_the_mode_of_an_ordinary_write(render_project, sfnc):
    proj = render_project
    old = os.umask(0o002)
    try:
        sfnc("render", "--env", "dev", cwd=proj.root)
    finally:
        os.umask(old)
    defs = proj.root / "definitions" / "dev"
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in defs.iterdir()} == \
        {"same.json": "0o664", "b.json": "0o664", "c.json": "0o664"}
    assert oct(defs.stat().st_mode & 0o777) == "0o775"
    os.chmod(defs / "b.json", 0o644)          # a mode set by hand (or by git) stays
    proj.write("envs/dev.yaml", "values:\n  v: new\n")
    sfnc("render", "--env", "dev", cwd=proj.root)
    assert oct((defs / "b.json").stat().st_mode & 0o777) == "0o644"


def test_a_validate_report_killed_at_any_step_is_old_or_new_and_leaves_no_temporary_file(project, sfnc):
    project.write("templates/a.json", template("x"))
    project.write("envs/dev.yaml", "values: {}\n")
    report = project.root / "report.json"
    report.write_text("the old report\n")
    old = report.read_text()
    new = None
    for n in range(1, MAX_TRIALS + 1):
        report.write_text(old)
        code = killed_run(project.root, n, "validate", "-f", "json", "-o", str(report))
        if code == 0:
            new = report.read_text()
            assert leftovers(project.root) == []
            break
        assert code == -signal.SIGKILL, f"step {n}: exit {code}"
        killed_state = report.read_text()
        assert killed_state == old or killed_state.startswith('{\n  "version": 1'), f"step {n}: {killed_state!r}"
        # the next write of the report removes what the killed writer left
        assert sfnc("validate", "-f", "json", "-o", str(report), cwd=project.root).exit_code == 0
        assert report.read_text().startswith('{\n  "version": 1') and leftovers(project.root) == []
    else:
        pytest.fail(f"validate -o still had write steps after {MAX_TRIALS} trials")
    assert new is not None and n == 3      # two steps: the temporary file written, then renamed
