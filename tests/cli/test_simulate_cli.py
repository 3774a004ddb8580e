"""`sfnc run` with a Step Functions Local MockConfigFile and `sfnc test` with scenarios and coverage."""

from __future__ import annotations

import json

POLL = {
    "QueryLanguage": "JSONata",
    "StartAt": "Start Job",
    "States": {
        "Start Job": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:startJobRun",
                      "Arguments": {"JobName": "${job}"}, "Assign": {"runId": "{% $states.result.JobRunId %}", "attempt": 0},
                      "Next": "Get Run"},
        "Get Run": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getJobRun",
                    "Arguments": {"JobName": "${job}", "RunId": "{% $runId %}"},
                    "Retry": [{"ErrorEquals": ["Glue.ThrottlingException"], "IntervalSeconds": 2, "MaxAttempts": 3}],
                    "Assign": {"attempt": "{% $attempt + 1 %}", "status": "{% $states.result.JobRun.JobRunState %}"},
                    "Next": "Done?"},
        "Done?": {"Type": "Choice", "Choices": [
            {"Condition": "{% $status = 'SUCCEEDED' %}", "Next": "Succeeded"},
            {"Condition": "{% $status in ['FAILED', 'STOPPED', 'TIMEOUT', 'ERROR'] %}", "Next": "Job Failed"},
            {"Condition": "{% $attempt >= ${max} %}", "Next": "Job Failed"}], "Default": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 300, "Next": "Get Run"},
        "Succeeded": {"Type": "Succeed", "Output": {"run": "{% $runId %}"}},
        "Job Failed": {"Type": "Fail", "Error": "JobFailed", "Cause": "{% 'status ' & $status %}"},
    },
}


def setup(project):
    project.write("templates/poll.json", POLL)
    project.write("envs/local.yaml", "values:\n  job: etl\n  max: 3\n")
    project.write("tests/scenarios/poll/happy.yaml", """
        description: the job succeeds on the second poll
        input: {}
        mocks:
          Start Job: {return: {JobRunId: jr_1}}
          Get Run:
            - return: {JobRun: {JobRunState: RUNNING}}
            - return: {JobRun: {JobRunState: SUCCEEDED}}
        expect:
          status: SUCCEEDED
          output: {run: jr_1}
          states: [Start Job, Get Run, "Done?", Wait, Get Run, "Done?", Succeeded]
    """)
    project.write("tests/scenarios/poll/timeout.yaml", """
        input: {}
        mocks:
          Start Job: {return: {JobRunId: jr_2}}
          Get Run: {return: {JobRun: {JobRunState: RUNNING}}}
        expect:
          status: FAILED
          error: JobFailed
          variables: {attempt: 3}
    """)


def test_sfnc_test_passes_with_coverage(sfnc, project):
    setup(project)
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 0, res
    assert "ok   tests/scenarios/poll/happy.yaml" in res.stdout
    assert "2 passed, 0 failed (1 machine, env local)" in res.stdout
    assert "uncovered (test next):" in res.stdout and "Job Failed" in res.stdout
    res = sfnc("test", "--min-coverage", "95", cwd=project.root)
    assert res.exit_code == 1 and "coverage below minimum: poll:" in res.stderr
    res = sfnc("test", "--format", "json", cwd=project.root)
    data = json.loads(res.stdout)
    assert data["summary"] == {"scenarios": 2, "failed": 0, "unreadable": 0, "skipped": 0, "below_min_coverage": []}
    assert data["machines"][0]["coverage"]["transitions"]["total"] >= 8


def test_sfnc_test_reports_mismatch(sfnc, project):
    setup(project)
    project.write("tests/scenarios/poll/wrong.yaml", """
        input: {}
        mocks:
          Start Job: {return: {JobRunId: jr_3}}
          Get Run: {return: {JobRun: {JobRunState: FAILED}}}
        expect: {status: SUCCEEDED}
    """)
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 1
    assert "FAIL tests/scenarios/poll/wrong.yaml" in res.stdout and "JobFailed" in res.stdout


def test_sfnc_run_with_mock_config(sfnc, project, tmp_path):
    definition = json.loads(json.dumps(POLL).replace("${job}", "etl").replace("${max}", "3"))
    project.write("poll.json", definition)
    project.write("mocks.json", {
        "StateMachines": {"poll": {"TestCases": {"Happy": {"Start Job": "Started", "Get Run": "Runs"}}}},
        "MockedResponses": {"Started": {"0": {"Return": {"JobRunId": "jr_9"}}},
                            "Runs": {"0-1": {"Return": {"JobRun": {"JobRunState": "RUNNING"}}},
                                     "2": {"Return": {"JobRun": {"JobRunState": "SUCCEEDED"}}}}}})
    project.write("in.json", {})
    res = sfnc("run", "poll.json", "--input", "in.json", "--mock-config", "mocks.json", "--test-case", "Happy", cwd=project.root)
    assert res.exit_code == 0, res
    assert "status: SUCCEEDED" in res.stdout and '"run":"jr_9"' in res.stdout
    lines = res.stdout.splitlines()
    # the trace's last line is the output, once; then the status on a line of its own
    assert [ln for ln in lines if "jr_9" in ln and ln.startswith(("output", "full output"))] == [
        'output: {"run":"jr_9"}']
    assert lines[-1] == "status: SUCCEEDED" and lines[-2] == 'output: {"run":"jr_9"}'

    res = sfnc("run", "poll.json", "--mock-config", "mocks.json", "--test-case", "Happy", "-f", "json", cwd=project.root)
    events = json.loads(res.stdout)
    assert [e["state"] for e in events if e.get("kind") == "state"].count("Get Run") == 3
    res = sfnc("run", "poll.json", "--mock-config", "mocks.json", "--test-case", "Nope", cwd=project.root)
    assert res.exit_code == 2 and "Nope" in res.stderr


def test_broken_and_duplicate_key_scenarios_fail(sfnc, project):
    setup(project)
    project.write("tests/scenarios/poll/dup.yaml", "input: {}\nexpect:\n  status: SUCCEEDED\n  status: FAILED\n")
    project.write("tests/scenarios/poll/broken.yaml", "input: [1\n")
    res = sfnc("test", cwd=project.root)
    assert res.exit_code == 2   # an unreadable scenario is an input error, and the summary says so
    assert "2 passed, 0 failed, 2 could not be read" in res.stdout
    assert "ERROR tests/scenarios/poll/broken.yaml" in res.stdout
    assert "dup.yaml:4:3: error: duplicate key 'status': first at line 3, again at line 4" in res.stderr
    assert "broken.yaml" in res.stderr and "invalid YAML" in res.stderr


# ---------------------------------------------------------------- what AWS refuses at creation, limits, streaming


def test_sfnc_run_refuses_what_aws_refuses_at_creation(sfnc, tmp_path):
    # AWS does not create these (CreateStateMachine / ValidateStateMachineDefinition): neither does sfnc run them
    cases = {
        "SFN101": {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Credentials": {},
            "Arguments": {"FunctionName": "f"}, "End": True}}},
        "SFN305": {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
            "Type": "Pass", "Output": "{% $states.input.a ?? 1 %}", "End": True}}},
        "SFN104": {"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": {
            "Type": "Pass", "ResultPath": "$.x", "End": True}}},
    }
    for rule, definition in cases.items():
        f = tmp_path / f"{rule}.json"
        f.write_text(json.dumps(definition))
        res = sfnc("run", str(f))
        assert res.exit_code == 2, (rule, res.stdout, res.stderr)
        assert f"{f}:1:" in res.stderr and f"error: {rule} " in res.stderr
        assert res.stdout == ""


def test_sfnc_run_input_is_a_file_and_json_text_says_so(sfnc, tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}))
    res = sfnc("run", str(f), "--input", '{"a": 1}')
    assert res.exit_code == 2 and res.stdout == ""
    assert res.stderr.startswith('{"a": 1}: error: --input takes a file, not JSON text')
    assert "--input input.json" in res.stderr
    res = sfnc("run", str(f), "--input", str(tmp_path / "absent.json"))
    assert res.exit_code == 2 and "absent.json: error: file not found" in res.stderr


def test_sfnc_test_without_envs_says_why_and_counts_nothing(sfnc, tmp_path):
    res = sfnc("test", cwd=tmp_path)
    assert res.exit_code == 2
    assert "no env files found" in res.stderr
    assert res.stdout.strip().splitlines()[-1] == "0 passed, 0 failed (0 machines)"


def _input(tmp_path):
    f = tmp_path / "in.json"
    f.write_text('{"stop": false}')
    return f


def test_sfnc_run_counts_history_events_as_aws(sfnc, tmp_path):
    f = tmp_path / "loop.json"
    f.write_text(json.dumps({"StartAt": "A", "States": {
        "A": {"Type": "Choice", "Choices": [{"Variable": "$.stop", "BooleanEquals": True, "Next": "Done"}],
              "Default": "A"},
        "Done": {"Type": "Succeed"}}}))
    res = sfnc("run", str(f), "--max-events", "101", "--format", "json", "--input", str(_input(tmp_path)))
    assert res.exit_code == 1
    records = json.loads(res.stdout)
    summary = records[-1]
    assert (summary["status"], summary["error"], summary["events"]) == ("FAILED", "States.Runtime", 101)
    assert summary["cause"] == "The execution reached the maximum number of history events (101)."
    # event 1 ExecutionStarted, 49 x (ChoiceStateEntered, ChoiceStateExited), the 50th entered is #100
    assert len(records) == 51 and records[-2]["event_id"] == 100 and records[-2]["status"] == "failed"
    bad = sfnc("run", str(f), "--max-events", "1")
    assert bad.exit_code == 2 and "max events must be an integer from 2" in bad.stderr


def test_sfnc_run_json_is_streamed_in_visit_end_order(sfnc, tmp_path):
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"QueryLanguage": "JSONata", "StartAt": "M", "States": {"M": {
        "Type": "Map", "Items": "{% [1, 2] %}", "End": True,
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}}}}))
    res = sfnc("run", str(f), "--format", "json")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 6  # one record per line
    records = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    assert [(r["state"], r["seq"]) for r in records[:-1]] == [("I", 1), ("I", 2), ("M", 0)]
    assert records[-1]["kind"] == "execution" and records[-1]["output"] == [1, 2] and records[-1]["states"] == ["M"]


def test_sfnc_run_start_time_moves_the_virtual_clock(sfnc, tmp_path):
    """A Wait until an absolute timestamp: from the default start (2025-01-01) it lies 23 months ahead, past a
    Standard execution's one-year limit, so the run times out as AWS would; from --start-time 7 minutes before
    it, the Wait passes (AWS recorded this machine: jsonpath-base-024)."""
    f = tmp_path / "wait.json"
    f.write_text(json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}}))
    i = tmp_path / "in.json"
    i.write_text(json.dumps({"at": "2026-12-02T04:37:28Z"}))
    res = sfnc("run", str(f), "--input", str(i))
    assert res.exit_code == 1 and "status: TIMED_OUT (States.Timeout" in res.stdout
    assert res.stdout.splitlines()[-1] == (
        "hint: Wait state 'W' waits until 2026-12-02T04:37:28Z, 700d04h37m after it starts (the run started at "
        "2025-01-01T00:00:00Z), and an execution ends after a year; to run from the time it assumes, pass "
        "--start-time (sfnc run) or set start_time (a scenario)")
    res = sfnc("run", str(f), "--input", str(i), "--start-time", "2026-12-02T04:30:00Z")
    assert res.exit_code == 0 and res.stdout.splitlines()[-1] == "status: SUCCEEDED" and "hint:" not in res.stdout
    # a relative Wait past the year times out too, but no start time changes that: no hint
    f.write_text(json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 40_000_000, "End": True}}}))
    res = sfnc("run", str(f))
    assert res.exit_code == 1 and "TIMED_OUT" in res.stdout and "hint:" not in res.stdout
    f.write_text(json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}}))
    events = json.loads(sfnc("run", str(f), "--input", str(i), "--start-time", "2026-12-02T04:30:00Z",
                             "-f", "json").stdout)
    assert events[0]["start_time"] == "2026-12-02T04:30:00Z" and events[0]["duration"] == 448
    res = sfnc("run", str(f), "--start-time", "yesterday")
    assert res.exit_code == 2 and res.stderr.startswith("--start-time yesterday: error: --start-time must be an ISO 8601")
