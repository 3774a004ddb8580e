"""Mocked Task responses.

Two sources produce the same :class:`MockTable`:

* AWS Step Functions Local's ``MockConfigFile.json`` (:func:`load_mock_config`),
  accepted as is: ``StateMachines.<machine>.TestCases.<case>.<StateName> =
  <MockedResponseName>`` and ``MockedResponses.<name>.<"0" | "1-2">`` =
  ``{"Return": …}`` or ``{"Throw": {"Error", "Cause"}}``;
* sfnc scenario files (``mocks:`` section, see ``docs/simulator.md``), through
  :func:`mocks_from_spec`.

Invocation indices count successive calls of one state within one execution,
retries included, starting at 0. AWS documents that *every* invocation of a
mocked Task needs a response ("If you do not specify a mocked response, the state
machine execution will fail"), so a call past the last declared index is an error
(:class:`~sfn_compiler.simulate.errors.MockMissing`), not a repeat of the last
response. A scenario can declare "the same response for every call" explicitly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .errors import ScenarioError

__all__ = [
    "MockResponse",
    "MockProvider",
    "MockTable",
    "CallableMocks",
    "load_mock_config",
    "mocks_from_spec",
]


@dataclass(frozen=True)
class MockResponse:
    """One mocked Task outcome: a result (``Return``) or an error (``Throw``)."""

    result: Any = None
    error: str | None = None
    cause: str | None = None
    duration: float = 0.0
    throws: bool = False

    @classmethod
    def returning(cls, result: Any, duration: float = 0.0) -> "MockResponse":
        return cls(result=result, duration=float(duration))

    @classmethod
    def throwing(cls, error: str, cause: str | None = None, duration: float = 0.0) -> "MockResponse":
        return cls(error=error, cause=cause, duration=float(duration), throws=True)

    def describe(self) -> str:
        if self.throws:
            return f"Throw {self.error}" + (f" ({self.cause})" if self.cause else "")
        return "Return " + _short(self.result)


class MockProvider:
    """Protocol: ``response(state_name, invocation_index)`` → :class:`MockResponse` or ``None``.

    ``invocation_index`` counts the calls of ``state_name`` in the current execution
    (0 for the first call, retries included). Returning ``None`` makes the simulator
    stop with a :class:`MockMissing` error whose text comes from :meth:`missing_message`.
    """

    def response(self, state_name: str, invocation_index: int) -> MockResponse | None:
        raise NotImplementedError

    def missing_message(self, state_name: str, invocation_index: int) -> str:
        return (f"no mocked response for Task state '{state_name}' (invocation #{invocation_index}); "
                "sfnc never calls AWS, so every Task reached must be mocked")

    def describe(self) -> str:
        return type(self).__name__


_RANGE_KEY = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


class MockTable(MockProvider):
    """State name → invocation ranges → responses.

    ``entries[state] = [(first, last_or_None, response), …]``; ``last=None`` means
    "this and every later invocation".
    """

    def __init__(self, entries: Mapping[str, list[tuple[int, int | None, MockResponse]]] | None = None,
                 *, source: str = "mocks") -> None:
        self.entries: dict[str, list[tuple[int, int | None, MockResponse]]] = {
            k: sorted(v, key=lambda e: e[0]) for k, v in (entries or {}).items()
        }
        self.source = source

    def response(self, state_name: str, invocation_index: int) -> MockResponse | None:
        for first, last, resp in self.entries.get(state_name, ()):
            if invocation_index >= first and (last is None or invocation_index <= last):
                return resp
        return None

    def missing_message(self, state_name: str, invocation_index: int) -> str:
        ranges = self.entries.get(state_name)
        if not ranges:
            known = ", ".join(repr(k) for k in sorted(self.entries)) or "none"
            return (f"Task state '{state_name}' has no mock in {self.source} (mocked states: {known}); "
                    "sfnc never calls AWS, so every Task reached must be mocked")
        declared = ", ".join(_fmt_range(a, b) for a, b, _ in ranges)
        return (f"mock for Task state '{state_name}' in {self.source} declares invocations {declared}, "
                f"but invocation #{invocation_index} was requested (calls are counted from 0, retries "
                "included; Step Functions Local fails the execution when a response is missing — add a "
                "response or make the last one repeat)")

    def describe(self) -> str:
        return self.source


class CallableMocks(MockProvider):
    """Mocks computed by Python callables: ``{state: fn(invocation_index) -> MockResponse | dict | None}``."""

    def __init__(self, functions: Mapping[str, Callable[[int], Any]]) -> None:
        self.functions = dict(functions)

    def response(self, state_name: str, invocation_index: int) -> MockResponse | None:
        fn = self.functions.get(state_name)
        if fn is None:
            return None
        value = fn(invocation_index)
        if value is None or isinstance(value, MockResponse):
            return value
        return _parse_response(value, f"mock for '{state_name}' (invocation #{invocation_index})")


def _fmt_range(a: int, b: int | None) -> str:
    if b is None:
        return f"{a}+"
    return str(a) if a == b else f"{a}-{b}"


def _short(value: Any, limit: int = 80) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- MockConfigFile


def load_mock_config(source: str | Path | Mapping[str, Any], machine_name: str, test_case: str) -> MockTable:
    """Build a provider from a Step Functions Local ``MockConfigFile`` (a path or an already-parsed dict)."""
    label = "MockConfigFile"
    if isinstance(source, (str, Path)):
        path = Path(source)
        label = f"MockConfigFile {path}"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ScenarioError(f"cannot read mock config {path}: {exc}") from None
        except json.JSONDecodeError as exc:
            raise ScenarioError(f"{path}: not valid JSON: {exc}") from None
    else:
        data = source
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{label}: top level must be a JSON object")
    machines = data.get("StateMachines")
    responses = data.get("MockedResponses", {})
    if not isinstance(machines, Mapping):
        raise ScenarioError(f"{label}: missing 'StateMachines' object")
    if not isinstance(responses, Mapping):
        raise ScenarioError(f"{label}: 'MockedResponses' must be an object")
    machine = machines.get(machine_name)
    if not isinstance(machine, Mapping):
        raise ScenarioError(f"{label}: no state machine {machine_name!r} under StateMachines "
                            f"(found: {', '.join(map(repr, machines)) or 'none'})")
    cases = machine.get("TestCases")
    if not isinstance(cases, Mapping) or test_case not in cases:
        found = ", ".join(map(repr, cases)) if isinstance(cases, Mapping) else "none"
        raise ScenarioError(f"{label}: state machine {machine_name!r} has no test case {test_case!r} (found: {found})")
    case = cases[test_case]
    if not isinstance(case, Mapping):
        raise ScenarioError(f"{label}: test case {test_case!r} must map state names to MockedResponse names")
    entries: dict[str, list[tuple[int, int | None, MockResponse]]] = {}
    for state_name, response_name in case.items():
        if response_name not in responses:
            raise ScenarioError(f"{label}: test case {test_case!r} maps state {state_name!r} to "
                                f"unknown MockedResponse {response_name!r}")
        entries[state_name] = _parse_indexed(responses[response_name], f"{label}: MockedResponses.{response_name}")
    return MockTable(entries, source=f"{label} ({machine_name}#{test_case})")


def _parse_indexed(spec: Any, where: str) -> list[tuple[int, int | None, MockResponse]]:
    if not isinstance(spec, Mapping) or not spec:
        raise ScenarioError(f"{where}: must be a non-empty object keyed by invocation index (\"0\", \"1-2\")")
    out: list[tuple[int, int | None, MockResponse]] = []
    for key, value in spec.items():
        m = _RANGE_KEY.match(str(key))
        if not m:
            raise ScenarioError(f"{where}: invalid invocation key {key!r} (expected \"N\" or \"N-M\")")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) is not None else a
        if b < a:
            raise ScenarioError(f"{where}: invalid invocation range {key!r}")
        out.append((a, b, _parse_response(value, f"{where}.{key}")))
    out.sort(key=lambda e: e[0])
    for (a1, b1, _), (a2, _b2, _) in zip(out, out[1:]):
        if b1 is not None and a2 <= b1:
            raise ScenarioError(f"{where}: invocation ranges overlap ({_fmt_range(a1, b1)} and {a2})")
    return out


# --------------------------------------------------------------------------- scenario mocks

_RESPONSE_KEYS = {"return", "throw", "duration", "times"}


def _parse_response(value: Any, where: str) -> MockResponse:
    """Parse ``{return: …}`` / ``{throw: {Error, Cause}}`` (either case) with optional ``duration``."""
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{where}: a response must be a mapping with 'return' or 'throw'")
    lowered = {str(k).lower(): v for k, v in value.items()}
    unknown = set(lowered) - _RESPONSE_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                            f"(allowed: return, throw, duration, times)")
    has_return, has_throw = "return" in lowered, "throw" in lowered
    if has_return == has_throw:
        raise ScenarioError(f"{where}: a response needs exactly one of 'return' or 'throw'")
    duration = lowered.get("duration", 0) or 0
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0:
        raise ScenarioError(f"{where}: 'duration' must be a non-negative number of virtual seconds")
    if has_return:
        return MockResponse.returning(lowered["return"], duration)
    throw = lowered["throw"]
    if not isinstance(throw, Mapping):
        raise ScenarioError(f"{where}: 'throw' must be a mapping with Error and optional Cause")
    t = {str(k).lower(): v for k, v in throw.items()}
    extra = set(t) - {"error", "cause"}
    if extra or "error" not in t:
        raise ScenarioError(f"{where}: 'throw' needs 'Error' (string) and optional 'Cause'")
    error = t["error"]
    cause = t.get("cause")
    if not isinstance(error, str):
        raise ScenarioError(f"{where}: throw Error must be a string")
    if cause is not None and not isinstance(cause, str):
        cause = json.dumps(cause, separators=(",", ":"))
    return MockResponse.throwing(error, cause, duration)


def _is_indexed(spec: Mapping[str, Any]) -> bool:
    return bool(spec) and all(_RANGE_KEY.match(str(k)) for k in spec)


def mocks_from_spec(spec: Mapping[str, Any] | None, *, source: str = "scenario mocks") -> MockTable:
    """Build a provider from the scenario ``mocks:`` mapping.

    Per state name, one of:

    * a mapping ``{return: …}`` / ``{throw: {Error, Cause}}`` (+ ``duration``): used for *every* invocation;
    * a list of such mappings, one per invocation in order; an item may carry ``times: N`` to stand for
      N successive invocations; past the end of the list the execution stops with ``MockMissing``;
    * a Step Functions Local style mapping keyed by ``"0"``, ``"1-2"`` … .
    """
    if spec is None:
        return MockTable({}, source=source)
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"{source}: 'mocks' must map Task state names to responses")
    entries: dict[str, list[tuple[int, int | None, MockResponse]]] = {}
    for state_name, value in spec.items():
        where = f"{source}: '{state_name}'"
        if isinstance(value, MockResponse):
            entries[state_name] = [(0, None, value)]
        elif isinstance(value, Mapping) and _is_indexed(value):
            entries[state_name] = _parse_indexed(value, where)
        elif isinstance(value, Mapping):
            if "times" in {str(k).lower() for k in value}:
                raise ScenarioError(f"{where}: 'times' is only meaningful inside a list of responses")
            entries[state_name] = [(0, None, _parse_response(value, where))]
        elif isinstance(value, list):
            if not value:
                raise ScenarioError(f"{where}: the list of responses is empty")
            rows: list[tuple[int, int | None, MockResponse]] = []
            index = 0
            for i, item in enumerate(value):
                item_where = f"{where}[{i}]"
                if isinstance(item, MockResponse):
                    resp, times = item, 1
                else:
                    if not isinstance(item, Mapping):
                        raise ScenarioError(f"{item_where}: a response must be a mapping with 'return' or 'throw'")
                    times = {str(k).lower(): v for k, v in item.items()}.get("times", 1)
                    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
                        raise ScenarioError(f"{item_where}: 'times' must be a positive integer")
                    resp = _parse_response(item, item_where)
                rows.append((index, index + times - 1, resp))
                index += times
            entries[state_name] = rows
        else:
            raise ScenarioError(f"{where}: expected a response mapping or a list of responses")
    return MockTable(entries, source=source)


def merge_providers(providers: Iterable[MockProvider]) -> MockProvider:
    """First provider that answers wins (used when a scenario combines a MockConfigFile and inline mocks)."""
    plist = list(providers)

    class _Chain(MockProvider):
        def response(self, state_name: str, invocation_index: int) -> MockResponse | None:
            for p in plist:
                r = p.response(state_name, invocation_index)
                if r is not None:
                    return r
            return None

        def missing_message(self, state_name: str, invocation_index: int) -> str:
            for p in plist:  # prefer the provider that declares this state
                if isinstance(p, MockTable) and state_name in p.entries:
                    return p.missing_message(state_name, invocation_index)
            return plist[0].missing_message(state_name, invocation_index) if plist else \
                MockProvider.missing_message(self, state_name, invocation_index)

        def mocked_states(self) -> set[str]:
            out: set[str] = set()
            for p in plist:
                out |= mocked_states(p)
            return out

    return _Chain()


def mocked_states(provider: MockProvider) -> set[str]:
    """State names a provider declares (empty when it cannot tell, e.g. :class:`CallableMocks` is dynamic)."""
    if isinstance(provider, MockTable):
        return set(provider.entries)
    if isinstance(provider, CallableMocks):
        return set(provider.functions)
    fn = getattr(provider, "mocked_states", None)
    return set(fn()) if callable(fn) else set()
