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
    assert "2 passed, 0 failed (1 machines, env local)" in res.stdout
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
