"""The real-world corpus (shared/corpus/real): every rule runs on every file without crashing, and valid files
get no error-severity finding. Plus robustness on malformed documents (hypothesis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check_harness import CORPUS, errors, load_json5ish, read_manifest, run_rules

REAL = CORPUS / "real"

# Files the manifest does not mark invalid, but that are genuinely wrong for AWS (or are code templates whose
# bare-token placeholders are not `${...}`). (file, rule id) -> reason. Every entry must still be needed.
ALLOWLIST: dict[tuple[str, str], str] = {
    ("ChristopheBougere__asl-validator/src____tests____definitions__valid-map-with-item-batcher-jsonata.json",
     "SFN106"): "a JSONPath state inside a machine whose top-level QueryLanguage is JSONata: AWS rejects it "
                "('QueryLanguage' can not be 'JSONPath' ..., LocalStack snapshot, floci#2968); the manifest notes "
                "the asl-validator label is probably wrong",
    ("guyernest__step-functions-agent/step-functions__supervisor-with-agentcore.json", "SFN103"):
        "'Arguments' on a Map state: not a Map field (states-language spec field table; CDK's "
        "MapBaseJsonataOptions has no arguments either); a Map feeds iterations through ItemSelector",
    ("guyernest__step-functions-agent/step-functions__dynamic-agent-template.json", "SFN107"):
        "code template: 'Items': 'TOOL_NAMES_LIST' and 'Choices': 'DYNAMIC_ROUTING_CHOICES' are bare-token "
        "placeholders replaced by application code (not ${...}, so not opaque)",
    ("guyernest__step-functions-agent/step-functions__dynamic-sql-agent-template.json", "SFN107"):
        "code template: 'Items': 'AGENT_TOOL_LIST' is a bare-token placeholder replaced by application code",
    ("localstack__localstack/tests__aws__services__stepfunctions__templates__statevariables__statemachines__"
     "map_catch_error_output_with_retry.json5", "SFN502"):
        "reads $stateError / $stateResult, which no state assigns (they are Output keys, not variables): AWS "
        "accepts the definition but those states fail at run time; LocalStack's parity test records that",
    ("localstack__localstack/tests__aws__services__stepfunctions__templates__intrinsicfunctions__statemachines__"
     "math_operations__math_random_seeded_jsonata.json5", "SFN312"):
        "calls $randomSeeded(), a LocalStack-only name: LocalStack's own test of this template is skipped with "
        "\"AWS does not compute function randomSeeded\" (tests/aws/.../test_math_operations_jsonata.py); AWS's "
        "seeded random is $random(seed). The call fails the state on AWS",
    ("aws__agent-toolkit-for-aws/skills__specialized-skills__serverless-skills__aws-step-functions__assets__"
     "polling-loop-wait-check-choice.asl.json", "SFN817"):
        "retries 'ThrottlingException' (no prefix) on dynamodb:getItem, which raises DynamoDB.* names only "
        "(concepts-error-handling.html, connect-ddb.html): that entry never matches; DynamoDB.ThrottlingException",
    ("aws-samples__step-functions-workflows-collection/quorum-with-parallel-pattern__statemachine__"
     "statemachine.asl.json", "SFN813"):
        "dynamodb:putItem Item member 'id.$' is a plain string ($$.Execution.Id), not an AttributeValue "
        "({\"S.$\": ...}): the PutItem request cannot be built from it",
    ("taro-kayo__statelint/tests__data__jsonata-5.json", "SFN502"):
        "linter fixture that reads $student, $class, $two, which no state assigns; fails at run time",
    # data rules (SFN801): real bugs of the definitions as written; each finding and its verdict is listed in
    # tests/shapes/test_shapes_corpus.py (REVIEWED)
    ("guyernest__step-functions-agent/stacks__tools__batch_processor_state_machine_jsonata.json", "SFN801"):
        "ValidationFailed / ProcessingFailed read the execution input where their input is a lambda:invoke "
        "result or a catcher's {Error, Cause}",
    ("guyernest__step-functions-agent/step-functions__dynamic-agent-with-registry-template.json", "SFN801"):
        "Execute Tool reads $states.input.name/id/input where its input is a dynamodb:getItem result (the "
        "issue's example); Tool Not Found reads it from a catcher's {Error, Cause}",
    ("aws-samples__step-functions-workflows-collection/distributed-data-stream-aggregator__statemachine__"
     "data-extraction-child.asl.json", "SFN801"):
        "reads the child's output at the top of a states:startExecution.sync:2 result (it is under Output)",
    ("ChristopheBougere__asl-validator/src____tests____definitions__valid-wait-jsonata.asl.json", "SFN801"):
        "DoWait2's input is the previous Pass's {waitTime}: $states.input.timeout is undefined, the Wait fails",
    ("taro-kayo__statelint/tests__data__jsonata-1.json", "SFN801"):
        "the JSONPath Pass before it outputs only {total}: $states.input.transaction is undefined",
}

_INVALID = re.compile(r"\binvalid\b", re.I)


def _rows():
    if not (REAL / "MANIFEST.tsv").is_file():
        return []
    return read_manifest(REAL / "MANIFEST.tsv")


def _is_state_machine(doc) -> bool:
    # the runner reports SFN004 not-a-state-machine (and runs no rule) for documents without both fields
    return isinstance(doc, dict) and ("StartAt" in doc or "States" in doc)


pytestmark = pytest.mark.corpus
skip_no_corpus = pytest.mark.skipif(not (REAL / "MANIFEST.tsv").is_file(), reason="shared/corpus/real is absent")


@skip_no_corpus
def test_real_corpus_has_no_false_errors():
    unexpected: list[str] = []
    used: set[tuple[str, str]] = set()
    for row in _rows():
        name = row["file"]
        doc = load_json5ish((REAL / name).read_text(encoding="utf-8"))
        results = run_rules(doc, placeholders="opaque")  # raises on a rule crash
        if _INVALID.search(row.get("notes", "")) or not _is_state_machine(doc):
            continue
        for r in errors(results):
            key = (name, r.rule.id)
            if key in ALLOWLIST:
                used.add(key)
                continue
            unexpected.append(f"{name}: {r.rule.id} {r.finding.pointer}: {r.finding.message}")
    assert not unexpected, "false errors on valid corpus files:\n" + "\n".join(unexpected)
    assert used == set(ALLOWLIST), f"stale allowlist entries: {sorted(set(ALLOWLIST) - used)}"


@skip_no_corpus
def test_invalid_corpus_files_are_mostly_caught():
    """Files the manifest marks invalid (and that are invalid for AWS, not only for one linter) get an error."""
    missed = []
    for row in _rows():
        notes = row.get("notes", "")
        if not _INVALID.search(notes) or "not confirmed against AWS" in notes:
            continue
        doc = load_json5ish((REAL / row["file"]).read_text(encoding="utf-8"))
        if not errors(run_rules(doc)):
            missed.append(row["file"])
    assert not missed, missed


# ------------------------------------------------------------------ robustness

MALFORMED = [
    None, 1, "x", [], {}, {"States": []}, {"StartAt": 3, "States": {"A": "x"}},
    {"StartAt": "A", "States": {"A": None}}, {"StartAt": "A", "States": {"A": {"Type": 5}}},
    {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": "x", "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [[1], None, {"States": []}], "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Map", "ItemProcessor": {"ProcessorConfig": "x", "States": {"B": 1}},
                                      "ItemBatcher": 3, "ItemReader": {"ReaderConfig": 4}, "ResultWriter": []}}},
    {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [1, {"And": 3}, {"Not": []}, {"Or": [None]}],
                                      "Default": 3}}},
    {"StartAt": "A", "States": {"A": {"Type": "Task", "Retry": [1, {"ErrorEquals": "x", "BackoffRate": "y"}],
                                      "Catch": {"a": 1}, "Credentials": [], "Assign": []}}},
    {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": {"a": ["{% $x(", "{%", "%}", "{% %}", "{% ${ %}", "{% ?? %}", "{% $$ %}",
                                         "{% function($x){ %}", "{% (((((( %}", "{% '\\u12 %}", "{% /re %}"]},
        "Assign": {"": 1, "states": 2, "a.b": {"c": "{% $states.result %}"}}, "End": True}}},
    {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": "{% " + "(" * 400 + "1" + ")" * 400 + " %}", "End": True}}},
]


@pytest.mark.parametrize("doc", MALFORMED, ids=range(len(MALFORMED)))
def test_rules_never_crash_on_malformed_documents(doc):
    run_rules(doc, placeholders="opaque")
    run_rules(doc, placeholders=None)


_keys = st.sampled_from(["StartAt", "States", "Type", "Next", "End", "Default", "Choices", "Branches", "Catch",
                         "Retry", "ErrorEquals", "ItemProcessor", "Iterator", "Output", "Assign", "Arguments",
                         "QueryLanguage", "Condition", "Variable", "Items", "ProcessorConfig", "Mode", "A", "B",
                         "Parameters", "x.$", "TimeoutSeconds", "HeartbeatSeconds", "Credentials", "ItemReader"])
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
                     st.sampled_from(["A", "B", "Task", "Pass", "Choice", "Parallel", "Map", "Succeed", "Fail",
                                      "JSONata", "JSONPath", "DISTRIBUTED", "States.ALL", "{% $x %}", "{% $states.result",
                                      "{% phone %}", "$.a", "$v", "${X}", "States.Format('{}', $.a)", "{% %}", ""]))
_json = st.recursive(_scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                                           st.dictionaries(_keys, children, max_size=5)),
                     max_leaves=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.one_of(_json, st.fixed_dictionaries({"StartAt": _scalars, "States": st.dictionaries(
    st.sampled_from(["A", "B", "C"]), st.dictionaries(_keys, _json, max_size=6), max_size=3)},
    optional={"QueryLanguage": st.sampled_from(["JSONata", "JSONPath", 1])})))
def test_rules_never_crash_property(doc):
    run_rules(doc, placeholders="opaque")
