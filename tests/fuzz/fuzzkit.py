"""The fuzz suite's kit (docs/hardening.md): the two profiles, the small project every example copies, sfnc
run in-process with a hard time limit, the invariants every run must keep, and named mutation operators.

Invariants (`problems`): the exit code is 0, 1 or 2; no "internal error" and no "Traceback"; every error line
names a file, and a line where the fuzzed file has lines; a run that fails changes no file (the project tree
is compared before and after; a report named by `-o` is written whatever the exit code, as documented); no
command writes outside the project; each run ends within `HARD_SECONDS` (a SIGALRM stops it otherwise).

Every generator draws from named operators. `KNOWN_OPEN` may list operators whose failures are known and
being fixed (each with what fails); the generators leave them out. It is empty: every operator runs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import tempfile
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus" / "real"

# ----------------------------------------------------------------------------------------------- profiles

#: `SFNC_FUZZ=long` selects the long profile (random, many examples); anything else the short CI profile
#: (derandomized: the same examples on every run, a few seconds per test)
PROFILE = "long" if os.environ.get("SFNC_FUZZ", "").strip().lower() == "long" else "ci"
LONG = PROFILE == "long"
#: one sfnc run may take this long (real seconds) before the example fails as unbounded
HARD_SECONDS = 30
#: hypothesis's deadline for one example (several runs); generous: a bound, not a speed test
DEADLINE = timedelta(seconds=120)


#: `SFNC_FUZZ_EXAMPLES=N` sets every test's number of examples.
#: `SFNC_FUZZ_ONLY=tpl.nan-literal,env.` runs only the operators with these names or prefixes (to reproduce
#: or explore one class of inputs); KNOWN_OPEN operators included
ONLY = tuple(x.strip() for x in os.environ.get("SFNC_FUZZ_ONLY", "").split(",") if x.strip())


def fuzz_settings(ci: int, long: int) -> settings:
    """`ci` examples in the short profile (derandomized), `long` in the long one. No shrinking: an example
    that fails names its operators and its inputs, and shrinking runs of up to `HARD_SECONDS` takes hours."""
    count = int(os.environ.get("SFNC_FUZZ_EXAMPLES") or (long if LONG else ci))
    return settings(max_examples=count, derandomize=not LONG, deadline=DEADLINE,
                    database=None, print_blob=True, suppress_health_check=list(HealthCheck),
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


# ----------------------------------------------------------------------------------------------- known open

#: Operators that find known failures being fixed elsewhere, left out of the generators until the fix lands.
#: One entry per failure class: "operator": "what fails". Keep it empty: an entry is a debt, not a waiver.
KNOWN_OPEN: dict[str, str] = {}


def allowed(ops: Iterable[str]) -> list[str]:
    """The operators a generator may use: not in KNOWN_OPEN (or, with SFNC_FUZZ_ONLY, those it names)."""
    ops = list(ops)
    if ONLY:
        chosen = [o for o in ops if o.startswith(ONLY)]
        return chosen or ops
    out = [o for o in ops if o not in KNOWN_OPEN]
    assert out, "every operator of this generator is in KNOWN_OPEN"
    return out


# ----------------------------------------------------------------------------------------------- the project

TEMPLATE = "customer_engagement_weekly"
ENVS = ("_base", "local", "dev")
SCENARIOS = ("happy_path", "training_failed")


def build_base(root: Path) -> Path:
    """A small copy of the bundled project: one template, envs/_base + local + dev, two scenarios, rendered."""
    (root / "templates").mkdir()
    (root / "envs").mkdir()
    sdir = root / "tests" / "scenarios" / TEMPLATE
    sdir.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.sfnc]\n", encoding="utf-8")
    shutil.copy(REPO / "templates" / f"{TEMPLATE}.json", root / "templates")
    for env in ENVS:
        shutil.copy(REPO / "envs" / f"{env}.yaml", root / "envs")
    for sc in SCENARIOS:
        shutil.copy(REPO / "tests" / "scenarios" / TEMPLATE / f"{sc}.yaml", sdir)
    res = sfnc(root, "render", "--all-envs")
    assert res.exit_code == 0, res
    return root


@dataclass
class Sandbox:
    """One example's directory: `root/project` is the project; nothing may appear in `root` beside it."""

    root: Path
    project: Path

    def write(self, rel: str, text: str | bytes) -> Path:
        p = self.project / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_bytes(text.encode("utf-8", "surrogatepass"))
        return p


@contextmanager
def sandbox(base: Path, runs: Path):
    root = Path(tempfile.mkdtemp(dir=runs))
    project = root / "project"
    shutil.copytree(base, project, symlinks=True)
    try:
        yield Sandbox(root, project)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """{relative path: (content digest, mode)} of every file under `root` but the result cache."""
    out: dict[str, tuple[str, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".sfnc_cache"]
        for name in filenames:
            p = Path(dirpath) / name
            try:
                st_ = p.lstat()
                data = p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p).encode()
            except OSError:
                data, st_ = b"", None
            out[str(p.relative_to(root))] = (hashlib.sha1(data).hexdigest(), st_.st_mode if st_ else 0)
    return out


# ----------------------------------------------------------------------------------------------- running sfnc


class Unbounded(BaseException):
    """An sfnc run passed HARD_SECONDS (a BaseException: no `except Exception` in sfnc swallows it)."""


@contextmanager
def hard_limit(seconds: float):
    def fire(signum, frame):
        raise Unbounded(f"the run took more than {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Run:
    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None
    traceback: str = ""

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __repr__(self) -> str:
        return (f"sfnc {' '.join(_short(a) for a in self.args)}\n  exit {self.exit_code}\n  stdout: "
                f"{_short(self.stdout, 1500)}\n  stderr: {_short(self.stderr, 1500)}{self.traceback}")


def _short(text: str, limit: int = 120) -> str:
    text = repr(text) if any(ord(c) < 32 and c != "\n" for c in text) else text
    return text if len(text) <= limit else text[: limit // 2] + f" …({len(text)} chars)… " + text[-limit // 2:]


def sfnc(project: Path, *args: str) -> Run:
    """`sfnc -C project ARGS` in-process (typer's CliRunner), from inside the project, NO_COLOR."""
    import traceback

    from typer.testing import CliRunner

    from sfn_compiler.cli import app

    cwd = os.getcwd()
    os.environ["NO_COLOR"] = "1"
    os.chdir(project)
    try:
        with hard_limit(HARD_SECONDS):
            res = CliRunner().invoke(app, ["-C", str(project), *args], catch_exceptions=True, terminal_width=200)
    except Unbounded as exc:
        return Run(tuple(args), -1, "", "", exc)
    finally:
        os.chdir(cwd)
    exc = res.exception
    if isinstance(exc, SystemExit):
        exc = None
    tb = "".join(traceback.format_exception(*res.exc_info)) if exc is not None and res.exc_info else ""
    return Run(tuple(args), res.exit_code, res.stdout, res.stderr, exc, tb)


# ----------------------------------------------------------------------------------------------- invariants

_ERROR_LINE = re.compile(r"^(?P<where>.*?)(?<![A-Za-z])error: ")
_PLACE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+)(?::\d+)?)?: $")


@dataclass
class Expect:
    """What a run must keep besides the exit code and the absence of internal errors."""

    located: bool = True                   # every error line names a file
    lines_in: tuple[str, ...] = ()         # displayed files that have lines: their errors name one
    writes: bool = False                   # the command may write project files (render, scaffold) when it succeeds
    reports: tuple[str, ...] = ()          # files named by -o (written whatever the exit code)
    xml: bool = False                      # stdout is JUnit XML when the run ends with 0 or 1
    json: bool = False                     # stdout is JSON when the run ends with 0 or 1


def problems(run: Run, before: dict, after: dict, sandbox_entries: list[str], expect: Expect) -> list[str]:
    """What is wrong with one run (empty: nothing)."""
    bad: list[str] = []
    if isinstance(run.exception, Unbounded):
        return [f"unbounded: {run.exception}"]
    if run.exception is not None:
        bad.append(f"uncaught {type(run.exception).__name__}: {run.exception}")
    if run.exit_code not in (0, 1, 2):
        bad.append(f"exit code {run.exit_code}")
    for word in ("internal error", "Traceback"):
        if word in run.output:
            bad.append(f"{word!r} in the output")
    if expect.located:
        for line in run.output.splitlines():
            m = _ERROR_LINE.match(line)
            if not m or line.startswith(("  ", "    ")):
                continue
            where = m["where"]
            if not where:
                bad.append(f"an error without a file: {_short(line, 300)}")
                continue
            place = _PLACE.match(where)
            if place is None:
                continue  # "error:" inside a message (a quoted cause), not a diagnostic's head
            if place["line"] is None and place["file"] in expect.lines_in:
                bad.append(f"an error in {place['file']} without a line: {_short(line, 300)}")
    if sandbox_entries != ["project"]:
        bad.append(f"written outside the project: {sorted(set(sandbox_entries) - {'project'})}")
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k)
                     and k not in expect.reports)
    if changed and (run.exit_code != 0 or not expect.writes):
        bad.append(f"files changed by a run that {'failed' if run.exit_code else 'writes nothing'}: {changed[:8]}")
    if run.exit_code in (0, 1) and expect.xml:
        try:
            ET.fromstring(run.stdout.encode("utf-8", "surrogatepass"))
        except ET.ParseError as exc:
            bad.append(f"JUnit output that does not parse: {exc}")
    if run.exit_code in (0, 1) and expect.json:
        import json

        try:
            json.loads(run.stdout)
        except ValueError as exc:
            bad.append(f"JSON output that does not parse: {exc}")
    return bad


def run_checked(box: Sandbox, args: Iterable[str], expect: Expect | None = None, inputs: dict[str, Any] | None = None
                ) -> Run:
    """Run sfnc in the sandbox's project and assert the invariants; `inputs` are shown on failure."""
    args = tuple(args)
    expect = expect or Expect()
    before = snapshot(box.project)
    run = sfnc(box.project, *args)
    after = snapshot(box.project)
    bad = problems(run, before, after, sorted(os.listdir(box.root)), expect)
    if bad:
        shown = "\n".join(f"  {name}: {_short(str(text), 2000)}" for name, text in (inputs or {}).items())
        raise AssertionError("; ".join(bad) + f"\n{run!r}\ninputs:\n{shown}")
    return run


# ----------------------------------------------------------------------------------------------- mutations


@dataclass
class Op:
    """A named mutation: `apply(text, draw)` returns the new text (draw is hypothesis's `data.draw`)."""

    name: str
    apply: Callable[[str, Callable], str]


@dataclass
class OpTable:
    ops: dict[str, Op] = field(default_factory=dict)

    def add(self, name: str):
        def deco(fn):
            self.ops[name] = Op(name, fn)
            return fn
        return deco

    def names(self) -> list[str]:
        return allowed(self.ops)

    def mutate(self, text: str, draw, max_ops: int = 3) -> tuple[str, list[str]]:
        used = []
        for _ in range(draw(st.integers(1, max_ops))):
            name = draw(st.sampled_from(self.names()))
            text = self.ops[name].apply(text, draw)
            used.append(name)
        return text, used


def _span(text: str, draw) -> tuple[int, int]:
    n = len(text)
    a = draw(st.integers(0, n))
    b = draw(st.integers(a, min(n, a + 64)))
    return a, b


CHARS = st.one_of(
    st.sampled_from(list('{}[]":,\\$%<>#\'\n\t ') + ["${", "$${", "{%", "%}", "<<", ">>", "<%", "%>", "\u2028",
                                                   "é", "\U0001f600", "\\u0000"]),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=8),
)
#: control characters (C0, DEL, C1), a byte-order mark and NUL, raw in the text
CONTROL = st.text(st.characters(whitelist_categories=("Cc",)) | st.sampled_from(["\ufeff", "\x00", "\x85"]),
                  min_size=1, max_size=3)

TEXT_OPS = OpTable()


@TEXT_OPS.add("text.delete")
def _delete(text, draw):
    a, b = _span(text, draw)
    return text[:a] + text[b:]


@TEXT_OPS.add("text.insert")
def _insert(text, draw):
    a = draw(st.integers(0, len(text)))
    return text[:a] + draw(CHARS) + text[a:]


@TEXT_OPS.add("text.insert-control")
def _insert_control(text, draw):
    a = draw(st.integers(0, len(text)))
    return text[:a] + draw(CONTROL) + text[a:]


@TEXT_OPS.add("text.duplicate")
def _duplicate(text, draw):
    a, b = _span(text, draw)
    return text[:b] + text[a:b] + text[b:]


@TEXT_OPS.add("text.truncate")
def _truncate(text, draw):
    return text[: draw(st.integers(0, len(text)))]


# --------------------------------------------------------------------- values a JSON/YAML document may hold

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.sampled_from([0, -1, 2**31, 2**63, 10**20]),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
    st.sampled_from(["", "\x00", "a\tb", "{% $states.input %}", "{% 1/0 %}", "$.x", "$$.Execution.Id",
                     "States.Format('{}', $.a)", "${x}", "$${y}", " ", "🙂", "Lambda.ServiceException",
                     "arn:aws:states:::lambda:invoke", "2025-01-01T00:00:00Z", "null", "[]"]),
)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


def walk_nodes(doc: Any, path: tuple = ()) -> list[tuple]:
    """Every node's path in a parsed document (dict keys and list indexes)."""
    out = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += walk_nodes(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += walk_nodes(v, path + (i,))
    return out


def get_at(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def set_at(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    get_at(doc, path[:-1])[path[-1]] = value
    return doc


def delete_at(doc: Any, path: tuple) -> Any:
    if not path:
        return doc
    parent = get_at(doc, path[:-1])
    del parent[path[-1]]
    return doc


def pick_path(doc: Any, draw, want: Callable[[Any], bool] | None = None) -> tuple | None:
    paths = [p for p in walk_nodes(doc) if want is None or want(get_at(doc, p))]
    return draw(st.sampled_from(paths)) if paths else None
