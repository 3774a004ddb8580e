"""Peer fixtures (shared/corpus/peers): every disagreement with a peer's label is explained, and
docs/peer-agreement.md is up to date."""

from __future__ import annotations

import pytest

from peer_agreement import DOC, EXPLANATIONS, PEERS, compute, render

pytestmark = [pytest.mark.corpus,
              pytest.mark.skipif(not (PEERS / "MANIFEST.tsv").is_file(), reason="shared/corpus/peers is absent")]


@pytest.fixture(scope="module")
def stats():
    return compute()


def test_every_disagreement_is_explained(stats):
    seen = {(tool, name) for tool, s in stats.items() for name, *_ in s.disagreements}
    assert not seen - set(EXPLANATIONS), f"unexplained disagreements: {sorted(seen - set(EXPLANATIONS))}"
    assert not set(EXPLANATIONS) - seen, f"explanations no longer needed: {sorted(set(EXPLANATIONS) - seen)}"


def test_agreement_stays_high(stats):
    agree = sum(s.agree for s in stats.values())
    files = sum(s.files for s in stats.values())
    assert agree / files >= 0.95


def test_report_is_up_to_date(stats):
    assert DOC.is_file(), "run: .venv/bin/python tests/check/peer_agreement.py"
    assert DOC.read_text(encoding="utf-8") == render(stats), "regenerate docs/peer-agreement.md"
