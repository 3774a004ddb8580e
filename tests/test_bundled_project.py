"""The bundled workflow library is the demo and the hardest input: everything generated from it is
committed and fresh, it validates with zero findings in every env, and its scenarios pass with at
least 90% transition coverage per machine."""

from __future__ import annotations

import json

import pytest

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (REPO / "templates").is_dir(), reason="no bundled templates")


def test_definitions_are_committed_and_fresh(sfnc):
    res = sfnc("render", "--all-envs", "--check", cwd=REPO)
    assert res.exit_code == 0, res.output


def test_workflow_docs_are_fresh(sfnc):
    res = sfnc("graph", "--docs", "--check", cwd=REPO)
    assert res.exit_code == 0, res.output


def test_rules_docs_are_fresh(sfnc):
    res = sfnc("rules", "--format", "md", cwd=REPO)
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == res.stdout, \
        "docs/rules.md is stale: run `sfnc rules --format md > docs/rules.md`"


def test_docs_state_the_number_of_rules_there_are():
    """docs/validate.md quotes the summary line and the JSON summary: their rule count is the registry's."""
    import re

    from sfn_compiler.check.registry import all_rules

    text = (REPO / "docs" / "validate.md").read_text(encoding="utf-8")
    counts = re.findall(r"with (\d+) rules:", text) + re.findall(r'"rules": (\d+)', text)
    assert counts and set(counts) == {str(len(all_rules()))}, counts


def test_templates_validate_with_zero_findings_in_every_env(sfnc):
    res = sfnc("validate", "--format", "json", cwd=REPO)
    data = json.loads(res.stdout)
    assert data["diagnostics"] == [], json.dumps(data["diagnostics"][:5], indent=2)
    assert res.exit_code == 0
    assert sorted(data["summary"]["envs"]) == ["dev", "local", "prod", "staging"]


def test_scenarios_pass_with_90_percent_transition_coverage(sfnc):
    res = sfnc("test", "--format", "json", "--min-coverage", "90", cwd=REPO)
    data = json.loads(res.stdout)
    machines = {m["machine"]: m for m in data["machines"]}
    templates = sorted(p.name.split(".")[0] for p in (REPO / "templates").iterdir() if p.suffix == ".json")
    assert sorted(machines) == templates
    failed = [c for m in machines.values() for c in m["cases"] if not c.get("passed", True)]
    assert failed == [], failed
    low = {n: m["coverage"]["transitions"]["percent"] for n, m in machines.items()
           if m["coverage"]["transitions"]["percent"] < 90}
    assert low == {}, low
    assert res.exit_code == 0


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_scenarios_hold_in_the_cloud_envs_too(sfnc, env):
    """docs/simulator.md runs `sfnc test --env dev --trace`: expectations that depend on env values use
    `${...}` (rendered with the env's values), and a scenario written for one env's limits says `envs:`."""
    res = sfnc("test", "--env", env, "--format", "json", cwd=REPO)
    data = json.loads(res.stdout)
    failed = [c["scenario"] for m in data["machines"] for c in m["cases"] if not c.get("passed", True)]
    assert failed == [] and res.exit_code == 0, failed
    skipped = [c["scenario"] for m in data["machines"] for c in m["cases"] if "skipped" in c]
    assert skipped == ["tests/scenarios/sfn_ndr_backfill_reprocessing/too_many_windows.yaml"]
