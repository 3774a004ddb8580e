#!/usr/bin/env python3
"""Benchmarks of the shape inference (never asserted in tests): wall time, median of N, in fresh processes
where start-up costs matter.

- the botocore models: the first service (process start to model loaded), each further one, and the same with
  botocore's `Loader` for comparison
- the whole shared corpus (real + peers): inference + detection functions, models loaded once
- a synthetic 10,000-state definition (polling loops, DynamoDB and SageMaker Tasks, variables, Choices)

Usage: python bench/shapes.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def synthetic(n_states: int = 10_000) -> dict:
    """Blocks of 10 states (a lock, a pipeline start, a polling loop with a bounded counter, a Map over the
    result), chained; every block assigns and reads variables."""
    states: dict = {}
    blocks = n_states // 10
    for b in range(blocks):
        p = f"B{b} "
        nxt = f"B{b + 1} Init" if b + 1 < blocks else "Done"
        states.update({
            p + "Init": {"Type": "Pass", "Assign": {f"v{b % 50}": "{% $states.input %}", "count": 0, "key": f"k{b}"},
                         "Next": p + "Get"},
            p + "Get": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                        "Arguments": {"TableName": "t", "Key": {"pk": {"S": "{% $key %}"}}},
                        "Assign": {"item": "{% $states.result.Item %}"}, "Next": p + "Start"},
            p + "Start": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:startPipelineExecution",
                          "Arguments": {"PipelineName": "{% $item.name.S %}", "ClientRequestToken": "{% $uuid() %}"},
                          "Assign": {"arn": "{% $states.result.PipelineExecutionArn %}"}, "Next": p + "Describe"},
            p + "Describe": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
                             "Arguments": {"PipelineExecutionArn": "{% $arn %}"},
                             "Assign": {"count": "{% $count + 1 %}"}, "Next": p + "Check"},
            p + "Check": {"Type": "Choice", "Choices": [
                {"Condition": "{% $states.input.PipelineExecutionStatus = 'Succeeded' %}", "Next": p + "Map"},
                {"Condition": "{% $count > 30 %}", "Next": p + "Fail"},
                {"Condition": "{% $states.input.PipelineExecutionStatus in ['Executing', 'Stopping'] %}",
                 "Next": p + "Wait"}], "Default": p + "Fail"},
            p + "Wait": {"Type": "Wait", "Seconds": 30, "Next": p + "Describe"},
            p + "Fail": {"Type": "Pass", "Output": {"error": "{% $states.input.FailureReason %}"}, "Next": p + "Log"},
            p + "Map": {"Type": "Map", "Items": "{% [1, 2, 3] %}", "ItemSelector": {"i": "{% $states.context.Map.Item.Value %}"},
                        "ItemProcessor": {"StartAt": "Work", "States": {
                            "Work": {"Type": "Pass", "Output": {"double": "{% $states.input.i * 2 %}"}, "End": True}}},
                        "Next": p + "Log"},
            p + "Log": {"Type": "Pass", "Output": {"block": b, "out": "{% $states.input %}"}, "Next": p + "End"},
            p + "End": {"Type": "Pass", "Next": nxt},
        })
    states["Done"] = {"Type": "Succeed"}
    # Map inner state names must be unique machine-wide
    for b in range(blocks):
        m = states[f"B{b} Map"]["ItemProcessor"]
        m["StartAt"] = f"B{b} Work"
        m["States"] = {f"B{b} Work": m["States"]["Work"]}
    return {"QueryLanguage": "JSONata", "StartAt": "B0 Init", "States": states}


def median_run(code: str, repeat: int) -> tuple[float, str]:
    times, out = [], ""
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        out = proc.stdout.strip()
        times.append(float(out.splitlines()[-1].split()[-1]))
    return statistics.median(times), out


MODELS = r'''
import time
t0 = time.perf_counter()
from sfn_compiler.shapes import aws_models as M
t1 = time.perf_counter(); M.operation("dynamodb", "getItem").output; t2 = time.perf_counter()
for svc, op in [("sagemaker", "describePipelineExecution"), ("glue", "getJobRun"), ("athena", "getQueryExecution"),
                ("sfn", "describeExecution"), ("lambda", "invoke")]:
    M.operation(svc, op).output
t3 = time.perf_counter()
print("import", t1 - t0); print("first (dynamodb)", t2 - t1); print("five more", t3 - t2)
print("total", t3 - t0)
'''

LOADER = r'''
import time
t0 = time.perf_counter()
from botocore.loaders import Loader
l = Loader()
l.load_service_model("dynamodb", "service-2"); t1 = time.perf_counter()
for s in ("sagemaker", "glue", "athena", "stepfunctions", "lambda"):
    l.load_service_model(s, "service-2")
t2 = time.perf_counter()
print("first (dynamodb)", t1 - t0); print("five more", t2 - t1); print("total", t2 - t0)
'''

CORPUS = r'''
import json, time, sys
from pathlib import Path
from sfn_compiler.load.json5doc import to_json
from sfn_compiler.shapes.findings import shape_findings
from sfn_compiler.shapes import aws_models
docs = []
for sub in ("real", "peers"):
    for p in sorted(Path(sys.argv[1] if len(sys.argv) > 1 else "%s").joinpath(sub).rglob("*")):
        if p.is_file() and p.suffix in (".json", ".json5"):
            try:
                docs.append(json.loads(to_json(p.read_text())[0]))
            except ValueError:
                pass
t0 = time.perf_counter()
n = sum(len(shape_findings(d)) for d in docs)
t1 = time.perf_counter()
st = aws_models.load_stats()
print(f"{len(docs)} documents, {n} findings, models: {st['loads']} loaded in {st['seconds']:.3f}s")
print("total", t1 - t0)
''' % (SHARED / "corpus")

SYNTH = r'''
import json, sys, time
sys.path.insert(0, "bench")
from shapes import synthetic
from sfn_compiler.shapes.flow import analyse
from sfn_compiler.shapes.findings import shape_findings
from sfn_compiler.shapes import aws_models
doc = synthetic(%d)
aws_models.operation("dynamodb", "getItem").output; aws_models.operation("sagemaker", "describePipelineExecution").output
t0 = time.perf_counter(); flow = analyse(doc); t1 = time.perf_counter()
events = flow.events; t2 = time.perf_counter()
fs = shape_findings(doc, flow=flow); t3 = time.perf_counter()
visits = sum(flow.of(s).visits for s in flow.machine.states if flow.of(s))
print(f"{len(flow.machine.states)} states, {visits} state visits, {len(events)} events, {len(fs)} findings")
print(f"fixed point {t1 - t0:.3f}s, report pass {t2 - t1:.3f}s, detection {t3 - t2:.3f}s")
print("total", t3 - t0)
'''


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    t, out = median_run(MODELS, args.repeat)
    print(f"models (sfnc reader, fresh process): median total {t:.3f}s\n  " + out.replace("\n", "\n  "))
    t, out = median_run(LOADER, args.repeat)
    print(f"models (botocore Loader, fresh process): median total {t:.3f}s\n  " + out.replace("\n", "\n  "))
    if (SHARED / "corpus").is_dir():
        t, out = median_run(CORPUS, args.repeat)
        print(f"shared corpus, inference + detection: median {t:.3f}s\n  " + out.replace("\n", "\n  "))
    for n in (1_000, 10_000):
        t, out = median_run(SYNTH % n, args.repeat)
        print(f"synthetic {n} states: median {t:.3f}s\n  " + out.replace("\n", "\n  "))


if __name__ == "__main__":
    main()
