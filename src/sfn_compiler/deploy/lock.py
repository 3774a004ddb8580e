"""Env values that live in AWS, looked up: `sfnc lock` writes them to `envs/<env>.lock.json`, `sfnc lock
--check` and `sfnc deploy` compare AWS with that file (`awsvalues` reads it for every other command).

Each distinct reference is looked up once per run and per (profile, region, endpoint), with the env's
own aws settings (`aws_session`, as deploy uses): SSM GetParameter (a SecureString is refused: secrets are
never rendered into a definition) and CloudFormation DescribeStacks outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..awsvalues import SECRET_HINT, Ref, lock_path, lock_text, read_lock, stale_keys
from ..diagnostics import Diagnostic, problem
from ..errors import SfncError
from .client import AwsError, aws_session, is_loopback


class Resolver:
    """Looks references up in AWS, once per (credentials, region, endpoint, reference) per run."""

    def __init__(self) -> None:
        self.cache: dict[tuple, Any] = {}
        self.clients: dict[tuple, Any] = {}
        self.calls = 0

    def _client(self, service: str, aws: dict[str, Any]):
        endpoint = aws.get("endpoint_url")
        local = is_loopback(endpoint)
        key = (service, aws.get("profile"), aws.get("region"), endpoint if local else None)
        if key not in self.clients:
            session, config = aws_session(aws, local=local)
            self.clients[key] = session.client(service, endpoint_url=endpoint if local else None, config=config)
        return self.clients[key]

    def resolve(self, ref: Ref, aws: dict[str, Any]) -> Any:
        key = (aws.get("profile"), aws.get("region"), aws.get("endpoint_url"), ref.key)
        if key not in self.cache:
            self.cache[key] = self._lookup(ref, aws)
        return self.cache[key]

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
            outputs = (stacks[0].get("Outputs") or []) if stacks else []
            for out in outputs:
                if out.get("OutputKey") == output:
                    return out.get("OutputValue")
            known = ", ".join(o.get("OutputKey", "") for o in outputs)
            raise SfncError(f"stack {stack} has no output {output}", hint=f"its outputs: {known or 'none'}")
        except AwsError as exc:
            raise SfncError(f"{ref.describe()}: {exc.message}", hint=exc.hint) from None
        except NoCredentialsError:
            raise SfncError(f"{ref.describe()}: no AWS credentials",
                            hint="set aws.profile in the env file or export AWS_PROFILE") from None
        except ClientError as exc:
            err = exc.response.get("Error", {})
            raise SfncError(f"{ref.describe()}: {err.get('Code')}: {err.get('Message')}") from None
        except BotoCoreError as exc:
            raise SfncError(f"{ref.describe()}: {exc}") from None


def resolve_refs(envcfg, resolver: Resolver) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Every reference of the env looked up in AWS (reference key -> value), and the problems (each at the
    env file line that holds the reference)."""
    out: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for ref in envcfg.aws_refs:
        if ref.key in out:
            continue
        try:
            out[ref.key] = resolver.resolve(ref, envcfg.aws)
        except SfncError as exc:
            origin = envcfg.origin(ref.pointer)
            problems.extend(Diagnostic(p.message, p.severity, p.span or origin, ref.pointer, envcfg.name, p.hint)
                            for p in exc.problems)
    return out, problems


@dataclass
class EnvLock:
    """One env of `sfnc lock`."""

    env: str
    lock_file: str                     # display path of envs/<env>.lock.json
    refs: int = 0                      # distinct references
    stale: list[str] = field(default_factory=list)    # reference keys whose lock entry differs from AWS
    written: bool = False
    problems: list[Diagnostic] = field(default_factory=list)
    exists: bool = False


def lock_env(project, name: str, resolver: Resolver, *, check: bool = False) -> EnvLock:
    """Look the env's references up and write its lock file (unless unchanged); with `check` only compare."""
    from ..envconfig import load_env
    from ..fsutil import write_file

    envcfg = load_env(project, name, locked=False)
    path = lock_path(project, name)
    out = EnvLock(name, project.display(path), len({r.key for r in envcfg.aws_refs}), exists=path.exists())
    if not envcfg.aws_refs:
        return out
    values, out.problems = resolve_refs(envcfg, resolver)
    if out.problems:
        return out
    locked = read_lock(path, out.lock_file) if out.exists else {}
    out.stale = stale_keys(locked, values)
    if out.stale and not check:
        write_file(path, lock_text(name, values), display=out.lock_file, what="the lock file")
        out.written = True
    return out


def stale_lock_problems(project, envcfg, resolver: Resolver | None = None) -> list[Diagnostic]:
    """For deploy: a problem when the env's lock file no longer matches AWS (the rendered definitions hold
    old values). An env without values from AWS needs no lookup and gets none; a lookup that fails raises
    SfncError (exit 2)."""
    if not envcfg.aws_refs:
        return []
    resolver = resolver or Resolver()
    values, problems = resolve_refs(envcfg, resolver)
    if problems:
        raise SfncError(problems)
    path = lock_path(project, envcfg.name)
    shown = project.display(path)
    stale = stale_keys(read_lock(path, shown), values)
    if not stale:
        return []
    refs = {r.key: r for r in envcfg.aws_refs}
    return [problem(f"{shown} is stale: {', '.join(refs[k].describe() if k in refs else k for k in stale)} "
                    "changed in AWS since it was locked", file=shown, env=envcfg.name,
                    hint=f"run `sfnc lock --env {envcfg.name}`, review and commit the lock file and the "
                         f"re-rendered definitions (`sfnc render --env {envcfg.name}`), then deploy again")]
