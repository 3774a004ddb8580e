"""`sfnc import TEMPLATE`: a CloudFormation/SAM/CDK template -> templates/ and one env.

Each state machine becomes `templates/<LogicalId>.json`: its definition as written, `${Name}` placeholders
kept (renamed where sfnc's grammar needs it: `${AWS::Region}` -> `${AWS_Region}`), a `${X}` that
CloudFormation would deploy literally escaped as `$${X}`. `DefinitionSubstitutions` with literal values
become the env's values, typed so that sfnc's render gives what CloudFormation's text substitution gives
(a number substituted inside quotes stays the string `"30"`). Values only the deploy knows (`!GetAtt`,
`!Ref`, parameters, dynamic references) become entries marked TODO, listed at the top of the env file and
printed. Literal role, type, logging, tracing, tags and name become the env's `aws:` settings; the others
are listed to fill in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable

from ..errors import SfncError
from ..load.cloudformation import Opaque, cfn_text, describe, extract, read_template, state_machines
from ..placeholders import Placeholder, segment
from .plan import EnvDraft, ImportPlan, placeholder_name, set_path

_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")


def _rewrite(node: Any, rename: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: _rewrite(v, rename) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite(v, rename) for v in node]
    if isinstance(node, str) and "${" in node:
        return _PLACEHOLDER.sub(lambda m: "${" + rename[m.group(1)] + "}" if m.group(1) in rename
                                else "$${" + m.group(1) + "}", node)
    return node


def _usages(node: Any, out: dict[str, set[str]]) -> None:
    """name -> kinds of places it stands: whole (a whole string), text (inside a string), jsonata (bare,
    inside {% %}), literal (inside a JSONata string literal)."""
    if isinstance(node, dict):
        for v in node.values():
            _usages(v, out)
    elif isinstance(node, list):
        for v in node:
            _usages(v, out)
    elif isinstance(node, str) and "${" in node:
        try:
            seg = segment(node)
        except Exception:
            return
        if seg is None:
            return
        whole = len(seg.parts) == 1 and isinstance(seg.parts[0], Placeholder)
        for p in seg.placeholders:
            kind = "whole" if whole and not p.in_jsonata else "literal" if p.quote else "jsonata" if p.in_jsonata else "text"
            out.setdefault(p.expr, set()).add(kind)


def _typed(value: Any, kinds: set[str], unquoted: bool) -> Any:
    """The env value that makes sfnc render what CloudFormation's text substitution gives."""
    text = cfn_text(value)
    if unquoted or "jsonata" in kinds:       # the raw text is JSON (a number, a boolean): keep its type
        try:
            return json.loads(text)
        except ValueError:
            return text
    if "whole" in kinds:                     # inside quotes: always a string
        return text
    return value


def _aws_settings(m, per_template: dict[str, Any], todos: dict[str, str]) -> None:
    """The literal deploy settings of a machine, in env-file form; `todos`: setting -> what to fill in."""
    props = m.properties

    def literal(v: Any) -> bool:
        return isinstance(v, (str, int, float, bool)) and not (isinstance(v, str) and "{{resolve:" in v)

    def todo(key: str, v: Any) -> None:
        todos[key] = describe(v)

    role = props.get("Role") if m.sam else props.get("RoleArn")
    if role is not None:
        per_template["role_arn"] = role if literal(role) else todo("role_arn", role)
    if m.machine_type:
        per_template["type"] = m.machine_type
    logging = props.get("Logging" if m.sam else "LoggingConfiguration")
    if isinstance(logging, dict):
        out: dict[str, Any] = {}
        if literal(logging.get("Level")):
            out["level"] = str(logging["Level"]).upper()
        if isinstance(logging.get("IncludeExecutionData"), bool):
            out["include_execution_data"] = logging["IncludeExecutionData"]
        for dest in logging.get("Destinations") or []:
            arn = ((dest or {}).get("CloudWatchLogsLogGroup") or {}).get("LogGroupArn") if isinstance(dest, dict) else None
            if arn is not None:
                if literal(arn):
                    out["log_group_arn"] = arn
                else:
                    todo("logging.log_group_arn", arn)
        if out:
            per_template["logging"] = out
    tracing = props.get("Tracing" if m.sam else "TracingConfiguration")
    if isinstance(tracing, dict) and isinstance(tracing.get("Enabled"), bool):
        per_template["tracing"] = tracing["Enabled"]
    tags = props.get("Tags")
    pairs = tags.items() if isinstance(tags, dict) else (
        ((t.get("Key"), t.get("Value")) for t in tags if isinstance(t, dict)) if isinstance(tags, list) else ())
    lit_tags = {str(k): v for k, v in pairs if literal(k) and literal(v)}
    if lit_tags:
        per_template["tags"] = lit_tags
    name = m.name
    if name:
        per_template["name"] = name
    elif (props.get("Name" if m.sam else "StateMachineName")) is not None:
        todo("name", props.get("Name" if m.sam else "StateMachineName"))


def plan_from_template(path: Path, display: Callable[[Path], str], *, env: str, roots: list[Path]) -> ImportPlan:
    shown = display(path)
    tpl = read_template(path, shown)
    if tpl is None:
        raise SfncError("not a CloudFormation template (no Resources)", file=shown)
    machines = state_machines(tpl)
    if not machines:
        raise SfncError("the template has no AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine",
                        file=shown)
    plan = ImportPlan(f"{shown} ({tpl.kind})")
    draft = EnvDraft(env)
    plan.envs[env] = draft
    plan.expected[env] = {}
    per_template: dict[str, dict[str, Any]] = {}
    per_todo: dict[str, dict[str, str]] = {}
    taken: dict[str, tuple[Any, str | None]] = {}
    for m in machines:
        keep = extract(m, roots=roots, display=display, substitute=False)
        full = extract(m, roots=roots, display=display, substitute=True)
        for p in keep.problems:
            plan.notes.append(p.format())
        if keep.skipped or keep.document is None:
            why = keep.skipped or (keep.parse_error.format() if keep.parse_error else "it could not be read")
            plan.notes.append(f"{m.logical_id}: not imported: {why}")
            continue
        stem = m.logical_id
        names = set(keep.opaque) | {k for k in keep.substitutions}
        rename = {n: placeholder_name(n) for n in names}
        usages: dict[str, set[str]] = {}
        _usages(keep.document.data, usages)
        planned: dict[str, tuple[Any, str | None]] = {}      # name -> (env value, TODO description)
        for name in sorted(keep.opaque):
            value = keep.substitutions.get(name)
            if value is not None and not isinstance(value, Opaque):
                planned[name] = (_typed(value, usages.get(name, set()), name in keep.quoted), None)
            else:
                what = value.expr if isinstance(value, Opaque) else keep.sources.get(name, name)
                planned[name] = (f"TODO: {what}", what)
        for name, (value, what) in planned.items():
            path = rename[name]
            if path in taken and taken[path] != (value, what):    # the same name with another value in another machine
                path = rename[name] = f"{placeholder_name(stem).replace('.', '_')}.{path}"
            taken[path] = (value, what)
            set_path(draft.values, path, value)
            if what is not None:
                draft.todo_values[path] = what
                draft.sentinels[path] = name
        plan.templates[stem] = _rewrite(keep.document.data, rename)
        settings: dict[str, Any] = {}
        todos: dict[str, str] = {}
        _aws_settings(m, settings, todos)
        per_template[stem] = {k: v for k, v in settings.items() if v is not None}
        per_todo[stem] = todos
        plan.expected[env][stem] = full.document.data if full.document is not None else None
    _hoist(draft, per_template, per_todo)
    if not plan.templates:
        raise SfncError("no state machine of the template could be imported", file=shown,
                        hint="; ".join(plan.notes) or None)
    return plan


def _hoist(draft: EnvDraft, per_template: dict[str, dict[str, Any]], per_todo: dict[str, dict[str, str]]) -> None:
    """Settings every template shares go to `aws:`; the rest to `aws.templates.<stem>`."""
    stems = list(per_template)
    keys = {k for t in per_todo.values() for k in t}
    for key in sorted(keys):
        whats = {per_todo[s].get(key) for s in stems}
        if len(whats) == 1:
            draft.todo_aws.append(f"{key}: {whats.pop()}")
        else:
            draft.todo_aws += [f"templates.{s}.{key}: {per_todo[s][key]}" for s in stems if key in per_todo[s]]
    shared: dict[str, Any] = {}
    for key in ("role_arn", "type", "logging", "tracing", "tags"):
        vals = [json.dumps(per_template[s].get(key), sort_keys=True) for s in stems]
        if all(key in per_template[s] for s in stems) and len(set(vals)) == 1:
            shared[key] = per_template[stems[0]][key]
    draft.aws.update(shared)
    overrides = {}
    for s in stems:
        rest = {k: v for k, v in per_template[s].items() if k not in shared}
        if rest:
            overrides[s] = rest
    if overrides:
        draft.aws["templates"] = overrides
