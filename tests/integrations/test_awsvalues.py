"""Env values from SSM parameters and CloudFormation stack outputs: `sfnc lock` reads them (on a moto
server), every other command reads the lock file and never calls AWS; secrets are refused."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

TEMPLATE = {"QueryLanguage": "JSONata", "StartAt": "Put", "States": {"Put": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
    "Arguments": {"QueueUrl": "${queue}", "MessageBody": "${table}"}, "End": True}}}


def env_file(moto_url: str, **values) -> str:
    body = {"values": {"table": {"ssm": "/app/${env}/table"},
                       "queue": {"stack_output": {"stack": "core-${env}", "output": "QueueUrl"}}, **values},
            "aws": {"region": "us-east-1", "endpoint_url": moto_url}}
    return json.dumps(body, indent=2) + "\n"


@pytest.fixture
def aws_project(project, moto):
    import boto3

    kw = dict(endpoint_url=moto, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    boto3.client("ssm", **kw).put_parameter(Name="/app/dev/table", Value="orders-dev", Type="String")
    boto3.client("ssm", **kw).put_parameter(Name="/app/dev/secret", Value="hunter2", Type="SecureString")
    boto3.client("cloudformation", **kw).create_stack(StackName="core-dev", TemplateBody=json.dumps({
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "core-dev-q"}}},
        "Outputs": {"QueueUrl": {"Value": {"Ref": "Q"}}}}))
    project.write("sfnc.toml", "")
    project.write("templates/send.json", TEMPLATE)
    project.write("envs/dev.yaml", env_file(moto))
    project.moto = moto
    project.kw = kw
    return project


@pytest.mark.moto
def test_lock_then_render_without_aws(aws_project, sfnc):
    root = aws_project.root
    res = sfnc("render", "--env", "dev", cwd=root)
    assert res.exit_code == 2
    assert "envs/dev.yaml" in res.stderr and "SSM parameter /app/dev/table is not in envs/dev.lock.json" in res.stderr
    assert "sfnc lock --env dev" in res.stderr
    res = sfnc("lock", "--env", "dev", cwd=root)
    assert res.exit_code == 0, res
    assert "wrote envs/dev.lock.json (2 values)" in res.stdout and "2 AWS lookups" in res.stderr
    lock = json.loads(aws_project.read("envs/dev.lock.json"))
    assert lock["values"]["ssm:/app/dev/table"] == {"value": "orders-dev"}
    assert lock["values"]["stack_output:core-dev/QueueUrl"]["value"].endswith("/core-dev-q")
    # the server is gone: render, validate and render --check read the lock file only
    aws_project.write("envs/dev.yaml", env_file("http://127.0.0.1:9"))
    assert sfnc("render", "--env", "dev", cwd=root).exit_code == 0
    out = json.loads(aws_project.read("definitions/dev/send.json"))["States"]["Put"]["Arguments"]
    assert out["MessageBody"] == "orders-dev" and out["QueueUrl"].endswith("/core-dev-q")
    assert sfnc("render", "--env", "dev", "--check", cwd=root).exit_code == 0
    assert sfnc("validate", "--env", "dev", cwd=root).exit_code == 0


@pytest.mark.moto
def test_lock_check_sees_drift_and_lock_is_stable(aws_project, sfnc):
    import boto3

    root = aws_project.root
    assert sfnc("lock", "--env", "dev", cwd=root).exit_code == 0
    first = aws_project.read("envs/dev.lock.json")
    res = sfnc("lock", "--env", "dev", cwd=root)
    assert "unchanged" in res.stdout and aws_project.read("envs/dev.lock.json") == first
    assert sfnc("lock", "--env", "dev", "--check", cwd=root).exit_code == 0
    boto3.client("ssm", **aws_project.kw).put_parameter(Name="/app/dev/table", Value="orders-v2", Type="String",
                                                        Overwrite=True)
    res = sfnc("lock", "--env", "dev", "--check", cwd=root)
    assert res.exit_code == 1 and "differs from AWS: ssm:/app/dev/table" in res.stdout
    assert aws_project.read("envs/dev.lock.json") == first             # --check writes nothing


@pytest.mark.moto
def test_secrets_are_refused(aws_project, sfnc):
    root = aws_project.root
    for value, message in [({"secretsmanager": "arn:aws:secretsmanager:us-east-1:1:secret:x"}, "secretsmanager values are refused"),
                           ("{{resolve:secretsmanager:db:SecretString:password}}", "secret dynamic references are refused")]:
        aws_project.write("envs/dev.yaml", env_file(aws_project.moto, pw=value))
        res = sfnc("render", "--env", "dev", cwd=root)
        assert res.exit_code == 2 and message in res.stderr
        assert "aws-sdk:secretsmanager:getSecretValue" in res.stderr and "envs/dev.yaml:" in res.stderr
    aws_project.write("envs/dev.yaml", env_file(aws_project.moto, pw={"ssm": "/app/dev/secret"}))
    res = sfnc("lock", "--env", "dev", cwd=root)
    assert res.exit_code == 2 and "is a SecureString" in res.stderr


@pytest.mark.moto
def test_lock_errors_name_the_reference(aws_project, sfnc):
    aws_project.write("envs/dev.yaml", env_file(aws_project.moto, missing={"ssm": "/nope"},
                                                 out={"stack_output": {"stack": "core-dev", "output": "Nope"}}))
    res = sfnc("lock", "--env", "dev", cwd=aws_project.root)
    assert res.exit_code == 2
    assert "SSM parameter /nope: ParameterNotFound" in res.stderr
    assert "stack core-dev has no output Nope" in res.stderr and "its outputs: QueueUrl" in res.stderr
    assert not (aws_project.root / "envs" / "dev.lock.json").exists()


def test_no_boto3_when_no_env_uses_aws_values(project):
    project.write("sfnc.toml", "")
    project.write("templates/send.json", TEMPLATE)
    project.write("envs/dev.yaml", json.dumps({"values": {"table": "t", "queue": "q"}}))
    code = ("import sys; from sfn_compiler.cli import app; from typer.testing import CliRunner; "
            "r = CliRunner().invoke(app, ['render', '--env', 'dev']); "
            "print(r.exit_code, 'boto3' in sys.modules, 'botocore' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=project.root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False", "False"]


@pytest.mark.moto
def test_deploy_refuses_a_stale_lock(aws_project, sfnc):
    """`sfnc deploy` looks the env's AWS values up itself: when SSM or a stack output changed since `sfnc
    lock`, the rendered definitions hold old values, so it refuses (exit 1, nothing changed) and says how
    to fix it; after `sfnc lock` and `sfnc render` it deploys."""
    import boto3

    root = aws_project.root
    body = json.loads(env_file(aws_project.moto))
    body["aws"].update({"account_id": "123456789012", "role_arn": "arn:aws:iam::123456789012:role/r",
                        "name_prefix": "t-"})
    aws_project.write("envs/dev.yaml", json.dumps(body, indent=2) + "\n")
    assert sfnc("lock", "--env", "dev", cwd=root).exit_code == 0
    assert sfnc("render", "--env", "dev", cwd=root).exit_code == 0
    sfn = boto3.client("stepfunctions", **aws_project.kw)
    res = sfnc("deploy", "--env", "dev", "--yes", cwd=root)
    assert res.exit_code == 0, res
    [machine] = sfn.list_state_machines()["stateMachines"]
    deployed = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["definition"]
    boto3.client("ssm", **aws_project.kw).put_parameter(Name="/app/dev/table", Value="orders-v2", Type="String",
                                                        Overwrite=True)
    res = sfnc("deploy", "--env", "dev", "--yes", cwd=root)
    assert res.exit_code == 1
    assert "envs/dev.lock.json is stale: SSM parameter /app/dev/table changed in AWS since it was locked" in res.stderr
    assert "run `sfnc lock --env dev`" in res.stderr and "refusing to deploy" in res.stderr
    assert sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["definition"] == deployed
    # the fix the message names
    assert sfnc("lock", "--env", "dev", cwd=root).exit_code == 0
    assert sfnc("render", "--env", "dev", cwd=root).exit_code == 0
    res = sfnc("deploy", "--env", "dev", "--yes", cwd=root)
    assert res.exit_code == 0, res
    new = json.loads(sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])["definition"])
    assert new["States"]["Put"]["Arguments"]["MessageBody"] == "orders-v2"
    # a parameter that is gone: the lookup fails, exit 2
    boto3.client("ssm", **aws_project.kw).delete_parameter(Name="/app/dev/table")
    res = sfnc("deploy", "--env", "dev", "--yes", cwd=root)
    assert res.exit_code == 2 and "SSM parameter /app/dev/table: ParameterNotFound" in res.stderr
