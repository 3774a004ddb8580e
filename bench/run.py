#!/usr/bin/env python3
"""sfnc benchmarks: whole CLI runs in subprocesses, reported as times and as ratios measured in the same run.
Never asserted in tests (speed depends on the machine); compare runs with `--compare`.

Measures
- start-up: `sfnc --help` and `sfnc validate` of one small file (cold, and with a warm result cache), each
  as a ratio to `python -c pass` (medians of alternating runs), the same with sfnc's own modules lacking
  bytecode, and the floor typer sets: `import typer` and a two-command typer app's `--help`;
- the whole shared corpus (../shared/corpus/real + peers) validated in one process, against PyPI's
  statelint 3.1.0 on the same files (skipped when statelint is not installed, see below), with a cold
  result cache (`--no-cache`; also with `-j 1` and `-j 2`) and a warm one;
- parallel: the first N corpus files and four large synthetic ones with `-j 1` and `-j 2`, cold (where a
  worker pays sets the default; meaningful only on an otherwise idle machine);
- synthetic definitions from bench/synth.py (locks, poll loops, Map, Parallel, Retry/Catch, Assign-heavy):
  1k states, 1 MiB (~1,800 states), 10k and 50k states, each with a pool of 20 and of 500 variable names:
  wall and CPU time and peak RSS of `sfnc validate --no-cache` in its own process (the median of 5 runs for
  1k and 1 MiB, one run for 10k and 50k), and the growth exponent (slope of log(time - start-up) against
  log(states), least squares);
- 320 re-joining Choice diamonds with an Assign on each branch;
- the simulator: state transitions per second on a Pass/Choice loop and on a poll loop;
- `sfnc render --all-envs` and `sfnc validate` (all envs, cold and warm) on the bundled templates;
- integrations: `sfnc validate` on the SAM/CDK/Terraform examples in tests/integrations/real (cold and
  warm) and `sfnc import --dry-run` of one SAM template;
- in-process timings from bench/timings.py (the rule groups over the corpus, simulator edge cases);
- data: what the `data` rules (the shape inference and the AWS API models) cost: `sfnc validate` with every
  rule against `--ignore data`, CPU time, median of at least 11 alternating runs, on the bundled project,
  the corpus and a synthetic 10,000-state definition (bench/shapes.py). Before/after a change: run
  `--only data --label before` on the old commit and `--only data --compare bench/results/before.json`.

Usage
    python bench/run.py                 # everything (several minutes)
    python bench/run.py --quick         # a short run: small sizes, fewer repeats
    python bench/run.py --only scale    # groups: startup, corpus, parallel, scale, diamonds, simulator, project,
                                        # integrations, timings, data
    python bench/run.py --label before  # also keep bench/results/before.json
    python bench/run.py --compare bench/results/before.json   # print the saved run beside this one

Results: a table on stdout, JSON in bench/results/latest.json (and <label>.json); bench/results/ is
gitignored. Each validate run has a time limit (--timeout) and an address-space limit (--mem-limit),
so a pathological case reports "timeout" / "out of memory" instead of stalling the machine.

statelint: `python -m venv bench/.statelint && bench/.statelint/bin/pip install statelint==3.1.0`
(or set SFNC_BENCH_STATELINT to its executable; a `statelint` on PATH is used otherwise).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT / "bench"))
import synth  # noqa: E402

SFNC = [sys.executable, "-m", "sfn_compiler"]
GROUPS = ("startup", "corpus", "parallel", "scale", "diamonds", "simulator", "project", "integrations", "timings",
          "data")
# other validators on the whole corpus, one process, same kind of machine (reference/validator-anchors.md §6)
ANCHORS = {"asl-validator 4.0.0 (315 files)": 15.50, "cfn-lint 1.51.0 (315 files)": 5.15,
           "@wmfs/statelint 1.30.0 (315 files)": 0.30, "statelint (PyPI) 3.1.0 (315 files)": 0.10}
# sfnc runs import the package from a copy compiled to bytecode (as a pip install is), so a source
# tree without .pyc files (an editable install with PYTHONDONTWRITEBYTECODE) does not skew the numbers;
# set by prepare_package()
SFNC_ENV: dict[str, str] | None = None


NO_CACHE: list[str] = []   # ["--no-cache"] when this sfnc has a result cache (set in main)


def prepare_package(tmp: Path) -> Path | None:
    """Copy the installed sfn_compiler package to `tmp`/bytecode, compile it, and point SFNC_ENV at it."""
    global SFNC_ENV
    pkg = _package_dir()
    if pkg is None:
        return None
    dest = tmp / "bytecode"
    shutil.copytree(pkg, dest / pkg.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest)], check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(dest), os.environ.get("PYTHONPATH")])))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("SFNC_NO_CACHE", None)
    SFNC_ENV = env
    return dest


# --------------------------------------------------------------------------------------------------
# running things


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    code: int | None      # None: killed (timeout)
    status: str = "ok"    # ok | timeout | out of memory | failed


def run_once(cmd: list[str], *, cwd: Path, timeout: float | None = None, mem_limit_mb: int | None = None,
             env: dict[str, str] | None = None) -> Run:
    """Run `cmd` with stdout/stderr discarded (stderr kept for a failure); wall, CPU and peak RSS from
    wait4."""
    def limits() -> None:
        if mem_limit_mb:
            lim = mem_limit_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (lim, lim))

    err = tempfile.TemporaryFile()
    hwm = None
    if cmd[:3] == SFNC and env is None:
        env = SFNC_ENV
    if cmd[:3] == SFNC:  # peak RSS from the process itself (see _hwm.py)
        fd, hwm = tempfile.mkstemp(prefix="sfnc-bench-hwm-")
        os.close(fd)
        cmd = [sys.executable, str(ROOT / "bench" / "_hwm.py")] + cmd[1:]
        env = dict(env if env is not None else os.environ, SFNC_BENCH_HWM=hwm)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL,
                            env=env, preexec_fn=limits if mem_limit_mb else None, start_new_session=True)
    deadline = None if timeout is None else t0 + timeout
    status = "ok"
    while True:
        pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pid, st, ru = os.wait4(proc.pid, 0)
            status = "timeout"
            break
        time.sleep(0.002)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(st)
    code = None if status == "timeout" else proc.returncode
    err.seek(0)
    tail = err.read()[-4000:].decode("utf-8", "replace")
    err.close()
    if status == "ok" and code not in (0, 1):
        status = "out of memory" if "MemoryError" in tail or code == -9 else "failed"
    if status == "ok" and "crashed: MemoryError" in tail:
        status = "out of memory"
    rss_kb = ru.ru_maxrss
    if hwm is not None:
        try:
            text = Path(hwm).read_text().strip()
            if text:
                rss_kb = int(text)
        finally:
            os.unlink(hwm)
    return Run(wall, ru.ru_utime + ru.ru_stime, rss_kb / 1024, code, status)


def median_runs(cmds: dict[str, list[str]], repeat: int, *, cwd: Path, env: dict[str, str] | None = None,
                timeout: float | None = None) -> dict[str, Run]:
    """Each command `repeat` times, alternating between them; the run with the median wall time of each."""
    runs: dict[str, list[Run]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for k, cmd in cmds.items():
            runs[k].append(run_once(cmd, cwd=cwd, env=env, timeout=timeout))
    out = {}
    for k, rs in runs.items():
        rs.sort(key=lambda r: r.wall)
        out[k] = rs[len(rs) // 2]
    return out


@dataclass
class Row:
    group: str
    name: str
    wall: float | None = None          # seconds
    cpu: float | None = None
    rss_mb: float | None = None
    ratio: float | None = None         # against `versus`
    versus: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------
# start-up


def bench_startup(rows: list[Row], repeat: int, tmp: Path) -> None:
    """sfnc is imported from two copies of the installed package: one compiled to bytecode (what a pip
    install gives: pip compiles at install time) and one without bytecode and with bytecode writing off
    (an editable install under PYTHONDONTWRITEBYTECODE=1, or a read-only install without .pyc files)."""
    small = tmp / "small.json"
    small.write_text(synth.dump(synth.generate(8, 6)))
    pkg = _package_dir()
    if pkg is None or SFNC_ENV is None:
        rows.append(Row("startup", "start-up", note="skipped: sfn_compiler is not importable"))
        return
    without_bc = tmp / "nobytecode"
    shutil.copytree(pkg, without_bc / pkg.name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    env_bc = SFNC_ENV
    env_nbc = dict(os.environ, PYTHONPATH=str(without_bc), PYTHONDONTWRITEBYTECODE="1", SFNC_NO_CACHE="1")
    # plain `python -m sfn_compiler` (no _hwm.py wrapper, which would add its own start-up)
    help_ = [sys.executable, "-m", "sfn_compiler", "--help"]
    val = [sys.executable, "-m", "sfn_compiler", "validate", *NO_CACHE, "-f", "json", str(small)]
    warm = [sys.executable, "-m", "sfn_compiler", "validate", "-f", "json", str(small)]
    typer_app = tmp / "typer_app.py"  # the floor: typer itself, and a two-command typer app's --help
    typer_app.write_text("import typer\napp = typer.Typer(add_completion=False, rich_markup_mode=None)\n"
                         "@app.callback()\ndef root(debug: bool = False) -> None:\n    pass\n"
                         "@app.command()\ndef validate(path: str) -> None:\n    pass\napp()\n")
    cmds = {"pass": [sys.executable, "-c", "pass"], "typer": [sys.executable, "-c", "import typer"],
            "typer-app": [sys.executable, str(typer_app), "--help"],
            "help": help_, "validate": val, "help-nbc": help_, "validate-nbc": val}
    envs = {"help-nbc": env_nbc, "validate-nbc": env_nbc}
    if NO_CACHE:
        cmds["warm"] = warm
        run_once(warm, cwd=tmp, env=env_bc)  # fill the cache
    runs: dict[str, list[Run]] = {k: [] for k in cmds}
    for _ in range(repeat):  # alternating, so load changes hit every command alike
        for k, cmd in cmds.items():
            runs[k].append(run_once(cmd, cwd=tmp, env=envs.get(k, env_bc)))
    r = {k: sorted(v, key=lambda x: x.wall)[len(v) // 2] for k, v in runs.items()}
    base = r["pass"].wall
    size = f"{small.stat().st_size / 1024:.1f} KB"
    names = {"pass": "python -c pass", "typer": "python -c 'import typer' (floor)",
             "typer-app": "a two-command typer app --help (floor)", "help": "sfnc --help",
             "validate": f"sfnc validate one small file ({size}), cold",
             "warm": f"sfnc validate one small file ({size}), warm cache",
             "help-nbc": "sfnc --help, no bytecode for sfnc",
             "validate-nbc": "sfnc validate one small file, cold, no bytecode for sfnc"}
    for key in cmds:
        x = r[key]
        rows.append(Row("startup", names[key], x.wall, x.cpu, None, None if key == "pass" else x.wall / base,
                        None if key == "pass" else "python -c pass",
                        note=("" if key == "pass" else f"cpu {x.cpu / r['pass'].cpu:.2f}x; ") +
                             ("" if x.code in (0, None) or key in ("help", "help-nbc") else f"exit {x.code}")))


def _package_dir() -> Path | None:
    try:
        import sfn_compiler
    except ImportError:
        return None
    return Path(sfn_compiler.__file__).resolve().parent


# --------------------------------------------------------------------------------------------------
# corpus


def corpus_files() -> list[Path]:
    files: list[Path] = []
    for sub in ("real", "peers"):
        d = SHARED / "corpus" / sub
        if d.is_dir():
            files += sorted(p for p in d.rglob("*") if p.suffix in (".json", ".json5") and p.is_file())
    return files


def statelint_cmd() -> list[str] | None:
    for cand in (os.environ.get("SFNC_BENCH_STATELINT"), str(ROOT / "bench" / ".statelint" / "bin" / "statelint"),
                 shutil.which("statelint")):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            try:
                out = subprocess.run([cand, "--version"], capture_output=True, text=True, timeout=30)
            except (OSError, subprocess.SubprocessError):
                continue
            if out.returncode == 0:
                return [cand]
    return None


def _has_cache_option() -> bool:
    out = subprocess.run(SFNC + ["validate", "--help"], capture_output=True, text=True, cwd=ROOT, env=SFNC_ENV)
    return "--no-cache" in out.stdout


def bench_corpus(rows: list[Row], repeat: int, tmp: Path) -> None:
    files = corpus_files()
    if not files:
        rows.append(Row("corpus", "shared corpus", note="skipped: ../shared/corpus is absent"))
        return
    json_files = []
    for f in files:
        try:
            json.loads(f.read_text(encoding="utf-8"))
            json_files.append(f)
        except (ValueError, UnicodeDecodeError):
            pass
    argv = ["validate", "--placeholders", "opaque", "-f", "json"]
    cache = bool(NO_CACHE)

    def cold_cmd(paths: list[Path], *extra: str) -> list[str]:
        return SFNC + argv + NO_CACHE + list(extra) + [str(p) for p in paths]

    cwd = tmp / "corpus-cwd"
    cwd.mkdir()
    r = median_runs({"all": cold_cmd(files)}, repeat, cwd=cwd)["all"]
    rows.append(Row("corpus", f"sfnc validate, whole corpus ({len(files)} files, one process)", r.wall, r.cpu,
                    r.rss_mb, note=f"exit {r.code}"))
    sl = statelint_cmd()
    cmds = {"sfnc": cold_cmd(json_files)}
    if sl:
        cmds["statelint"] = sl + [str(p) for p in json_files]
    res = median_runs(cmds, repeat, cwd=cwd)
    s = res["sfnc"]
    label = f"{len(json_files)} JSON files"
    if sl:
        t = res["statelint"]
        rows.append(Row("corpus", f"statelint 3.1.0 ({label}, one process)", t.wall, t.cpu, t.rss_mb,
                        note=f"exit {t.code}"))
        rows.append(Row("corpus", f"sfnc validate, cold cache ({label})", s.wall, s.cpu, s.rss_mb,
                        s.wall / t.wall, "statelint", note=f"exit {s.code}; cpu {s.cpu / t.cpu:.2f}x"))
    else:
        rows.append(Row("corpus", f"sfnc validate, cold cache ({label})", s.wall, s.cpu, s.rss_mb,
                        note="statelint not installed: no ratio (see bench/run.py's docstring)"))
    if not cache:
        rows.append(Row("corpus", f"sfnc validate, warm cache ({label})", versus="statelint",
                        note="N/A: sfnc validate has no result cache yet (--no-cache)"))
        return
    jobs = median_runs({"j1": cold_cmd(json_files, "-j", "1"), "j2": cold_cmd(json_files, "-j", "2")}, repeat,
                       cwd=cwd)
    for k, n in (("j1", 1), ("j2", 2)):
        x = jobs[k]
        rows.append(Row("corpus", f"sfnc validate, cold cache, -j {n} ({label})", x.wall, x.cpu, x.rss_mb,
                        x.wall / res["statelint"].wall if sl else None, "statelint" if sl else None,
                        note=f"exit {x.code}"))
    warm_cwd = tmp / "corpus-warm"
    warm_cwd.mkdir()
    warm = SFNC + argv + [str(p) for p in json_files]
    run_once(warm, cwd=warm_cwd)  # fill the cache
    w = median_runs({"warm": warm}, repeat, cwd=warm_cwd)["warm"]
    rows.append(Row("corpus", f"sfnc validate, warm cache ({label})", w.wall, w.cpu, w.rss_mb,
                    w.wall / res["statelint"].wall if sl else None, "statelint" if sl else None,
                    note=f"exit {w.code}; {w.wall / s.wall:.2f}x cold"))


# --------------------------------------------------------------------------------------------------
# synthetic scale


def _slope(points: list[tuple[float, float]]) -> float | None:
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = statistics.fmean(p[0] for p in pts)
    my = statistics.fmean(p[1] for p in pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def bench_scale(rows: list[Row], args: argparse.Namespace, tmp: Path) -> None:
    sizes: list[tuple[str, Any]] = [("1k", 1000), ("1 MiB", "1MiB")]
    if not args.quick:
        sizes += [("10k", 10_000), ("50k", 50_000)]
    base = run_once(SFNC + ["validate", *NO_CACHE, "-f", "json", str(_tiny(tmp))], cwd=tmp)
    for nvars, vlabel in ((20, "few (20)"), (500, "many (500)")):
        points = []
        rss_points = []
        skip_rest = False
        for label, size in sizes:
            name = f"validate {label} states, {vlabel} variables" if label != "1 MiB" else \
                f"validate 1 MiB definition, {vlabel} variables"
            if skip_rest:
                rows.append(Row("scale", name, note="skipped: a smaller size already hit a limit"))
                continue
            d = synth.sized(1_048_576, nvars) if size == "1MiB" else synth.generate(size, nvars)
            text = synth.dump(d)
            path = tmp / f"synth-{label.replace(' ', '')}-{nvars}.json"
            path.write_text(text)
            nstates = synth._count(d["States"])
            if len(text.encode()) > _document_limit():
                rows.append(Row("scale", name, note=f"not run: {len(text) / 1048576:.1f} MiB ({nstates:,} states) is over "
                                f"sfnc's {_document_limit() // 1048576} MiB document limit (load/limits.py; "
                                "AWS's limit is 1 MiB)", extra={"states": nstates, "bytes": len(text),
                                                                "status": "over the document limit"}))
                skip_rest = True
                continue
            # the sizes that take under a second: the median of 5 runs (one run moves 10-30% on a shared VM)
            runs = [run_once(SFNC + ["validate", *NO_CACHE, "-f", "json", str(path)], cwd=tmp, timeout=args.timeout,
                             mem_limit_mb=args.mem_limit) for _ in range(1 if label in ("10k", "50k") else 5)]
            r = sorted(runs, key=lambda x: x.wall)[len(runs) // 2]
            note = f"{nstates:,} states, {len(text) / 1048576:.2f} MiB"
            if r.status != "ok":
                rows.append(Row("scale", name, r.wall, r.cpu, r.rss_mb, note=f"{r.status}; {note}",
                                extra={"states": nstates, "bytes": len(text), "status": r.status}))
                skip_rest = True
                continue
            rows.append(Row("scale", name, r.wall, r.cpu, r.rss_mb, note=f"exit {r.code}; {note}",
                            extra={"states": nstates, "bytes": len(text), "status": r.status}))
            points.append((nstates, r.cpu - base.cpu))
            rss_points.append((nstates, r.rss_mb - base.rss_mb))
        k = _slope(points)
        kr = _slope(rss_points)
        rows.append(Row("scale", f"growth exponent, {vlabel} variables",
                        note=(f"time ~ n^{k:.2f}" if k is not None else "time: n/a") +
                             (f", memory ~ n^{kr:.2f}" if kr is not None else "") +
                             f" (CPU minus start-up, {len(points)} sizes)",
                        extra={"time_exponent": k, "rss_exponent": kr}))


def _document_limit() -> int:
    """sfnc's limit on a document's size (read from the source tree: bench runs that tree)."""
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from sfn_compiler.load.limits import MAX_DOCUMENT_BYTES
    finally:
        sys.path.pop(0)
    return MAX_DOCUMENT_BYTES


def _tiny(tmp: Path) -> Path:
    p = tmp / "tiny.json"
    p.write_text(json.dumps({"QueryLanguage": "JSONata", "StartAt": "A",
                             "States": {"A": {"Type": "Pass", "End": True}}}))
    return p


def bench_diamonds(rows: list[Row], args: argparse.Namespace, tmp: Path) -> None:
    path = tmp / "diamonds.json"
    path.write_text(synth.dump(synth.diamonds(320)))
    r = run_once(SFNC + ["validate", *NO_CACHE, "-f", "json", str(path)], cwd=tmp, timeout=args.timeout,
                 mem_limit_mb=args.mem_limit)
    rows.append(Row("diamonds", "validate 320 re-joining Choice diamonds", r.wall, r.cpu, r.rss_mb,
                    note=r.status if r.status != "ok" else f"exit {r.code}"))


# --------------------------------------------------------------------------------------------------
# simulator

SIM_CODE = r'''
import json, sys, time
from sfn_compiler.simulate import run_execution, MockProvider
from sfn_compiler.simulate import mocks as m
iterations, rounds = int(sys.argv[1]), int(sys.argv[2])
loop = {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
  "Init": {"Type": "Pass", "Assign": {"n": 0, "total": 0}, "Next": "Step"},
  "Step": {"Type": "Pass", "Assign": {"n": "{% $n + 1 %}", "total": "{% $total + $states.input.batch.size %}"},
           "Next": "Check"},
  "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $n >= " + str(iterations) + " %}", "Next": "Done"}],
            "Default": "Step"},
  "Done": {"Type": "Succeed", "Output": "{% {'n': $n, 'total': $total} %}"}}}
poll = {"QueryLanguage": "JSONata", "StartAt": "Init", "States": {
  "Init": {"Type": "Pass", "Assign": {"n": 0}, "Next": "Poll"},
  "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sagemaker:describePipelineExecution",
           "Arguments": {"PipelineExecutionArn": "arn"},
           "Assign": {"n": "{% $n + 1 %}", "status": "{% $states.result.PipelineExecutionStatus %}"}, "Next": "Check"},
  "Check": {"Type": "Choice", "Choices": [{"Condition": "{% $status = 'Succeeded' %}", "Next": "Done"},
                                          {"Condition": "{% $n >= 1000 %}", "Next": "Fail"}], "Default": "Wait"},
  "Wait": {"Type": "Wait", "Seconds": 60, "Next": "Poll"},
  "Done": {"Type": "Succeed"}, "Fail": {"Type": "Fail", "Error": "Timeout"}}}
class P(MockProvider):
    def response(self, state, i):
        return m.MockResponse(result={"PipelineExecutionStatus": "Succeeded" if i >= iterations // 3 else "Executing"})
out = {}
for name, d, prov in (("loop", loop, None), ("poll", poll, P)):
    total = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        r = run_execution(d, {"batch": {"size": 2}}, prov() if prov else None, max_transitions=10**7)
        total += r.transitions
    out[name] = {"transitions": total, "seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                 "status": r.status}
print(json.dumps(out))
'''


def bench_simulator(rows: list[Row], args: argparse.Namespace) -> None:
    iterations, rounds = (1000, 2) if args.quick else (5000, 3)
    proc = subprocess.run([sys.executable, "-c", SIM_CODE, str(iterations), str(rounds)], capture_output=True,
                          text=True, cwd=ROOT, env=SFNC_ENV)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        rows.append(Row("simulator", "simulator", note=f"failed: {tail}"))
        return
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    labels = {"loop": "simulator, Pass/Choice loop", "poll": "simulator, Task/Choice/Wait poll loop (mocked)"}
    for k, v in data.items():
        rate = v["transitions"] / v["seconds"]
        cpu_rate = v["transitions"] / v["cpu"]
        rows.append(Row("simulator", labels[k], v["seconds"], v["cpu"],
                        note=f"{rate:,.0f} transitions/s ({cpu_rate:,.0f} per CPU second; {v['transitions']:,} "
                             f"transitions, {v['status']})",
                        extra={"transitions_per_s": rate, "transitions_per_cpu_s": cpu_rate}))


# --------------------------------------------------------------------------------------------------
# the bundled project


def bench_project(rows: list[Row], repeat: int, tmp: Path) -> None:
    out = tmp / "render-out"
    cache_dir = tmp / "project-cache"   # the warm runs' cache, outside the repository
    env = dict(SFNC_ENV or os.environ, SFNC_CACHE_DIR=str(cache_dir))
    cmds = {"render": SFNC + ["render", "--all-envs", "--out", str(out)],
            "validate": SFNC + ["validate", *NO_CACHE, "-f", "json"]}
    r = median_runs(cmds, repeat, cwd=ROOT, env=env)
    rows.append(Row("project", "sfnc render --all-envs (bundled templates)", r["render"].wall, r["render"].cpu,
                    r["render"].rss_mb, note=f"exit {r['render'].code}"))
    rows.append(Row("project", "sfnc validate, all envs (bundled templates), cold", r["validate"].wall,
                    r["validate"].cpu, r["validate"].rss_mb, note=f"exit {r['validate'].code}"))
    if NO_CACHE:
        warm = SFNC + ["validate", "-f", "json"]
        run_once(warm, cwd=ROOT, env=env)
        w = median_runs({"warm": warm}, repeat, cwd=ROOT, env=env)["warm"]
        rows.append(Row("project", "sfnc validate, all envs (bundled templates), warm cache", w.wall, w.cpu,
                        w.rss_mb, w.wall / r["validate"].wall, "cold", note=f"exit {w.code}"))


# --------------------------------------------------------------------------------------------------
# the data rules (shapes and the AWS API models)


def bench_data(rows: list[Row], repeat: int, tmp: Path) -> None:
    """What the `data` group (SFN8xx: the shape inference and the AWS API models it reads) costs: `sfnc
    validate --no-cache` with every rule against `--ignore data`, in CPU time (median of `repeat` alternating
    runs), on the bundled project, the shared corpus and a synthetic 10,000-state definition
    (bench/shapes.py: locks, pipeline polls, DynamoDB reads, Maps, variables)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from shapes import synthetic

    synth10k = tmp / "data-synthetic-10000.json"
    synth10k.write_text(json.dumps(synthetic(10_000)))
    cases: list[tuple[str, list[str], Path, int]] = [("bundled project (32 definitions)", [], ROOT, repeat)]
    files = corpus_files()
    if files:
        cases.append((f"shared corpus ({len(files)} files)",
                      ["--placeholders", "opaque", *map(str, files)], ROOT, repeat))
    cases.append(("synthetic 10,000 states", [str(synth10k)], tmp, max(3, repeat // 3)))
    for label, args, cwd, n in cases:
        cmd = SFNC + ["validate", *NO_CACHE, "-f", "json", *args]
        cpu: dict[str, list[float]] = {"all": [], "off": []}
        code: dict[str, int | None] = {}
        for _ in range(n):
            for key, extra in (("all", []), ("off", ["--ignore", "data"])):
                r = run_once(cmd + extra, cwd=cwd)
                cpu[key].append(r.cpu)
                code[key] = r.code
        on, off = statistics.median(cpu["all"]), statistics.median(cpu["off"])
        rows.append(Row("data", f"validate {label}, --ignore data", cpu=off, note=f"exit {code['off']}; n={n}"))
        rows.append(Row("data", f"validate {label}, every rule", cpu=on, ratio=on / off, versus="--ignore data",
                        note=f"exit {code['all']}; n={n}; the data rules add {(on / off - 1) * 100:+.0f}% CPU"))


# --------------------------------------------------------------------------------------------------
# templates of other tools (SAM, CDK, Terraform)


def bench_integrations(rows: list[Row], repeat: int, tmp: Path) -> None:
    real = ROOT / "tests" / "integrations" / "real"
    if not real.is_dir():
        rows.append(Row("integrations", "SAM/CDK/Terraform examples", note="skipped: tests/integrations/real is absent"))
        return
    cache_dir = tmp / "integrations-cache"
    env = dict(SFNC_ENV or os.environ, SFNC_CACHE_DIR=str(cache_dir))
    validate = SFNC + ["validate", "-f", "json", str(real)]
    sam = real / "sam-app-meeting-summarization" / "template.yaml"
    imp = tmp / "import-project"
    imp.mkdir()
    cmds = {"cold": SFNC + ["validate", *NO_CACHE, "-f", "json", str(real)],
            "import": SFNC + ["-C", str(imp), "import", str(sam), "--dry-run"]}
    r = median_runs(cmds, repeat, cwd=ROOT, env=env)
    rows.append(Row("integrations", "sfnc validate, SAM/CDK/Terraform examples, cold", r["cold"].wall, r["cold"].cpu,
                    r["cold"].rss_mb, note=f"exit {r['cold'].code}"))
    if NO_CACHE:
        run_once(validate, cwd=ROOT, env=env)
        w = median_runs({"warm": validate}, repeat, cwd=ROOT, env=env)["warm"]
        rows.append(Row("integrations", "sfnc validate, SAM/CDK/Terraform examples, warm cache", w.wall, w.cpu,
                        w.rss_mb, w.wall / r["cold"].wall, "cold", note=f"exit {w.code}"))
    rows.append(Row("integrations", "sfnc import --dry-run of a SAM template", r["import"].wall, r["import"].cpu,
                    r["import"].rss_mb, note=f"exit {r['import'].code}"))


# --------------------------------------------------------------------------------------------------
# worker processes: where -j 2 starts to pay


def bench_parallel(rows: list[Row], repeat: int, tmp: Path) -> None:
    """Cold validate of the first N corpus files, and of four large synthetic files, with -j 1 and -j 2:
    where a worker pays sets pipeline/results.py's PARALLEL_MIN_BYTES (only on a machine with idle CPUs;
    the load average is printed beside each row)."""
    files = [f for f in corpus_files() if f.suffix == ".json"]
    if not files or not NO_CACHE:
        rows.append(Row("parallel", "-j 1 vs -j 2", note="skipped: no corpus or no -j"))
        return
    cwd = tmp / "parallel-cwd"
    cwd.mkdir()
    sets: list[tuple[str, list[str]]] = []
    for n in (16, 32, 48, 96, 192, len(files)):
        part = [str(f) for f in files[:n]]
        kb = sum(f.stat().st_size for f in files[:n]) / 1024
        sets.append((f"{n} corpus files ({kb:,.0f} KB)", part))
    big = []
    for i in range(4):
        p = tmp / f"parallel-{i}.json"
        p.write_text(synth.dump(synth.generate(600, 20)))
        big.append(str(p))
    sets.append((f"4 synthetic 600-state files ({4 * Path(big[0]).stat().st_size / 1024:,.0f} KB)", big))
    base = SFNC + ["validate", *NO_CACHE, "--placeholders", "opaque", "-f", "json"]
    for label, part in sets:
        r = median_runs({"j1": base + ["-j", "1"] + part, "j2": base + ["-j", "2"] + part}, repeat, cwd=cwd)
        rows.append(Row("parallel", f"{label}, -j 2 vs -j 1", r["j2"].wall, r["j2"].cpu, r["j2"].rss_mb,
                        r["j2"].wall / r["j1"].wall, "-j 1",
                        note=f"-j 1: {r['j1'].wall:.3f}s wall, {r['j1'].cpu:.3f}s cpu; load average "
                             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"))


# --------------------------------------------------------------------------------------------------
# in-process timings (bench/timings.py)


def bench_timings(rows: list[Row], repeat: int) -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "timings.py"), "--json", "--repeat", str(repeat)],
                          capture_output=True, text=True, cwd=ROOT, env=SFNC_ENV)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
        rows.append(Row("timings", "bench/timings.py", note=f"failed: {tail}"))
        return
    for name, secs in json.loads(proc.stdout.strip().splitlines()[-1]):
        rows.append(Row("timings", name, secs, note="in-process, median"))


# --------------------------------------------------------------------------------------------------
# output


def _fmt(v: float | None, unit: str = "s") -> str:
    if v is None:
        return "-"
    if unit == "s":
        return f"{v:.3f}s" if v < 100 else f"{v:.0f}s"
    if unit == "x":
        return f"{v:.2f}x"
    return f"{v:.0f}"


def print_table(rows: list[Row], before: dict[str, dict[str, Any]] | None = None) -> None:
    width = max(len(r.name) for r in rows) + 2
    head = f"{'benchmark':<{width}} {'wall':>9} {'cpu':>9} {'rss MB':>7} {'ratio':>8}"
    if before:  # CPU time where both runs have it (less sensitive to other load than wall time)
        head += f" {'before':>9} {'speed-up':>8} {'rss before':>10}"
    print(head + "  note")
    group = None
    for r in rows:
        if r.group != group:
            group = r.group
            print(f"-- {group}")
        line = (f"{r.name:<{width}} {_fmt(r.wall):>9} {_fmt(r.cpu):>9} {_fmt(r.rss_mb, 'mb'):>7} "
                f"{_fmt(r.ratio, 'x'):>8}")
        if before:
            b = before.get(r.name) or {}
            if b.get("cpu") and r.cpu:
                bt, t, unit = b["cpu"], r.cpu, "cpu"
            else:
                bt, t, unit = b.get("wall"), r.wall, "wall"
            line += (f" {_fmt(bt):>9} {_fmt(bt / t if bt and t else None, 'x'):>8}"
                     f" {_fmt(b.get('rss_mb'), 'mb'):>10}")
            if bt and t and unit == "wall":
                line += " (wall)"
        note = r.note + (f" (vs {r.versus})" if r.versus and r.ratio is not None else "")
        print(line + "  " + note)


def main() -> int:
    ap = argparse.ArgumentParser(description="sfnc benchmarks (see the module docstring)")
    ap.add_argument("--quick", action="store_true", help="a short run: small sizes, fewer repeats")
    ap.add_argument("--repeat", type=int, default=None, help="runs per timing (median; default 5, quick 3)")
    ap.add_argument("--only", default=None, help="comma-separated groups: " + ", ".join(GROUPS))
    ap.add_argument("--timeout", type=float, default=None, help="seconds per validate run (default 600, quick 120)")
    ap.add_argument("--mem-limit", type=int, default=4096, help="MB of address space per validate run")
    ap.add_argument("--label", default=None, help="also write bench/results/<label>.json")
    ap.add_argument("--compare", type=Path, default=None,
                    help="a saved results JSON to print beside this run (CPU times where both have them)")
    args = ap.parse_args()
    repeat = args.repeat or (3 if args.quick else 5)
    if args.timeout is None:
        args.timeout = 120.0 if args.quick else 600.0
    groups = set(GROUPS) if not args.only else set(args.only.split(","))
    unknown = groups - set(GROUPS)
    if unknown:
        ap.error(f"unknown group(s): {', '.join(sorted(unknown))}")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sfnc-bench-") as t:
        tmp = Path(t)
        prepare_package(tmp)
        if _has_cache_option():
            NO_CACHE.append("--no-cache")
        if "startup" in groups:
            bench_startup(rows, repeat, tmp)
        if "corpus" in groups:
            bench_corpus(rows, repeat, tmp)
        if "scale" in groups:
            bench_scale(rows, args, tmp)
        if "diamonds" in groups:
            bench_diamonds(rows, args, tmp)
        if "simulator" in groups:
            bench_simulator(rows, args)
        if "project" in groups:
            bench_project(rows, repeat, tmp)
        if "integrations" in groups:
            bench_integrations(rows, repeat, tmp)
        if "parallel" in groups:
            bench_parallel(rows, repeat, tmp)
        if "timings" in groups:
            bench_timings(rows, repeat)
        if "data" in groups:
            bench_data(rows, max(repeat, 11), tmp)
    before = None
    if args.compare:
        saved = json.loads(args.compare.read_text(encoding="utf-8"))
        before = {r["name"]: r for r in saved["rows"]}
    print_table(rows, before)
    if "corpus" in groups:
        print("\nanchors (reference/validator-anchors.md §6, same kind of machine, whole corpus in one process):")
        for name, secs in ANCHORS.items():
            print(f"  {name:<45} {secs:>8.2f}s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = {"meta": {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "python": sys.version.split()[0],
                     "machine": platform.machine(), "cpus": os.cpu_count(), "quick": args.quick,
                     "repeat": repeat, "commit": _commit(), "package": str(_package_dir())},
            "rows": [asdict(r) for r in rows]}
    text = json.dumps(data, indent=2) + "\n"
    (RESULTS / "latest.json").write_text(text)
    if args.label:
        (RESULTS / f"{args.label}.json").write_text(text)
    print(f"\nresults: {RESULTS / 'latest.json'}" + (f" and {args.label}.json" if args.label else ""))
    return 0


def _commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
        return out.stdout.strip() or None
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
