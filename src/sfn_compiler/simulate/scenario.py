"""sfnc scenario files (YAML or JSON) and expectation checking. Format: ``docs/simulator.md``."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..asl import walk
from .errors import ScenarioError
from .result import ExecutionResult
from .mocks import MockProvider, load_mock_config, merge_providers, mocked_states, mocks_from_spec

__all__ = ["Scenario", "load_scenario", "parse_scenario", "check_expectations", "subset_mismatches",
           "scenario_warnings"]

TOP_KEYS = {"description", "input", "mocks", "mock_config", "expect", "seed", "execution_name", "start_time",
            "max_transitions", "envs", "mock_validation"}
EXPECT_KEYS = {"status", "error", "cause", "output", "states", "states_include", "states_exclude", "variables"}
STATUSES = {"SUCCEEDED", "FAILED", "TIMED_OUT"}


@dataclass
class Scenario:
    name: str
    description: str = ""
    input: Any = None
    mocks: MockProvider = field(default_factory=lambda: mocks_from_spec(None))
    expect: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    execution_name: str | None = None
    start_time: Any = None  # datetime or None
    max_transitions: int | None = None
    envs: list[str] | None = None   # the envs the scenario is written for (None: every env)
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    def run_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`run_execution` derived from the scenario."""
        kw: dict[str, Any] = {"seed": self.seed}
        if self.execution_name:
            kw["execution_name"] = self.execution_name
        if self.start_time is not None:
            kw["start_time"] = self.start_time
        if self.max_transitions is not None:
            kw["max_transitions"] = self.max_transitions
        return kw


class _ScenarioLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: ``2025-01-01`` stays a string, as in JSON."""


_ScenarioLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_scenario(path: str | Path, transform=None) -> Scenario:
    """Read a scenario file (``.yaml``/``.yml``/``.json``); `transform(data)` rewrites the parsed document
    first (`sfnc test` renders `${...}` env values in it)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {p}: {exc}") from None
    from ..errors import SfncError
    from ..load import load_json_text, load_yaml_text

    try:  # both loaders reject duplicate keys, which would silently drop an expectation
        doc = load_json_text(text, str(p)) if p.suffix == ".json" else load_yaml_text(text, str(p), _ScenarioLoader)
    except SfncError as exc:
        raise ScenarioError(str(exc)) from None
    data = doc.data
    if transform is not None:
        data = transform(data)
    return parse_scenario(data, name=p.stem, path=p)


def parse_scenario(data: Any, *, name: str = "scenario", path: Path | None = None) -> Scenario:
    where = str(path) if path else name
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{where}: a scenario must be a mapping")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))} "
                            f"(allowed: {', '.join(sorted(TOP_KEYS))})")
    providers: list[MockProvider] = []
    if data.get("mocks") is not None:
        providers.append(mocks_from_spec(data["mocks"], source=f"{where} mocks"))
    mc = data.get("mock_config")
    if mc is not None:
        if not isinstance(mc, Mapping) or not {"file", "machine", "test_case"} <= set(mc):
            raise ScenarioError(f"{where}: mock_config needs 'file', 'machine' and 'test_case'")
        file = Path(mc["file"])
        if not file.is_absolute() and path is not None:
            file = path.parent / file
        providers.append(load_mock_config(file, mc["machine"], mc["test_case"]))
    mocks = providers[0] if len(providers) == 1 else (merge_providers(providers) if providers
                                                        else mocks_from_spec(None, source=f"{where} (no mocks)"))
    expect = data.get("expect") or {}
    if not isinstance(expect, Mapping):
        raise ScenarioError(f"{where}: 'expect' must be a mapping")
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown expectation(s) {', '.join(sorted(map(str, unknown)))} "
                            f"(allowed: {', '.join(sorted(EXPECT_KEYS))})")
    if "status" in expect and expect["status"] not in STATUSES:
        raise ScenarioError(f"{where}: expect.status must be one of {', '.join(sorted(STATUSES))}")
    for key in ("states", "states_include", "states_exclude"):
        if key in expect and (not isinstance(expect[key], list) or not all(isinstance(s, str) for s in expect[key])):
            raise ScenarioError(f"{where}: expect.{key} must be a list of state names")
    if "variables" in expect and not isinstance(expect["variables"], Mapping):
        raise ScenarioError(f"{where}: expect.variables must be a mapping")
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ScenarioError(f"{where}: seed must be an integer")
    start_time = data.get("start_time")
    if start_time is not None:
        from datetime import datetime, timezone

        if isinstance(start_time, str):
            try:
                start_time = datetime.fromisoformat(start_time.replace("Z", "+00:00"))
            except ValueError:
                raise ScenarioError(f"{where}: start_time must be an ISO 8601 timestamp") from None
        if not isinstance(start_time, datetime):
            raise ScenarioError(f"{where}: start_time must be an ISO 8601 timestamp")
        if start_time.tzinfo is None:
            start_time = start_time.replace(tzinfo=timezone.utc)
    if data.get("mock_validation") not in (None, "strict", "present", "none"):
        raise ScenarioError(f"{where}: mock_validation must be strict, present or none")
    envs = data.get("envs")
    if envs is not None and (not isinstance(envs, list) or not all(isinstance(e, str) for e in envs)):
        raise ScenarioError(f"{where}: envs must be a list of env names")
    mt = data.get("max_transitions")
    if mt is not None and (isinstance(mt, bool) or not isinstance(mt, int) or mt < 1):
        raise ScenarioError(f"{where}: max_transitions must be a positive integer")
    return Scenario(
        name=name,
        description=str(data.get("description") or ""),
        input=data.get("input"),
        mocks=mocks,
        expect=dict(expect),
        seed=seed,
        execution_name=data.get("execution_name"),
        start_time=start_time,
        max_transitions=mt,
        envs=envs,
        path=path,
        raw=dict(data),
    )


# --------------------------------------------------------------------------- matching


def _repr(value: Any, limit: int = 120) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def subset_mismatches(expected: Any, actual: Any, path: str) -> list[str]:
    """Dicts: expected keys present and matching recursively; lists: same length, element-wise; else equal."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path}: expected an object with keys {sorted(expected)}, got {_repr(actual)}"]
        out: list[str] = []
        for k, v in expected.items():
            if k not in actual:
                near = difflib.get_close_matches(str(k), [str(x) for x in actual], n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                out.append(f"{path}.{k}: missing (present keys: {', '.join(sorted(map(str, actual))) or 'none'})"
                           f"{hint}")
            else:
                out.extend(subset_mismatches(v, actual[k], f"{path}.{k}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected an array of {len(expected)}, got {_repr(actual)}"]
        if len(expected) != len(actual):
            return [f"{path}: expected {len(expected)} element(s), got {len(actual)}: {_repr(actual)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(subset_mismatches(e, a, f"{path}[{i}]"))
        return out
    if not _scalar_equal(expected, actual):
        return [f"{path}: expected {_repr(expected)}, got {_repr(actual)}"]
    return []


def _sequence_diff(expected: list[str], actual: list[str]) -> str:
    i = 0
    while i < min(len(expected), len(actual)) and expected[i] == actual[i]:
        i += 1
    if i < min(len(expected), len(actual)):
        head = f"first difference at position {i}: expected {expected[i]!r}, got {actual[i]!r}"
    elif len(actual) > len(expected):
        head = f"{len(actual) - len(expected)} extra state(s) after position {i - 1}: {actual[i:i + 5]}"
    else:
        head = f"missing state(s) from position {i}: {expected[i:i + 5]}"
    diff = list(difflib.unified_diff(expected, actual, "expected", "actual", n=1, lineterm=""))
    if len(diff) > 24:
        diff = diff[:24] + [f"… ({len(diff) - 24} more diff lines)"]
    return head + "\n    " + "\n    ".join(diff)


def check_expectations(scenario: Scenario | Mapping[str, Any], result: ExecutionResult) -> list[str]:
    """Compare ``result`` with the scenario's ``expect`` block; return readable mismatches (empty = pass)."""
    expect = scenario.expect if isinstance(scenario, Scenario) else dict(scenario)
    problems: list[str] = []
    if "status" in expect and expect["status"] != result.status:
        detail = ""
        if result.error or result.cause:
            detail = f" ({result.error}" + (f": {_repr(result.cause, 200)}" if result.cause else "") + ")"
            if result.error_state:
                detail += f" in state '{result.error_state}'"
        problems.append(f"status: expected {expect['status']}, got {result.status}{detail}")
    if "error" in expect and expect["error"] != result.error:
        problems.append(f"error: expected {expect['error']!r}, got {result.error!r}"
                        + (f" (cause: {_repr(result.cause, 200)})" if result.cause else ""))
    if "cause" in expect and expect["cause"] != result.cause:
        problems.append(f"cause: expected {_repr(expect['cause'], 200)}, got {_repr(result.cause, 200)}")
    if "output" in expect:
        if result.status != "SUCCEEDED" and result.output is None:
            problems.append(f"output: expected {_repr(expect['output'])}, but the execution {result.status} "
                            "and produced no output")
        else:
            problems.extend(subset_mismatches(expect["output"], result.output, "output"))
    visited = result.states
    if "states" in expect and list(expect["states"]) != visited:
        problems.append("states: visited sequence differs; " + _sequence_diff(list(expect["states"]), visited))
    if "states_include" in expect:
        all_visited = set(result.all_states)
        missing = [s for s in expect["states_include"] if s not in all_visited]
        if missing:
            problems.append(f"states_include: never visited {missing}; visited (top level): {visited}")
    if "states_exclude" in expect:
        all_visited = result.all_states
        present = [s for s in expect["states_exclude"] if s in all_visited]
        if present:
            problems.append(f"states_exclude: visited {present} although excluded")
    if "variables" in expect:
        problems.extend(subset_mismatches(dict(expect["variables"]), result.variables, "variables"))
    return problems


def state_types(definition: Mapping[str, Any]) -> dict[str, str]:
    """{state name: Type} for every state of the machine (nested ones included)."""
    return {st.name: str(st.raw.get("Type")) for st in walk.Tree(definition).states if isinstance(st.raw, Mapping)}


def scenario_warnings(scenario: Scenario, definition: Mapping[str, Any], *,
                      types: dict[str, str] | None = None) -> list[str]:
    """Likely mistakes that do not make the scenario fail by themselves (typos in state names).
    `types` (from `state_types`) saves walking the definition again for each scenario."""
    states = state_types(definition) if types is None else types
    warnings: list[str] = []
    for name in sorted(mocked_states(scenario.mocks)):
        if name not in states:
            near = difflib.get_close_matches(name, list(states), n=1)
            warnings.append(f"mock for '{name}' matches no state of the machine"
                            + (f" (did you mean '{near[0]}'?)" if near else ""))
        elif states[name] != "Task":
            warnings.append(f"mock for '{name}' is never used: it is a {states[name]} state, only Tasks are mocked")
    for key in ("states", "states_include", "states_exclude"):
        for name in scenario.expect.get(key, ()):
            if name not in states:
                near = difflib.get_close_matches(name, list(states), n=1)
                warnings.append(f"expect.{key} names '{name}', which is not a state of the machine"
                                + (f" (did you mean '{near[0]}'?)" if near else ""))
    return warnings
