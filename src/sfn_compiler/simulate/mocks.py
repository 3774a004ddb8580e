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

#: the longest virtual duration a mock may take: one year, the longest a Standard execution runs
MAX_DURATION = 31_536_000

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


def load_mock_config(source: str | Path | Mapping[str, Any], machine_name: str, test_case: str,
                     display: str | None = None) -> MockTable:
    """Build a provider from a Step Functions Local ``MockConfigFile`` (a path or an already-parsed dict).
    A file's errors are located in it (file:line:col; `display` names it, default the path)."""
    if not isinstance(source, (str, Path)):
        return _mock_config_table(source, machine_name, test_case, "MockConfigFile")
    from ..errors import SfncError
    from ..load import load_json_text

    path = Path(source)
    where = display or str(path)
    from ..load.limits import read_text

    try:   # the one reader of files: size bound, UTF-8 checked with the place of a bad byte
        text = read_text(path, where)
    except SfncError as exc:
        [p] = exc.problems
        if p.span is None or p.span.line is None:   # not readable: said where the scenario names the file
            raise ScenarioError(f"cannot read mock config {where}: {p.message}") from None
        raise ScenarioError(str(exc), problems=exc.problems) from None
    try:
        doc = load_json_text(text, where)
    except SfncError as exc:
        raise ScenarioError(str(exc), problems=exc.problems) from None
    try:
        return _mock_config_table(doc.data, machine_name, test_case, f"MockConfigFile {where}")
    except ScenarioError as exc:
        raise exc.locate(where, doc) from None


def _mock_config_table(data: Any, machine_name: str, test_case: str, label: str) -> MockTable:
    if not isinstance(data, Mapping):
        raise ScenarioError("a MockConfigFile's top level must be a JSON object", pointer="")
    machines = data.get("StateMachines")
    responses = data.get("MockedResponses", {})
    if not isinstance(machines, Mapping):
        raise ScenarioError("a MockConfigFile needs a 'StateMachines' object", pointer="/StateMachines")
    if not isinstance(responses, Mapping):
        raise ScenarioError("'MockedResponses' must be an object", pointer="/MockedResponses")
    machine = machines.get(machine_name)
    if not isinstance(machine, Mapping):
        raise ScenarioError(f"no state machine {machine_name!r} under StateMachines "
                            f"(found: {', '.join(map(repr, machines)) or 'none'})", pointer="/StateMachines")
    base = _ptr("/StateMachines", machine_name, "TestCases")
    cases = machine.get("TestCases")
    if not isinstance(cases, Mapping) or test_case not in cases:
        found = ", ".join(map(repr, cases)) if isinstance(cases, Mapping) else "none"
        raise ScenarioError(f"state machine {machine_name!r} has no test case {test_case!r} (found: {found})",
                            pointer=base)
    case = cases[test_case]
    if not isinstance(case, Mapping):
        raise ScenarioError(f"test case {test_case!r} must map state names to MockedResponse names",
                            pointer=_ptr(base, test_case))
    entries: dict[str, list[tuple[int, int | None, MockResponse]]] = {}
    for state_name, response_name in case.items():
        if not isinstance(response_name, str) or response_name not in responses:
            raise ScenarioError(f"test case {test_case!r} maps state {state_name!r} to "
                                f"unknown MockedResponse {response_name!r}",
                                pointer=_ptr(base, test_case, state_name))
        entries[state_name] = _parse_indexed(responses[response_name], f"MockedResponses.{response_name}",
                                             _ptr("/MockedResponses", response_name))
    return MockTable(entries, source=f"{label} ({machine_name}#{test_case})")


def _ptr(base: str, *tokens: Any) -> str:
    from ..load.pointer import join_pointer

    return join_pointer(base, *(str(t) for t in tokens))


def _parse_indexed(spec: Any, where: str, pointer: str) -> list[tuple[int, int | None, MockResponse]]:
    if not isinstance(spec, Mapping) or not spec:
        raise ScenarioError(f"{where}: must be a non-empty object keyed by invocation index (\"0\", \"1-2\")",
                            pointer=pointer)
    out: list[tuple[int, int | None, MockResponse]] = []
    for key, value in spec.items():
        m = _RANGE_KEY.match(str(key))
        if not m:
            raise ScenarioError(f"{where}: invalid invocation key {key!r} (expected \"N\" or \"N-M\")",
                                pointer=_ptr(pointer, key), key=True)
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) is not None else a
        if b < a:
            raise ScenarioError(f"{where}: invalid invocation range {key!r}", pointer=_ptr(pointer, key), key=True)
        out.append((a, b, _parse_response(value, f"{where}.{key}", _ptr(pointer, key))))
    out.sort(key=lambda e: e[0])
    for (a1, b1, _), (a2, _b2, _) in zip(out, out[1:]):
        if b1 is not None and a2 <= b1:
            raise ScenarioError(f"{where}: invocation ranges overlap ({_fmt_range(a1, b1)} and {a2})", pointer=pointer)
    return out


# --------------------------------------------------------------------------- scenario mocks

_RESPONSE_KEYS = {"return", "throw", "duration", "times"}


def _lowered(value: Mapping[Any, Any], where: str, pointer: str) -> dict[str, Any]:
    """The mapping with its keys in lower case (`Return` and `return` are one key: both at once is an error)."""
    out: dict[str, Any] = {}
    for k, v in value.items():
        low = str(k).lower()
        if low in out:
            raise ScenarioError(f"{where}: {low!r} is given twice (keys are read in either case)",
                                pointer=_ptr(pointer, k), key=True)
        out[low] = v
    return out


def _parse_response(value: Any, where: str, pointer: str = "") -> MockResponse:
    """Parse ``{return: …}`` / ``{throw: {Error, Cause}}`` (either case) with optional ``duration``."""
    if not isinstance(value, Mapping):
        raise ScenarioError(f"{where}: a response must be a mapping with 'return' or 'throw'", pointer=pointer)
    lowered = _lowered(value, where, pointer)
    unknown = set(lowered) - _RESPONSE_KEYS
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} "
                            f"(allowed: return, throw, duration, times)", pointer=pointer)
    has_return, has_throw = "return" in lowered, "throw" in lowered
    if has_return == has_throw:
        raise ScenarioError(f"{where}: a response needs exactly one of 'return' or 'throw'", pointer=pointer)
    key = {str(k).lower(): k for k in value}
    duration = lowered.get("duration", 0) or 0
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 0 <= duration <= MAX_DURATION:
        raise ScenarioError(f"{where}: 'duration' must be a number of virtual seconds from 0 to "
                            f"{MAX_DURATION:,} (a year), got {_short(duration)}", pointer=_ptr(pointer, key.get("duration")))
    if has_return:
        return MockResponse.returning(lowered["return"], duration)
    throw = lowered["throw"]
    tp = _ptr(pointer, key["throw"])
    if not isinstance(throw, Mapping):
        raise ScenarioError(f"{where}: 'throw' must be a mapping with Error and optional Cause", pointer=tp)
    t = _lowered(throw, where, tp)
    extra = set(t) - {"error", "cause"}
    if extra or "error" not in t:
        raise ScenarioError(f"{where}: 'throw' needs 'Error' (string) and optional 'Cause'", pointer=tp)
    error = t["error"]
    cause = t.get("cause")
    if not isinstance(error, str):
        raise ScenarioError(f"{where}: throw Error must be a string", pointer=tp)
    if cause is not None and not isinstance(cause, str):
        cause = json.dumps(cause, separators=(",", ":"), default=str)
    return MockResponse.throwing(error, cause, duration)


def _is_indexed(spec: Mapping[str, Any]) -> bool:
    return bool(spec) and all(_RANGE_KEY.match(str(k)) for k in spec)


def mocks_from_spec(spec: Mapping[str, Any] | None, *, source: str = "scenario mocks",
                    pointer: str = "") -> MockTable:
    """Build a provider from the scenario ``mocks:`` mapping (`pointer`: where that mapping is in its file,
    for the errors' places).

    Per state name, one of:

    * a mapping ``{return: …}`` / ``{throw: {Error, Cause}}`` (+ ``duration``): used for *every* invocation;
    * a list of such mappings, one per invocation in order; an item may carry ``times: N`` to stand for
      N successive invocations; past the end of the list the execution stops with ``MockMissing``;
    * a Step Functions Local style mapping keyed by ``"0"``, ``"1-2"`` … .
    """
    if spec is None:
        return MockTable({}, source=source)
    if not isinstance(spec, Mapping):
        raise ScenarioError(f"{source}: must map Task state names to responses", pointer=pointer)
    entries: dict[str, list[tuple[int, int | None, MockResponse]]] = {}
    for state_name, value in spec.items():
        where = f"{source}: '{state_name}'"
        at = _ptr(pointer, state_name)
        bad = name_problem(state_name, "a state name")
        if bad:
            raise ScenarioError(f"{source}: {bad}", pointer=at, key=True)
        if isinstance(value, MockResponse):
            entries[state_name] = [(0, None, value)]
        elif isinstance(value, Mapping) and _is_indexed(value):
            entries[state_name] = _parse_indexed(value, where, at)
        elif isinstance(value, Mapping):
            if "times" in {str(k).lower() for k in value}:
                raise ScenarioError(f"{where}: 'times' is only meaningful inside a list of responses", pointer=at)
            entries[state_name] = [(0, None, _parse_response(value, where, at))]
        elif isinstance(value, list):
            if not value:
                raise ScenarioError(f"{where}: the list of responses is empty", pointer=at)
            rows: list[tuple[int, int | None, MockResponse]] = []
            index = 0
            for i, item in enumerate(value):
                item_where, item_at = f"{where}[{i}]", _ptr(at, i)
                if isinstance(item, MockResponse):
                    resp, times = item, 1
                else:
                    if not isinstance(item, Mapping):
                        raise ScenarioError(f"{item_where}: a response must be a mapping with 'return' or 'throw'",
                                            pointer=item_at)
                    times = _lowered(item, item_where, item_at).get("times", 1)
                    if isinstance(times, bool) or not isinstance(times, int) or times < 1:
                        raise ScenarioError(f"{item_where}: 'times' must be a positive integer", pointer=item_at)
                    resp = _parse_response(item, item_where, item_at)
                rows.append((index, index + times - 1, resp))
                index += times
            entries[state_name] = rows
        else:
            raise ScenarioError(f"{where}: expected a response mapping or a list of responses", pointer=at)
    return MockTable(entries, source=source)


def name_problem(value: Any, what: str) -> str | None:
    """Why `value` cannot be a name (a state, an env, an execution, a test case): not a string, empty, or
    holding a control character (which no AWS name holds); None when it can."""
    if not isinstance(value, str):
        return f"{what} must be a string, got {_short(value)}" + (" (quote it)" if isinstance(value, (int, float))
                                                                    else "")
    if not value:
        return f"{what} must not be empty"
    bad = next((c for c in value if ord(c) < 32 or 127 <= ord(c) < 160), None)
    if bad is not None:
        return f"{what} must not contain control characters, got {_short(value)} (U+{ord(bad):04X})"
    return None


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
