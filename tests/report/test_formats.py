"""Every report format, pinned byte for byte (goldens in tests/report/golden/).

Two sets: `fixed`, a hand-made list of diagnostics (a template finding merged over envs with a code frame,
an offending path and a fingerprint; a plain-file warning; an info; a finding in a definition read out of a
CloudFormation template (no rendered file; the resource named); a problem that is not a rule finding; a root
cause with related information in a template and in a plain file; characters each format must escape),
formatted directly; and `project`, `sfnc validate` on the small project in tests/report/project/ in each
format (placeholders that move offsets, findings merged across envs and one only in prod, carets, severity
overrides, a Next typo whose unreachable state is related information, a loop whose stuck states fold into
cycle-without-exit, a lock leak reported where the path leaves and merged across envs although its message
names each env's table). Regenerate after an intended change with
`SFNC_UPDATE_GOLDENS=1 pytest tests/report` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from sfn_compiler.check.docs import rule_markdown
from sfn_compiler.check.registry import all_rules
from sfn_compiler.diagnostics import Diagnostic, Related, Span, problem
from sfn_compiler.report import FORMATS, Summary, render

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
UPDATE = os.environ.get("SFNC_UPDATE_GOLDENS") == "1"

FRAME = '    8 |       "Output": "{% $states.input.total * ${rate} + $discount %}",\n      |                                                     ^'
FIXED = [
    Diagnostic("State 'Price': 'Output' reads $discount, which no state assigns", "error",
               Span("definitions/dev/orders.json", 8, 49), "/States/Price/Output", "dev, prod",
               "assign it in an earlier state", "SFN502", "variable-not-assigned",
               Span("templates/orders.json", 8, 53), "docs/rules.md#sfn502-variable-not-assigned", (),
               "0123456789abcdef", FRAME),
    Diagnostic("The loop Spin -> Spin Again -> Spin has no way out except an error", "error",
               Span("definitions/prod/orders.json", 34, 5), "/States/Spin", "prod", None, "SFN721",
               "cycle-without-exit", Span("templates/orders.json", 22, 5), "docs/rules.md#sfn721-cycle-without-exit",
               ("Spin", "Spin Again", "Spin"), "fedcba9876543210"),
    Diagnostic("retrier 1 never matches: 100% <of> \"these\" & more,\nsecond line", "warning",
               Span("asl/plain, file.json", 3, 7), "/States/A:B/Retry/1", None, None, "SFN605",
               "shadowed-retrier-or-catcher", None, "docs/rules.md#sfn605-shadowed-retrier-or-catcher", (),
               "aaaabbbbccccdddd"),
    Diagnostic("a note", "info", Span("asl/plain, file.json", 9, 1), "", None, None, "SFN203", "state-unreachable",
               fingerprint="1111222233334444"),
    Diagnostic("State 'Put': Next names 'Nowhere', which is not a state in this scope", "error",
               Span("sam/template.yaml", 16, 19), "/States/Put/Next", None, "add the state or fix the name",
               "SFN202", "transition-target-missing", None, "docs/rules.md#sfn202-transition-target-missing", (),
               "5555666677778888", '   16 |             "Next": "Nowhere"\n      |                     ^',
               resource="OrdersStateMachine"),
    problem("no value for placeholder ${missing} in env 'dev'", "templates/broken.json", 4, 12,
            pointer="/States/A/Comment", env="dev", hint="add it under `values:` in the env file"),
    # one root cause with its consequences as related information (in a template and in a plain file)
    Diagnostic("State 'Start': 'Next' target 'Procss' does not exist in this scope", "error",
               Span("definitions/dev/orders.json", 50, 15), "/States/Start/Next", "dev, prod", "did you mean 'Process'?",
               "SFN202", "transition-target-missing", Span("templates/orders.json", 30, 15),
               "docs/rules.md#sfn202-transition-target-missing", (), "9999aaaabbbbcccc",
               related=(Related("State 'Process' is not reachable from StartAt 'Start' in the state machine",
                                Span("definitions/dev/orders.json", 52, 5), "/States/Process",
                                Span("templates/orders.json", 31, 5)),
                        Related("State 'Done, 100%' is not reachable: <a> & \"b\"", Span("asl/plain, file.json", 60, 5),
                                "/States/Done, 100%"))),
]
FILES = ["asl/clean.json", "asl/plain, file.json", "definitions/dev/orders.json", "definitions/prod/orders.json",
         "sam/template.yaml (OrdersStateMachine)"]


def _stable(fmt: str, text: str) -> str:
    """The output without what changes whenever a rule is added anywhere: SARIF's rule catalogue (checked
    against the registry here) and the number of rules run."""
    if fmt == "sarif":
        sarif = json.loads(text)
        driver = sarif["runs"][0]["tool"]["driver"]
        assert [r["id"] for r in driver["rules"]] == [r.id for r in all_rules()]
        assert all(r["helpUri"].endswith(rule.docs_url()) and r["help"]["text"] == (rule.docs or rule.summary)
                   and r["help"]["markdown"] == rule_markdown(rule) for r, rule in zip(driver["rules"], all_rules()))
        driver["rules"] = f"<{len(driver['rules'])} rules from the registry>"
        index = {r.id: i for i, r in enumerate(all_rules())}
        for result in sarif["runs"][0]["results"]:
            if "ruleId" in result:
                assert result.pop("ruleIndex") == index[result["ruleId"]]
        text = json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"
    text = re.sub(r"with \d+ rules:", "with N rules:", text)
    return re.sub(r'"rules": \d+,', '"rules": "N",', text)


def _check(name: str, text: str) -> None:
    text = _stable(name.rsplit(".", 1)[-1], text)
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run SFNC_UPDATE_GOLDENS=1 pytest tests/report"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden"


@pytest.mark.parametrize("fmt", FORMATS)
def test_fixed_diagnostics(fmt):
    summary = Summary.of(FIXED, len(FILES), ["dev", "prod"], 75)
    _check(f"fixed.{fmt}", render(fmt, FIXED, summary, files=FILES))


@pytest.mark.parametrize("fmt", FORMATS)
def test_validate_project(fmt, sfnc):
    res = sfnc("validate", "--format", fmt, cwd=HERE / "project")
    assert res.exit_code == 1, res
    assert res.stderr == ""
    _check(f"project.{fmt}", res.stdout)


def test_sarif_is_valid_sarif(sfnc):
    import jsonschema

    schema = json.loads((HERE / "sarif-2.1.0" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(json.loads(render("sarif", FIXED, Summary.of(FIXED, 4, [], 75))), schema)
    jsonschema.validate(json.loads(sfnc("validate", "--format", "sarif", cwd=HERE / "project").stdout), schema)


def test_fingerprints_are_stable_and_distinct(sfnc):
    first = json.loads(sfnc("validate", "--format", "json", cwd=HERE / "project").stdout)["diagnostics"]
    again = json.loads(sfnc("validate", "--format", "json", cwd=HERE / "project").stdout)["diagnostics"]
    prints = [d["fingerprint"] for d in first]
    assert prints == [d["fingerprint"] for d in again]
    assert len(set(prints)) == len(prints) and all(len(p) == 16 for p in prints)


def test_a_template_that_does_not_render(sfnc, tmp_path):
    """Every format: in the report as SFN010 template-not-rendered, at the template line, with the env; the
    other templates' findings too. Exit 2."""
    import shutil

    proj = tmp_path / "p"
    shutil.copytree(HERE / "project", proj)
    (proj / "templates" / "broken.json").write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", '
                                                    '"Comment": "${missing}", "End": true}}}\n')
    text = sfnc("validate", "--env", "dev", cwd=proj)
    assert text.exit_code == 2 and text.stderr == ""
    assert ("templates/broken.json:1:63: error SFN010 template-not-rendered: no value for placeholder ${missing} "
            "in env 'dev'") in text.stdout
    assert "SFN502 variable-not-assigned" in text.stdout           # the templates that rendered were checked
    res = sfnc("validate", "--env", "dev", "--format", "json", cwd=proj)
    assert res.exit_code == 2 and res.stderr == ""
    broken = [d for d in json.loads(res.stdout)["diagnostics"] if d["rule"] == "SFN010"]
    assert [(d["file"], d["line"], d["column"], d["pointer"], d["env"], d["name"]) for d in broken] == [
        ("templates/broken.json", 1, 63, "/States/A/Comment", "dev", "template-not-rendered")]
    gh = sfnc("validate", "--env", "dev", "--format", "github", cwd=proj)
    assert ("::error file=templates/broken.json,line=1,col=63,title=SFN010 template-not-rendered::no value for "
            "placeholder") in gh.stdout
    sarif = json.loads(sfnc("validate", "--env", "dev", "--format", "sarif", cwd=proj).stdout)["runs"][0]
    assert sarif["invocations"] == [{"executionSuccessful": False}]
    assert any(r["ruleId"] == "SFN010" for r in sarif["results"])
    junit = sfnc("validate", "--env", "dev", "--format", "junit", cwd=proj).stdout
    assert '<testcase classname="sfnc" name="templates/broken.json [dev]">' in junit
    assert '<failure type="SFN010 template-not-rendered"' in junit


def test_a_template_that_does_not_render_in_every_env_is_one_diagnostic(sfnc, tmp_path):
    """The same render problem in two envs is merged like a finding (issue 13): one SFN010 listing both envs,
    its message without the env, one SARIF result; the env that has the value is not listed."""
    import shutil

    proj = tmp_path / "p"
    shutil.copytree(HERE / "project", proj)
    (proj / "templates" / "broken.json").write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", '
                                                    '"Comment": "${missing}", "End": true}}}\n')
    res = sfnc("validate", "--format", "json", cwd=proj)
    assert res.exit_code == 2
    [d] = [d for d in json.loads(res.stdout)["diagnostics"] if d["rule"] == "SFN010"]
    assert (d["env"], d["message"], d["line"]) == ("dev, prod", "no value for placeholder ${missing}", 1)
    sarif = json.loads(sfnc("validate", "--format", "sarif", cwd=proj).stdout)["runs"][0]
    assert [r["properties"]["env"] for r in sarif["results"] if r["ruleId"] == "SFN010"] == ["dev, prod"]
    # only prod lacks it: prod's own words
    (proj / "envs" / "dev.yaml").write_text((proj / "envs" / "dev.yaml").read_text() + "  missing: here\n")
    [d] = [d for d in json.loads(sfnc("validate", "--format", "json", cwd=proj).stdout)["diagnostics"]
           if d["rule"] == "SFN010"]
    assert (d["env"], d["message"]) == ("prod", "no value for placeholder ${missing} in env 'prod'")


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_control_characters_from_the_input_are_escaped(sfnc, tmp_path, fmt):
    """A state name carrying an ESC sequence would recolour or rewrite the user's terminal (or the CI log):
    text and GitHub output print it as \\u001b; JSON and SARIF escape it as JSON does."""
    f = tmp_path / "esc.json"
    f.write_text('{"StartAt":"A\\u001b[31m","States":{"A\\u001b[31m":{"Type":"Succeed","Comment":1}}}')
    res = sfnc("validate", "--no-cache", "--format", fmt, str(f))
    assert res.exit_code == 1
    assert "\x1b" not in res.stdout + res.stderr
    assert "A\\u001b[31m" in res.stdout


def test_control_characters_in_one_line_problems_are_escaped(sfnc, tmp_path):
    (tmp_path / "templates").mkdir()
    res = sfnc("render", "--env", "x\x1b[2J", cwd=tmp_path)
    assert res.exit_code == 2
    assert "\x1b" not in res.stderr and res.stderr.strip()


def test_a_very_deep_pointer_is_elided_in_text_only(sfnc, tmp_path):
    (tmp_path / "deep.json").write_text("[" * 300 + "]" * 300)
    res = sfnc("validate", "deep.json", cwd=tmp_path)
    assert res.exit_code == 2
    [arrow] = [line for line in res.stdout.splitlines() if line.startswith("  --> ")]
    assert arrow == "  --> deep.json:1:201 at /0/0/0/0/… 192 levels …/0/0/0/0"
    res = sfnc("validate", "-f", "json", "deep.json", cwd=tmp_path)
    [d] = json.loads(res.stdout)["diagnostics"]
    assert d["pointer"] == "/0" * 200
