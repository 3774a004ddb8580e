"""envconfig: env files layered (_base, extends, --set), values referencing values, origins, schema
errors with lines, per-template aws settings and the values no template uses."""

from __future__ import annotations

import pytest

from sfn_compiler.diagnostics import Span
from sfn_compiler.envconfig import deep_merge, load_env, parse_set, unused_values, value_leaves
from sfn_compiler.errors import SfncError
from sfn_compiler.project import find_project


@pytest.fixture
def envs(project):
    project.write("sfnc.toml", "")
    project.write("envs/_base.yaml", """\
        values:
          app: "orders-${env}"
          table: "${app}-locks"
          poll: {interval: 30, max: 10}
          subnets: [a, b]
          unused: 1
        aws:
          region: us-east-1
          templates:
            orders: {type: EXPRESS}
        """)
    project.write("envs/dev.yaml", """\
        values:
          poll: {max: 3}
          subnets: [c]
        aws:
          account_id: "123456789012"
        """)
    project.write("envs/qa.yaml", """\
        extends: dev
        values:
          poll: {interval: 5}
        """)
    return find_project(project.root)


def test_layers_merge_maps_and_replace_lists(envs):
    env = load_env(envs, "dev")
    assert env.values["poll"] == {"interval": 30, "max": 3} and env.values["subnets"] == ["c"]
    assert env.values["app"] == "orders-dev" and env.values["table"] == "orders-dev-locks"
    assert [s.rsplit("/", 1)[-1] for s in env.layers] == ["_base.yaml", "dev.yaml"]


def test_extends_chain(envs):
    env = load_env(envs, "qa")
    assert env.values["poll"] == {"interval": 5, "max": 3} and env.values["app"] == "orders-qa"
    assert [s.rsplit("/", 1)[-1] for s in env.layers] == ["_base.yaml", "dev.yaml", "qa.yaml"]


def test_set_overrides_with_yaml_types_and_records_its_origin(envs):
    env = load_env(envs, "dev", ["poll.max=7", "aws.region=eu-west-1", "flag=true"])
    assert env.values["poll"]["max"] == 7 and env.values["flag"] is True and env.aws["region"] == "eu-west-1"
    assert env.origin("/values/poll/max") == Span("--set poll.max=7")
    origin = env.origin("/values/poll/interval")
    assert origin.file.endswith("_base.yaml") and (origin.line, origin.column) == (4, 20)
    assert env.origin("/values/subnets/0").file.endswith("dev.yaml")      # the list's origin: where it was set


def test_machine_settings_merge_the_template_override(envs):
    env = load_env(envs, "dev")
    assert env.machine_settings("orders") == {"region": "us-east-1", "account_id": "123456789012", "type": "EXPRESS"}
    assert "type" not in env.machine_settings("billing")


def test_unused_values_follow_references(envs):
    env = load_env(envs, "dev")
    assert value_leaves(env.values) == ["app", "table", "poll.interval", "poll.max", "subnets", "unused"]
    # `table` is used and references `app`, so `app` counts as used too
    assert unused_values(env, {"table", "poll.max"}) == ["poll.interval", "subnets", "unused"]
    assert unused_values(env, {"poll"}) == ["app", "table", "subnets", "unused"]


@pytest.mark.parametrize("files,name,message", [
    ({"envs/dev.yaml": "values: {a: 1}\nbogus: 2\n"}, "dev", "envs/dev.yaml:2:1: error: unknown key 'bogus'"),
    ({"envs/dev.yaml": "aws: {region: 3}\n"}, "dev", "envs/dev.yaml:1:15: error: aws.region: 3 is not of type 'string'"),
    ({"envs/dev.yaml": "values:\n  a: '${b}'\n  b: '${a}'\n"}, "dev", "cycle in values: a -> b -> a"),
    ({"envs/dev.yaml": "values:\n  a: '${nope}'\n"}, "dev", "envs/dev.yaml:2:6: error: no value for ${nope} in env 'dev'"),
    ({"envs/dev.yaml": "values: {}\n"}, "deb", "error: unknown env 'deb'"),
    ({"envs/dev.yaml": "extends: dev\n"}, "dev", "`extends` cycle: dev -> dev"),
])
def test_problems_are_located(project, files, name, message):
    project.write("sfnc.toml", "")
    for rel, text in files.items():
        project.write(rel, text)
    with pytest.raises(SfncError) as exc:
        load_env(find_project(project.root), name)
    assert message in str(exc.value)


def test_unknown_env_suggests(envs):
    with pytest.raises(SfncError) as exc:
        load_env(envs, "qaa")
    assert exc.value.problems[0].hint == "did you mean 'qa'? available envs: dev, qa"


def test_set_on_aws_is_schema_checked(envs):
    with pytest.raises(SfncError, match="aws.type") as exc:
        load_env(envs, "dev", ["aws.type=FAST"])
    assert exc.value.problems[0].span == Span("--set aws.type=FAST")


def test_parse_set_and_deep_merge():
    assert parse_set("a.b=[1, 2]") == (["values", "a", "b"], [1, 2])
    assert parse_set("aws.region=x") == (["aws", "region"], "x")
    assert parse_set("v=") == (["values", "v"], "")
    for bad in ("novalue", "=1", "a=[1"):
        with pytest.raises(SfncError, match="--set"):
            parse_set(bad)
    base = {"a": {"b": 1, "c": [1]}, "d": 1}
    merged = deep_merge(base, {"a": {"c": [2]}, "e": {"f": 1}})
    assert merged == {"a": {"b": 1, "c": [2]}, "d": 1, "e": {"f": 1}} and base["a"]["c"] == [1]
