"""The structural property each bundled workflow exists for, proven on the templates as rendered for the
project's envs: dynamically with the offline simulator (every Task mocked with a response shaped like the
real API's, virtual clock), and statically with the validator's pattern rules.

- Locked workflows (15m features/inference, prediction publication, continuous training): whichever Task
  after the lock acquire fails for good, the run releases its own lock before it ends FAILED; a duplicate
  run ends SUCCEEDED without touching any lock.
- Every SageMaker poll loop is bounded: a pipeline that stays ``Executing`` forever ends the run FAILED
  after exactly the attempt budget, with a stop request, far below the transition limit.
- Training orchestrator: the verifier/remediation loop runs the verifier at most
  ``training.verifier_max_attempts`` times.
- Backfill: the window Map is bounded in every env and the failure threshold is applied exactly.
- Cardiology: echo detection failure degrades to ECG-only; the hard stops end with E_HARD_001..004.
- Customer engagement: every failure reaches the failure notice with the error details.
- Continuous training: the ingestion loop stops on its idle window and on its batch budget.

State names are derived from the definitions (locks by Resource and table, poll loops by
describePipelineExecution and the attempt counter, Lambda stages by the function ARN from the env
values), so the tests keep meaning something when states are renamed.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (REPO / "templates").is_dir() or not (REPO / "envs").is_dir(),
                                reason="no bundled templates")

from sfn_compiler.check import CheckConfig, validate_rendered  # noqa: E402
from sfn_compiler.envconfig import load_env  # noqa: E402
from sfn_compiler.project import find_project  # noqa: E402
from sfn_compiler.pipeline import render_env  # noqa: E402
from sfn_compiler.simulate import ExecutionResult, MockProvider, MockResponse, TraceEvent, run_execution  # noqa: E402

INJECTED = "Sfnc.InjectedFailure"
INJECTED_CAUSE = "failure injected by tests/test_workflow_properties.py"

# ----------------------------------------------------------------------------------------- rendering


@lru_cache(maxsize=None)
def _project():
    return find_project(REPO)


@lru_cache(maxsize=None)
def _rendered(env: str) -> tuple[dict[str, Any], dict[str, Any]]:
    project = _project()
    cfg = load_env(project, env)
    out = render_env(project, cfg)
    assert not out.problems, [p.message for p in out.problems]
    return cfg.values, {t.name: t for t in out.templates}


def definition(template: str, env: str = "local") -> dict[str, Any]:
    return _rendered(env)[1][template].data


def values(env: str = "local") -> dict[str, Any]:
    return _rendered(env)[0]


ENVS = tuple(_project().env_names())
TEMPLATES = tuple(sorted(p.name[: -len(".json")] for p in (REPO / "templates").glob("*.json")))

# ----------------------------------------------------------------------------------------- graph helpers


def walk(container: dict[str, Any], top: str | None = None) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(name, state, top-level ancestor) for every state of the machine, nested ones included."""
    for name, sd in container["States"].items():
        ancestor = top or name
        yield name, sd, ancestor
        if sd["Type"] == "Parallel":
            for branch in sd["Branches"]:
                yield from walk(branch, ancestor)
        elif sd["Type"] == "Map":
            yield from walk(sd.get("ItemProcessor") or sd["Iterator"], ancestor)


def all_states(defn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: sd for name, sd, _ in walk(defn)}


def top_level_of(defn: dict[str, Any]) -> dict[str, str]:
    return {name: top for name, _, top in walk(defn)}


def service(sd: dict[str, Any]) -> str:
    """'dynamodb:putItem', 'aws-sdk:sagemaker:describePipelineExecution', 'lambda:invoke', ..."""
    return sd.get("Resource", "").split(":::", 1)[-1]


def task_names(defn: dict[str, Any], suffix: str = "") -> list[str]:
    return [n for n, sd in all_states(defn).items() if sd["Type"] == "Task" and service(sd).endswith(suffix)]


def states_type(defn: dict[str, Any], name: str) -> str:
    return all_states(defn)[name]["Type"]


def targets(sd: dict[str, Any]) -> list[str]:
    out = [sd[k] for k in ("Next", "Default") if k in sd]
    out += [r["Next"] for r in sd.get("Choices", ())]
    out += [c["Next"] for c in sd.get("Catch", ())]
    return out


def reachable(states: dict[str, Any], starts: list[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        n = todo.pop()
        if n in seen or n not in states:
            continue
        seen.add(n)
        todo.extend(targets(states[n]))
    return seen


def nested_names(sd: dict[str, Any]) -> list[str]:
    return [n for n, _, _ in walk({"States": {"_": sd}})][1:]


def events(result: ExecutionResult, state: str) -> list[TraceEvent]:
    return [e for e in result.trace if e.state == state]


def calls(result: ExecutionResult, state: str) -> list[dict[str, Any]]:
    return [c for e in events(result, state) for c in e.details.get("calls", ())]


def first_matching_retrier(sd: dict[str, Any], error: str) -> dict[str, Any] | None:
    for r in sd.get("Retry", ()):
        names = r.get("ErrorEquals", ())
        if error in names or "States.ALL" in names or ("States.TaskFailed" in names and error != "States.Timeout"):
            return r
    return None


def attempts_until_exhausted(sd: dict[str, Any], error: str) -> int:
    r = first_matching_retrier(sd, error)
    return 1 + (r.get("MaxAttempts", 3) if r else 0)


def function_states(defn: dict[str, Any], functions: dict[str, str]) -> dict[str, list[str]]:
    """Role (the key under values.<workflow>.functions) → the Task states invoking that Lambda."""
    out: dict[str, list[str]] = {}
    for n, sd in all_states(defn).items():
        if sd["Type"] == "Task" and service(sd) == "lambda:invoke":
            for role, arn in functions.items():
                if sd["Arguments"]["FunctionName"] == arn:
                    out.setdefault(role, []).append(n)
    return out


def normal_flow(defn: dict[str, Any]) -> set[str]:
    """Top-level states reachable from StartAt without taking a Catch."""
    top = defn["States"]
    seen: set[str] = set()
    todo = [defn["StartAt"]]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        sd = top[n]
        todo += [sd[k] for k in ("Next", "Default") if k in sd] + [r["Next"] for r in sd.get("Choices", ())]
    return seen


def pipeline_start(defn: dict[str, Any], pipeline_name: str) -> str:
    """The startPipelineExecution Task of a pipeline (by PipelineName)."""
    found = [n for n in task_names(defn, "startPipelineExecution")
             if all_states(defn)[n]["Arguments"]["PipelineName"] == pipeline_name]
    assert len(found) == 1, (pipeline_name, found)
    return found[0]


# ----------------------------------------------------------------------------------------- mocks


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


WINDOWS = [{"batch_folder": f"s3://ndr-local-ingest/mini-batches/2025/02/10/00{m:02d}/",
            "batch_timestamp": f"2025-02-10T00:{m:02d}:00Z"} for m in (0, 15, 30, 45)]

#: One Lambda payload that satisfies every bundled workflow's contract (the state Comments and
#: docs/workflows/INTERPRETATIONS.md): validation passes, quality gates pass, detection is confident,
#: the selector always has a batch with one trigger point, the knowledge-base update reports a result.
LAMBDA_PAYLOAD = {
    "is_valid": True, "errors": [], "total_input_bytes": 1048576, "quality_passed": True, "confidence": 0.9,
    "batch_size": 500, "batch_available": True, "batch": {"batch_id": "b-000001", "records": 500},
    "batch_id": "b-000001", "triggers": [{"trigger_id": "t-000001-1", "data_uri": "s3://ct-data/t-000001-1/"}],
    "remaining": {"offset": 450, "records": 50}, "model_version": "2025.09", "result": "ok",
}


def default_result(sd: dict[str, Any], state: str, invocation: int) -> Any:
    svc = service(sd)
    pipeline_arn = f"arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/{_slug(state)}-{invocation}"
    if svc.startswith("dynamodb:"):
        return {}
    if svc.endswith("sagemaker:startPipelineExecution") or svc.endswith("sagemaker:stopPipelineExecution"):
        return {"PipelineExecutionArn": pipeline_arn}
    if svc.endswith("sagemaker:describePipelineExecution"):
        return {"PipelineExecutionStatus": "Succeeded", "PipelineExecutionArn": pipeline_arn}
    if svc.startswith("states:startExecution"):
        return {"ExecutionArn": f"arn:aws:states:us-east-1:123456789012:execution:child:{_slug(state)}-{invocation}",
                "Status": "SUCCEEDED", "Output": {"status": "PROCESSED"}}
    if svc == "events:putEvents":
        return {"FailedEntryCount": 0, "Entries": [{"EventId": f"event-{invocation}"}]}
    if svc == "sns:publish":
        return {"MessageId": f"message-{invocation}"}
    if svc == "aws-sdk:s3:getObject":
        return {"Body": json.dumps({"windows": WINDOWS}), "ContentType": "application/json"}
    if svc.startswith("ecs:runTask"):
        return {"Tasks": [{"TaskArn": f"arn:aws:ecs:us-east-1:123456789012:task/c/{invocation}", "LastStatus": "STOPPED",
                           "Containers": [{"Name": "container", "ExitCode": 0}]}], "Failures": []}
    if svc == "lambda:invoke":
        return {"ExecutedVersion": "$LATEST", "StatusCode": 200, "Payload": copy.deepcopy(LAMBDA_PAYLOAD)}
    if ":function:" in str(sd.get("Resource")):  # a Lambda function ARN as Resource: the function's result
        return copy.deepcopy(LAMBDA_PAYLOAD)
    raise AssertionError(f"no default mock for {state!r} ({sd.get('Resource')}): extend default_result()")


Override = Callable[[int], "MockResponse | None"]


class Mocks(MockProvider):
    """Every Task succeeds with a realistic response; ``overrides[state](invocation)`` may replace it
    (returning None falls back to the default)."""

    def __init__(self, defn: dict[str, Any], overrides: dict[str, Override] | None = None) -> None:
        self.tasks = {n: sd for n, sd in all_states(defn).items() if sd["Type"] == "Task"}
        self.overrides = dict(overrides or {})
        unknown = set(self.overrides) - set(self.tasks)
        assert not unknown, f"overrides for states that are not Tasks: {sorted(unknown)}"

    def response(self, state_name: str, invocation_index: int) -> MockResponse | None:
        fn = self.overrides.get(state_name)
        if fn is not None:
            r = fn(invocation_index)
            if r is not None:
                return r
        sd = self.tasks.get(state_name)
        return None if sd is None else MockResponse.returning(default_result(sd, state_name, invocation_index))


def throws(error: str = INJECTED, cause: str | None = INJECTED_CAUSE) -> Override:
    return lambda i: MockResponse.throwing(error, cause)


def returns(value: Any, duration: float = 0) -> Override:
    return lambda i: MockResponse.returning(copy.deepcopy(value), duration)


def status(value: str, **extra: Any) -> Override:
    return returns({"PipelineExecutionStatus": value, **extra})


def lambda_returns(**payload: Any) -> Override:
    return returns({"ExecutedVersion": "$LATEST", "StatusCode": 200, "Payload": {**LAMBDA_PAYLOAD, **payload}})


INPUTS: dict[str, Any] = {
    "sfn_ndr_15m_features_inference": {"batch_folder": "s3://ndr-local-ingest/mini-batches/2025/03/04/1015/",
                                       "batch_timestamp": "2025-03-04T10:15:00Z"},
    "sfn_ndr_prediction_publication": {"batch_id": "20250304T1015Z",
                                       "batch_folder": "s3://ndr-local-ingest/mini-batches/2025/03/04/1015/",
                                       "batch_timestamp": "2025-03-04T10:15:00.000Z"},
    "sfn_ndr_monthly_fg_b_baselines": {"reference_month": "2025-02"},
    "sfn_ndr_training_orchestrator": {"reference_date": "2025-04-30"},
    "sfn_ndr_backfill_reprocessing": {"start_time": "2025-02-10T00:00:00Z", "end_time": "2025-02-10T01:00:00Z"},
    "customer_engagement_weekly": {"model_version": "2025.09"},
    "customer_engagement_weekly_jsonpath": {"model_version": "2025.09"},
    "cardiology_multimodal_pipeline": {"request_id": "req-0042", "echo": {"uri": "s3://intake/req-0042/echo.dcm"},
                                       "ecg": {"uri": "s3://intake/req-0042/ecg.xml"},
                                       "metadata": {"age": 63, "sex": "F"}},
    "continuous_training_pipeline": {},
}


def run(template: str, overrides: dict[str, Override] | None = None, *, env: str = "local",
        payload: Any = None, **kw: Any) -> ExecutionResult:
    defn = definition(template, env)
    return run_execution(defn, INPUTS[template] if payload is None else payload, Mocks(defn, overrides),
                         name=template, **kw)


def test_every_template_has_an_input_and_succeeds_when_every_call_succeeds():
    """The baseline the failure-injection tests build on: with every service call succeeding, each
    template succeeds in every env (so a FAILED below is caused by the injected failure)."""
    assert sorted(INPUTS) == list(TEMPLATES)
    for env in ENVS:
        for template in TEMPLATES:
            result = run(template, env=env)
            assert result.status == "SUCCEEDED", (env, template, result.error, result.cause)


# ========================================================================================= locks


@dataclass(frozen=True)
class Lock:
    acquire: str
    table: str
    key_attr: str
    releases: tuple[str, ...]


def locks(defn: dict[str, Any]) -> list[Lock]:
    """DynamoDB locks: a conditional putItem (attribute_not_exists) and the deleteItems on its table."""
    top = defn["States"]
    out = []
    for name, sd in top.items():
        args = sd.get("Arguments", {})
        if sd["Type"] == "Task" and service(sd) == "dynamodb:putItem" \
                and "attribute_not_exists" in args.get("ConditionExpression", ""):
            table = args["TableName"]
            releases = tuple(n for n, s in top.items() if s["Type"] == "Task" and service(s) == "dynamodb:deleteItem"
                             and s["Arguments"]["TableName"] == table)
            out.append(Lock(name, table, args["ExpressionAttributeNames"]["#pk"], releases))
    return out


LOCKED = tuple(t for t in TEMPLATES if locks(definition(t)))


def tasks_after_acquire(defn: dict[str, Any], lock: Lock) -> list[str]:
    """The acquire and every Task reachable from it (Tasks nested in reachable Parallel/Map included),
    in definition order."""
    top = defn["States"]
    reach = reachable(top, [lock.acquire])
    names: set[str] = set()
    for n in reach:
        names.add(n)
        if top[n]["Type"] in ("Parallel", "Map"):
            names.update(nested_names(top[n]))
    return [n for n in all_states(defn) if n in names and all_states(defn)[n]["Type"] == "Task"]


def test_the_locked_workflows_are_found():
    assert {"sfn_ndr_15m_features_inference", "sfn_ndr_prediction_publication",
            "continuous_training_pipeline"} <= set(LOCKED)
    for template in LOCKED:
        for lock in locks(definition(template)):
            assert len(lock.releases) >= 2, (template, lock)  # a success-path and a failure-path release


# --------------------------------------------------------------------------- poll loops (used by the lock tests)


@dataclass(frozen=True)
class PollLoop:
    start: str
    describe: str
    choice: str
    wait: str
    stop: str
    counter: str
    bound: int
    bound_rule: int
    wait_rule: int


_BOUND = re.compile(r"^\{%\s*\$(\w+)\s*>=\s*(\d+)\s*%\}$")


def poll_loops(defn: dict[str, Any]) -> list[PollLoop]:
    states = all_states(defn)
    out = []
    for d in task_names(defn, "sagemaker:describePipelineExecution"):
        choice = states[d]["Next"]
        rules = states[choice]["Choices"]
        bound = [(i, m) for i, r in enumerate(rules) if (m := _BOUND.match(r["Condition"]))]
        assert len(bound) == 1, f"{d}: the status Choice {choice!r} has no single attempt-bound rule"
        bi, m = bound[0]
        waits = [i for i, r in enumerate(rules) if states[r["Next"]]["Type"] == "Wait"]
        assert len(waits) == 1, f"{choice}: expected exactly one rule back to the Wait"
        wait = rules[waits[0]]["Next"]
        assert states[wait]["Next"] == d, f"{wait} does not lead back to {d}"
        starts = [n for n, sd in states.items() if sd.get("Next") == d and sd["Type"] == "Task"]
        assert len(starts) == 1, (d, starts)
        out.append(PollLoop(starts[0], d, choice, wait, rules[bi]["Next"], m.group(1), int(m.group(2)), bi, waits[0]))
    return out


def drivers(defn: dict[str, Any], task: str) -> dict[str, Override]:
    """Extra mocks needed to reach `task`: a stopPipelineExecution is only reached when its describe
    keeps returning Executing."""
    return {p.describe: status("Executing") for p in poll_loops(defn) if p.stop == task}


def failed_at(result: ExecutionResult, task: str, error: str = INJECTED) -> TraceEvent | None:
    for e in reversed(result.trace):
        if e.state == task and (e.error == error or (e.caught or {}).get("error") == error):
            return e
    return None


def run_failing(template: str, task: str, candidates: list[str]) -> ExecutionResult:
    """A run in which `task` fails for good (always throws INJECTED, so any retrier matching it is
    exhausted). States on a failure path only are reached by making an earlier Task fail too."""
    defn = definition(template)
    base = {task: throws(), **drivers(defn, task)}
    result = run(template, base)
    if failed_at(result, task):
        return result
    for other in candidates:
        if other == task:
            continue
        result = run(template, {**base, other: throws()})
        if failed_at(result, task):
            return result
    pytest.fail(f"{template}: no run makes {task!r} fail")


def _lock_cases():
    for template in LOCKED:
        defn = definition(template)
        for lock in locks(defn):
            for task in tasks_after_acquire(defn, lock):
                yield pytest.param(template, lock.acquire, task, id=f"{template}/{task}")


@pytest.mark.parametrize("template,acquire,task", list(_lock_cases()))
def test_lock_is_released_when_any_task_after_the_acquire_fails(template, acquire, task):
    defn = definition(template)
    states = all_states(defn)
    lock = next(lk for lk in locks(defn) if lk.acquire == acquire)
    result = run_failing(template, task, tasks_after_acquire(defn, lock))

    assert result.status == "FAILED", (result.status, result.error)
    # the run reports a real error, not an expression failure on the failure path
    assert result.error == INJECTED or result.error.endswith("Timeout"), (result.error, result.cause)
    assert states[result.trace[-1].state]["Type"] == "Fail"

    # the failure really was "for good": the matched retrier (if any) ran out
    failing = failed_at(result, task)
    assert len(failing.details["calls"]) == attempts_until_exhausted(states[task], INJECTED)

    # ... and a release of this lock comes after it (or the failing Task was itself the last release)
    after = result.trace[result.trace.index(failing) + 1:]
    released = [e for e in after if e.state in lock.releases]
    if task in lock.releases:
        released.append(failing)
    assert released, f"{task} failed and {lock.releases} never ran: {result.states}"
    last_task = [e for e in result.trace if e.type == "Task" and e.depth == 0][-1]
    assert last_task.state in lock.releases, f"the run ended after {last_task.state!r}, not after a release"

    # the release deletes the item this run acquired, conditioned on this run owning it
    item = calls(result, acquire)[0]["arguments"]["Item"]
    for ev in released:
        args = ev.details["calls"][0]["arguments"]
        assert args["TableName"] == lock.table
        assert args["Key"] == {lock.key_attr: item[lock.key_attr]}
        assert args["ExpressionAttributeValues"][":owner"] == item["owner_execution_arn"]
        assert args["ExpressionAttributeValues"][":owner"]["S"].startswith("arn:aws:states:")


@pytest.mark.parametrize("template", LOCKED)
def test_duplicate_run_succeeds_without_touching_any_lock(template):
    defn = definition(template)
    for lock in locks(defn):
        dup = {lock.acquire: throws("DynamoDB.ConditionalCheckFailedException", "The conditional request failed")}
        result = run(template, dup)
        assert result.status == "SUCCEEDED", (result.error, result.cause)  # no alarm
        assert result.output["status"] in ("DUPLICATE", "SKIPPED")
        deletes = set(task_names(defn, "dynamodb:deleteItem"))
        assert not deletes & set(result.all_states), result.states
        tasks_run = [e.state for e in result.trace if e.type == "Task"]
        assert tasks_run == [lock.acquire]  # nothing else was started
        assert states_type(defn, result.states[-1]) == "Succeed"


@pytest.mark.parametrize("template", LOCKED)
def test_successful_run_releases_its_lock_last(template):
    defn = definition(template)
    result = run(template)
    assert result.status == "SUCCEEDED"
    task_events = [e for e in result.trace if e.type == "Task" and e.depth == 0]
    for lock in locks(defn):
        assert task_events[0].state == lock.acquire
        assert task_events[-1].state in lock.releases, [e.state for e in task_events]


# ========================================================================================= poll loops


POLL_CASES = [pytest.param(t, p.describe, id=f"{t}/{p.describe}") for t in TEMPLATES for p in poll_loops(definition(t))]


def poll_budgets(env: str) -> set[int]:
    v = values(env)
    budgets = {p["max_attempts"] for p in v["poll"].values()}
    budgets.add(v["continuous_training"]["poll"]["max_attempts"])
    return budgets


@pytest.mark.parametrize("env", ENVS)
def test_every_poll_loop_has_an_attempt_bound_checked_before_it_polls_again(env):
    polling = set()
    for template in TEMPLATES:
        defn = definition(template, env)
        states = all_states(defn)
        for p in poll_loops(defn):
            polling.add(template)
            assert p.bound > 0 and p.bound in poll_budgets(env), (template, p)
            # the bound is tested before the "Executing/Stopping → Wait" rule, so it is reachable
            assert p.bound_rule < p.wait_rule, (template, p)
            assert states[p.stop]["Type"] == "Task" and service(states[p.stop]).endswith("stopPipelineExecution")
            # the counter restarts with every start and grows by one with every describe
            assert states[p.start]["Assign"][p.counter] == 0, (template, p)
            assert re.fullmatch(rf"\{{%\s*\${p.counter}\s*\+\s*1\s*%\}}", states[p.describe]["Assign"][p.counter])
    # the five NDR workflows and continuous training poll SageMaker pipelines
    assert polling == {t for t in TEMPLATES if t.startswith("sfn_ndr_")} | {"continuous_training_pipeline"}


def reach_describe(template: str, loop: PollLoop, describe_override: Override) -> ExecutionResult:
    """Run with `describe_override` on the loop's describe; describes that must fail first to reach it
    (e.g. remediation after a failed verifier) are found by trying each one."""
    defn = definition(template)
    result = run(template, {loop.describe: describe_override}, max_transitions=20 * loop.bound + 1000)
    if events(result, loop.describe):
        return result
    for other in poll_loops(defn):
        if other.describe != loop.describe:
            result = run(template, {loop.describe: describe_override, other.describe: status("Failed")},
                         max_transitions=20 * loop.bound + 1000)
            if events(result, loop.describe):
                return result
    pytest.fail(f"{template}: {loop.describe} is never reached")


@pytest.mark.parametrize("template,describe", POLL_CASES)
def test_a_pipeline_that_never_finishes_ends_the_run_within_the_attempt_bound(template, describe):
    defn = definition(template)
    loop = next(p for p in poll_loops(defn) if p.describe == describe)
    result = reach_describe(template, loop, status("Executing"))  # the single response repeats forever
    assert result.status == "FAILED"
    assert result.error.endswith("Timeout"), result.error
    assert result.mock_invocations[loop.describe] == loop.bound
    assert len(events(result, loop.wait)) == loop.bound - 1
    assert result.mock_invocations[loop.stop] == 1  # nothing keeps running unobserved
    stop_args = calls(result, loop.stop)[0]["arguments"]
    assert stop_args["PipelineExecutionArn"] == calls(result, loop.start)[0]["result"]["PipelineExecutionArn"]
    assert result.transitions < 3 * loop.bound + 200
    assert f"did not finish after {loop.bound} status checks" in result.cause


@pytest.mark.parametrize("template,describe", POLL_CASES)
def test_failed_and_unknown_pipeline_statuses_leave_the_poll_loop(template, describe):
    defn = definition(template)
    loop = next(p for p in poll_loops(defn) if p.describe == describe)
    for st in ("Stopped", "CompletedWithFailures", "Paused"):
        result = reach_describe(template, loop, status(st, FailureReason="test"))
        assert result.status == "FAILED", (st, result.status)
        assert result.mock_invocations[loop.describe] == 1, st
        assert not events(result, loop.wait) and loop.stop not in result.mock_invocations, st


# ========================================================================================= training orchestrator

TRAINING = "sfn_ndr_training_orchestrator"


@pytest.mark.parametrize("env", ENVS)
def test_training_remediation_loop_stops_after_the_verifier_attempt_budget(env):
    defn = definition(TRAINING, env)
    v = values(env)
    budget = v["training"]["verifier_max_attempts"]
    verifier = pipeline_start(defn, v["pipelines"]["training_verifier"])
    remediation = pipeline_start(defn, v["pipelines"]["missing_feature_creation"])
    training = pipeline_start(defn, v["pipelines"]["if_training"])
    verifier_describe = all_states(defn)[verifier]["Next"]

    result = run(TRAINING, {verifier_describe: status("Failed", FailureReason="feature groups incomplete")}, env=env)
    assert result.status == "FAILED"
    assert result.error == "Ndr.TrainingDataNotReady"
    assert f"failed on attempt {budget}" in result.cause and "feature groups incomplete" in result.cause
    assert result.mock_invocations[verifier] == budget
    assert result.mock_invocations[remediation] == budget - 1
    assert training not in result.mock_invocations
    tokens = [c["arguments"]["ClientRequestToken"] for c in calls(result, verifier)]
    assert len(set(tokens)) == budget  # every verifier attempt is a new SageMaker execution


def test_training_remediation_that_works_lets_training_continue():
    defn = definition(TRAINING)
    v = values()
    verifier = pipeline_start(defn, v["pipelines"]["training_verifier"])
    fails_once = lambda i: MockResponse.returning({"PipelineExecutionStatus": "Failed" if i == 0 else "Succeeded"})  # noqa: E731
    result = run(TRAINING, {all_states(defn)[verifier]["Next"]: fails_once})
    assert result.status == "SUCCEEDED"
    assert result.output["verifier_attempts"] == 2
    assert result.mock_invocations[pipeline_start(defn, v["pipelines"]["model_deploy"])] == 1


def test_failed_remediation_does_not_rerun_the_verifier():
    defn = definition(TRAINING)
    v = values()
    verifier = pipeline_start(defn, v["pipelines"]["training_verifier"])
    remediation = pipeline_start(defn, v["pipelines"]["missing_feature_creation"])
    result = run(TRAINING, {all_states(defn)[verifier]["Next"]: status("Failed"),
                            all_states(defn)[remediation]["Next"]: status("Failed")})
    assert result.status == "FAILED" and result.error == "Ndr.MissingFeatureCreationPipelineFailed"
    assert result.mock_invocations[verifier] == 1


# ========================================================================================= backfill

BACKFILL = "sfn_ndr_backfill_reprocessing"


def backfill_map(defn: dict[str, Any]) -> tuple[str, str]:
    maps = [(n, sd) for n, sd in defn["States"].items() if sd["Type"] == "Map"]
    assert len(maps) == 1
    name, sd = maps[0]
    window_tasks = [n for n in nested_names(sd) if states_type(defn, n) == "Task"]
    assert len(window_tasks) == 1 and service(all_states(defn)[window_tasks[0]]).startswith("states:startExecution")
    return name, window_tasks[0]


def manifest(n: int) -> Override:
    windows = [{"batch_folder": f"s3://ndr-ingest/mini-batches/w{i:04d}/", "batch_timestamp": f"w{i:04d}"}
               for i in range(n)]
    return returns({"Body": json.dumps({"windows": windows}), "ContentType": "application/json"})


@pytest.mark.parametrize("env", ENVS)
def test_backfill_map_is_bounded_in_every_env(env):
    defn = definition(BACKFILL, env)
    v = values(env)["backfill"]
    map_name, _ = backfill_map(defn)
    sd = defn["States"][map_name]
    assert isinstance(sd["MaxConcurrency"], int) and not isinstance(sd["MaxConcurrency"], bool)
    assert 0 < sd["MaxConcurrency"] == v["max_concurrency"]
    assert sd["ToleratedFailurePercentage"] == v["tolerated_failure_percentage"]

    # more windows than the per-execution limit never reach the Map
    loader = task_names(defn, "s3:getObject")[0]
    result = run(BACKFILL, {loader: manifest(v["max_windows"] + 1)}, env=env)
    assert result.status == "FAILED" and result.error == "Ndr.TooManyWindows"
    assert map_name not in result.all_states


def test_backfill_runs_at_most_max_concurrency_windows_at_a_time():
    defn = definition(BACKFILL)
    map_name, window = backfill_map(defn)
    c = defn["States"][map_name]["MaxConcurrency"]
    assert isinstance(c, int) and c > 0
    n, seconds = 2 * c + 1, 600
    loader = task_names(defn, "s3:getObject")[0]
    ok = {"Status": "SUCCEEDED", "Output": {"status": "PROCESSED"}}
    result = run(BACKFILL, {loader: manifest(n), window: returns(ok, seconds)})
    assert result.status == "SUCCEEDED"
    assert events(result, map_name)[0].duration == math.ceil(n / c) * seconds


@pytest.mark.parametrize("env", ENVS)
def test_backfill_failure_threshold_is_applied_exactly(env):
    defn = definition(BACKFILL, env)
    v = values(env)["backfill"]
    map_name, window = backfill_map(defn)
    loader = task_names(defn, "s3:getObject")[0]
    summary = next(n for n in task_names(defn, "events:putEvents")
                   if all_states(defn)[n]["Arguments"]["Entries"][0]["DetailType"] == "NDR Backfill Reconciliation")
    n = min(v["max_windows"], 40)
    tolerated = n * v["tolerated_failure_percentage"] // 100  # failures × 100 > pct × total fails the run

    for failures, expected in ((tolerated, "SUCCEEDED"), (tolerated + 1, "FAILED")):
        failing = set(range(1, n, max(1, n // (failures or 1))))
        failing = set(sorted(failing)[:failures])
        assert len(failing) == failures
        window_mock = lambda i, failing=failing: (  # noqa: E731
            MockResponse.throwing("States.TaskFailed", '{"Status":"FAILED","Error":"Ndr.FeaturesPipelineFailed"}')
            if i in failing else None)
        result = run(BACKFILL, {loader: manifest(n), window: window_mock}, env=env)
        assert result.status == expected, (env, failures, result.error, result.cause)
        detail = calls(result, summary)[0]["arguments"]["Entries"][0]["Detail"]
        assert (detail["windows_total"], detail["windows_succeeded"], detail["windows_failed"]) == \
            (n, n - failures, failures)
        assert detail["failed_windows_sample"] == [f"w{i:04d}" for i in sorted(failing)]
        assert detail["status"] == expected
        if expected == "SUCCEEDED":
            assert result.output["windows_total"] == n and result.output["windows_failed"] == failures
        else:
            assert result.error == "Ndr.BackfillFailureThresholdExceeded"
            assert f"{failures} of {n} windows failed" in result.cause


# ========================================================================================= cardiology

CARDIOLOGY = "cardiology_multimodal_pipeline"
MODEL_ROLES = ("preprocess_echo", "preprocess_ecg", "detect_echo_structures", "analyze_echo", "analyze_ecg",
               "fuse_modalities", "compute_risk")


def cardiology_stages(env: str = "local") -> dict[str, str]:
    stages = function_states(definition(CARDIOLOGY, env), values(env)["cardiology"]["functions"])
    assert set(stages) == set(values(env)["cardiology"]["functions"]), "a cardiology function is not invoked"
    assert all(len(v) == 1 for v in stages.values()), stages
    return {role: v[0] for role, v in stages.items()}


def fail_codes(defn: dict[str, Any]) -> dict[str, str]:
    """Literal Fail Error code → Fail state."""
    return {sd["Error"]: n for n, sd in all_states(defn).items()
            if sd["Type"] == "Fail" and not sd.get("Error", "{%").startswith("{%")}


def assert_hard_stop(result: ExecutionResult, code: str, stage: str | None = None) -> dict[str, Any]:
    assert result.status == "FAILED", (result.status, result.output)
    assert result.error == code, (result.error, result.cause)
    assert result.error_state == fail_codes(definition(CARDIOLOGY))[code]
    cause = json.loads(result.cause)
    assert cause["code"] == code and cause["states_traversed"][-1] == "ERROR"
    if stage:
        assert cause["stage"] == stage
    return cause


@pytest.mark.parametrize("failure", ["function error", "timeouts until retries run out", "model load retries run out"])
def test_echo_detection_failure_degrades_to_ecg_only(failure):
    defn = definition(CARDIOLOGY)
    s = cardiology_stages()
    detect = s["detect_echo_structures"]
    mock = {"function error": throws("EchoDetectionError", "no contours found"),
            "timeouts until retries run out": returns({"StatusCode": 200, "Payload": LAMBDA_PAYLOAD},
                                                      all_states(defn)[detect]["TimeoutSeconds"] + 1),
            "model load retries run out": throws("ModelLoadError", "weights not cached")}[failure]
    result = run(CARDIOLOGY, {detect: mock})
    assert result.status == "SUCCEEDED", (result.error, result.cause)
    pe = result.output["pipeline_execution"]
    assert pe["detection_status"] == "FAILED"
    assert len(pe["degradations"]) == 1 and "ECG-only" in pe["degradations"][0]
    assert pe["branches_executed"] == ["echo", "ecg", "metadata"]
    assert pe["states_traversed"][-1] == "COMPLETE" and "DETECTION" in pe["states_traversed"]
    assert s["analyze_echo"] not in result.mock_invocations
    assert result.mock_invocations[s["analyze_ecg"]] == 1
    assert result.mock_invocations[s["format_response"]] == 1


def test_echo_detection_failure_without_ecg_fails_with_e_detection():
    payload = {k: v for k, v in INPUTS[CARDIOLOGY].items() if k != "ecg"}
    s = cardiology_stages()
    result = run(CARDIOLOGY, {s["detect_echo_structures"]: throws("EchoDetectionError")}, payload=payload)
    assert result.status == "FAILED" and result.error == "E_DETECTION"
    assert s["analyze_ecg"] not in result.mock_invocations


def test_low_confidence_detection_skips_functional_analysis():
    s = cardiology_stages()
    threshold = values()["cardiology"]["min_detection_confidence"]
    result = run(CARDIOLOGY, {s["detect_echo_structures"]: lambda_returns(confidence=threshold - 0.01)})
    assert result.status == "SUCCEEDED"
    assert calls(result, s["analyze_echo"])[0]["arguments"]["Payload"]["skip_functional_analysis"] is True
    assert any("functional analysis skipped" in w for w in result.output["pipeline_execution"]["degradations"])


def test_fusion_failure_returns_per_modality_results():
    s = cardiology_stages()
    result = run(CARDIOLOGY, {s["fuse_modalities"]: throws("FusionModelError")})
    assert result.status == "SUCCEEDED"
    assert result.output["pipeline_execution"]["fusion_status"] == "FAILED"
    assert s["compute_risk"] not in result.mock_invocations
    assert calls(result, s["format_response"])[0]["arguments"]["Payload"]["risk"] is None


@pytest.mark.parametrize("payload", [{"metadata": {"age": 63}}, {}, {"echo": None, "ecg": None, "metadata": {"age": 1}}],
                         ids=["metadata only", "empty", "null modalities"])
def test_e_hard_001_no_valid_modality(payload):
    s = cardiology_stages()
    result = run(CARDIOLOGY, payload={"request_id": "req-1", **payload})
    assert_hard_stop(result, "E_HARD_001")
    assert set(result.mock_invocations) == {s["log_receipt"]}  # nothing is validated or processed


@pytest.mark.parametrize("role", sorted(values()["cardiology"]["functions"]))
def test_e_hard_002_critical_memory_stops_every_stage_immediately(role):
    s = cardiology_stages()
    result = run(CARDIOLOGY, {s[role]: throws("CriticalMemoryExceeded", "RSS above the safety limit")})
    cause = assert_hard_stop(result, "E_HARD_002")
    assert cause["error"] == "CriticalMemoryExceeded"
    assert result.mock_invocations[s[role]] == 1  # not retried
    assert s["format_response"] not in result.mock_invocations or role == "format_response"


@pytest.mark.parametrize("role", MODEL_ROLES)
def test_e_hard_003_corrupted_model_alerts_then_stops(role):
    defn = definition(CARDIOLOGY)
    s = cardiology_stages()
    alert = task_names(defn, "sns:publish")
    assert len(alert) == 1
    result = run(CARDIOLOGY, {s[role]: throws("ModelFileCorrupted", "checksum mismatch")})
    assert_hard_stop(result, "E_HARD_003")
    message = json.loads(calls(result, alert[0])[0]["arguments"]["Message"])
    assert message["code"] == "E_HARD_003" and message["error"] == "ModelFileCorrupted"
    assert calls(result, alert[0])[0]["arguments"]["TopicArn"] == values()["cardiology"]["topics"]["critical_alerts"]


def test_e_hard_004_input_size_reported_by_validation():
    s = cardiology_stages()
    limit = values()["cardiology"]["max_input_bytes"]
    over = run(CARDIOLOGY, {s["validate_inputs"]: lambda_returns(total_input_bytes=limit + 1)})
    assert_hard_stop(over, "E_HARD_004", "VALIDATION")
    assert not {s["preprocess_echo"], s["preprocess_ecg"]} & set(over.mock_invocations)
    at_limit = run(CARDIOLOGY, {s["validate_inputs"]: lambda_returns(total_input_bytes=limit)})
    assert at_limit.status == "SUCCEEDED"


@pytest.mark.parametrize("role", ["log_receipt", "validate_inputs", "preprocess_echo", "preprocess_ecg",
                                  "normalize_metadata"])
def test_e_hard_004_input_size_raised_while_reading_the_input(role):
    s = cardiology_stages()
    result = run(CARDIOLOGY, {s[role]: throws("InputSizeLimitExceeded", "input too large")})
    assert_hard_stop(result, "E_HARD_004")


@pytest.mark.parametrize("role", ["detect_echo_structures", "analyze_echo", "analyze_ecg", "fuse_modalities",
                                  "compute_risk", "format_response"])
def test_e_hard_004_input_size_raised_by_a_later_stage(role):
    s = cardiology_stages()
    result = run(CARDIOLOGY, {s[role]: throws("InputSizeLimitExceeded", "input too large")})
    assert_hard_stop(result, "E_HARD_004")


# ========================================================================================= customer engagement

ENGAGEMENT = "customer_engagement_weekly"


def engagement_failure_path(defn: dict[str, Any]) -> tuple[str, str]:
    """(handler, notice): the single state every top-level catcher goes to, and the SNS notice after it."""
    top = defn["States"]
    handlers = {c["Next"] for sd in top.values() for c in sd.get("Catch", ())
                if top[c["Next"]]["Type"] != "Fail"}
    assert len(handlers) == 1, handlers
    handler = handlers.pop()
    notice = top[handler]["Next"]
    assert top[notice]["Type"] == "Task" and service(top[notice]) == "sns:publish"
    return handler, notice


def _engagement_cases():
    defn = definition(ENGAGEMENT)
    _, notice = engagement_failure_path(defn)
    states = all_states(defn)
    for task in task_names(defn):
        if task == notice:
            continue
        yield pytest.param(task, "error", id=f"{task}/error")
        if "TimeoutSeconds" in states[task]:
            yield pytest.param(task, "timeout", id=f"{task}/timeout")


@pytest.mark.parametrize("task,mode", list(_engagement_cases()))
def test_every_engagement_failure_reaches_the_failure_notice_with_the_error_details(task, mode):
    defn = definition(ENGAGEMENT)
    states = all_states(defn)
    handler, notice = engagement_failure_path(defn)
    if mode == "error":
        error, cause, mock = INJECTED, INJECTED_CAUSE, throws()
    else:
        error, cause = "States.Timeout", None
        mock = returns(default_result(states[task], task, 0), states[task]["TimeoutSeconds"] + 1)
    result = run(ENGAGEMENT, {task: mock})

    assert result.status == "FAILED"  # the ExecutionsFailed alarm fires
    assert result.error == error
    failed_state = top_level_of(defn)[task]
    assert result.cause.startswith(f"[{failed_state}]")
    assert handler in result.states and result.mock_invocations[notice] == 1
    notice_args = calls(result, notice)[0]["arguments"]
    assert notice_args["TopicArn"] == values()["engagement"]["topics"]["pipeline_notifications"]
    message = json.loads(notice_args["Message"])
    assert message["failed_state"] == failed_state
    assert message["error_type"] == error
    if cause:
        assert message["error_message"] == cause
    assert message["execution_arn"].startswith("arn:aws:states:") and message["logs"].startswith("https://")
    success_notice = [n for n in task_names(defn, "sns:publish") if n != notice]
    assert len(success_notice) == 1
    assert success_notice[0] not in result.mock_invocations or task == success_notice[0]


def test_engagement_failure_notice_failing_still_fails_the_run_with_the_original_error():
    defn = definition(ENGAGEMENT)
    _, notice = engagement_failure_path(defn)
    first = defn["StartAt"]
    result = run(ENGAGEMENT, {first: throws(), notice: throws("SNS.AmazonSNSException")})
    assert result.status == "FAILED" and result.error == INJECTED
    assert result.mock_invocations[notice] == attempts_until_exhausted(all_states(defn)[notice], "SNS.AmazonSNSException")


# ========================================================================================= continuous training

CT = "continuous_training_pipeline"


def ct_stages(env: str = "local") -> dict[str, str]:
    """Role → Task state; where one function backs several states (inform_selector, close_cluster_connection)
    the one on the normal (non-catch) flow, or inside the trigger Map, wins."""
    defn = definition(CT, env)
    flow = normal_flow(defn)
    top = top_level_of(defn)
    out = {}
    for role, names in function_states(defn, values(env)["continuous_training"]["functions"]).items():
        preferred = [n for n in names if n != top[n]] or [n for n in names if n in flow] or names
        out[role] = preferred[0]
    return out


@pytest.mark.parametrize("env", ENVS)
def test_continuous_training_stops_after_the_idle_window(env):
    v = values(env)["continuous_training"]
    s = ct_stages(env)
    result = run(CT, {s["fetch_data_batch"]: lambda_returns(batch_available=False)}, env=env)
    assert result.status == "SUCCEEDED"
    assert result.output["stopped_because"] == "no new data within the idle window"
    # one empty replay fetch switches to live data, then max_idle_polls empty live fetches end the run
    assert result.mock_invocations[s["fetch_data_batch"]] == 1 + v["max_idle_polls"]
    assert s["handle_new_data"] not in result.mock_invocations
    assert result.mock_invocations[s["close_cluster_connection"]] == 1


@pytest.mark.parametrize("env", ENVS)
def test_continuous_training_stops_on_its_batch_budget(env):
    v = values(env)["continuous_training"]
    s = ct_stages(env)
    result = run(CT, env=env)  # the selector always has a batch with one trigger point
    assert result.status == "SUCCEEDED"
    assert result.output["stopped_because"] == "batch budget reached"
    assert result.output["batches_handled"] == v["max_batches_per_run"]
    assert result.mock_invocations[s["handle_new_data"]] == v["max_batches_per_run"]
    assert result.output["triggers_trained"] == v["max_batches_per_run"]


@pytest.mark.parametrize("env", ENVS)
def test_continuous_training_trains_triggers_strictly_in_order_and_stops_at_the_first_failure(env):
    defn = definition(CT, env)
    v = values(env)["continuous_training"]
    s = ct_stages(env)
    maps = [sd for sd in defn["States"].values() if sd["Type"] == "Map"]
    assert len(maps) == 1
    assert maps[0]["MaxConcurrency"] == v["max_concurrent_triggers"] == 1
    assert maps[0]["ToleratedFailureCount"] == v["tolerated_trigger_failures"] == 0
    three = [{"trigger_id": f"t-{i}", "data_uri": f"s3://ct-data/t-{i}/"} for i in range(3)]
    training = pipeline_start(defn, v["pipelines"]["training"])
    describe = all_states(defn)[training]["Next"]
    result = run(CT, {s["handle_new_data"]: lambda_returns(triggers=three), describe: status("Failed")}, env=env)
    assert result.status == "FAILED" and result.error == "ContinuousTraining.TrainingPipelineFailed"
    assert result.mock_invocations[training] == 1  # triggers 2 and 3 never start
    modes = [c["arguments"]["Payload"]["mode"] for n in function_states(defn, v["functions"])["inform_selector"]
             for c in calls(result, n)]
    assert modes == ["trigger"]  # the selector is not told to move past the untrained data
    closes = function_states(defn, v["functions"])["close_cluster_connection"]
    closed = [n for n in closes if n in result.mock_invocations]
    assert len(closed) == 1 and closed[0] not in normal_flow(defn)  # closed once, on the failure path


# ========================================================================================= static pattern rules

PATTERN_RULES = ["SFN705", "SFN711", "SFN712", "SFN713", "SFN714", "SFN715", "SFN721", "SFN722", "SFN723"]


def _validate(rendered, data=None):
    if data is not None:
        rendered = dataclasses.replace(rendered, data=data, text=json.dumps(data, indent=2) + "\n")
    return validate_rendered(rendered, CheckConfig(select=list(PATTERN_RULES)))


@pytest.mark.parametrize("env", ENVS)
def test_pattern_rules_find_nothing_in_any_env(env):
    for template, rendered in _rendered(env)[1].items():
        found = _validate(rendered)
        assert found == [], [(d.rule, d.message) for d in found]


def test_pattern_rules_catch_a_broken_workflow():
    """Negative controls: the rules above are really selected and do fire."""
    rendered = _rendered("local")[1]
    # a failure path that skips the lock release
    t = rendered["sfn_ndr_15m_features_inference"]
    data = copy.deepcopy(t.data)
    loop = poll_loops(data)[0]
    lock = locks(data)[0]
    release_on_failure = [r for r in lock.releases if states_type(data, data["States"][r]["Next"]) == "Fail"]
    fail_state = data["States"][release_on_failure[0]]["Next"]
    for rule in data["States"][loop.choice]["Choices"]:
        if rule["Next"] in lock.releases:
            rule["Next"] = fail_state
    assert "SFN711" in {d.rule for d in _validate(t, data)}
    # a poll loop without its attempt bound
    data = copy.deepcopy(t.data)
    del data["States"][loop.choice]["Choices"][loop.bound_rule]
    assert "SFN705" in {d.rule for d in _validate(t, data)}
    # an unbounded window Map
    b = rendered[BACKFILL]
    data = copy.deepcopy(b.data)
    data["States"][backfill_map(data)[0]]["MaxConcurrency"] = 0
    assert "SFN723" in {d.rule for d in _validate(b, data)}
