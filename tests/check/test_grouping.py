"""One root cause, one finding (issue 13): consequences folded into their cause as related information,
repeats in one field collapsed with a count, the same finding in several envs merged by a fingerprint that
ignores env-substituted values. End to end through `sfnc validate`, so every format is covered."""

from __future__ import annotations

import json

from sfn_compiler.check import CheckConfig, Finding, validate_text
from sfn_compiler.check.base import Note
from sfn_compiler.check.runner import group_findings
from sfn_compiler.check.rules.graph import StateUnreachable, TransitionTargetMissing

TYPO = {
    "QueryLanguage": "JSONata", "StartAt": "Start", "States": {
        "Start": {"Type": "Pass", "Next": "Procss"},
        "Process": {"Type": "Pass", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.ok %}", "Next": "Done"}],
                  "Default": "Failed"},
        "Failed": {"Type": "Fail", "Error": "X"},
        "Done": {"Type": "Succeed"},
    }}


def _validate(doc, **settings) -> list:
    return validate_text(json.dumps(doc, indent=2), "sm.json", CheckConfig.from_settings(settings))


def test_one_next_typo_is_exactly_one_error_with_the_cascade_as_related_information():
    diags = _validate(TYPO)
    assert [(d.rule, d.severity) for d in diags] == [("SFN202", "error")]
    related = diags[0].related
    assert [r.pointer for r in related] == ["/States/Process", "/States/Check", "/States/Failed", "/States/Done"]
    assert related[0].message == "State 'Process' is not reachable from StartAt 'Start' in the state machine"
    assert related[0].span.line == 9 and related[0].span.file == "sm.json"


def test_the_cascade_is_reported_alone_when_its_cause_is_ignored_or_suppressed():
    ignored = _validate(TYPO, validate={"ignore": ["SFN202"]})
    assert [d.rule for d in ignored] == ["SFN203"] * 4
    doc = json.loads(json.dumps(TYPO))
    doc["States"]["Start"]["Comment"] = "sfnc: ignore[transition-target-missing] renamed next week"
    assert [d.rule for d in _validate(doc)] == ["SFN203"] * 4


def test_a_cause_less_severe_than_its_consequence_does_not_hide_it():
    diags = _validate(TYPO, validate={"severity": {"SFN202": "info"}})
    assert sorted({(d.rule, d.severity) for d in diags}) == [("SFN202", "info"), ("SFN203", "error")]


def test_unreachable_states_go_to_the_missing_target_they_most_likely_meant():
    doc = {"StartAt": "A", "States": {
        "A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "BooleanEquals": True, "Next": "Alpah"}],
              "Default": "Btea"},
        "Alpha": {"Type": "Pass", "Next": "Alpha 2"}, "Alpha 2": {"Type": "Succeed"},
        "Beta": {"Type": "Succeed"}, "Orphan": {"Type": "Fail"}}}
    diags = _validate(doc)
    assert [(d.pointer, [r.pointer for r in d.related]) for d in diags] == [
        ("/States/A/Choices/0/Next", ["/States/Alpha", "/States/Alpha 2", "/States/Orphan"]),
        ("/States/A/Default", ["/States/Beta"])]


def test_repeats_in_one_field_collapse_with_a_count_and_places():
    doc = {"QueryLanguage": "JSONata", "StartAt": "E", "States": {"E": {
        "Type": "Pass", "Output": "{% $lenght('a') + $lenght('b') + $lenght('c') %}", "End": True}}}
    (d,) = _validate(doc)
    assert d.rule == "SFN312" and d.message.endswith("(3 times in this field)")
    assert [(r.message, r.span.column) for r in d.related] == [("again in this field", 36), ("again in this field", 51)]


def test_fingerprints_ignore_the_count_and_a_chain_folds_into_its_first_cause():
    a = Finding("/a", "root")
    b = Finding("/b", "middle", follows=("SFN202", "/a"))
    c = Finding("/c", "leaf", follows=("SFN203", "/b"))
    out = group_findings([(TransitionTargetMissing, a), (StateUnreachable, b), (StateUnreachable, c)],
                         lambda rule, f: rule.severity)
    assert len(out) == 1
    assert [n.pointer for n in out[0][1].related] == ["/b", "/c"]
    assert out[0][1].related[0] == Note("/b", "middle")


def test_stuck_states_fold_into_cycle_without_exit():
    doc = {"QueryLanguage": "JSONata", "StartAt": "Price", "States": {
        "Price": {"Type": "Pass", "Next": "Spin"},
        "Spin": {"Type": "Pass", "Next": "Spin Again"}, "Spin Again": {"Type": "Pass", "Next": "Spin"},
        "Done": {"Type": "Succeed"}}}
    diags = [d for d in _validate(doc) if d.rule in ("SFN205", "SFN721")]
    assert [d.rule for d in diags] == ["SFN721"]
    assert [r.pointer for r in diags[0].related] == ["/States/Spin", "/States/Price", "/States/Spin Again"]


LOCK_TEMPLATE = {
    "QueryLanguage": "JSONata", "StartAt": "Acquire", "States": {
        "Acquire": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                    "Arguments": {"TableName": "${lock_table}", "Item": {"lock_key": {"S": "k"}, "ttl": {"N": "1"}},
                                  "ConditionExpression": "attribute_not_exists(lock_key)"},
                    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Duplicate"}],
                    "Next": "Done"},
        "Duplicate": {"Type": "Succeed"}, "Done": {"Type": "Succeed"}}}


def _lock_project(project):
    project.write("templates/batch.json", LOCK_TEMPLATE)
    project.write("envs/dev.yaml", "values:\n  lock_table: batch-dev-locks\n")
    project.write("envs/prod.yaml", "values:\n  lock_table: batch-prod-locks\n")
    project.write("envs/test.yaml", "values:\n  lock_table: batch-test-locks\n")


def test_a_finding_that_names_each_envs_table_is_reported_once_with_the_envs(sfnc, project):
    _lock_project(project)
    res = sfnc("validate", "--format", "json", cwd=project.root)
    diags = [d for d in json.loads(res.stdout)["diagnostics"] if d["rule"] == "SFN711"]
    assert len(diags) == 1
    d = diags[0]
    assert d["env"] == "dev, prod, test"
    assert d["message"] == ("'Acquire' goes to 'Done', which ends the state machine without releasing the lock taken "
                            "by 'Acquire' in ${lock_table}")
    assert d["pointer"] == "/States/Acquire/Next" and d["template"] == "templates/batch.json:36:15"
    assert d["related"][0]["template"] == "templates/batch.json:5:5"
    gh = sfnc("validate", "--format", "github", cwd=project.root).stdout
    assert gh.count("SFN711") == 1 and "[env dev%2C prod%2C test]" not in gh and "[env dev, prod, test]" in gh


def test_one_env_keeps_its_own_words_and_the_fingerprint_is_the_same_in_every_env(sfnc, project):
    _lock_project(project)
    prints = set()
    for env in ("dev", "prod"):
        res = json.loads(sfnc("validate", "--env", env, "--format", "json", cwd=project.root).stdout)
        (d,) = [d for d in res["diagnostics"] if d["rule"] == "SFN711"]
        assert d["message"].endswith(f"in batch-{env}-locks")
        prints.add(d["fingerprint"])
    merged = json.loads(sfnc("validate", "--format", "json", cwd=project.root).stdout)
    assert prints == {d["fingerprint"] for d in merged["diagnostics"] if d["rule"] == "SFN711"}


def test_env_values_are_replaced_only_as_whole_words(sfnc, project):
    """A value 'dev' must not turn 'device' into '${env_name}ice' (which would split the merge)."""
    doc = json.loads(json.dumps(LOCK_TEMPLATE))
    doc["States"]["Acquire"]["Comment"] = "${env_name}"
    doc["States"]["device check"] = doc["States"].pop("Done")
    doc["States"]["Acquire"]["Next"] = "device check"
    project.write("templates/batch.json", doc)
    project.write("envs/dev.yaml", "values:\n  lock_table: locks\n  env_name: dev\n")
    project.write("envs/prod.yaml", "values:\n  lock_table: locks\n  env_name: prod\n")
    res = json.loads(sfnc("validate", "--format", "json", cwd=project.root).stdout)
    (d,) = [d for d in res["diagnostics"] if d["rule"] == "SFN711"]
    assert d["env"] == "dev, prod" and "'device check'" in d["message"]
