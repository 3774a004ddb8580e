"""The deploy modules through their Python API, against a real moto server.

moto implements neither `PublishStateMachineVersion` nor `ListStateMachineVersions` (HTTP 500) and has no
revision ids: the tests here show what sfnc does on such an endpoint; test_deploy_converge.py runs against
moto extended with them (moto_versions.py).
"""

from __future__ import annotations

import json

import pytest

from sfn_compiler.deploy.apply import apply_plan
from sfn_compiler.deploy.client import AwsError, SfnClient, account_guard
from sfn_compiler.deploy.plan import make_plan
from sfn_compiler.deploy.run import apply_plans, plan_targets
from sfn_compiler.deploy.target import Target

from .conftest import ACCOUNT, ROLE

pytestmark = pytest.mark.moto

DEF = json.dumps({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                 indent=2) + "\n"


def boto(moto, service="stepfunctions"):
    import boto3

    return boto3.client(service, endpoint_url=moto, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def target(moto, name="api-m", definition=DEF, **settings) -> Target:
    base = {"account_id": ACCOUNT, "region": "us-east-1", "endpoint_url": moto, "role_arn": ROLE, "publish": True}
    base.update(settings)
    return Target("local", name, name, definition, base, f"definitions/local/{name}.json")


@pytest.fixture
def client(moto) -> SfnClient:
    return SfnClient.connect({"endpoint_url": moto, "region": "us-east-1"})


def test_connect_to_a_loopback_endpoint_needs_no_credentials(moto, monkeypatch):
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    client = SfnClient.connect({"endpoint_url": moto.replace("127.0.0.1", "localhost")})
    assert client.local and client.region == "us-east-1"
    assert client.describe(f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:none") is None


def test_plan_create_apply_then_unchanged(client):
    t = target(client.endpoint_url, tags={"team": "core"})
    plan = make_plan(client, t, account_id=ACCOUNT)
    assert plan.action == "create" and client.writes == []
    result = apply_plan(client, plan, commit="abc123")
    assert (result.status, result.version) == ("created", "1")
    assert client.writes == ["CreateStateMachine"]
    again = make_plan(client, t, account_id=ACCOUNT)
    assert again.action == "unchanged" and not again.changed
    assert apply_plan(client, again).status == "unchanged"
    assert client.writes == ["CreateStateMachine"]


def test_lookup_without_account_uses_the_paginator(client, moto):
    sfn = boto(moto)
    for i in range(3):
        sfn.create_state_machine(name=f"other-{i}", definition=DEF, roleArn=ROLE)
    t = target(moto, account_id=None)
    assert make_plan(client, t).action == "create"
    apply_plan(client, make_plan(client, t))
    plan = make_plan(client, t)
    assert plan.action == "unchanged" and plan.arn.endswith(":stateMachine:api-m")
    assert "ListStateMachines" in client.calls


def test_concurrent_change_between_plan_and_apply_is_detected(client, moto):
    t = target(moto)
    apply_plan(client, make_plan(client, t))
    changed = target(moto, definition=DEF.replace('"A"', '"B"'))
    plan = make_plan(client, changed, account_id=ACCOUNT)
    assert plan.action == "update"

    # someone else deploys between our plan and our apply
    other = json.dumps({"QueryLanguage": "JSONata", "StartAt": "X", "States": {"X": {"Type": "Succeed"}}})
    boto(moto).update_state_machine(stateMachineArn=plan.arn, definition=other)

    result = apply_plan(client, plan, commit="abc")
    assert result.status == "failed"
    assert "changed since the plan" in result.error and "re-run" in result.hint
    assert "UpdateStateMachine" not in client.writes
    assert json.loads(boto(moto).describe_state_machine(stateMachineArn=plan.arn)["definition"])["StartAt"] == "X"


def test_machine_created_by_someone_else_after_the_plan_is_not_overwritten(client, moto):
    t = target(moto)
    plan = make_plan(client, t, account_id=ACCOUNT)
    boto(moto).create_state_machine(name=t.name, definition=DEF.replace('"A"', '"Z"'), roleArn=ROLE)
    result = apply_plan(client, plan)
    assert result.status == "failed" and "created by someone else" in result.error
    assert client.writes == []


def test_account_guard_refuses_credentials_of_another_account(moto):
    # a client that is not treated as local, so the guard runs (moto's STS says 123456789012)
    remote_like = SfnClient(boto(moto), boto(moto, "sts"), local=False, endpoint_url=moto)
    assert account_guard(remote_like, ACCOUNT) == ACCOUNT
    with pytest.raises(AwsError) as exc:
        account_guard(remote_like, "111111111111")
    assert exc.value.code == "AccountMismatch"
    assert "account 123456789012" in exc.value.message and "111111111111" in exc.value.message
    assert remote_like.writes == []
    # a loopback endpoint skips the guard (no STS call at all)
    local = SfnClient(boto(moto), boto(moto, "sts"), local=True, endpoint_url=moto)
    assert account_guard(local, "111111111111") is None and local.calls == []


def test_partial_failure_goes_on_with_the_other_machines(client, moto):
    good = target(moto, name="good")
    bad = target(moto, name="bad", role_arn="arn:aws-nope:iam::123456789012:role/r")
    results = apply_plans(client, plan_targets(client, [bad, good], account_id=ACCOUNT), commit="c")
    assert [r.status for r in results] == ["failed", "created"]
    assert results[0].error.startswith("CreateStateMachine: InvalidArn") and "role_arn" in results[0].hint


def test_on_plain_moto_an_alias_for_an_unchanged_machine_needs_a_publish_moto_lacks(client, moto):
    """moto implements neither ListStateMachineVersions nor PublishStateMachineVersion (HTTP 500): the plan
    cannot find the published version, so it plans a publish, which fails with what the emulator lacks.
    The extended server of test_deploy_converge.py covers what AWS does."""
    apply_plan(client, make_plan(client, target(moto), account_id=ACCOUNT))   # version 1, no alias
    plan = make_plan(client, target(moto, alias="live"), account_id=ACCOUNT)
    assert plan.action == "update" and plan.alias.needs_version and not plan.update_machine
    assert plan.steps()[0] == "PublishStateMachineVersion (the current revision)"
    result = apply_plan(client, plan, commit="c0ffee")
    assert result.failed and "PublishStateMachineVersion" in result.error
    assert result.hint == "the local emulator does not implement PublishStateMachineVersion"
    assert "CreateStateMachineAlias" not in client.writes


def test_on_plain_moto_an_alias_off_the_deployed_definition_is_left_with_a_note(client, moto):
    t = target(moto, alias="live")
    sfn = boto(moto)
    arn = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:api-m"
    resp = sfn.create_state_machine(name="api-m", definition=DEF.replace('"A"', '"Old"'), roleArn=ROLE, publish=True)
    sfn.create_state_machine_alias(name="live", routingConfiguration=[
        {"stateMachineVersionArn": resp["stateMachineVersionArn"], "weight": 100}])
    sfn.update_state_machine(stateMachineArn=arn, definition=DEF, publish=True)   # v2 = DEF, alias on v1
    plan = make_plan(client, t, account_id=ACCOUNT)
    assert plan.action == "unchanged"
    assert any("does not list versions" in n for n in plan.notes), plan.notes
    assert apply_plan(client, plan).status == "unchanged" and client.writes == []


def test_definition_comparison_is_semantic(client, moto):
    t = target(moto)
    apply_plan(client, make_plan(client, t))
    compact = json.dumps(json.loads(DEF), separators=(",", ":"), sort_keys=True)
    boto(moto).update_state_machine(stateMachineArn=f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:api-m",
                                    definition=compact)
    assert make_plan(client, t, account_id=ACCOUNT).action == "unchanged"
    # 1 and true are different values even though Python says 1 == True
    with_true = DEF.replace('"End": true', '"End": 1')
    plan = make_plan(client, target(moto, definition=with_true), account_id=ACCOUNT)
    assert plan.action == "update" and '+      "End": 1' in plan.definition_diff
