"""The execution history as AWS writes it (simulate/history.py): the events per state type (as in the 461
histories LocalStack recorded from AWS, e.g. jsonpath-scenarios-034, -059, jsonata-states-variables-003), the
event ids quoted in causes, and the 25,000-event limit an inline Map counts against and a Distributed Map's
children do not."""

from __future__ import annotations

from sfn_compiler.simulate import run_execution

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"


def events(definition, payload=None, mocks=None, **kw):
    r = run_execution(definition, payload, mocks or {}, record_history=True, **kw)
    assert [i for i, _, _ in r.history] == list(range(1, len(r.history) + 1))
    return r, [t for _, t, _ in r.history]


def test_pass_choice_succeed_and_the_first_state_is_event_2():
    d = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "C"},
                                    "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsPresent": True,
                                                                         "Next": "S"}], "Default": "S"},
                                    "S": {"Type": "Succeed"}}}
    r, ev = events(d, {})
    assert ev == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered",
                  "ChoiceStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]
    assert r.trace[0].event_id == 2 and r.events == 8


def test_task_retry_and_catch():
    # a Lambda ARN writes LambdaFunction* events; a retry starts a new Scheduled/Started; a caught Task exits
    d = {"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": LAMBDA, "Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 1}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}], "End": True},
        "F": {"Type": "Fail", "Error": "X"}}}
    _, ev = events(d, {}, {"T": [{"throw": {"Error": "E"}}, {"throw": {"Error": "E"}}]})
    assert ev == ["ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
                  "LambdaFunctionFailed", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed",
                  "TaskStateExited", "FailStateEntered", "ExecutionFailed"]


def test_sync_integration_submits():
    d = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
                                          "End": True}}}
    _, ev = events(d, {}, {"T": {"return": {}}})
    assert ev[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]


def test_inline_map_iterations_and_a_failing_one():
    d = {"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1, "End": True, "ItemProcessor": {
        "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 2, "Next": "Break"}],
                  "Default": "P"},
            "P": {"Type": "Pass", "End": True}, "Break": {"Type": "Fail", "Error": "Boom"}}}}}}
    r, ev = events(d, [1, 2])
    assert ev == ["ExecutionStarted", "MapStateEntered", "MapStateStarted",
                  "MapIterationStarted", "ChoiceStateEntered", "ChoiceStateExited", "PassStateEntered",
                  "PassStateExited", "MapIterationSucceeded",
                  "MapIterationStarted", "ChoiceStateEntered", "ChoiceStateExited", "FailStateEntered",
                  "MapIterationFailed", "MapStateFailed", "ExecutionFailed"]
    assert r.error == "Boom"


def test_jsonata_evaluation_failure_is_an_event_and_the_cause_quotes_the_entered_event():
    d = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
        "P": {"Type": "Pass", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.nope %}", "End": True,
              "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}}
    r, ev = events(d, {})
    assert ev == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "MapStateEntered", "EvaluationFailed",
                  "MapStateFailed", "ExecutionFailed"]
    assert r.cause.startswith("An error occurred while executing the state 'M' (entered at the event id #4). "
                              "The JSONata expression '$states.input.nope' specified for the field 'Items'")


def test_distributed_map_children_have_histories_of_their_own():
    inner = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}}}
    d = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": dict(
        inner, ProcessorConfig={"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"})}}}
    r, ev = events(d, list(range(5000)))  # 5000 x 4 events would pass 25,000 in one history
    assert r.status == "SUCCEEDED" and len(r.output) == 5000
    assert ev == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
                  "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
    inline = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": inner}}}
    r = run_execution(inline, list(range(5000)), {})
    assert (r.status, r.error, r.events) == ("FAILED", "States.Runtime", 25000)  # 6 events per iteration


def test_inline_map_runs_at_most_40_iterations_at_a_time():
    d = {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}}}}
    assert run_execution(d, list(range(40)), {}).elapsed_seconds == 10
    assert run_execution(d, list(range(41)), {}).elapsed_seconds == 20
