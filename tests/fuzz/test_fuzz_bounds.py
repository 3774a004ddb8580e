"""Bounded time and memory per input (docs/hardening.md): hostile inputs, and a sample of generated ones, run
in a subprocess whose address space is limited (`resource.setrlimit`) and whose time is limited; each must
end with exit 0, 1 or 2, without a traceback or an internal error, its errors located. Inputs of a class in
`fuzzkit.KNOWN_OPEN` are left out until the fix is merged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzzkit import (KNOWN_OPEN, LONG, TEMPLATE, Expect, Run, fuzz_settings, problems, sandbox, snapshot)
from inputs import ENV_OPS, SCENARIO_OPS, TEMPLATE_OPS

#: the address space one sfnc process may use; a run that needs more is unbounded
MEMORY_BYTES = 2 * 1024**3
#: real seconds one sfnc process may take
SECONDS = 90

TPL = f"templates/{TEMPLATE}.json"
SCN = f"tests/scenarios/{TEMPLATE}"
RUNAWAY = {"QueryLanguage": "JSONata", "StartAt": "P", "States": {
    "P": {"Type": "Pass", "Output": "{% ($f := function($n){ $f($n + 1) }; $f(0)) %}", "End": True}}}
HUGE_RETRY = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Arguments": {"FunctionName": "f"},
          "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 99999999, "MaxAttempts": 99999999,
                     "BackoffRate": 1e300}], "End": True}}}


def _placeholder(expr: str):
    def write(box):
        text = (box.project / TPL).read_text(encoding="utf-8")
        box.write(TPL, text.replace('"${engagement.functions.pre_cleanup}"', '"${' + expr + '}"', 1))
    return write


def _append(rel: str, extra: str):
    def write(box):
        box.write(rel, (box.project / rel).read_text(encoding="utf-8").rstrip("\n") + "\n" + extra)
    return write


def _file(rel: str, text: str):
    return lambda box: box.write(rel, text)


ALIAS_BOMB = "bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
    for i in range(1, 9))

def _deep_chain(box, n=3000):
    lines = ["  c0: x"] + [f"  c{i}: ${{c{i - 1}}}" for i in range(1, n)]
    text = (box.project / "envs/local.yaml").read_text(encoding="utf-8")
    box.write("envs/local.yaml", text.replace("values:\n", "values:\n" + "\n".join(lines) + "\n", 1)
              .replace("region: us-east-1", f"region: ${{c{n - 1}}}"))


def _doubling(box, n=40):
    lines = ["  a0: xx"] + [f"  a{i}: ${{a{i - 1}}}${{a{i - 1}}}" for i in range(1, n)]
    text = (box.project / "envs/local.yaml").read_text(encoding="utf-8")
    box.write("envs/local.yaml", text.replace("values:\n", "values:\n" + "\n".join(lines) + "\n", 1)
              .replace("region: us-east-1", f"region: ${{a{n - 1}}}"))


RENDER = ["render", "--env", "local"]
#: case -> (the generator operator of its class, so KNOWN_OPEN applies; what to write; the command; run in CI)
HOSTILE = {
    "a * 10**9": ("expr.huge", _placeholder("'a' * 10**9"), RENDER, True),
    "(1,) * 10**8": ("expr.huge", _placeholder("(1,) * 10**8"), RENDER, False),
    "lipsum(10**6)": ("expr.huge", _placeholder("lipsum(10**6)"), RENDER, False),
    "alias bomb": ("env.alias-bomb", _append("envs/local.yaml", ALIAS_BOMB), RENDER, True),
    "doubling values": ("env.value-doubling", _doubling, RENDER, False),
    "3,000-deep value chain": ("env.deep-chain", _deep_chain, RENDER, False),
    "3,000-deep --set": ("set.deep-nesting", None, RENDER + ["--set", "a." * 3000 + "a=1"], True),
    "a .json.j2 loop that grows": ("j2.loop-growth", _file(
        "templates/grow.json.j2", '<% set l = [1] %><% for x in l %><% do l.append(x) %><% endfor %>'
        '{"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}'), RENDER, False),
    "200,000-deep JSON": ("asl.deep-nesting", _file("work/deep.json", "[" * 200_000 + "]" * 200_000),
                          ["validate", "work/deep.json"], True),
    "max_transitions 10**12": ("scn.key-value", _file(f"{SCN}/big.yaml", "max_transitions: 1000000000000\n"),
                               ["test"], True),
    "AWS's largest retrier": ("asl.field", _file("work/retry.json", json.dumps(HUGE_RETRY)),
                              ["run", "work/retry.json", "--mock-config", "work/m.json", "--test-case", "C"], True),
    "a runaway JSONata expression": ("asl.field", _file("work/loop.json", json.dumps(RUNAWAY)),
                                     ["run", "work/loop.json"], False),
}


def run_limited(project: Path, args: list[str]) -> Run:
    """sfnc in a subprocess limited to MEMORY_BYTES of address space and SECONDS of time."""
    code = ("import resource, sys\n"
            f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_BYTES}, {MEMORY_BYTES}))\n"
            "sys.argv = ['sfnc', *sys.argv[1:]]\n"
            "from sfn_compiler.cli import main\n"
            "main()\n")
    env = {**os.environ, "NO_COLOR": "1", "SFNC_NO_CACHE": "1"}
    try:
        res = subprocess.run([sys.executable, "-c", code, "-C", str(project), *args], cwd=project, env=env,
                             capture_output=True, timeout=SECONDS)
    except subprocess.TimeoutExpired:
        return Run(tuple(args), -1, "", f"unbounded: more than {SECONDS} s")
    out, err = (x.decode("utf-8", "replace") for x in (res.stdout, res.stderr))
    return Run(tuple(args), res.returncode, out, err)


def check_limited(box, args: list[str], expect: Expect, inputs: dict) -> None:
    before = snapshot(box.project)
    run = run_limited(box.project, args)
    bad = problems(run, before, snapshot(box.project), sorted(os.listdir(box.root)), expect)
    if run.exit_code == -1:
        bad.insert(0, run.stderr)
    assert not bad, "; ".join(bad) + f"\n{run!r}\ninputs: {inputs}"


CASES = [name for name, (op, _, _, ci) in HOSTILE.items() if op not in KNOWN_OPEN and (ci or LONG)]


@pytest.mark.parametrize("name", CASES)
def test_hostile_input_is_bounded(name, base_project, sandbox_root):
    _, write, args, _ = HOSTILE[name]
    with sandbox(base_project, sandbox_root) as box:
        if write is not None:
            write(box)
        box.write("work/m.json", json.dumps({"StateMachines": {"retry": {"TestCases": {"C": {"T": "E"}}}},
                                             "MockedResponses": {"E": {"0-99999999": {"Throw": {"Error": "E"}}}}}))
        check_limited(box, args, Expect(writes=args[0] == "render"), {"case": name})


@fuzz_settings(ci=3, long=200)
@given(data=st.data())
def test_generated_inputs_are_bounded(data, base_project, sandbox_root):
    """A sample of the generators' inputs, each run under the limits."""
    kind = data.draw(st.sampled_from(["template", "env", "scenario"]))
    with sandbox(base_project, sandbox_root) as box:
        rel, table, args = {"template": (TPL, TEMPLATE_OPS, ["render", "--env", "local"]),
                            "env": ("envs/local.yaml", ENV_OPS, ["render", "--env", "local"]),
                            "scenario": (f"{SCN}/happy_path.yaml", SCENARIO_OPS, ["test"])}[kind]
        text, ops = table.mutate((box.project / rel).read_text(encoding="utf-8"), data.draw)
        box.write(rel, text)
        check_limited(box, args, Expect(writes=args[0] == "render", lines_in=(rel,)), {"operators": ops, rel: text})
