"""The one rule-test harness: rule cases as data (tests/rules/cases/SFNxxx.yaml) plus each rule's docs
examples, run through the real runner with only the case's rule selected.

A case file (sqlfluff's std_rule_cases, adapted):

    rule: SFN202
    cases:
      fail_target_missing:                  # fail_*: `expect` lists exactly the findings
        definition: {StartAt: A, States: {A: {Type: Pass, Next: B}}}
        expect:
          - {pointer: /States/A/Next, message: "State 'A': 'Next' target 'B' ..."}
      pass_target_exists:                   # pass_*: no finding
        definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}

A case gives `definition` (a state machine) or `text` (the file as written: broken JSON, duplicate keys);
optionally `settings` (the `[tool.sfnc]` table: rule options, pattern catalogue), `context`
(`machine_type: EXPRESS`), `placeholders` (`opaque` / `error`; default none), `input_schema` (the
execution input's JSON Schema, as a template's `templates/<name>.input.schema.json` gives it) and `also`
(other rules to run, for rules about other rules' findings such as suppressions; only the case's rule is
compared). An
expected finding
matches on `pointer` and `message` (or `message_contains`), and on `hint`, `key`, `offset`, `path`,
`severity`, `related` (the pointers of its related places) and `follows` (`[rule id, pointer]` of the
finding it is a consequence of) when given. Each rule's `example_fail` / `example_pass` (its docs) run as the cases `docs_fail`
(fires) and `docs_pass` (does not).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sfn_compiler.check import CheckConfig, validate_text
from sfn_compiler.check.registry import all_rules, by_id
from sfn_compiler.check.runner import run_rules

CASES = Path(__file__).resolve().parent / "cases"
CASE_KEYS = {"definition", "text", "settings", "context", "placeholders", "input_schema", "also", "expect"}
FINDING_KEYS = {"pointer", "message", "message_contains", "hint", "key", "offset", "path", "severity", "related",
                "follows"}


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    spec: dict[str, Any]
    source: str                      # the case file, or "docs" for the rule's own examples

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"

    @property
    def fails(self) -> bool:
        return self.name.startswith(("fail_", "docs_fail"))


@dataclass(frozen=True)
class Observed:
    pointer: str
    message: str
    hint: str | None = None
    key: bool = False
    offset: int | None = None
    path: tuple[str, ...] = ()
    severity: str | None = None
    rule: str = ""
    related: tuple[str, ...] = ()             # pointers of the related places
    follows: tuple[str, ...] = ()             # (rule id, pointer) of the finding this one follows from

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, False, (), "")}


@dataclass
class CaseFile:
    path: Path
    rule: str
    cases: list[Case] = field(default_factory=list)


def load_case_file(path: Path) -> CaseFile:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rule = data["rule"]
    out = CaseFile(path, rule)
    for name, spec in (data.get("cases") or {}).items():
        out.cases.append(Case(rule, name, spec, path.name))
    return out


def case_files() -> list[CaseFile]:
    return [load_case_file(p) for p in sorted(CASES.glob("SFN*.yaml"))]


def docs_cases(rule) -> list[Case]:
    out = []
    for name, example in (("docs_fail", rule.example_fail), ("docs_pass", rule.example_pass)):
        if example is None:
            continue
        spec: dict[str, Any] = {"text": example} if isinstance(example, str) else {"definition": example}
        if rule.example_context:
            spec["context"] = dict(rule.example_context)
        out.append(Case(rule.id, name, spec, "docs"))
    return out


def all_cases() -> list[Case]:
    cases = [c for r in all_rules() for c in docs_cases(r)]
    for f in case_files():
        cases.extend(f.cases)
    return cases


def run_case(case: Case, select: str | None = None) -> list[Observed]:
    """The findings of the case's rule (or of `select`: a selector such as `ALL`) on the case's document."""
    spec = case.spec
    settings = dict(spec.get("settings") or {})
    settings["validate"] = {"select": (select or case.rule).split(",") + ([] if select else list(spec.get("also", ())))}
    config = CheckConfig.from_settings(settings)
    config.debug = True                                   # a rule that crashes fails the case
    placeholders = spec.get("placeholders")
    machine_type = (spec.get("context") or {}).get("machine_type")
    rule = by_id()[case.rule]
    if "text" in spec or rule.document:
        config.placeholders = placeholders
        text = spec["text"] if "text" in spec else json.dumps(spec["definition"], indent=2)
        return [Observed(d.pointer, d.message, d.hint, severity=d.severity, rule=d.rule,
                         related=tuple(r.pointer for r in d.related))
                for d in validate_text(text, "case.json", config, machine_type=machine_type,
                                       input_schema=spec.get("input_schema"))]
    found = run_rules(spec["definition"], config, placeholders=placeholders, machine_type=machine_type,
                      input_schema=spec.get("input_schema"))
    return [Observed(f.pointer, f.message, f.hint, f.key, f.offset, tuple(f.path),
                     f.severity.value if f.severity else r.severity.value, r.id, tuple(n.pointer for n in f.related),
                     tuple(f.follows or ())) for r, f in found]


def _matches(expected: dict[str, Any], got: Observed) -> bool:
    if expected.get("pointer") != got.pointer:
        return False
    if "message" in expected and expected["message"] != got.message:
        return False
    if "message_contains" in expected and expected["message_contains"] not in got.message:
        return False
    for k in ("hint", "key", "offset", "severity"):
        if k in expected and expected[k] != getattr(got, k):
            return False
    for k in ("path", "related", "follows"):
        if k in expected and tuple(expected[k]) != getattr(got, k):
            return False
    return True


def check_case(case: Case) -> None:
    """Run the case and assert its expectation (raises AssertionError with what was found)."""
    unknown = set(case.spec) - CASE_KEYS
    assert not unknown, f"{case.id}: unknown case keys {sorted(unknown)}"
    assert ("definition" in case.spec) != ("text" in case.spec), f"{case.id}: give `definition` or `text`"
    got = [g for g in run_case(case) if g.rule == case.rule]
    shown = [g.as_dict() for g in got]
    if not case.fails:
        assert got == [], f"{case.id} must not fire, found {shown}"
        return
    expect = case.spec.get("expect")
    if expect is None:       # the docs example: fires at least once
        assert got, f"{case.id} must fire, found nothing"
        return
    assert expect, f"{case.id}: a fail_ case lists what it expects"
    for e in expect:
        assert not set(e) - FINDING_KEYS, f"{case.id}: unknown keys {sorted(set(e) - FINDING_KEYS)}"
    left = list(got)
    for e in expect:
        hit = next((g for g in left if _matches(e, g)), None)
        assert hit is not None, f"{case.id}: expected {e}, found {shown}"
        left.remove(hit)
    assert not left, f"{case.id}: unexpected findings {[g.as_dict() for g in left]}"
