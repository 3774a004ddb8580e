"""Which files `sfnc validate PATH...` reads, and as what.

A file named on the command line is always read (its kind from its name, or from its content for a plain
`.json`/`.yaml`). In a directory, files are picked by name and, for names that say nothing (`*.json`,
`*.yaml`), by a cheap look at their text, so `sfnc validate .` on a SAM, CDK or Terraform project reads
its state machines and skips `package.json`, `events/*.json` and CI files:

| kind | names | in a directory |
|---|---|---|
| `asl` | `*.asl.json`, `*.json5` | always |
| `asl` | other `*.json` | when the text has `"StartAt"` and `"States"` |
| `asl-yaml` | `*.asl.yaml`, `*.asl.yml` | always |
| `asl-yaml` | other `*.yaml`/`*.yml` | when the text has `StartAt:` and `States:` |
| `template` | `template.yaml`/`.yml`/`.json`, `*.template.json`/`.yaml`/`.yml` | always |
| `template` | other `*.json`/`*.yaml`/`*.yml` | when the text names `AWS::StepFunctions::StateMachine` or `AWS::Serverless::StateMachine` |
| `tftpl` | `*.tftpl`, `*.json.tpl` | always |
| `tf` | `*.tf` | when the text has `aws_sfn_state_machine` |

Skipped in directories: hidden files and directories (`.git`, `.aws-sam`, `.terraform`), `node_modules`,
`__pycache__`, CDK's `cdk.out/asset.*` copies, and everything matching an `--exclude` glob (matched
against the path relative to the directory given, `**` spans directories).
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from typing import NamedTuple

from ..diagnostics import Diagnostic, problem
from ..fsutil import realpath

SKIP_DIRS = frozenset({"node_modules", "__pycache__"})
_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
_TEMPLATE_SUFFIXES = (".template.json", ".template.yaml", ".template.yml")
_SM_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
_SM_TYPES_BYTES = tuple(t.encode() for t in _SM_TYPES)
_SNIFF_BYTES = 4 * 1024 * 1024


class Input(NamedTuple):
    path: Path
    kind: str          # asl | asl-yaml | template | tftpl | tf
    explicit: bool     # named on the command line (always read) rather than found in a directory


def kind_by_name(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith((".asl.yaml", ".asl.yml")):
        return "asl-yaml"
    if lower.endswith((".asl.json", ".json5")):
        return "asl"
    if lower in _TEMPLATE_NAMES or lower.endswith(_TEMPLATE_SUFFIXES):
        return "template"
    if lower.endswith((".tftpl", ".json.tpl")):
        return "tftpl"
    if lower.endswith(".tf"):
        return "tf"
    return None


def sniff(path: Path) -> str | None:
    """The kind of a `.json`/`.yaml`/`.tf` file by its text (None: not a state machine source)."""
    try:
        with open(path, "rb") as fh:
            if os.fstat(fh.fileno()).st_size > _SNIFF_BYTES:
                return None
            raw = fh.read()
    except OSError:
        return None
    # the words looked for are ASCII: in the bytes exactly when in the text decoded with errors="replace"
    suffix = path.suffix.lower()
    if suffix == ".tf":
        return "tf" if b"aws_sfn_state_machine" in raw else None
    if any(t in raw for t in _SM_TYPES_BYTES):
        return "template"
    if suffix == ".json":
        return "asl" if b'"StartAt"' in raw and b'"States"' in raw else None
    if suffix in (".yaml", ".yml"):
        text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it
        return "asl-yaml" if re.search(r"^\s*StartAt\s*:", text, re.M) and re.search(r"^\s*States\s*:", text, re.M) else None
    return None


def glob_regex(glob: str) -> re.Pattern[str]:
    """A glob over '/'-separated paths: `*` and `?` stay within a segment, `**` spans segments."""
    out = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out) + r"(?:/.*)?\Z")


class Excludes:
    def __init__(self, globs: list[str] | None) -> None:
        self.patterns = [glob_regex(g.strip().rstrip("/")) for g in globs or [] if g.strip()]

    def match(self, rel: str) -> bool:
        """`rel`: a '/'-separated path relative to the directory being walked (a bare name also matches
        in any directory)."""
        name = rel.rsplit("/", 1)[-1]
        return any(p.match(rel) or p.match(name) for p in self.patterns)


def discover(paths: list[Path], excludes: list[str] | None = None) -> tuple[list[Input], list[Diagnostic]]:
    ex = Excludes(excludes)
    inputs: list[Input] = []
    problems: list[Diagnostic] = []
    seen: set[str] = set()

    def add(path: Path, kind: str, explicit: bool) -> None:
        key = realpath(os.fspath(path))
        if key not in seen:
            seen.add(key)
            inputs.append(Input(path, kind, explicit))

    for p in paths:
        if p.is_dir():
            for path in _walk(p, ex):
                kind = kind_by_name(path.name)
                if kind in ("tf",) or kind is None:
                    kind = sniff(path) if path.suffix.lower() in (".json", ".yaml", ".yml", ".tf") else None
                if kind is not None:
                    add(path, kind, False)
        elif p.is_file():
            kind = kind_by_name(p.name)
            if kind is None:
                kind = sniff(p) if p.suffix.lower() in (".json", ".yaml", ".yml") else None
                if kind is None:
                    kind = "asl-yaml" if p.suffix.lower() in (".yaml", ".yml") else "asl"
            add(p, kind, True)
        elif p.exists():
            problems.append(problem("not a regular file or directory", file=str(p)))
        else:
            problems.append(problem(_missing(p), file=str(p)))
    return inputs, problems


def _missing(path: Path) -> str:
    """Why a path given on the command line leads to nothing: absent, a dangling symlink or a symlink loop."""
    if not path.is_symlink():
        return "no such file or directory"
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "a symlink loop (too many levels of symbolic links)"
    return f"a symlink to {os.readlink(path)}, which does not exist"


def _walk(root: Path, ex: Excludes):
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        rel_dir = base.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        in_cdk_out = base.name == "cdk.out" or "cdk.out" in base.relative_to(root).parts
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS
                             and not (in_cdk_out and d.startswith("asset."))
                             and not ex.match(rel_dir + d))
        for name in sorted(filenames):
            if name.startswith(".") or ex.match(rel_dir + name):
                continue
            if in_cdk_out and (name.startswith("asset.") or name in ("manifest.json", "tree.json")
                               or name.endswith(".assets.json")):
                continue
            yield base / name
