"""Reading state machines out of CloudFormation, SAM and CDK templates: the definition CloudFormation would
deploy, and findings located in the file the user edits, naming the resource."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_compiler.check import CheckConfig
from sfn_compiler.check.sources import validate_extracted
from sfn_compiler.errors import SfncError
from sfn_compiler.load.cfnyaml import load_cfn_yaml_text
from sfn_compiler.load.cloudformation import Opaque, extract, read_template, state_machines


def machines(path: Path, **kw):
    tpl = read_template(path)
    assert tpl is not None
    return {m.logical_id: extract(m, **kw) for m in state_machines(tpl)}


def diags_of(ext, **cfg):
    return validate_extracted(ext, CheckConfig(**cfg))


def text_at(path: Path, line: int, column: int, n: int) -> str:
    return path.read_text().split("\n")[line - 1][column - 1:column - 1 + n]


# --------------------------------------------------------------------------------------------- YAML tags


def test_short_form_tags_read_as_long_form_objects():
    doc = load_cfn_yaml_text(
        "a: !Ref Param\n"
        "b: !GetAtt Fn.Arn\n"
        "c: !GetAtt [Fn, Arn]\n"
        "d: !Sub 'x-${AWS::Region}'\n"
        "e: !Sub ['${A}', {A: !Ref B}]\n"
        "f: !Join ['', [a, !Ref B]]\n"
        "g: !If [Cond, 1, !Ref AWS::NoValue]\n"
        "h: !Select [0, !GetAZs '']\n"
        "t: 2016-03-14T01:59:00Z\n"
        "v: 2010-09-09\n", "t.yaml")
    assert doc.data == {
        "a": {"Ref": "Param"},
        "b": {"Fn::GetAtt": ["Fn", "Arn"]},
        "c": {"Fn::GetAtt": ["Fn", "Arn"]},
        "d": {"Fn::Sub": "x-${AWS::Region}"},
        "e": {"Fn::Sub": ["${A}", {"A": {"Ref": "B"}}]},
        "f": {"Fn::Join": ["", ["a", {"Ref": "B"}]]},
        "g": {"Fn::If": ["Cond", 1, {"Ref": "AWS::NoValue"}]},
        "h": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
        "t": "2016-03-14T01:59:00Z",      # timestamps stay the text they were written as
        "v": "2010-09-09",
    }
    # positions are the tagged node's, under the long-form key too
    assert doc.locate("/b/Fn::GetAtt").line == 2
    assert doc.locate("/e/Fn::Sub/1/A/Ref").line == 5


def test_unknown_tag_is_an_error_with_its_line():
    with pytest.raises(SfncError) as exc:
        load_cfn_yaml_text("a: 1\nb: !Reff X\n", "t.yaml")
    p = exc.value.problems[0]
    assert p.span.line == 2 and "unknown tag '!Reff'" in p.message


def test_a_yaml_file_that_is_not_a_template_is_not_read(tmp_path):
    p = tmp_path / "x.yaml"
    p.write_text("Resources: 3\n")
    assert read_template(p) is None
    p.write_text("name: ci\non: push\n")
    assert read_template(p) is None


# --------------------------------------------------------------------------------------------- inline objects

SAM_INLINE = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: EXPRESS
      DefinitionSubstitutions:
        Table: orders
        Retries: 3
      Definition:
        QueryLanguage: JSONata
        StartAt: Put
        States:
          Put:
            Type: Task
            Resource: !GetAtt Worker.Arn
            Arguments:
              TableName: ${Table}
              Note: !Sub "${AWS::Region}-${!Literal}"
              Count: "{% $states.input.n + %}"
            Next: Done
          Done:
            Type: Succeed
"""


def test_inline_yaml_definition_substitutes_and_locates_in_the_template(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(SAM_INLINE)
    ext = machines(path)["Machine"]
    assert ext.kind == "sam" and ext.machine_type == "EXPRESS" and ext.resource == "Machine"
    args = ext.document.data["States"]["Put"]["Arguments"]
    assert args["TableName"] == "orders"                          # literal substitution
    assert ext.document.data["States"]["Put"]["Resource"] == "${Worker.Arn}"   # !GetAtt: opaque
    assert args["Note"] == "${AWS::Region}-${Literal}"            # !Sub: ${X} opaque, ${!X} literal
    assert ext.unknown == [("/States/Put/Arguments/Note", 15, "Literal")]
    diags = diags_of(ext)
    syntax = [d for d in diags if d.rule == "SFN301"]
    assert len(syntax) == 1
    d = syntax[0]
    assert (d.span.file, d.resource, d.template, d.pointer) == (str(path), "Machine", None, "/States/Put/Arguments/Count")
    assert d.span.line == 23 and text_at(path, d.span.line, d.span.column, 2) == "%}"     # the end of the expression
    unknown = [d for d in diags if d.rule == "SFN007"]
    assert len(unknown) == 1 and unknown[0].severity == "warning" and "${Literal}" in unknown[0].message
    assert unknown[0].span.line == 22


def test_suppression_comment_in_a_yaml_definition(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(SAM_INLINE.replace("          Done:\n", "          Done:\n            Comment: 'sfnc: ignore[SFN999] x'\n"))
    rules = {d.rule for d in diags_of(machines(path)["Machine"])}
    assert "SFN006" in rules                      # the suppression was seen (it names no known rule)


# --------------------------------------------------------------------------------------------- DefinitionString

SUB_STRING = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
  Machine:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineType: STANDARD
      DefinitionSubstitutions:
        Wait: 30
      DefinitionString: !Sub |
        {
          "StartAt": "Call",
          "States": {
            "Call": {"Type": "Task", "Resource": "${Fn.Arn}", "TimeoutSeconds": ${Timeout}, "Next": "Pause"},
            "Pause": {"Type": "Wait", "Seconds": ${!Wait}, "Next": "Nowhere"}
          }
        }
"""


def test_fn_sub_definition_string_with_unquoted_placeholders(tmp_path):
    path = tmp_path / "stack.yaml"
    path.write_text(SUB_STRING.replace("Type: AWS::Lambda::Function", "Type: AWS::Lambda::Function\n    Properties: {}"))
    ext = machines(path)["Machine"]
    states = ext.document.data["States"]
    assert states["Call"]["Resource"] == "${Fn.Arn}"
    assert states["Call"]["TimeoutSeconds"] == "${Timeout}"       # a parameter outside quotes: an opaque value
    assert states["Pause"]["Seconds"] == 30                        # ${!Wait} -> ${Wait} -> DefinitionSubstitutions 30
    [d] = [d for d in diags_of(ext) if d.rule == "SFN202"]
    assert d.resource == "Machine" and d.span.file == str(path)
    assert d.span.line == 16 and text_at(path, d.span.line, d.span.column, 9) == '"Nowhere"'


def test_related_places_and_fingerprints_of_a_definition_in_a_template(tmp_path):
    """A Next typo folds the state it leaves unreachable into one finding (issue 13); its related place is
    in the template too, and two resources with the same finding in one file have distinct fingerprints."""
    body = ('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Bb"}, '
            '"B": {"Type": "Pass", "End": true}}}')
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n"
                    "  One:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                    f"      DefinitionString: |\n        {body}\n"
                    "  Two:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                    "      Definition:\n        StartAt: A\n        States:\n"
                    "          A: {Type: Pass, Next: Bb}\n          B: {Type: Pass, End: true}\n")
    got = machines(path)
    [one] = [d for d in diags_of(got["One"]) if d.rule in ("SFN202", "SFN203")]
    [two] = [d for d in diags_of(got["Two"]) if d.rule in ("SFN202", "SFN203")]
    assert (one.rule, one.span.line, two.rule, two.span.line) == ("SFN202", 6, "SFN202", 13)
    [r1], [r2] = one.related, two.related
    assert "'B' is not reachable" in r1.message and (r1.span.file, r1.span.line, r1.template) == (str(path), 6, None)
    assert text_at(path, r1.span.line, r1.span.column, 3) == '"B"'
    assert (r2.span.file, r2.span.line, r2.template) == (str(path), 14, None)
    assert one.fingerprint != two.fingerprint and len(one.fingerprint) == 16


def test_definition_string_in_a_json_template_maps_through_escapes(tmp_path):
    definition = {"QueryLanguage": "JSONata", "StartAt": "A",
                  "States": {"A": {"Type": "Pass", "Output": "{%\n  $states.input.x +\n%}", "End": True}}}
    template = {"Resources": {"M": {"Type": "AWS::StepFunctions::StateMachine",
                                    "Properties": {"DefinitionString": json.dumps(definition), "RoleArn": "r"}}}}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template, indent=1))
    [d] = [d for d in diags_of(machines(path)["M"]) if d.rule == "SFN301"]
    raw = path.read_text().split("\n")[d.span.line - 1]
    # the error is at the end of the expression, after two escaped newlines (\\n is 3 raw chars in the file)
    assert raw[d.span.column - 1:d.span.column + 1] == "%}"


def test_invalid_json_in_a_definition_string_is_located_in_the_template(tmp_path, sfnc):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                    "      DefinitionString: |\n        {\"StartAt\": \"A\",\n         \"States\": {,}}\n")
    res = sfnc("validate", "template.yaml", "--format", "json", cwd=tmp_path)
    assert res.exit_code == 2
    [d] = json.loads(res.stdout)["diagnostics"]
    assert (d["rule"], d["file"], d["line"], d["resource"]) == ("SFN001", "template.yaml", 7, "M")
    assert text_at(path, d["line"], d["column"], 1) == ","


def test_cdk_fn_join_with_intrinsics_inside_and_outside_strings(tmp_path):
    fragments = ['{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:', {"Ref": "AWS::Partition"},
                 ':states:::lambda:invoke","Arguments":{"FunctionName":"', {"Fn::GetAtt": ["Fn", "Arn"]},
                 '"},"TimeoutSeconds":', {"Ref": "Timeout"}, ',"Next":"B"}}}']
    template = {"Resources": {"SM": {"Type": "AWS::StepFunctions::StateMachine",
                                     "Properties": {"DefinitionString": {"Fn::Join": ["", fragments]}}}},
                "Parameters": {"BootstrapVersion": {"Type": "String"}}}
    out = tmp_path / "cdk.out"
    out.mkdir()
    path = out / "Stack.template.json"
    path.write_text(json.dumps(template, indent=1))
    ext = machines(path)["SM"]
    assert ext.kind == "cdk"
    state = ext.document.data["States"]["A"]
    assert state["Resource"] == "arn:${AWS::Partition}:states:::lambda:invoke"
    assert state["Arguments"]["FunctionName"] == "${Fn.Arn}"
    assert state["TimeoutSeconds"] == "${Timeout}"
    [d] = [d for d in diags_of(ext) if d.rule == "SFN202"]
    assert text_at(path, d.span.line, d.span.column, 5) == '\\"B\\"'


def test_cdk_file_asset_is_read_through_the_assets_manifest(tmp_path):
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "asset.abc123.json").write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X"}}}\n')
    (out / "Stack.assets.json").write_text(json.dumps({"version": "36.0.0", "files": {"abc123": {
        "source": {"path": "asset.abc123.json", "packaging": "file"},
        "destinations": {"current_account-current_region": {"bucketName": "b", "objectKey": "abc123.json"}}}}}))
    template = {"Resources": {"SM": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionS3Location": {"Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
                                 "Key": "abc123.json"}}}}}
    (out / "Stack.template.json").write_text(json.dumps(template))
    ext = machines(out / "Stack.template.json")["SM"]
    assert ext.origin.endswith("asset.abc123.json")
    assert [d.rule for d in diags_of(ext)] == ["SFN204", "SFN202"]


# --------------------------------------------------------------------------------------------- substitutions


def test_substitution_values_follow_cloudformation(tmp_path):
    (tmp_path / "sm.asl.json").write_text(json.dumps({
        "StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {
            "quoted_number": "${N}", "bare_number": "X", "flag": "${Flag}", "mapped": "${Mapped}",
            "joined": "${Joined}", "ssm": "${Ssm}", "param": "${Param}"}, "End": True}}}).replace('"X"', "${N}"))
    path = tmp_path / "template.yaml"
    path.write_text("""\
Mappings:
  Names: {Tables: {Orders: orders-table}}
Resources:
  SM:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sm.asl.json
      DefinitionSubstitutions:
        N: 30
        Flag: true
        Mapped: !FindInMap [Names, Tables, Orders]
        Joined: !Join ['-', [a, b, 3]]
        Ssm: '{{resolve:ssm:/app/table}}'
        Param: !Ref TableParam
""")
    ext = machines(path)["SM"]
    assert ext.substitutions["Ssm"] == Opaque("{{resolve:ssm:/app/table}}")
    assert ext.substitutions["Param"] == Opaque("!Ref TableParam")
    assert ext.document.data["States"]["A"]["Result"] == {
        "quoted_number": "30", "bare_number": 30, "flag": "true", "mapped": "orders-table", "joined": "a-b-3",
        "ssm": "${Ssm}", "param": "${Param}"}
    assert ext.opaque == {"Ssm", "Param"}


def test_placeholders_error_mode_reports_every_deploy_time_value(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text(SAM_INLINE)
    diags = diags_of(machines(path)["Machine"], placeholders="error")
    assert {d.pointer for d in diags if d.rule == "SFN007" and d.severity == "error"} == {
        "/States/Put/Resource", "/States/Put/Arguments/Note"}


def test_express_type_from_the_template_reaches_type_rules(tmp_path):
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                    "      StateMachineType: EXPRESS\n      Definition:\n        StartAt: A\n        States:\n"
                    "          A: {Type: Task, Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', End: true}\n")
    assert "SFN114" in {d.rule for d in diags_of(machines(path)["M"])}


# --------------------------------------------------------------------------------------------- local files


def test_definition_uri_yaml_file_is_located_in_the_yaml(tmp_path):
    (tmp_path / "sm").mkdir()
    (tmp_path / "sm" / "x.asl.yaml").write_text("StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Gone\n")
    path = tmp_path / "template.yaml"
    path.write_text("Transform: AWS::Serverless-2016-10-31\nResources:\n  M:\n    Type: AWS::Serverless::StateMachine\n"
                    "    Properties:\n      DefinitionUri: sm/x.asl.yaml\n")
    ext = machines(path)["M"]
    [d] = [d for d in diags_of(ext) if d.rule == "SFN202"]
    assert d.span.file.endswith("x.asl.yaml") and (d.span.line, d.span.column) == (5, 11) and d.resource == "M"


def test_local_references_are_checked(tmp_path):
    inner = tmp_path / "proj"
    inner.mkdir()
    (tmp_path / "outside.json").write_text('{"StartAt": "A", "States": {}}')
    path = inner / "template.yaml"
    path.write_text("Resources:\n"
                    "  Up:\n    Type: AWS::Serverless::StateMachine\n    Properties: {DefinitionUri: ../outside.json}\n"
                    "  Gone:\n    Type: AWS::Serverless::StateMachine\n    Properties: {DefinitionUri: missing.json}\n"
                    "  S3:\n    Type: AWS::Serverless::StateMachine\n    Properties: {DefinitionUri: {Bucket: b, Key: k}}\n"
                    "  Both:\n    Type: AWS::StepFunctions::StateMachine\n    Properties: {DefinitionString: '{}', Definition: {}}\n")
    got = machines(path)
    assert "points outside the project" in got["Up"].problems[0].message and got["Up"].document is None
    assert "file not found" in got["Gone"].problems[0].message and got["Gone"].problems[0].span.line == 7
    assert got["S3"].skipped and "S3" in got["S3"].skipped and not got["S3"].problems
    assert "accepts exactly one" in got["Both"].invalid[0].message and not got["Both"].problems


def test_duplicate_keys_in_a_definition_string_quote_the_template_lines(tmp_path):
    """The definition text of a DefinitionString has no lines of its own: the duplicate-key message and its
    location are the template's (a YAML block, and CDK's escaped one-line Fn::Join)."""
    path = tmp_path / "template.yaml"
    path.write_text("Resources:\n"                                                   # 1
                    "  M:\n"                                                         # 2
                    "    Type: AWS::StepFunctions::StateMachine\n"                   # 3
                    "    Properties:\n"                                              # 4
                    "      DefinitionSubstitutions: {Fn: arn:aws:lambda:us-east-1:1:function:f}\n"   # 5
                    "      DefinitionString: !Sub |\n"                               # 6
                    "        {\"StartAt\": \"A\", \"States\": {\n"                   # 7
                    "          \"A\": {\"Type\": \"Task\", \"Resource\": \"${Fn}\", \"End\": true},\n"  # 8
                    "          \"A\": {\"Type\": \"Succeed\"}\n"                     # 9
                    "        }}\n")                                                  # 10
    [d] = [d for d in diags_of(machines(path)["M"]) if d.rule == "SFN002"]
    assert d.message == "duplicate key 'A': first at line 8, again at line 9; JSON keeps only the last"
    assert (d.span.file, d.span.line, d.resource) == (str(path), 9, "M")
    assert text_at(path, d.span.line, d.span.column, 3) == '"A"'
    # CDK: one line of JSON inside a JSON string, so columns are quoted
    out = tmp_path / "cdk.out"
    out.mkdir()
    cdk = {"Resources": {"SM": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
        "DefinitionString": {"Fn::Join": ["", ['{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
                                               {"Fn::GetAtt": ["Fn", "Arn"]},
                                               '","End":true},"A":{"Type":"Succeed"}}}']]}}}}}
    cpath = out / "Stack.template.json"
    cpath.write_text(json.dumps(cdk, indent=1))
    [d] = [d for d in diags_of(machines(cpath)["SM"]) if d.rule == "SFN002"]
    lines = cpath.read_text().split("\n")
    first = next(i for i, t in enumerate(lines, 1) if "StartAt" in t)       # the two fragments of the Join
    again = next(i for i, t in enumerate(lines, 1) if "Succeed" in t)
    assert d.message == f"duplicate key 'A': first at line {first}, again at line {again}; JSON keeps only the last"
    assert d.span.line == again and text_at(cpath, d.span.line, d.span.column, 5) == '\\"A\\"'
