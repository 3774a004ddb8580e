#!/usr/bin/env python3
"""In-process timings that used to be asserted in tests (speed is measured here, never asserted).

- every non-pattern rule over the shared corpus (real + peers) and the pattern rules over it;
- the simulator: a one-hour Wait (virtual time, so it should take no real time), a 500-transition endless
  loop stopped by the limit, and a 200-iteration polling loop.

`bench/run.py` runs this as its `timings` group (in a subprocess that imports the compiled package) and
puts the rows in its table and JSON. On its own:

    python bench/timings.py [--repeat 5] [--json]   (the median of each; writes nothing)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
try:  # the installed package (bench/run.py points PYTHONPATH at a compiled copy), else the source tree
    import sfn_compiler  # noqa: F401
except ImportError:
    sys.path.insert(0, str(ROOT / "src"))


def median(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def corpus_documents() -> list:
    from sfn_compiler.load.json5doc import to_json

    docs = []
    for path in sorted(CORPUS.rglob("*")) if CORPUS.is_dir() else []:
        if path.is_file() and path.suffix in (".json", ".json5"):
            try:
                docs.append(json.loads(to_json(path.read_text(encoding="utf-8"))[0]))
            except ValueError:
                pass
    return docs


def measure(repeat: int) -> list[tuple[str, float]]:
    """(name, median seconds) of each timing."""
    from sfn_compiler.check.config import CheckConfig
    from sfn_compiler.check.runner import run_rules
    from sfn_compiler.simulate import TransitionLimitExceeded, run_execution

    rows: list[tuple[str, float]] = []
    docs = corpus_documents()
    if docs:
        rules = CheckConfig.from_settings({"validate": {"ignore": ["pattern"]}})
        rules.placeholders = "opaque"
        patterns = CheckConfig.from_settings({"validate": {"select": ["pattern"]}})
        patterns.placeholders = "opaque"
        rows.append((f"rules (no patterns) over the corpus, {len(docs)} documents",
                     median(lambda: [run_rules(d, rules) for d in docs], repeat)))
        rows.append((f"pattern rules over the corpus, {len(docs)} documents",
                     median(lambda: [run_rules(d, patterns) for d in docs], repeat)))

    def machine(states: dict) -> dict:
        return {"QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}

    wait = machine({"W": {"Type": "Wait", "Seconds": 3600, "Next": "P"}, "P": {"Type": "Pass", "End": True}})
    rows.append(("simulator: a one-hour Wait", median(lambda: run_execution(wait, {}, {}), repeat)))
    loop = machine({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}})

    def endless() -> None:
        try:
            run_execution(loop, {}, {}, max_transitions=500)
        except TransitionLimitExceeded:
            pass

    rows.append(("simulator: 500 transitions to the limit", median(endless, repeat)))
    poll = machine({
        "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Poll"},
        "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
                 "Arguments": {"PipelineExecutionArn": "arn"}, "Next": "Check",
                 "Assign": {"n": "{% $n + 1 %}", "status": "{% $states.result.PipelineExecutionStatus %}"}},
        "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $status = 'Succeeded' %}", "Next": "Done"}],
                  "Default": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Poll"},
        "Done": {"Type": "Succeed"}})
    mocks = {"Poll": [{"return": {"PipelineExecutionStatus": "Executing"}, "times": 199},
                      {"return": {"PipelineExecutionStatus": "Succeeded"}}]}
    rows.append(("simulator: a 200-iteration polling loop", median(lambda: run_execution(poll, {}, mocks), repeat)))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print [[name, seconds], ...] as JSON")
    args = ap.parse_args()
    rows = measure(args.repeat)
    if args.json:
        print(json.dumps(rows))
        return 0
    width = max(len(name) for name, _ in rows) + 2
    for name, secs in rows:
        print(f"{name:<{width}} {secs * 1000:>9.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
