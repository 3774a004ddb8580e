"""AWS's 860 recorded executions (../shared/conformance/aws-recorded), replayed in-process the way `sfnc run`
runs them (`pipeline.simulation.run_file`: the creation checks, the mocks, the streamed JSON trace) and judged
by the suite's own run.py. Skipped when ../shared is absent.

Every case must pass strictly (status, output, error and cause) except those in ``KNOWN``, each with the
reason it cannot; a listed case that starts passing fails the test too, so the list stays true. The Distributed
Map cases that read S3 objects get them from ``data/recorded_item_reader_objects.json`` (the case files do not
hold them; see its ``_about``).
"""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import pytest

from sfn_compiler.errors import SfncError
from sfn_compiler.pipeline.simulation import run_file
from sfn_compiler.simulate import SimulationError
from sfn_compiler.simulate.trace import JsonTraceWriter

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "aws-recorded"
OBJECTS = Path(__file__).parent / "data" / "recorded_item_reader_objects.json"

pytestmark = pytest.mark.skipif(not (SUITE / "run.py").is_file(), reason="../shared/conformance not present")

ORACLE_TOKEN = "oracle: a value the recording replaced by a token (role ARN, start time, random number)"
ORACLE_CAUSE = "oracle: mocks.json re-serialised the Lambda error Cause (AWS kept the function's spacing)"
ORACLE_MOCKS = "oracle: no mocked result was recorded for a Task state"
ORACLE_EXPRESS = "oracle: an Express execution (its context object differs; the definition cannot say so)"
ORACLE_BUCKET = ("oracle: the case's normalisation replaces 'bucket' inside sfnc's item text too "
                 "('from-bucket-item-0'); the raw output equals AWS's (checked below)")
ORACLE_WAIT = ("oracle: the Wait's TimestampPath input is an absolute time that lay minutes ahead when AWS ran it; "
               "sfnc's runs start on 2025-01-01, 23 months before it, past a Standard execution's one-year limit "
               "(States.Timeout)")

KNOWN = {
    "jsonpath-base-012": ORACLE_TOKEN, "jsonpath-context-object-003": ORACLE_TOKEN,
    "jsonpath-context-object-005": ORACLE_TOKEN, "mixed-outputdecl-001": ORACLE_TOKEN,
    "jsonpath-intrinsic-functions-096": ORACLE_TOKEN, "jsonpath-intrinsic-functions-097": ORACLE_TOKEN,
    "jsonpath-intrinsic-functions-098": ORACLE_TOKEN,
    "jsonpath-express-003": ORACLE_EXPRESS,
    "jsonpath-error-handling-009": ORACLE_CAUSE, "jsonpath-error-handling-010": ORACLE_CAUSE,
    "jsonpath-error-handling-012": ORACLE_CAUSE, "jsonpath-scenarios-014": ORACLE_CAUSE,
    "jsonpath-scenarios-015": ORACLE_CAUSE,
    "jsonpath-express-004": ORACLE_MOCKS, "jsonpath-local-mocking-004": ORACLE_MOCKS,
    "jsonpath-local-mocking-005": ORACLE_MOCKS, "jsonpath-local-mocking-006": ORACLE_MOCKS,
    "jsonpath-scenarios-043": ORACLE_MOCKS, "jsonpath-scenarios-056": ORACLE_MOCKS,
    "jsonpath-test-sfn-api-002": "oracle: the test stopped the execution (ABORTED) through the API",
    "jsonpath-base-024": ORACLE_WAIT, "jsonpath-base-026": ORACLE_WAIT, "jsonpath-base-027": ORACLE_WAIT,
    "jsonpath-scenarios-019": ORACLE_BUCKET, "jsonpath-scenarios-020": ORACLE_BUCKET,
    "jsonpath-scenarios-021": ORACLE_BUCKET,
}

#: strict passes whose recorded state exits cannot match (the exits are checked apart from the verdict)
KNOWN_EXITS = {"jsonpath-assign-002": ORACLE_TOKEN}


def _run_py():
    spec = importlib.util.spec_from_file_location("aws_recorded_run", SUITE / "run.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _replay(case: dict, objects: dict) -> dict:
    """What run.py reads from `sfnc run ... --format json`: the last record, and the state records."""
    mocks = objects.get(case["id"]) or (Path(case["mocks"]) if case["mocks"] else None)
    out = io.StringIO()
    writer = None

    def sink(ev):
        nonlocal writer
        writer = writer or JsonTraceWriter(out, None)
        writer.state(ev)

    try:
        result = run_file(Path(case["definition"]), input_file=Path(case["input"]), mock_config=mocks,
                          test_case="Replay" if mocks else None, trace_sink=sink, keep_trace=False)
    except (SimulationError, SfncError) as exc:
        return {"stderr": f"{case['definition']}: error: {type(exc).__name__}: {exc}"}
    (writer or JsonTraceWriter(out, None)).finish(result)
    trace = json.loads(out.getvalue())
    return {"execution": trace[-1], "output": result.output,
            "states": [{k: t.get(k) for k in ("state", "status", "output", "assigned")} for t in trace[:-1]]}


def test_recorded_executions():
    run = _run_py()
    cases = run.load_cases(str(SUITE / "cases"))
    assert len(cases) >= 860
    objects = json.loads(OBJECTS.read_text(encoding="utf-8"))["cases"]
    unexpected, stale, exits = [], [], []
    for case in cases:
        res = _replay(case, objects)
        verdict, reason, message, _ = run.judge(case, res)
        if case["id"] in KNOWN:
            if verdict == "strict":
                stale.append(case["id"])
            if KNOWN[case["id"]] is ORACLE_BUCKET:
                assert res["output"] == case["expected"]["output"], case["id"]
        elif verdict != "strict":
            unexpected.append(f"{case['id']}: {verdict} ({reason}) {message}".strip())
        elif res.get("execution") and run.check_state_exits(case, res)[0] is False \
                and case["id"] not in KNOWN_EXITS:
            exits.append(case["id"])
    assert not unexpected, "\n".join(unexpected)
    assert not stale, f"listed as known failures but now pass: {stale}"
    assert not exits, f"strict passes whose per-state exits differ from AWS's: {exits}"
