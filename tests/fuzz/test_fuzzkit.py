"""The fuzz suite's checker catches what it is there to catch (a checker that passes everything would make
every fuzz test pass): internal errors, unlocated errors, writes on failure or outside the project,
unbounded runs, reports that do not parse."""

from __future__ import annotations

import pytest

from fuzzkit import KNOWN_OPEN, Expect, Run, Unbounded, hard_limit, problems, sandbox, sfnc, snapshot
from inputs import DEFINITION_OPS, ENV_OPS, J2_OPS, SCENARIO_OPS, TEMPLATE_OPS, EXPR

SNAP = {"a.json": ("x", 0o100644)}


def check(run: Run, expect: Expect = Expect(), after=SNAP, entries=("project",)) -> list[str]:
    return problems(run, SNAP, after, list(entries), expect)


def test_a_clean_run_passes():
    assert check(Run(("validate",), 1, "a.json:1:2: error: SFN101 x (at /States)\n", "")) == []
    assert check(Run(("render",), 2, "", "templates/t.json:3:4: error: no value (at /x, env local)\n"
                                         "  hint: add it\n"), Expect(lines_in=("templates/t.json",))) == []


@pytest.mark.parametrize("run,expect,found", [
    (Run(("x",), 3, "", ""), Expect(), "exit code 3"),
    (Run(("x",), 2, "", "error: internal error: KeyError: 'a'\n"), Expect(), "'internal error' in the output"),
    (Run(("x",), 2, "Traceback (most recent call last):\n", ""), Expect(), "'Traceback' in the output"),
    (Run(("x",), 2, "", "error: cannot read\n"), Expect(), "an error without a file"),
    (Run(("x",), 2, "", "envs/local.yaml: error: bad\n"), Expect(lines_in=("envs/local.yaml",)),
     "an error in envs/local.yaml without a line"),
    (Run(("x",), 1, "<testsuites><x></testsuites>", ""), Expect(xml=True, located=False), "JUnit output"),
    (Run(("x",), 0, "{", ""), Expect(json=True, located=False), "JSON output"),
    (Run(("x",), 0, "", "", KeyError("k")), Expect(), "uncaught KeyError"),
    (Run(("x",), -1, "", "", Unbounded("the run took more than 30 s")), Expect(), "unbounded"),
])
def test_a_broken_run_is_caught(run, expect, found):
    assert any(found in p for p in check(run, expect))


def test_writes_are_caught():
    changed = {"a.json": ("y", 0o100644)}
    assert check(Run(("render",), 2, "", ""), Expect(writes=True), after=changed)[0].startswith(
        "files changed by a run that failed: ['a.json']")
    assert check(Run(("validate",), 0, "", ""), after=changed)[0].startswith(
        "files changed by a run that writes nothing")
    assert check(Run(("render",), 0, "", ""), Expect(writes=True), after=changed) == []
    assert check(Run(("test",), 1, "", ""), Expect(reports=("a.json",)), after=changed) == []
    mode = {"a.json": ("x", 0o100600)}
    assert check(Run(("render",), 2, "", ""), after=mode)   # a mode is a change too
    assert "written outside the project" in check(Run(("render",), 0, "", ""), entries=("project", "x.json"))[0]


def test_the_hard_limit_stops_a_run():
    with pytest.raises(Unbounded):
        with hard_limit(0.05):
            while True:
                pass


def test_a_real_internal_error_is_caught(base_project, sandbox_root, monkeypatch):
    def crash(*_a, **_k):
        raise RuntimeError("boom")

    monkeypatch.setattr("sfn_compiler.pipeline.rendering.render_env", crash)
    with sandbox(base_project, sandbox_root) as box:
        before = snapshot(box.project)
        run = sfnc(box.project, "render", "--env", "local")
        found = problems(run, before, snapshot(box.project), ["project"], Expect(writes=True))
    assert any("internal error" in p for p in found), found


def test_known_open_names_operators_that_exist():
    names = set(EXPR.ops) | {n for t in (TEMPLATE_OPS, J2_OPS, ENV_OPS, DEFINITION_OPS, SCENARIO_OPS) for n in t.ops}
    names |= {"set.deep-nesting"}   # a class of CLI input, only in the bounds test (test_fuzz_bounds.HOSTILE)
    assert set(KNOWN_OPEN) <= names, set(KNOWN_OPEN) - names
