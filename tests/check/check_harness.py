"""A tiny harness shared by the check tests: load corpus files, run every rule, collect findings."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sfn_compiler.check.base import CheckContext, Finding, Severity
from sfn_compiler.check.rules import ALL_RULES

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


@dataclass(frozen=True)
class Result:
    rule: type
    finding: Finding

    @property
    def severity(self) -> Severity:
        return self.finding.severity or self.rule.severity


class RuleCrashed(AssertionError):
    pass


# the rules these tests run by default: every rule with its own `check` (not the runner's SFN0xx ones) except
# the pattern group, which tests/check/patterns covers through the runner
RULES = tuple(r for r in ALL_RULES if not r.document and r.group != "pattern")


def run_rules(document: Any, placeholders: str | None = "opaque", rules=RULES, **context: Any) -> list[Result]:
    """Run every rule on one document; a rule that raises fails loudly (rules must never crash)."""
    ctx = CheckContext(document, placeholders=placeholders, **context)
    out: list[Result] = []
    for rule in rules:
        try:
            for finding in rule().check(ctx):
                out.append(Result(rule, finding))
        except Exception as exc:  # pragma: no cover - the assertion is the point
            raise RuleCrashed(f"{rule.id} {rule.name} crashed: {type(exc).__name__}: {exc}") from exc
    return out


def errors(results: list[Result]) -> list[Result]:
    return [r for r in results if r.severity is Severity.ERROR]


def ids(results: list[Result]) -> set[str]:
    return {r.rule.id for r in results}


def load_json5ish(text: str) -> Any:
    """JSON, or JSON5 (the LocalStack templates: comments, trailing commas): the same reader `sfnc
    validate` uses for .json5 files."""
    from sfn_compiler.load.json5doc import to_json

    return json.loads(to_json(text)[0])


def read_manifest(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))
