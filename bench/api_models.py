#!/usr/bin/env python3
"""The cost of checking Task arguments, error names and mocks against the AWS API models (issue 12), measured,
never asserted: whole CLI runs (CPU seconds of the process, median of N), each with and without the new checks.

- `sfnc validate` on the bundled project (every env) and on the shared real corpus, with SFN811-SFN820
  ignored ("without") and selected ("with"): what the argument and error-name rules add, botocore models
  included (the models a definition needs load once per process);
- `sfnc test` on the bundled project with `--mock-validation none` ("without") and `strict` ("with"): what
  checking the 160 scenarios' mocks adds.

Runs alternate between the two variants, so a change of the machine's load affects both alike.

Usage: python bench/api_models.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "corpus" / "real"
NEW_RULES = [arg for n in range(811, 821) for arg in ("--ignore", f"SFN{n}")]


def _once(cmd: list[str]) -> tuple[float, int]:
    """The CPU seconds (user + system) the command used: steadier than wall time on a shared machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.returncode


def pair(without: list[str], with_: list[str], repeat: int, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Medians of `repeat` runs of each command, interleaved (the machine's load drifts between runs)."""
    a, b = [], []
    for _ in range(repeat):
        for cmd, out in ((without, a), (with_, b)):
            secs, code = _once(cmd)
            assert code in ok, (cmd[:4], code)      # a usage error would time nothing
            out.append(secs)
    return statistics.median(a), statistics.median(b)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    sfnc = [sys.executable, "-m", "sfn_compiler"]
    rows: list[tuple[str, float, float]] = []
    quiet = ["-f", "json", "-o", "/dev/null"]
    rows.append(("sfnc validate (bundled project, every env)",
                 *pair(sfnc + ["validate", *quiet, *NEW_RULES], sfnc + ["validate", *quiet], args.repeat)))
    files = sorted(str(p) for p in REAL.rglob("*") if p.suffix in (".json", ".json5") and p.is_file()) \
        if REAL.is_dir() else []
    if files:
        base = sfnc + ["validate", "--placeholders", "opaque", *quiet]   # the corpus has findings: exit 1 or 2
        rows.append((f"sfnc validate (shared/corpus/real, {len(files)} files)",
                     *pair(base + [*NEW_RULES, *files], base + files, args.repeat, ok=(1, 2))))
    rows.append(("sfnc test (bundled project, 160 scenarios)",
                 *pair(sfnc + ["test", "--mock-validation", "none"], sfnc + ["test", "--mock-validation", "strict"],
                       args.repeat)))
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'benchmark (CPU seconds, median)':<{width}} {'without':>9} {'with':>9} {'cost':>8}")
    for name, a, b in rows:
        print(f"{name:<{width}} {a:>8.3f}s {b:>8.3f}s {100 * (b - a) / a:>+7.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
