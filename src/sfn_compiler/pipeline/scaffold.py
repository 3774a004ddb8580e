"""`sfnc test --scaffold TEMPLATE`: starter scenarios whose mocks pass mock validation.

One scenario for the happy path (every Task returns) and one per Catch (the Task it protects, or the first
Task inside the Parallel/Map it protects, throws an error that catcher matches and the integration can
raise). Each mocked result is built from the Task's result shape (`shapes.values.sample_value`): required
members with typed placeholder values (`"<Name>"`, `0`, `false`, `[]`, `{}`), timestamps as ISO strings,
an enum's success value (a polling describe Task returns the success status the polling catalogue
documents, and a start Task the job handle its describe reads). The scaffold runs each scenario in the
simulator: the expectation is what that run gave when it reached the path's end, else the path's intent
with a comment saying what the run needs (a placeholder value the workflow reads, typically).

Files go to `tests/scenarios/<template>/<case>.yaml`; nothing is written when one of them exists, unless
`force`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..asl import walk
from ..diagnostics import did_you_mean
from ..envconfig import load_env
from ..errors import SfncError
from ..fsutil import write_files
from ..project import Project
from .rendering import render_env
from .scenarios import default_env

MAX_TRANSITIONS = 5000
_HEADER = ("# Scaffolded by `sfnc test --scaffold {template}`: the mocks are built from each Task's result shape\n"
           "# (required members, typed placeholder values). Put in the values your workflow reads, then make the\n"
           "# expectation say what this path must do (docs/simulator.md, \"Scaffold\").\n")


@dataclass(frozen=True)
class Written:
    path: Path
    display: str
    summary: str


@dataclass
class _Plan:
    name: str
    description: str
    mocks: dict[str, Any]
    target: str | None = None          # the catcher's Next (catch scenarios)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "state"


def _tasks(definition: Any) -> list[Any]:
    return [st for st in walk.Tree(definition).states if st.type == "Task"]


def _preferences(resource: Any) -> dict[str, str]:
    """Member values that keep a polling loop moving: the describe's success status, the start's handle."""
    from ..asl.poll_catalogue import builtin
    from ..asl.resources import parse_resource

    r = parse_resource(resource)
    if r is None:
        return {}
    form = r.form.lower()
    out: dict[str, str] = {}
    for e in builtin():
        if form in e.describe and e.success:
            out[e.status_field.split(".")[-1]] = e.success[0]
        if form in e.start and e.id_from:
            out[e.id_from] = f"<{e.id_from}>"
    return out


def _sample_result(st: Any) -> Any:
    from ..shapes.integrations import integration
    from ..shapes.values import sample_value

    integ = integration(st.get("Resource"))
    prefer = _preferences(st.get("Resource"))
    if not integ.typed:
        return {}
    return sample_value(integ.result, "result", prefer=prefer, service=integ.model_service)


def _throw_name(names: list[str], st: Any) -> str:
    """An error the catcher matches that the Task can raise (its first such name; for `States.ALL` /
    `States.TaskFailed`, the service's generic error or `States.TaskFailed`)."""
    from ..shapes.error_names import judge, raises, states_error_impossible
    from ..shapes.integrations import integration

    integ = integration(st.get("Resource"))
    for n in names:
        if n in ("States.ALL", "States.TaskFailed"):
            continue
        if n.startswith("States."):
            if not states_error_impossible(n, st):
                return n
            continue
        if judge(n, integ) is None:
            return n
    r = raises(integ)
    if r is not None and r.sdk:
        return f"{r.prefix}.{r.prefix}Exception"
    return "States.TaskFailed"


def _first_task(state: Any) -> Any | None:
    """The Task a Parallel/Map's catcher sees fail: the first Task reached from the first branch's StartAt."""
    for child in state.children:
        order = list(child.states)
        start = child.start_at if isinstance(child.start_at, str) else None
        if start in child.states:
            order.remove(start)
            order.insert(0, start)
        for name in order:
            inner = child.states[name]
            if inner.type == "Task":
                return inner
            if inner.type in ("Parallel", "Map"):
                found = _first_task(inner)
                if found is not None:
                    return found
    return None


def plan_scenarios(definition: Any) -> list[_Plan]:
    happy = {st.name: {"return": _sample_result(st)} for st in _tasks(definition)}
    plans = [_Plan("happy_path", "happy path: every Task succeeds", dict(happy))]
    used: set[str] = {"happy_path"}
    for st in walk.Tree(definition).states:
        if st.type not in ("Task", "Parallel", "Map"):
            continue
        thrower = st if st.type == "Task" else _first_task(st)
        if thrower is None:
            continue
        for e in st.entries("Catch"):
            names = list(e.errors)
            if not names:
                continue
            error = _throw_name(names, thrower)
            name = f"catch_{_slug(st.name)}_{e.index}"
            while name in used:
                name += "_"
            used.add(name)
            mocks = dict(happy)
            mocks[thrower.name] = {"throw": {"Error": error, "Cause": "scaffolded failure"}}
            nxt = e.raw.get("Next")
            where = f"'{thrower.name}'" + (f" (inside '{st.name}')" if thrower is not st else "")
            plans.append(_Plan(name, f"{where} fails with {error}: Catch[{e.index}] of '{st.name}' takes over",
                               mocks, nxt if isinstance(nxt, str) else None))
    return plans


def _expectation(plan: _Plan, definition: Any, template: str) -> tuple[dict[str, Any], str | None]:
    """(expect, a comment when the scaffold run did not reach the path's end)."""
    from ..simulate import SimulationError, run_execution

    intent: dict[str, Any] = {"status": "SUCCEEDED"} if plan.target is None else {"states_include": [plan.target]}
    try:
        result = run_execution(definition, {}, plan.mocks, name=template, max_transitions=MAX_TRANSITIONS)
    except SimulationError as exc:
        return intent, f"the scaffold run stopped: {type(exc).__name__}: {exc}"
    reached = plan.target is None or plan.target in result.all_states
    if plan.target is None and result.status != "SUCCEEDED":
        where = f" in '{result.error_state}'" if result.error_state else ""
        return intent, (f"the scaffold run {result.status} with {result.error}{where}: give the mocks the values "
                        "this path reads")
    if not reached:
        return intent, f"the scaffold run did not reach '{plan.target}' ({result.status}, {result.error})"
    expect: dict[str, Any] = {"status": result.status}
    if result.error:
        expect["error"] = result.error
    if plan.target is not None:
        expect["states_include"] = [plan.target]
    return expect, None


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, data: str) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str)


def scenario_text(plan: _Plan, expect: dict[str, Any], note: str | None, template: str) -> str:
    body = {"description": plan.description, "input": {}, "mocks": plan.mocks, "expect": expect}
    text = yaml.dump(body, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110,
                     default_flow_style=None)
    head = _HEADER.format(template=template)
    if note:
        head += "# TODO " + note.replace("\n", " ")[:400] + "\n"
    return head + text


def scaffold_scenarios(project: Project, template: str, env: str | None = None, sets: tuple[str, ...] = (),
                       force: bool = False) -> list[Written]:
    env_name = env or default_env(project)
    rendered = render_env(project, load_env(project, env_name, sets))
    if rendered.problems:
        raise SfncError(rendered.problems)
    by_name = {r.name: r for r in rendered.templates}
    if template not in by_name:
        raise SfncError(f"no template {template!r}", hint=did_you_mean(template, list(by_name))
                        or f"templates: {', '.join(sorted(by_name)) or 'none'}")
    definition = by_name[template].data
    out_dir = project.scenarios_dir / template
    plans = plan_scenarios(definition)
    targets = [(plan, out_dir / f"{plan.name}.yaml") for plan in plans]
    existing = [p for _, p in targets if p.exists()]
    if existing and not force:
        raise SfncError([SfncError(f"{project.display(p)} exists", hint="pass --force to overwrite").problems[0]
                         for p in existing])
    texts = []
    for plan, path in targets:
        expect, note = _expectation(plan, definition, template)
        texts.append((plan, path, scenario_text(plan, expect, note, template), note))
    write_files({path: text for _, path, text, _ in texts}, display=project.display)   # all staged, then renamed
    written = []
    for plan, path, text, note in texts:
        written.append(Written(path, project.display(path), plan.description + (" - TODO: see the file" if note
                                                                                  else "")))
    return written
