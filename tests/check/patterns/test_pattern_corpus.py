"""The pattern rules over real definitions: the users' workflows (no findings) and the shared corpus
(per-rule counts, each finding reviewed in docs/patterns.md "Corpus results")."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

from sfn_compiler.check.config import CheckConfig
from sfn_compiler.check.rules.patterns import RULES as PATTERN_RULES
from sfn_compiler.check.runner import run_rules

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
USER_WORKFLOWS = ["sfn_ndr_15m_features_inference", "sfn_ndr_backfill_reprocessing",
                  "sfn_ndr_monthly_fg_b_baselines", "sfn_ndr_prediction_publication",
                  "sfn_ndr_training_orchestrator"]

# per-rule finding counts on /work/shared/corpus/real (see docs/patterns.md, "Corpus results")
EXPECTED = {
    "callback-wait-for-task-token": 11,
    "poll-start-not-awaited": 0,
    "poll-failure-status-not-handled": 5,
    "poll-loop-without-wait": 0,
    "poll-loop-unbounded": 6,
    "poll-describe-without-retry": 5,
    "lock-not-released": 0,
    "lock-duplicate-not-caught": 0,
    "lock-without-ttl": 0,
    "lock-release-without-retry": 0,
    "lock-table-mismatch": 0,
    "cycle-without-exit": 0,
    "loop-unbounded": 9,
    "map-unbounded-concurrency": 17,
    "distributed-map-no-failure-tolerance": 7,
}

# definitions that follow the patterns: no pattern finding at all
CLEAN = [
    "aws__agent-toolkit-for-aws/skills__specialized-skills__serverless-skills__aws-step-functions__assets__"
    "semaphore-concurrency-lock.asl.json",
    "aws__agent-toolkit-for-aws/skills__specialized-skills__serverless-skills__aws-step-functions__assets__"
    "express-standard-handoff.asl.json",
    "aws__agent-toolkit-for-aws/skills__specialized-skills__serverless-skills__aws-step-functions__assets__"
    "compensation-saga-pattern.asl.json",
]


def _config() -> CheckConfig:
    config = CheckConfig.from_settings({"validate": {"select": ["pattern"]}})
    config.placeholders = "opaque"
    config.debug = True  # a crashing rule fails the test
    return config


def _definitions(root: Path):
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".json", ".json5"):
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue  # JSON5 that is not JSON
        if isinstance(doc, dict) and "States" in doc:
            yield path, doc


@pytest.mark.parametrize("name", USER_WORKFLOWS)
def test_user_workflows_follow_the_patterns(name):
    path = REPO / "templates" / f"{name}.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [(r.name, f.message) for r, f in run_rules(doc, _config())] == []


@pytest.mark.corpus
def test_corpus_counts():
    if not CORPUS.is_dir():
        pytest.skip("the shared corpus is absent")
    counts: collections.Counter[str] = collections.Counter()
    n = 0
    for _path, doc in _definitions(CORPUS):
        n += 1
        for rule, _f in run_rules(doc, _config()):
            counts[rule.name] += 1
    assert n > 100
    assert {r.name: counts.get(r.name, 0) for r in PATTERN_RULES} == EXPECTED  # speed: bench/timings.py


@pytest.mark.corpus
@pytest.mark.parametrize("rel", CLEAN)
def test_corpus_definitions_that_follow_the_patterns(rel):
    path = CORPUS / rel
    if not path.is_file():
        pytest.skip(f"{rel} is absent")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [(r.name, f.message) for r, f in run_rules(doc, _config())] == []
