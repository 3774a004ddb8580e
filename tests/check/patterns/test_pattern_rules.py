"""Options and the less common shapes each pattern rule handles (metadata and docs examples: tests/rules)."""

from __future__ import annotations

import copy
import json
import textwrap
from typing import Any

import pytest

from sfn_compiler.check.base import Severity
from sfn_compiler.check.config import CheckConfig
from sfn_compiler.check.rules.patterns import RULES as PATTERN_RULES
from sfn_compiler.check.runner import run_rules
from sfn_compiler.errors import SfncError


def findings(doc: Any, settings: dict[str, Any] | None = None, select: str = "pattern"):
    settings = dict(settings or {})
    settings.setdefault("validate", {"select": [select]})
    config = CheckConfig.from_settings(settings)
    config.placeholders = "opaque"
    config.debug = True  # a crashing rule fails the test
    return [(rule.name, f) for rule, f in run_rules(doc, config)]


def names(doc: Any, settings: dict[str, Any] | None = None) -> list[str]:
    return [n for n, _ in findings(doc, settings)]


def machine(states: dict[str, Any], start: str | None = None, ql: str = "JSONata") -> dict[str, Any]:
    d: dict[str, Any] = {"StartAt": start or next(iter(states)), "States": states}
    if ql:
        d["QueryLanguage"] = ql
    return d


def lam(nxt: str | None = None, catch: str | None = None, **extra: Any) -> dict[str, Any]:
    s: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                         "Arguments": {"FunctionName": "work"}}
    if catch:
        s["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": catch}]
    s.update({"Next": nxt} if nxt else {"End": True})
    s.update(extra)
    return s


RETRY = [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 3}]


def acquire(nxt: str, *, sdk: bool = False, catch: list | None = None, table: str = "locks") -> dict[str, Any]:
    prefix = "DynamoDb" if sdk else "DynamoDB"
    res = "arn:aws:states:::aws-sdk:dynamodb:putItem" if sdk else "arn:aws:states:::dynamodb:putItem"
    return {"Type": "Task", "Resource": res,
            "Arguments": {"TableName": table, "Item": {"lock_key": {"S": "k"}, "ttl": {"N": "1"}},
                          "ConditionExpression": "attribute_not_exists(lock_key)"},
            "Catch": catch if catch is not None else [{"ErrorEquals": [f"{prefix}.ConditionalCheckFailedException"],
                                                       "Next": "Duplicate"}],
            "Next": nxt}


def release(nxt: str | None = None, *, table: str = "locks", retry: list | None = None, sdk: bool = False,
            condition: bool = True) -> dict[str, Any]:
    args: dict[str, Any] = {"TableName": table, "Key": {"lock_key": {"S": "k"}}}
    if condition:
        args["ConditionExpression"] = "owner_id = :me"
    s: dict[str, Any] = {"Type": "Task",
                         "Resource": "arn:aws:states:::aws-sdk:dynamodb:deleteItem" if sdk
                         else "arn:aws:states:::dynamodb:deleteItem",
                         "Arguments": args, "Retry": RETRY if retry is None else retry}
    s.update({"Next": nxt} if nxt else {"End": True})
    return s


# ---------------------------------------------------------------------------------------------- metadata


# ---------------------------------------------------------------------------------------------- callbacks


def _callback(**extra):
    st = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
          "Arguments": {"QueueUrl": "q", "MessageBody": {"token": "{% $states.context.Task.Token %}"}}, "End": True}
    st.update(extra)
    return machine({"Ask": st})


def test_callback_reported_once_per_state():
    found = findings(_callback())
    assert [n for n, _ in found] == ["callback-wait-for-task-token"]
    assert found[0][1].pointer == "/States/Ask/Resource"


def test_allowed_callback_needs_a_timeout():
    settings = {"rules": {"callback-wait-for-task-token": {"allow": ["Ask"]}}}
    (name, f), = findings(_callback(), settings)
    assert f.severity is Severity.WARNING and "no TimeoutSeconds or HeartbeatSeconds" in f.message
    assert findings(_callback(HeartbeatSeconds=600), settings) == []


def test_callback_rule_runs_on_jsonpath_machines():
    doc = machine({"Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                           "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}},
                           "End": True}}, ql="")
    (name, f), = findings(doc)
    assert name == "callback-wait-for-task-token"
    assert f.pointer == "/States/Ask/Parameters/Payload/token.$"


def test_sync_integrations_are_fine():
    doc = machine({"Run": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun.sync",
                           "Arguments": {"JobName": "etl"}, "End": True}})
    assert findings(doc) == []


def test_bad_allow_option():
    with pytest.raises(SfncError, match="allow must be a list of strings"):
        findings(_callback(), {"rules": {"callback-wait-for-task-token": {"allow": "x"}}} | {
            "rules": {"callback-wait-for-task-token": {"allow": [1]}}})
    with pytest.raises(SfncError, match="unknown option"):
        findings(_callback(), {"rules": {"callback-wait-for-task-token": {"allowed": ["Ask"]}}})


# ---------------------------------------------------------------------------------------------- polling


def glue_poll(*, default: str = "Job Failed", status_var: bool = False, bound: str | None = "counter",
              wait_seconds: Any = 30, start_resource: str = "arn:aws:states:::glue:startJobRun") -> dict:
    status = "$jobState" if status_var else "$states.input.JobRun.JobRunState"
    get: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getJobRun",
                           "Arguments": {"JobName": "etl", "RunId": "{% $runId %}"},
                           "Retry": [{"ErrorEquals": ["Glue.ThrottlingException"], "MaxAttempts": 5}],
                           "Assign": {}, "Next": "Job Done?"}
    if status_var:
        get["Assign"]["jobState"] = "{% $states.result.JobRun.JobRunState %}"
    rules = [{"Condition": f"{{% {status} = 'SUCCEEDED' %}}", "Next": "Done"},
             {"Condition": f"{{% {status} = 'FAILED' %}}", "Next": "Job Failed"}]
    if bound == "counter":
        get["Assign"]["polls"] = "{% $polls + 1 %}"
        rules.append({"Condition": "{% $polls > 100 %}", "Next": "Job Failed"})
    elif bound == "deadline":
        rules.append({"Condition": "{% $millis() > $deadline %}", "Next": "Job Failed"})
    rules.append({"Condition": f"{{% {status} in ['STARTING', 'RUNNING', 'STOPPING', 'WAITING'] %}}",
                  "Next": "Pause"})
    return machine({
        "Start Job": {"Type": "Task", "Resource": start_resource, "Arguments": {"JobName": "etl"},
                      "Assign": {"runId": "{% $states.result.JobRunId %}", "polls": 0,
                                 "deadline": "{% $millis() + 3600000 %}"},
                      "Next": "Get Job Run"},
        "Get Job Run": get,
        "Job Done?": {"Type": "Choice", "Choices": rules, "Default": default},
        "Pause": {"Type": "Wait", "Seconds": wait_seconds, "Next": "Get Job Run"},
        "Done": {"Type": "Succeed"},
        "Job Failed": {"Type": "Fail", "Error": "Glue.JobFailed"},
    })


def test_glue_poll_with_every_failure_value_handled_by_default():
    assert findings(glue_poll()) == []


def test_default_that_polls_again_loses_the_other_failure_values():
    (name, f), = findings(glue_poll(default="Pause"))
    assert name == "poll-failure-status-not-handled"
    assert "STOPPED, TIMEOUT, ERROR and EXPIRED" in f.message
    assert f.pointer == "/States/Job Done?/Default"
    assert f.path == ("Get Job Run", "Job Done?", "Pause", "Get Job Run")


def test_status_read_through_a_variable():
    assert findings(glue_poll(status_var=True)) == []
    assert names(glue_poll(status_var=True, default="Pause")) == ["poll-failure-status-not-handled"]


def test_status_variable_does_not_bound_the_loop():
    assert names(glue_poll(status_var=True, bound=None)) == ["poll-loop-unbounded"]


def test_deadline_bounds_the_loop():
    assert findings(glue_poll(bound="deadline")) == []


def test_wait_of_zero_seconds_is_no_wait():
    assert names(glue_poll(wait_seconds=0)) == ["poll-loop-without-wait"]


def test_sdk_and_optimized_starts():
    assert findings(glue_poll(start_resource="arn:aws:states:::aws-sdk:glue:startJobRun")) == []
    doc = machine({"Start Job": {"Type": "Task", "Resource": "arn:aws:states:::glue:startJobRun",
                                 "Arguments": {"JobName": "etl"}, "Next": "Done"},
                   "Done": {"Type": "Succeed"}})
    (name, f), = findings(doc)
    assert name == "poll-start-not-awaited" and f.path == ("Start Job", "Done")


def test_fire_and_forget_option():
    doc = machine({"Start Job": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startJobRun",
                                 "Arguments": {"JobName": "etl"}, "Next": "Done"},
                   "Done": {"Type": "Succeed"}})
    assert findings(doc, {"rules": {"poll-start-not-awaited": {"fire_and_forget": ["Start Job"]}}}) == []


def test_child_execution_hand_off_is_not_a_missing_poll():
    handoff = machine({"Prepare": {"Type": "Pass", "Next": "Hand Off"},
                       "Hand Off": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution",
                                    "Arguments": {"StateMachineArn": "arn:child"}, "Next": "Finish"},
                       "Finish": {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}})
    assert findings(handoff) == []
    moves_on = copy.deepcopy(handoff)
    moves_on["States"]["Finish"] = lam("Done")
    assert names(moves_on) == ["poll-start-not-awaited"]


def test_describe_once_is_not_a_poll():
    doc = machine({"Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
                             "Arguments": {"PipelineName": "p"}, "Next": "Describe"},
                   "Describe": {"Type": "Task",
                                "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
                                "Arguments": {"PipelineExecutionArn": "{% $arn %}"}, "Next": "Done"},
                   "Done": {"Type": "Succeed"}})
    (name, f), = findings(doc)
    assert name == "poll-start-not-awaited"
    assert "'Describe' reads its status once" in f.message


def test_start_in_parallel_branch_polled_after_the_parallel():
    branch = {"StartAt": "Start", "States": {"Start": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
        "Arguments": {"PipelineName": "p"}, "End": True}}}
    doc = machine({"Fan": {"Type": "Parallel", "Branches": [branch], "Next": "Done"}, "Done": {"Type": "Succeed"}})
    (name, f), = findings(doc)
    assert name == "poll-start-not-awaited" and f.path == ("Start", "Fan", "Done")


def test_catalogue_extension_inline_and_file(tmp_path):
    doc = machine({"Start Task": {"Type": "Task",
                                  "Resource": "arn:aws:states:::aws-sdk:databasemigration:startReplicationTask",
                                  "Arguments": {"ReplicationTaskArn": "arn"}, "Next": "Done"},
                   "Done": {"Type": "Succeed"}})
    assert findings(doc) == []
    entry = {"name": "dms-task", "start": ["aws-sdk:databasemigration:startReplicationTask"],
             "describe": ["aws-sdk:databasemigration:describeReplicationTasks"],
             "status": "ReplicationTasks.Status", "success": ["stopped"], "failure": ["failed"]}
    assert names(doc, {"patterns": {"poll": [entry]}}) == ["poll-start-not-awaited"]
    path = tmp_path / "extra.yaml"
    path.write_text("entries:\n  - " + json.dumps(entry) + "\n", encoding="utf-8")
    assert names(doc, {"patterns": {"catalogue": str(path)}}) == ["poll-start-not-awaited"]


@pytest.mark.parametrize("bad, message", [
    ({"poll": [{"name": "x"}]}, "missing key"),
    ({"poll": [{"name": "x", "start": ["arn:aws:states:::aws-sdk:a:b"], "describe": ["aws-sdk:a:c"],
                "status": "S", "success": ["OK"], "failure": ["NO"]}]}, "without its arn"),
    ({"poll": [{"name": "x", "start": ["aws-sdk:a:b"], "describe": ["aws-sdk:a:c"], "status": "S",
                "success": ["OK"], "failure": ["OK"]}]}, "both success and failure"),
    ({"poll": [{"name": "x", "start": ["aws-sdk:a:b"], "describe": ["aws-sdk:a:c"], "status": "S",
                "success": ["OK"], "failure": [], "colour": "red"}]}, "unknown key"),
    ({"catalogue": "/nonexistent/file.yaml"}, "cannot read"),
    ({"catalog": "x.yaml"}, "unknown setting"),
    ({"lock_states": [1]}, "must be a list of strings"),
])
def test_bad_pattern_settings(bad, message):
    with pytest.raises(SfncError, match=message):
        findings(glue_poll(), {"patterns": bad})


# ---------------------------------------------------------------------------------------------- locks


def test_lock_released_inside_a_parallel_branch():
    worker = {"StartAt": "Work", "States": {"Work": lam()}}
    releaser = {"StartAt": "Release", "States": {"Release": release()}}
    doc = machine({
        "Acquire": acquire("Fan"),
        "Fan": {"Type": "Parallel", "Branches": [worker, releaser], "Catch": [{"ErrorEquals": ["States.ALL"],
                                                                               "Next": "Release On Failure"}],
                "Next": "Done"},
        "Release On Failure": release("Failed"),
        "Duplicate": {"Type": "Succeed"}, "Done": {"Type": "Succeed"}, "Failed": {"Type": "Fail"},
    })
    assert findings(doc) == []
    doc["States"]["Fan"]["Branches"] = [worker]
    (name, f), = findings(doc)
    assert name == "lock-not-released" and f.path == ("Acquire", "Fan", "Done")


def test_uncaught_error_after_the_acquire():
    doc = machine({"Acquire": acquire("Work"), "Work": lam("Release"), "Release": release(),
                   "Duplicate": {"Type": "Succeed"}})
    (name, f), = findings(doc)
    assert name == "lock-not-released"
    assert f.path == ("Acquire", "Work", "Error(not caught)")
    assert f.pointer == "/States/Work" and "'Work' can fail with no Catch" in f.message


def test_lock_taken_in_a_map_iteration_and_released_after_the_map():
    proc = {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Acquire",
            "States": {"Acquire": acquire("Work"), "Work": lam(catch="Drop"), "Drop": {"Type": "Fail"},
                       "Duplicate": {"Type": "Succeed"}}}
    doc = machine({"Each": {"Type": "Map", "MaxConcurrency": 2, "ItemProcessor": proc, "Next": "Release",
                            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Release"}]},
                   "Release": release()})
    assert findings(doc) == []
    del doc["States"]["Each"]["Catch"]
    (name, f), = findings(doc)
    assert name == "lock-not-released"
    assert f.path == ("Acquire", "Work", "Catch(States.ALL)", "Drop", "Each", "Error(not caught)")
    # reported where the path leaves the iteration without a release (the fix could also go after the Map)
    assert f.pointer == "/States/Each/ItemProcessor/States/Work/Catch/0/Next"
    assert f.message.startswith("Catch(States.ALL) of 'Work' goes to 'Drop', which fails the ItemProcessor of 'Each'")
    assert [n.pointer for n in f.related] == ["/States/Each/ItemProcessor/States/Acquire"]


def test_sdk_integration_error_spelling():
    wrong = machine({"Acquire": acquire("Release", sdk=True, catch=[
        {"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Duplicate"}]),
        "Release": release(sdk=True), "Duplicate": {"Type": "Succeed"}})
    # the other integration's spelling is one finding, SFN817's (the general error-name rule), with the lock's
    # context; SFN712 does not report the same entry again
    assert findings(wrong) == []
    (name, f), = findings(wrong, select="SFN817")
    assert name == "error-name-misspelled"
    assert "write 'DynamoDb.ConditionalCheckFailedException'" in f.message and "duplicate run" in f.message
    assert f.pointer == "/States/Acquire/Catch/0/ErrorEquals/0"
    right = machine({"Acquire": acquire("Release", sdk=True), "Release": release(sdk=True),
                     "Duplicate": {"Type": "Succeed"}})
    assert findings(right) == [] and findings(right, select="SFN817") == []


def test_duplicate_path_that_deletes_the_other_runs_lock():
    doc = machine({"Acquire": acquire("Release", catch=[
        {"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Cleanup"}]),
        "Release": release(condition=False), "Cleanup": release(condition=False)})
    (name, f), = findings(doc)
    assert name == "lock-duplicate-not-caught"
    assert f.path == ("Acquire", "Catch(DynamoDB.ConditionalCheckFailedException)", "Cleanup")


def test_release_retry_with_the_wrong_prefix():
    doc = machine({"Acquire": acquire("Release", sdk=True), "Duplicate": {"Type": "Succeed"},
                   "Release": release(sdk=True, retry=[{"ErrorEquals": ["DynamoDB.ThrottlingException"]}])})
    (name, f), = findings(doc)
    assert name == "lock-release-without-retry"
    assert "DynamoDB.ThrottlingException" in f.message and "DynamoDb. prefix" in f.message


def test_update_item_lock_released_by_remove():
    take = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Arguments": {"TableName": "jobs", "Key": {"job": {"S": "j"}},
                          "UpdateExpression": "SET #owner = :me, lease_expires = :exp",
                          "ConditionExpression": "attribute_not_exists(#owner)",
                          "ExpressionAttributeNames": {"#owner": "lock_owner"}},
            "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "Duplicate"}],
            "Next": "Work"}
    give = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
            "Arguments": {"TableName": "jobs", "Key": {"job": {"S": "j"}}, "UpdateExpression": "REMOVE lock_owner"},
            "Retry": RETRY, "End": True}
    doc = machine({"Take": take, "Work": lam("Give", catch="Give"), "Give": give, "Duplicate": {"Type": "Succeed"}})
    assert findings(doc) == []
    doc["States"]["Work"]["Catch"][0]["Next"] = "Duplicate"
    (name, f), = findings(doc)
    assert name == "lock-not-released" and f.path == ("Take", "Work", "Catch(States.ALL)", "Duplicate")


def test_conditional_writes_that_are_not_locks():
    record = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
              "Arguments": {"TableName": "publication_ledger", "Key": {"batch_id": {"S": "b"}},
                            "UpdateExpression": "SET #status = :running, #owner = :me",
                            "ConditionExpression": "attribute_not_exists(#status) OR #status <> :published",
                            "ExpressionAttributeNames": {"#status": "publication_status", "#owner": "owner_arn"}},
              "Next": "Done"}
    idempotency = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                   "Arguments": {"TableName": "orders", "Item": {"order_id": {"S": "o"}},
                                 "ConditionExpression": "attribute_not_exists(order_id)"},
                   "Next": "Record"}
    doc = machine({"Insert Order": idempotency, "Record": record, "Done": {"Type": "Succeed"}})
    assert findings(doc) == []
    # ...unless the project says so
    assert "lock-not-released" in names(doc, {"patterns": {"lock_states": ["Insert Order"]}})
    lockish = machine({"Acquire": acquire("Done"), "Done": {"Type": "Succeed"}, "Duplicate": {"Type": "Succeed"}})
    assert names(lockish) == ["lock-not-released"]
    assert names(lockish, {"patterns": {"not_lock_states": ["Acquire"]}}) == []


def test_two_locks_on_two_tables_are_not_a_mismatch():
    doc = machine({
        "Acquire A": acquire("Acquire B", table="locks-a"),
        "Acquire B": acquire("Release B", table="locks-b"),
        "Release B": release("Release A", table="locks-b"),
        "Release A": release(table="locks-a"),
        "Duplicate": {"Type": "Succeed"},
    })
    (name, f), = findings(doc)  # lock B is released right away; lock A leaks when 'Acquire B' fails
    assert name == "lock-not-released" and f.path == ("Acquire A", "Acquire B", "Error(not caught)")
    for st in ("Acquire B", "Release B"):
        doc["States"][st]["Catch"] = doc["States"][st].get("Catch", []) + [
            {"ErrorEquals": ["States.ALL"], "Next": "Release A"}]
    doc["States"]["Release A"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": "Duplicate"}]
    # a duplicate for lock B still holds lock A
    (name, f), = findings(doc)
    assert f.path == ("Acquire A", "Acquire B", "Catch(DynamoDB.ConditionalCheckFailedException)", "Duplicate")
    doc["States"]["Acquire B"]["Catch"][0]["Next"] = "Release A"
    assert findings(doc) == []


def test_jsonpath_machines_are_skipped_by_the_jsonata_rules():
    doc = machine({"Acquire": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                               "Parameters": {"TableName": "locks", "Item": {"lock_key": {"S": "k"}},
                                              "ConditionExpression": "attribute_not_exists(lock_key)"},
                               "Next": "Each"},
                   "Each": {"Type": "Map", "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": True}}},
                            "End": True}}, ql="")
    assert findings(doc) == []


# ---------------------------------------------------------------------------------------------- loops and maps


def test_map_max_concurrency_zero():
    doc = machine({"Each": {"Type": "Map", "MaxConcurrency": 0,
                            "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": True}}},
                            "End": True}})
    (name, f), = findings(doc)
    assert name == "map-unbounded-concurrency" and f.pointer == "/States/Each/MaxConcurrency"


def test_map_concurrency_from_placeholder_or_expression_is_accepted():
    for value in ("${backfill.max_concurrency}", "{% $limit %}"):
        doc = machine({"Each": {"Type": "Map", "MaxConcurrency": value,
                                "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Pass", "End": True}}},
                                "End": True}})
        assert findings(doc) == []


def test_pagination_loop_is_reported_as_unbounded_and_can_be_suppressed():
    doc = machine({
        "List": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:s3:listObjectsV2",
                 "Arguments": {"Bucket": "b", "ContinuationToken": "{% $states.input.NextContinuationToken %}"},
                 "Next": "More?"},
        "More?": {"Type": "Choice", "Choices": [{"Condition": "{% $exists($states.input.NextContinuationToken) %}",
                                                 "Next": "List"}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    })
    (name, f), = findings(doc)
    assert name == "loop-unbounded" and f.path == ("List", "More?", "List")
    doc["States"]["List"]["Comment"] = "sfnc: ignore[loop-unbounded] S3 pagination always ends"
    from sfn_compiler.check.runner import validate_text

    config = CheckConfig.from_settings({"validate": {"select": ["pattern"]}})
    config.debug = True
    diags = validate_text(json.dumps(doc, indent=2), "paginate.json", config)
    assert diags == []


def test_catch_retry_loop_is_not_an_exitless_cycle_but_is_unbounded():
    doc = machine({"Call": lam("Done", catch="Back Off"), "Back Off": {"Type": "Wait", "Seconds": 5, "Next": "Call"},
                   "Done": {"Type": "Succeed"}})
    assert names(doc) == ["loop-unbounded"]


# ---------------------------------------------------------------------------------------------- CLI


def test_cli_select_pattern(tmp_path):
    from typer.testing import CliRunner

    from sfn_compiler.check.rules.patterns.locks import LockNotReleased
    from sfn_compiler.cli import app

    path = tmp_path / "lock.json"
    path.write_text(json.dumps(LockNotReleased.example_fail, indent=2), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path), "--select", "pattern", "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    (diag,) = data["diagnostics"]
    assert diag["rule"] == "SFN711"
    assert diag["path"] == ["Acquire Lock", "Process Batch", "Catch(States.ALL)", "Batch Failed"]
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps(LockNotReleased.example_pass), encoding="utf-8")
    assert CliRunner().invoke(app, ["validate", str(ok), "--select", "pattern"]).exit_code == 0


def test_config_file_options(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sfn_compiler.cli import app

    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [tool.sfnc.rules.callback-wait-for-task-token]
        allow = ["Ask"]
    """), encoding="utf-8")
    (tmp_path / "ask.json").write_text(json.dumps(_callback(TimeoutSeconds=3600)), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "ask.json", "--select", "pattern"])
    assert result.exit_code == 0, result.output


# ---------------------------------------------------------------------------------------------- docs


def test_docs_patterns_examples_are_correct():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "patterns.md").read_text(encoding="utf-8")
    blocks = re.findall(r"\*\*Correct example\*\*[^\n]*\n\n```json\n(.*?)```\n\n```mermaid\nstateDiagram-v2\n", text,
                        re.DOTALL)
    assert len(blocks) == 5
    for block in blocks:
        assert findings(json.loads(block)) == []
    for rule in PATTERN_RULES:
        assert f"| {rule.id} | `{rule.name}` | {rule.severity.value} | {rule.summary} |" in text
    assert "## Corpus results" in text


def test_shared_outcome_state_that_tests_the_status_again():
    doc = glue_poll()
    rules = doc["States"]["Job Done?"]["Choices"]
    rules[0] = {"Condition": "{% $states.input.JobRun.JobRunState in ['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMEOUT', "
                             "'ERROR', 'EXPIRED'] %}", "Next": "Record Outcome"}
    doc["States"]["Record Outcome"] = {"Type": "Pass", "Next": "Succeeded?"}
    doc["States"]["Succeeded?"] = {"Type": "Choice", "Choices": [
        {"Condition": "{% $states.input.JobRun.JobRunState = 'SUCCEEDED' %}", "Next": "Done"}], "Default": "Job Failed"}
    assert findings(doc) == []
    # without the second test, FAILED goes where SUCCEEDED goes
    doc["States"]["Record Outcome"]["Next"] = "Done"
    (name, f), = findings(doc)
    assert name == "poll-failure-status-not-handled" and "treated as a success" in f.message


def test_failed_status_sent_to_a_retry_api_is_deliberate():
    doc = PATTERN_RULES[2].example_pass  # sagemaker pipeline poll
    doc = copy.deepcopy(doc)
    doc["States"]["Check Status"]["Choices"][1]["Next"] = "Retry Pipeline"
    doc["States"]["Retry Pipeline"] = {"Type": "Task",
                                       "Resource": "arn:aws:states:::aws-sdk:sagemaker:retryPipelineExecution",
                                       "Arguments": {"PipelineExecutionArn": "{% $executionArn %}",
                                                     "ClientRequestToken": "{% $uuid() %}"},
                                       "Next": "Wait"}
    assert findings(doc) == []


def test_start_that_ends_the_workflow():
    doc = machine({"Start Job": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startJobRun",
                                 "Arguments": {"JobName": "etl"}, "End": True}})
    (name, f), = findings(doc)
    assert name == "poll-start-not-awaited" and f.path == ("Start Job",)
    assert "the workflow ends right after it" in f.message


def test_saga_reservation_deleted_only_by_compensation_is_not_a_lock():
    reserve = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
               "Arguments": {"TableName": "reservations", "Item": {"reservation_id": {"S": "r"}},
                             "ConditionExpression": "attribute_not_exists(reservation_id)"},
               "Next": "Charge Card"}
    cancel = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem",
              "Arguments": {"TableName": "reservations", "Key": {"reservation_id": {"S": "r"}}},
              "Retry": RETRY, "Next": "Order Failed"}
    doc = machine({"Reserve": reserve, "Charge Card": lam("Done", catch="Cancel Reservation"),
                   "Cancel Reservation": cancel, "Done": {"Type": "Succeed"}, "Order Failed": {"Type": "Fail"}})
    assert findings(doc) == []
    # deleted on the success path as well: that is a lock
    doc["States"]["Charge Card"]["Next"] = "Release"
    doc["States"]["Release"] = dict(cancel, Next="Done")
    assert "lock-without-ttl" in names(doc)
