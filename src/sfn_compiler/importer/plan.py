"""What `sfnc import` writes, how it checks it, and how it writes it.

An `ImportPlan` is the templates (stem -> definition with `${...}` placeholders) and one `EnvDraft` per
env (values, aws settings, and the entries the user must fill in). Before anything is written the plan
is rendered in a scratch project with the real renderer and compared with what it must reproduce
(`expected`: the deployed definitions, or the definitions CloudFormation would deploy); differences are
reported. Files are then written all-or-nothing: every file is staged next to its target first and only
then moved into place, and no existing file is replaced without `force`.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..diagnostics import problem
from ..errors import SfncError

_SEGMENT_BAD = re.compile(r"[^\w-]+")


def placeholder_name(raw: str) -> str:
    """A name sfnc's `${...}` accepts (`[A-Za-z_][\\w-]*` segments joined by dots) for any source name:
    `AWS::Region` -> `AWS_Region`, `Fn.Arn` stays a nested path."""
    parts = []
    for seg in raw.replace("::", "_").split("."):
        seg = _SEGMENT_BAD.sub("_", seg).strip("_") or "value"
        parts.append(seg)
    if not re.match(r"[A-Za-z_]", parts[0]):
        parts[0] = "_" + parts[0]
    return ".".join(parts)


def set_path(values: dict[str, Any], path: str, value: Any) -> None:
    node = values
    parts = path.split(".")
    for p in parts[:-1]:
        child = node.get(p)
        if not isinstance(child, dict):
            child = {}
            node[p] = child
        node = child
    node[parts[-1]] = value


@dataclass
class EnvDraft:
    name: str
    values: dict[str, Any] = field(default_factory=dict)
    aws: dict[str, Any] = field(default_factory=dict)
    todo_values: dict[str, str] = field(default_factory=dict)   # value path -> what it was (for the list)
    todo_aws: list[str] = field(default_factory=list)           # commented-out aws settings to fill in
    sentinels: dict[str, str] = field(default_factory=dict)     # value path -> source name (verification only)


@dataclass
class ImportPlan:
    source: str
    templates: dict[str, Any] = field(default_factory=dict)
    envs: dict[str, EnvDraft] = field(default_factory=dict)
    expected: dict[str, dict[str, Any]] = field(default_factory=dict)   # env -> stem -> definition
    notes: list[str] = field(default_factory=list)


def env_yaml(draft: EnvDraft, source: str) -> str:
    import yaml

    lines = [f"# envs/{draft.name}.yaml, written by `sfnc import` from {source}."]
    if draft.todo_values or draft.todo_aws:
        lines.append("# TODO: fill in the values CloudFormation resolves at deploy time:")
        lines += [f"#   values.{path}: {what}" for path, what in draft.todo_values.items()]
        lines += [f"#   aws.{item}" for item in draft.todo_aws]
    body: dict[str, Any] = {}
    if draft.values:
        body["values"] = draft.values
    if draft.aws:
        body["aws"] = draft.aws
    text = "\n".join(lines) + "\n"
    if body:
        text += yaml.safe_dump(body, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120)
    return text


def render_check(plan: ImportPlan) -> list[str]:
    """Render the plan in a scratch project (values that are still TODO get sentinels) and compare with
    `expected`; the differences as unified diffs (empty: the import reproduces every definition)."""
    import json

    from ..deploy.plan import canonical, unified
    from ..envconfig import load_env
    from ..project import Project
    from ..pipeline.rendering import render_env
    from ..render.engine import dumps

    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sfnc-import-") as tmp:
        root = Path(tmp)
        (root / "templates").mkdir()
        (root / "envs").mkdir()
        for stem, data in plan.templates.items():
            (root / "templates" / f"{stem}.json").write_text(dumps(data), encoding="utf-8")
        for draft in plan.envs.values():
            values = json.loads(json.dumps(draft.values))
            for path, name in draft.sentinels.items():
                set_path(values, path, _sentinel(name))
            import yaml

            (root / "envs" / f"{draft.name}.yaml").write_text(
                yaml.safe_dump({"values": values}, sort_keys=False, allow_unicode=True), encoding="utf-8")
        project = Project(root)
        for env_name, expected in plan.expected.items():
            try:
                result = render_env(project, load_env(project, env_name))
            except SfncError as exc:
                problems.extend(f"env {env_name}: {p.format()}" for p in exc.problems)
                continue
            problems.extend(f"env {env_name}: {p.format()}" for p in result.problems)
            sentinels = {_sentinel(n): n for n in plan.envs[env_name].sentinels.values()}
            for r in result.templates:
                if r.name not in expected:
                    continue
                got = _unsentinel(r.data, sentinels)
                if canonical(got) != canonical(expected[r.name]):
                    problems.append(f"env {env_name}: {r.name}: the rendered template differs from the source:\n"
                                    + unified(canonical(expected[r.name]), canonical(got), "source", "sfnc render"))
    return problems


def _sentinel(name: str) -> str:
    return f"@@sfnc-import:{name}@@"


def _unsentinel(node: Any, sentinels: dict[str, str]) -> Any:
    """Rendered sentinels back to the `${Name}` they stand for (a JSON-quoted sentinel is what sfnc puts
    inside a JSONata expression, where CloudFormation puts the bare text)."""
    if isinstance(node, dict):
        return {k: _unsentinel(v, sentinels) for k, v in node.items()}
    if isinstance(node, list):
        return [_unsentinel(v, sentinels) for v in node]
    if isinstance(node, str) and "@@sfnc-import:" in node:
        for s, name in sentinels.items():
            node = node.replace(f'"{s}"', "${" + name + "}").replace(s, "${" + name + "}")
    return node


def plan_files(plan: ImportPlan, templates_dir: Path, envs_dir: Path) -> dict[Path, str]:
    from ..render.engine import dumps

    from ..project import check_env_name

    files = {templates_dir / f"{stem}.json": dumps(data) for stem, data in plan.templates.items()}
    for draft in plan.envs.values():
        files[envs_dir / f"{check_env_name(draft.name)}.yaml"] = env_yaml(draft, plan.source)
    return files


def write_all(files: dict[Path, str], *, force: bool, display) -> list[Path]:
    """Write every file or none: refuse existing files without `force`; stage all, then move them into
    place (`fsutil.write_files`)."""
    from ..fsutil import write_files

    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise SfncError([problem("exists; not overwritten (pass --force to replace it)", file=display(p))
                         for p in existing])
    write_files(files, display=display)
    return list(files)
