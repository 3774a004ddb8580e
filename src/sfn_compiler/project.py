"""A project: where templates, envs, definitions and scenarios live, plus `[tool.sfnc]` settings.

With no config file a project is the current directory with `templates/`, `envs/` and `definitions/`.
`sfnc.toml` (top-level keys) or `[tool.sfnc]` in `pyproject.toml` may override the paths and hold rule
settings. The nearest directory (walking up from the start directory) with either file is the root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import problem
from .errors import SfncError

TEMPLATE_SUFFIXES = (".json.j2", ".json")
INPUT_SCHEMA_SUFFIX = ".input.schema.json"    # templates/<name>.input.schema.json: the execution input

_PATH_KEYS = {"templates": "templates", "envs": "envs", "definitions": "definitions",
              "scenarios": "tests/scenarios"}
_KNOWN_KEYS = set(_PATH_KEYS) | {"validate", "rules", "patterns", "render", "test", "deploy"}


@dataclass
class Project:
    root: Path
    config_file: Path | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def path(self, key: str) -> Path:
        rel = self.settings.get(key, _PATH_KEYS[key])
        return (self.root / rel).resolve()

    @property
    def templates_dir(self) -> Path:
        return self.path("templates")

    @property
    def envs_dir(self) -> Path:
        return self.path("envs")

    @property
    def definitions_dir(self) -> Path:
        return self.path("definitions")

    @property
    def scenarios_dir(self) -> Path:
        return self.path("scenarios")

    def display(self, path: Path) -> str:
        """A path as users should see it: relative to the current directory when below it (both with
        symlinks resolved), else as given."""
        real = _realpath(os.fspath(path))
        cwd = _real_cwd()
        if real == cwd:
            return "."
        prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
        return real[len(prefix):] if real.startswith(prefix) else str(path)

    def templates(self) -> list[Path]:
        """Template files, sorted by name: `*.json` and `*.json.j2` (not a template's execution input schema,
        `<name>.input.schema.json`)."""
        d = self.templates_dir
        if not d.is_dir():
            return []
        return sorted((p for p in d.iterdir() if p.is_file() and p.name.endswith(TEMPLATE_SUFFIXES)
                       and not p.name.endswith(INPUT_SCHEMA_SUFFIX) and not p.name.startswith((".", "_"))),
                      key=lambda p: p.name)

    def env_names(self) -> list[str]:
        d = self.envs_dir
        if not d.is_dir():
            return []
        return sorted(p.name[: -len(p.suffix)] for p in d.iterdir()
                      if p.suffix in (".yaml", ".yml") and not p.name.startswith(("_", ".")))

    def env_file(self, name: str) -> Path | None:
        for suffix in (".yaml", ".yml"):
            p = self.envs_dir / f"{name}{suffix}"
            if p.is_file():
                return p
        return None

    def section(self, name: str) -> dict[str, Any]:
        value = self.settings.get(name, {})
        return value if isinstance(value, dict) else {}


_CWD: dict[str, str] = {}
_DIRS: dict[str, str] = {}


def _realpath(path: str) -> str:
    """`os.path.realpath`, resolving each directory once (display() asks for every file of a tree)."""
    if os.sep + ".." in os.sep + path or not path:  # `..` after a symlink is not lexical: the full walk
        return os.path.realpath(path)
    head, tail = os.path.split(os.path.abspath(path))
    real_head = _DIRS.get(head)
    if real_head is None:
        real_head = _DIRS[head] = os.path.realpath(head)
    candidate = os.path.join(real_head, tail)
    return os.path.realpath(candidate) if os.path.islink(candidate) else candidate


def _real_cwd() -> str:
    """The current directory with symlinks resolved (resolved once per directory: display() asks per file)."""
    cwd = os.getcwd()
    real = _CWD.get(cwd)
    if real is None:
        real = _CWD[cwd] = os.path.realpath(cwd)
    return real


def template_stem(path: Path) -> str:
    name = path.name
    for suffix in TEMPLATE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a config file to read

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SfncError(f"invalid TOML: {exc}", file=str(path)) from None
    except OSError as exc:
        raise SfncError(f"cannot read config: {exc.strerror}", file=str(path)) from None


def find_project(start: Path | None = None) -> Project:
    """The project holding `start` (default: the current directory): the nearest directory with
    `sfnc.toml` or `[tool.sfnc]` in `pyproject.toml`, else the nearest with both `templates/` and `envs/`
    (so commands work from `templates/`, `envs/` or any subdirectory), else `start` itself. The walk
    stops at the repository root (a directory with `.git`)."""
    start = (start or Path.cwd()).resolve()
    for directory in (start, *start.parents):
        sfnc_toml = directory / "sfnc.toml"
        if sfnc_toml.is_file():
            return _make(directory, sfnc_toml, _read_toml(sfnc_toml))
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            tool = data.get("tool", {}).get("sfnc")
            if tool is not None:
                return _make(directory, pyproject, tool)
        if (directory / ".git").exists():
            break
    for directory in (start, *start.parents):
        if (directory / "templates").is_dir() and (directory / "envs").is_dir():
            return Project(directory)
        if (directory / ".git").exists():
            break
    return Project(start)


def _make(root: Path, config_file: Path, settings: Any) -> Project:
    if not isinstance(settings, dict):
        raise SfncError("[tool.sfnc] must be a table", file=str(config_file))
    unknown = sorted(set(settings) - _KNOWN_KEYS)
    if unknown:
        raise SfncError([problem(f"unknown setting {k!r} in sfnc config", file=str(config_file),
                                 hint=f"known settings: {', '.join(sorted(_KNOWN_KEYS))}") for k in unknown])
    for key in _PATH_KEYS:
        if key in settings and not isinstance(settings[key], str):
            raise SfncError(f"setting {key!r} must be a path string", file=str(config_file))
    return Project(root, config_file, settings)
