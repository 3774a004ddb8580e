"""CheckConfig: the most specific severity selector wins, whatever the order the settings list them in."""

from __future__ import annotations

import itertools

import pytest

from sfn_compiler.check.config import CheckConfig
from sfn_compiler.check.registry import find_rule
from sfn_compiler.check.base import Severity

UNREACHABLE = find_rule("state-unreachable")      # SFN203, group graph, default error
START_AT = find_rule("start-at-missing")          # SFN201, group graph
JSONATA = find_rule("jsonata-syntax-error")       # another group

SELECTORS = {"ALL": "info", "graph": "warning", "SFN2": "warning", "SFN203": "error"}


@pytest.mark.parametrize("order", list(itertools.permutations(SELECTORS)))
def test_most_specific_selector_wins_in_any_order(order):
    cfg = CheckConfig.from_settings({"validate": {"severity": {k: SELECTORS[k] for k in order}}})
    assert cfg.severity_of(UNREACHABLE) is Severity.ERROR      # its id beats its group and prefix
    assert cfg.severity_of(START_AT) is Severity.WARNING       # its group / prefix beat ALL
    assert cfg.severity_of(JSONATA) is Severity.INFO           # only ALL matches


@pytest.mark.parametrize("settings,expected", [
    ({}, Severity.ERROR),                                              # the rule's default
    ({"state-unreachable": "info"}, Severity.INFO),                    # by name
    ({"graph": "info", "state-unreachable": "warning"}, Severity.WARNING),
    ({"state-unreachable": "warning", "ALL": "info"}, Severity.WARNING),
])
def test_severity_by_name_group_and_default(settings, expected):
    assert CheckConfig.from_settings({"validate": {"severity": settings}}).severity_of(UNREACHABLE) is expected


def test_a_finding_severity_overrides_the_default_but_not_the_config():
    assert CheckConfig().severity_of(UNREACHABLE, Severity.INFO) is Severity.INFO
    cfg = CheckConfig.from_settings({"validate": {"severity": {"SFN203": "warning"}}})
    assert cfg.severity_of(UNREACHABLE, Severity.INFO) is Severity.WARNING
