"""Env values that live in AWS: SSM parameters and CloudFormation stack outputs, pinned in a lock file.

In an env file a value may be

    values:
      table: {ssm: /ndr/${env}/table-name}                        # SSM GetParameter (String, StringList)
      queue: {stack_output: {stack: ndr-${env}-core, output: QueueUrl}}   # DescribeStacks -> Outputs

(`${env}` in the path or names is the env's name.) `sfnc lock --env ENV` resolves them through boto3 with
the env's `aws.region`, `aws.profile` and (for a local env) `aws.endpoint_url`, once per distinct
reference per run, and writes `envs/<env>.lock.json` atomically (`deploy.lock`). Every other command
(render, validate, test, diff) reads the values from the lock file and never calls AWS for them, so
`render --check` is deterministic and works in CI without credentials, and a value that changed in AWS
shows up as a reviewed change of the lock file. `sfnc lock --check` compares AWS with the lock file
(exit 1 when they differ), and `sfnc deploy` runs that check itself and refuses a stale lock.

Secrets are refused: `{secretsmanager: ...}`, `{{resolve:secretsmanager:...}}` and SSM SecureString
parameters would put the secret in the definition, readable by anyone who can describe the machine.
Step Functions reads secrets at run time instead (a Task with
`arn:aws:states:::aws-sdk:secretsmanager:getSecretValue`).

This module is what `envconfig` needs (find the references, read the lock file) and imports nothing
heavy; looking the values up in AWS is `deploy.lock`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .diagnostics import Diagnostic
from .errors import SfncError
from .load.pointer import escape_token

LOCK_VERSION = 1
# (pointer, message, hint) -> a Diagnostic at the env file line that set the pointer
At = Callable[[str, str, "str | None"], Diagnostic]
SECRET_HINT = ("Step Functions reads secrets at run time: a Task state with Resource "
               "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue and Arguments {\"SecretId\": <secret ARN>} "
               "(put the ARN, not the secret, in the env file), or let the service you call read it")
_REF_KEYS = ("ssm", "stack_output")
_SECRET_KEYS = ("secretsmanager", "secrets_manager", "secret")


@dataclass(frozen=True)
class Ref:
    kind: str          # ssm | stack_output
    name: str          # parameter name, or "stack/output"
    pointer: str       # where it is in the env: /values/a/b

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.name}"

    def describe(self) -> str:
        if self.kind == "ssm":
            return f"SSM parameter {self.name}"
        stack, output = self.name.split("/", 1)
        return f"output {output} of stack {stack}"


def _is_ref(node: Any) -> bool:
    return isinstance(node, dict) and len(node) == 1 and next(iter(node)) in _REF_KEYS + _SECRET_KEYS


def has_refs(values: Any) -> bool:
    """Cheap: is there anything to look up (or refuse)?"""
    if _is_ref(values):
        return True
    if isinstance(values, dict):
        return any(has_refs(v) for v in values.values())
    if isinstance(values, list):
        return any(has_refs(v) for v in values)
    return isinstance(values, str) and "{{resolve:" in values


def find_refs(values: Any, env: str, at: At, pointer: str = "/values") -> tuple[list[Ref], list[Diagnostic]]:
    """The references under `values` (and the refused or malformed ones, as problems located by `at`)."""
    refs: list[Ref] = []
    problems: list[Diagnostic] = []

    def walk(node: Any, ptr: str) -> None:
        if _is_ref(node):
            kind, spec = next(iter(node.items()))
            if kind in _SECRET_KEYS:
                problems.append(at(ptr, "a secret is never rendered into a definition: "
                                   f"{kind} values are refused", SECRET_HINT))
            elif kind == "ssm" and isinstance(spec, str) and spec.strip():
                refs.append(Ref("ssm", spec.replace("${env}", env), ptr))
            elif kind == "stack_output" and isinstance(spec, dict) and set(spec) == {"stack", "output"} \
                    and all(isinstance(v, str) and v for v in spec.values()):
                refs.append(Ref("stack_output", f"{spec['stack'].replace('${env}', env)}/"
                                                f"{spec['output'].replace('${env}', env)}", ptr))
            else:
                problems.append(at(ptr, f"{kind}: expected "
                                   + ("a parameter name: {ssm: /path/name}" if kind == "ssm" else
                                      "{stack_output: {stack: NAME, output: KEY}}"), None))
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{ptr}/{escape_token(k)}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{ptr}/{i}")
        elif isinstance(node, str) and ("{{resolve:secretsmanager:" in node or "{{resolve:ssm-secure:" in node):
            problems.append(at(ptr, "a secret is never rendered into a definition: CloudFormation "
                               "secret dynamic references are refused", SECRET_HINT))

    walk(values, pointer)
    return refs, problems


def lock_path(project, env: str) -> Path:
    """`envs/<env>.lock.json` (`env` a plain env name: never a path)."""
    from .project import check_env_name

    return project.envs_dir / f"{check_env_name(env)}.lock.json"


def read_lock(path: Path, display: str) -> dict[str, Any]:
    if not path.is_file():
        return {}
    from .load import load_json_file

    doc = load_json_file(path, display)
    data = doc.data
    if not isinstance(data, dict) or data.get("version") != LOCK_VERSION or not isinstance(data.get("values"), dict):
        raise SfncError(f"not an sfnc lock file (version {LOCK_VERSION})", file=display,
                        hint="delete it and run `sfnc lock` again")
    return data["values"]


def _replace(values: dict[str, Any], pointer: str, value: Any) -> dict[str, Any]:
    from .load.pointer import split_pointer

    parts = split_pointer(pointer)[1:]           # drop "values"
    node: Any = values
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return values


def apply_lock(project, env: str, values: dict[str, Any], at: At, *,
               locked: bool = True) -> tuple[dict[str, Any], list[Ref]]:
    """The values with every AWS reference replaced by its value in the lock file (no AWS call), and the
    references. `locked=False` (for `sfnc lock` itself, which is about to look them up) puts a marker text
    in place of each instead and does not read the lock file."""
    import copy

    refs, problems = find_refs(values, env, at)
    if problems:
        raise SfncError(problems)
    if not refs:
        return values, refs
    path = lock_path(project, env)
    shown = project.display(path)
    if locked:
        project.check_inside(path, project.envs_dir, "lock file")
    locked_values = read_lock(path, shown) if locked else {}
    out = copy.deepcopy(values)
    for ref in refs:
        if not locked:
            _replace(out, ref.pointer, f"<{ref.describe()}>")
            continue
        entry = locked_values.get(ref.key)
        if not isinstance(entry, dict) or "value" not in entry:
            problems.append(at(ref.pointer, f"the value of {ref.describe()} is not in {shown}",
                               f"run `sfnc lock --env {env}` (it reads AWS with the env's credentials) "
                               "and commit the lock file"))
            continue
        _replace(out, ref.pointer, entry["value"])
    if problems:
        raise SfncError(problems)
    return out, refs


def lock_text(env: str, values: dict[str, Any]) -> str:
    """The lock file for `values` (reference key -> value): stable, sorted, one entry per reference."""
    entries = {k: {"value": values[k]} for k in sorted(values)}
    return json.dumps({"version": LOCK_VERSION, "env": env, "values": entries}, indent=2, ensure_ascii=False) + "\n"


def stale_keys(locked: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The references whose value in AWS (`current`) differs from the lock file's (`locked`, as read by
    `read_lock`), or that only one of them has."""
    return sorted(k for k in set(current) | set(locked)
                  if k not in current or k not in locked or not isinstance(locked[k], dict)
                  or locked[k].get("value") != current[k])
