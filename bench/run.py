#!/usr/bin/env python3
"""Benchmarks (never asserted in tests): wall time of whole CLI runs, median of N.

- `sfnc --help` start-up
- `sfnc validate` on the whole shared corpus (real + peers, ~430 files) in one process, beside the
  anchors measured on the same kind of machine (reference/validator-anchors.md §6)
- `sfnc render --all-envs` on the bundled templates
- the simulator's speed (bench/simulator.py --quick: Pass/Choice loops and a polling loop, transitions per
  CPU second); bench/simulator.py alone adds the streamed trace's memory and the recorded executions

Usage: python bench/run.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
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


def corpus_files() -> list[Path]:
    files = []
    for sub in ("real", "peers"):
        d = SHARED / "corpus" / sub
        if d.is_dir():
            files += [p for p in d.rglob("*") if p.suffix in (".json", ".json5") and p.is_file()]
    return files


def simulator_speed() -> str | None:
    """The simulator group: bench/simulator.py --quick (the Pass/Choice loops and the polling loop)."""
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "simulator.py"), "--quick"], capture_output=True,
                          text=True, cwd=ROOT)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        return lines[-1] if lines else None
    return "\n  " + proc.stdout.strip().replace("\n", "\n  ")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    sfnc = [sys.executable, "-m", "sfn_compiler"]
    rows = []
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
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps({"rows": rows, "simulator": speed}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
