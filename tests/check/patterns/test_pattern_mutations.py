"""Correct workflows produce no pattern findings; each mutation fails with exactly the intended rule and a
path naming the right states."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from sfn_compiler.check.config import CheckConfig
from sfn_compiler.check.runner import run_rules

WORKFLOWS = Path(__file__).parent / "workflows"


def load(name: str) -> dict[str, Any]:
    return json.loads((WORKFLOWS / f"{name}.json").read_text(encoding="utf-8"))


def pattern_findings(doc: Any, settings: dict[str, Any] | None = None):
    settings = dict(settings or {})
    settings.setdefault("validate", {"select": ["pattern"]})
    config = CheckConfig.from_settings(settings)
    config.placeholders = "opaque"
    config.debug = True  # a crashing rule fails the test
    return [(rule.name, f) for rule, f in run_rules(doc, config)]


@pytest.mark.parametrize("name", ["batch_15m", "training_remediation", "backfill_map"])
def test_correct_workflows_have_no_pattern_findings(name):
    assert pattern_findings(load(name)) == []


# ---------------------------------------------------------------------------------------------- mutations


def states(doc):
    return doc["States"]


def release_removed_from_catch(doc):
    # Inference start failures go straight to the Fail state, skipping the lock release
    states(doc)["Inference: Start Pipeline"]["Catch"][0]["Next"] = "Batch Failed"


def failed_routed_back_into_loop(doc):
    states(doc)["Features: Check Status"]["Choices"][1]["Next"] = "Features: Wait"


def stopped_routed_to_success(doc):
    rules = states(doc)["Inference: Check Status"]["Choices"]
    rules[0]["Condition"] = "{% $states.input.PipelineExecutionStatus in ['Succeeded', 'Stopped'] %}"
    rules[1]["Condition"] = "{% $states.input.PipelineExecutionStatus = 'Failed' %}"


def counter_removed(doc):
    del states(doc)["Features: Describe Pipeline"]["Assign"]


def wait_removed(doc):
    st = states(doc)
    del st["Features: Wait"]
    st["Features: Check Status"]["Choices"][3]["Next"] = "Features: Describe Pipeline"


def describe_retry_removed(doc):
    del states(doc)["Inference: Describe Pipeline"]["Retry"]


def callback_added(doc):
    st = states(doc)["Start Prediction Publication"]
    st["Resource"] = "arn:aws:states:::states:startExecution.waitForTaskToken"
    st["Arguments"]["Input"]["task_token"] = "{% $states.context.Task.Token %}"


def token_read_in_arguments(doc):
    params = states(doc)["Features: Start Pipeline"]["Arguments"]["PipelineParameters"]
    params.append({"Name": "CallbackToken", "Value": "{% $states.context.Task.Token %}"})


def map_concurrency_removed(doc):
    del states(doc)["Reprocess Windows"]["MaxConcurrency"]


def ttl_removed(doc):
    args = states(doc)["Acquire Processing Lock"]["Arguments"]
    del args["Item"]["expires_at"]
    args["ConditionExpression"] = "attribute_not_exists(#pk)"
    args["ExpressionAttributeNames"] = {"#pk": "lock_key"}
    del args["ExpressionAttributeValues"]


def duplicate_catch_removed(doc):
    st = states(doc)
    st["Acquire Processing Lock"]["Catch"].pop(0)
    del st["Duplicate Batch Skipped"]


def release_on_other_table(doc):
    states(doc)["Release Lock On Failure"]["Arguments"]["TableName"] = "${tables.publication_lock}"


def remediation_counter_removed(doc):
    del states(doc)["Missing Features: Check Status"]["Choices"][0]["Assign"]


def release_retry_removed(doc):
    del states(doc)["Release Processing Lock"]["Retry"]


def start_not_awaited(doc):
    # the inference pipeline is started and the workflow moves straight on to the hand-off
    states(doc)["Inference: Start Pipeline"]["Next"] = "Start Prediction Publication"


def data_wait_exits_removed(doc):
    # the readiness check never leaves its loop: both exits go back to the Wait
    for rule in states(doc)["Training Data Ready?"]["Choices"]:
        rule["Next"] = "Wait For Training Data"


def data_wait_counter_removed(doc):
    del states(doc)["Check Training Data"]["Assign"]


def distributed_tolerance_removed(doc):
    del states(doc)["Replay Windows At Scale"]["ToleratedFailurePercentage"]


MUTATIONS: list[tuple[str, str, Callable, str, tuple[str, ...], str]] = [
    ("release-removed-from-catch", "batch_15m", release_removed_from_catch, "lock-not-released",
     ("Acquire Processing Lock", "Features: Start Pipeline", "Features: Describe Pipeline", "Features: Check Status",
      "Inference: Start Pipeline", "Catch(States.ALL)", "Batch Failed"),
     "/States/Inference: Start Pipeline/Catch/0/Next"),
    ("failed-routed-back-into-loop", "batch_15m", failed_routed_back_into_loop, "poll-failure-status-not-handled",
     ("Features: Describe Pipeline", "Features: Check Status", "Features: Wait", "Features: Describe Pipeline"),
     "/States/Features: Check Status/Choices/1/Next"),
    ("stopped-routed-to-success", "batch_15m", stopped_routed_to_success, "poll-failure-status-not-handled",
     ("Inference: Describe Pipeline", "Inference: Check Status", "Start Prediction Publication"),
     "/States/Inference: Check Status/Choices/0/Next"),
    ("counter-removed", "batch_15m", counter_removed, "poll-loop-unbounded",
     ("Features: Describe Pipeline", "Features: Check Status", "Features: Wait", "Features: Describe Pipeline"),
     "/States/Features: Check Status"),
    ("wait-removed", "batch_15m", wait_removed, "poll-loop-without-wait",
     ("Features: Describe Pipeline", "Features: Check Status", "Features: Describe Pipeline"),
     "/States/Features: Describe Pipeline"),
    ("describe-retry-removed", "batch_15m", describe_retry_removed, "poll-describe-without-retry",
     ("Inference: Describe Pipeline",), "/States/Inference: Describe Pipeline"),
    ("callback-added", "batch_15m", callback_added, "callback-wait-for-task-token",
     ("Start Prediction Publication",), "/States/Start Prediction Publication/Resource"),
    ("task-token-read-in-arguments", "batch_15m", token_read_in_arguments, "callback-wait-for-task-token",
     ("Features: Start Pipeline",), "/States/Features: Start Pipeline/Arguments/PipelineParameters/2/Value"),
    ("map-max-concurrency-removed", "backfill_map", map_concurrency_removed, "map-unbounded-concurrency",
     ("Reprocess Windows",), "/States/Reprocess Windows"),
    ("ttl-removed", "batch_15m", ttl_removed, "lock-without-ttl",
     ("Acquire Processing Lock",), "/States/Acquire Processing Lock/Arguments/Item"),
    ("duplicate-catch-removed", "batch_15m", duplicate_catch_removed, "lock-duplicate-not-caught",
     ("Acquire Processing Lock",), "/States/Acquire Processing Lock"),
    ("release-on-other-table", "batch_15m", release_on_other_table, "lock-table-mismatch",
     ("Acquire Processing Lock", "Release Lock On Failure"), "/States/Release Lock On Failure/Arguments/TableName"),
    ("release-retry-removed", "batch_15m", release_retry_removed, "lock-release-without-retry",
     ("Release Processing Lock",), "/States/Release Processing Lock"),
    ("start-not-awaited", "batch_15m", start_not_awaited, "poll-start-not-awaited",
     ("Inference: Start Pipeline", "Start Prediction Publication", "Release Processing Lock", "Batch Processed"),
     "/States/Inference: Start Pipeline/Resource"),
    ("remediation-counter-removed", "training_remediation", remediation_counter_removed, "loop-unbounded",
     ("Verifier: Start Pipeline", "Verifier: Describe Pipeline", "Verifier: Check Status",
      "Verifier: Remediation Allowed?", "Missing Features: Start Pipeline", "Missing Features: Describe Pipeline",
      "Missing Features: Check Status", "Verifier: Start Pipeline"),
     "/States/Verifier: Start Pipeline"),
    ("data-wait-exits-removed", "training_remediation", data_wait_exits_removed, "cycle-without-exit",
     ("Check Training Data", "Training Data Ready?", "Wait For Training Data", "Check Training Data"),
     "/States/Check Training Data"),
    ("data-wait-counter-removed", "training_remediation", data_wait_counter_removed, "loop-unbounded",
     ("Check Training Data", "Training Data Ready?", "Wait For Training Data", "Check Training Data"),
     "/States/Check Training Data"),
    ("distributed-tolerance-removed", "backfill_map", distributed_tolerance_removed,
     "distributed-map-no-failure-tolerance", ("Replay Windows At Scale",), "/States/Replay Windows At Scale"),
]


@pytest.mark.parametrize("case", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutation_fails_with_the_intended_rule(case):
    _id, fixture, mutate, rule, path, pointer = case
    doc = copy.deepcopy(load(fixture))
    mutate(doc)
    found = pattern_findings(doc)
    assert [name for name, _ in found] == [rule], found
    finding = found[0][1]
    assert finding.path == path
    assert finding.pointer == pointer


def test_failed_routed_back_reports_every_failure_value():
    doc = copy.deepcopy(load("batch_15m"))
    failed_routed_back_into_loop(doc)
    (_, f), = pattern_findings(doc)
    assert "Failed and Stopped" in f.message
    assert "back into the polling loop" in f.message


def test_stopped_to_success_names_the_success_target():
    doc = copy.deepcopy(load("batch_15m"))
    stopped_routed_to_success(doc)
    (_, f), = pattern_findings(doc)
    assert "Stopped" in f.message and "Failed" not in f.message.split("(")[0]
    assert "'Start Prediction Publication', where Succeeded goes" in f.message
