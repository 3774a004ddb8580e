"""`sfnc deploy` / `sfnc diff` end to end through the CLI, against a real moto server."""

from __future__ import annotations

import json

import pytest

from .conftest import ACCOUNT, ORDERS

pytestmark = pytest.mark.moto

ARN = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:"


def table(stdout: str) -> dict[str, list[str]]:
    """The summary table's rows: machine name -> its cells."""
    lines = stdout.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("MACHINE "))
    rows = {}
    for line in lines[start + 1:]:
        cells = [c for c in line.split("  ") if c.strip()]
        if len(cells) < 6:
            break
        rows[cells[0].strip()] = [c.strip() for c in cells]
    return rows


def machines(sfn) -> dict[str, str]:
    return {m["name"]: m["stateMachineArn"]
            for page in sfn.get_paginator("list_state_machines").paginate() for m in page["stateMachines"]}


def test_create_then_rerun_is_unchanged_and_makes_no_write(deploy_project, sfn, clients):
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 0, res
    assert set(machines(sfn)) == {"t-orders", "t-billing"}
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in res.stdout
    assert f"{ARN}t-orders" in res.stdout
    writes = clients[-1].writes
    assert sorted(writes) == ["CreateStateMachine", "CreateStateMachine"]

    # what was deployed is the committed file, byte for byte
    committed = (deploy_project.root / "definitions/local/orders.json").read_text()
    assert sfn.describe_state_machine(stateMachineArn=f"{ARN}t-orders")["definition"] == committed
    assert json.loads(committed)["States"]["Receive"]["Output"]["limit"] == 10

    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 0, res
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in res.stdout
    assert clients[-1].writes == []
    assert set(clients[-1].calls) == {"DescribeStateMachine"}


def test_update_publishes_a_version_whose_description_carries_the_commit(deploy_project, sfn, clients):
    deploy_project.env(version_description="{env} deploy of {commit}", tags={"team": "core", "stale": "x"})
    deploy_project.render()
    deploy_project.git_commit()
    assert deploy_project.run("deploy", "--env", "local").exit_code == 0
    sfn.tag_resource(resourceArn=f"{ARN}t-orders", tags=[{"key": "manual", "value": "1"}])

    deploy_project.env(version_description="{env} deploy of {commit}", tags={"team": "platform", "cost": 42})
    deploy_project.set_value("queue", "q-local-2")
    deploy_project.render()
    sha = deploy_project.git_commit()
    res = deploy_project.run("deploy", "--env", "local", "orders")
    assert res.exit_code == 0, res
    assert '-        "queue": "q-local"' in res.stdout and '+        "queue": "q-local-2"' in res.stdout
    assert "1 created" not in res.stdout and "0 created, 1 updated, 0 unchanged, 0 failed" in res.stdout
    assert clients[-1].writes == ["UpdateStateMachine", "TagResource", "UntagResource"]

    version = sfn.describe_state_machine(stateMachineArn=f"{ARN}t-orders:2")
    assert version["description"] == f"local deploy of {sha}"
    assert '"q-local-2"' in version["definition"]
    tags = {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=f"{ARN}t-orders")["tags"]}
    assert tags == {"team": "platform", "cost": "42"}   # tags reconciled: the unmanaged ones removed too
    assert table(res.stdout)["t-orders"][2:4] == ["updated", "2"]


def test_alias_created_then_moved_with_canary_weights_then_promoted(deploy_project, sfn):
    alias_arn = f"{ARN}t-orders:live"
    deploy_project.env(alias="live")
    deploy_project.render()
    assert deploy_project.run("deploy", "--env", "local", "orders").exit_code == 0
    routing = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)["routingConfiguration"]
    assert routing == [{"stateMachineVersionArn": f"{ARN}t-orders:1", "weight": 100}]

    deploy_project.env(alias={"name": "live", "new_version_weight": 10, "description": "canary"})
    deploy_project.set_value("limit", 20)
    deploy_project.render()
    res = deploy_project.run("deploy", "--env", "local", "orders")
    assert res.exit_code == 0, res
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
    assert alias["routingConfiguration"] == [{"stateMachineVersionArn": f"{ARN}t-orders:1", "weight": 90},
                                             {"stateMachineVersionArn": f"{ARN}t-orders:2", "weight": 10}]
    assert alias["description"] == "canary"
    assert "live: v1 90% / v2 10%" in res.stdout

    # re-running with the same settings leaves the canary alone
    res = deploy_project.run("deploy", "--env", "local", "orders")
    assert "unchanged" in res.stdout and res.exit_code == 0

    # dropping the weight promotes the canary to 100%
    deploy_project.env(alias={"name": "live", "description": "canary"})
    deploy_project.set_value("limit", 20)
    res = deploy_project.run("deploy", "--env", "local", "orders")
    assert res.exit_code == 0, res
    assert "promote" in res.stdout
    routing = sfn.describe_state_machine_alias(stateMachineAliasArn=alias_arn)["routingConfiguration"]
    assert routing == [{"stateMachineVersionArn": f"{ARN}t-orders:2", "weight": 100}]


def test_dry_run_makes_no_write(deploy_project, sfn, clients):
    res = deploy_project.run("deploy", "--env", "local", "--dry-run")
    assert res.exit_code == 0, res
    assert "would create" in res.stdout and "CreateStateMachine t-orders (publish a version)" in res.stdout
    assert machines(sfn) == {}
    assert clients[-1].writes == []

    assert deploy_project.run("deploy", "--env", "local").exit_code == 0
    deploy_project.set_value("queue", "q-dry")
    deploy_project.render()
    res = deploy_project.run("deploy", "--env", "local", "--dry-run")
    assert res.exit_code == 0, res
    assert '+        "queue": "q-dry"' in res.stdout and "UpdateStateMachine (definition)" in res.stdout
    assert "0 would create, 1 would update, 1 unchanged, 0 failed" in res.stdout
    assert clients[-1].writes == []
    assert '"q-local"' in sfn.describe_state_machine(stateMachineArn=f"{ARN}t-orders")["definition"]


def test_stale_definition_is_refused_before_any_aws_call(deploy_project, sfn, clients):
    deploy_project.set_value("queue", "q-changed")   # template output changes; definitions/ not re-rendered
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 1, res
    assert "stale" in res.stderr and "sfnc render --env local" in res.stderr
    assert clients == [] and machines(sfn) == {}


def test_hand_edited_definition_is_refused(deploy_project, sfn):
    path = deploy_project.root / "definitions/local/billing.json"
    path.write_text(path.read_text().replace('"Bill"', '"Bill2"', 1))
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 1 and "billing: the committed definition is stale" in res.stderr
    assert machines(sfn) == {}


def test_invalid_definition_is_refused(deploy_project, sfn):
    deploy_project.write("templates/broken.json", {"QueryLanguage": "JSONata", "Comment": "no States, no StartAt"})
    deploy_project.render()
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 1, res
    assert "not-a-state-machine" in res.stderr and "refusing to deploy" in res.stderr
    assert machines(sfn) == {}


def test_definition_with_next_to_a_missing_state_is_refused(deploy_project, sfn):
    from sfn_compiler.check import CheckConfig, validate_text

    broken = {"QueryLanguage": "JSONata", "StartAt": "A",
              "States": {"A": {"Type": "Pass", "Next": "Nowhere"}}}
    found = validate_text(json.dumps(broken), "probe.json", CheckConfig())
    if not any(d.severity == "error" for d in found):
        pytest.skip("the validator has no rule for a Next to a missing state yet")
    deploy_project.write("templates/broken.json", broken)
    deploy_project.render()
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 1, res
    assert "Nowhere" in res.stderr
    assert machines(sfn) == {}


def test_a_role_arn_in_no_aws_partition_is_a_config_error(deploy_project, sfn):
    deploy_project.env(role_arn="arn:aws-typo:iam::123456789012:role/x")
    res = deploy_project.run("deploy", "--env", "local", "orders")
    assert res.exit_code == 2, res
    assert "envs/local.yaml" in res.stderr and "aws-typo" in res.stderr and "role_arn" in res.stderr
    assert machines(sfn) == {}


def test_bad_role_arn_is_reported_with_the_machine_and_the_fix(deploy_project, sfn):
    # a real partition (passes the env schema), but not this region's: AWS and moto reject it
    deploy_project.env(role_arn="arn:aws-iso-f:iam::123456789012:role/x")
    res = deploy_project.run("deploy", "--env", "local", "orders")
    assert res.exit_code == 1, res
    assert "t-orders: CreateStateMachine: InvalidArn: Invalid Role Arn" in res.stdout
    assert "hint: aws.role_arn must be an IAM role ARN of this region's partition: arn:aws:iam::" in res.stdout
    assert machines(sfn) == {}


def test_partial_failure_continues_reports_all_and_exits_non_zero(deploy_project, sfn):
    deploy_project.env(templates={"billing": {"role_arn": "arn:aws-iso-f:iam::123456789012:role/x"}})
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 1, res
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in res.stdout
    rows = table(res.stdout)
    assert rows["t-orders"][2] == "created" and rows["t-billing"][2] == "failed"
    assert set(machines(sfn)) == {"t-orders"}


def test_skip_and_per_template_name(deploy_project, sfn):
    deploy_project.env(templates={"billing": {"skip": True}, "orders": {"name": "OrdersMachine"}})
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 0, res
    assert "skipped" in res.stdout and "billing" in res.stdout
    assert set(machines(sfn)) == {"OrdersMachine"}
    # a machine name selects the same template as its stem
    assert "unchanged" in deploy_project.run("deploy", "--env", "local", "OrdersMachine").stdout


def test_logging_and_tracing_changes_update_the_configuration(deploy_project, sfn):
    assert deploy_project.run("deploy", "--env", "local", "orders").exit_code == 0
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/sfn/orders:*"
    deploy_project.env(tracing=True, logging={"level": "ERROR", "log_group_arn": group})
    res = deploy_project.run("deploy", "--env", "local", "orders")
    assert res.exit_code == 0, res
    assert "config tracingConfiguration" in res.stdout and "config loggingConfiguration" in res.stdout
    d = sfn.describe_state_machine(stateMachineArn=f"{ARN}t-orders")
    assert d["tracingConfiguration"] == {"enabled": True}
    assert d["loggingConfiguration"]["level"] == "ERROR"
    assert "unchanged" in deploy_project.run("deploy", "--env", "local", "orders").stdout


def test_diff_is_clean_after_deploy_and_shows_drift(deploy_project, sfn):
    res = deploy_project.run("diff", "--env", "local")
    assert res.exit_code == 1 and res.stdout.count("not deployed") == 2, res

    assert deploy_project.run("deploy", "--env", "local").exit_code == 0
    res = deploy_project.run("diff", "--env", "local")
    assert res.exit_code == 0, res
    assert "0 of 2 machines differ" in res.stdout

    # a console edit that only reorders keys and whitespace is not drift
    arn = f"{ARN}t-orders"
    deployed = json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(deployed, sort_keys=True))
    assert deploy_project.run("diff", "--env", "local", "orders").exit_code == 0

    deployed["States"]["Receive"]["Output"]["limit"] = 11
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(deployed))
    res = deploy_project.run("diff", "--env", "local", "orders")
    assert res.exit_code == 1, res
    assert '-        "limit": 11,' in res.stdout and '+        "limit": 10,' in res.stdout


def test_confirm_env_needs_yes_without_a_terminal(deploy_project, sfn, clients):
    deploy_project.env(confirm=True)
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 2, res
    assert "needs confirmation" in res.stderr and "--yes" in res.stderr
    assert clients == [] and machines(sfn) == {}
    assert deploy_project.run("deploy", "--env", "local", "--dry-run").exit_code == 0
    assert deploy_project.run("deploy", "--env", "local", "--yes").exit_code == 0
    assert set(machines(sfn)) == {"t-orders", "t-billing"}


def test_confirm_env_asks_on_a_terminal(deploy_project, sfn, monkeypatch):
    import sfn_compiler.cli.deploy as cli_deploy

    monkeypatch.setattr(cli_deploy, "_stdin_is_tty", lambda: True)
    deploy_project.env(confirm=True)
    res = deploy_project.run("deploy", "--env", "local", input="n\n")
    assert res.exit_code == 1 and "nothing was changed" in res.stderr, res
    assert machines(sfn) == {}
    res = deploy_project.run("deploy", "--env", "local", input="y\n")
    assert res.exit_code == 0, res
    assert set(machines(sfn)) == {"t-orders", "t-billing"}


def test_values_aws_limits_are_refused_before_any_call_at_their_env_line(deploy_project, sfn, clients):
    long = "o" * 300
    deploy_project.write("envs/local.yaml", f"""\
values:
  queue: q-local
  limit: 10
  owner: {long}
aws:
  account_id: "{ACCOUNT}"
  region: us-east-1
  endpoint_url: {deploy_project.moto_url}
  role_arn: arn:aws:iam::{ACCOUNT}:role/sfnc-test
  name_prefix: t-
  publish: true
  tags:
    owner: ${{owner}}
  templates:
    billing:
      tags:
        team: "a;b"
""")
    res = deploy_project.run("deploy", "--env", "local", "--set", "aws.tags.cost=" + "c" * 257)
    assert res.exit_code == 2, res
    err = res.stderr
    # a placeholder that resolves to 300 characters: located where the tag is set
    assert "envs/local.yaml:13:12: error: the value of tag 'owner' has 300 characters; AWS allows at most 256 " \
           "(TagResource tags.value) (at /aws/tags/owner, env local)" in err
    assert "envs/local.yaml:17:15: error: the tag value 'a;b' holds ';'" in err and "/aws/templates/billing/tags/team" in err
    assert "--set aws.tags.cost=" in err and "has 257 characters" in err
    assert clients == [] and machines(sfn) == {}   # no client was even made


def test_definitions_aws_refuses_are_refused_before_any_call(deploy_project, sfn, clients):
    broken = json.loads(json.dumps(ORDERS))
    broken["States"]["Receive"] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                   "Arguments": {"FunctionName": "f"}, "TimeoutSeconds": 100_000_000, "Next": "Done"}
    broken["States"]["Done\u0007"] = broken["States"].pop("Done")
    broken["States"]["Receive"]["Next"] = "Done\u0007"
    deploy_project.write("templates/orders.json", broken)
    deploy_project.render()
    res = deploy_project.run("deploy", "--env", "local")
    assert res.exit_code == 1, res
    assert "definitions/local/orders.json:" in res.stderr
    assert "SFN107" in res.stderr and "between 1 and 99999999" in res.stderr
    assert "SFN208" in res.stderr and "U+0007" in res.stderr
    assert "refusing to deploy" in res.stderr
    assert clients == [] and machines(sfn) == {}
