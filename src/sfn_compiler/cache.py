"""A result cache across runs (as ruff's and mypy's): JSON values under `.sfnc_cache/`, keyed by content.

A key is a SHA-256 over everything the value depends on. The caller names those parts (a definition's
text, the rule configuration, ...); every key also covers `runtime_fingerprint()`: sfnc's version, the
size and mtime of every file of the installed package (so an edited checkout never reuses results of the
code before the edit), and the versions of the libraries whose behaviour reaches results (the JSONata
parser, botocore's API models, PyYAML, jsonschema). Nothing else is trusted: a changed part is a new key,
never a stale hit.

Layout: `<dir>/v1/<kind>/<key>.json` holding `{"key": ..., "value": ...}`. An entry is written to a
temporary file and renamed into place (atomic; not flushed to disk: a torn entry after a crash fails to
parse or names another key, and is ignored like any unreadable entry). The directory is safe to delete at
any time, carries a `.gitignore` (`*`) and a CACHEDIR.TAG, and is pruned (oldest entries first) when it
grows past `max_bytes` (checked after runs that wrote many entries, and now and then after others). A
cache that cannot be written (read-only tree) is silently a cache that misses. `SFNC_CACHE_DIR` moves it;
`SFNC_NO_CACHE=1` (or `--no-cache`) turns it off. Entries are written with `fsutil.atomic_write` without
flushing to disk (`fsutil.write_file` flushes user files; a cache entry needs only the rename's atomicity).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .fsutil import atomic_write

DIR_NAME = ".sfnc_cache"
FORMAT = "v1"
MAX_BYTES = 64 * 1024 * 1024
PRUNE_WRITES = 100       # a run that wrote this many entries checks the size
PRUNE_EVERY = 20         # otherwise one run in this many that wrote any
# libraries whose versions reach cached results (distribution names as in their .dist-info directories)
DEPENDENCIES = ("jsonata_python", "botocore", "PyYAML", "jsonschema", "Jinja2")
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This file is a cache directory tag created by sfnc (safe to delete).\n")


def disabled_by_env() -> bool:
    return os.environ.get("SFNC_NO_CACHE", "") not in ("", "0")


def digest(*parts: str | bytes | None) -> str:
    """SHA-256 (hex) of `parts`, each length-prefixed (no two part lists collide); None is its own value."""
    h = hashlib.sha256()
    for p in parts:
        if p is None:
            h.update(b"N")
            continue
        b = p if isinstance(p, bytes) else p.encode("utf-8", "surrogatepass")
        h.update(b"%d:" % len(b))
        h.update(b)
    return h.hexdigest()


def canonical(value: Any) -> str:
    """A stable text for data whose mapping keys are strings (TOML settings, option lists, source maps):
    sorted keys, repr for anything that is not JSON. For data that may hold other keys (YAML), `typed`."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr, separators=(",", ":"))


def typed(value: Any) -> str:
    """A text that tells any two different YAML/JSON values apart (1 from "1" and 1.0 and True, a key 1 from
    a key "1"), whatever the mapping keys; mapping order is kept (it is part of the value)."""
    return json.dumps(_tag(value), ensure_ascii=False, separators=(",", ":"))


def _tag(v: Any) -> Any:
    t = type(v)
    if t is str:
        return "s" + v
    if t is dict:
        return ["d"] + [[_tag(k), _tag(x)] for k, x in v.items()]
    if t is list:
        return ["l"] + [_tag(x) for x in v]
    return [t.__module__ + "." + t.__qualname__, repr(v)]


_RUNTIME: str | None = None


def runtime_fingerprint() -> str:
    """sfnc's version, its package files (name, size, mtime) and the dependency versions; once per process."""
    global _RUNTIME
    if _RUNTIME is None:
        _RUNTIME = fingerprint(Path(__file__).resolve().parent, __version__, _dependency_versions())
    return _RUNTIME


def fingerprint(package: Path, version: str, dependencies: dict[str, str]) -> str:
    """The digest of a package directory's files (relative name, size, mtime; no bytecode) with a version and
    dependency versions."""
    files: list[str] = []
    root = os.fspath(package)
    cut = len(os.path.join(root, ""))   # a file's name relative to the package: its path past this prefix
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            files.append(f"{path[cut:]}:{st.st_size}:{st.st_mtime_ns}")
    return digest(version, FORMAT, "\n".join(files), canonical(dependencies),
                  f"{sys.version_info[0]}.{sys.version_info[1]}")


def _dependency_versions() -> dict[str, str]:
    """Versions from the `.dist-info` directory names on sys.path (importlib.metadata costs 40 ms)."""
    wanted = {_norm(n): n for n in DEPENDENCIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                dist, _, version = name[: -len(".dist-info")].partition("-")
                key = _norm(dist)
                if key in wanted and key not in found:
                    found[key] = version
        if len(found) == len(wanted):
            break
    return {wanted[k]: found.get(k, "?") for k in sorted(wanted)}


def _norm(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


class Cache:
    """Entries of one kind of result under `directory` (see the module docstring)."""

    def __init__(self, directory: Path, *, max_bytes: int = MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.hits = 0
        self.misses = 0
        self.writes = 0
        self._ready = False
        self._root = os.path.join(directory, FORMAT)

    @classmethod
    def at(cls, root: Path) -> "Cache | None":
        """The cache of a project rooted at `root` (or `SFNC_CACHE_DIR`); None when turned off by the env."""
        if disabled_by_env():
            return None
        where = os.environ.get("SFNC_CACHE_DIR")
        return cls(Path(where) if where else root / DIR_NAME)

    def _path(self, kind: str, key: str) -> str:
        return f"{self._root}{os.sep}{kind}{os.sep}{key}.json"   # strings: asked once per document

    def get(self, kind: str, key: str) -> Any | None:
        """The value stored for `key`, or None (missing, unreadable, corrupt or for another key)."""
        try:
            with open(self._path(kind, key), "rb") as f:
                entry = json.loads(f.read())
            if type(entry) is dict and entry.get("key") == key and "value" in entry:
                self.hits += 1
                return entry["value"]
        except (OSError, ValueError):
            pass
        self.misses += 1
        return None

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store `value` (plain JSON data) for `key`; any failure leaves the cache as it was."""
        path = self._path(kind, key)
        try:
            text = json.dumps({"key": key, "value": value}, ensure_ascii=False, separators=(",", ":"))
            if not self._ready:
                self._prepare()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            atomic_write(Path(path), text.encode("utf-8", "surrogatepass"), durable=False)
            self.writes += 1
        except (OSError, ValueError, TypeError):
            pass

    def _prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# created by sfnc\n*\n")):
            p = self.directory / name
            if not p.exists():
                atomic_write(p, text.encode("utf-8"), durable=False)
        self._ready = True

    def maybe_prune(self) -> None:
        """`prune` after a run that wrote many entries, and after one in `PRUNE_EVERY` runs that wrote any
        (listing a full cache on every run that changed one file would cost more than the cache saves)."""
        if self.writes >= PRUNE_WRITES or (self.writes and int.from_bytes(os.urandom(2), "little") % PRUNE_EVERY == 0):
            self.prune()

    def prune(self) -> None:
        """After a run that wrote entries: drop the oldest until the cache is under 3/4 of `max_bytes`;
        temporary files of writers that died go too."""
        if not self.writes:
            return
        entries: list[tuple[float, int, str]] = []
        total = 0
        try:
            kinds = list(os.scandir(self.directory / FORMAT))
        except OSError:
            return
        for kind in kinds:
            if not kind.is_dir(follow_symlinks=False):
                continue
            try:
                for e in os.scandir(kind.path):
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if e.name.endswith(".tmp"):
                        if st.st_mtime < _now() - 3600:
                            _unlink(e.path)
                        continue
                    entries.append((st.st_mtime, st.st_size, e.path))
                    total += st.st_size
            except OSError:
                continue
        if total <= self.max_bytes:
            return
        entries.sort()
        goal = self.max_bytes * 3 // 4
        for _, size, path in entries:
            if total <= goal:
                break
            _unlink(path)
            total -= size


def _now() -> float:
    import time

    return time.time()


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
