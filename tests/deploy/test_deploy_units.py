"""Deploy pieces that need no AWS endpoint: targets, settings, the table, `sfnc diff --against`."""

from __future__ import annotations

import json
import re
from pathlib import Path
import subprocess
import sys

import pytest

from sfn_compiler.deploy.plan import AliasPlan, Plan, canonical_text, unified
from sfn_compiler.deploy.results import Result, summary_table
from sfn_compiler.deploy.target import (AliasSpec, Target, is_loopback, machine_arn, machine_config, machine_name,
                                        settings_problems)

from .conftest import BILLING, ORDERS, env_yaml

ROLE = "arn:aws:iam::123456789012:role/r"


@pytest.mark.parametrize("url,expected", [
    ("http://127.0.0.1:5055", True), ("http://localhost:4566", True), ("http://127.1.2.3", True),
    ("http://[::1]:5000", True), ("https://states.us-east-1.amazonaws.com", False),
    ("https://vpce-1.states.us-east-1.vpce.amazonaws.com", False), ("http://10.0.0.5:5055", False), (None, False),
])
def test_is_loopback(url, expected):
    assert is_loopback(url) is expected


def test_names_arns_and_settings():
    assert machine_name("orders", {"name_prefix": "p-", "name_suffix": "-s"}) == "p-orders-s"
    assert machine_name("orders", {"name_prefix": "p-", "name": "Explicit"}) == "Explicit"
    assert machine_arn("m", "123456789012", "cn-north-1") == "arn:aws-cn:states:cn-north-1:123456789012:stateMachine:m"
    cfg = machine_config({"role_arn": ROLE, "tags": {"n": 1, "b": True}, "alias": {"name": "live", "new_version_weight": 10},
                          "logging": {"log_group_arn": "arn:aws:logs:us-east-1:1:log-group:g:*"}, "publish": True})
    assert cfg.tags == {"n": "1", "b": "true"}
    assert cfg.alias == AliasSpec("live", None, 10) and cfg.alias.canary
    assert cfg.logging["level"] == "ALL" and cfg.logging["destinations"][0]["cloudWatchLogsLogGroup"]
    assert machine_config({"role_arn": ROLE}).tags is None   # tags unmanaged unless aws.tags is set


def test_settings_problems():
    msgs = [p.message for p in settings_problems("orders", "bad name!", {"alias": "live"})]
    assert any("not a valid state machine name" in m for m in msgs)
    assert any("aws.role_arn is not set" in m for m in msgs)
    assert any("needs aws.publish: true" in m for m in msgs)
    assert any("logging level" in p.message for p in settings_problems(
        "o", "o", {"role_arn": ROLE, "logging": {"level": "ALL"}}))
    assert settings_problems("o", "o", {"role_arn": ROLE, "publish": True, "alias": "live"}) == []


def _limits(machine="m", **settings):
    base = {"role_arn": ROLE, "publish": True}
    base.update(settings)
    return [(p.message, p.key) for p in settings_problems("m", machine, base)]


def test_aws_limits_come_from_the_api_model():
    from sfn_compiler.deploy.limits import constraints

    # the numbers are botocore's, not sfnc's: the model is read, not copied
    assert constraints("CreateStateMachine", "name").max == 80
    assert constraints("TagResource", "tags", "[]", "key").max == 128
    assert constraints("TagResource", "tags", "[]", "value").max == 256
    assert constraints("CreateStateMachineAlias", "description").max == 256

    assert _limits(tags={"k": "v" * 256, "x" * 128: "v"}) == []
    assert _limits(tags={"k": "v" * 257}) == [
        ("the value of tag 'k' has 257 characters; AWS allows at most 256 (TagResource tags.value)", ("tags", "k"))]
    assert _limits(tags={"x" * 129: "v"})[0][0].endswith("has 129 characters; AWS allows at most 128 "
                                                          "(TagResource tags.key)")
    assert _limits(tags={str(i): "v" for i in range(50)}) == []
    assert _limits(tags={str(i): "v" for i in range(51)}) == [
        ("51 tags for 'm'; AWS allows at most 50 per state machine", ("tags",))]
    assert _limits(tags={"a#b": "v", "k": "x\ty;"})[0] == (
        "the tag key 'a#b' holds '#'; AWS tags may only contain letters, digits, white space and _ . : / = + - @",
        ("tags", "a#b"))
    assert "holds ';'" in _limits(tags={"k": "x\ty;"})[0][0]         # a tab is white space; ';' is not allowed
    assert _limits(tags={"équipe": "Zürich 1/2 @ x+y=z"}) == []      # Unicode letters are
    assert "reserves" in _limits(tags={"aws:x": "v"})[0][0]


def test_name_alias_and_logging_limits():
    assert _limits("n" * 80) == []
    assert _limits("n" * 81) == [
        ("the state machine name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...' (template 'm') has 81 characters; AWS allows "
         "at most 80 (CreateStateMachine name)", ())]
    assert _limits("n" * 81, name_prefix="p-")[0][1] == ("name_prefix",)
    assert _limits("n" * 81, name="n" * 81)[0][1] == ("name",)
    alias = _limits(alias={"name": "123", "description": "d" * 257})
    assert [k for _, k in alias] == [("alias", "name"), ("alias", "description")]
    assert "does not match the pattern AWS requires" in alias[0][0]
    assert _limits(alias="x" * 81)[0][1] == ("alias",)
    long_group = "arn:aws:logs:us-east-1:123456789012:log-group:" + "g" * 220 + ":*"
    assert _limits(logging={"log_group_arn": long_group}) == [
        (f"aws.logging.log_group_arn has {len(long_group)} characters; AWS allows at most 256 "
         "(CreateStateMachine loggingConfiguration.destinations.cloudWatchLogsLogGroup.logGroupArn)",
         ("logging", "log_group_arn"))]


def test_the_env_schema_agrees_with_the_api_model():
    """The env schema repeats some limits for editors; they must be the model's."""
    from sfn_compiler.deploy.limits import MAX_TAGS, constraints

    schema = json.loads((Path(__file__).parents[2] / "src/sfn_compiler/schemas/env.schema.json").read_text())
    defs = schema["$defs"]
    assert defs["tags"]["maxProperties"] == MAX_TAGS
    assert defs["tags"]["propertyNames"]["maxLength"] == constraints("TagResource", "tags", "[]", "key").max
    alias_name = constraints("CreateStateMachineAlias", "name")
    schema_rx = re.compile(defs["alias"]["oneOf"][0]["pattern"])
    for name in ("live", "v1", "a.b", "_", "-", "x" * 80, "x" * 81, "", "1", "12", "a b", "a/b", "ü"):
        model_ok = alias_name.min <= len(name) <= alias_name.max and re.search(alias_name.pattern, name) is not None
        assert (schema_rx.search(name) is not None) == model_ok, name
    assert defs["alias"]["oneOf"][1]["properties"]["description"]["maxLength"] == \
        constraints("CreateStateMachineAlias", "description").max
    assert defs["aws"]["properties"]["version_description"]["maxLength"] == \
        constraints("UpdateStateMachine", "versionDescription").max


def test_version_description_placeholders_and_limit():
    t = Target("prod", "orders", "orders", "{}", {"version_description": "{env}@{commit} {other}"})
    assert t.version_description("abc") == "prod@abc {other}"
    assert Target("e", "o", "o", "{}", {}).version_description("abc") == "sfnc deploy e abc"
    assert len(Target("e", "o", "o", "{}", {"version_description": "x{commit}"}).version_description("y" * 300)) == 256


def test_canonical_diff_ignores_order_and_whitespace():
    a = canonical_text('{"b": 1, "a": [1, 2]}')
    b = canonical_text('{\n  "a": [1,2],\n "b":1}')
    assert a == b and unified(a, b, "x", "y") == ""
    assert canonical_text("not json") == "not json\n"


def test_summary_table_and_steps():
    t = Target("local", "orders", "t-orders", "{}", {"role_arn": ROLE, "publish": True})
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:t-orders"
    results = [Result(t, "updated", arn, arn + ":3", "live: v2 90% / v3 10%"),
               Result(Target("local", "b", "t-b", "{}", {}), "failed", None, error="CreateStateMachine: boom",
                      hint="fix it", done=["created version 1"])]
    text = summary_table(results)
    lines = text.splitlines()
    assert lines[0].split() == ["MACHINE", "TEMPLATE", "RESULT", "VERSION", "ALIAS", "ARN"]
    assert lines[1].split()[:4] == ["t-orders", "orders", "updated", "3"] and lines[1].endswith(arn)
    assert "0 created, 1 updated, 0 unchanged, 1 failed" in text
    assert "t-b: CreateStateMachine: boom (done before the failure: created version 1)" in text
    assert "  hint: fix it" in text

    plan = Plan(t, "update", arn, {"definition": "{}"}, definition_diff="--- a\n+++ b\n", tags_remove=["x"],
                alias=AliasPlan(AliasSpec("live", None, 10), arn + ":live", True,
                                [{"stateMachineVersionArn": arn + ":2", "weight": 100}], action="move"))
    assert plan.steps() == ["UpdateStateMachine (definition) (publish a version)",
                            "UpdateStateMachineAlias live: v2 100% -> v2 90% / new version 10%",
                            "UntagResource x"]


@pytest.fixture
def two_envs(project, sfnc):
    project.write("sfnc.toml", "")
    project.write("templates/orders.json", ORDERS)
    project.write("templates/billing.json", BILLING)
    project.write("envs/local.yaml", env_yaml("http://127.0.0.1:9"))
    prod = json.loads(env_yaml("http://127.0.0.1:9"))
    prod["values"]["queue"] = "q-prod"
    project.write("envs/prod.yaml", prod)
    return project


def test_diff_against_another_env(two_envs, sfnc):
    res = sfnc("diff", "--env", "local", "--against", "prod", cwd=two_envs.root)
    assert res.exit_code == 1, res
    assert "--- prod/orders.json" in res.stdout and "+++ local/orders.json" in res.stdout
    assert '-        "queue": "q-prod"' in res.stdout and '+        "queue": "q-local"' in res.stdout
    assert "billing: identical in prod and local" in res.stdout
    assert "1 of 2 definitions differ" in res.stdout
    res = sfnc("diff", "--env", "local", "--against", "prod", "billing", cwd=two_envs.root)
    assert res.exit_code == 0, res


def test_config_errors_stop_before_any_aws_call(two_envs, sfnc):
    two_envs.write("envs/local.yaml", env_yaml("http://127.0.0.1:9", publish=False, alias="live"))
    sfnc("render", "--env", "local", cwd=two_envs.root)
    res = sfnc("deploy", "--env", "local", cwd=two_envs.root)
    assert res.exit_code == 2, res
    assert "needs aws.publish: true" in res.stderr


def test_unknown_name_is_a_usage_error(two_envs, sfnc):
    sfnc("render", "--env", "local", cwd=two_envs.root)
    res = sfnc("deploy", "--env", "local", "ordres", cwd=two_envs.root)
    assert res.exit_code == 2 and "did you mean 'orders'" in res.stderr, res


def _git(root, *args):
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_uncommitted_definitions_are_refused_for_a_cloud_env_and_a_warning_locally(two_envs, sfnc):
    """docs/deploy.md: what ships is the committed file. An edit that is not committed is refused before any
    AWS call for a cloud env (no loopback endpoint); a local emulator env only warns."""
    from sfn_compiler.deploy.collect import collect_targets
    from sfn_compiler.envconfig import load_env
    from sfn_compiler.project import find_project

    cloud = json.loads(env_yaml(None))
    cloud["aws"].pop("endpoint_url", None)
    two_envs.write("envs/prod.yaml", cloud)
    for env in ("local", "prod"):
        assert sfnc("render", "--env", env, cwd=two_envs.root).exit_code == 0
    project = find_project(two_envs.root)
    _git(two_envs.root, "init", "-q")
    _git(two_envs.root, "add", "-A")
    _git(two_envs.root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "c")
    for env in ("local", "prod"):   # everything committed: nothing to say
        col = collect_targets(project, load_env(project, env), None)
        assert [t.template for t in col.targets] == ["billing", "orders"] and not col.refusals and not col.warnings
    for env in ("local", "prod"):   # a value changed and rendered (fresh), but not committed
        data = json.loads((two_envs.root / f"envs/{env}.yaml").read_text())
        data["values"]["queue"] = "q-new"
        two_envs.write(f"envs/{env}.yaml", data)
        assert sfnc("render", "--env", env, cwd=two_envs.root).exit_code == 0
    prod = collect_targets(project, load_env(project, "prod"), None)
    assert [t.template for t in prod.targets] == ["billing"]
    (refusal,) = prod.refusals
    assert refusal.message == ("orders: the definition has uncommitted changes; deploy ships only committed, reviewed "
                               "definitions") and refusal.span.file == "definitions/prod/orders.json"
    local = collect_targets(project, load_env(project, "local"), None)
    assert [t.template for t in local.targets] == ["billing", "orders"] and not local.refusals
    assert [w.severity for w in local.warnings] == ["warning"]
    res = sfnc("deploy", "--env", "prod", "--dry-run", cwd=two_envs.root)
    assert res.exit_code == 1 and "uncommitted changes" in res.stderr and "refusing to deploy" in res.stderr


def test_unreachable_local_endpoint_says_how_to_start_one(two_envs, sfnc):
    sfnc("render", "--env", "local", cwd=two_envs.root)
    res = sfnc("deploy", "--env", "local", "--dry-run", cwd=two_envs.root)
    assert res.exit_code == 2, res
    assert res.stderr.count("cannot reach http://127.0.0.1:9") == 1 and "moto_server" in res.stderr


PROBE = """
import sys
sys.argv = ["sfnc", {args}]
try:
    from sfn_compiler.cli import main
    main()
except SystemExit:
    pass
print("BOTO:" + str(any(m.split(".")[0] in ("boto3", "botocore") for m in sys.modules)))
"""


@pytest.mark.parametrize("args", ['"deploy", "--help"', '"diff", "--help"'])
def test_deploy_help_does_not_import_boto3(args):
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, check=True)
    assert "BOTO:False" in out.stdout, out.stdout


def _client_error(code: str, message: str, op: str = "CreateStateMachine"):
    from botocore.exceptions import ClientError

    return ClientError({"Error": {"Code": code, "Message": message},
                        "ResponseMetadata": {"HTTPStatusCode": 400}}, op)


def test_retries_state_machine_deleting_and_role_propagation_then_gives_a_hint():
    from sfn_compiler.deploy.client import AwsError, SfnClient

    slept: list[float] = []
    client = SfnClient(None, retry_delays=(1.0, 2.0), sleep=slept.append)
    errors = [_client_error("StateMachineDeleting", "State machine is being deleted"),
              _client_error("AccessDeniedException", "Neither the global service principal states.amazonaws.com, "
                                                     "nor the regional one is authorized to assume the provided role.")]

    def create(**kwargs):
        if errors:
            raise errors.pop(0)
        return {"stateMachineArn": "arn:x", "ResponseMetadata": {}}

    client.sfn = type("Fake", (), {"create_state_machine": staticmethod(create)})()
    assert client.create(name="m", roleArn=ROLE) == {"stateMachineArn": "arn:x"}
    assert slept == [1.0, 2.0]

    # out of retries: the error names the operation and says how to fix it
    always = [_client_error("AccessDeniedException", "Neither the global service principal states.amazonaws.com, "
                                                     "nor the regional one is authorized to assume the provided role.")] * 3
    client.sfn = type("Fake", (), {"create_state_machine": staticmethod(lambda **k: (_ for _ in ()).throw(always.pop()))})()
    with pytest.raises(AwsError) as exc:
        client.create(name="m", roleArn=ROLE)
    assert exc.value.message.startswith("CreateStateMachine: AccessDeniedException")
    assert "cannot assume arn:aws:iam::123456789012:role/r" in exc.value.hint and "trust policy" in exc.value.hint


@pytest.mark.parametrize("message,expect", [
    ("User: arn:aws:sts::1:assumed-role/Dev/s is not authorized to perform: states:CreateStateMachine", "may not call"),
    ("User: arn:aws:sts::1:assumed-role/Dev/s is not authorized to perform: iam:PassRole on resource: r", "iam:PassRole"),
])
def test_access_denied_for_the_caller_is_not_retried(message, expect):
    from sfn_compiler.deploy.client import AwsError, SfnClient

    slept: list[float] = []
    client = SfnClient(None, sleep=slept.append)

    def create(**kwargs):
        raise _client_error("AccessDeniedException", message)

    client.sfn = type("Fake", (), {"create_state_machine": staticmethod(create)})()
    with pytest.raises(AwsError) as exc:
        client.create(name="m", roleArn=ROLE)
    assert slept == [] and expect in exc.value.hint
