"""Every malformed scenario or MockConfigFile is one `ScenarioError` located in its file: file:line:col and the
JSON pointer of the bad value (a name or number of the wrong type, a NUL byte, `.inf`, a limit passed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sfn_compiler.simulate import ScenarioError, load_mock_config, load_scenario


def scenario_error(tmp_path: Path, text: str, name: str = "s.yaml") -> ScenarioError:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(p, display=name)
    return info.value


@pytest.mark.parametrize("text,where,message", [
    ("input: {}\nmocks: [1]\n", "s.yaml:2:8 (at /mocks)", "mocks: must map Task state names to responses"),
    ("mocks:\n  1: {return: 1}\n", "s.yaml:2:3 (at /mocks/1)", "the key 1 is not a string: quote it"),
    ('mocks:\n  "T\\0x": {return: 1}\n', "s.yaml:2:3 (at /mocks/T\x00x)", "must not contain control characters"),
    ("mocks:\n  T: {return: 1, duration: [1]}\n", "s.yaml:2:28 (at /mocks/T/duration)",
     "'duration' must be a number of virtual seconds from 0 to 31,536,000"),
    ("mocks:\n  T: {return: 1, duration: 1.0e+12}\n", "s.yaml:2:28 (at /mocks/T/duration)", "from 0 to 31,536,000"),
    ("mocks:\n  T: {return: 1, Return: 2}\n", "s.yaml:2:18 (at /mocks/T/Return)", "'return' is given twice"),
    ("mocks:\n  T:\n    - {return: 1, times: [2]}\n", "s.yaml:3:7 (at /mocks/T/0)", "'times' must be a positive integer"),
    ("mocks:\n  T: {throw: {Error: [E]}}\n", "s.yaml:2:14 (at /mocks/T/throw)", "throw Error must be a string"),
    ("mocks:\n  T: {'0': {return: 1}, '0-1': {return: 2}}\n", "s.yaml:2:6 (at /mocks/T)", "ranges overlap"),
    ("max_transitions: 1000000000000\n", "s.yaml:1:18 (at /max_transitions)",
     "max_transitions must be an integer from 1 to 10,000,000, got 1000000000000"),
    ("max_transitions: true\n", "s.yaml:1:18 (at /max_transitions)", "max_transitions must be an integer"),
    ("seed: [1]\n", "s.yaml:1:7 (at /seed)", "seed must be an integer, got [1]"),
    ("description: {a: 1}\n", "s.yaml:1:14 (at /description)", "description must be a string"),
    ('execution_name: "a\\0b"\n', "s.yaml:1:17 (at /execution_name)", "must not contain control characters"),
    ("execution_name: [x]\n", "s.yaml:1:17 (at /execution_name)", "execution_name must be a string"),
    (f"execution_name: {'x' * 81}\n", "s.yaml:1:17 (at /execution_name)", "at most 80 characters"),
    ("start_time: 1\n", "s.yaml:1:13 (at /start_time)", "start_time must be an ISO 8601 timestamp"),
    ('start_time: "9999-12-31T00:00:00Z"\n', "s.yaml:1:13 (at /start_time)",
     "start_time must be from 1970-01-01 to 9998-12-31"),
    ("expect: {output: {1: 2}}\n", "s.yaml:1:19 (at /expect/output/1)", "the key 1 is not a string"),
    ("expect: {error: [E]}\n", "s.yaml:1:17 (at /expect/error)", "expect.error must be a string"),
    ("expect: {states: [A, [B]]}\n", "s.yaml:1:22 (at /expect/states/1)", "a state name must be a string"),
    ("expect: {states_include: [\"\"]}\n", "s.yaml:1:27 (at /expect/states_include/0)", "must not be empty"),
    ("envs: [dev, {a: 1}]\n", "s.yaml:1:13 (at /envs/1)", "an env name must be a string"),
    ("mock_config: {file: [1], machine: m, test_case: c}\n", "s.yaml:1:21 (at /mock_config/file)",
     "mock_config.file must be a string"),
    ("mock_config: {file: m.json, machine: [m], test_case: c}\n", "s.yaml:1:38 (at /mock_config/machine)",
     "mock_config.machine must be a string"),
    ("mock_config: {file: missing.json, machine: m, test_case: c}\n", "s.yaml:1:21 (at /mock_config/file)",
     "cannot read mock config missing.json: file not found"),
    ("inputs: {}\n", "s.yaml:1:1 (at /inputs)", "unknown key(s) inputs"),
    ("expect: {status: OK}\n", "s.yaml:1:18 (at /expect/status)", "expect.status must be one of"),
])
def test_a_bad_scenario_is_located(tmp_path, text, where, message):
    exc = scenario_error(tmp_path, text)
    assert str(exc) == f"{where.split(' ')[0]}: {exc.message} {where.split(' ', 1)[1]}"
    assert message in exc.message
    [d] = exc.diagnostics()
    assert d.span.format() == where.split(" ")[0] and f"(at {d.pointer})" == where.split(" ", 1)[1]


@pytest.mark.parametrize("text, where, pointer", [
    ("mocks:\n  T: {return: 1, duration: .inf}\n", "s.yaml:2:28", "/mocks/T/duration"),
    ("max_events: .inf\n", "s.yaml:1:13", "/max_events"),
    ("input: {a: [1, .nan]}\n", "s.yaml:1:16", "/input/a/1"),
])
def test_values_json_cannot_hold_are_refused_by_the_reader_at_their_place(tmp_path, text, where, pointer):
    """The YAML reader refuses .inf/.nan before the scenario is parsed: one located diagnostic, no repeat."""
    exc = scenario_error(tmp_path, text)
    [d] = exc.diagnostics()
    assert (d.span.format(), d.pointer) == (where, pointer)
    assert "is not a finite number: JSON has no NaN or Infinity" in d.message
    assert str(exc).startswith(f"{where}: error: ") and str(exc).count(where) == 1


def test_a_json_scenario_is_located_too(tmp_path):
    exc = scenario_error(tmp_path, '{\n  "input": {},\n  "seed": "1"\n}\n', "s.json")
    assert str(exc) == "s.json:3:11: seed must be an integer, got \"1\" (at /seed)"


def test_syntax_errors_keep_the_readers_own_place(tmp_path):
    exc = scenario_error(tmp_path, "input: [1\n")
    [d] = exc.diagnostics()
    assert d.span.format() == "s.yaml:1:8" and "'[' list that opens here is not closed" in d.message
    assert str(exc).startswith("s.yaml:1:8: error: invalid YAML")


def test_mock_config_errors_are_located_in_the_mock_config_file(tmp_path):
    config = {"StateMachines": {"M": {"TestCases": {"C": {"T": "R"}}}},
              "MockedResponses": {"R": {"0": {"Retrun": 1}}}}
    (tmp_path / "m.json").write_text(json.dumps(config, indent=2))
    exc = scenario_error(tmp_path, "mock_config: {file: m.json, machine: M, test_case: C}\n")
    assert str(exc).startswith("m.json:") and "unknown key(s) retrun" in str(exc)
    assert "(at /MockedResponses/R/0)" in str(exc)
    with pytest.raises(ScenarioError, match=r"^m.json:\d+:\d+: state machine 'M' has no test case 'X'"):
        load_mock_config(tmp_path / "m.json", "M", "X", display="m.json")
    (tmp_path / "m.json").write_text('{"StateMachines": {}, "StateMachines": {}}')
    with pytest.raises(ScenarioError, match="duplicate key 'StateMachines'"):
        load_mock_config(tmp_path / "m.json", "M", "C")


def test_a_scenario_at_the_limits_loads(tmp_path):
    p = tmp_path / "ok.yaml"
    p.write_text("max_transitions: 10000000\nmax_events: 10000000\nstart_time: '9998-12-31T00:00:00Z'\n"
                 f"execution_name: {'x' * 80}\nmocks: {{T: {{return: 1, duration: 31536000}}}}\n"
                 "description: 42\n")
    sc = load_scenario(p)
    assert sc.max_transitions == 10_000_000 and sc.mocks.response("T", 0).duration == 31_536_000
