"""`sfnc import`: from a SAM/CloudFormation template, and from machines deployed on a moto server, round
trips checked with `sfnc render` and `sfnc diff`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from sfn_compiler.load.cloudformation import extract, read_template, state_machines

REAL = Path(__file__).parent / "real"

SYNTHETIC = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String}
Resources:
  Worker:
    Type: AWS::Serverless::Function
  Typed:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: typed-machine
      Role: arn:aws:iam::123456789012:role/sfn
      Type: EXPRESS
      Tracing: {Enabled: true}
      Tags: {team: data, cost: 7}
      DefinitionUri: sm/typed.asl.json
      DefinitionSubstitutions:
        Quoted: 30
        Bare: 5
        Threshold: 10
        Table: orders
        Flag: true
        FnArn: !GetAtt Worker.Arn
  Inline:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      RoleArn: !GetAtt Role.Arn
      DefinitionSubstitutions: {Table: other-table}
      DefinitionString: !Sub |
        {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Task",
          "Resource": "arn:${AWS::Partition}:states:::lambda:invoke",
          "Arguments": {"FunctionName": "${Worker.Arn}", "Stage": "${Stage}", "Table": "${!Table}"},
          "TimeoutSeconds": ${Timeout}, "End": true}}}
"""
TYPED = {
    "QueryLanguage": "JSONata", "StartAt": "A",
    "States": {"A": {"Type": "Task", "Resource": "${FnArn}",
                     "Arguments": {"quoted": "${Quoted}", "table": "tbl-${Table}", "flag": "${Flag}",
                                   "check": "{% $states.input.n > ${Threshold} and $t = '${Table}' %}",
                                   "literal": "${NotSubstituted}"},
                     "TimeoutSeconds": "BARE", "End": True}},
}


def synthetic(root: Path) -> Path:
    (root / "sm").mkdir(parents=True)
    (root / "sm" / "typed.asl.json").write_text(json.dumps(TYPED, indent=2).replace('"BARE"', "${Bare}"))
    path = root / "template.yaml"
    path.write_text(SYNTHETIC)
    return path


def fill_todos(env_file: Path) -> dict[str, str]:
    """Replace every TODO value by a concrete one, as a user would; returns name -> value."""
    data = yaml.safe_load(env_file.read_text())
    filled: dict[str, str] = {}

    def walk(node, path):
        for k, v in node.items():
            p = f"{path}.{k}" if path else k
            if isinstance(v, dict):
                walk(v, p)
            elif isinstance(v, str) and v.startswith("TODO: "):
                node[k] = filled[p] = f"filled-{p}"

    walk(data["values"], "")
    env_file.write_text(yaml.safe_dump(data, sort_keys=False))
    return filled


def cloudformation_result(template: Path, logical_id: str, filled: dict[str, str], rename: dict[str, str]) -> dict:
    """What CloudFormation deploys when the deploy-time values are `filled` (independently of the importer:
    the extracted document with each opaque `${X}` replaced as text)."""
    [m] = [m for m in state_machines(read_template(template)) if m.logical_id == logical_id]
    ext = extract(m)

    def sub(node):
        if isinstance(node, dict):
            return {k: sub(v) for k, v in node.items()}
        if isinstance(node, list):
            return [sub(v) for v in node]
        if isinstance(node, str):
            return re.sub(r"\$\{([^{}]*)\}", lambda mm: filled.get(rename.get(mm.group(1), mm.group(1)), mm.group(0)), node)
        return node

    return sub(ext.document.data)


def test_import_a_sam_template_round_trips(tmp_path, sfnc):
    template = synthetic(tmp_path)
    res = sfnc("import", "template.yaml", cwd=tmp_path)
    assert res.exit_code == 0, res
    assert "rendering the import reproduces all 2 definitions" in res.stdout
    assert "values.FnArn: !GetAtt Worker.Arn" in res.stdout and "aws.templates.Inline.role_arn: !GetAtt Role.Arn" in res.stdout
    typed = json.loads((tmp_path / "templates" / "Typed.json").read_text())
    assert typed["States"]["A"]["TimeoutSeconds"] == "${Bare}"                  # was unquoted in the source
    assert typed["States"]["A"]["Arguments"]["literal"] == "$${NotSubstituted}"  # deployed literally by CloudFormation
    inline = json.loads((tmp_path / "templates" / "Inline.json").read_text())
    assert inline["States"]["A"]["Resource"] == "arn:${AWS_Partition}:states:::lambda:invoke"
    env = yaml.safe_load((tmp_path / "envs" / "dev.yaml").read_text())
    values = env["values"]
    assert values["Quoted"] == "30" and values["Bare"] == 5 and values["Threshold"] == 10 and values["Flag"] == "true"
    assert values["Worker"] == {"Arn": "TODO: !GetAtt Worker.Arn"}
    assert values["Inline"] == {"Table": "other-table"}          # the same name, another value in another machine
    assert env["aws"]["templates"]["Typed"] == {
        "role_arn": "arn:aws:iam::123456789012:role/sfn", "type": "EXPRESS", "tracing": True,
        "tags": {"team": "data", "cost": 7}, "name": "typed-machine"}
    # fill the TODOs in, render, and compare with what CloudFormation deploys with the same values
    filled = fill_todos(tmp_path / "envs" / "dev.yaml")
    assert sfnc("render", "--env", "dev", cwd=tmp_path).exit_code == 0
    for stem, rename in [("Typed", {"FnArn": "FnArn"}),
                         ("Inline", {"Worker.Arn": "Worker.Arn", "Stage": "Stage", "Timeout": "Timeout",
                                     "AWS::Partition": "AWS_Partition"})]:
        rendered = json.loads((tmp_path / "definitions" / "dev" / f"{stem}.json").read_text())
        assert rendered == cloudformation_result(template, stem, filled, rename), stem


@pytest.mark.parametrize("example", ["sam-app-meeting-summarization", "sam-shared-fallback-state-jsonata",
                                     "sam-eventbridge-getfunctionstatus"])
def test_import_real_sam_apps(tmp_path, sfnc, example):
    shutil.copytree(REAL / example, tmp_path / "app")
    root = tmp_path / "app"
    res = sfnc("import", "template.yaml", "--env", "staging", cwd=root)
    assert res.exit_code == 0, res
    assert "rendering the import reproduces all" in res.stdout
    filled = fill_todos(root / "envs" / "staging.yaml")
    assert sfnc("render", "--env", "staging", cwd=root).exit_code == 0
    for m in state_machines(read_template(root / "template.yaml")):
        rendered = json.loads((root / "definitions" / "staging" / f"{m.logical_id}.json").read_text())
        assert rendered == cloudformation_result(root / "template.yaml", m.logical_id, filled, {}), m.logical_id


def test_import_never_overwrites_without_force_and_writes_all_or_nothing(tmp_path, sfnc):
    synthetic(tmp_path)
    (tmp_path / "envs").mkdir()
    (tmp_path / "envs" / "dev.yaml").write_text("values: {keep: me}\n")
    res = sfnc("import", "template.yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "envs/dev.yaml: error: exists; not overwritten (pass --force" in res.stderr
    assert not (tmp_path / "templates").exists()                  # nothing else was written either
    assert (tmp_path / "envs" / "dev.yaml").read_text() == "values: {keep: me}\n"
    assert sfnc("import", "template.yaml", "--force", cwd=tmp_path).exit_code == 0
    assert "Quoted" in (tmp_path / "envs" / "dev.yaml").read_text()
    assert [p.name for p in (tmp_path / "envs").iterdir()] == ["dev.yaml"]      # no temporary files left


def test_import_usage_errors(tmp_path, sfnc):
    assert "nothing to import from" in sfnc("import", cwd=tmp_path).stderr
    (tmp_path / "x.yaml").write_text("a: 1\n")
    res = sfnc("import", "x.yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "not a CloudFormation template" in res.stderr


# --------------------------------------------------------------------------------------------- deployed


def definition(env: str, region: str, account: str, attempts: int, threshold: int) -> dict:
    return {
        "Comment": f"orders pipeline ({env})",
        "QueryLanguage": "JSONata",
        "StartAt": "Lock",
        "States": {
            "Lock": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                     "Arguments": {"TableName": f"ndr-{env}-locks", "Item": {"id": {"S": "{% $states.input.id %}"}}},
                     "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": attempts}], "Next": "Work"},
            "Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Arguments": {"FunctionName": f"arn:aws:lambda:{region}:{account}:function:ndr-{env}-worker",
                                   "Payload": "{% $states.input %}"},
                     "Next": "Check"},
            "Check": {"Type": "Choice", "Choices": [{"Condition": f"{{% $states.input.n > {threshold} %}}", "Next": "Done"}],
                      "Default": "Done"},
            "Done": {"Type": "Succeed", "Comment": "a literal ${NotAPlaceholder} stays"},
        },
    }


@pytest.mark.moto
def test_import_deployed_machines_round_trips_with_diff(tmp_path, sfnc, moto_url):
    import urllib.request

    import boto3

    urllib.request.urlopen(urllib.request.Request(moto_url + "/moto-api/reset", method="POST", data=b""), timeout=5)
    account = "123456789012"
    logs = boto3.client("logs", endpoint_url=moto_url, region_name="us-west-2",
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    logs.create_log_group(logGroupName="/sfn/prod")
    log_arn = f"arn:aws:logs:us-west-2:{account}:log-group:/sfn/prod:*"
    for env, region, attempts, threshold in [("dev", "us-east-1", 3, 5), ("prod", "us-west-2", 10, 50)]:
        sfn = boto3.client("stepfunctions", endpoint_url=moto_url, region_name=region,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        extra = {"loggingConfiguration": {"level": "ERROR", "includeExecutionData": False,
                                          "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": log_arn}}]},
                 "tracingConfiguration": {"enabled": True}} if env == "prod" else {}
        for stem in ("orders", "billing") if env == "dev" else ("orders",):
            sfn.create_state_machine(
                name=f"ndr-{env}-{stem}", roleArn=f"arn:aws:iam::{account}:role/ndr-{env}-sfn",
                definition=json.dumps(definition(env, region, account, attempts, threshold)),
                tags=[{"key": "env", "value": env}, {"key": "team", "value": "ml"}], **extra)
        sfn.create_state_machine(name="other-machine", roleArn=f"arn:aws:iam::{account}:role/x",
                                 definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    res = sfnc("import", "--env", "dev", "--prefix", "ndr-dev-", "--env", "prod", "--prefix", "ndr-prod-",
               "--region", "us-east-1", "--region", "us-west-2", "--endpoint-url", moto_url, cwd=tmp_path)
    assert res.exit_code == 0, res
    assert "rendering the import reproduces all 3 definitions" in res.stdout
    assert "billing: not deployed in env prod" in res.stderr
    template = json.loads((tmp_path / "templates" / "orders.json").read_text())
    states = template["States"]
    assert states["Lock"]["Arguments"]["TableName"] == "ndr-${env}-locks"
    assert states["Work"]["Arguments"]["FunctionName"] == \
        f"arn:aws:lambda:${{region}}:{account}:function:ndr-${{env}}-worker"
    assert states["Lock"]["Retry"][0]["MaxAttempts"] == "${orders.Lock_MaxAttempts}"
    assert states["Check"]["Choices"][0]["Condition"] == "${orders.Check_Condition}"     # JSONata: a whole value
    assert states["Done"]["Comment"] == "a literal $${NotAPlaceholder} stays"
    assert template["Comment"] == "orders pipeline (${env})"
    dev = yaml.safe_load((tmp_path / "envs" / "dev.yaml").read_text())
    prod = yaml.safe_load((tmp_path / "envs" / "prod.yaml").read_text())
    assert dev["aws"]["role_arn"] == f"arn:aws:iam::{account}:role/ndr-dev-sfn" and dev["aws"]["region"] == "us-east-1"
    assert prod["aws"]["logging"] == {"level": "ERROR", "include_execution_data": False, "log_group_arn": log_arn}
    assert prod["aws"]["tracing"] is True and prod["aws"]["tags"] == {"env": "prod", "team": "ml"}
    assert prod["aws"]["templates"]["billing"] == {"skip": True}
    assert sfnc("render", "--all-envs", cwd=tmp_path).exit_code == 0
    for env in ("dev", "prod"):
        diff = sfnc("diff", "--env", env, cwd=tmp_path)
        assert diff.exit_code == 0, diff
    # and a real change is seen
    path = tmp_path / "envs" / "prod.yaml"
    path.write_text(path.read_text().replace("role/ndr-prod-sfn", "role/another"))
    diff = sfnc("diff", "--env", "prod", cwd=tmp_path)
    assert diff.exit_code == 1 and "role" in diff.stdout
