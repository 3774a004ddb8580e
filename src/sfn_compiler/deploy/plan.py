"""Describe the deployed machine and decide: create, update or unchanged.

The definition is compared as parsed JSON, never as text: both sides are `json.loads`-ed and dumped
canonically (`indent=2, sort_keys=True`), so key order and whitespace do not count while `1`, `1.0`
and `true` stay different. The unified diff is of those canonical dumps. The configuration compared is
the role, logging and tracing; tags (when `aws.tags` is set) and the alias are planned as well.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from .client import AwsError, SfnClient
from .target import AliasSpec, Target, normalize_logging


def canonical(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def canonical_text(text: str) -> str:
    """Canonical form of a JSON text (the text itself, newline-terminated, when it is not JSON)."""
    try:
        return canonical(json.loads(text))
    except (TypeError, ValueError):
        return text if text.endswith("\n") else text + "\n"


def unified(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name))


def version_number(version_arn: str | None) -> str | None:
    if not version_arn:
        return None
    tail = version_arn.rsplit(":", 1)[-1]
    return tail if tail.isdigit() else None


def _vnum(route: dict[str, Any]) -> int:
    return int(version_number(route.get("stateMachineVersionArn")) or 0)


def stable_route(routing: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The route carrying most traffic (the older version on a tie)."""
    if not routing:
        return None
    return max(routing, key=lambda r: (r.get("weight", 0), -_vnum(r)))


def canary_route(routing: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest version among the routes."""
    return max(routing, key=_vnum) if routing else None


def deployed_config(described: dict[str, Any]) -> dict[str, Any]:
    return {"roleArn": described.get("roleArn"),
            "loggingConfiguration": normalize_logging(described.get("loggingConfiguration")),
            "tracingConfiguration": {"enabled": bool((described.get("tracingConfiguration") or {}).get("enabled"))}}


# PublishStateMachineVersion's revisionId for a machine that has had no update since its creation (AWS
# assigns a revisionId on the first update; DescribeStateMachine shows none before)
INITIAL_REVISION = "INITIAL"


def matches_target(described: dict[str, Any] | None, target: Target) -> bool:
    """A described machine or version holds exactly the target's definition (as parsed JSON) and config."""
    if described is None:
        return False
    return (canonical_text(described.get("definition") or "") == canonical_text(target.definition)
            and deployed_config(described) == target.config.comparable())


def snapshot(described: dict[str, Any] | None) -> Any:
    """What must not change between the plan and the update (the concurrent-change check). With a
    `revisionId` (real AWS) it is the revision; without one (moto) the definition and configuration."""
    if described is None:
        return None
    if described.get("revisionId"):
        return ("revision", described["revisionId"])
    return ("content", described.get("definition"), json.dumps(deployed_config(described), sort_keys=True),
            described.get("status"))


@dataclass
class AliasPlan:
    spec: AliasSpec
    arn: str | None                       # machine ARN + ":" + alias name (None until the machine exists)
    exists: bool
    routing: list[dict[str, Any]] = field(default_factory=list)   # current routing
    description: str | None = None        # current description
    action: str | None = None             # create | move | promote | reweight | describe | None
    new_routing: list[dict[str, Any]] | None = None   # promote/reweight: known at plan time
    needs_version: bool = False           # no new version from this deploy: publish the current revision
    version_arn: str | None = None        # create/move to this version, published already (an interrupted deploy)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for `sfnc diff`."""
        name = self.spec.name
        if not self.exists:
            return f"alias {name}: missing"
        if self.action == "move" and self.version_arn:
            return (f"alias {name}: moves to v{version_number(self.version_arn)}, published already "
                    f"(now {self.describe_routing()})")
        if self.action == "move":
            return f"alias {name}: moves to the new version (now {self.describe_routing()})"
        if self.action in ("promote", "reweight"):
            return f"alias {name}: {self.describe_routing()} -> {self.describe_routing(self.new_routing)} ({self.action})"
        if self.action == "describe":
            return f"alias {name}: description {self.description!r} -> {self.spec.description!r}"
        return f"alias {name}: {self.describe_routing()}"

    def describe_routing(self, routing: list[dict[str, Any]] | None = None) -> str:
        routing = self.routing if routing is None else routing
        return " / ".join(f"v{version_number(r['stateMachineVersionArn'])} {r['weight']}%" for r in routing) or "-"


@dataclass
class Plan:
    target: Target
    action: str                               # create | update | unchanged
    arn: str | None
    deployed: dict[str, Any] | None = None
    definition_diff: str = ""
    config_changes: list[str] = field(default_factory=list)
    tags_add: dict[str, str] = field(default_factory=dict)
    tags_remove: list[str] = field(default_factory=list)
    alias: AliasPlan | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.action != "unchanged"

    @property
    def update_machine(self) -> bool:
        return self.action == "update" and bool(self.definition_diff or self.config_changes)

    @property
    def revision(self) -> str:
        """The revision the plan compared (PublishStateMachineVersion publishes only that one)."""
        return (self.deployed or {}).get("revisionId") or INITIAL_REVISION

    @property
    def current_version(self) -> str | None:
        """The newest version the alias routes to (for a machine this deploy does not publish)."""
        if self.alias and self.alias.routing:
            route = canary_route(self.alias.routing)
            return version_number(route["stateMachineVersionArn"]) if route else None
        return None

    def steps(self) -> list[str]:
        """The calls an apply would make, in order (for --dry-run and the confirmation)."""
        cfg = self.target.config
        out: list[str] = []
        publish = " (publish a version)" if cfg.publish else ""
        if self.action == "create":
            out.append(f"CreateStateMachine {self.target.name}{publish}"
                       + (f" with {len(cfg.tags)} tag(s)" if cfg.tags else ""))
        elif self.update_machine:
            what = (["definition"] if self.definition_diff else []) + \
                   [c.split(":", 1)[0] for c in self.config_changes]
            out.append(f"UpdateStateMachine ({', '.join(what)}){publish}")
        a = self.alias
        if a is not None and a.action:
            if a.needs_version:
                out.append("PublishStateMachineVersion (the current revision)")
            w = a.spec.new_version_weight
            new = f"v{version_number(a.version_arn)}" if a.version_arn else "new version"
            reused = f" ({new} is published already)" if a.version_arn else ""
            if a.action == "create":
                out.append(f"CreateStateMachineAlias {a.spec.name} -> {new} 100%{reused}")
            elif a.action == "move":
                to = f"{new} 100%" if not a.spec.canary else \
                    f"v{version_number(stable_route(a.routing)['stateMachineVersionArn'])} {100 - w}% / {new} {w}%"
                out.append(f"UpdateStateMachineAlias {a.spec.name}: {a.describe_routing()} -> {to}{reused}")
            elif a.action in ("promote", "reweight"):
                out.append(f"UpdateStateMachineAlias {a.spec.name} ({a.action}): {a.describe_routing()} -> "
                           f"{a.describe_routing(a.new_routing)}")
            elif a.action == "describe":
                out.append(f"UpdateStateMachineAlias {a.spec.name} (description)")
        if self.tags_add:
            out.append("TagResource " + ", ".join(f"{k}={v}" for k, v in sorted(self.tags_add.items())))
        if self.tags_remove:
            out.append("UntagResource " + ", ".join(sorted(self.tags_remove)))
        return out


UNLISTED = {"unlisted": True}   # the (local) endpoint does not implement ListStateMachineVersions


def _newest_version(client: SfnClient, machine_arn: str) -> dict[str, Any] | None:
    """The newest published version, None when there is none, `UNLISTED` when the endpoint cannot list them."""
    try:
        return client.latest_version(machine_arn)
    except AwsError as exc:
        if exc.unsupported:
            return UNLISTED
        raise


def _published_match(client: SfnClient, machine_arn: str, target: Target) -> dict[str, Any] | None:
    """The newest published version when it holds the target's definition and config (a deploy that was
    interrupted after publishing it), else None. Only the newest one: an older match is a rollback target,
    not the version a deploy of this definition published last."""
    newest = _newest_version(client, machine_arn)
    if newest is None or newest is UNLISTED or \
            not matches_target(client.describe(newest["stateMachineVersionArn"]), target):
        return None
    return newest


def _alias_plan(client: SfnClient, machine_arn: str | None, target: Target, new_version: bool) -> AliasPlan:
    spec = target.config.alias
    assert spec is not None
    alias_arn = f"{machine_arn}:{spec.name}" if machine_arn else None
    current = client.describe_alias(alias_arn) if alias_arn else None
    plan = AliasPlan(spec, alias_arn, current is not None)
    if current is not None:
        plan.routing = list(current.get("routingConfiguration") or [])
        plan.description = current.get("description")
    if new_version:
        plan.action = "move" if plan.exists else "create"
        return plan
    if not plan.exists:
        # no version from this deploy: route to the published version of this definition if there is one (a
        # deploy interrupted before the alias), else publish the current revision
        published = _published_match(client, machine_arn, target) if machine_arn else None
        plan.action = "create"
        if published is not None:
            plan.version_arn = published["stateMachineVersionArn"]
        else:
            plan.needs_version = True
        return plan
    canary = canary_route(plan.routing)
    if canary is not None and not matches_target(client.describe(canary["stateMachineVersionArn"]), target):
        _off_target(client, plan, machine_arn, target, current)
    elif len(plan.routing) == 2:
        stable = stable_route(plan.routing)
        if canary is stable:
            stable = next(r for r in plan.routing if r is not canary)
        w = spec.new_version_weight or 100
        if w >= 100:
            plan.action = "promote"
            plan.new_routing = [{"stateMachineVersionArn": canary["stateMachineVersionArn"], "weight": 100}]
        elif canary.get("weight") != w:
            plan.action = "reweight"
            plan.new_routing = [{"stateMachineVersionArn": stable["stateMachineVersionArn"], "weight": 100 - w},
                                {"stateMachineVersionArn": canary["stateMachineVersionArn"], "weight": w}]
    if plan.action is None and spec.description is not None and spec.description != (plan.description or ""):
        plan.action = "describe"
    return plan


def _off_target(client: SfnClient, plan: AliasPlan, machine_arn: str | None, target: Target,
                alias: dict[str, Any]) -> None:
    """The alias's newest route is not the definition to deploy although the machine holds it. When the newest
    published version holds it and was published after the alias last changed, a deploy was interrupted
    between publishing and moving the alias: move it there now. When the alias changed after that version
    was published, someone moved it back on purpose (a rollback): leave it, say so."""
    name = plan.spec.name
    routes = plan.describe_routing()
    newest = _newest_version(client, machine_arn) if machine_arn else None
    if newest is UNLISTED:
        plan.notes.append(f"alias {name} routes to {routes}, not to the deployed definition; this endpoint does not "
                          "list versions (ListStateMachineVersions), so an interrupted deploy cannot be told from a "
                          "rollback: the alias is left as it is")
        return
    if newest is None or not matches_target(client.describe(newest["stateMachineVersionArn"]), target):
        plan.notes.append(f"alias {name} routes to {routes}, not to the deployed definition, and no published "
                          "version holds that definition as the newest one; the alias is left as it is")
        return
    version = f"v{version_number(newest['stateMachineVersionArn'])}"
    published, changed = newest.get("creationDate"), alias.get("updateDate") or alias.get("creationDate")
    if published is not None and changed is not None and published > changed:
        plan.action, plan.version_arn = "move", newest["stateMachineVersionArn"]
        return
    plan.notes.append(f"alias {name} routes to {routes}, not to {version} (the deployed definition): it was moved "
                      f"after {version} was published (a rollback?), so it is left as it is; the next deploy that "
                      "publishes a version moves it")


def make_plan(client: SfnClient, target: Target, *, account_id: str | None = None) -> Plan:
    """Describe the deployed machine and compare it with the target. Read-only."""
    cfg = target.config
    arn = client.machine_arn(target.name, account_id)
    deployed = client.describe(arn) if arn else None
    if deployed is None:
        plan = Plan(target, "create", arn)
        if cfg.alias is not None:
            plan.alias = AliasPlan(cfg.alias, f"{arn}:{cfg.alias.name}" if arn else None, False, action="create")
        return plan
    if deployed.get("status") == "DELETING":
        raise AwsError(f"{target.name} is being deleted", code="StateMachineDeleting", operation="DescribeStateMachine",
                       hint="wait until the deletion finishes (usually under a minute) and re-run")
    plan = Plan(target, "unchanged", arn, deployed)
    old = canonical_text(deployed.get("definition") or "")
    new = canonical_text(target.definition)
    if old != new:
        plan.definition_diff = unified(old, new, f"{target.name} (deployed)",
                                       f"{target.source or target.template} (to deploy)")
    want, have = cfg.comparable(), deployed_config(deployed)
    for key in want:
        if want[key] != have[key]:
            plan.config_changes.append(f"{key}: {json.dumps(have[key], sort_keys=True)} -> "
                                       f"{json.dumps(want[key], sort_keys=True)}")
    if deployed.get("type") and deployed["type"] != cfg.type:
        plan.notes.append(f"deployed type is {deployed['type']} but the env says {cfg.type}; the type cannot be "
                          "changed by an update (delete the machine and deploy again to change it)")
    if cfg.tags is not None:
        current = client.tags(arn)
        plan.tags_add = {k: v for k, v in cfg.tags.items() if current.get(k) != v}
        plan.tags_remove = sorted(k for k in current if k not in cfg.tags and not k.startswith("aws:"))
    if plan.definition_diff or plan.config_changes:
        plan.action = "update"
    if cfg.alias is not None:
        plan.alias = _alias_plan(client, arn, target, new_version=plan.update_machine and cfg.publish)
        plan.notes += plan.alias.notes
    if plan.tags_add or plan.tags_remove or (plan.alias and plan.alias.action):
        plan.action = "update"
    return plan
