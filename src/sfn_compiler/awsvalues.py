"""Env values that live in AWS: SSM parameters and CloudFormation stack outputs, pinned in a lock file.

In an env file a value may be

    values:
      table: {ssm: /ndr/${env}/table-name}                        # SSM GetParameter (String, StringList)
      queue: {stack_output: {stack: ndr-${env}-core, output: QueueUrl}}   # DescribeStacks -> Outputs

(`${env}` in the path or names is the env's name.) `sfnc lock --env ENV` resolves them through boto3 with
the env's `aws.region`, `aws.profile` and (for a local env) `aws.endpoint_url`, once per distinct
reference per run, and writes `envs/<env>.lock.json` atomically. Every other command (render, validate,
test, diff, deploy) reads the values from the lock file and never calls AWS for them, so
`render --check` is deterministic and works in CI without credentials, and a value that changed in AWS
shows up as a reviewed change of the lock file. `sfnc lock --check` compares AWS with the lock file
(exit 1 when they differ) for a pipeline that has credentials, before a deploy.

Secrets are refused: `{secretsmanager: ...}`, `{{resolve:secretsmanager:...}}` and SSM SecureString
parameters would put the secret in the definition, readable by anyone who can describe the machine.
Step Functions reads secrets at run time instead (a Task with
`arn:aws:states:::aws-sdk:secretsmanager:getSecretValue`).

This module imports nothing heavy: boto3 is imported only by `resolve`, i.e. by `sfnc lock`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem, SfncError
from .load.pointer import escape_token

LOCK_VERSION = 1
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


def find_refs(values: Any, env: str, origins: dict, pointer: str = "/values") -> tuple[list[Ref], list[Problem]]:
    from .envconfig import _problem_at

    refs: list[Ref] = []
    problems: list[Problem] = []

    def walk(node: Any, ptr: str) -> None:
        if _is_ref(node):
            kind, spec = next(iter(node.items()))
            if kind in _SECRET_KEYS:
                problems.append(_problem_at(origins, ptr, "a secret is never rendered into a definition: "
                                            f"{kind} values are refused", SECRET_HINT, env))
            elif kind == "ssm" and isinstance(spec, str) and spec.strip():
                refs.append(Ref("ssm", spec.replace("${env}", env), ptr))
            elif kind == "stack_output" and isinstance(spec, dict) and set(spec) == {"stack", "output"} \
                    and all(isinstance(v, str) and v for v in spec.values()):
                refs.append(Ref("stack_output", f"{spec['stack'].replace('${env}', env)}/"
                                                f"{spec['output'].replace('${env}', env)}", ptr))
            else:
                problems.append(_problem_at(origins, ptr, f"{kind}: expected "
                                            + ("a parameter name: {ssm: /path/name}" if kind == "ssm" else
                                               "{stack_output: {stack: NAME, output: KEY}}"), None, env))
            return
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{ptr}/{escape_token(k)}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{ptr}/{i}")
        elif isinstance(node, str) and ("{{resolve:secretsmanager:" in node or "{{resolve:ssm-secure:" in node):
            problems.append(_problem_at(origins, ptr, "a secret is never rendered into a definition: CloudFormation "
                                        "secret dynamic references are refused", SECRET_HINT, env))

    walk(values, pointer)
    return refs, problems


def lock_path(project, env: str) -> Path:
    return project.envs_dir / f"{env}.lock.json"


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


def apply_lock(project, env: str, values: dict[str, Any], origins: dict) -> dict[str, Any]:
    """The values with every AWS reference replaced by its locked value (no AWS call)."""
    import copy

    refs, problems = find_refs(values, env, origins)
    if problems:
        raise SfncError(problems)
    if not refs:
        return values
    path = lock_path(project, env)
    shown = project.display(path)
    locked = read_lock(path, shown)
    from .envconfig import _problem_at

    out = copy.deepcopy(values)
    for ref in refs:
        entry = locked.get(ref.key)
        if not isinstance(entry, dict) or "value" not in entry:
            problems.append(_problem_at(origins, ref.pointer, f"the value of {ref.describe()} is not in {shown}",
                                        f"run `sfnc lock --env {env}` (it reads AWS with the env's credentials) "
                                        "and commit the lock file", env))
            continue
        _replace(out, ref.pointer, entry["value"])
    if problems:
        raise SfncError(problems)
    return out


def refs_of_env(project, env: str) -> tuple[list[Ref], dict[str, Any]]:
    """The references of an env (after layering) and its aws settings, without resolving anything."""
    from .envconfig import _chain, _record_origins, deep_merge

    merged: dict[str, Any] = {}
    origins: dict = {}
    for doc in _chain(project, env):
        layer = {k: v for k, v in doc.data.items() if k != "extends"}
        merged = deep_merge(merged, layer)
        _record_origins(layer, "", doc, origins)
    refs, problems = find_refs(merged.get("values") or {}, env, origins)
    if problems:
        raise SfncError(problems)
    return refs, merged.get("aws") or {}


class Resolver:
    """Looks references up in AWS, once per (credentials, region, endpoint, reference) per run."""

    def __init__(self) -> None:
        self.cache: dict[tuple, Any] = {}
        self.sessions: dict[tuple, Any] = {}
        self.calls = 0

    def _client(self, service: str, aws: dict[str, Any]):
        import boto3
        from botocore.config import Config

        from .deploy.target import is_loopback

        endpoint = aws.get("endpoint_url")
        local = is_loopback(endpoint)
        key = (aws.get("profile"), aws.get("region"), endpoint if local else None)
        session = self.sessions.get(key)
        if session is None:
            if local:
                session = boto3.session.Session(region_name=aws.get("region") or "us-east-1",
                                                aws_access_key_id="testing", aws_secret_access_key="testing")
            else:
                session = boto3.session.Session(profile_name=aws.get("profile"), region_name=aws.get("region"))
            self.sessions[key] = session
        return session.client(service, endpoint_url=endpoint if local else None,
                              config=Config(retries={"mode": "standard", "max_attempts": 5}))

    def resolve(self, ref: Ref, aws: dict[str, Any]) -> Any:
        key = (aws.get("profile"), aws.get("region"), aws.get("endpoint_url"), ref.key)
        if key in self.cache:
            return self.cache[key]
        value = self._lookup(ref, aws)
        self.cache[key] = value
        return value

    def _lookup(self, ref: Ref, aws: dict[str, Any]) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        self.calls += 1
        try:
            if ref.kind == "ssm":
                param = self._client("ssm", aws).get_parameter(Name=ref.name, WithDecryption=False)["Parameter"]
                if param.get("Type") == "SecureString":
                    raise SfncError(f"{ref.describe()} is a SecureString: a secret is never rendered into a definition",
                                    hint=SECRET_HINT)
                return param["Value"]
            stack, output = ref.name.split("/", 1)
            stacks = self._client("cloudformation", aws).describe_stacks(StackName=stack)["Stacks"]
            for out in (stacks[0].get("Outputs") or []) if stacks else []:
                if out.get("OutputKey") == output:
                    return out.get("OutputValue")
            known = ", ".join(o.get("OutputKey", "") for o in (stacks[0].get("Outputs") or [])) if stacks else ""
            raise SfncError(f"stack {stack} has no output {output}", hint=f"its outputs: {known or 'none'}")
        except NoCredentialsError:
            raise SfncError(f"{ref.describe()}: no AWS credentials",
                            hint="set aws.profile in the env file or export AWS_PROFILE") from None
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise SfncError(f"{ref.describe()}: {err.get('Code')}: {err.get('Message')}") from None
        except BotoCoreError as exc:
            raise SfncError(f"{ref.describe()}: {exc}") from None


def lock_text(env: str, values: dict[str, Any]) -> str:
    entries = {k: {"value": values[k]} for k in sorted(values)}
    return json.dumps({"version": LOCK_VERSION, "env": env, "values": entries}, indent=2, ensure_ascii=False) + "\n"


def resolve_env(project, env: str, resolver: Resolver) -> tuple[dict[str, Any], list[Problem]]:
    """Every reference of `env` looked up in AWS: key -> value, and the problems."""
    refs, aws = refs_of_env(project, env)
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for ref in refs:
        if ref.key in out:
            continue
        try:
            out[ref.key] = resolver.resolve(ref, aws)
        except SfncError as exc:
            problems.extend(Problem(p.message, p.file, p.line, p.column, ref.pointer, env, p.hint)
                            for p in exc.problems)
    return out, problems
