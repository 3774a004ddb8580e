"""The pattern rules' indexes (issue 17: built once per definition instead of per lock / per state) answer
exactly what the straightforward scans they replaced answered (kept here, only as the reference):
`LockAnalysis.releases_of` for every lock, `_flow.innermost_loop` for every state, and the status
variables SFN705 ignores per loop. Over the bundled definitions, the shared corpus, synthetic definitions
(bench/synth.py) and hand-made lock layouts where tables and keys cross."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from check_harness import CORPUS, load_json5ish
from sfn_compiler.check.base import CheckContext
from sfn_compiler.check.rules.patterns._flow import innermost_loop, loops
from sfn_compiler.check.rules.patterns.lock_analysis import lock_analysis
from sfn_compiler.check.rules.patterns.poll_analysis import loop_polls, poll_analysis

REPO = Path(__file__).resolve().parents[3]


def _synth():
    spec = importlib.util.spec_from_file_location("bench_synth", REPO / "bench" / "synth.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def reference_releases(la, lock) -> list:
    others = {lk.acquire.table for lk in la.locks if lk is not lock and lk.acquire.table is not None}
    return [op for op in la.ops if lock.releases(op)
            and (op.table is None or op.table == lock.acquire.table or op.table not in others)]


def reference_innermost(machine, state):
    best = None
    for lp in loops(machine, state.scope):
        if state.name in lp.body and (best is None or len(lp.body) < len(best.body)):
            best = lp
    return best


def assert_same(document: Any) -> int:
    """Index and scan agree on `document`; returns the number of answers compared."""
    ctx = CheckContext(document, placeholders="opaque")
    machine = ctx.machine
    compared = 0
    la = lock_analysis(ctx)
    for lock in la.locks:
        assert la.releases_of(lock) == reference_releases(la, lock), lock.state.pointer
        compared += 1
    for state in machine.states:
        assert innermost_loop(machine, state) is reference_innermost(machine, state), state.pointer
        compared += 1
    pa = poll_analysis(ctx)
    by_loop: dict[int, set[str]] = {}
    for q in pa.polls:
        by_loop.setdefault(id(q.loop), set()).update(q.status_vars)
    for p in loop_polls(pa):
        assert frozenset(by_loop.get(id(p.loop), ())) == frozenset().union(
            *(q.status_vars for q in pa.polls if q.loop is p.loop))
        compared += 1
    return compared


@pytest.mark.parametrize("path", sorted((REPO / "definitions").glob("*/*.json")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_answers_on_bundled_definitions(path):
    assert assert_same(json.loads(path.read_text(encoding="utf-8"))) > 10


@pytest.mark.corpus
def test_same_answers_on_the_shared_corpus():
    files: list[Path] = []
    for sub in ("real", "peers"):
        d = CORPUS / sub
        if d.is_dir():
            files += sorted(p for p in d.rglob("*") if p.suffix in (".json", ".json5") and p.is_file())
    if not files:
        pytest.skip("../shared/corpus is absent")
    compared = 0
    for path in files:
        try:
            doc = load_json5ish(path.read_text(encoding="utf-8"))
        except ValueError:
            continue
        try:
            compared += assert_same(doc)
        except AssertionError as exc:
            raise AssertionError(f"{path}: {exc}") from None
    assert compared > 1000


@pytest.mark.parametrize("states,variables", [(400, 20), (700, 500)])
def test_same_answers_on_synthetic_definitions(states, variables):
    synth = _synth()
    doc = synth.generate(states, variables, segment=60)
    assert assert_same(doc) > states
    assert assert_same(synth.diamonds(20)) > 20


def _ddb(action: str, table: Any, key: str, nxt: str | None, **extra: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"TableName": table, "Key" if action != "putItem" else "Item": {key: {"S": "x"}}}
    args.update(extra)
    st: dict[str, Any] = {"Type": "Task", "Resource": f"arn:aws:states:::dynamodb:{action}", "Arguments": args}
    st.update({"Next": nxt} if nxt else {"End": True})
    return st


def test_same_answers_when_tables_and_keys_cross():
    # two locks on two tables with the same key name; releases on each table, on a third table, on a
    # table that is an expression (not a string), and an update that REMOVEs
    cond = {"ConditionExpression": "attribute_not_exists(LockId)"}
    states = {
        "LockA": _ddb("putItem", "locks-a", "LockId", "LockB", **cond),
        "LockB": _ddb("putItem", "locks-b", "LockId", "RelA", **cond),
        "RelA": _ddb("deleteItem", "locks-a", "LockId", "RelB"),
        "RelB": _ddb("deleteItem", "locks-b", "LockId", "RelOther"),
        "RelOther": _ddb("deleteItem", "other-table", "LockId", "RelExpr"),
        "RelExpr": _ddb("deleteItem", "{% $table %}", "LockId", "Clear"),
        "Clear": _ddb("updateItem", "locks-a", "Owner", None, UpdateExpression="REMOVE Holder"),
    }
    doc = {"QueryLanguage": "JSONata", "StartAt": "LockA", "States": states}
    ctx = CheckContext(doc, placeholders="opaque")
    la = lock_analysis(ctx)
    assert [lk.state.name for lk in la.locks] == ["LockA", "LockB"]
    assert assert_same(doc) == 2 + len(states)
    releases = {lk.state.name: [op.name for op in la.releases_of(lk)] for lk in la.locks}
    assert releases == {"LockA": ["RelA", "RelOther", "RelExpr", "Clear"], "LockB": ["RelB", "RelOther", "RelExpr"]}
