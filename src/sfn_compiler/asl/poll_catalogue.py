"""The polling catalogue: which Task starts an asynchronous job, which one reads its status, and what
the status values mean.

The built-in entries live in `sfn_compiler/data/poll_catalogue.json` (JSON: read on every validate, so
it must not need a YAML parser). A job started through a Request Response integration (every `aws-sdk:`
integration, and the optimized ones called without `.sync`) runs on after the Task ends: the workflow must
poll its status until it reaches a terminal value. Each entry names:

    name      a short id, shown in messages
    start     the Resource forms that start a job: the part after `arn:<partition>:states:::`, without an
              integration suffix (`glue:startJobRun` is the optimized form, `aws-sdk:glue:startJobRun`
              the SDK one). A start written with `.sync`/`.sync:2` is awaited by Step Functions itself.
    describe  the Resource forms that read the job's status
    id        how the two are linked: the start's argument or result field -> the describe's argument
    status    the status field of the describe result (dotted path; the last segment is matched, case
              insensitively, because the SDK integration returns PascalCase field names)
    success / failure / running   the documented values; `failure` lists every terminal value that is
              not a success
    handoff   (optional, default false) a start that is the workflow's last action - only Pass states
              between it and the end - hands the work off to a job that reports on its own (a child
              state machine); it is not required to be polled
    sources   where the values come from

A project adds or replaces entries in `[tool.sfnc.patterns]`:

    [tool.sfnc.patterns]
    catalogue = "sfnc-poll.yaml"          # a file with `entries: [...]` (same shape), relative to the cwd
                                          # or to the project root
    [[tool.sfnc.patterns.poll]]           # or inline entries
    name = "dms-task"
    start = ["aws-sdk:databasemigration:startReplicationTask"]
    describe = ["aws-sdk:databasemigration:describeReplicationTasks"]
    status = "ReplicationTasks.Status"
    success = ["stopped"]
    failure = ["failed"]
    running = ["running", "starting"]

An entry whose `name` equals a built-in one replaces it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import SfncError

_BUILTIN = Path(__file__).resolve().parents[1] / "data" / "poll_catalogue.json"

_KEYS = {"name", "start", "describe", "id", "status", "success", "failure", "running", "handoff", "sources", "note"}
_REQUIRED = ("name", "start", "describe", "status", "success", "failure")


class PollEntry(NamedTuple):
    name: str
    start: frozenset[str]        # lower-cased Resource forms
    describe: frozenset[str]
    status: str                  # dotted path as written
    success: tuple[str, ...]
    failure: tuple[str, ...]
    running: tuple[str, ...]
    id_from: str | None
    id_to: str | None
    sources: tuple[str, ...]
    handoff: bool = False        # a start that is the workflow's last action hands the work off
    describe_forms: tuple[str, ...] = ()   # as written, for messages

    @property
    def describe_action(self) -> str:
        forms = self.describe_forms or tuple(sorted(self.describe))
        return forms[0].split(":")[-1]

    @property
    def status_field(self) -> str:
        return self.status.split(".")[-1]

    def label(self) -> str:
        return self.name


class Catalogue(NamedTuple):
    entries: tuple[PollEntry, ...]

    def start_entry(self, form: str) -> PollEntry | None:
        f = form.lower()
        for e in self.entries:
            if f in e.start:
                return e
        return None

    def describe_entry(self, form: str) -> PollEntry | None:
        f = form.lower()
        for e in self.entries:
            if f in e.describe:
                return e
        return None


def _strings(value: Any, where: str, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SfncError(f"{where}: {key} must be a list of strings", hint="see docs/patterns.md#polling-catalogue")
    return value


def _entry(raw: Any, where: str) -> PollEntry:
    if not isinstance(raw, dict):
        raise SfncError(f"{where}: a catalogue entry must be a table/mapping, got {type(raw).__name__}")
    name = raw.get("name")
    label = f"{where} entry {name!r}" if isinstance(name, str) else where
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise SfncError(f"{label}: unknown key(s) {', '.join(unknown)}", hint="known keys: " + ", ".join(sorted(_KEYS)))
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise SfncError(f"{label}: missing key(s) {', '.join(missing)}",
                        hint="an entry needs name, start, describe, status, success and failure")
    if not isinstance(name, str) or not name:
        raise SfncError(f"{where}: name must be a non-empty string")
    if not isinstance(raw["status"], str) or not raw["status"]:
        raise SfncError(f"{label}: status must be the status field name (a dotted path)")
    forms = {}
    for key in ("start", "describe"):
        vals = _strings(raw[key], label, key)
        if not vals:
            raise SfncError(f"{label}: {key} needs at least one Resource form")
        for v in vals:
            if v.startswith("arn:") or "." in v:
                raise SfncError(f"{label}: {key} {v!r} must be a Resource without its arn:aws:states::: prefix "
                                "and suffix", hint="e.g. aws-sdk:glue:startJobRun or glue:startJobRun")
        forms[key] = frozenset(v.lower() for v in vals)
        forms[key + "_raw"] = tuple(vals)
    ident = raw.get("id")
    id_from = id_to = None
    if ident is not None:
        if not isinstance(ident, dict) or not all(isinstance(ident.get(k), str) for k in ("from", "to")):
            raise SfncError(f"{label}: id must be a table with string keys `from` and `to`")
        id_from, id_to = ident["from"], ident["to"]
    success = _strings(raw["success"], label, "success")
    failure = _strings(raw["failure"], label, "failure")
    running = _strings(raw.get("running", []), label, "running")
    if not success:
        raise SfncError(f"{label}: success needs at least one value")
    overlap = set(success) & set(failure)
    if overlap:
        raise SfncError(f"{label}: {', '.join(sorted(overlap))} listed as both success and failure")
    handoff = raw.get("handoff", False)
    if not isinstance(handoff, bool):
        raise SfncError(f"{label}: handoff must be true or false")
    return PollEntry(name, forms["start"], forms["describe"], raw["status"], tuple(success), tuple(failure),
                     tuple(running), id_from, id_to, tuple(_strings(raw.get("sources", []), label, "sources")),
                     handoff, forms["describe_raw"])


def _entries_of(data: Any, where: str) -> list[PollEntry]:
    if isinstance(data, dict) and set(data) <= {"entries"}:
        data = data.get("entries", [])
    if not isinstance(data, list):
        raise SfncError(f"{where}: expected a list of entries (or a mapping with `entries:`)")
    return [_entry(e, where) for e in data]


@lru_cache(maxsize=1)
def builtin() -> tuple[PollEntry, ...]:
    return tuple(_entries_of(json.loads(_BUILTIN.read_text(encoding="utf-8")), _BUILTIN.name))


def _resolve(path: str) -> Path:
    p = Path(path).expanduser()
    if p.is_absolute() or p.exists():
        return p
    try:
        from ..project import find_project

        root = find_project().root
        if (root / p).exists():
            return root / p
    except Exception:  # pragma: no cover - no project: keep the cwd-relative path
        pass
    return p


def load(catalogue: Any = None, poll: Any = None) -> Catalogue:
    """The built-in entries, then those of the `catalogue` file, then the inline `poll` entries (a later
    entry with the name of an earlier one replaces it). Cached by the settings' values."""
    cfg = {k: v for k, v in (("catalogue", catalogue), ("poll", poll)) if v is not None}
    try:
        key = json.dumps(cfg, sort_keys=True, default=str)
    except (TypeError, ValueError):  # pragma: no cover
        raise SfncError("[tool.sfnc.patterns] holds values that are not plain data") from None
    return _load(key)


@lru_cache(maxsize=16)
def _load(key: str) -> Catalogue:
    cfg = json.loads(key)
    entries = {e.name: e for e in builtin()}
    where = "[tool.sfnc.patterns]"
    if cfg.get("catalogue") is not None:
        path = cfg["catalogue"]
        if not isinstance(path, str):
            raise SfncError(f"{where} catalogue must be a path string")
        p = _resolve(path)
        from ..load.limits import read_text   # (and PyYAML only for a project's own catalogue file)
        from ..load.yamldoc import load_yaml_text

        try:
            text = read_text(p, path)
        except SfncError as exc:
            raise SfncError(f"{where} catalogue: cannot read {path}: {exc.problems[0].message}") from None
        data = load_yaml_text(text, path).data    # errors located in the file (bounds: docs/files.md)
        for e in _entries_of(data, str(path)):
            entries[e.name] = e
    if cfg.get("poll") is not None:
        for e in _entries_of(cfg["poll"], f"{where} poll"):
            entries[e.name] = e
    return Catalogue(tuple(entries.values()))


def catalogue_files(catalogue: Any) -> list[Path]:
    """The files outside sfnc's package that `load(catalogue, ...)` reads (the project's catalogue file),
    resolved as `load` resolves them: what a result cache must key on besides the settings themselves.
    (A malformed setting is reported by the rules, through `load`.)"""
    return [_resolve(catalogue).absolute()] if isinstance(catalogue, str) else []
