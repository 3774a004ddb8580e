"""`sfnc graph`: Mermaid and DOT structure, nested Parallel/Map, Choice labels, distinct Catch edges."""

from __future__ import annotations

import json

from sfn_compiler.diagram import to_dot, to_mermaid

DEF = {
    "QueryLanguage": "JSONata",
    "StartAt": "Fan Out",
    "States": {
        "Fan Out": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "End": True}}},
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
            "Next": "Per Item",
        },
        "Per Item": {
            "Type": "Map", "Items": "{% $states.input.items %}",
            "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}},
            "Next": "Check",
        },
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.ok = true %}", "Next": "Done"}],
                  "Default": "Failed"},
        "Done": {"Type": "Succeed"},
        "Failed": {"Type": "Fail", "Error": "E"},
    },
}


def test_mermaid_structure():
    m = to_mermaid(DEF)
    lines = [l.strip() for l in m.splitlines()]
    assert lines[0] == "stateDiagram-v2"
    assert "[*] --> Fan_Out" in lines
    assert "state Fan_Out {" in lines and "--" in lines          # Parallel branches separated by --
    assert "[*] --> Left" in lines and "[*] --> Right" in lines
    assert "state Per_Item {" in lines and "[*] --> Work" in lines
    # catch edges meet at a distinct "on error" junction before their handler (grouped, the default)
    assert 'state "on error" as catch_to_Failed' in lines and "catch_to_Failed --> Failed" in lines
    assert "Fan_Out --> catch_to_Failed : States.ALL" in lines and "Fan_Out --> Failed" not in " ".join(lines)
    assert "class catch_to_Failed caught" in lines
    assert "Check --> Done : $states.input.ok = true" in lines
    assert "Check --> Failed : default" in lines
    assert "Done --> [*]" in lines and "Failed --> [*]" in lines
    assert "class Failed failure" in lines


def test_mermaid_catch_modes():
    every = to_mermaid(DEF, catch="all")
    assert "    Fan_Out --> Failed : catch States.ALL" in every.splitlines() and "on error" not in every
    none = to_mermaid(DEF, catch="none")
    assert "Fan_Out --> Failed" not in none and "on error" not in none
    assert "class Failed failure" in none      # the handler is still marked


def test_choice_labels_keep_the_part_where_the_rules_differ():
    status = "$states.input.DescribeResult.PipelineExecution.PipelineExecutionStatus"
    d = {"QueryLanguage": "JSONata", "StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [
            {"Condition": "{% " + status + " = 'Succeeded' %}", "Next": "Ok"},
            {"Condition": "{% " + status + " in ['Failed', 'Stopped'] %}", "Next": "Bad"},
            {"Condition": "{% " + status + " = 'Executing' and $attempt < 60 %}", "Next": "C"}],
              "Default": "Bad"},
        "Ok": {"Type": "Succeed"}, "Bad": {"Type": "Fail"}}}
    labels = [l.split(" : ", 1)[1] for l in to_mermaid(d).splitlines() if l.strip().startswith("C --> ")]
    # the common start is elided; what differs (the status values) stays: not three times `$states.input.Des…`
    assert labels[0].startswith("…") and labels[0].endswith("Status = 'Succeeded'")
    assert labels[1].startswith("…") and labels[1].endswith("Status in ['Failed', 'Stopped']")
    assert labels[2].startswith("…") and labels[2].endswith("Status = 'Executing' and $attempt #lt; 60")
    assert all(len(l.replace("#lt;", "<")) <= 48 for l in labels) and labels[3] == "default"
    # one long condition alone keeps its start, as before
    single = {"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [
        {"Condition": "{% " + status + " = 'Succeeded' %}", "Next": "Ok"}], "Default": "Ok"}, "Ok": {"Type": "Succeed"}}}
    (label,) = [l.split(" : ", 1)[1] for l in to_mermaid(single).splitlines() if "C --> Ok : $" in l]
    assert label == status[:47] + "…"


def test_mermaid_escapes_labels():
    d = {"StartAt": "A", "States": {"A": {"Type": "Choice", "Choices": [
        {"Condition": "{% $x = {'a': 1} %}", "Next": "B"}]}, "B": {"Type": "Succeed"}}}
    line = [l for l in to_mermaid(d).splitlines() if "A --> B" in l][0]
    assert "{" not in line and "#123;" in line


def test_dot_structure():
    d = to_dot(DEF, "demo")
    assert d.startswith('digraph "demo" {')
    red = 'style=dashed, color="#c0392b", fontcolor="#c0392b"'
    assert f'Fan_Out -> catch_to_Failed [label="States.ALL", {red}, arrowhead=none];' in d
    assert f"catch_to_Failed -> Failed [{red}];" in d and "catch_to_Failed [shape=point" in d
    every = to_dot(DEF, "demo", catch="all")
    assert f'Fan_Out -> Failed [label="catch States.ALL", {red}];' in every and "catch_to" not in every
    none = to_dot(DEF, "demo", catch="none")
    assert "Fan_Out -> Failed" not in none and "catch_to" not in none
    assert d.count("subgraph cluster_") == 3                   # two branches + one item processor
    assert 'Check -> Failed [label="default", style=bold];' in d


def test_cli_graph(sfnc, project):
    project.write("templates/demo.json", DEF)
    project.write("envs/dev.yaml", "values: {}\n")
    res = sfnc("graph", "demo", cwd=project.root)
    assert res.exit_code == 0 and res.stdout.startswith("stateDiagram-v2")
    res = sfnc("graph", "demo", "--format", "dot", "--env", "dev", cwd=project.root)
    assert res.exit_code == 0 and res.stdout.startswith('digraph "demo"')
    res = sfnc("graph", "demo", "--no-catch", cwd=project.root)
    assert res.exit_code == 0 and "on error" not in res.stdout and "Fan_Out --> Failed" not in res.stdout
    res = sfnc("graph", "demo", "--catch", "all", cwd=project.root)
    assert res.exit_code == 0 and "Fan_Out --> Failed : catch States.ALL" in res.stdout
    res = sfnc("graph", "demo", "--catch", "some", cwd=project.root)
    assert res.exit_code == 2 and "unknown --catch mode 'some'" in res.stderr
    res = sfnc("graph", "dmeo", cwd=project.root)
    assert res.exit_code == 2 and "did you mean 'demo'" in res.stderr


def test_workflow_docs_generation_and_check(sfnc, project):
    t = json.loads(json.dumps(DEF))
    t["Comment"] = "Fans out then checks."
    t["States"]["Failed"]["Error"] = "${errors.code}"
    t["States"]["Per Item"]["Items"] = "{% $states.input.items %}"
    t["States"]["Fan Out"]["Arguments"] = {"batch": "{% $states.input.batch.id %}"}
    project.write("templates/demo.json", t)
    project.write("envs/dev.yaml", "values:\n  errors:\n    code: DEV_FAIL\n")
    project.write("envs/prod.yaml", "values:\n  errors:\n    code: PROD_FAIL\n")
    assert sfnc("graph", "--docs", "--check", cwd=project.root).exit_code == 1
    assert sfnc("graph", "--docs", cwd=project.root).exit_code == 0
    page = project.read("docs/workflows/demo.md")
    assert "Fans out then checks." in page
    assert "| `${errors.code}` | `DEV_FAIL` | `PROD_FAIL` |" in page
    assert "- `$states.input.batch.id`" in page and "```mermaid\nstateDiagram-v2" in page
    assert sfnc("graph", "--docs", "--check", cwd=project.root).exit_code == 0
