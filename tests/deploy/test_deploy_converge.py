"""Interrupted deploys converge, and concurrent edits are not published: against the extended moto server.

moto 5.2 has no revision ids, no `PublishStateMachineVersion` and no `ListStateMachineVersions`;
`moto_versions.py` adds them as the API reference describes them (the `moto_v` fixture). An interruption is
a process dying between two calls: a botocore `before-call` hook raises `Crash` before the Nth write, so the
earlier writes happened and nothing after them did. For every write of every scenario: interrupt there,
re-run, and the account must end exactly as after an uninterrupted deploy (no extra version published), then
a further run must make no write at all.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from sfn_compiler.deploy.apply import apply_plan
from sfn_compiler.deploy.client import SfnClient
from sfn_compiler.deploy.plan import make_plan
from sfn_compiler.deploy.target import Target

from .conftest import ACCOUNT, ROLE

pytestmark = pytest.mark.moto

NAME = "conv"
ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:{NAME}"


def definition(value: str) -> str:
    return json.dumps({"QueryLanguage": "JSONata", "StartAt": "A",
                       "States": {"A": {"Type": "Pass", "Output": value, "End": True}}}, indent=2) + "\n"


class Crash(Exception):
    """The deploy process died here."""


def boto(url: str):
    import boto3

    return boto3.client("stepfunctions", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def connect(url: str, crash_before: tuple[str, int] | None = None) -> SfnClient:
    """A client on `url`; with `crash_before=(operation, n)` the nth call of that operation raises Crash
    before anything is sent."""
    client = SfnClient(boto(url), local=True, endpoint_url=url)
    if crash_before is not None:
        operation, nth = crash_before
        seen = {"n": 0}

        def hook(model: Any = None, **_: Any) -> None:
            if model is not None and model.name == operation:
                seen["n"] += 1
                if seen["n"] == nth:
                    raise Crash(operation)

        client.sfn.meta.events.register_first("before-call.*.*", hook)
    return client


def target(url: str, value: str, **settings: Any) -> Target:
    base = {"region": "us-east-1", "endpoint_url": url, "role_arn": ROLE, "publish": True}
    base.update(settings)
    return Target("local", NAME, NAME, definition(value), base, f"definitions/local/{NAME}.json")


def deploy(client: SfnClient, t: Target):
    return apply_plan(client, make_plan(client, t, account_id=ACCOUNT), commit="c0ffee")


def account_state(url: str) -> dict[str, Any]:
    """What a deploy leaves behind: the definition, every version's definition, the alias, the tags."""
    sfn = boto(url)
    versions = []
    token: dict[str, str] = {}
    while True:
        page = sfn.list_state_machine_versions(stateMachineArn=ARN, **token)
        versions += [v["stateMachineVersionArn"] for v in page["stateMachineVersions"]]
        if "nextToken" not in page:
            break
        token = {"nextToken": page["nextToken"]}
    try:
        alias = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{ARN}:live")
        routing = alias["routingConfiguration"]
    except sfn.exceptions.ResourceNotFound:
        routing = None
    return {
        "definition": json.loads(sfn.describe_state_machine(stateMachineArn=ARN)["definition"]),
        "versions": {v.rsplit(":", 1)[1]: json.loads(sfn.describe_state_machine(stateMachineArn=v)["definition"])
                     for v in versions},
        "alias": routing,
        "tags": {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=ARN)["tags"]},
    }


def reset(url: str) -> None:
    import urllib.request

    req = urllib.request.Request(url + "/moto-api/reset", method="POST", data=b"")
    urllib.request.urlopen(req, timeout=5).close()


# scenario: (set the account up, the target the interrupted deploy ships)
Setup = Callable[[str], None]


def _nothing(url: str) -> None:
    pass


def _v1_live(url: str) -> None:
    assert deploy(connect(url), target(url, "one", alias="live", tags={"team": "core", "old": "x"})).status == "created"


def _canary(url: str) -> None:
    _v1_live(url)
    assert deploy(connect(url), target(url, "two", alias={"name": "live", "new_version_weight": 10},
                                       tags={"team": "core", "old": "x"})).status == "updated"


def _unpublished(url: str) -> None:
    assert deploy(connect(url), target(url, "one", publish=False)).status == "created"


SCENARIOS = {
    # create: CreateStateMachine (publishes v1, tags) | CreateStateMachineAlias
    "create": (_nothing, lambda url: target(url, "one", alias="live", tags={"team": "core"})),
    # update: UpdateStateMachine (publishes v2) | UpdateStateMachineAlias | TagResource | UntagResource
    "update": (_v1_live, lambda url: target(url, "two", alias="live", tags={"team": "platform"})),
    # canary: UpdateStateMachine | UpdateStateMachineAlias (v1 90% / v2 10%)
    "canary": (_v1_live, lambda url: target(url, "two", alias={"name": "live", "new_version_weight": 10},
                                            tags={"team": "core", "old": "x"})),
    # a new canary over a canary: v1 90% / v2 10% -> v1 90% / v3 10%
    "canary-again": (_canary, lambda url: target(url, "three", alias={"name": "live", "new_version_weight": 10},
                                                 tags={"team": "core", "old": "x"})),
    # an alias for a machine that has no version: PublishStateMachineVersion | CreateStateMachineAlias
    "alias-added": (_unpublished, lambda url: target(url, "one", alias="live")),
}


def _reference(url: str, setup: Setup, make_target) -> tuple[list[str], dict[str, Any]]:
    reset(url)
    setup(url)
    client = connect(url)
    result = deploy(client, make_target(url))
    assert not result.failed, result
    return client.writes, account_state(url)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_deploy_interrupted_after_any_write_converges_then_makes_no_write(moto_v, scenario):
    setup, make_target = SCENARIOS[scenario]
    writes, expected = _reference(moto_v, setup, make_target)
    assert len(writes) >= 2, writes
    for i, operation in enumerate(writes):
        nth = writes[:i + 1].count(operation)
        reset(moto_v)
        setup(moto_v)
        with pytest.raises(Crash):
            deploy(connect(moto_v, crash_before=(operation, nth)), make_target(moto_v))

        rerun = connect(moto_v)
        result = deploy(rerun, make_target(moto_v))
        assert not result.failed, (operation, result)
        assert account_state(moto_v) == expected, f"{scenario}: interrupted before {operation}"
        if i > 0:   # something was done already: the re-run only finishes it
            assert len(rerun.writes) <= len(writes) - i, (operation, rerun.writes)
            assert "PublishStateMachineVersion" not in rerun.writes or operation == "PublishStateMachineVersion"

        again = connect(moto_v)
        plan = make_plan(again, make_target(moto_v), account_id=ACCOUNT)
        assert plan.action == "unchanged", (operation, plan.steps())
        assert apply_plan(again, plan).status == "unchanged"
        assert again.writes == [], (operation, again.writes)


def test_interrupted_update_moves_the_alias_to_the_published_version_without_publishing(moto_v):
    _v1_live(moto_v)
    t = target(moto_v, "two", alias="live", tags={"team": "core", "old": "x"})
    with pytest.raises(Crash):
        deploy(connect(moto_v, crash_before=("UpdateStateMachineAlias", 1)), t)
    client = connect(moto_v)
    plan = make_plan(client, t, account_id=ACCOUNT)
    assert plan.action == "update" and not plan.update_machine
    assert plan.steps() == ["UpdateStateMachineAlias live: v1 100% -> v2 100% (v2 is published already)"]
    result = apply_plan(client, plan, commit="c")
    assert (result.status, result.version, result.alias) == ("updated", "2", "live: v2 100%")
    assert client.writes == ["UpdateStateMachineAlias"]


def test_a_rollback_by_hand_survives_a_rerun(moto_v):
    _v1_live(moto_v)
    t = target(moto_v, "two", alias="live", tags={"team": "core", "old": "x"})
    assert deploy(connect(moto_v), t).version == "2"
    boto(moto_v).update_state_machine_alias(stateMachineAliasArn=f"{ARN}:live",
                                            routingConfiguration=[{"stateMachineVersionArn": f"{ARN}:1", "weight": 100}])
    client = connect(moto_v)
    plan = make_plan(client, t, account_id=ACCOUNT)
    assert plan.action == "unchanged"
    assert any("rollback" in n and "left as it is" in n for n in plan.notes), plan.notes
    assert apply_plan(client, plan).status == "unchanged" and client.writes == []
    assert account_state(moto_v)["alias"] == [{"stateMachineVersionArn": f"{ARN}:1", "weight": 100}]


def test_publish_names_the_compared_revision_so_a_concurrent_edit_is_not_published(moto_v):
    _unpublished(moto_v)                        # created, never updated: no revisionId yet
    t = target(moto_v, "one", alias="live")
    client = connect(moto_v)
    plan = make_plan(client, t, account_id=ACCOUNT)
    assert plan.alias.needs_version and plan.revision == "INITIAL"
    # someone edits the machine between the plan and the publish
    boto(moto_v).update_state_machine(stateMachineArn=ARN, definition=definition("theirs"))
    result = apply_plan(client, plan, commit="c")
    assert result.failed
    assert "changed since the plan" in result.error and "ConflictException" in result.error
    assert "no version was published" in result.error and "re-run" in result.hint
    assert account_state(moto_v)["versions"] == {} and account_state(moto_v)["alias"] is None

    # the re-run sees their edit as a diff; deploying ours publishes ours, with the revision it compared
    client = connect(moto_v)
    plan = make_plan(client, t, account_id=ACCOUNT)
    assert plan.update_machine and '"theirs"' in plan.definition_diff
    assert apply_plan(client, plan, commit="c").status == "updated"
    assert account_state(moto_v)["versions"] == {"1": json.loads(definition("one"))}


def test_publish_of_an_updated_machine_uses_its_revision_id(moto_v):
    _unpublished(moto_v)
    boto(moto_v).update_state_machine(stateMachineArn=ARN, definition=definition("one"))   # a revision now
    client = connect(moto_v)
    plan = make_plan(client, target(moto_v, "one", alias="live"), account_id=ACCOUNT)
    assert plan.revision not in ("INITIAL", None) and plan.alias.needs_version
    result = apply_plan(client, plan, commit="c")
    assert (result.status, result.version) == ("updated", "1"), result
    assert client.writes == ["PublishStateMachineVersion", "CreateStateMachineAlias"]


def test_alias_moved_by_someone_after_the_plan_is_not_overwritten(moto_v):
    _v1_live(moto_v)
    client = connect(moto_v)
    plan = make_plan(client, target(moto_v, "two", alias="live", tags={"team": "core", "old": "x"}),
                     account_id=ACCOUNT)
    sfn = boto(moto_v)
    sfn.update_state_machine_alias(stateMachineAliasArn=f"{ARN}:live", description="pinned by hand")
    result = apply_plan(client, plan, commit="c")
    assert result.failed and "alias live" in result.error and "changed since the plan" in result.error
    assert "UpdateStateMachineAlias" not in client.writes
    assert "updated to version 2" in result.done[0]   # reported: the machine was updated before the refusal
    assert sfn.describe_state_machine_alias(stateMachineAliasArn=f"{ARN}:live")["description"] == "pinned by hand"


def test_update_with_a_revision_id_is_refused_when_the_revision_moved(moto_v):
    _v1_live(moto_v)
    t = target(moto_v, "two", alias="live", tags={"team": "core", "old": "x"})
    client = connect(moto_v)
    plan = make_plan(client, t, account_id=ACCOUNT)
    # someone re-applies the same definition: the content is equal, the revision is not
    boto(moto_v).update_state_machine(stateMachineArn=ARN, definition=definition("one"))
    plan2 = make_plan(connect(moto_v), t, account_id=ACCOUNT)
    assert plan.deployed.get("revisionId") != plan2.deployed.get("revisionId")
    result = apply_plan(client, plan, commit="c")
    assert result.failed and "changed since the plan" in result.error
    assert client.writes == []


def test_cli_reports_an_edit_made_during_the_deploy_and_exits_1(tmp_path, moto_v, sfnc, monkeypatch):
    from .conftest import ORDERS, DeployProject

    p = DeployProject(tmp_path, moto_v, sfnc)
    p.write("sfnc.toml", "")
    p.write("templates/orders.json", ORDERS)
    p.env(publish=False)
    p.render()
    assert p.run("deploy", "--env", "local").exit_code == 0      # t-orders, no version
    p.env(alias="live")                                          # publish: true, an alias: publish + alias
    machine = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:t-orders"

    original = SfnClient.connect.__func__

    def connect(cls, settings, **kwargs):   # someone edits the machine while sfnc is about to publish it
        client = original(cls, settings, **kwargs)

        def edit(model: Any = None, **_: Any) -> None:
            if model is not None and model.name == "PublishStateMachineVersion":
                boto(moto_v).update_state_machine(stateMachineArn=machine, definition=definition("theirs"))

        client.sfn.meta.events.register_first("before-call.*.*", edit)
        return client

    monkeypatch.setattr(SfnClient, "connect", classmethod(connect))
    res = p.run("deploy", "--env", "local")
    assert res.exit_code == 1, res
    assert "t-orders: t-orders changed since the plan was made (PublishStateMachineVersion refused revision " \
           "INITIAL: ConflictException); no version was published and the alias was not changed" in res.stdout
    assert "hint: re-run `sfnc deploy` (or `sfnc diff`) to see what changed" in res.stdout
    sfn = boto(moto_v)
    assert sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"] == []


def test_cli_diff_and_deploy_leave_a_rollback_by_hand_and_say_so(tmp_path, moto_v, sfnc, clients):
    from .conftest import ORDERS, DeployProject

    p = DeployProject(tmp_path, moto_v, sfnc)
    p.write("sfnc.toml", "")
    p.write("templates/orders.json", ORDERS)
    p.env(alias="live")
    p.render()
    assert p.run("deploy", "--env", "local").exit_code == 0
    p.set_value("queue", "q-2")
    p.render()
    assert p.run("deploy", "--env", "local").exit_code == 0
    machine = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:t-orders"
    boto(moto_v).update_state_machine_alias(stateMachineAliasArn=f"{machine}:live", routingConfiguration=[
        {"stateMachineVersionArn": f"{machine}:1", "weight": 100}])

    res = p.run("diff", "--env", "local")
    assert res.exit_code == 0, res
    assert "t-orders (orders): no differences\n  note: alias live routes to v1 100%, not to v2 (the deployed " \
           "definition): it was moved after v2 was published (a rollback?), so it is left as it is" in res.stdout
    res = p.run("deploy", "--env", "local")
    assert res.exit_code == 0 and "0 created, 0 updated, 1 unchanged, 0 failed" in res.stdout, res
    assert clients[-1].writes == []
