"""The validator's runner and reports, independent of any one rule: parse-stage checks, suppressions,
config selection, locations through the source map, every output format, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from sfn_compiler.check import CheckConfig, Finding, Rule, Severity, validate_text
from sfn_compiler.check import registry
from sfn_compiler.check.rules.document import RULES as DOCUMENT_RULES

HERE = Path(__file__).parent
VALID = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}}


class FlagPass(Rule):
    """A stand-in rule: flags every Pass state (the real rules are tested in tests/check)."""
    id = "SFN999"
    name = "test-pass-state"
    group = "testing"
    severity = Severity.WARNING
    summary = "flags Pass states"
    sources = ("test",)

    def check(self, ctx):
        for name, state in ctx.document.get("States", {}).items():
            if isinstance(state, dict) and state.get("Type") == "Pass":
                yield Finding(f"/States/{name}/Type", f"State {name!r} is a Pass state", hint="use a Task")


class Crashes(Rule):
    id = "SFN998"
    name = "test-crashes"
    group = "testing"
    summary = "always crashes"
    sources = ("test",)

    def check(self, ctx):
        raise ValueError("boom")


@pytest.fixture
def fake_rules(monkeypatch):
    monkeypatch.setattr(registry, "all_rules", lambda: tuple(DOCUMENT_RULES) + (FlagPass, Crashes))
    import sfn_compiler.check.runner as runner
    monkeypatch.setattr(runner, "all_rules", lambda: tuple(DOCUMENT_RULES) + (FlagPass, Crashes))


def run(doc, **cfg):
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2)
    return validate_text(text, "sm.json", CheckConfig(**cfg))


def rules_of(diags):
    return [d.rule for d in diags]


def test_definition_too_large():
    doc = dict(VALID, Comment="x" * 1_048_600)
    assert "SFN003" in rules_of(run(doc))


def test_invalid_json_is_located():
    d = run('{\n  "StartAt": "A",\n  "States": {,}\n}')
    assert [(x.rule, x.span.line, x.span.column) for x in d] == [("SFN001", 3, 14)]


def test_duplicate_key_points_at_second_occurrence():
    d = [x for x in run('{\n "StartAt": "A",\n "States": {\n  "A": {"Type": "Succeed"},\n  "A": {"Type": "Fail"}\n }\n}') if x.rule == "SFN002"]
    assert (d[0].span.line, d[0].span.column) == (5, 3) and "first at line 4, again at line 5" in d[0].message


@pytest.mark.parametrize("doc", ['[1, 2]', '{"Resources": {}}', '"text"'])
def test_not_a_state_machine(doc):
    assert rules_of(run(doc)) == ["SFN004"]


def test_rule_findings_are_located_with_frame(fake_rules):
    d = [x for x in run(VALID) if x.rule == "SFN999"][0]
    assert (d.span.line, d.span.column, d.pointer) == (5, 15, "/States/A/Type")
    assert d.frame.splitlines()[0].endswith('"Type": "Pass",') and d.frame.splitlines()[1].endswith("^")


def test_crashing_rule_is_reported_not_raised(fake_rules):
    d = [x for x in run(VALID) if x.rule == "SFN009"]
    assert len(d) == 1 and "SFN998 test-crashes crashed: ValueError: boom" in d[0].message


def test_select_ignore_severity(fake_rules):
    assert "SFN999" not in rules_of(run(VALID, ignore=["test-pass-state"]))
    assert "SFN999" not in rules_of(run(VALID, ignore=["testing"]))
    assert rules_of(run(VALID, select=["SFN999"])) == ["SFN999"]
    d = run(VALID, select=["SFN99"], severity={"test-pass-state": "error"})
    assert [x.severity for x in d if x.rule == "SFN999"] == ["error"]


def test_per_path_ignores(fake_rules):
    assert "SFN999" not in rules_of(run(VALID, per_path_ignores={"*.json": ["SFN999"]}))
    assert "SFN999" in rules_of(run(VALID, per_path_ignores={"legacy/*.json": ["SFN999"]}))


def test_inline_suppression_and_unused_and_invalid(fake_rules):
    doc = json.loads(json.dumps(VALID))
    doc["States"]["A"]["Comment"] = "sfnc: ignore[test-pass-state] demo only"
    assert "SFN999" not in rules_of(run(doc, select=["SFN999", "suppression"]))
    doc["States"]["B"]["Comment"] = "sfnc: ignore[SFN999, nope]"
    d = run(doc, select=["SFN999", "suppression"])
    assert sorted(rules_of(d)) == ["SFN005", "SFN006"]
    unused = [x for x in d if x.rule == "SFN005"][0]
    assert unused.pointer == "/States/B/Comment" and "ignore[SFN999]" in unused.message


def test_top_level_suppression_covers_file(fake_rules):
    doc = dict(VALID, Comment="sfnc: ignore[SFN999] whole file")
    assert "SFN999" not in rules_of(run(doc, select=["SFN999", "suppression"]))


def test_unrendered_placeholders_warn_once_or_error():
    doc = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "TimeoutSeconds": "${T}", "End": True}}}
    assert rules_of(run(doc, select=["SFN007"])) == ["SFN007"]
    assert rules_of(run(doc, select=["SFN007"], placeholders="opaque")) == []
    assert rules_of(run(doc, select=["SFN007"], placeholders="error")) == ["SFN007", "SFN007"]


def test_a_placeholder_written_with_json_escapes_is_still_found():
    # the search skips a text without `${`; a `$` or `{` written as \u0024 / \u007b is one too
    for escaped in ('"\\u0024{Env}"', '"$\\u007bEnv}"'):
        text = '{"Comment": ' + escaped + ', "StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'
        assert rules_of(run(text, select=["SFN007"])) == ["SFN007"], text
    assert rules_of(run(VALID, select=["SFN007"])) == []


def test_config_rejects_unknown_selectors():
    from sfn_compiler.errors import SfncError

    with pytest.raises(SfncError, match="unknown rule selector"):
        CheckConfig.from_settings({"validate": {"ignore": ["SFN-nope"]}})
    with pytest.raises(SfncError, match="unknown setting"):
        CheckConfig.from_settings({"validate": {"ignroe": []}})


# --- report formats --------------------------------------------------------------------------------

def sample_diags(fake=True):
    doc = json.loads(json.dumps(VALID))
    return run(doc)


def test_json_format_is_stable(fake_rules, sfnc, tmp_path):
    (tmp_path / "sm.json").write_text(json.dumps(VALID, indent=2))
    res = sfnc("validate", str(tmp_path / "sm.json"), "--format", "json", "--select", "SFN999", cwd=tmp_path)
    data = json.loads(res.stdout)
    assert data["version"] == 1
    keys = {"rule", "name", "severity", "message", "hint", "pointer", "file", "line", "column", "template", "env"}
    assert keys <= set(data["diagnostics"][0])
    assert data["summary"]["warnings"] == 1 and data["summary"]["errors"] == 0
    assert res.exit_code == 0                          # warnings alone pass
    res = sfnc("validate", str(tmp_path / "sm.json"), "--select", "SFN999", "--strict", cwd=tmp_path)
    assert res.exit_code == 1                          # ... unless --strict


def test_sarif_is_valid(fake_rules, sfnc, tmp_path):
    (tmp_path / "sm.json").write_text(json.dumps(VALID, indent=2))
    res = sfnc("validate", str(tmp_path / "sm.json"), "-f", "sarif", cwd=tmp_path)
    sarif = json.loads(res.stdout)
    schema = json.loads((HERE.parent / "report" / "sarif-2.1.0" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema, format_checker=jsonschema.FormatChecker())
    result = sarif["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    ids = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert ids[result["ruleIndex"]] == result["ruleId"]


def test_github_annotations(fake_rules, sfnc, tmp_path):
    (tmp_path / "sm.json").write_text(json.dumps(VALID, indent=2))
    res = sfnc("validate", "sm.json", "-f", "github", "--select", "SFN999", cwd=tmp_path)
    line = res.stdout.splitlines()[0]
    assert line.startswith("::warning file=sm.json,line=5,col=15,title=SFN999 test-pass-state::State 'A' is a Pass state")


def test_junit(fake_rules, sfnc, tmp_path):
    (tmp_path / "sm.json").write_text(json.dumps(VALID, indent=2))
    (tmp_path / "bad.json").write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Fail"}}}')
    res = sfnc("validate", "sm.json", "bad.json", "-f", "junit", "--ignore", "SFN009", cwd=tmp_path)
    root = ET.fromstring(res.stdout)
    cases = root.findall(".//testcase")
    assert sorted(c.get("name") for c in cases) == ["bad.json", "sm.json"]
    assert root.get("failures") == "1" and res.exit_code == 1


def test_text_output_and_exit_codes(sfnc, tmp_path):
    (tmp_path / "ok.json").write_text(json.dumps(VALID))
    (tmp_path / "broken.json").write_text("{oops")
    (tmp_path / "cfn.json").write_text('{"Resources": {}}')
    assert sfnc("validate", "ok.json", cwd=tmp_path).exit_code == 0
    res = sfnc("validate", "broken.json", cwd=tmp_path)
    assert res.exit_code == 2 and "broken.json:1:2: error SFN001 invalid-json" in res.stdout
    res = sfnc("validate", "cfn.json", cwd=tmp_path)
    assert res.exit_code == 2 and "not a state machine" in res.stdout
    res = sfnc("validate", "missing.json", cwd=tmp_path)
    assert res.exit_code == 2 and "missing.json: error SFN012 input-not-read: no such file" in res.stdout
    res = sfnc("validate", "ok.json", "-f", "yaml", cwd=tmp_path)
    assert res.exit_code == 2 and "unknown format" in res.stderr


def test_validate_directory_and_output_file(sfnc, tmp_path):
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "a.json").write_text(json.dumps(VALID))
    (tmp_path / "defs" / "b.json").write_text(json.dumps(VALID))
    res = sfnc("validate", "defs", "-f", "json", "-o", "report.json", cwd=tmp_path)
    assert res.exit_code == 0 and json.loads((tmp_path / "report.json").read_text())["summary"]["files"] == 2


def test_rules_and_explain(sfnc, tmp_path):
    res = sfnc("rules", cwd=tmp_path)
    assert "SFN001  invalid-json" in res.stdout
    res = sfnc("explain", "duplicate-key", cwd=tmp_path)
    assert res.exit_code == 0 and "## SFN002 duplicate-key" in res.stdout and "Example (fires)" in res.stdout
    res = sfnc("explain", "duplicat-key", cwd=tmp_path)
    assert res.exit_code == 2 and "did you mean 'duplicate-key'" in res.stderr


def test_validate_project_maps_to_template(sfnc, project):
    project.write("templates/t.json", {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
        "A": {"Type": "Succeed", "Comment": "${c}"}, "A2": {"Type": "Succeed"}}})
    (project.root / "templates/t.json").write_text(
        '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Succeed", "Comment": "${c}"},\n'
        '    "A": {"Type": "Fail"}\n  }\n}\n')
    project.write("envs/dev.yaml", "values:\n  c: hi\n")
    res = sfnc("validate", "--env", "dev", cwd=project.root)
    # a broken template is an input error, in the report at its line
    assert res.exit_code == 2 and "templates/t.json:5:5: error SFN010 template-not-rendered: duplicate key 'A'" in res.stdout


def test_remote_validation_with_stubber(tmp_path):
    """moto does not implement ValidateStateMachineDefinition, so the AWS call is stubbed."""
    import boto3
    from botocore.stub import Stubber

    from sfn_compiler.check.remote import remote_diagnostics
    from sfn_compiler.load import load_json_text

    text = json.dumps(VALID, indent=2)
    doc = load_json_text(text, "sm.json")
    client = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with Stubber(client) as stub:
        stub.add_response("validate_state_machine_definition",
                          {"result": "FAIL", "diagnostics": [{"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET",
                                                              "message": "Missing 'Next' target: C", "location": "/States/A/Next"}],
                           "truncated": False},
                          {"definition": text, "type": "STANDARD", "severity": "WARNING", "maxResults": 100})
        diags = remote_diagnostics(client, doc, CheckConfig())
    assert [(d.rule, d.severity, d.span.line) for d in diags] == [("SFN008", "error", 6)]
    assert "MISSING_TRANSITION_TARGET" in diags[0].message


def test_validate_env_points_at_template_and_rendered_file(fake_rules, sfnc, project):
    (project.root / "templates").mkdir()
    (project.root / "templates/t.json").write_text(
        '{\n  "StartAt": "A",\n  "States": {\n    "A": {"Type": "Pass", "Comment": "${c}", "Next": "B"},\n'
        '    "B": {"Type": "Succeed"}\n  }\n}\n')
    project.write("envs/dev.yaml", "values:\n  c: hi\n")
    project.write("envs/prod.yaml", "values:\n  c: hello\n")
    res = sfnc("validate", "-f", "json", "--select", "SFN999", cwd=project.root)
    assert res.exit_code == 0, res
    data = json.loads(res.stdout)
    [d] = data["diagnostics"]                      # the same finding in two envs is reported once
    assert d["template"] == "templates/t.json:4:19" and d["env"] == "dev, prod"
    assert d["file"] == "definitions/dev/t.json" and d["pointer"] == "/States/A/Type"
    assert data["summary"]["envs"] == ["dev", "prod"] and data["summary"]["files"] == 2
    res = sfnc("validate", "--env", "prod", "--select", "SFN999", cwd=project.root)
    assert res.stdout.startswith("templates/t.json:4:19: warning SFN999 test-pass-state: State 'A' is a Pass state")
    assert "--> definitions/prod/t.json:" in res.stdout and '    4 |     "A": {"Type": "Pass"' in res.stdout


def test_a_definition_rendered_identically_in_two_envs_is_checked_once(fake_rules, sfnc, project, monkeypatch):
    import sfn_compiler.check.runner as runner

    calls = []
    real = runner.run_rules
    monkeypatch.setattr(runner, "run_rules", lambda *a, **k: calls.append(1) or real(*a, **k))
    project.write("templates/t.json", VALID)
    project.write("templates/u.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "${c}",
                                                                        "End": True}}})
    for env, c in (("dev", "x"), ("prod", "x"), ("test", "y")):
        project.write(f"envs/{env}.yaml", f"values:\n  c: {c}\n")
    res = sfnc("validate", "-f", "json", "--select", "SFN999", cwd=project.root)
    data = json.loads(res.stdout)
    assert len(calls) == 3  # t once (same text in every env), u for "x" and for "y"
    assert sorted((d["file"], d["env"]) for d in data["diagnostics"]) == [
        ("definitions/dev/t.json", "dev, prod, test"), ("definitions/dev/u.json", "dev, prod, test")]
    assert data["summary"]["files"] == 6


def test_json5_comments_and_trailing_commas_keep_positions(sfnc, tmp_path):
    (tmp_path / "sm.json5").write_text('{\n  // a comment\n  "StartAt": "A", /* block */\n  "States": {\n'
                                       '    "A": {"Type": "Pass", "Next": "B",},\n  },\n}\n')
    res = sfnc("validate", "sm.json5", "-f", "json", cwd=tmp_path)
    [d] = [d for d in json.loads(res.stdout)["diagnostics"] if d["rule"] == "SFN202"]
    assert (d["line"], d["column"]) == (5, 35) and d["pointer"] == "/States/A/Next"


def test_machine_type_from_env_and_type_flag(sfnc, project):
    sync = {"QueryLanguage": "JSONata", "StartAt": "Run", "States": {
        "Run": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync", "Arguments": {"JobName": "etl"},
                "End": True}}}
    project.write("templates/job.json", sync)
    project.write("envs/dev.yaml", "values: {}\naws:\n  type: STANDARD\n")
    project.write("envs/fast.yaml", "values: {}\naws:\n  templates:\n    job: {type: EXPRESS}\n")
    res = sfnc("validate", "-f", "json", cwd=project.root)
    d = json.loads(res.stdout)["diagnostics"]
    assert [(x["rule"], x["env"]) for x in d if x["severity"] == "error"] == [("SFN114", "fast")], d
    assert "'.sync' integration pattern" in d[0]["message"]
    project.write("sm.json", sync)
    assert sfnc("validate", "sm.json", cwd=project.root).exit_code == 0
    res = sfnc("validate", "sm.json", "--type", "express", cwd=project.root)
    assert res.exit_code == 1 and "SFN114" in res.stdout


def test_checking_a_definition_leaves_no_cyclic_garbage():
    # The collector is paused while a document is checked (check/runner._collector_paused) and the model is
    # released after (Machine.release), so what a check builds is freed by reference counting. A reference
    # cycle per call (a recursive closure, an object and its memo pointing at each other) would pile up for
    # the next collection to walk: 149,000 objects for 10,000 states when the pattern rules had recursive
    # closures. Break the cycle (a method or module function instead of the closure) rather than relax this.
    import gc

    paths = sorted((HERE.parents[1] / "definitions" / "local").glob("*.json"))
    assert paths
    for p in paths:   # imports and process-wide caches first
        validate_text(p.read_text(encoding="utf-8"), p.name, CheckConfig())
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        found = {}
        for p in paths:
            validate_text(p.read_text(encoding="utf-8"), p.name, CheckConfig())
            found[p.name] = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert set(found.values()) == {0}, found
