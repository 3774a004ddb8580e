#!/usr/bin/env python3
"""Benchmarks (never asserted in tests): wall time of whole CLI runs, median of N.

- `sfnc --help` start-up
- `sfnc validate` on the whole shared corpus (real + peers, ~430 files) in one process, beside the
  anchors measured on the same kind of machine (reference/validator-anchors.md §6)
- `sfnc render --all-envs` on the bundled templates
- `sfnc validate` on the SAM/CDK/Terraform examples in tests/integrations/real, and `sfnc import --dry-run`
  of one SAM template
- the simulator's speed on a 200-iteration poll loop (state transitions per second), when present
- `--group data`: the data rules (SFN80x, the shape inference and the AWS API models), in CPU time (user +
  system of the child, median of N): `sfnc validate` on the bundled project, the shared corpus and a
  synthetic 10,000-state definition (bench/shapes.py), each with every rule and with `--ignore data`; with
  `--before REF`, also the same commands on the source tree of git REF (`git archive`, run with PYTHONPATH),
  alternating runs so that load on the machine hits both alike

Usage: python bench/run.py [--repeat 5] [--group all|cli|data] [--before REF]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ANCHORS = {"asl-validator 4.0.0 (315 files)": 15.50, "cfn-lint 1.51.0 (315 files)": 5.15,
           "@wmfs/statelint 1.30.0 (315 files)": 0.30, "statelint (PyPI) 3.1.0 (315 files)": 0.10}


def timed(cmd: list[str], repeat: int, cwd: Path = ROOT) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        code = proc.returncode
    return statistics.median(times), code


def cpu(cmd: list[str], env: dict | None = None, cwd: Path = ROOT) -> tuple[float, int]:
    """CPU seconds (user + system) of one run of `cmd` in a child process, and its exit code."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), proc.returncode


def data_rules(repeat: int, before: str | None) -> list[tuple[str, float, str]]:
    """The data rules' cost: each command with every rule, with `--ignore data`, and (with `before`) on the
    source tree of git ref `before`; runs alternate, medians of `repeat`."""
    sys.path.insert(0, str(ROOT / "bench"))
    from shapes import synthetic

    sfnc = [sys.executable, "-m", "sfn_compiler", "validate"]
    tmp = Path(tempfile.mkdtemp(prefix="sfnc-bench-"))
    synth = tmp / "synthetic-10000.json"
    synth.write_text(json.dumps(synthetic(10_000)))
    cases = [("bundled project (32 definitions)", []),
             ("synthetic 10,000-state definition", [str(synth), "-f", "json", "-o", os.devnull])]
    files = corpus_files()
    if files:
        cases.insert(1, (f"shared corpus ({len(files)} files)",
                         ["--placeholders", "opaque", "-f", "json", "-o", os.devnull, *map(str, files)]))
    variants: list[tuple[str, dict | None, list[str]]] = [("all rules", None, []), ("--ignore data", None,
                                                                                     ["--ignore", "data"])]
    # bytecode as an installed package has it (PYTHONDONTWRITEBYTECODE would make every run compile)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    if before:
        src = tmp / "before"
        src.mkdir()
        archive = subprocess.run(["git", "archive", before], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(src / "src")], check=True)
        variants.append((f"before ({before})", {**os.environ, "PYTHONPATH": str(src / "src")}, []))
    rows = []
    for label, args in cases:
        times: dict[str, list[float]] = {v[0]: [] for v in variants}
        codes: dict[str, int] = {}
        n = repeat if "10,000" not in label else max(3, repeat // 3)
        for _ in range(n):
            for name, env, extra in variants:
                t, codes[name] = cpu(sfnc + args + extra, env)
                times[name].append(t)
        base = statistics.median(times["--ignore data"])
        for name, _, _ in variants:
            t = statistics.median(times[name])
            rows.append((f"validate {label}: {name}", t, f"CPU, n={n}, exit {codes[name]}, "
                                                         f"{(t / base - 1) * 100:+.0f}% vs --ignore data"))
    return rows


def corpus_files() -> list[Path]:
    files = []
    for sub in ("real", "peers"):
        d = SHARED / "corpus" / sub
        if d.is_dir():
            files += [p for p in d.rglob("*") if p.suffix in (".json", ".json5") and p.is_file()]
    return files


def simulator_speed() -> str | None:
    try:
        from sfn_compiler.simulate import run_execution  # noqa: F401
    except Exception:
        return None
    code = r'''
import time
from sfn_compiler.simulate import run_execution, MockProvider
from sfn_compiler.simulate import mocks as m
definition = {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
  "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Poll"},
  "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
           "Arguments": {"PipelineExecutionArn": "arn"}, "Assign": {"n": "{% $n + 1 %}", "status": "{% $states.result.PipelineExecutionStatus %}"}, "Next": "Check"},
  "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $status = 'Succeeded' %}", "Next": "Done"},
                                            {"Condition": "{% $n >= 1000 %}", "Next": "Fail"}], "Default": "Wait"},
  "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Poll"},
  "Done": {"Type": "Succeed"}, "Fail": {"Type": "Fail", "Error": "Timeout"}}}
class P(MockProvider):
    def response(self, state, i):
        return m.MockResponse(result={"PipelineExecutionStatus": "Succeeded" if i >= 199 else "Executing"})
t0 = time.perf_counter(); total = 0
for _ in range(5):
    r = run_execution(definition, {}, P())
    total += r.transitions
dt = time.perf_counter() - t0
print(f"{total / dt:,.0f} transitions/s ({total} transitions in {dt:.3f} s; status {r.status}, virtual {r.elapsed_seconds:.0f} s)")
'''
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return proc.stdout.strip() or proc.stderr.strip().splitlines()[-1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--group", choices=("all", "cli", "data"), default="all")
    ap.add_argument("--before", metavar="REF", help="with the data group: also measure git REF's source tree")
    args = ap.parse_args()
    sfnc = [sys.executable, "-m", "sfn_compiler"]
    rows = []
    if args.group == "data":
        rows = data_rules(args.repeat, args.before)
        width = max(len(r[0]) for r in rows) + 2
        for name, secs, note in rows:
            print(f"{name:<{width}} {secs:>8.3f}s  {note}")
        out = ROOT / "bench" / "results"
        out.mkdir(exist_ok=True)
        (out / "data.json").write_text(json.dumps({"rows": rows}, indent=2))
        return 0
    t, _ = timed(sfnc + ["--help"], args.repeat)
    rows.append(("sfnc --help (start-up)", t, ""))
    files = corpus_files()
    if files:
        t, code = timed(sfnc + ["validate", "--placeholders", "opaque", "-f", "json", "-o", "/dev/null",
                                *map(str, files)], args.repeat)
        rows.append((f"sfnc validate, whole corpus ({len(files)} files, one process)", t, f"exit {code}"))
    with tempfile.TemporaryDirectory() as tmp:
        t, code = timed(sfnc + ["render", "--all-envs", "--out", tmp], args.repeat)
        rows.append(("sfnc render --all-envs (bundled templates)", t, f"exit {code}"))
    real = ROOT / "tests" / "integrations" / "real"
    if real.is_dir():     # SAM, CDK and Terraform examples: 10 definitions read out of 7 templates/.tf files
        t, code = timed(sfnc + ["validate", "-f", "json", "-o", "/dev/null", str(real)], args.repeat)
        rows.append(("sfnc validate on SAM/CDK/Terraform examples (10 definitions)", t, f"exit {code}"))
        sam = real / "sam-app-meeting-summarization"
        with tempfile.TemporaryDirectory() as tmp:
            t, code = timed(sfnc + ["-C", tmp, "import", str(sam / "template.yaml"), "--dry-run"], args.repeat)
            rows.append(("sfnc import of a SAM template (5 machines, render-checked)", t, f"exit {code}"))
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'benchmark':<{width}} {'median':>9}  note")
    for name, secs, note in rows:
        print(f"{name:<{width}} {secs:>8.3f}s  {note}")
    print("\nanchors (reference/validator-anchors.md §6, same kind of machine, whole corpus in one process):")
    for name, secs in ANCHORS.items():
        print(f"  {name:<{width - 2}} {secs:>8.2f}s")
    speed = simulator_speed()
    if speed:
        print(f"\nsimulator: {speed}")
    if args.group == "all":
        print("\ndata rules (CPU time):")
        data = data_rules(args.repeat, args.before)
        for name, secs, note in data:
            print(f"  {name:<{width - 2}} {secs:>8.3f}s  {note}")
        rows += data
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"rows": rows, "simulator": speed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
