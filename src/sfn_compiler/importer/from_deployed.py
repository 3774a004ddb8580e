"""`sfnc import --env dev --prefix app-dev- --env prod --prefix app-prod-`: deployed machines -> one
template per machine and one env file per env.

Machines are found per env by name prefix (a paginated ListStateMachines) or by ARN, and matched across
envs by their name without the prefix (the template stem). Their definitions become one template:

- what is equal in every env stays as it is;
- a string that differs only by the env's name, account id, region or name prefix becomes that string
  with `${env}`, `${account_id}`, `${region}` or `${name_prefix}` in it (not inside JSONata
  expressions, where a placeholder would be put in as a JSON literal);
- anything else that differs becomes a whole-value placeholder `${<stem>.<State>_<field>}` with each env's
  value (of any JSON type) in that env's file.

Each env's `aws:` settings come from DescribeStateMachine and ListTagsForResource: role, type, logging,
tracing, tags (env-wide when every machine of the env agrees, else per template), `name_prefix`,
`account_id` and `region` from the ARNs. Versions and aliases are not read (`publish`/`alias` are left
for you to set).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import problem
from ..errors import SfncError
from .plan import EnvDraft, ImportPlan, placeholder_name, set_path

_JSONATA = re.compile(r"^\{%.*%\}$", re.S)


@dataclass
class Source:
    env: str
    prefix: str = ""
    arns: list[str] = field(default_factory=list)
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None

    def settings(self) -> dict[str, Any]:
        return {k: v for k, v in {"region": self.region, "profile": self.profile,
                                  "endpoint_url": self.endpoint_url}.items() if v}


@dataclass
class Deployed:
    name: str
    arn: str
    definition: Any
    described: dict[str, Any]
    tags: dict[str, str]

    @property
    def account(self) -> str:
        return self.arn.split(":")[4]

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]


def read_env(client: Any, source: Source) -> dict[str, Deployed]:
    """stem -> deployed machine, for one env."""
    from ..deploy.client import AwsError

    arns = list(source.arns)
    try:
        if source.prefix and not source.arns:
            def scan() -> dict[str, Any]:
                found = []
                for page in client.sfn.get_paginator("list_state_machines").paginate():
                    found += [m["stateMachineArn"] for m in page.get("stateMachines", [])
                              if m.get("name", "").startswith(source.prefix)]
                return {"arns": found}

            arns = client._call("ListStateMachines", scan)["arns"]
        out: dict[str, Deployed] = {}
        for arn in arns:
            described = client.describe(arn)
            if described is None:
                raise SfncError(f"no state machine {arn}", env=source.env)
            name = described["name"]
            stem = name[len(source.prefix):] if source.prefix and name.startswith(source.prefix) else name
            try:
                definition = json.loads(described["definition"])
            except ValueError:
                raise SfncError(f"{name}: the deployed definition is not JSON", env=source.env) from None
            out[stem] = Deployed(name, described["stateMachineArn"], definition, described, client.tags(arn))
    except AwsError as exc:
        raise SfncError(problem(exc.message, env=source.env, hint=exc.hint)) from None
    return out


_TOKEN_SETS = [("env",), ("region",), ("account_id",), ("env", "region"), ("env", "account_id"),
               ("region", "account_id"), ("env", "region", "account_id"), ("name_prefix",),
               ("name_prefix", "region"), ("name_prefix", "account_id"), ("name_prefix", "region", "account_id")]


def _tokens(env: str, d: Deployed, prefix: str, names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(text, placeholder) pairs for the env-specific texts in `names`, longest first."""
    texts = {"name_prefix": prefix, "account_id": d.account, "region": d.region, "env": env}
    pairs = [(texts[n], "${" + n + "}") for n in names if texts[n]]
    return sorted(pairs, key=lambda tp: -len(tp[0]))


def _template_string(s: str, tokens: list[tuple[str, str]]) -> tuple[str, set[str]]:
    """`s` with env-specific texts replaced by placeholders (whole tokens only: `dev` in `ndr-dev-x`, not
    in `device`)."""
    used: set[str] = set()
    out = s.replace("${", "$${")
    for text, ph in tokens:
        pattern = re.compile(r"(?<![A-Za-z0-9])" + re.escape(text) + r"(?![A-Za-z0-9])") if text.isalnum() else \
            re.compile(re.escape(text))
        new = pattern.sub(lambda _: ph, out)
        if new != out:
            used.add(ph[2:-1])
            out = new
    return out, used


class _Unifier:
    def __init__(self, stem: str, envs: dict[str, tuple[Deployed, str]]) -> None:
        self.stem = stem
        self.envs = envs                       # env -> (deployed, prefix)
        self.values: dict[str, dict[str, Any]] = {e: {} for e in envs}   # env -> placeholder path -> value
        self.builtin: set[str] = set()         # account_id, region, name_prefix used
        self.names: set[str] = set()

    def name_for(self, pointer: list[str]) -> str:
        """`<stem>.<State>_<field>`: the innermost state's name and the last field name of the pointer."""
        state = next((pointer[i] for i in range(len(pointer) - 1, 0, -1) if pointer[i - 1] == "States"), None)
        fields = [p for p in pointer if not p.isdigit() and p != state]
        parts = [p for p in (state, fields[-1] if fields else None) if p]
        base = placeholder_name("_".join(parts) or "value").replace(".", "_")
        name, i = base, 2
        while name in self.names:
            name, i = f"{base}_{i}", i + 1
        self.names.add(name)
        return f"{placeholder_name(self.stem).replace('.', '_')}.{name}"

    def unify(self, nodes: dict[str, Any], pointer: list[str]) -> Any:
        first = next(iter(nodes.values()))
        canon = {json.dumps(n, sort_keys=True) for n in nodes.values()}
        if len(canon) == 1:
            return _escape(first)
        if all(isinstance(n, dict) for n in nodes.values()) and len({tuple(sorted(n)) for n in nodes.values()}) == 1:
            return {k: self.unify({e: n[k] for e, n in nodes.items()}, pointer + [k]) for k in first}
        if all(isinstance(n, list) for n in nodes.values()) and len({len(n) for n in nodes.values()}) == 1:
            return [self.unify({e: n[i] for e, n in nodes.items()}, pointer + [str(i)]) for i in range(len(first))]
        if all(isinstance(n, str) for n in nodes.values()) and not any(_JSONATA.match(n) for n in nodes.values()):
            for names in _TOKEN_SETS:      # the simplest explanation first: `ndr-${env}-locks`
                templated = {}
                used: set[str] = set()
                for env, s in nodes.items():
                    d, prefix = self.envs[env]
                    templated[env], u = _template_string(s, _tokens(env, d, prefix, names))
                    used |= u
                if len(set(templated.values())) == 1:
                    self.builtin |= used - {"env"}
                    return next(iter(templated.values()))
        path = self.name_for(pointer)
        for env, n in nodes.items():
            self.values[env][path] = n
        return "${" + path + "}"


def _escape(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _escape(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_escape(v) for v in node]
    if isinstance(node, str) and "${" in node:
        return node.replace("${", "$${")
    return node


def _settings(d: Deployed) -> dict[str, Any]:
    desc = d.described
    out: dict[str, Any] = {"role_arn": desc.get("roleArn"), "type": desc.get("type") or "STANDARD"}
    log = desc.get("loggingConfiguration") or {}
    level = log.get("level") or "OFF"
    if level != "OFF" or log.get("destinations"):
        logging: dict[str, Any] = {"level": level, "include_execution_data": bool(log.get("includeExecutionData"))}
        dests = [x.get("cloudWatchLogsLogGroup", {}).get("logGroupArn") for x in log.get("destinations") or []]
        if dests and dests[0]:
            logging["log_group_arn"] = dests[0]
        out["logging"] = logging
    out["tracing"] = bool((desc.get("tracingConfiguration") or {}).get("enabled"))
    out["tags"] = dict(sorted(d.tags.items()))
    return out


def connect(sources: list[Source]) -> dict[str, Any]:
    """A Step Functions client per env, from its region/profile/endpoint."""
    from ..deploy.client import AwsError, SfnClient

    clients = {}
    for s in sources:
        try:
            clients[s.env] = SfnClient.connect(s.settings())
        except AwsError as exc:
            if exc.code == "NoRegion":   # import takes the region from its options, not from an env file
                from ..check.remote import region_hint

                raise SfncError(f"no AWS region to import env {s.env!r} from", env=s.env,
                                hint=region_hint(option="--region REGION (one, or one per --env)")) from None
            raise SfncError(exc.message, env=s.env, hint=exc.hint) from None
    return clients


def plan_from_deployed(sources: list[Source], clients: dict[str, Any] | None = None) -> ImportPlan:
    """The import plan for `sources` (clients made from each source's settings unless given)."""
    clients = clients if clients is not None else connect(sources)
    per_env: dict[str, dict[str, Deployed]] = {}
    for s in sources:
        per_env[s.env] = read_env(clients[s.env], s)
        if not per_env[s.env]:
            raise SfncError(f"env {s.env}: no state machine " + (f"named {s.prefix}*" if s.prefix else "found"),
                            hint="check --prefix, --region and the credentials (--profile)")
    prefixes = {s.env: s.prefix for s in sources}
    plan = ImportPlan("deployed state machines (" + ", ".join(
        f"{s.env}: {s.prefix + '*' if s.prefix and not s.arns else ', '.join(s.arns)}" for s in sources) + ")")
    stems = sorted({stem for machines in per_env.values() for stem in machines})
    drafts = {s.env: EnvDraft(s.env) for s in sources}
    per_template: dict[str, dict[str, dict[str, Any]]] = {e: {} for e in drafts}
    builtin: set[str] = set()
    for stem in stems:
        present = {e: (per_env[e][stem], prefixes[e]) for e in per_env if stem in per_env[e]}
        u = _Unifier(stem, present)
        plan.templates[stem] = u.unify({e: d.definition for e, (d, _) in present.items()}, [])
        builtin |= u.builtin
        donor = next(iter(present))
        for env, draft in drafts.items():
            src = env if env in present else donor
            for path, value in u.values[src].items():
                set_path(draft.values, path, value)
            if env in present:
                per_template[env][stem] = _settings(present[env][0])
                plan.expected.setdefault(env, {})[stem] = present[env][0].definition
            else:
                per_template[env][stem] = {"skip": True}
                plan.notes.append(f"{stem}: not deployed in env {env}: aws.templates.{stem}.skip is set there")
    for s in sources:
        draft = drafts[s.env]
        machines = per_env[s.env]
        any_machine = next(iter(machines.values()))
        if "account_id" in builtin:
            draft.values["account_id"] = any_machine.account
        if "region" in builtin:
            draft.values["region"] = any_machine.region
        if "name_prefix" in builtin:
            draft.values["name_prefix"] = s.prefix
        aws: dict[str, Any] = {"account_id": any_machine.account, "region": any_machine.region}
        if s.endpoint_url:
            aws["endpoint_url"] = s.endpoint_url
        if s.profile:
            aws["profile"] = s.profile
        if s.prefix:
            aws["name_prefix"] = s.prefix
        settings = per_template[s.env]
        deployed = [st for st in settings if not settings[st].get("skip")]
        for key in ("role_arn", "type", "logging", "tracing", "tags"):
            vals = {json.dumps(settings[st].get(key), sort_keys=True) for st in deployed}
            if len(vals) == 1 and settings[deployed[0]].get(key) is not None:
                aws[key] = settings[deployed[0]][key]
        overrides: dict[str, Any] = {}
        for st, conf in settings.items():
            rest = {k: v for k, v in conf.items() if k not in aws and v is not None}
            name = machines[st].name if st in machines else None
            if name is not None and name != f"{s.prefix}{st}":
                rest["name"] = name
            if rest:
                overrides[st] = rest
        if overrides:
            aws["templates"] = overrides
        draft.aws = aws
        plan.envs[s.env] = draft
    plan.notes.append("versions and aliases are not imported: set aws.publish / aws.alias if you use them")
    return plan
