"""The rules whose findings AWS refuses at creation (`check.creation`): `sfnc run` / `sfnc test` refuse those
definitions with the validator's message. The recorded AWS executions (tests/simulate/test_sim_recorded.py)
check the other side: none of these rules fires on a definition AWS created and ran."""

from __future__ import annotations

import json

import pytest

from sfn_compiler.check.creation import CREATION_RULES, creation_config
from sfn_compiler.check.registry import by_id
from sfn_compiler.errors import SfncError
from sfn_compiler.pipeline.simulation import run_file

#: rules for definitions AWS creates that fail when they run: the simulator runs them (and fails them)
RUN_TIME_RULES = ("SFN306", "SFN312", "SFN502", "SFN505")


def test_creation_rules_are_known_errors():
    rules = by_id()
    for rid in CREATION_RULES:
        assert rid in rules and rules[rid].severity.value == "error", rid
    assert not set(RUN_TIME_RULES) & set(CREATION_RULES)
    assert sorted(creation_config().select) == sorted(CREATION_RULES)


@pytest.mark.parametrize("rid", [r for r in CREATION_RULES if not by_id()[r].document and by_id()[r].example_fail
                                 and not by_id()[r].example_context])
def test_sfnc_run_refuses_each_rules_failing_example(rid, tmp_path):
    f = tmp_path / "definition.json"
    f.write_text(json.dumps(by_id()[rid].example_fail))
    with pytest.raises(SfncError) as exc:
        run_file(f)
    assert any(p.rule == rid for p in exc.value.problems)


@pytest.mark.parametrize("rid", RUN_TIME_RULES)
def test_run_time_failures_are_run(rid, tmp_path):
    # AWS creates these definitions; the simulator runs them (they fail or need mocks, but are not refused)
    from sfn_compiler.simulate import SimulationError

    f = tmp_path / "definition.json"
    f.write_text(json.dumps(by_id()[rid].example_fail))
    try:
        result = run_file(f)
    except SimulationError:
        return  # e.g. a Task without a mock: it ran up to there
    assert result.status in ("SUCCEEDED", "FAILED")
