"""Every rule case (tests/rules/cases/SFNxxx.yaml) and every rule's docs examples, through one harness."""

from __future__ import annotations

import pytest

from harness import all_cases, check_case

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case):
    check_case(case)
