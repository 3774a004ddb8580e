"""From a project and an env to deploy `Target`s: the only deploy module that knows about templates.

For `sfnc deploy` the definition sent is the committed `definitions/<env>/<stem>.json`, byte for byte,
and only when it equals a fresh render of its template and has no uncommitted changes (so what was
reviewed is what ships; for a local env an uncommitted file is only a warning); it is validated and any
error refuses the deploy. `sfnc diff` uses the fresh render instead.
"""

from __future__ import annotations

import difflib
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Span, problem
from ..errors import SfncError
from ..fsutil import recover_directory
from ..load.pointer import escape_token
from .target import SettingsProblem, Target, is_loopback, machine_name, settings_problems


@dataclass
class Collection:
    targets: list[Target] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)        # template stems with `skip: true`
    refusals: list[Diagnostic] = field(default_factory=list)   # stale or invalid definitions (exit 1)
    warnings: list[Diagnostic] = field(default_factory=list)


def resolve_names(project, envcfg, names: list[str] | None) -> list[str] | None:
    """Map NAME arguments (template stems or machine names) to template stems."""
    if not names:
        return None
    from ..project import template_stem

    stems = [template_stem(p) for p in project.templates()]
    by_machine = {machine_name(s, envcfg.machine_settings(s)): s for s in stems}
    out: list[str] = []
    problems = []
    for n in names:
        if n in stems:
            out.append(n)
        elif n in by_machine:
            out.append(by_machine[n])
        else:
            close = difflib.get_close_matches(n, stems + list(by_machine), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(problem(f"no template or state machine named {n!r} in env {envcfg.name!r}",
                                    hint=hint + "templates: " + (", ".join(stems) or "none")))
    if problems:
        raise SfncError(problems)
    return list(dict.fromkeys(out))


def collect_targets(project, envcfg, names: list[str] | None = None, *, committed: bool = True,
                    validate: bool = True) -> Collection:
    """Targets for `envcfg`. Raises SfncError (exit 2) for render and configuration errors; stale or
    invalid definitions are `refusals`."""
    from ..pipeline import check_rendered, render_env

    stems = resolve_names(project, envcfg, names)
    result = render_env(project, envcfg, stems)
    if result.problems:
        raise SfncError(result.problems)
    col = Collection()
    config_problems: list[Diagnostic] = []
    check_config = None
    if validate:
        from ..check import CheckConfig

        check_config = CheckConfig.from_project(project)
    out_dir = project.definitions_dir / envcfg.name
    recover_directory(out_dir)   # a render killed while switching the directory: finish or undo it first
    for r in result.templates:
        settings = envcfg.machine_settings(r.name)
        if settings.get("skip"):
            col.skipped.append(r.name)
            continue
        name = machine_name(r.name, settings)
        for p in settings_problems(r.name, name, settings):
            config_problems.append(_located(project, envcfg, r, p))
        path = out_dir / f"{r.name}.json"
        display = project.display(path)
        text = r.text
        if committed:
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                col.refusals.append(problem(f"{r.name}: no rendered definition to deploy", file=display,
                                            env=envcfg.name,
                                            hint=f"run `sfnc render --env {envcfg.name}`, review and commit it"))
                continue
            if text != r.text:
                diff = "".join(difflib.unified_diff(text.splitlines(keepends=True), r.text.splitlines(keepends=True),
                                                    fromfile=f"{display} (committed)", tofile=f"{display} (rendered)"))
                changed = sum(1 for ln in diff.splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---"))
                col.refusals.append(problem(
                    f"{r.name}: the committed definition is stale against its template ({changed} changed lines); "
                    "deploy ships only what was reviewed", file=display, env=envcfg.name,
                    hint=f"run `sfnc render --env {envcfg.name}`, review the diff and commit it"))
                continue
            if uncommitted(project.root, path):
                message = (f"{r.name}: the definition has uncommitted changes; deploy ships only committed, "
                           "reviewed definitions")
                hint = "commit it (git add + git commit), then deploy"
                if is_loopback(settings.get("endpoint_url")):   # a local emulator: say so, do not stop
                    col.warnings.append(problem(message.replace("deploy ships only", "a cloud env would ship only"),
                                                file=display, env=envcfg.name, hint=hint, severity="warning"))
                else:
                    col.refusals.append(problem(message, file=display, env=envcfg.name, hint=hint))
                    continue
        if validate:
            _, diagnostics = check_rendered(project, envcfg, r, check_config)
            errors = [d for d in diagnostics if d.severity == "error"]
            col.warnings += [d for d in diagnostics if d.severity == "warning"]
            if errors:
                col.refusals += errors
                continue
        col.targets.append(Target(envcfg.name, r.name, name, text, settings, display))
    if config_problems:
        raise SfncError(config_problems)
    return col


def setting_origin(envcfg, stem: str, key: tuple[str, ...]) -> tuple[Span | None, str]:
    """Where the env sets aws setting `key` for template `stem`: its line in the env file (or the --set
    option) and its JSON pointer. As in `EnvConfig.machine_settings`, the template's override
    (`aws.templates.<stem>`) wins where it sets the key or replaces a parent of it (a value that is not a
    mapping); mappings merge, so a key the override does not set comes from the env-wide settings."""
    def deepest(node, root: str) -> tuple[str, bool, bool]:
        pointer, depth = root, 0
        for k in key:
            if not isinstance(node, dict) or k not in node:
                break
            node, pointer, depth = node[k], f"{pointer}/{escape_token(k)}", depth + 1
        return pointer, depth == len(key), depth > 0 and not isinstance(node, dict)

    override = f"/aws/templates/{escape_token(stem)}"
    pointer, full, replaced = deepest(((envcfg.aws or {}).get("templates") or {}).get(stem), override)
    if not (full or replaced):
        pointer, _, _ = deepest({k: v for k, v in (envcfg.aws or {}).items() if k != "templates"}, "/aws")
    return envcfg.origin(pointer), pointer


def _located(project, envcfg, rendered, p: SettingsProblem) -> Diagnostic:
    if not p.key:   # the machine name made from the template's file name
        return problem(p.message, file=project.display(rendered.template_path), env=envcfg.name, hint=p.hint)
    span, pointer = setting_origin(envcfg, rendered.name, p.key)
    if span is None:
        return problem(p.message, file=envcfg.layers[-1] if envcfg.layers else None, pointer=pointer,
                       env=envcfg.name, hint=p.hint)
    return Diagnostic(p.message, span=span, pointer=pointer, env=envcfg.name, hint=p.hint)


def uncommitted(root: Path, path: Path) -> bool:
    """`path` is modified, staged or untracked in the git work tree around `root` (False outside git, or
    when git cannot be run: there is nothing to compare with)."""
    try:
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", str(path)], cwd=root,
                                capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return status.returncode == 0 and bool(status.stdout.strip())


def git_commit(root: Path, definitions: Path | None = None) -> str:
    """The short commit of the project; `-dirty` when the definitions to deploy have uncommitted changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if sha.returncode != 0 or not sha.stdout.strip():
        return "unknown"
    commit = sha.stdout.strip()
    try:
        status = subprocess.run(["git", "status", "--porcelain", "--", str(definitions or root)], cwd=root,
                                capture_output=True, text=True, timeout=10)
        if status.returncode == 0 and status.stdout.strip():
            commit += "-dirty"
    except (OSError, subprocess.SubprocessError):
        pass
    return commit
