"""Invariants of the one rule list (`check/rules/__init__.py: ALL_RULES`): registration, documentation,
cases, and docs examples that are minimal (they show one rule)."""

from __future__ import annotations

import re

import pytest

from harness import Case, all_cases, case_files, docs_cases, run_case
from sfn_compiler.check.base import Rule, Severity
from sfn_compiler.check.registry import all_rules
from sfn_compiler.check.rules import ALL_RULES

RULES = all_rules()
CASES = all_cases()
ID = re.compile(r"^SFN\d{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$")
GROUPS = {"0": {"parse", "suppression", "remote", "internal", "input"}, "1": {"structure"}, "2": {"graph"},
          "3": {"jsonata"}, "4": {"states"}, "5": {"variables"}, "6": {"errors"}, "7": {"pattern"}, "8": {"data"}}
SECTIONS = {"0": ["Why", "How to fix"], "7": ["Why", "How to fix", "Known limits", "Options"]}
# rules whose failing case cannot be data, and where they are tested instead
NO_FAIL_CASE = {
    "SFN003": "a definition over 1 MiB: tests/check/test_runner.py::test_definition_too_large",
    "SFN008": "needs AWS: tests/check/test_runner.py::test_remote_validation_with_stubber (botocore Stubber)",
    "SFN009": "needs a crashing rule: tests/check/test_runner.py::test_crashing_rule_is_reported_not_raised",
    # problems with the inputs, not a definition (templates, env files, paths): fire and stay quiet in
    "SFN010": "a project: tests/report/test_formats.py::test_a_template_that_does_not_render",
    "SFN011": "a project: tests/integrations/test_inputs_as_diagnostics.py::test_env_problems_are_sfn011",
    "SFN012": "files: tests/integrations/test_inputs_as_diagnostics.py::test_missing_inputs_are_sfn012",
    "SFN013": "a template: tests/integrations/test_inputs_as_diagnostics.py::test_definitions_not_read_are_sfn013",
    "SFN014": "a template: tests/integrations/test_inputs_as_diagnostics.py::test_invalid_template_properties_are_sfn014",
    "SFN015": "a project: tests/integrations/test_inputs_as_diagnostics.py::test_unused_env_values_are_sfn015",
}
NO_PASS_CASE = {r: NO_FAIL_CASE[r] for r in ("SFN008", "SFN009", "SFN010", "SFN011", "SFN012", "SFN013", "SFN014",
                                                 "SFN015")}


def test_one_rule_list():
    assert RULES == tuple(sorted(ALL_RULES, key=lambda r: r.id))
    assert len({r.id for r in RULES}) == len({r.name for r in RULES}) == len(RULES) == len(ALL_RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_rule_metadata(rule: type[Rule]):
    assert ID.match(rule.id) and NAME.match(rule.name), (rule.id, rule.name)
    assert rule.group in GROUPS[rule.id[3]], rule.group
    assert isinstance(rule.severity, Severity)
    assert rule.summary and "\n" not in rule.summary and "|" not in rule.summary
    sections = re.findall(r"^## (.+)$", rule.docs, flags=re.M)
    expected = SECTIONS.get(rule.id[3])
    if expected:
        assert sections == expected, sections
    else:
        assert sections[:2] == ["Why", "How to fix"] and set(sections) <= {"Why", "How to fix", "Known limits"}
    assert rule.sources and all(s.startswith(("https://", "observed AWS behaviour: ", "observed sfnc behaviour"))
                                for s in rule.sources)
    if rule.group == "pattern":
        assert all(s.startswith("https://") for s in rule.sources)
        assert rule.jsonata_only == (rule.name != "callback-wait-for-task-token")
    elif not rule.document and rule.severity is not Severity.ERROR:
        assert "## Known limits" in rule.docs or rule.severity is Severity.INFO or "AWS accepts" in rule.docs, \
            "a non-error rule says why it is not an error"
    assert rule.document == (rule.id[3] == "0")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.id}-{r.name}")
def test_every_rule_has_failing_and_passing_cases(rule: type[Rule]):
    cases = [c for c in CASES if c.rule == rule.id]
    if rule.id not in NO_FAIL_CASE:
        assert any(c.fails for c in cases), f"{rule.id}: no fail case (docs example_fail or cases/{rule.id}.yaml)"
    if rule.id not in NO_PASS_CASE:
        assert any(not c.fails for c in cases), f"{rule.id}: no pass case"
    if not rule.document:
        assert isinstance(rule.example_fail, dict) and isinstance(rule.example_pass, dict)


def test_every_rule_has_a_case_file():
    have = {f.rule for f in case_files()}
    assert not [r.id for r in RULES if r.id not in have and r.id not in NO_FAIL_CASE]


def test_case_files_are_well_formed():
    known = {r.id for r in RULES}
    for f in case_files():
        assert f.rule == f.path.stem and f.rule in known, f.path.name
        for c in f.cases:
            assert c.name.startswith(("fail_", "pass_")), c.id


def _family(rule: type[Rule]) -> str:
    """The rules an example must be clean against: its own pattern group, or every rule of SFN0xx-SFN6xx (the
    orchestration patterns judge whole workflows, which a two-state example is not)."""
    return "pattern" if rule.group == "pattern" else "SFN0,SFN1,SFN2,SFN3,SFN4,SFN5,SFN6,SFN8"


@pytest.mark.parametrize("rule", [r for r in RULES if r.example_fail is not None], ids=lambda r: r.id)
def test_docs_example_fail_shows_one_rule(rule: type[Rule]):
    """No *other* rule reports an error on the failing example (warnings and info may); in the pattern group
    no other rule reports anything."""
    case = next(c for c in docs_cases(rule) if c.name == "docs_fail")
    others = {o.rule for o in run_case(case, select=_family(rule)) if o.rule != rule.id and o.severity == "error"}
    assert not others, f"{rule.id}'s example_fail also triggers errors of {sorted(others)}"
    if rule.group == "pattern":
        assert {o.rule for o in run_case(case, select="pattern")} == {rule.id}


@pytest.mark.parametrize("rule", [r for r in RULES if r.example_pass is not None and not r.document], ids=lambda r: r.id)
def test_docs_example_pass_is_error_free(rule: type[Rule]):
    case = next(c for c in docs_cases(rule) if c.name == "docs_pass")
    case = Case(rule.id, case.name, {k: v for k, v in case.spec.items() if k != "context"}, "docs")
    errs = {o.rule: o.message for o in run_case(case, select=_family(rule)) if o.severity == "error"}
    assert not errs, f"{rule.id}'s example_pass has errors: {errs}"
    if rule.group == "pattern":
        assert run_case(case, select="pattern") == []


def test_messages_name_the_state():
    """Every finding on a state-level example names the state it is about (pattern findings name a path)."""
    for rule in RULES:
        if rule.document or rule.group == "pattern":
            continue
        for case in docs_cases(rule):
            for o in run_case(case):
                if o.pointer.startswith("/States/"):
                    assert "'" in o.message, (rule.id, o.message)
