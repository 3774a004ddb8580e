"""Bad templates and Terraform files of every shape: one clear message (exit 1 or 2), never a traceback."""

from __future__ import annotations

import pytest

CFN = [
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties: 3\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: 42\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Join [1, 2]\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
    "      DefinitionString: !Join ['', [!Join ['', [!Ref X, '{']], '}']]\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionSubstitutions: [1]\n"
    "      Definition: {StartAt: A, States: {A: {Type: Succeed}}}\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
    "      Definition: {1: 2, StartAt: A, States: {A: {Type: !!binary aGVsbG8=}}}\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition: &a [*a]\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
    "      DefinitionString: !Sub ['{\"StartAt\": \"${A}\", \"States\": {}}', 5]\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionUri: /etc/passwd\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionUri: .\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
    "      Definition: {StartAt: A, States: {A: {Type: Wait, Seconds: .inf, End: true}}}\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Sub \"${\"\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition: !Ref X\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      Definition:\n"
    "        StartAt: A\n        States:\n          A: {Type: Pass, End: true, Comment: !Sub [1, 2], X: !GetAtt [a]}\n",
    "Resources:\n  M: !Ref X\n  N:\n    Type: AWS::Serverless::StateMachine\n",
    "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: |\n        {\"StartAt\": [\n",
    "Resources: [\n",
    "\xff\xfe not utf-8",
]

TF = [
    'resource "aws_sfn_state_machine" "a" {\n  definition = templatefile(var.path, {})\n}\n',
    'resource "aws_sfn_state_machine" "a" {\n  definition = jsonencode({\n    StartAt = "A"\n',
    'resource "aws_sfn_state_machine" "a" {\n  definition = <<EOF\n{"StartAt": "A"\n',
    'resource "aws_sfn_state_machine" "a" {\n  definition = "unterminated\n}\n',
    'resource "aws_sfn_state_machine" "a" {\n  definition = jsonencode({ for k, v in var.x : k => v })\n}\n',
    'resource "aws_sfn_state_machine" "a" {\n  definition = templatefile("../../../etc/x.tftpl", {})\n}\n',
    'resource "aws_sfn_state_machine" "a" {\n  definition = file("${path.module}/nope.json")\n}\n',
    'resource "aws_sfn_state_machine" "a" {\n  definition = jsonencode({ StartAt = "A", States = { A = { Type = "Pass", '
    'End = true, Result = [1, 2, {a = "b"}], "k:x" = 1 } } })\n}\n',
    'resource "aws_sfn_state_machine" "a" {',
    'resource "aws_sfn_state_machine" "a" {\n  definition = jsonencode({ StartAt = "\\u00e9", States = {} /* x */ })\n}\n',
]


@pytest.mark.parametrize("text", CFN)
def test_bad_templates(tmp_path, sfnc, text):
    (tmp_path / "t.template.yaml").write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text
                                               else b"\xff\xfe not utf-8")
    res = sfnc("validate", "t.template.yaml", cwd=tmp_path)
    assert res.exit_code in (0, 1, 2)
    assert "internal error" not in res.output and "Traceback" not in res.output


@pytest.mark.parametrize("text", TF)
def test_bad_terraform(tmp_path, sfnc, text):
    (tmp_path / "main.tf").write_text(text)
    res = sfnc("validate", ".", cwd=tmp_path)
    assert res.exit_code in (1, 2)
    assert "internal error" not in res.output and "Traceback" not in res.output
    assert "main.tf" in res.output
