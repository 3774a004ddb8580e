"""Where `validate`'s diagnostics come from: the result cache across runs, the reuse of a template rendered
identically in several envs, and worker processes for many files.

- A file's diagnostics are keyed by its text, its display path and suffix, the machine type, the execution
  input schema (`--input-schema`: its content) and the run's salt; a rendered template's by its text,
  display path, env, machine type, template and source map (the template locations come from it) and the
  content of its `templates/<name>.input.schema.json`; a definition read out of a template, a Terraform file
  or an `.asl.yaml` file by its text, its resource and the text of every file its source map maps into
  (`Results.extracted`). The botocore models the data rules read are covered by
  the runtime fingerprint (botocore's version). The salt covers `cache.runtime_fingerprint()` (sfnc's code, version
  and dependencies), the project's `[tool.sfnc]` table, the command line's selectors and placeholders
  mode, and the content of the project's polling catalogue file. `--remote` results are never stored;
  `--debug` turns the cache off (a crashing rule must raise, not replay its finding).
- The rule configuration is built only when something is validated: a run where every result comes from
  the cache does not import the rules. The first run of a configuration stores the number of rules it
  enables (a "meta" entry), which also records that the configuration is valid: with no meta entry the
  configuration is built (and checked) before anything else, as without a cache.
- Files the cache misses are validated in worker processes when they hold at least `PARALLEL_MIN_BYTES`
  of text and the machine has idle CPUs (`-j N` sets the number; `-j 1` never forks). bench/run.py's
  `parallel` group measures where it pays.
"""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..cache import Cache, canonical, digest, runtime_fingerprint, typed
from ..diagnostics import Diagnostic, from_data, to_data
from ..errors import SfncError

if TYPE_CHECKING:  # pragma: no cover
    from ..check.config import CheckConfig
    from ..project import Project
    from ..render.engine import RenderedTemplate

# Below this much text to validate, a worker costs more than it saves: forking a process that has
# imported the rules costs about 30-40 ms of CPU (copy-on-write pages: CPython writes every object's
# reference count), validating costs about 0.45 ms per KB (bench/run.py, `parallel` group and corpus).
PARALLEL_MIN_BYTES = 256 * 1024
MAX_JOBS = 8
BATCH_FILES = 512        # files read (and held in memory) at a time


class Results:
    """Validation results for one run: `file` / `rendered` give a document's diagnostics."""

    def __init__(self, project: Project, config: Callable[[], CheckConfig], *, cache: bool = True,
                 options: tuple[Any, ...] = (), jobs: int | None = None) -> None:
        """`config` builds the run's CheckConfig (called at most once); `options` are the command-line
        settings it depends on besides the project's (selectors, placeholders mode)."""
        self.project = project
        self._build_config = config
        self.jobs = jobs
        self.memo: dict = {}      # rule findings by text, for templates rendered identically in several envs
        self.cache: Cache | None = Cache.at(project.root) if cache else None
        self.salt = ""
        if self.cache is not None:
            try:
                self.salt = digest(runtime_fingerprint(), canonical(project.settings), canonical(list(options)),
                                   _catalogue_digest(project.settings))
            except SfncError:  # a bad [tool.sfnc.patterns] table: no cache; the rules report it as before
                self.cache = None
        self._meta = self.cache.get("meta", self.salt) if self.cache is not None else None
        if not isinstance(self._meta, dict):
            self._meta = None
            self.config  # noqa: B018 - a configuration not seen before is checked first, as without a cache

    @cached_property
    def config(self) -> CheckConfig:
        return self._build_config()

    def rules_enabled(self) -> int:
        """How many rules the configuration enables."""
        if self._meta is not None and isinstance(self._meta.get("rules"), int):
            return self._meta["rules"]
        from ..check.registry import all_rules

        n = len([r for r in all_rules() if self.config.enabled(r)])
        if self.cache is not None:
            self.cache.put("meta", self.salt, {"rules": n})
        return n

    def close(self) -> None:
        if self.cache is not None:
            self.cache.maybe_prune()

    # ------------------------------------------------------------------ files

    def files(self, files: list[tuple[Path, str]], machine_type: str | None,
              input_schema: Any = None) -> list[list[Diagnostic] | SfncError]:
        """The diagnostics of each (path, display) of an ASL file, in order; or the SfncError that validating
        it raised (a file that cannot be read, a catalogue that does not load), for the caller to report as
        it reports any input problem. Files are read and validated in batches, so memory stays bounded
        whatever their number. `input_schema`: the execution input's JSON Schema (`--input-schema`)."""
        out: list[list[Diagnostic] | SfncError] = []
        for start in range(0, len(files), BATCH_FILES):
            out += self._batch(files[start:start + BATCH_FILES], machine_type, input_schema)
        return out

    def _batch(self, files: list[tuple[Path, str]], machine_type: str | None,
               input_schema: Any = None) -> list[list[Diagnostic] | SfncError]:
        from ..load.limits import read_text

        out: list[list[Diagnostic] | SfncError | None] = []
        todo: list[tuple[int, Path, str, str, str | None]] = []   # (index, path, display, text, key)
        for path, display in files:
            try:
                text = read_text(path, display)
            except SfncError as exc:  # not read: what validate_file would have raised
                out.append(exc)
                continue
            key = None
            if self.cache is not None:
                key = digest(self.salt, "file", display, path.suffix, machine_type, text, _schema_key(input_schema))
                hit = self._hit(key)
                if hit is not None:
                    out.append(hit)
                    continue
            out.append(None)
            todo.append((len(out) - 1, path, display, text, key))
        if todo:
            config = self.config
            size = sum(len(t[3]) for t in todo)
            done = _validate_files(todo, config, machine_type, self._jobs(len(todo), size), input_schema)
            for (i, path, display, text, key), found in zip(todo, done):
                if found is None:  # the worker failed: validate here, so an error shows as it would serially
                    found = _validate_one(path, display, config, machine_type, text, input_schema)
                out[i] = found
                if not isinstance(found, SfncError):
                    self._store(key, found)
        return out  # type: ignore[return-value]

    def _hit(self, key: str) -> list[Diagnostic] | None:
        hit = self.cache.get("results", key) if self.cache is not None else None
        if isinstance(hit, list):
            try:
                return [from_data(d) for d in hit]
            except (KeyError, TypeError, ValueError):  # an entry of another shape: validate again
                pass
        return None

    def _jobs(self, n: int, size: int) -> int:
        """Processes for `n` files of `size` characters: `-j N` as asked; by default one unless there is
        enough text to pay for a worker and CPUs the rest of the machine leaves idle (as `make -l`: on a
        busy machine a worker only competes with the parent; measured 2-36% slower there)."""
        if self.jobs is not None:
            return max(1, min(self.jobs, n))
        if n < 2 or size < PARALLEL_MIN_BYTES or self.config.debug:
            return 1
        return max(1, min(_idle_cpus(), MAX_JOBS, n))

    # ------------------------------------------------------------------ rendered templates

    def rendered(self, r: RenderedTemplate, display: str, machine_type: str | None,
                 substitutions: dict[str, str] | None = None, input_schema: Any = None) -> list[Diagnostic]:
        """A rendered template's diagnostics; `substitutions` (rendered value -> `${name}`, for fingerprints)
        and `input_schema` (the template's execution input schema) as `check.runner.validate_rendered` takes
        them."""
        key = None
        if self.cache is not None:
            smap = r.source_map
            key = digest(self.salt, "rendered", display, r.env, machine_type, str(smap.template.filename), r.text,
                         smap.template.text, canonical([smap.pointers, smap.modified, smap.line_map]),
                         canonical(substitutions), _schema_key(input_schema))
            hit = self._hit(key)
            if hit is not None:
                return hit
        from ..check.runner import validate_rendered

        diags = validate_rendered(r, self.config, display=display, machine_type=machine_type,
                                  substitutions=substitutions, results=self.memo, input_schema=input_schema)
        self._store(key, diags)
        return diags

    # ------------------------------------------------------------------ definitions read out of other files

    def extracted(self, ext: Any, machine_type: str | None, input_schema: Any,
                  validate: Callable[[], list[Diagnostic]]) -> list[Diagnostic]:
        """The diagnostics of a definition read out of a template, a Terraform file or an `.asl.yaml` file
        (`load.embedded.Extracted`), computed by `validate` unless the cache has them: keyed by the
        definition's text, every file its source map maps into (name and text: the template, the
        DefinitionUri or templatefile file; the spans and code frames come from them), the resource and
        what else the check reads of `ext`. A definition that did not parse, or whose map names no files,
        is validated each time."""
        key = None
        files = getattr(ext.source_map, "files", None)
        if self.cache is not None and ext.document is not None and ext.parse_error is None and files is not None:
            key = digest(self.salt, "extracted", ext.kind, ext.container, ext.origin, ext.resource,
                         ext.resource_type, machine_type, ext.machine_type, str(ext.opaque_ok),
                         canonical(ext.unknown), ext.document.text, canonical(files()), _schema_key(input_schema))
            hit = self._hit(key)
            if hit is not None:
                return hit
        diags = validate()
        self._store(key, diags)
        return diags

    def _store(self, key: str | None, diags: list[Diagnostic]) -> None:
        if key is None or self.cache is None:
            return
        try:
            data = [to_data(d) for d in diags]
        except TypeError:  # a Diagnostic field the cache cannot store: this result is not kept
            return
        self.cache.put("results", key, data)


def _schema_key(schema: Any) -> str | None:
    """The execution input schema's part of a key: its content (None: no schema). Its file's path does not
    matter, what it says does: a changed schema misses the cache."""
    return None if schema is None else typed(schema)


def _catalogue_digest(settings: dict[str, Any]) -> str:
    patterns = (settings or {}).get("patterns")
    catalogue = patterns.get("catalogue") if isinstance(patterns, dict) else None
    files = []
    if isinstance(catalogue, str):   # only a file name names a file (catalogue_files); no module to load otherwise
        from ..asl.poll_catalogue import catalogue_files

        files = catalogue_files(catalogue)
    parts: list[str | bytes | None] = []
    for p in files:
        parts.append(str(p))
        try:
            parts.append(p.read_bytes())
        except OSError:
            parts.append(None)
    return digest(*parts)


def _idle_cpus() -> int:
    """The CPUs this process may use, less the 1-minute load average (rounded)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - no load average (Windows)
        return cpus
    return int(cpus - load + 0.5)


# ---------------------------------------------------------------------- worker processes


def _validate_one(path: Path, display: str, config: CheckConfig, machine_type: str | None,
                  text: str, input_schema: Any = None) -> list[Diagnostic] | SfncError:
    from ..check.runner import validate_file

    try:
        return validate_file(path, display, config, machine_type=machine_type, text=text, input_schema=input_schema)
    except SfncError as exc:
        return exc


def _validate_files(todo: list[tuple[int, Path, str, str, str | None]], config: CheckConfig,
                    machine_type: str | None, jobs: int,
                    input_schema: Any = None) -> list[list[Diagnostic] | SfncError | None]:
    """The diagnostics (or SfncError) of each (index, path, display, text, key), in `jobs` processes: the
    parent validates one share itself, each of `jobs - 1` forked children (they start in about a
    millisecond, with every module the parent imported) another, and sends its diagnostics back pickled
    through a pipe. A child that fails, or meets an SfncError, leaves None for its files (the caller
    validates them again). Without `os.fork` (Windows), or with one job, everything runs here."""
    def work(indexes: list[int]) -> list:
        return [_validate_one(todo[i][1], todo[i][2], config, machine_type, todo[i][3], input_schema)
                for i in indexes]

    def child_work(indexes: list[int]) -> list:
        found = work(indexes)
        return [None if isinstance(x, SfncError) else x for x in found]   # errors travel as "do it again"

    if jobs <= 1 or not hasattr(os, "fork"):
        return work(list(range(len(todo))))
    shares = _shares([len(t[3]) for t in todo], jobs)
    children = [_fork(child_work, share) for share in shares[1:]]
    out: list[list[Diagnostic] | SfncError | None] = [None] * len(todo)
    try:
        for i, found in zip(shares[0], work(shares[0])):
            out[i] = found
    finally:
        for share, child in zip(shares[1:], children):
            got = _collect(*child)
            if got is not None and len(got) == len(share):
                for i, found in zip(share, got):
                    out[i] = found
    return out


def _shares(sizes: list[int], jobs: int) -> list[list[int]]:
    """Indexes split into `jobs` shares of about equal text size (largest first, each to the lightest share),
    each share in document order."""
    load = [0] * jobs
    shares: list[list[int]] = [[] for _ in range(jobs)]
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        k = load.index(min(load))
        shares[k].append(i)
        load[k] += sizes[i] + 2048   # a file costs something whatever its size
    return [sorted(s) for s in shares]


def _fork(work: Callable[[list[int]], list], share: list[int]) -> tuple[int, int]:
    import pickle

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, send, and leave without running the parent's exit handlers
        code = 1
        try:
            os.close(r)
            data = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(w, "wb") as f:
                f.write(data)
            code = 0
        except BaseException:
            pass
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def _collect(pid: int, r: int) -> list | None:
    import pickle

    chunks = []
    try:
        with os.fdopen(r, "rb") as f:
            while True:
                b = f.read(1 << 20)
                if not b:
                    break
                chunks.append(b)
    finally:
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        return None
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:
        return None
