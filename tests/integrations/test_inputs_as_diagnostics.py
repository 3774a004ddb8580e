"""Every report format is written on every exit code: what stops sfnc from checking something (a template
that does not render, an env file that does not load, a file that cannot be read) and what it cannot read
(a definition in S3), and an env value no template uses, are diagnostics with rule ids (SFN010-SFN015) in text, JSON, SARIF, GitHub annotations
and JUnit, at the file and line that is wrong. Each rule is shown firing and staying quiet."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = json.loads((REPO / "tests" / "report" / "sarif-2.1.0" / "sarif-schema-2.1.0.json").read_text())
OK = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "${c}", "End": True}}}


def reports(sfnc, args: list[str], cwd: Path) -> dict:
    """`sfnc validate ARGS` in every format: {format: (exit code, stdout)}; the SARIF checked against the
    official schema; the exit code the same in every format."""
    out = {}
    for fmt in ("text", "json", "sarif", "github", "junit"):
        res = sfnc("validate", *args, "--format", fmt, cwd=cwd)
        assert res.stdout, fmt
        out[fmt] = (res.exit_code, res.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(out["sarif"][1]))
    ET.fromstring(out["junit"][1])
    assert len({code for code, _ in out.values()}) == 1, {f: c for f, (c, _) in out.items()}
    return out


def by_rule(out: dict, rule: str) -> list[dict]:
    return [d for d in json.loads(out["json"][1])["diagnostics"] if d["rule"] == rule]


def sarif_run(out: dict) -> dict:
    return json.loads(out["sarif"][1])["runs"][0]


def project(root: Path, env_text: str = "values: {c: hi}\n") -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "envs").mkdir()
    (root / "sfnc.toml").write_text("")
    (root / "templates" / "a.json").write_text(json.dumps(OK, indent=2) + "\n")
    (root / "envs" / "dev.yaml").write_text(env_text)
    return root


def test_env_problems_are_sfn011(tmp_path, sfnc):
    good = project(tmp_path / "good")
    out = reports(sfnc, [], good)
    assert out["text"][0] == 0 and not by_rule(out, "SFN011")
    # an unknown key in the env file: at its line, for that env; the other env is still checked
    bad = project(tmp_path / "bad", "values: {c: hi}\nbogus: 1\n")
    (bad / "envs" / "prod.yaml").write_text("values: {c: 5}\n")
    out = reports(sfnc, [], bad)
    assert out["text"][0] == 2
    [d] = by_rule(out, "SFN011")
    assert (d["file"], d["line"], d["env"], d["severity"]) == ("envs/dev.yaml", 2, "dev", "error")
    assert "unknown key 'bogus'" in d["message"]
    assert by_rule(out, "SFN107")                                 # prod rendered: its finding is there
    assert "envs/dev.yaml:2:1: error SFN011 config-invalid: unknown key 'bogus'" in out["text"][1]
    assert "::error file=envs/dev.yaml,line=2,col=1,title=SFN011 config-invalid::" in out["github"][1]
    run = sarif_run(out)
    assert run["invocations"][0]["executionSuccessful"] is False
    assert any(r["ruleId"] == "SFN011" for r in run["results"])
    assert 'name="envs/dev.yaml [dev]"' in out["junit"][1]
    # an env that does not exist: no file to point at, still in every report
    out = reports(sfnc, ["--env", "nope"], good)
    assert out["text"][0] == 2
    [d] = by_rule(out, "SFN011")
    assert d["message"] == "unknown env 'nope'" and d["file"] == ""
    [note] = sarif_run(out)["invocations"][0]["toolExecutionNotifications"]
    assert note["descriptor"]["id"] == "SFN011" and "unknown env 'nope'" in note["message"]["text"]
    assert "::error title=SFN011 config-invalid::unknown env 'nope'" in out["github"][1]
    # a value from AWS that is not locked
    locked = project(tmp_path / "locked", "values: {c: {ssm: /app/c}}\n")
    out = reports(sfnc, [], locked)
    [d] = by_rule(out, "SFN011")
    assert "SSM parameter /app/c is not in envs/dev.lock.json" in d["message"] and "sfnc lock --env dev" in d["hint"]
    # the project's rule config: nothing can be checked
    (good / "sfnc.toml").write_text("[validate]\nselect = ['NOPE']\n")
    out = reports(sfnc, [], good)
    assert out["text"][0] == 2 and by_rule(out, "SFN011")


def test_a_dangling_symlink_or_a_symlink_loop_says_which(tmp_path, sfnc):
    (tmp_path / "dangling.json").symlink_to(tmp_path / "gone.json")
    (tmp_path / "loop1.json").symlink_to(tmp_path / "loop2.json")
    (tmp_path / "loop2.json").symlink_to(tmp_path / "loop1.json")
    out = reports(sfnc, ["dangling.json", "loop1.json"], tmp_path)
    assert out["text"][0] == 2
    messages = {d["file"]: d["message"] for d in by_rule(out, "SFN012")}
    assert messages == {"dangling.json": f"a symlink to {tmp_path / 'gone.json'}, which does not exist",
                        "loop1.json": "a symlink loop (too many levels of symbolic links)"}


def test_missing_inputs_are_sfn012(tmp_path, sfnc):
    (tmp_path / "ok.asl.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    out = reports(sfnc, ["ok.asl.json"], tmp_path)
    assert out["text"][0] == 0 and not by_rule(out, "SFN012")
    out = reports(sfnc, ["ok.asl.json", "gone.json"], tmp_path)
    assert out["text"][0] == 2
    [d] = by_rule(out, "SFN012")
    assert (d["file"], d["message"]) == ("gone.json", "no such file or directory")
    assert out["text"][1].startswith("gone.json: error SFN012 input-not-read: no such file or directory")
    # a DefinitionUri that points at nothing: at the template line, naming the resource
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Machine:\n    Type: AWS::Serverless::StateMachine\n"
        "    Properties:\n      DefinitionUri: statemachine/missing.asl.json\n")
    out = reports(sfnc, ["template.yaml"], tmp_path)
    assert out["text"][0] == 2
    missing = [d for d in by_rule(out, "SFN012") if "file not found" in d["message"]]
    assert [(d["file"], d["line"], d["resource"]) for d in missing] == [("template.yaml", 6, "Machine")]
    assert "::error file=template.yaml,line=6," in out["github"][1]
    # a file that is not UTF-8
    (tmp_path / "latin.asl.json").write_bytes(b'{"Comment": "caf\xe9"}')
    out = reports(sfnc, ["latin.asl.json"], tmp_path)
    assert out["text"][0] == 2 and by_rule(out, "SFN012")[0]["file"] == "latin.asl.json"


def test_definitions_not_read_are_sfn013(tmp_path, sfnc):
    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Local:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        "      Definition: {StartAt: A, States: {A: {Type: Succeed}}}\n"
        "  Remote:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        "      DefinitionS3Location: {Bucket: b, Key: k.json}\n")
    out = reports(sfnc, ["template.yaml"], tmp_path)
    assert out["text"][0] == 0                                    # information: not a failure, not even --strict
    assert sfnc("validate", "template.yaml", "--strict", cwd=tmp_path).exit_code == 0
    [d] = by_rule(out, "SFN013")
    assert (d["file"], d["line"], d["resource"], d["severity"]) == ("template.yaml", 6, "Remote", "info")
    assert "::notice file=template.yaml,line=6,col=3,title=SFN013 definition-not-read::" in out["github"][1]
    assert [r["level"] for r in sarif_run(out)["results"]] == ["note"]
    assert [r for r in by_rule(out, "SFN013") if r["resource"] == "Local"] == []      # read: quiet
    out = reports(sfnc, ["template.yaml", "--ignore", "SFN013"], tmp_path)
    assert not by_rule(out, "SFN013")


def test_invalid_template_properties_are_sfn014(tmp_path, sfnc):
    template = ("Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
                "      DefinitionSubstitutions: {Good: x%s}\n"
                "      Definition: {StartAt: A, States: {A: {Type: Pass, Comment: '${Good}', End: true}}}\n")
    (tmp_path / "template.yaml").write_text(template % "")
    out = reports(sfnc, ["template.yaml"], tmp_path)
    assert out["text"][0] == 0 and not by_rule(out, "SFN014")
    (tmp_path / "template.yaml").write_text(template % ", Bad: [1, 2]")
    out = reports(sfnc, ["template.yaml"], tmp_path)
    assert out["text"][0] == 1                     # the definition was still checked: a finding, not exit 2
    [d] = by_rule(out, "SFN014")
    assert (d["file"], d["line"], d["resource"]) == ("template.yaml", 5, "M")
    assert "DefinitionSubstitutions 'Bad'" in d["message"]
    (tmp_path / "template.yaml").write_text(template % "" + "      DefinitionString: '{}'\n")
    [d] = by_rule(reports(sfnc, ["template.yaml"], tmp_path), "SFN014")
    assert "are both set" in d["message"] and d["line"] == 7


def test_sfnc_test_reports_setup_problems(tmp_path, sfnc):
    """`sfnc test --format json/junit`: a template that does not render, an env that does not load and a
    scenario directory with no template are in the report (exit 2), beside the scenarios that ran."""
    root = project(tmp_path / "p")
    (root / "templates" / "b.json").write_text(json.dumps({**OK, "States": {"A": {**OK["States"]["A"],
                                                                                  "Comment": "${missing}"}}}))
    for name in ("a", "b", "zz"):
        (root / "tests" / "scenarios" / name).mkdir(parents=True)
        (root / "tests" / "scenarios" / name / "ok.yaml").write_text("input: {}\nexpect: {status: SUCCEEDED}\n")
    res = sfnc("test", "--env", "dev", "--format", "json", cwd=root)
    assert res.exit_code == 2
    report = json.loads(res.stdout)
    assert [m["machine"] for m in report["machines"]] == ["a"] and report["summary"]["failed"] == 0
    got = {(p["rule"], p["file"]) for p in report["problems"]}
    assert got == {("SFN010", "templates/b.json"), (None, "tests/scenarios/zz")}
    res = sfnc("test", "--env", "dev", "--format", "junit", cwd=root)
    xml = ET.fromstring(res.stdout)
    assert (xml.get("tests"), xml.get("errors"), xml.get("failures")) == ("3", "2", "0")
    errors = {c.get("name"): c.find("error").get("type") for c in xml.iter("testcase") if c.find("error") is not None}
    assert errors == {"templates/b.json:1:91": "SFN010 template-not-rendered", "tests/scenarios/zz": "sfnc"}
    # an env that does not load: the report is still written
    (root / "envs" / "dev.yaml").write_text("values: {c: hi}\nbogus: 1\n")
    res = sfnc("test", "--env", "dev", "--format", "junit", "-o", "report.xml", cwd=root)
    assert res.exit_code == 2
    [case] = ET.parse(root / "report.xml").getroot().iter("testcase")
    assert case.find("error").get("type") == "SFN011 config-invalid" and case.get("name") == "envs/dev.yaml:2:1"


def test_unused_env_values_are_sfn015(tmp_path, sfnc):
    good = project(tmp_path / "good")
    out = reports(sfnc, [], good)
    assert out["text"][0] == 0 and not by_rule(out, "SFN015")
    # a misspelled key in envs/_base.yaml: one warning at its line, for every env that inherits it
    bad = project(tmp_path / "bad", "values: {c: hi, table: t-dev}\n")
    (bad / "templates" / "a.json").write_text(json.dumps(OK).replace("${c}", "${c} ${table}"))
    (bad / "envs" / "_base.yaml").write_text("values:\n  tabel: x\n")
    (bad / "envs" / "prod.yaml").write_text("values: {c: there, table: t-prod}\n")
    out = reports(sfnc, [], bad)
    assert out["text"][0] == 0
    [d] = by_rule(out, "SFN015")
    assert (d["severity"], d["name"], d["file"], d["line"], d["env"]) == (
        "warning", "env-value-unused", "envs/_base.yaml", 2, "dev, prod")
    assert d["message"] == "value 'tabel' is not used by any template" and d["hint"].startswith("did you mean 'table'?")
    assert [r["ruleId"] for r in sarif_run(out)["results"]] == ["SFN015"]
    assert "::warning file=envs/_base.yaml,line=2,col=10,title=SFN015 env-value-unused::" in out["github"][1]
    assert sfnc("validate", "--strict", cwd=bad).exit_code == 1
    quiet = sfnc("validate", "--ignore", "SFN015", "--format", "json", cwd=bad)
    assert quiet.exit_code == 0 and not [d for d in json.loads(quiet.stdout)["diagnostics"]]


@pytest.mark.parametrize("rule", ["SFN010", "SFN011", "SFN012", "SFN013", "SFN014", "SFN015"])
def test_input_rules_are_documented(rule, sfnc):
    res = sfnc("explain", rule)
    assert res.exit_code == 0 and "## Why" in res.stdout and "## How to fix" in res.stdout


def test_a_mistyped_yaml_tag_is_one_message_at_its_line(tmp_path, sfnc):
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Machine:\n    Type: AWS::Serverless::StateMachine\n"
        "    Properties:\n      DefinitionUri: statemachine/sm.asl.json\n      DefinitionSubstitutions:\n"
        "        Fn: !GetAttr Worker.Arn\n")
    out = reports(sfnc, ["."], tmp_path)
    assert out["text"][0] == 2
    [d] = json.loads(out["json"][1])["diagnostics"]
    assert (d["rule"], d["file"], d["line"], d["column"]) == ("SFN001", "template.yaml", 8, 13)
    assert d["message"] == "invalid YAML: unknown tag '!GetAttr' (did you mean '!GetAtt'?)"
    assert d["hint"] == "fix the YAML at this position"


def test_parse_errors_in_templates_have_the_readers_words_and_a_code_frame(tmp_path, sfnc):
    """One home for parse-error words (issue 13: load.yamldoc / load.jsondoc): a CloudFormation/SAM YAML
    template, a JSON DefinitionString inside it, an `.asl.yaml` file and an env file get the same words,
    at the same places, with a code frame, as an ASL JSON file does."""
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition:\n"
        "        StartAt: \"A\n        States: {}\n")
    text = sfnc("validate", "template.yaml", cwd=tmp_path).stdout
    assert ("template.yaml:6:18: error SFN001 invalid-json: invalid YAML: a quoted string that opens here is never "
            "closed\n      6 |         StartAt: \"A\n        |                  ^\n  hint: fix the YAML") in text
    (tmp_path / "string.yaml").write_text(
        "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n"
        "      DefinitionString: |\n        {\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true,}}}\n")
    text = sfnc("validate", "string.yaml", cwd=tmp_path).stdout
    assert "string.yaml:6:70: error SFN001 invalid-json: the definition is not valid JSON: trailing comma" in text
    assert '    6 |         {"StartAt": "A"' in text and "hint: fix the JSON at this position" in text
    (tmp_path / "sm.asl.yaml").write_text("StartAt: A\nStates:\n\tA: {Type: Pass, End: true}\n")
    text = sfnc("validate", "sm.asl.yaml", cwd=tmp_path).stdout
    assert "sm.asl.yaml:3:1: error SFN001 invalid-json: invalid YAML: a tab character" in text
    assert "      3 | \tA: {Type: Pass, End: true}\n        | ^" in text
    root = project(tmp_path / "p", "values: {c: hi\n")
    text = sfnc("validate", cwd=root).stdout
    assert ("envs/dev.yaml:1:9: error SFN011 config-invalid: invalid YAML: a '{' mapping that opens here is not "
            "closed") in text and "      1 | values: {c: hi\n        |         ^" in text
