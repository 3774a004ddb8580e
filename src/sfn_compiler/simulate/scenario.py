"""sfnc scenario files (YAML or JSON) and expectation checking. Format: ``docs/simulator.md``."""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..asl import walk
from ..load.pointer import escape_token
from .errors import ScenarioError
from .history import MAX_EVENTS_CAP
from .result import ExecutionResult
from .mocks import MockProvider, load_mock_config, merge_providers, mocked_states, mocks_from_spec, name_problem
from .trace import timeout_hint

__all__ = ["Scenario", "load_scenario", "parse_scenario", "check_expectations", "subset_mismatches",
           "scenario_warnings"]

TOP_KEYS = {"description", "input", "mocks", "mock_config", "expect", "seed", "execution_name", "start_time",
            "max_transitions", "max_events", "envs", "mock_validation"}
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
    max_events: int | None = None  # history events before the execution fails (AWS: 25,000)
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
        if self.max_events is not None:
            kw["max_events"] = self.max_events
        return kw


class _ScenarioLoader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: ``2025-01-01`` stays a string, as in JSON."""


_ScenarioLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_scenario(path: str | Path, transform=None, display: str | None = None) -> Scenario:
    """Read a scenario file (``.yaml``/``.yml``/``.json``); `transform(data)` rewrites the parsed document
    first (`sfnc test` renders `${...}` env values in it). Errors are `ScenarioError`s located in the file
    (`display` names it, default the path): file:line:col and the JSON pointer of the bad value."""
    p = Path(path)
    where = display or str(p)
    from ..errors import SfncError
    from ..load import load_json_text, load_yaml_text
    from ..load.limits import read_text

    try:   # the one reader of files: size bound, UTF-8 checked with the place of a bad byte
        text = read_text(p, where)
    except SfncError as exc:
        raise ScenarioError(str(exc), problems=exc.problems) from None

    try:  # both loaders reject duplicate keys, which would silently drop an expectation
        doc = load_json_text(text, where) if p.suffix == ".json" else load_yaml_text(text, where, _ScenarioLoader)
    except SfncError as exc:
        raise ScenarioError(str(exc), problems=exc.problems) from None
    try:
        data = doc.data
        if transform is not None:
            data = transform(data)
        return parse_scenario(data, name=p.stem, path=p, display=where)
    except ScenarioError as exc:
        raise exc.locate(where, doc) from None


def _fail(message: str, pointer: str, hint: str | None = None, key: bool = False) -> ScenarioError:
    return ScenarioError(message, pointer=pointer, hint=hint, key=key)


def _text(data: Mapping[str, Any], key: str) -> None:
    v = data.get(key)
    if v is not None and (isinstance(v, bool) or not isinstance(v, (str, int, float))):
        raise _fail(f"{key} must be a string, got {_repr(v, 60)}", f"/{key}")


def json_value_problem(value: Any, pointer: str) -> tuple[str, str, bool] | None:
    """(pointer, why, whether a key is wrong) of the first part of `value` that is not JSON data: a key that is not a string (YAML
    reads `1:` as a number), a number that is not finite (`.nan`, `.inf`); None when it is all JSON."""
    stack = [(value, pointer)]
    while stack:
        v, at = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            return at, f"{v} is not a JSON number", False
        if isinstance(v, Mapping):
            for k, item in v.items():
                if not isinstance(k, str):
                    return f"{at}/{k}", f"the key {_repr(k)} is not a string: quote it", True
                stack.append((item, f"{at}/{escape_token(k)}"))
        elif isinstance(v, list):
            stack.extend((item, f"{at}/{i}") for i, item in enumerate(v))
    return None


def parse_scenario(data: Any, *, name: str = "scenario", path: Path | None = None,
                   display: str | None = None) -> Scenario:
    """A scenario from its parsed document. Errors are `ScenarioError`s with the JSON pointer of the bad value
    (`load_scenario` locates them in the file)."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise _fail("a scenario must be a mapping", "")
    unknown = set(data) - TOP_KEYS
    if unknown:
        first = sorted(map(str, unknown))[0]
        raise _fail(f"unknown key(s) {', '.join(sorted(map(str, unknown)))} (allowed: {', '.join(sorted(TOP_KEYS))})",
                    "/" + escape_token(first), key=True)
    for key in ("input", "mocks", "expect"):
        bad = json_value_problem(data.get(key), f"/{key}")
        if bad:
            raise _fail(f"{key} is not JSON data: {bad[1]}", bad[0], key=bad[2])
    _text(data, "description")
    if data.get("execution_name") is not None:
        bad = name_problem(data["execution_name"], "execution_name")
        if bad or len(data["execution_name"]) > 80:
            raise _fail(bad or "execution_name must be at most 80 characters (AWS's limit)", "/execution_name")
    providers: list[MockProvider] = []
    if data.get("mocks") is not None:
        providers.append(mocks_from_spec(data["mocks"], source="mocks", pointer="/mocks"))
    mc = data.get("mock_config")
    if mc is not None:
        if not isinstance(mc, Mapping) or not {"file", "machine", "test_case"} <= set(mc):
            raise _fail("mock_config needs 'file', 'machine' and 'test_case'", "/mock_config")
        for key in ("file", "machine", "test_case"):
            bad = name_problem(mc[key], f"mock_config.{key}")
            if bad:
                raise _fail(bad, f"/mock_config/{key}")
        file = Path(mc["file"])
        shown = mc["file"]
        if not file.is_absolute() and path is not None:
            file = path.parent / file
            shown = str(Path(display).parent / mc["file"]) if display else str(file)
        try:
            providers.append(load_mock_config(file, mc["machine"], mc["test_case"], display=shown))
        except ScenarioError as exc:
            if exc.file is None and exc.pointer is None:  # the file does not read: the scenario names it
                exc.pointer = "/mock_config/file"
            raise
    mocks = providers[0] if len(providers) == 1 else (merge_providers(providers) if providers
                                                        else mocks_from_spec(None, source="(no mocks)"))
    expect = data.get("expect") or {}
    if not isinstance(expect, Mapping):
        raise _fail("'expect' must be a mapping", "/expect")
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        first = sorted(map(str, unknown))[0]
        raise _fail(f"unknown expectation(s) {', '.join(sorted(map(str, unknown)))} "
                    f"(allowed: {', '.join(sorted(EXPECT_KEYS))})", "/expect/" + escape_token(first), key=True)
    if "status" in expect and (not isinstance(expect["status"], str) or expect["status"] not in STATUSES):
        raise _fail(f"expect.status must be one of {', '.join(sorted(STATUSES))}", "/expect/status")
    for key in ("error", "cause"):
        if expect.get(key) is not None and not isinstance(expect[key], str):
            raise _fail(f"expect.{key} must be a string, got {_repr(expect[key], 60)}", f"/expect/{key}")
    for key in ("states", "states_include", "states_exclude"):
        if key in expect:
            names = expect[key]
            if not isinstance(names, list):
                raise _fail(f"expect.{key} must be a list of state names", f"/expect/{key}")
            for i, n in enumerate(names):
                bad = name_problem(n, "a state name")
                if bad:
                    raise _fail(f"expect.{key}: {bad}", f"/expect/{key}/{i}")
    if "variables" in expect and not isinstance(expect["variables"], Mapping):
        raise _fail("expect.variables must be a mapping", "/expect/variables")
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise _fail(f"seed must be an integer, got {_repr(seed, 60)}", "/seed")
    start_time = parse_start_time(data.get("start_time"))
    if data.get("mock_validation") not in (None, "strict", "present", "none"):
        raise _fail("mock_validation must be strict, present or none", "/mock_validation")
    envs = data.get("envs")
    if envs is not None:
        if not isinstance(envs, list):
            raise _fail("envs must be a list of env names", "/envs")
        for i, e in enumerate(envs):
            bad = name_problem(e, "an env name")
            if bad:
                raise _fail(f"envs: {bad}", f"/envs/{i}")
    mt = data.get("max_transitions")
    if mt is not None and (isinstance(mt, bool) or not isinstance(mt, int) or not 1 <= mt <= MAX_EVENTS_CAP):
        raise _fail(f"max_transitions must be an integer from 1 to {MAX_EVENTS_CAP:,}, got {_repr(mt, 60)}",
                    "/max_transitions", hint="a run ends at its history limit (max_events) first")
    me = data.get("max_events")
    if me is not None and (isinstance(me, bool) or not isinstance(me, int) or not 2 <= me <= MAX_EVENTS_CAP):
        raise _fail(f"max_events must be an integer from 2 to {MAX_EVENTS_CAP:,}, got {_repr(me, 60)}", "/max_events")
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
        max_events=me,
        envs=envs,
        path=path,
        raw=dict(data),
    )


def parse_start_time(value: Any):
    """`start_time` as an aware datetime in the range a run can count from (`result.EARLIEST_START_TIME` …)."""
    if value is None:
        return None
    from datetime import datetime, timezone

    from .result import EARLIEST_START_TIME, LATEST_START_TIME

    span = f"from {EARLIEST_START_TIME:%Y-%m-%d} to {LATEST_START_TIME:%Y-%m-%d}"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _fail(f"start_time must be an ISO 8601 timestamp {span}", "/start_time") from None
    if not isinstance(value, datetime):
        raise _fail(f"start_time must be an ISO 8601 timestamp {span}", "/start_time")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    try:
        ok = EARLIEST_START_TIME <= value <= LATEST_START_TIME
    except OverflowError:  # an offset that moves the time out of datetime's range
        ok = False
    if not ok:
        raise _fail(f"start_time must be {span}, got {value.isoformat()}", "/start_time")
    return value


# --------------------------------------------------------------------------- matching


def _repr(value: Any, limit: int = 120, middle: bool = False) -> str:
    """`value` as JSON, shortened to `limit` characters: its end cut, or (`middle`) its middle, for a cause
    whose last words say what happened ("... Expression evaluation timeout")."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) <= limit:
        return text
    if middle:
        return text[: limit * 2 // 3] + " … " + text[-(limit // 3):]
    return text[: limit - 1] + "…"


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
            detail = f" ({result.error}" + (f": {_repr(result.cause, 300, middle=True)}" if result.cause else "") + ")"
            if result.error_state:
                detail += f" in state '{result.error_state}'"
        problems.append(f"status: expected {expect['status']}, got {result.status}{detail}")
        hint = timeout_hint(result)
        if hint:
            problems.append(f"hint: {hint}")
    if "error" in expect and expect["error"] != result.error:
        problems.append(f"error: expected {expect['error']!r}, got {result.error!r}"
                        + (f" (cause: {_repr(result.cause, 300, middle=True)})" if result.cause else ""))
    if "cause" in expect and expect["cause"] != result.cause:
        problems.append(f"cause: expected {_repr(expect['cause'], 300, middle=True)}, got {_repr(result.cause, 300, middle=True)}")
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
    """{state name: Type} for every state of the machine (nested ones included); a Map that reads its items
    with an ItemReader is mocked like a Task, and is listed as "Map+ItemReader"."""
    return {st.name: str(st.raw.get("Type")) + ("+ItemReader" if "ItemReader" in st.raw else "")
            for st in walk.Tree(definition).states if isinstance(st.raw, Mapping)}


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
        elif states[name] not in ("Task", "Map+ItemReader"):
            warnings.append(f"mock for '{name}' is never used: it is a {states[name]} state, only Tasks (and the "
                            "ItemReader of a Map) are mocked")
    for key in ("states", "states_include", "states_exclude"):
        for name in scenario.expect.get(key, ()):
            if name not in states:
                near = difflib.get_close_matches(name, list(states), n=1)
                warnings.append(f"expect.{key} names '{name}', which is not a state of the machine"
                                + (f" (did you mean '{near[0]}'?)" if near else ""))
    return warnings
