"""A project: where templates, envs, definitions and scenarios live, plus `[tool.sfnc]` settings.

With no config file a project is the current directory with `templates/`, `envs/` and `definitions/`.
`sfnc.toml` (top-level keys) or `[tool.sfnc]` in `pyproject.toml` may override the paths and hold rule
settings. The nearest directory (walking up from the start directory) with either file is the root.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Span, problem
from .errors import SfncError
from .fsutil import real_cwd, realpath

TEMPLATE_SUFFIXES = (".json.j2", ".json")
INPUT_SCHEMA_SUFFIX = ".input.schema.json"    # templates/<name>.input.schema.json: the execution input

_PATH_KEYS = {"templates": "templates", "envs": "envs", "definitions": "definitions",
              "scenarios": "tests/scenarios"}
_KNOWN_KEYS = set(_PATH_KEYS) | {"validate", "rules", "patterns", "render", "test", "deploy"}

#: an env name: a plain file name stem, never a path (docs/render.md#env-names). `envs/<name>.yaml`,
#: `envs/<name>.lock.json` and `definitions/<name>/` are built from it.
ENV_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: a layer `extends:` may name: an env name, or a hidden layer such as `_base` (not selectable itself)
LAYER_NAME = re.compile(r"_?[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
ENV_NAME_RULE = "an env name is 1-64 letters, digits, '-' and '_', starting with a letter or digit"


def env_name_problem(name: object, *, layer: bool = False) -> str | None:
    """Why `name` is not a plain env name (`layer`: one `extends:` may name, `_base` included), or None."""
    if isinstance(name, str) and (LAYER_NAME if layer else ENV_NAME).fullmatch(name):
        return None
    if not isinstance(name, str):
        return f"an env name must be a string, not {type(name).__name__}"
    shown = name if len(name) <= 40 else name[:37] + "..."
    if name.startswith("_") and not layer and ENV_NAME.fullmatch(name[1:]):
        return f"env {shown!r} is a hidden layer (its name starts with '_'): only `extends:` can name it"
    return f"invalid env name {shown!r}: {ENV_NAME_RULE}"


def check_env_name(name: object, *, layer: bool = False, source: Span | None = None) -> str:
    """`name`, or an SfncError (exit 2) at `source` (default: the `--env` option) when it is not a plain
    env name: a path (`../x`, `/abs/x`), a very long name or one with other characters never reaches
    the file system."""
    message = env_name_problem(name, layer=layer)
    if message is not None:
        if source is None:
            shown = name if isinstance(name, str) and len(name) <= 40 else str(name)[:37] + "..."
            source = Span(f"--env {shown}")
        raise SfncError(problem(message, file=source.file, line=source.line, column=source.column,
                                hint="an env is envs/<name>.yaml: give its name, not a path (docs/render.md#env-names)"))
    return name  # type: ignore[return-value]


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
        real = realpath(os.fspath(path))
        cwd = real_cwd()
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

    def env_paths(self) -> dict[str, Path]:
        """The env files of `envs/` (`*.yaml`, `*.yml`; not `_*` layers), by name, sorted. A name may be
        one `check_env_name` refuses: `select_envs` reports it at its file."""
        d = self.envs_dir
        if not d.is_dir():
            return {}
        found = {p.name[: -len(p.suffix)]: p for p in d.iterdir()
                 if p.suffix in (".yaml", ".yml") and not p.name.startswith(("_", "."))}
        return dict(sorted(found.items()))

    def env_names(self) -> list[str]:
        return list(self.env_paths())

    def env_file(self, name: str) -> Path | None:
        """`envs/<name>.yaml` (or `.yml`) when it exists; `name` must be a plain env or layer name."""
        check_env_name(name, layer=True)
        for suffix in (".yaml", ".yml"):
            p = self.envs_dir / f"{name}{suffix}"
            if p.is_file():
                return p
        return None

    def outside_link(self, path: Path, base: Path) -> str | None:
        """Where `path` really is, when a symlink on the way takes it outside both the project and `base`
        (the directory it was listed in, e.g. a configured `templates` path) and
        `[tool.sfnc.render] allow_symlinks_outside` is not set; None otherwise."""
        if self.section("render").get("allow_symlinks_outside") is True:
            return None
        real = Path(os.path.realpath(path))
        for root in (self.root, base):
            if real.is_relative_to(os.path.realpath(root)):
                return None
        return str(real)

    def check_inside(self, path: Path, base: Path, what: str) -> None:
        """An SfncError at `path` when it is a symlink to a file outside the project (`outside_link`)."""
        target = self.outside_link(path, base)
        if target is not None:
            shown = os.path.relpath(path) if Path(os.path.abspath(path)).is_relative_to(os.getcwd()) else str(path)
            raise SfncError(problem(f"{what} is a symlink to {target}, outside the project: not followed",
                                    file=shown, hint="copy the file into the project, or set "
                                    "`allow_symlinks_outside = true` under [tool.sfnc.render] (docs/render.md)"))

    def section(self, name: str) -> dict[str, Any]:
        value = self.settings.get(name, {})
        return value if isinstance(value, dict) else {}


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


def _may_configure_sfnc(pyproject: Path) -> bool:
    """The file may hold a `[tool.sfnc]` table: it names `sfnc`, or has an escape that could spell it in a
    quoted key. Most pyproject.toml files are not sfnc's: they are not parsed (tomllib costs ~2 ms to import
    on every command), and a broken one that cannot configure sfnc is not sfnc's error to report."""
    try:
        text = pyproject.read_bytes()
    except OSError:
        return True   # _read_toml reports it
    return b"sfnc" in text or b"\\u" in text or b"\\U" in text


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
        if pyproject.is_file() and _may_configure_sfnc(pyproject):
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
    render = settings.get("render", {})
    if not isinstance(render, dict) or set(render) - {"allow_symlinks_outside"} or not isinstance(
            render.get("allow_symlinks_outside", False), bool):
        raise SfncError("[tool.sfnc.render] holds one setting, `allow_symlinks_outside = true|false`",
                        file=str(config_file), line=_toml_line(config_file, "allow_symlinks_outside", "render"))
    test = settings.get("test", {})
    project = Project(root, config_file, settings)
    if isinstance(test, dict) and "env" in test:   # the env `sfnc test` uses by default
        check_env_name(test["env"], source=Span(project.display(config_file), _toml_line(config_file, "env", "test")))
    return project


def _toml_line(path: Path, key: str, section: str) -> int | None:
    """The line of `key = ...` in the `[tool.sfnc.<section>]` (or `[<section>]`) table, for messages."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    header = re.compile(r"\s*\[\s*(tool\.sfnc\.)?" + re.escape(section) + r"\s*\]")
    inside = False
    for number, text in enumerate(lines, 1):
        if text.lstrip().startswith("["):
            inside = bool(header.match(text))
        elif inside and re.match(r"\s*" + re.escape(key) + r"\s*=", text):
            return number
    return None
