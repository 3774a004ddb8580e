"""CI and editors: the pre-commit hooks and the GitHub Action's script run for real, SARIF checked against
the official SARIF 2.1.0 schema, the published env schema, colour switches, shell completion, project
discovery from subdirectories, and `sfnc test --format junit/--quiet`."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SARIF_SCHEMA = json.loads((REPO / "tests" / "report" / "sarif-2.1.0" / "sarif-schema-2.1.0.json").read_text())

TEMPLATE = {"QueryLanguage": "JSONata", "StartAt": "Send", "States": {"Send": {
    "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
    "Arguments": {"QueueUrl": "${queue}", "MessageBody": "{% $states.input %}"}, "End": True}}}
BROKEN = {"QueryLanguage": "JSONata", "StartAt": "Send", "States": {"Send": {
    "Type": "Pass", "Output": "{% $states.input. %}", "Next": "Gone"}}}


def env(**extra) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR", "GITHUB_ACTIONS")}
    base["PATH"] = f"{BIN}{os.pathsep}{base.get('PATH', '')}"
    base.update(extra)
    return base


def run(cmd, cwd: Path, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env(**extra), capture_output=True, text=True, timeout=120)


def make_project(root: Path, template=TEMPLATE, rendered: bool = True, values=None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "sfnc.toml").write_text("")
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "send.json").write_text(json.dumps(template, indent=2) + "\n")
    (root / "envs").mkdir(exist_ok=True)
    (root / "envs" / "dev.yaml").write_text(yaml.safe_dump({"values": values if values is not None else {"queue": "q"}}))
    if rendered:
        assert run(["sfnc", "render", "--all-envs"], root).returncode == 0
    return root


def sarif_valid(text: str) -> dict:
    data = json.loads(text)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(data)
    return data


# --------------------------------------------------------------------------------------------- SARIF


def test_sarif_is_valid_against_the_official_schema(tmp_path, sfnc):
    proj = make_project(tmp_path / "p", BROKEN, rendered=False)
    res = sfnc("validate", "--format", "sarif", cwd=proj)
    data = sarif_valid(res.stdout)
    results = data["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"SFN202", "SFN301"}
    # template findings, a CloudFormation finding naming its resource, a pattern rule with a code flow
    real = REPO / "tests" / "integrations" / "real"
    res = sfnc("validate", "--format", "sarif", str(real / "sam-app-meeting-summarization"),
               str(real / "sam-eventbridge-getfunctionstatus"), cwd=tmp_path)
    data = sarif_valid(res.stdout)
    results = data["runs"][0]["results"]
    assert any(r.get("codeFlows") for r in results)
    assert any(loc.get("kind") == "resource" for r in results for loc in r["locations"][0]["logicalLocations"])
    # no results at all
    (tmp_path / "ok.asl.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    assert sarif_valid(sfnc("validate", "--format", "sarif", "ok.asl.json", cwd=tmp_path).stdout)["runs"][0]["results"] == []


def test_sarif_rules_link_to_real_doc_anchors_and_carry_markdown_help(tmp_path, sfnc):
    (tmp_path / "ok.asl.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    rules = json.loads(sfnc("validate", "--format", "sarif", "ok.asl.json", cwd=tmp_path).stdout)["runs"][0]["tool"]["driver"]["rules"]
    headings = {re.sub(r"[^a-z0-9 _-]", "", line[3:].strip().lower()).replace(" ", "-")
                for line in (REPO / "docs" / "rules.md").read_text().splitlines() if line.startswith("## ")}
    assert len(rules) > 50
    for r in rules:
        base, anchor = r["helpUri"].split("#")
        assert base == "https://github.com/sfnc/sfnc/blob/main/docs/rules.md"
        assert anchor in headings, r["id"]
        assert r["help"]["markdown"].startswith(f"## {r['id']} {r['name']}")


# --------------------------------------------------------------------------------------------- pre-commit


def hooks() -> dict:
    items = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    for h in items:
        assert {"id", "name", "entry", "language"} <= set(h) and h["language"] == "python"
        re.compile(h["files"])
    return {h["id"]: h for h in items}


def run_hook(hook: dict, root: Path) -> subprocess.CompletedProcess:
    """As pre-commit runs it: the entry, plus the matching files unless pass_filenames is false."""
    files = [] if hook.get("pass_filenames") is False else sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and re.search(hook["files"], str(p.relative_to(root))))
    return run(shlex.split(hook["entry"]) + hook.get("args", []) + files, root)


def test_pre_commit_hooks(tmp_path):
    hs = hooks()
    assert set(hs) == {"sfnc-validate", "sfnc-render-check", "sfnc-validate-files"}
    good = make_project(tmp_path / "good")
    assert run_hook(hs["sfnc-validate"], good).returncode == 0
    assert run_hook(hs["sfnc-render-check"], good).returncode == 0
    # a template edited without re-rendering: render --check fails with the diff
    (good / "envs" / "dev.yaml").write_text("values: {queue: q2}\n")
    res = run_hook(hs["sfnc-render-check"], good)
    assert res.returncode == 1 and '"QueueUrl": "q2"' in res.stdout + res.stderr
    bad = make_project(tmp_path / "bad", BROKEN, rendered=False)
    assert run_hook(hs["sfnc-validate"], bad).returncode == 1
    # the files hook on a SAM app: the changed template and definition files are validated
    sam = tmp_path / "sam"
    import shutil

    shutil.copytree(REPO / "tests" / "integrations" / "real" / "sam-eventbridge-getfunctionstatus", sam)
    res = run_hook(hs["sfnc-validate-files"], sam)
    assert res.returncode == 0 and "SFN722" in res.stdout and "checked 2 definitions" in res.stdout


# --------------------------------------------------------------------------------------------- the Action


def test_action_yml_runs_the_script_with_its_inputs():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    script = next(s for s in steps if "sfnc-action.sh" in s.get("run", ""))
    assert (REPO / "scripts" / "ci" / "sfnc-action.sh").is_file()
    for name, value in script["env"].items():
        for used in re.findall(r"inputs\.([\w-]+)", str(value)):
            assert used in action["inputs"], used
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    assert upload["if"].startswith("always()")          # the report is uploaded when validation fails too


def action(root: Path, **settings) -> subprocess.CompletedProcess:
    return run(["bash", str(REPO / "scripts" / "ci" / "sfnc-action.sh")], root, GITHUB_ACTIONS="true",
               **{k: str(v) for k, v in settings.items()})


def test_action_script_on_findings(tmp_path):
    proj = make_project(tmp_path / "p", BROKEN, rendered=False)
    res = action(proj, SFNC_RENDER_CHECK="false")
    assert res.returncode == 1
    assert "::error file=templates/send.json,line=" in res.stdout and "title=SFN202" in res.stdout
    data = sarif_valid((proj / "sfnc.sarif").read_text())
    assert {r["ruleId"] for r in data["runs"][0]["results"]} >= {"SFN202", "SFN301"}


def test_action_script_when_nothing_renders_still_writes_sarif_and_annotations(tmp_path):
    proj = make_project(tmp_path / "p", rendered=False, values={})        # ${queue} has no value
    res = action(proj)
    assert res.returncode == 2
    assert re.search(r"^::error file=templates/send\.json,line=\d+,col=\d+,title=SFN010 template-not-rendered::"
                     r"no value for placeholder \$\{queue\}", res.stdout, re.M)
    data = sarif_valid((proj / "sfnc.sarif").read_text())
    [result] = data["runs"][0]["results"]
    assert result["level"] == "error" and "no value for placeholder ${queue}" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "templates/send.json"


def test_action_script_stale_definitions_and_local_run(tmp_path):
    proj = make_project(tmp_path / "p")
    (proj / "envs" / "dev.yaml").write_text("values: {queue: other}\n")
    res = run(["bash", str(REPO / "scripts" / "ci" / "sfnc-action.sh")], proj, SFNC_SARIF="")
    assert res.returncode == 1 and "== sfnc render --all-envs --check" in res.stdout and "::group::" not in res.stdout
    assert not (proj / "sfnc.sarif").exists()


@pytest.mark.moto
def test_action_script_deploys_when_everything_passed(tmp_path, moto):
    import boto3

    proj = make_project(tmp_path / "p", rendered=False)
    (proj / "envs" / "local.yaml").write_text(yaml.safe_dump({"values": {"queue": "q"}, "aws": {
        "region": "us-east-1", "endpoint_url": moto, "role_arn": "arn:aws:iam::123456789012:role/sfn",
        "name_prefix": "ci-"}}))
    assert run(["sfnc", "render", "--all-envs"], proj).returncode == 0
    res = action(proj, SFNC_DEPLOY_ENV="local")
    assert res.returncode == 0, res.stdout + res.stderr
    sfn = boto3.client("stepfunctions", endpoint_url=moto, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    assert [m["name"] for m in sfn.list_state_machines()["stateMachines"]] == ["ci-send"]
    # a failing step stops the deploy
    (proj / "envs" / "local.yaml").write_text((proj / "envs" / "local.yaml").read_text().replace("queue: q", "queue: q2"))
    res = action(proj, SFNC_DEPLOY_ENV="local")
    assert res.returncode == 1 and "not deploying local: an earlier step failed" in res.stderr


# --------------------------------------------------------------------------------------------- editors, colour, completion


def test_published_env_schema_is_the_packaged_one():
    published = REPO / "schemas" / "env.schema.json"
    packaged = REPO / "src" / "sfn_compiler" / "schemas" / "env.schema.json"
    assert published.read_bytes() == packaged.read_bytes(), "run `make docs` to refresh schemas/env.schema.json"
    schema = json.loads(published.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    assert v.is_valid({"values": {"t": {"ssm": "/x"}, "n": 3}, "aws": {"region": "eu-west-1"}})
    assert not v.is_valid({"aws": {"regoin": "eu-west-1"}})


@pytest.mark.parametrize("settings,colored", [({}, False), ({"FORCE_COLOR": "1"}, True),
                                              ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
                                              ({"FORCE_COLOR": "0"}, False)])
def test_colour_switches(tmp_path, settings, colored):
    (tmp_path / "x.asl.json").write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}))
    res = run(["sfnc", "validate", "x.asl.json"], tmp_path, **settings)
    assert ("\x1b[" in res.stdout) is colored


def test_shell_completion():
    res = run(["sfnc"], REPO, _SFNC_COMPLETE="complete_bash", COMP_WORDS="sfnc val", COMP_CWORD="1")
    assert res.stdout.split() == ["validate"]
    res = run(["sfnc", "--show-completion", "bash"], REPO)
    assert "complete -o default -F _sfnc_completion sfnc" in res.stdout


def test_commands_work_from_a_subdirectory(tmp_path, sfnc, monkeypatch):
    proj = make_project(tmp_path / "p")
    for sub in ("templates", "envs", "definitions/dev"):
        monkeypatch.chdir(proj / sub)
        res = sfnc("render", "--all-envs", "--check")     # no -C: the project is found from the directory
        assert res.exit_code == 0, (sub, res.stderr)


# --------------------------------------------------------------------------------------------- sfnc test


def scenario_project(root: Path) -> Path:
    proj = make_project(root, {"QueryLanguage": "JSONata", "StartAt": "A",
                               "States": {"A": {"Type": "Pass", "Output": {"v": "{% $states.input.n * 2 %}"}, "End": True}}})
    d = proj / "tests" / "scenarios" / "send"
    d.mkdir(parents=True)
    (d / "doubles.yaml").write_text("input: {n: 2}\nexpect:\n  status: SUCCEEDED\n  output: {v: 4}\n")
    (d / "wrong.yaml").write_text("input: {n: 2}\nexpect:\n  status: SUCCEEDED\n  output: {v: 5}\n")
    (d / "broken.yaml").write_text("input: [\n")
    return proj


def test_sfnc_test_junit_and_quiet(tmp_path, sfnc):
    proj = scenario_project(tmp_path / "p")
    res = sfnc("test", "--env", "dev", "--format", "junit", "--min-coverage", "100", cwd=proj)
    assert res.exit_code == 2            # a scenario that does not load is an input error
    root = ET.fromstring(res.stdout)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["tests/scenarios/send/doubles.yaml"].find("failure") is None
    assert cases["tests/scenarios/send/wrong.yaml"].find("failure") is not None
    assert cases["tests/scenarios/send/broken.yaml"].find("error") is not None
    assert cases["coverage"].find("failure") is None
    (proj / "tests" / "scenarios" / "send" / "broken.yaml").unlink()
    res = sfnc("test", "--env", "dev", "--format", "junit", "-o", "report.xml", cwd=proj)
    assert res.exit_code == 1 and ET.parse(proj / "report.xml").getroot().get("failures") == "1"
    quiet = sfnc("test", "--env", "dev", "--quiet", cwd=proj)
    assert "doubles.yaml" not in quiet.stdout and "FAIL tests/scenarios/send/wrong.yaml" in quiet.stdout
    assert quiet.stdout.strip().endswith("1 passed, 1 failed (1 machine, env dev)")
    # a scenario written for another env (issue 13's `envs:`) is skipped, not an error
    (proj / "tests" / "scenarios" / "send" / "wrong.yaml").write_text(
        "envs: [prod]\ninput: {n: 2}\nexpect:\n  status: SUCCEEDED\n  output: {v: 5}\n")
    res = sfnc("test", "--env", "dev", "--format", "junit", cwd=proj)
    assert res.exit_code == 0
    root = ET.fromstring(res.stdout)
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("2", "0", "0", "1")
    skipped = {c.get("name"): c for c in root.iter("testcase")}["tests/scenarios/send/wrong.yaml"].find("skipped")
    assert skipped is not None and skipped.get("message") == "written for env prod"
    assert sfnc("test", "--env", "dev", cwd=proj).stdout.strip().endswith("1 passed, 0 failed, 1 skipped (1 machine, env dev)")


@pytest.mark.parametrize("doc", ["README.md"] + sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").rglob("*.md")))
def test_doc_links_resolve(doc):
    """Relative links (and their #anchors) in the README and every page of docs/ point at files and headings."""
    path = REPO / doc
    for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text()):
        if re.match(r"[a-z]+://", target):
            continue
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        assert dest.exists(), f"{doc}: {target}"
        if anchor and dest.suffix == ".md":
            slugs = {re.sub(r"[^a-z0-9 _-]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
                     for line in dest.read_text().splitlines() if line.startswith("#")}
            assert anchor in slugs, f"{doc}: {target}"
