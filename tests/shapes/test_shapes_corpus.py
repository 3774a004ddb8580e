"""The detection functions on real definitions (shared/corpus/real, shared/corpus/peers) and on malformed
documents: every finding on the corpus is listed here with its verdict (a new one fails this test until it
is reviewed), and nothing ever crashes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_compiler.load.json5doc import to_json
from sfn_compiler.shapes.findings import shape_findings

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
REAL = CORPUS / "real"


def load_json5ish(text: str):
    """JSON, or the JSON5 subset of the LocalStack templates (the reader `sfnc validate` uses)."""
    return json.loads(to_json(text)[0])


def read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))

_AGENT = "guyernest__step-functions-agent/"
_CHILD = ("aws-samples__step-functions-workflows-collection/distributed-data-stream-aggregator__statemachine__"
          "data-extraction-child.asl.json")
_ITER = "/States/Iterate states/ItemProcessor/States"
_TOOL = "/States/For each tool use/ItemProcessor/States"

# (file, kind, pointer) -> verdict. Every entry is a real bug of the definition as written.
REVIEWED: dict[tuple[str, str, str], str] = {
    (_AGENT + "stacks__tools__batch_processor_state_machine_jsonata.json", "missing-member",
     "/States/ValidationFailed/Arguments/Message"):
        "real bug: ValidationFailed is the Default of a Choice after a lambda:invoke Task without Output, so its "
        "input is the invoke result; $states.input.csv_s3_uri is undefined and `&` turns it into '' (the "
        "notification always shows an empty URI)",
    (_AGENT + "stacks__tools__batch_processor_state_machine_jsonata.json", "missing-member",
     "/States/ProcessingFailed/Arguments/Message"):
        "real bug: ProcessingFailed is reached only through Catchers without Output: its input is {Error, Cause}",
    (_AGENT + "step-functions__dynamic-agent-with-registry-template.json", "missing-member",
     _TOOL + "/Execute Tool/Arguments/Payload/name"):
        "real bug (the issue's example): Execute Tool follows a dynamodb:getItem Task without Output, so "
        "$states.input is {Item, ConsumedCapacity, ...}; the Payload field is undefined and the state fails "
        "with States.QueryEvaluationError",
    (_AGENT + "step-functions__dynamic-agent-with-registry-template.json", "missing-member",
     _TOOL + "/Execute Tool/Arguments/Payload/id"): "real bug: same as Payload/name",
    (_AGENT + "step-functions__dynamic-agent-with-registry-template.json", "missing-member",
     _TOOL + "/Execute Tool/Arguments/Payload/input"): "real bug: same as Payload/name",
    (_AGENT + "step-functions__dynamic-agent-with-registry-template.json", "missing-member",
     _TOOL + "/Tool Not Found/Output/tool_name"):
        "real bug: Tool Not Found is a Catch target without catcher Output: its input is {Error, Cause}",
    (_CHILD, "missing-member", _ITER + "/Get Data/Assign/resultCount"):
        "real bug: a states:startExecution.sync:2 result is the DescribeExecution output; the child's output is "
        "under Output ($states.result.Output.resultCount)",
    (_CHILD, "missing-member", _ITER + "/Get Data/Assign/offset"): "real bug: same as resultCount",
    (_CHILD, "always-false", _ITER + "/Data count/Choices/0/Condition"):
        "real bug (warning): the Choice after Get Data counts csvContent of the .sync:2 result (it is "
        "Output.csvContent): $count(...) is always 0, the condition always false",
    (_CHILD, "missing-member", _ITER + "/Data count/Choices/0/Output/data"): "real bug: same as the Condition",
    ("ChristopheBougere__asl-validator/src____tests____definitions__valid-wait-jsonata.asl.json", "missing-member",
     "/States/DoWait2/Timestamp"):
        "real bug (a syntax fixture): DoWait2's input is the Pass output {waitTime}; Timestamp is undefined "
        "and the Wait fails at run time",
    ("taro-kayo__statelint/tests__data__jsonata-1.json", "missing-member", "/States/JSONata state/Output/total"):
        "real bug (a linter fixture): the JSONPath Pass before it outputs only {total}",
}

pytestmark = pytest.mark.corpus
skip_no_corpus = pytest.mark.skipif(not (REAL / "MANIFEST.tsv").is_file(), reason="shared/corpus/real is absent")


@skip_no_corpus
def test_every_finding_on_the_real_corpus_is_reviewed():
    found: set[tuple[str, str, str]] = set()
    for row in read_manifest(REAL / "MANIFEST.tsv"):
        doc = load_json5ish((REAL / row["file"]).read_text(encoding="utf-8"))
        for f in shape_findings(doc):
            found.add((row["file"], f.kind, f.pointer))
    assert found - set(REVIEWED) == set(), "new findings: review each and list it with its verdict"
    assert set(REVIEWED) - found == set(), "reviewed findings that no longer fire"


@skip_no_corpus
def test_peers_corpus_never_crashes():
    n = 0
    for path in sorted((CORPUS / "peers").rglob("*")):
        if path.is_file() and path.suffix in (".json", ".json5"):
            try:
                doc = load_json5ish(path.read_text(encoding="utf-8"))
            except ValueError:
                continue
            shape_findings(doc)
            n += 1
    assert n > 100


MALFORMED = [
    None, 1, "x", [], {}, {"States": []}, {"StartAt": 3, "States": {"A": "x"}},
    {"StartAt": "A", "States": {"A": None}},
    {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Map", "Items": 3, "ItemSelector": [1],
                                                                  "ItemBatcher": 3, "ItemProcessor": 2, "End": True}}},
    {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Task", "Resource": 5, "Catch": [1, {"Next": "A", "Output": [1, "{% $states.errorOutput.x %}"]}],
        "Assign": [], "Output": "{% $states.result.a[ %}", "Next": "A"}}},
    {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Choice", "Choices": [{"Condition": "{% $states.input = 'x' %}", "Next": "A", "Output": 3,
                                       "Assign": {"v": "{% $v.x %}"}}], "Default": "B"},
        "B": {"Type": "Parallel", "Branches": [{"StartAt": "Z", "States": {"Z": {"Type": "Fail"}}}], "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": 4, "Parameters": {"a.$": 3, "b.$": "$$.x[?(@)]"},
                                      "ResultPath": "$[0]", "OutputPath": "$..a", "End": True}}},
    {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {
        "Type": "Pass", "Output": "{% " + "(" * 300 + "$states.input.x" + ")" * 300 + " %}", "End": True}}},
]


@pytest.mark.parametrize("doc", MALFORMED, ids=range(len(MALFORMED)))
def test_never_crashes_on_malformed_documents(doc):
    shape_findings(doc)


_keys = st.sampled_from(["StartAt", "States", "Type", "Next", "End", "Default", "Choices", "Branches", "Catch",
                         "ItemProcessor", "Output", "Assign", "Arguments", "QueryLanguage", "Condition", "Items",
                         "ItemSelector", "ItemBatcher", "ItemReader", "Resource", "ResultPath", "InputPath",
                         "OutputPath", "Parameters", "ResultSelector", "x.$", "A", "B"])
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2, 2),
                     st.sampled_from(["A", "B", "Task", "Pass", "Choice", "Parallel", "Map", "Succeed", "Fail",
                                      "JSONata", "JSONPath", "{% $states.input.x %}", "{% $states.result.Item %}",
                                      "{% $v = 'X' %}", "{% $min($states.input) %}", "$.a", "$", "$v.x",
                                      "arn:aws:states:::dynamodb:getItem", "arn:aws:states:::lambda:invoke",
                                      "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution", "${X}"]))
_json = st.recursive(_scalars, lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(_keys, c, max_size=5)),
                     max_leaves=25)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.fixed_dictionaries({"StartAt": st.sampled_from(["A", "B"]), "States": st.dictionaries(
    st.sampled_from(["A", "B", "C"]), st.dictionaries(_keys, _json, max_size=6), max_size=3)},
    optional={"QueryLanguage": st.sampled_from(["JSONata", "JSONPath"])}))
def test_never_crashes_property(doc):
    shape_findings(doc)
