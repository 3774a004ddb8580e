"""Mocks checked against what their Task can return and raise, before a run (`sfnc test`, `sfnc run`).

Each mocked `Return` is checked against the Task's result shape the way AWS's TestState checks a mock
(`shapes.values.check_value`, modes `strict` | `present` | `none`, TestState's `mock.fieldValidationMode`,
default `strict`), and each mocked `Throw` error name against what the Task's integration raises
(`shapes.error_names`: the spelling of its service's errors, the `States.*` errors the state can raise).
A problem is a `Diagnostic` located in the scenario file or the MockConfigFile (file:line:col and JSON
pointer); errors stop the scenario before it runs, warnings are shown with its result.

Mocks of states that are not Tasks, or that the machine does not have, are `scenario_warnings`' business;
Tasks whose result and errors sfnc does not model (Lambda function ARNs, activities, `.waitForTaskToken`,
unknown integrations) are not checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator, Mapping

from ..asl import walk
from ..diagnostics import Diagnostic, problem
from ..load.pointer import escape_token

MODES = ("strict", "present", "none")


_TASKS: dict[int, tuple[Any, dict[str, Any]]] = {}


def _task_states(definition: Any) -> dict[str, Any]:
    """Task states by name (a definition's scenarios share one walk)."""
    hit = _TASKS.get(id(definition))
    if hit is not None and hit[0] is definition:
        return hit[1]
    tasks = {st.name: st for st in walk.Tree(definition).states if st.type == "Task"}
    if len(_TASKS) > 64:
        _TASKS.clear()
    _TASKS[id(definition)] = (definition, tasks)
    return tasks


def _ptr(base: str, *tokens: Any) -> str:
    return base + "".join("/" + escape_token(str(t)) for t in tokens)


def _response_parts(resp: Any) -> Iterator[tuple[str, str, Any]]:
    """("return" | "throw", the key as written, value) of one response mapping (keys in either case)."""
    if not isinstance(resp, Mapping):
        return
    for k, v in resp.items():
        low = str(k).lower()
        if low in ("return", "throw"):
            yield low, str(k), v


def _scenario_responses(spec: Any, base: str) -> Iterator[tuple[str, str, Any]]:
    """(state name, pointer of the response, response) of a scenario's `mocks:` mapping, in its three forms."""
    if not isinstance(spec, Mapping):
        return
    from .mocks import _is_indexed

    for state, value in spec.items():
        where = _ptr(base, state)
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield str(state), _ptr(where, i), item
        elif isinstance(value, Mapping) and _is_indexed(value):
            for k, item in value.items():
                yield str(state), _ptr(where, k), item
        elif isinstance(value, Mapping):
            yield str(state), where, value


def _config_responses(data: Any, machine: str, test_case: str) -> Iterator[tuple[str, str, Any]]:
    """(state name, pointer, response) of one test case of a Step Functions Local MockConfigFile."""
    if not isinstance(data, Mapping):
        return
    case = (((data.get("StateMachines") or {}).get(machine) or {}).get("TestCases") or {}).get(test_case)
    responses = data.get("MockedResponses") or {}
    if not isinstance(case, Mapping) or not isinstance(responses, Mapping):
        return
    for state, name in case.items():
        indexed = responses.get(name) if isinstance(name, str) else None
        if not isinstance(indexed, Mapping):
            continue
        for k, item in indexed.items():
            yield str(state), _ptr("/MockedResponses", name, k), item


class _Checker:
    def __init__(self, definition: Any, mode: str, doc: Any, display: str | None) -> None:
        self.tasks = _task_states(definition)
        self.mode = mode
        self.doc = doc                      # a document with positions, or a callable that reads one
        self.display = display
        self.found: list[tuple[str, str, str, str | None]] = []

    def add(self, pointer: str, message: str, severity: str, hint: str | None = None) -> None:
        self.found.append((pointer, message, severity, hint))

    @property
    def out(self) -> list[Diagnostic]:
        """The problems, located (the file is read with positions only when there is one to locate)."""
        if not self.found:
            return []
        doc = self.doc() if callable(self.doc) else self.doc
        out = []
        for pointer, message, severity, hint in self.found:
            pos = doc.locate(pointer) if doc is not None else None
            out.append(problem(message, self.display, pos.line if pos else None, pos.column if pos else None,
                               pointer=pointer, hint=hint, severity=severity))
        return out

    def response(self, state_name: str, pointer: str, resp: Any) -> None:
        st = self.tasks.get(state_name)
        if st is None:
            return
        from ..shapes.integrations import integration

        integ = integration(st.get("Resource"))
        label = integ.resource.split(":::", 1)[-1]
        for kind, key, value in _response_parts(resp):
            where = _ptr(pointer, key)
            if kind == "return":
                self.returned(state_name, label, integ, where, value)
            else:
                self.thrown(state_name, st, label, integ, where, value)

    def returned(self, state_name: str, label: str, integ: Any, where: str, value: Any) -> None:
        if self.mode == "none" or not integ.typed:
            return
        from ..shapes.values import check_value

        for p in check_value(value, integ.result, self.mode, integ.typed, integ.certain, integ.model_service):
            path = ".".join(str(x) for x in p.path)
            self.add(_ptr(where, *p.path), f"mock for Task '{state_name}' ({label}): Return"
                     f"{'.' + path if path else ''} {p.message}", p.severity, p.hint)

    def thrown(self, state_name: str, st: Any, label: str, integ: Any, where: str, value: Any) -> None:
        if self.mode == "none" or not isinstance(value, Mapping):
            return
        err_key = next((k for k in value if str(k).lower() == "error"), None)
        name = value.get(err_key) if err_key is not None else None
        if not isinstance(name, str):
            return
        from ..shapes.error_names import judge, states_error_impossible

        pointer = _ptr(where, err_key)
        if name.startswith("States."):
            why = states_error_impossible(name, st)
            if why:
                self.add(pointer, f"mock for Task '{state_name}' ({label}) throws {name}, which it never raises: "
                         f"{why}", "warning")
            return
        v = judge(name, integ)
        if v is not None:
            self.add(pointer, f"mock for Task '{state_name}' throws an error it never raises: {v.message}",
                     v.severity, f"throw '{v.use}'" if v.use else v.hint)


def _located(path: Path | None) -> Any:
    """The file with positions (JSON or YAML), or None when it cannot be read again."""
    if path is None:
        return None
    from ..errors import SfncError
    from ..load import load_json_text, load_yaml_text

    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            return load_json_text(text, str(path))
        from .scenario import _ScenarioLoader

        return load_yaml_text(text, str(path), _ScenarioLoader)
    except (OSError, SfncError, ValueError):
        return None


def scenario_mock_problems(scenario: Any, definition: Any, mode: str = "strict",
                           display: str | None = None) -> list[Diagnostic]:
    """The problems of a loaded scenario's mocks (inline `mocks:` and its `mock_config` file)."""
    mode = scenario.raw.get("mock_validation", mode) if isinstance(scenario.raw, Mapping) else mode
    if mode not in MODES or mode == "none":
        return []
    path = scenario.path
    c = _Checker(definition, mode, lambda: _located(path), display or (str(path) if path else scenario.name))
    for state, pointer, resp in _scenario_responses(scenario.raw.get("mocks"), "/mocks"):
        c.response(state, pointer, resp)
    out = list(c.out)
    mc = scenario.raw.get("mock_config")
    if isinstance(mc, Mapping) and isinstance(mc.get("file"), str):
        file = Path(mc["file"])
        if not file.is_absolute() and path is not None:
            file = path.parent / file
        out += mock_config_problems(file, str(mc.get("machine")), str(mc.get("test_case")), definition, mode,
                                    skip=_inline_states(scenario.raw.get("mocks")))
    return out


def _inline_states(spec: Any) -> set[str]:
    return {str(k) for k in spec} if isinstance(spec, Mapping) else set()


def mock_config_problems(path: Path, machine: str, test_case: str, definition: Any, mode: str = "strict",
                         display: str | None = None, skip: set[str] | None = None) -> list[Diagnostic]:
    """The problems of one test case of a MockConfigFile (states in `skip` are mocked inline instead)."""
    if mode not in MODES or mode == "none":
        return []
    doc = _located(path)
    if doc is None:
        return []
    c = _Checker(definition, mode, doc, display or str(path))
    for state, pointer, resp in _config_responses(doc.data, machine, test_case):
        if skip and state in skip:
            continue
        c.response(state, pointer, resp)
    return c.out


__all__ = ["MODES", "scenario_mock_problems", "mock_config_problems"]
