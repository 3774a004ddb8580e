"""Execute one `Plan`: create or update the machine, move the alias, reconcile the tags.

Before an update the machine is described again and compared with the plan's snapshot (its
`revisionId` on AWS; definition and configuration on emulators without one). If it changed since the
plan, the machine is not touched and the result is `failed` with a "changed since the plan" message.
`UpdateStateMachine` publishes in the same call, so the version is always the definition sent. A version
published on its own (an alias for a machine this deploy does not change) names the revision the plan
compared (`revisionId`, `INITIAL` before the first update): a later edit makes AWS refuse it
(ConflictException) instead of publishing someone else's definition. Before the alias is updated it is
described again too. What no API call can guard: an edit between the re-describe and `UpdateStateMachine`
(see docs/deploy.md, "Concurrent changes").
A failure is returned, never raised, so a deploy of several machines goes on past it.
"""

from __future__ import annotations

from typing import Any

from .client import AwsError, SfnClient
from .plan import Plan, canary_route, snapshot, stable_route, version_number
from .results import Result


class ConcurrentChange(AwsError):
    pass


def _routing(version_arn: str, weight: int) -> dict[str, Any]:
    return {"stateMachineVersionArn": version_arn, "weight": weight}


def _machine_kwargs(plan: Plan, commit: str) -> dict[str, Any]:
    t, cfg = plan.target, plan.target.config
    kwargs: dict[str, Any] = {"definition": t.definition, "roleArn": cfg.role_arn,
                              "loggingConfiguration": cfg.logging,
                              "tracingConfiguration": {"enabled": cfg.tracing}}
    if cfg.publish:
        kwargs["publish"] = True
        kwargs["versionDescription"] = t.version_description(commit)
    return kwargs


def apply_plan(client: SfnClient, plan: Plan, *, commit: str = "unknown") -> Result:
    t, cfg = plan.target, plan.target.config
    if plan.action == "unchanged":
        return Result(t, "unchanged", plan.arn,
                      f"{plan.arn}:{plan.current_version}" if plan.current_version else None,
                      _alias_text(plan.alias.spec.name, plan.alias.routing) if plan.alias and plan.alias.exists else None)
    result = Result(t, "created" if plan.action == "create" else "updated", plan.arn)
    try:
        if plan.action == "create":
            if plan.arn and client.describe(plan.arn) is not None:
                raise ConcurrentChange(f"{t.name} was created by someone else after the plan was made",
                                       code="ConcurrentChange",
                                       hint="nothing was changed; re-run `sfnc deploy` to see the new diff")
            kwargs = _machine_kwargs(plan, commit)
            kwargs.update(name=t.name, type=cfg.type)
            if cfg.tags:
                kwargs["tags"] = [{"key": k, "value": v} for k, v in sorted(cfg.tags.items())]
            resp = client.create(**kwargs)
            result.arn = resp["stateMachineArn"]
            result.version_arn = resp.get("stateMachineVersionArn")
            result.done.append("created" + (f" version {result.version}" if result.version else ""))
        elif plan.update_machine:
            current = client.describe(plan.arn)
            if current is None:
                raise ConcurrentChange(f"{t.name} was deleted after the plan was made", code="ConcurrentChange",
                                       hint="re-run `sfnc deploy` to create it")
            if snapshot(current) != snapshot(plan.deployed):
                raise ConcurrentChange(f"{t.name} changed since the plan was made (a concurrent deploy or a "
                                       "console edit?); it was not updated", code="ConcurrentChange",
                                       hint="re-run `sfnc deploy` (or `sfnc diff`) to see the new diff")
            kwargs = _machine_kwargs(plan, commit)
            kwargs["stateMachineArn"] = plan.arn
            resp = client.update(**kwargs)
            result.version_arn = resp.get("stateMachineVersionArn")
            result.done.append("updated" + (f" to version {result.version}" if result.version else ""))
        _apply_alias(client, plan, result, commit)
        if plan.action == "update":
            if plan.tags_add:
                client.tag(plan.arn, plan.tags_add)
                result.done.append("tagged " + ", ".join(sorted(plan.tags_add)))
            if plan.tags_remove:
                client.untag(plan.arn, plan.tags_remove)
                result.done.append("untagged " + ", ".join(plan.tags_remove))
    except AwsError as exc:
        result.status = "failed"
        result.error = exc.message
        result.hint = exc.hint
    if result.version_arn is None and plan.current_version and not result.failed:
        result.version_arn = f"{plan.arn}:{plan.current_version}"
    return result


def _alias_text(name: str, routing: list[dict[str, Any]]) -> str:
    return f"{name}: " + " / ".join(f"v{version_number(r['stateMachineVersionArn'])} {r['weight']}%"
                                    for r in routing)


def _apply_alias(client: SfnClient, plan: Plan, result: Result, commit: str) -> None:
    a = plan.alias
    if a is None:
        return
    if not a.action:
        if a.exists:
            result.alias = _alias_text(a.spec.name, a.routing)
            _version_from(result, a.routing)
        return
    machine_arn = result.arn or plan.arn
    spec = a.spec
    if a.action != "create":
        _check_alias_unchanged(client, plan)
    if a.action in ("create", "move"):
        version_arn = result.version_arn or a.version_arn
        if version_arn is None:
            version_arn = _publish(client, plan, machine_arn, commit)
            result.version_arn = version_arn
            result.done.append(f"published version {result.version}")
        elif result.version_arn is None:   # published by an earlier, interrupted deploy: route to it
            result.version_arn = version_arn
        if a.action == "create" or not spec.canary:
            routing = [_routing(version_arn, 100)]
        else:
            stable = stable_route(a.routing)
            if stable is None or stable["stateMachineVersionArn"] == version_arn:
                routing = [_routing(version_arn, 100)]
            else:
                w = spec.new_version_weight or 100
                routing = [_routing(stable["stateMachineVersionArn"], 100 - w), _routing(version_arn, w)]
        if a.action == "create":
            client.create_alias(spec.name, routing, spec.description)
            result.done.append(f"created alias {spec.name}")
        else:
            client.update_alias(a.arn, routing, spec.description if spec.description != a.description else None)
            result.done.append(f"moved alias {spec.name}" + (f" to v{version_number(version_arn)}, published by an "
                                                             "earlier deploy" if a.version_arn else ""))
    elif a.action in ("promote", "reweight"):
        routing = a.new_routing or []
        client.update_alias(a.arn, routing, spec.description if spec.description != a.description else None)
        result.done.append(("promoted" if a.action == "promote" else "reweighted") + f" alias {spec.name}")
    elif a.action == "describe":
        routing = a.routing
        client.update_alias(a.arn, None, spec.description)
        result.done.append(f"updated alias {spec.name} description")
    else:  # pragma: no cover - defensive
        return
    result.alias = _alias_text(spec.name, routing)
    _version_from(result, routing)


def _publish(client: SfnClient, plan: Plan, machine_arn: str, commit: str) -> str:
    """Publish the revision the plan compared; AWS refuses (ConflictException) when the machine changed since."""
    try:
        resp = client.publish_version(machine_arn, revision_id=plan.revision,
                                      description=plan.target.version_description(commit))
    except AwsError as exc:
        if exc.code != "ConflictException":
            raise
        raise ConcurrentChange(f"{plan.target.name} changed since the plan was made (PublishStateMachineVersion "
                               f"refused revision {plan.revision}: ConflictException); no version was published "
                               "and the alias was not changed", code="ConflictException",
                               operation="PublishStateMachineVersion",
                               hint="re-run `sfnc deploy` (or `sfnc diff`) to see what changed") from None
    return resp["stateMachineVersionArn"]


def _check_alias_unchanged(client: SfnClient, plan: Plan) -> None:
    """The alias is described again right before it is updated: a change since the plan (another deploy, a
    rollback by hand) is not overwritten."""
    a = plan.alias
    assert a is not None and a.arn is not None
    current = client.describe_alias(a.arn)
    if current is None or list(current.get("routingConfiguration") or []) != a.routing or \
            current.get("description") != a.description:
        raise ConcurrentChange(f"alias {a.spec.name} of {plan.target.name} changed since the plan was made "
                               "(a concurrent deploy or a change by hand?); it was not updated",
                               code="ConcurrentChange",
                               hint="re-run `sfnc deploy` (or `sfnc diff`) to see the new plan")


def _version_from(result: Result, routing: list[dict[str, Any]]) -> None:
    """No version published by this deploy: report the newest one the alias routes to."""
    if result.version_arn is None and routing:
        result.version_arn = canary_route(routing)["stateMachineVersionArn"]
