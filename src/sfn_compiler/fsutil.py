"""Writing files: the one home for how sfnc puts anything on disk (docs/files.md).

- `write_file(path, text)`: a report, a lock file, a workflow page. Readers see the old content or the new,
  never half: the text goes to a temporary file next to the target (`.<name>.sfnc-<pid>-<random>.tmp`),
  is flushed to disk and renamed over the target. The file gets the mode an ordinary write gives it: a new
  file 0666 less the umask (the temporary file is created with that mode, not mkstemp's 0600), an
  existing one keeps its mode. A target that exists and is not a regular file (`/dev/null`, a pipe, a
  terminal), or any path under /dev or /proc (`/dev/stdout`), is written in place: renaming over it would
  replace the device with a regular file. A symlink to a regular file is followed (the link stays). A
  directory, or a parent that is not one, is an error naming the path (exit 2).
- `write_files(files)`: several new files (`sfnc import`, `sfnc test --scaffold`): all are staged first, so
  a failure while writing leaves nothing; they are then renamed into place one by one.
- `update_directory(dir, decide)`: a directory of generated files (`definitions/<env>/`) switched as one
  step. The new set is built in `.sfnc-staging/<name>.new` next to it (new and changed files written,
  every other entry hard-linked, so an unchanged file keeps its inode and mtime), a journal
  (`.sfnc-staging/<name>.swap`) is committed, and two renames swap the directories (the old one goes to
  `.sfnc-staging/<name>.old` and is then removed, and so is `.sfnc-staging/`, which git ignores). A
  process killed at any point leaves the old directory with at most a partial staging directory (no
  journal: the next run deletes it) or a committed journal (the next run completes the swap); either way the next run that touches the directory (`sfnc render`, `--check`) sees all-old or
  all-new files and no temporary ones. Writers of one parent directory are serialized with `flock`.
  The files are not flushed one by one (an fsync per definition: +90 ms for 300 files on an SSD, more on
  slower disks; the journal and the directories are flushed): the guarantee is for a killed process;
  after a power loss a definition may be torn as the file system leaves it, which `sfnc render --check`
  reports and `sfnc render` repairs (definitions are generated; deploy refuses one that differs).
- `atomic_write(path, data)`: the raw step under these, raising `OSError` (the result cache uses it
  without flushing to disk: a cache entry needs only the rename's atomicity).
- `realpath(path)`: `os.path.realpath` with each directory resolved once per process (`Project.display` and
  `load.discover` ask it for every file of a tree); `real_cwd()` the current directory, resolved.

`SFNC_TEST_KILL_AFTER=N` (tests only: tests/render/test_atomic_writes.py) makes the process SIGKILL itself
at the Nth step of a write (a file written, a link, a rename, a journal), to prove the guarantees above at
every point; it does nothing unless set, and no input file can set it.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import SfncError

TMP_SUFFIX = ".tmp"
STAGING = ".sfnc-staging"          # next to the switched directory; holds `.gitignore` (`*`) while it exists
_DIRECT_PREFIXES = ("/dev/", "/proc/")      # written in place (/dev/stdout, /dev/fd/3), except:
_NOT_DIRECT = "/dev/shm/"                     # a tmpfs of ordinary files


# --- test hook: die at step N ----------------------------------------------------------------------------

_KILL_AFTER = os.environ.get("SFNC_TEST_KILL_AFTER", "")
_steps = 0


def _step() -> None:
    """One durable step of a write; with SFNC_TEST_KILL_AFTER=N (tests only) the Nth one SIGKILLs us."""
    global _steps
    if not _KILL_AFTER:
        return
    _steps += 1
    if str(_steps) == _KILL_AFTER:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


# --- small pieces -----------------------------------------------------------------------------------------

# --- resolving paths -------------------------------------------------------------------------------------

_REAL_DIRS: dict[str, str] = {}
_REAL_CWD: dict[str, str] = {}


def realpath(path: str) -> str:
    """`os.path.realpath(path)`, resolving each directory once (a tree's files share their directories)."""
    if os.sep + ".." in os.sep + path or not path:  # `..` after a symlink is not lexical: the full walk
        return os.path.realpath(path)
    head, tail = os.path.split(os.path.abspath(path))
    real_head = _REAL_DIRS.get(head)
    if real_head is None:
        real_head = _REAL_DIRS[head] = os.path.realpath(head)
    candidate = os.path.join(real_head, tail)
    return os.path.realpath(candidate) if os.path.islink(candidate) else candidate


def real_cwd() -> str:
    """The current directory with symlinks resolved (once per directory)."""
    cwd = os.getcwd()
    real = _REAL_CWD.get(cwd)
    if real is None:
        real = _REAL_CWD[cwd] = os.path.realpath(cwd)
    return real


def _utf8(text: str) -> bytes:
    """UTF-8; a lone surrogate (a file name's undecodable byte quoted in a report) as `\\udcff`, not a crash."""
    return text.encode("utf-8", "backslashreplace")


def _fsync_dir(path: Path | str) -> None:
    """Flush a directory's entries (a rename) to disk; best effort (some file systems refuse)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _tmp_prefix(name: str) -> str:
    return f".{name[:120]}.sfnc-"


def _tmp_path(target: Path) -> Path:
    return target.parent / f"{_tmp_prefix(target.name)}{os.getpid()}-{os.urandom(4).hex()}{TMP_SUFFIX}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:          # another user's process: alive
        return True
    return True


def clean_stale_temps(target: Path) -> None:
    """Remove the temporary files of `target` left by sfnc processes that died (a SIGKILL during a write)."""
    prefix = _tmp_prefix(target.name)
    try:
        names = os.listdir(target.parent)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(TMP_SUFFIX)):
            continue
        pid = name[len(prefix):-len(TMP_SUFFIX)].split("-", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            try:
                os.unlink(target.parent / name)
            except OSError:
                pass


def _create(path: Path, data: bytes, mode: int | None, durable: bool) -> None:
    """Create `path` (it must not exist) holding `data`: mode 0666 less the umask, or exactly `mode`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, *, durable: bool = True, mode: int | None = None) -> None:
    """Replace `path` with `data` through a temporary file and a rename; `mode` None keeps an existing
    file's mode (a new file: 0666 less the umask). Raises OSError; the temporary file never survives a
    failure (only a SIGKILL, and `clean_stale_temps` removes it later)."""
    if mode is None:
        try:
            st = os.stat(path)
            mode = stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None
        except FileNotFoundError:
            pass
    tmp = _tmp_path(path)
    try:
        _create(tmp, data, mode, durable)
        _step()
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _step()
    if durable:
        _fsync_dir(path.parent)


def _os_problem(exc: OSError, display: str, what: str) -> SfncError:
    if exc.errno == errno.EISDIR:
        return SfncError(f"cannot write {what}: is a directory, not a file", file=display)
    if exc.errno == errno.ENOTDIR:
        return SfncError(f"cannot write {what}: a parent of the path is not a directory", file=display)
    return SfncError(f"cannot write {what}: {exc.strerror or exc}", file=display)


# --- single files -----------------------------------------------------------------------------------------

def write_file(path: Path | str, text: str, *, display: str | None = None, what: str = "the file") -> None:
    """Write `text` (UTF-8) to `path` as described in the module docstring; problems are `SfncError`s
    (exit 2) naming `display` (default: the path)."""
    path = Path(path)
    display = display or str(path)
    data = _utf8(text)
    try:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            st = None
        except NotADirectoryError:
            raise SfncError(f"cannot write {what}: a parent of the path is not a directory", file=display) from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise SfncError(f"cannot write {what}: is a directory, not a file", file=display,
                            hint="name a file (a report is one file)")
        absolute = os.path.abspath(path)
        if (st is not None and not stat.S_ISREG(st.st_mode)) or \
                (absolute.startswith(_DIRECT_PREFIXES) and not absolute.startswith(_NOT_DIRECT)):
            with open(path, "wb") as fh:      # a device, a pipe, /dev/stdout: write through, never replace
                fh.write(data)
            return
        target = Path(os.path.realpath(path)) if os.path.islink(path) else path
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale_temps(target)
        atomic_write(target, data, durable=True)
    except OSError as exc:
        raise _os_problem(exc, display, what) from None


def write_files(files: dict[Path, str], *, display: Callable[[Path], str] = str) -> None:
    """Write several files: every one is staged (a temporary file next to it) before any is renamed into
    place, so a failure while writing leaves nothing behind; existing files keep their modes."""
    staged: list[tuple[Path, Path]] = []
    current: Path | None = None
    try:
        for path, text in files.items():
            current = path
            if path.is_dir():
                raise SfncError("cannot write: is a directory, not a file", file=display(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            clean_stale_temps(path)
            try:
                mode = stat.S_IMODE(os.stat(path).st_mode)
            except FileNotFoundError:
                mode = None
            tmp = _tmp_path(path)
            staged.append((tmp, path))
            _create(tmp, _utf8(text), mode, True)
            _step()
        for tmp, path in staged:
            current = path
            os.replace(tmp, path)
            _step()
        for parent in {p.parent for p in files}:
            _fsync_dir(parent)
    except OSError as exc:
        raise _os_problem(exc, display(current) if current is not None else "", "the file") from None
    finally:
        for tmp, _ in staged:
            try:
                os.unlink(tmp)
            except OSError:
                pass


# --- a directory switched as one step ---------------------------------------------------------------------

def _siblings(directory: Path) -> tuple[Path, Path, Path]:
    """The staging directory, the old one and the journal of a switch of `directory`: in `.sfnc-staging/`
    next to it, which git ignores (so a `git add -A` after a killed run commits none of them)."""
    staging = directory.parent / STAGING
    name = directory.name
    return staging / f"{name}.new", staging / f"{name}.old", staging / f"{name}.swap"


def _open_staging(parent: Path) -> None:
    staging = parent / STAGING
    os.makedirs(staging, exist_ok=True)
    try:
        fd = os.open(staging / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return
    try:
        os.write(fd, b"*\n")
    finally:
        os.close(fd)


def _close_staging(parent: Path) -> None:
    """Remove `.sfnc-staging/` when nothing is left in it (another directory's interrupted switch may be)."""
    staging = parent / STAGING
    try:
        if os.listdir(staging) == [".gitignore"]:
            os.unlink(staging / ".gitignore")
            os.rmdir(staging)
    except OSError:
        pass


def _rmtree(path: Path) -> None:
    if os.path.lexists(path):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            os.unlink(path)


@contextmanager
def _locked(parent: Path) -> Iterator[None]:
    """Serialize the writers of `parent`'s directories (flock on the directory itself: no lock file)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    fd = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # releases the lock


def _recover(directory: Path) -> None:
    """Complete a committed switch of `directory`, or drop an uncommitted one (the caller holds the lock)."""
    new, old, journal = _siblings(directory)
    clean_stale_temps(journal)
    if journal.exists():
        if new.is_dir():                       # committed, not swapped (or half): finish it
            if os.path.lexists(directory):
                _rmtree(old)
                os.rename(directory, old)
            os.rename(new, directory)
        elif not os.path.lexists(directory) and os.path.lexists(old):
            os.rename(old, directory)          # (a staging directory lost after the commit: keep the old set)
        _rmtree(old)
        os.unlink(journal)
        _fsync_dir(directory.parent)
    else:
        _rmtree(new)                           # never committed: the old directory stands
        if os.path.lexists(old):               # (not left by this protocol; kept safe all the same)
            if os.path.lexists(directory):
                _rmtree(old)
            else:
                os.rename(old, directory)
    _close_staging(directory.parent)


def _resolve(directory: Path) -> Path:
    """Where the directory really is: a symlinked `definitions/<env>` is switched at its target."""
    given = directory
    directory = Path(os.path.abspath(directory))
    if directory.is_symlink():
        directory = Path(os.path.realpath(directory))
    if os.path.lexists(directory) and not directory.is_dir():
        raise SfncError("cannot write definitions here: it is not a directory", file=str(given))
    if os.path.lexists(directory.parent) and not directory.parent.is_dir():
        raise SfncError("cannot write definitions: not a directory (definitions go to <dir>/<env>/)",
                        file=str(given.parent))
    return directory


def recover_directory(directory: Path) -> None:
    """Finish or undo a switch of `directory` that a killed process left (a no-op when there is none)."""
    directory = _resolve(directory)
    if not directory.parent.is_dir():
        return
    if not os.path.lexists(directory.parent / STAGING):
        return
    try:
        with _locked(directory.parent):
            _recover(directory)
    except OSError as exc:
        raise _os_problem(exc, str(directory), "the definitions") from None


def _link_tree(src: Path, dst: Path) -> None:
    """`dst` as a copy of the entry `src` that shares its files (hard links; a copy with its times where a
    link is impossible), so an unchanged file keeps its mtime."""
    st = os.lstat(src)
    if stat.S_ISLNK(st.st_mode):
        os.symlink(os.readlink(src), dst)
    elif stat.S_ISDIR(st.st_mode):
        os.mkdir(dst)
        for entry in os.scandir(src):
            _link_tree(Path(entry.path), dst / entry.name)
        shutil.copystat(src, dst, follow_symlinks=False)
    else:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            if not stat.S_ISREG(st.st_mode):
                raise
            shutil.copy2(src, dst, follow_symlinks=False)
    _step()


def update_directory(directory: Path, decide: Callable[[Path], tuple[dict[str, str], set[str]]]) -> \
        tuple[dict[str, str], set[str]]:
    """Switch `directory` to a new set of files in one step. `decide(directory)` (called under the lock,
    after any interrupted switch is finished) returns the files to write (name -> text) and the names to
    remove; every other entry stays as it is. Nothing to write or remove: nothing is touched."""
    directory = _resolve(directory)
    display = str(directory)
    if os.path.ismount(directory):
        raise SfncError("cannot switch definitions here: it is a mount point (sfnc replaces the directory "
                        "with a rename)", file=display, hint="mount its parent directory instead")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        with _locked(directory.parent):
            _recover(directory)
            write, remove = decide(directory)
            if write or remove:
                _switch(directory, write, remove)
    except OSError as exc:
        raise _os_problem(exc, display, "the definitions") from None
    return write, remove


def _switch(directory: Path, write: dict[str, str], remove: set[str]) -> None:
    new, old, journal = _siblings(directory)
    exists = directory.is_dir()
    try:
        _open_staging(directory.parent)
        os.mkdir(new)
        if exists:
            for entry in os.scandir(directory):
                if entry.name not in write and entry.name not in remove:
                    _link_tree(Path(entry.path), new / entry.name)
        for name, text in write.items():
            mode = None
            if exists:
                try:
                    st = os.stat(directory / name)
                    mode = stat.S_IMODE(st.st_mode) if stat.S_ISREG(st.st_mode) else None
                except FileNotFoundError:
                    pass
            _create(new / name, _utf8(text), mode, False)     # (not flushed: see the docstring)
            _step()
        if exists:
            os.chmod(new, stat.S_IMODE(os.stat(directory).st_mode))
        _fsync_dir(new)
        atomic_write(journal, f"{new.name} -> {directory.name} (old: {old.name})\n".encode(), durable=True)
    except BaseException:
        _rmtree(new)
        _close_staging(directory.parent)
        raise
    # committed: from here on, a killed run is finished by the next run's `_recover`; a rename that
    # fails (it cannot once the staging directory is built, short of a file system turned read-only) is
    # undone here, so that no run is left to retry it forever
    try:
        if exists:
            os.rename(directory, old)
            _step()
        try:
            os.rename(new, directory)
        except OSError:
            if exists:
                os.rename(old, directory)
            raise
    except OSError:
        _rmtree(new)
        os.unlink(journal)
        _close_staging(directory.parent)
        raise
    _step()
    _fsync_dir(directory.parent)
    _rmtree(old)
    os.unlink(journal)
    _step()
    _close_staging(directory.parent)
    _fsync_dir(directory.parent)
