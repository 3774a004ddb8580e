#!/usr/bin/env python3
"""The simulator's speed and memory (measured, never asserted in tests).

- a Pass/Choice loop in JSONata (`$n + 1`, `$n >= N`) and in JSONPath (`States.MathAdd`,
  `NumericGreaterThanEquals`): state transitions per CPU second, best of --repeat runs;
- a 200-iteration SageMaker polling loop (Task, Choice, Wait), as in docs/simulator.md;
- `sfnc run --format json`'s streamed trace: peak Python memory (tracemalloc) for 10x and 100x more
  transitions, which should stay flat;
- the 860 AWS-recorded executions replayed in-process, when ../shared is present.

Usage: python bench/simulator.py [--repeat 5] [--quick]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT.parent / "shared" / "conformance" / "aws-recorded"


def loop_jsonata(n: int) -> dict[str, Any]:
    return {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Step"},
        "Step": {"Type": "Pass", "Assign": {"n": "{% $n + 1 %}"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $n >= " + str(n) + " %}", "Next": "Done"}],
                  "Default": "Step"},
        "Done": {"Type": "Succeed"}}}


def loop_jsonpath(n: int) -> dict[str, Any]:
    return {"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Result": {"n": 0}, "Next": "Step"},
        "Step": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThanEquals": n, "Next": "Done"}],
                  "Default": "Step"},
        "Done": {"Type": "Succeed"}}}


POLL = {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Poll"},
    "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
             "Arguments": {"PipelineExecutionArn": "arn"}, "Next": "Check",
             "Assign": {"n": "{% $n + 1 %}", "status": "{% $states.result.PipelineExecutionStatus %}"}},
    "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $status = 'Succeeded' %}", "Next": "Done"},
                                            {"Condition": "{% $n >= 1000 %}", "Next": "Fail"}], "Default": "Wait"},
    "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Poll"},
    "Done": {"Type": "Succeed"}, "Fail": {"Type": "Fail", "Error": "Timeout"}}}
POLL_MOCKS = {"Poll": [{"return": {"PipelineExecutionStatus": "Executing"}, "times": 199},
                       {"return": {"PipelineExecutionStatus": "Succeeded"}}]}


def best_cpu(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    fn()  # warm: expressions compiled, caches filled
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.process_time()
        result = fn()
        best = min(best, time.process_time() - t0)
    return best, result


class _Null(io.TextIOBase):
    def write(self, s: str) -> int:
        return len(s)


def streamed_peak(definition: dict[str, Any]) -> tuple[int, int]:
    """(transitions, peak bytes) of a run written as `sfnc run --format json` writes it."""
    from sfn_compiler.simulate import run_execution
    from sfn_compiler.simulate.trace import JsonTraceWriter

    writer = JsonTraceWriter(_Null(), None)
    tracemalloc.start()
    r = run_execution(definition, {}, {}, max_events=10_000_000, trace_sink=writer.state, keep_trace=False)
    writer.finish(r)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return r.transitions, peak


def recorded_suite() -> str | None:
    if not (SUITE / "run.py").is_file():
        return None
    sys.path.insert(0, str(ROOT / "tests" / "simulate"))
    import test_sim_recorded as t  # the CI test's replay (pipeline.simulation.run_file, streamed JSON)

    run = t._run_py()
    cases = run.load_cases(str(SUITE / "cases"))
    objects = json.loads(t.OBJECTS.read_text(encoding="utf-8"))["cases"]
    t0 = time.perf_counter()
    verdicts: dict[str, int] = {}
    for case in cases:
        verdict = run.judge(case, t._replay(case, objects))[0]
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    dt = time.perf_counter() - t0
    return f"{len(cases)} cases in {dt:.1f} s ({', '.join(f'{k} {v}' for k, v in sorted(verdicts.items()))})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="only the loops")
    args = ap.parse_args()
    from sfn_compiler.simulate import run_execution

    rows: list[tuple[str, str]] = []
    for label, make in (("Pass/Choice loop, JSONata", loop_jsonata), ("Pass/Choice loop, JSONPath", loop_jsonpath)):
        d = make(6000)
        secs, r = best_cpu(lambda: run_execution(d, {}, {}), args.repeat)
        rows.append((label, f"{r.transitions / secs:>9,.0f} transitions/s  ({r.transitions} transitions, "
                            f"{r.events} history events, {secs * 1000:.1f} ms CPU)"))
    secs, r = best_cpu(lambda: run_execution(POLL, {}, POLL_MOCKS), args.repeat)
    rows.append(("200-iteration polling loop", f"{r.transitions / secs:>9,.0f} transitions/s  ({r.transitions} "
                                               f"transitions, {secs * 1000:.1f} ms CPU, {r.elapsed_seconds:.0f} s "
                                               "virtual)"))
    if not args.quick:
        for n in (6_000, 60_000, 600_000):
            transitions, peak = streamed_peak(loop_jsonata(n))
            rows.append((f"streamed JSON trace, {transitions:,} transitions", f"peak {peak / 1e6:.2f} MB"))
        suite = recorded_suite()
        if suite:
            rows.append(("AWS-recorded executions, in-process", suite))
    width = max(len(name) for name, _ in rows) + 2
    for name, value in rows:
        print(f"{name:<{width}} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
