"""Generic checks over ALL_RULES: registration, documentation, and each rule's own examples."""

from __future__ import annotations

import re

import pytest

from check_harness import run_rules
from sfn_compiler.check.base import Rule, Severity
from sfn_compiler.check.rules import ALL_RULES

ID = re.compile(r"^SFN\d{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
GROUP_BY_HUNDRED = {"1": "structure", "2": "graph", "3": "jsonata", "4": "states", "5": "variables", "6": "errors"}


def test_ids_and_names_unique():
    ids = [r.id for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(ids) == len(set(ids)), "duplicate rule id"
    assert len(names) == len(set(names)), "duplicate rule name"


def test_registry_accepts_the_rules():
    from sfn_compiler.check.registry import all_rules

    registered = {r.id for r in all_rules()}
    assert {r.id for r in ALL_RULES} <= registered


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_rule_metadata(rule: type[Rule]):
    assert ID.match(rule.id), rule.id
    assert rule.id[3] in "123456", "SFN0xx and SFN7xx belong to other parts of sfnc"
    assert NAME.match(rule.name), rule.name
    assert rule.group == GROUP_BY_HUNDRED[rule.id[3]]
    assert isinstance(rule.severity, Severity)
    assert rule.summary and "\n" not in rule.summary and "|" not in rule.summary
    assert rule.docs.startswith("## Why\n")
    assert "\n## How to fix\n" in rule.docs
    sections = re.findall(r"^## (.+)$", rule.docs, flags=re.M)
    assert set(sections) <= {"Why", "How to fix", "Known limits"}, sections
    assert rule.sources and all(s.startswith(("https://", "observed AWS behaviour: ")) for s in rule.sources)
    if rule.severity is not Severity.ERROR:
        assert "## Known limits" in rule.docs or rule.severity is Severity.INFO or "AWS accepts" in rule.docs, \
            "a non-error rule says why it is not an error"
    assert isinstance(rule.example_fail, dict) and isinstance(rule.example_pass, dict)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_example_fail_fires(rule: type[Rule]):
    found = [r for r in run_rules(rule.example_fail, placeholders=None, rules=(rule,), **rule.example_context)]
    assert found, f"{rule.id} does not fire on its example_fail"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_example_pass_does_not_fire(rule: type[Rule]):
    found = [r.finding for r in run_rules(rule.example_pass, placeholders=None, rules=(rule,), **rule.example_context)]
    assert not found, f"{rule.id} fires on its example_pass: {found}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_example_fail_fires_only_this_rule_among_errors(rule: type[Rule]):
    """The failing example is minimal: no *other* rule reports an error on it (warnings/infos may)."""
    others = {r.rule.id for r in run_rules(rule.example_fail, placeholders=None, **rule.example_context)
              if r.rule is not rule and r.severity is Severity.ERROR}
    assert not others, f"{rule.id}'s example_fail also triggers errors of {sorted(others)}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_example_pass_is_error_free(rule: type[Rule]):
    errs = {r.rule.id: r.finding.message for r in run_rules(rule.example_pass, placeholders=None)
            if r.severity is Severity.ERROR}
    assert not errs, f"{rule.id}'s example_pass has errors: {errs}"


def test_messages_name_the_state():
    """Every finding on a state-level example names the state it is about."""
    for rule in ALL_RULES:
        for r in run_rules(rule.example_fail, placeholders=None, rules=(rule,)):
            if r.finding.pointer.startswith("/States/"):
                assert "'" in r.finding.message, (rule.id, r.finding.message)
