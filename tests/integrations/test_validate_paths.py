"""`sfnc validate PATH...`: which files are read in a directory, `--exclude`, YAML definitions, no input,
and the resource in every report format."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sfn_compiler.load.discover import Excludes, discover

GOOD = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
BAD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}
BAD_SAM = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "calls ${Fn}", "Next": "B"}}}
SAM = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/sm.asl.json
      DefinitionSubstitutions: {Fn: !GetAtt F.Arn}
"""


def sam_project(root: Path) -> None:
    (root / "statemachine").mkdir(parents=True)
    (root / "statemachine" / "sm.asl.json").write_text(json.dumps(BAD_SAM, indent=2))
    (root / "template.yaml").write_text(SAM)
    (root / "package.json").write_text('{"name": "app"}')                       # not a definition
    (root / "events").mkdir()
    (root / "events" / "event.json").write_text('{"detail": {}}')
    (root / "tsconfig.json").write_text('{ // comments are fine in tsconfig\n}')  # not even JSON
    (root / ".aws-sam" / "build").mkdir(parents=True)
    (root / ".aws-sam" / "build" / "template.yaml").write_text(SAM)            # SAM's build copy
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / "node_modules" / "x" / "sm.asl.json").write_text(json.dumps(BAD))
    (root / ".github").mkdir()
    (root / ".github" / "ci.yaml").write_text("on: push\n")


def test_discover_picks_files_by_name_and_content(tmp_path):
    sam_project(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "stack.yaml").write_text("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "a.json").write_text(json.dumps(GOOD))
    (tmp_path / "flows" / "b.yaml").write_text("StartAt: A\nStates:\n  A: {Type: Succeed}\n")
    (tmp_path / "flows" / "c.json5").write_text("{// x\n}")
    (tmp_path / "flows" / "d.tftpl").write_text("{}")
    (tmp_path / "flows" / "other.tf").write_text('resource "aws_s3_bucket" "b" {}')
    inputs, problems = discover([tmp_path])
    got = {str(i.path.relative_to(tmp_path)): i.kind for i in inputs}
    assert got == {"template.yaml": "template", "statemachine/sm.asl.json": "asl", "infra/stack.yaml": "template",
                   "flows/a.json": "asl", "flows/b.yaml": "asl-yaml", "flows/c.json5": "asl", "flows/d.tftpl": "tftpl"}
    assert not problems


def test_excludes():
    ex = Excludes(["cdk.out", "**/legacy/*.json", "build/"])
    assert ex.match("cdk.out") and ex.match("a/b/cdk.out") and ex.match("cdk.out/x.template.json")
    assert ex.match("x/legacy/a.json") and ex.match("legacy/a.json") and not ex.match("x/legacy/a.yaml")
    assert ex.match("build/x") and not ex.match("rebuild/x")


def test_a_sam_project_directory(tmp_path, sfnc):
    sam_project(tmp_path)
    res = sfnc("validate", ".", "--format", "json", cwd=tmp_path)
    assert res.exit_code == 1, res
    report = json.loads(res.stdout)
    # the definition is read once, through the template (with its substitutions), not also on its own
    assert report["summary"]["files"] == 1
    assert {(d["rule"], d["file"], d["resource"]) for d in report["diagnostics"]} == {
        ("SFN202", "statemachine/sm.asl.json", "Machine"), ("SFN204", "statemachine/sm.asl.json", "Machine")}


def test_exclude_option_and_explicit_files(tmp_path, sfnc):
    sam_project(tmp_path)
    res = sfnc("validate", ".", "--exclude", "template.yaml", "--format", "json", cwd=tmp_path)
    report = json.loads(res.stdout)
    assert report["summary"]["files"] == 1
    assert {d["resource"] for d in report["diagnostics"]} == {None}          # read on its own now
    assert any(d["rule"] == "SFN007" for d in report["diagnostics"])       # with its placeholder warning
    # a file named explicitly is read even when a template would read it too
    res = sfnc("validate", "template.yaml", "statemachine/sm.asl.json", "--format", "json", cwd=tmp_path)
    assert json.loads(res.stdout)["summary"]["files"] == 2


def test_no_definitions_is_exit_2_with_a_message(tmp_path, sfnc):
    (tmp_path / "package.json").write_text("{}")
    res = sfnc("validate", ".", cwd=tmp_path)
    assert res.exit_code == 2
    assert "sfnc: error SFN012 input-not-read: no state machine definitions found in ." in res.stdout
    # the report is still written, with the problem in it, so CI uploads and shows something
    res = sfnc("validate", ".", "--format", "sarif", cwd=tmp_path)
    assert res.exit_code == 2
    run = json.loads(res.stdout)["runs"][0]
    assert run["results"] == []         # no place in a file: a notification of a failed run
    [inv] = run["invocations"]
    assert inv["executionSuccessful"] is False
    [note] = inv["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "SFN012" and "no state machine definitions found in ." in note["message"]["text"]


def test_a_missing_path_is_exit_2_after_the_others_are_reported(tmp_path, sfnc):
    (tmp_path / "a.asl.json").write_text(json.dumps(BAD))
    res = sfnc("validate", "a.asl.json", "missing.json", cwd=tmp_path)
    assert res.exit_code == 2
    assert "SFN202" in res.stdout and "missing.json: error SFN012 input-not-read: no such file or directory" in res.stdout


def test_yaml_definition_file(tmp_path, sfnc):
    (tmp_path / "flow.asl.yaml").write_text("QueryLanguage: JSONata\nStartAt: A\nStates:\n  A:\n    Type: Pass\n"
                                            "    Output: '{% $states.input. %}'\n    Next: B\n")
    res = sfnc("validate", "flow.asl.yaml", "--format", "json", cwd=tmp_path)
    diags = {d["rule"]: d for d in json.loads(res.stdout)["diagnostics"]}
    assert (diags["SFN202"]["file"], diags["SFN202"]["line"], diags["SFN202"]["column"]) == ("flow.asl.yaml", 7, 11)
    assert diags["SFN301"]["line"] == 6 and diags["SFN301"]["template"] is None
    # not a state machine
    (tmp_path / "other.yaml").write_text("a: 1\n")
    res = sfnc("validate", "other.yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "SFN004" in res.stdout
    # broken YAML
    (tmp_path / "broken.asl.yaml").write_text("StartAt: [\n")
    res = sfnc("validate", "broken.asl.yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "SFN001" in res.stdout and "broken.asl.yaml:2" in res.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_every_format_names_the_resource(tmp_path, sfnc, fmt):
    sam_project(tmp_path)
    res = sfnc("validate", "template.yaml", "--format", fmt, cwd=tmp_path)
    assert res.exit_code == 1
    out = res.stdout
    if fmt == "text":
        assert "statemachine/sm.asl.json:3:3: error SFN204" in out and "--> resource Machine at /States" in out
    elif fmt == "json":
        assert {d["resource"] for d in json.loads(out)["diagnostics"]} == {"Machine"}
    elif fmt == "sarif":
        result = json.loads(out)["runs"][0]["results"][0]
        assert result["locations"][0]["logicalLocations"][0] == {"name": "Machine", "kind": "resource"}
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "statemachine/sm.asl.json"
        assert result["properties"]["resource"] == "Machine"
    elif fmt == "github":
        assert "::error file=statemachine/sm.asl.json,line=3,col=3," in out and "[resource Machine]" in out
    else:
        case = ET.fromstring(out).find(".//testcase")
        assert case.get("name") == "statemachine/sm.asl.json (Machine)" and len(case.findall("failure")) == 2


def test_s3_definitions_are_a_note_not_an_error(tmp_path, sfnc):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        "      DefinitionS3Location: {Bucket: b, Key: k.json}\n")
    res = sfnc("validate", "template.yaml", cwd=tmp_path)
    assert ("template.yaml:2:3: info SFN013 definition-not-read: M: the definition is not read, so this machine was "
            "not checked: DefinitionS3Location is in S3") in res.stdout
    # nothing else to check: that is exit 2, in every format
    assert res.exit_code == 2 and "error SFN012 input-not-read: no state machine definitions found" in res.stdout
    (tmp_path / "other.asl.json").write_text(json.dumps(BAD))
    res = sfnc("validate", "template.yaml", "other.asl.json", "--format", "json", cwd=tmp_path)
    assert res.exit_code == 1 and {d["rule"] for d in json.loads(res.stdout)["diagnostics"]} >= {"SFN013", "SFN202"}


def test_remote_validation_of_a_template_definition(tmp_path, sfnc, monkeypatch):
    """--remote sends a definition read out of a template when nothing in it is left to the deploy, and
    AWS's diagnostics are located in the template; one with deploy-time values is not sent."""
    import boto3
    from botocore.stub import ANY, Stubber

    import sfn_compiler.check.remote as remote

    client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    monkeypatch.setattr(remote, "make_client", lambda aws=None: client)
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Static:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n"
        "        StartAt: A\n        States:\n          A: {Type: Pass, Next: B}\n          B: {Type: Succeed}\n"
        "  Dynamic:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n"
        "        StartAt: A\n        States:\n          A: {Type: Task, Resource: !GetAtt Fn.Arn, End: true}\n")
    with Stubber(client) as stub:
        stub.add_response("validate_state_machine_definition",
                          {"result": "FAIL", "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                                                              "message": "x", "location": "/States/A/Next"}],
                           "truncated": False},
                          {"definition": ANY, "type": "STANDARD", "severity": "WARNING", "maxResults": 100})
        res = sfnc("validate", "template.yaml", "--remote", "--format", "json", cwd=tmp_path)
        stub.assert_no_pending_responses()
    [d] = [d for d in json.loads(res.stdout)["diagnostics"] if d["rule"] == "SFN008"]
    assert (d["file"], d["line"], d["resource"]) == ("template.yaml", 8, "Static")


def test_remote_validation_of_a_json5_file_sends_json_and_locates_in_the_file(tmp_path, sfnc, monkeypatch):
    """A `.json5` definition (main's JSON5 reader) goes to AWS as the JSON it reads as (AWS takes no JSON5),
    and AWS's diagnostic is located, with its code frame, in the file as written."""
    import boto3
    from botocore.stub import Stubber

    import sfn_compiler.check.remote as remote

    client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    monkeypatch.setattr(remote, "make_client", lambda aws=None: client)
    (tmp_path / "sm.json5").write_text("// a comment\n{\n  StartAt: 'A',\n  States: {\n"
                                       "    A: {Type: 'Pass', Next: 'B',},\n    B: {Type: 'Succeed'},\n  },\n}\n")
    sent = {}

    def capture(params, **kw):
        sent.update(params)
    client.meta.events.register("provide-client-params.sfn.ValidateStateMachineDefinition", capture)
    with Stubber(client) as stub:
        for _ in range(2):
            stub.add_response("validate_state_machine_definition",
                              {"result": "OK", "diagnostics": [{"severity": "WARNING", "code": "X", "message": "x",
                                                                "location": "/States/A/Next"}], "truncated": False})
        res = sfnc("validate", "sm.json5", "--remote", "--format", "json", cwd=tmp_path)
        text = sfnc("validate", "sm.json5", "--remote", cwd=tmp_path).stdout
    assert json.loads(sent["definition"])["States"]["A"]["Next"] == "B"
    [d] = [d for d in json.loads(res.stdout)["diagnostics"] if d["rule"] == "SFN008"]
    assert (d["file"], d["line"], d["column"]) == ("sm.json5", 5, 29)
    assert "    5 |     A: {Type: 'Pass', Next: 'B',}," in text


def test_discover_sniffs_the_text_as_it_reads(tmp_path):
    # a YAML file with old Mac line ends (lone CR) is read as text mode reads it; bytes that are not UTF-8
    # around the words looked for do not hide them
    (tmp_path / "cr.yaml").write_bytes(b"Comment: x\rStartAt: A\rStates:\r  A: {Type: Succeed}\r")
    (tmp_path / "bad.json").write_bytes(b'{"\xff\xfe": 1, "StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    (tmp_path / "tpl.json").write_bytes(b'{"\xe2\x80": {"Type": "AWS::Serverless::StateMachine"}}')
    (tmp_path / "no.json").write_bytes(b'{"StartAt": "A"}')
    inputs, problems = discover([tmp_path])
    assert {i.path.name: i.kind for i in inputs} == {"bad.json": "asl", "cr.yaml": "asl-yaml", "tpl.json": "template"}
    assert not problems
