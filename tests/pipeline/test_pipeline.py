"""pipeline: the functions the CLI and deploy share (render a project, validate it, merge envs, exit policy)."""

from __future__ import annotations

import pytest

from sfn_compiler.check import CheckConfig
from sfn_compiler.diagnostics import Diagnostic, Span, problem
from sfn_compiler.envconfig import load_env
from sfn_compiler.errors import SfncError
from sfn_compiler.pipeline import (ValidateOptions, ValidateRun, check_env, merge_envs, render_project, select_envs,
                                   validate)
from sfn_compiler.project import find_project

TEMPLATE = {"QueryLanguage": "JSONata", "StartAt": "A",
            "States": {"A": {"Type": "Pass", "Output": {"t": "${table}"}, "Next": "${next}"}, "B": {"Type": "Succeed"}}}


@pytest.fixture
def proj(project):
    project.write("sfnc.toml", "")
    project.write("templates/orders.json", TEMPLATE)
    project.write("envs/dev.yaml", "values: {table: t-dev, next: B}\n")
    project.write("envs/prod.yaml", "values: {table: t-prod, next: C}\n")
    return find_project(project.root)


def finding(rule: str, env: str, line: int = 3) -> Diagnostic:
    return Diagnostic("m", "error", Span(f"definitions/{env}/x.json", line, 1), "/p", env, rule=rule, name="n",
                      template=Span("templates/x.json", 7, 5))


def test_merge_envs_joins_the_same_template_finding():
    merged = merge_envs([finding("SFN1", "dev"), finding("SFN1", "prod", line=9), finding("SFN2", "prod"),
                         finding("SFN1", "prod"), problem("no template", "a.json")])
    assert [(d.rule, d.env) for d in merged] == [("SFN1", "dev, prod"), ("SFN2", "prod"), (None, None)]


@pytest.mark.parametrize("severities,strict,code", [
    ([], False, 0), (["warning"], False, 0), (["warning"], True, 1), (["error"], False, 1), (["info"], True, 0),
])
def test_exit_policy(severities, strict, code):
    diags = [Diagnostic("m", s, rule="SFN201") for s in severities]
    assert ValidateRun(diags, [], [], 75, strict).exit_code == code
    # something not checked at all: exit 2 whatever else was found
    for rule in ("SFN001", "SFN004", "SFN010", "SFN011", "SFN012"):
        assert ValidateRun(diags + [Diagnostic("x", "error", rule=rule)], [], [], 75, strict).exit_code == 2
    # what CloudFormation rejects is a finding (1); a definition not read is information
    assert ValidateRun(diags + [Diagnostic("x", "error", rule="SFN014")], [], [], 75, strict).exit_code == 1
    assert ValidateRun(diags + [Diagnostic("x", "info", rule="SFN013")], [], [], 75, strict).exit_code == code


def test_select_envs(proj):
    assert select_envs(proj, None, True) == ["dev", "prod"]
    assert select_envs(proj, ["prod", "dev", "prod"], False) == ["prod", "dev"]
    assert select_envs(proj, None, False, required=False) == ["dev", "prod"]
    for envs, all_envs in ((["dev"], True), (None, False)):
        with pytest.raises(SfncError):
            select_envs(proj, envs, all_envs)


def test_check_env_validates_each_rendered_template(proj):
    dev = check_env(proj, load_env(proj, "dev"), CheckConfig())
    prod = check_env(proj, load_env(proj, "prod"), CheckConfig())
    assert [d.rule for d in dev.diagnostics["orders"]] == []
    assert {d.rule for d in prod.diagnostics["orders"]} >= {"SFN202"}      # Next: C does not exist in prod
    assert prod.displays["orders"].endswith("definitions/prod/orders.json")


def test_validate_templates_merges_envs_and_counts(proj):
    run = validate(proj, ValidateOptions())
    assert run.envs == ["dev", "prod"] and len(run.files) == 2 and run.exit_code == 1
    assert {d.env for d in run.diagnostics if d.rule == "SFN202"} == {"prod"}
    assert run.summary.errors == sum(1 for d in run.diagnostics if d.severity == "error")


def test_validate_reports_templates_that_do_not_render(proj, project):
    project.write("templates/broken.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": "${x}",
                                                                           "End": True}}})
    run = validate(proj, ValidateOptions(envs=["dev"]))
    [d] = [d for d in run.diagnostics if d.rule == "SFN010"]
    assert (d.message, d.span.file.rsplit("/", 2)[-2:], d.pointer, d.env, d.severity) == (
        "no value for placeholder ${x} in env 'dev'", ["templates", "broken.json"], "/States/A/Comment", "dev", "error")
    assert run.exit_code == 2
    # --ignore cannot hide it: nothing was checked for that template
    assert validate(proj, ValidateOptions(envs=["dev"], ignore=["SFN010"])).exit_code == 2


def test_render_project_checks_then_writes(proj):
    check = list(render_project(proj, ["dev"], None, check=True))
    assert check[0].diffs and check[0].written is None           # nothing committed yet: stale
    written = list(render_project(proj, ["dev"], None))
    assert written[0].written.written == ["orders.json"] and (proj.definitions_dir / "dev" / "orders.json").exists()
    assert list(render_project(proj, ["dev"], None, check=True))[0].diffs == []
    strict = list(render_project(proj, ["dev"], None, ("extra=1",), strict=True, check=True))
    assert [p.message for p in strict[0].problems] == ["value 'extra' is not used by any template"]


def test_discover_skips_hidden_entries_below_the_directory_only(tmp_path, monkeypatch):
    from pathlib import Path

    from sfn_compiler.load.discover import discover

    sm = '{"StartAt": "A", "States": {}}'
    (tmp_path / "defs" / ".cache").mkdir(parents=True)
    (tmp_path / "defs" / "a.json").write_text(sm)
    (tmp_path / "defs" / ".hidden.json").write_text(sm)
    (tmp_path / "defs" / ".cache" / "b.json").write_text(sm)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    inputs, problems = discover([Path("../defs")])
    assert [i.path.name for i in inputs] == ["a.json"] and problems == []    # `..` is not a hidden directory
