"""fsutil: how sfnc writes files. Modes as an ordinary write gives them (umask, an existing file's mode),
nothing half-written and no temporary file left on a failure, devices and pipes written in place (never
replaced), clear errors for directories, and a directory switched in one step (a killed switch is
finished or undone by the next run; the SIGKILL trials are tests/render/test_atomic_writes.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sfn_compiler import fsutil
from sfn_compiler.errors import SfncError


@pytest.fixture
def umask():
    """Set the process umask for one test (restored after)."""
    old = os.umask(0o022)
    os.umask(old)

    def set_(mask: int) -> None:
        os.umask(mask)

    yield set_
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if ".sfnc-" in p.name)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o000, 0o666)])
def test_a_new_file_gets_the_mode_of_an_ordinary_write(tmp_path, umask, mask, expected):
    umask(mask)
    fsutil.write_file(tmp_path / "report.txt", "x\n")
    assert mode(tmp_path / "report.txt") == expected
    with open(tmp_path / "plain.txt", "w") as fh:      # what `>` or open() would give
        fh.write("x")
    assert mode(tmp_path / "plain.txt") == expected


@pytest.mark.parametrize("existing", [0o640, 0o755, 0o600, 0o666])
def test_an_existing_file_keeps_its_mode(tmp_path, umask, existing):
    umask(0o022)
    path = tmp_path / "lock.json"
    path.write_text("old\n")
    os.chmod(path, existing)
    fsutil.write_file(path, "new\n")
    assert path.read_text() == "new\n" and mode(path) == existing
    assert leftovers(tmp_path) == []


def test_parents_are_created(tmp_path):
    fsutil.write_file(tmp_path / "reports" / "deep" / "r.sarif", "{}\n")
    assert (tmp_path / "reports" / "deep" / "r.sarif").read_text() == "{}\n"


def test_a_pipe_is_written_in_place_and_stays_a_pipe(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    fsutil.write_file(fifo, "through the pipe\n")
    reader.join(timeout=10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)      # not replaced by a regular file
    assert leftovers(tmp_path) == []


def test_a_dev_fd_path_is_written_in_place(tmp_path):
    r, w = os.pipe()
    try:
        fsutil.write_file(f"/dev/fd/{w}", "via fd\n")
        os.close(w)
        w = -1
        assert os.read(r, 100) == b"via fd\n"
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old\n")
    os.chmod(real, 0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real.name)
    fsutil.write_file(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n" and mode(real) == 0o640
    assert leftovers(tmp_path) == []


def test_a_directory_is_an_error_naming_it(tmp_path):
    with pytest.raises(SfncError) as err:
        fsutil.write_file(tmp_path, "x", display="out")
    assert err.value.exit_code == 2
    assert str(err.value) == "out: error: cannot write the file: is a directory, not a file\n" \
                             "  hint: name a file (a report is one file)"


def test_a_parent_that_is_a_file_is_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(SfncError, match="a parent of the path is not a directory"):
        fsutil.write_file(tmp_path / "file" / "report.txt", "x", display="file/report.txt")


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "r.txt"
    path.write_text("old\n")

    def broken(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsutil.os, "fsync", broken)
    with pytest.raises(SfncError, match="cannot write the file: No space left on device"):
        fsutil.write_file(path, "new\n")
    assert path.read_text() == "old\n" and leftovers(tmp_path) == []


def test_an_interrupt_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch):
    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(fsutil.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fsutil.write_file(tmp_path / "r.txt", "new\n")
    assert list(tmp_path.iterdir()) == []


def test_temporary_files_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".r.txt.sfnc-{dead_pid}-0badf00d.tmp"
    live = tmp_path / f".r.txt.sfnc-{os.getppid()}-0badf00d.tmp"      # a running process (our parent)
    other = tmp_path / f".other.txt.sfnc-{dead_pid}-0badf00d.tmp"     # another file's: not ours to judge
    for p in (stale, live, other):
        p.write_text("half")
    fsutil.write_file(tmp_path / "r.txt", "new\n")
    assert not stale.exists() and live.exists() and other.exists()


def test_write_files_stages_everything_before_renaming(tmp_path, monkeypatch):
    a, b = tmp_path / "a" / "x.yaml", tmp_path / "b" / "y.yaml"
    calls = []
    real_create = fsutil._create

    def create(path, data, mode, durable):
        if len(calls) == 1:
            raise OSError(13, "Permission denied")
        calls.append(path)
        real_create(path, data, mode, durable)

    monkeypatch.setattr(fsutil, "_create", create)
    with pytest.raises(SfncError, match="Permission denied"):
        fsutil.write_files({a: "1\n", b: "2\n"})
    assert not a.exists() and not b.exists() and leftovers(tmp_path) == []
    monkeypatch.setattr(fsutil, "_create", real_create)
    fsutil.write_files({a: "1\n", b: "2\n"})
    assert a.read_text() == "1\n" and b.read_text() == "2\n" and leftovers(tmp_path) == []


# --- update_directory --------------------------------------------------------------------------------------

def snapshot(directory: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for p in sorted(directory.rglob("*")):
        rel = str(p.relative_to(directory))
        out[rel] = ("-> " + os.readlink(p)) if p.is_symlink() else ("<dir>" if p.is_dir() else p.read_bytes())
    return out


def test_update_directory_switches_and_keeps_what_it_is_not_told_about(tmp_path, umask):
    umask(0o022)
    d = tmp_path / "definitions" / "dev"
    d.mkdir(parents=True)
    (d / "same.json").write_text("same\n")
    (d / "changed.json").write_text("old\n")
    os.chmod(d / "changed.json", 0o600)
    (d / "gone.json").write_text("stale\n")
    (d / "README.md").write_text("not generated\n")
    (d / "notes").mkdir()
    (d / "notes" / "n.txt").write_text("kept\n")
    (d / "link").symlink_to("README.md")
    os.chmod(d, 0o750)
    same = os.stat(d / "same.json")

    fsutil.update_directory(d, lambda _: ({"changed.json": "new\n", "added.json": "added\n"}, {"gone.json"}))
    assert snapshot(d) == {"README.md": b"not generated\n", "added.json": b"added\n", "changed.json": b"new\n",
                           "link": "-> README.md", "notes": "<dir>", "notes/n.txt": b"kept\n",
                           "same.json": b"same\n"}
    after = os.stat(d / "same.json")
    assert (after.st_ino, after.st_mtime_ns) == (same.st_ino, same.st_mtime_ns)   # untouched: the same file
    assert mode(d / "changed.json") == 0o600 and mode(d / "added.json") == 0o644 and mode(d) == 0o750
    assert leftovers(tmp_path) == []


def test_update_directory_with_nothing_to_do_touches_nothing(tmp_path):
    d = tmp_path / "dev"
    d.mkdir()
    (d / "a.json").write_text("a\n")
    before = os.stat(d)
    fsutil.update_directory(d, lambda _: ({}, set()))
    after = os.stat(d)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_update_directory_creates_a_missing_directory(tmp_path):
    d = tmp_path / "out" / "dev"
    fsutil.update_directory(d, lambda _: ({"a.json": "a\n"}, set()))
    assert snapshot(d) == {"a.json": b"a\n"} and leftovers(tmp_path) == []


def test_a_symlinked_directory_is_switched_at_its_target(tmp_path):
    real = tmp_path / "elsewhere" / "dev"
    real.mkdir(parents=True)
    (real / "a.json").write_text("old\n")
    (tmp_path / "definitions").mkdir()
    link = tmp_path / "definitions" / "dev"
    link.symlink_to(real)
    fsutil.update_directory(link, lambda _: ({"a.json": "new\n"}, set()))
    assert link.is_symlink() and (real / "a.json").read_text() == "new\n"
    assert leftovers(tmp_path) == []


def test_a_failure_while_building_leaves_the_old_directory(tmp_path, monkeypatch):
    d = tmp_path / "dev"
    d.mkdir()
    (d / "a.json").write_text("old a\n")
    (d / "b.json").write_text("old b\n")
    real_create = fsutil._create

    def create(path, data, mode, durable):
        if path.name == "b.json":
            raise OSError(28, "No space left on device")
        real_create(path, data, mode, durable)

    monkeypatch.setattr(fsutil, "_create", create)
    with pytest.raises(SfncError, match="No space left on device"):
        fsutil.update_directory(d, lambda _: ({"a.json": "new a\n", "b.json": "new b\n"}, set()))
    assert snapshot(d) == {"a.json": b"old a\n", "b.json": b"old b\n"} and leftovers(tmp_path) == []


@pytest.mark.parametrize("state", ["staged", "committed", "old moved", "swapped", "old half removed"])
def test_recover_finishes_a_committed_switch_and_drops_an_uncommitted_one(tmp_path, state):
    """Each state a killed switch can leave, built by hand: after `recover_directory` the directory holds
    the old files (not committed) or the new ones (committed), and nothing else is left."""
    d = tmp_path / "dev"
    new, old, journal = fsutil._siblings(d)
    d.mkdir()
    (d / "a.json").write_text("old\n")
    new.parent.mkdir()
    (new.parent / ".gitignore").write_text("*\n")
    new.mkdir()
    (new / "a.json").write_text("new\n")
    if state != "staged":
        journal.write_text("journal\n")
    if state in ("old moved", "swapped", "old half removed"):
        d.rename(old)
    if state in ("swapped", "old half removed"):
        new.rename(d)
    if state == "old half removed":
        (old / "a.json").unlink()
    fsutil.recover_directory(d)
    assert (d / "a.json").read_text() == ("old\n" if state == "staged" else "new\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev"]


def test_what_a_killed_switch_leaves_is_ignored_by_git(tmp_path):
    """Until the next run cleans it up, `git add -A` must not pick up a half-built staging directory."""
    d = tmp_path / "definitions" / "dev"
    d.mkdir(parents=True)
    (d / "a.json").write_text("old\n")
    fsutil._open_staging(d.parent)
    new, _, _ = fsutil._siblings(d)
    new.mkdir()
    (new / "a.json").write_text("half\n")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    status = subprocess.run(["git", "-C", str(tmp_path), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert status.splitlines() == ["?? definitions/dev/a.json"]
    fsutil.recover_directory(d)
    assert sorted(p.name for p in d.parent.iterdir()) == ["dev"]


def test_definitions_under_a_file_are_a_clear_error(tmp_path):
    (tmp_path / "out.json").write_text("{}")
    with pytest.raises(SfncError) as err:
        fsutil.update_directory(tmp_path / "out.json" / "dev", lambda _: ({"a.json": "a"}, set()))
    assert "not a directory (definitions go to <dir>/<env>/)" in str(err.value)
    assert str(err.value).startswith(str(tmp_path / "out.json") + ": error:")


def test_a_rename_that_fails_after_the_commit_is_undone_not_left_to_retry(tmp_path, monkeypatch):
    d = tmp_path / "dev"
    d.mkdir()
    (d / "a.json").write_text("old\n")
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name == "dev.new":
            raise OSError(30, "Read-only file system")
        real_rename(src, dst)

    monkeypatch.setattr(fsutil.os, "rename", rename)
    with pytest.raises(SfncError, match="Read-only file system"):
        fsutil.update_directory(d, lambda _: ({"a.json": "new\n"}, set()))
    monkeypatch.setattr(fsutil.os, "rename", real_rename)
    assert snapshot(d) == {"a.json": b"old\n"} and sorted(p.name for p in tmp_path.iterdir()) == ["dev"]
    fsutil.update_directory(d, lambda _: ({"a.json": "new\n"}, set()))     # and the next run just works
    assert snapshot(d) == {"a.json": b"new\n"}


def test_text_with_a_lone_surrogate_is_written_not_a_crash(tmp_path):
    # a report quoting a file name with an undecodable byte (os.fsdecode gives '\udcff')
    fsutil.write_file(tmp_path / "r.txt", "bad name: x\udcff.json\n")
    assert (tmp_path / "r.txt").read_text() == "bad name: x\\udcff.json\n"
