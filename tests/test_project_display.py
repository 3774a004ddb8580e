"""Project.display: a path relative to the current directory when it lies below it, symlinks resolved exactly
as os.path.realpath resolves them (directories are resolved once per process, so this checks the shortcut)."""

from __future__ import annotations

import os
from pathlib import Path

from sfn_compiler.fsutil import realpath
from sfn_compiler.project import Project


def test_display_and_realpath_agree_with_the_os_through_symlinks(tmp_path, monkeypatch):
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "f.json").write_text("{}")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "o.json").write_text("{}")
    (tmp_path / "alias").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "flink.json").symlink_to(tmp_path / "real" / "sub" / "f.json")
    (tmp_path / "real" / "out.json").symlink_to(tmp_path / "outside" / "o.json")
    work = tmp_path / "real"
    monkeypatch.chdir(work)
    paths = ["sub/f.json", "flink.json", "out.json", str(tmp_path / "alias" / "sub" / "f.json"),
             str(tmp_path / "alias" / "sub" / ".." / "flink.json"), "../alias/sub/f.json", ".", "sub/",
             "missing/x.json", str(tmp_path / "outside" / "o.json")]
    for p in paths:
        assert realpath(p) == os.path.realpath(p), p
    project = Project(work)
    shown = {p: project.display(Path(p)) for p in paths}
    assert shown["sub/f.json"] == shown["flink.json"] == shown[paths[3]] == os.path.join("sub", "f.json")
    assert shown["out.json"] == "out.json"              # resolves outside the current directory: as given
    assert shown["."] == "." and shown["missing/x.json"] == os.path.join("missing", "x.json")
