"""The fuzz suite (docs/hardening.md): generated templates (`.json` with `${...}`, `.json.j2`), env YAML,
ASL definitions, scenario and mock files and CLI argument sets, each run through sfnc in a copy of a small
project; every run keeps the invariants of `fuzzkit.problems` (exit 0/1/2, no internal error, located
errors, nothing written on failure or outside the project, bounded time). `SFNC_FUZZ=long` runs many more
examples, at random."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from fuzzkit import TEMPLATE, Expect, fuzz_settings, run_checked, sandbox
from inputs import (DEFINITION_OPS, ENV_OPS, J2_BASE, J2_OPS, SCENARIO_OPS, TEMPLATE_OPS, cli_args,
                    definition_sources, mock_config_text, task_names)

TPL = f"templates/{TEMPLATE}.json"
SCN = f"tests/scenarios/{TEMPLATE}"


@fuzz_settings(ci=50, long=3000)
@given(data=st.data())
def test_templates(data, base_project, sandbox_root):
    """A template (the project's own, mutated) rendered, checked against the committed output and validated."""
    with sandbox(base_project, sandbox_root) as box:
        text, ops = TEMPLATE_OPS.mutate((box.project / TPL).read_text(encoding="utf-8"), data.draw)
        box.write(TPL, text)
        inputs = {"operators": ops, TPL: text}
        run_checked(box, ["render", "--env", "local"], Expect(writes=True, lines_in=(TPL,)), inputs)
        run_checked(box, ["render", "--all-envs", "--check"], Expect(lines_in=(TPL,)), inputs)
        run_checked(box, ["validate", "--env", "dev"], Expect(lines_in=(TPL,)), inputs)


@fuzz_settings(ci=40, long=2000)
@given(data=st.data())
def test_jinja_templates(data, base_project, sandbox_root):
    """A `.json.j2` template: sandboxed Jinja (blocks, expressions, includes, recursion, huge values)."""
    name = "templates/fan.json.j2"
    with sandbox(base_project, sandbox_root) as box:
        text, ops = J2_OPS.mutate(J2_BASE, data.draw)
        box.write(name, text)
        box.write("envs/local.yaml", (box.project / "envs/local.yaml").read_text(encoding="utf-8")
                  .replace("values:\n", "values:\n  n: 3\n", 1))
        inputs = {"operators": ops, name: text}
        run_checked(box, ["render", "--env", "local"], Expect(writes=True, lines_in=(name,)), inputs)
        run_checked(box, ["validate", "--env", "local"], Expect(lines_in=(name,)), inputs)


@fuzz_settings(ci=40, long=2500)
@given(data=st.data())
def test_env_files(data, base_project, sandbox_root):
    """An env file (envs/local.yaml, or the _base it deep-merges over) rendered, validated and tested with."""
    with sandbox(base_project, sandbox_root) as box:
        name = data.draw(st.sampled_from(["envs/local.yaml", "envs/_base.yaml"]))
        text, ops = ENV_OPS.mutate((box.project / name).read_text(encoding="utf-8"), data.draw)
        box.write(name, text)
        inputs = {"operators": ops, name: text}
        run_checked(box, ["render", "--env", "local"], Expect(writes=True, lines_in=(name,)), inputs)
        run_checked(box, ["validate", "--env", "local"], Expect(lines_in=(name,)), inputs)
        run_checked(box, ["test", "--quiet"], Expect(lines_in=(name,)), inputs)


@fuzz_settings(ci=60, long=3000)
@given(data=st.data())
def test_definitions(data, base_project, sandbox_root):
    """An ASL definition (bundled or from the real corpus, mutated) validated as a PATH and run with mocks."""
    source = data.draw(st.sampled_from(definition_sources()))
    with sandbox(base_project, sandbox_root) as box:
        text, ops = DEFINITION_OPS.mutate(source.read_text(encoding="utf-8"), data.draw)
        box.write("work/machine.json", text)
        mocks = {"StateMachines": {"machine": {"TestCases": {"C": {t: "R" for t in task_names(text)}}}},
                 "MockedResponses": {"R": {"0-199": {"Return": {"Payload": {}}}}}}
        box.write("work/mocks.json", json.dumps(mocks))
        inputs = {"operators": ops, "source": source.name, "work/machine.json": text}
        shown = "work/machine.json"
        run_checked(box, ["validate", shown], Expect(lines_in=(shown,)), inputs)
        run_checked(box, ["validate", shown, "--format", "junit"], Expect(xml=True, located=False), inputs)
        run_checked(box, ["run", shown, "--mock-config", "work/mocks.json", "--test-case", "C",
                          "--mock-validation", "none"], Expect(lines_in=(shown,)), inputs)


@fuzz_settings(ci=30, long=3000)
@given(data=st.data())
def test_scenarios(data, base_project, sandbox_root):
    """A scenario file (a bundled one, mutated: wrong types, NUL bytes, .inf, limits) and a MockConfigFile."""
    with sandbox(base_project, sandbox_root) as box:
        name = f"{SCN}/" + data.draw(st.sampled_from(["happy_path.yaml", "training_failed.yaml"]))
        text, ops = SCENARIO_OPS.mutate((box.project / name).read_text(encoding="utf-8"), data.draw)
        box.write(name, text)
        mocks = mock_config_text(data.draw)
        box.write(f"{SCN}/mocks.json", mocks)
        inputs = {"operators": ops, name: text, "mocks.json": mocks}
        run_checked(box, ["test"], Expect(lines_in=(name, f"{SCN}/mocks.json")), inputs)
        run_checked(box, ["test", "--format", "junit"], Expect(xml=True, located=False), inputs)
        run_checked(box, ["test", "--format", "json", "-o", "report.json"],
                    Expect(reports=("report.json",), lines_in=(name,)), inputs)
        if (box.project / "report.json").is_file():
            json.loads((box.project / "report.json").read_text(encoding="utf-8"))


@fuzz_settings(ci=100, long=5000)
@given(args=cli_args())
def test_cli_arguments(args, base_project, sandbox_root):
    """Commands with options and values of every kind (missing, repeated, out of range, very long)."""
    with sandbox(base_project, sandbox_root) as box:
        writes = args[0] in ("render", "graph") or "--scaffold" in args
        reports = tuple(args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-o", "--output", "--out")
                        and args[0] != "render")
        run_checked(box, args, Expect(writes=writes, reports=reports, located=False), {"args": args})
