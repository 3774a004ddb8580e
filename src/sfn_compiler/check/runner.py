"""Running the rules on a definition and turning findings into located diagnostics.

Input is a `JsonDocument` (an ASL file, or a rendered template with its source map). The runner applies
the config (select/ignore/severity/per-path ignores), inline suppressions, the parse-stage checks, and
locates every finding once: pointer -> rendered file:line:col -> template file:line:col.
"""

from __future__ import annotations

import gc
import hashlib
import re
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Related, Span, code_frame
from ..errors import SfncError
from ..load import JsonDocument, load_json_text
from ..load.pointer import escape_token
from ..load.limits import read_text
from ..placeholders import has_placeholder
from .base import CheckContext, Finding, Note, Rule, Severity
from .config import CheckConfig
from .rules.document import (DefinitionTooLarge, DuplicateKey, InvalidJson, InvalidSuppression, NotAStateMachine,
                       RuleCrashed, UnrenderedPlaceholder, UnusedSuppression)
from .registry import all_rules, known_selector, matches
from .suppress import find_suppressions

MAX_DEFINITION_CHARS = 1_048_576


def _placeholder_pointers(node: Any, pointer: str, out: list[str]) -> None:
    """The pointers of the strings under `node` that hold a `${...}` placeholder, in document order (a
    pointer is made only for a string that holds one: most values are not; the keys on the way are kept as
    a chain of (parent, key) pairs meanwhile)."""
    if isinstance(node, (dict, list)):
        _placeholders_under(node, None, pointer, out)
    elif has_placeholder(node):
        out.append(pointer)


def _placeholders_under(node: Any, chain: Any, pointer: str, out: list[str]) -> None:
    for k, v in (node.items() if isinstance(node, dict) else enumerate(node)):
        if isinstance(v, str):
            if "${" in v and has_placeholder(v):
                keys = [k]
                link = chain
                while link is not None:
                    link, key = link
                    keys.append(key)
                out.append(pointer + "".join("/" + escape_token(key) for key in reversed(keys)))
        elif isinstance(v, (dict, list)):
            _placeholders_under(v, (chain, k), pointer, out)


class _Collector:
    def __init__(self, doc: JsonDocument, config: CheckConfig, *, source_map=None, env: str | None = None,
                 path_for_ignores: str | None = None, substitutions: dict[str, str] | None = None,
                 resource: str | None = None) -> None:
        self.doc = doc
        self.substitutions = substitutions
        self.resource = resource            # the resource holding a definition read out of a template
        self.config = config
        self.source_map = source_map
        self.env = env
        self.path = path_for_ignores or doc.filename
        self.diagnostics: list[Diagnostic] = []

    def locate(self, pointer: str, offset: int | None = None, key: bool = False, at=None) -> tuple[Span, Span | None]:
        """(the place in the validated file, the place in the template or None)."""
        doc = self.doc
        if at is not None:
            pos = at
        elif offset is not None:
            pos = doc.locate_in_string(pointer, offset)
        else:
            pos = doc.locate(pointer, key=key)
        span = Span(doc.filename, pos.line, pos.column)
        template = None
        if self.source_map is not None:
            if at is not None and hasattr(self.source_map, "locate_position"):  # a text assembled from parts
                template = self.source_map.locate_position(at)
            else:
                template = self.source_map.locate(pointer, offset, key=key)
        return span, template

    def add(self, rule: type[Rule], finding: Finding, at=None, count: int = 1) -> None:
        if not self.config.enabled(rule, self.path):
            return
        severity = self.config.severity_of(rule, finding.severity)
        span, template = self.locate(finding.pointer, finding.offset, finding.key, at)
        # the file as written: a JSON5 document's text is the JSON it was read as (`json5doc`), its source the file
        frame_file_text = getattr(self.doc, "source", None) or self.doc.text
        frame = span
        if template is not None:
            frame = template
            frame_file_text = self.source_map.template.text if self.source_map.line_map is None else None
        related = []
        for note in finding.related:
            nspan, ntemplate = self.locate(note.pointer, note.offset, note.key)
            related.append(Related(note.message, nspan, note.pointer, ntemplate))
        message = finding.message + (f" ({count} times in this field)" if count > 1 else "")
        neutral = _neutral(finding.message, self.substitutions)
        self.diagnostics.append(Diagnostic(
            message, severity.value, span, finding.pointer, self.env, finding.hint, rule.id, rule.name,
            template, rule.docs_url(), tuple(finding.path),
            fingerprint(rule.id, (template or span).file, finding.pointer, neutral, self.resource),
            code_frame(frame_file_text, frame.line, frame.column), related=tuple(related),
            neutral=None if neutral == finding.message else neutral + (f" ({count} times in this field)" if count > 1 else "")))


def _source_position(col: _Collector, pos):
    """A position in the validated text, as the user's file numbers it: a definition assembled from parts of
    a template (a CloudFormation DefinitionString) has no lines of its own, so its template's are quoted."""
    locate = getattr(col.source_map, "locate_position", None)
    return locate(pos) if locate is not None else pos


def _neutral(message: str, substitutions: dict[str, str] | None) -> str:
    """`message` with each env-substituted value (longest first) written as its placeholder, so the same
    finding in several envs has one fingerprint."""
    if not substitutions:
        return message
    for value in sorted(substitutions, key=len, reverse=True):
        if value in message:  # a whole word or run: 'dev' is not replaced inside 'device'
            message = re.sub(rf"(?<![\w]){re.escape(value)}(?![\w])", lambda _m: substitutions[value], message)
    return message


def fingerprint(rule_id: str, file: str, pointer: str, message: str, resource: str | None = None) -> str:
    """Stable across runs, line moves and envs: the rule, the template (or file), the pointer and the message
    (env-substituted values written as their placeholders; no occurrence count), and the resource when the
    definition was read out of a template that may hold several."""
    parts = [rule_id, file, pointer, message] + ([resource] if resource else [])
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def run_rules(document: Any, config: CheckConfig, *, path: str | None = None,
              placeholders: str | None = None, machine_type: str | None = None, input_schema: Any = None,
              ctx: CheckContext | None = None) -> list[tuple[type[Rule], Finding]]:
    """All enabled rules' findings, unlocated; a crashing rule becomes an SFN009 finding. `ctx` shares the
    caller's context (and its model of the document). `input_schema`: the execution input's JSON Schema
    (the data rules infer shapes from it)."""
    if ctx is None:
        ctx = CheckContext(document, settings=config.settings, placeholders=placeholders or config.placeholders,
                           machine_type=machine_type, input_schema=input_schema)
    out: list[tuple[type[Rule], Finding]] = []
    jsonata_machine = isinstance(document, dict) and document.get("QueryLanguage") == "JSONata"
    for rule, options in _plan(config, path, jsonata_machine):
        ctx.options = options
        try:
            for f in rule().check(ctx):
                out.append((rule, f))
        except SfncError:
            raise  # a bad rule option or catalogue: a config error (exit 2), not a crash
        except Exception as exc:
            if config.debug:
                raise
            where = traceback.extract_tb(exc.__traceback__)[-1]
            out.append((RuleCrashed, Finding("", f"rule {rule.id} {rule.name} crashed: {type(exc).__name__}: {exc} "
                                                 f"({Path(where.filename).name}:{where.lineno})",
                                             hint="please report this; meanwhile ignore the rule for this file")))
    return out


def _plan(config: CheckConfig, path: str | None, jsonata_machine: bool) -> list[tuple[type[Rule], dict]]:
    """The rules to run on a document (with their options), worked out once per path and query language
    rather than per rule and document. Keyed like `config.enabled` (the CLI adjusts select/ignore after
    loading) and by the rule list itself."""
    rules = all_rules()
    key = ("plan", id(rules), path if config.per_path_ignores else None, tuple(config.select), tuple(config.ignore),
           jsonata_machine)
    plan = config._cache.get(key)
    if plan is None:
        plan = config._cache[key] = [(r, config.options_for(r)) for r in rules
                                     if not r.document and config.enabled(r, path)
                                     and (jsonata_machine or not r.jsonata_only)]
    return plan


def group_findings(findings: list[tuple[type[Rule], Finding]], severity_of) -> list[tuple[type[Rule], Finding, int]]:
    """One root cause, one finding: repeats of the same finding (rule, pointer, message) in one field become
    one with a count and the other occurrences as related places; a finding that `follows` another one that
    is reported (at least as severe) becomes that one's related information. Order is kept."""
    out: list[list] = []          # [rule, finding, count]
    same: dict[tuple, list] = {}
    for rule, f in findings:
        key = (rule.id, f.pointer, f.message)
        first = same.get(key)
        if first is None:
            same[key] = entry = [rule, f, 1]
            out.append(entry)
            continue
        first[2] += 1
        if f.offset is not None and f.offset != first[1].offset:
            first[1] = first[1]._replace(related=first[1].related + (Note(f.pointer, "again in this field", f.offset),))
    roots = {(e[0].id, e[1].pointer): e for e in out}
    folded: set[int] = set()
    for i, (rule, f, count) in enumerate(out):
        root, seen = out[i], set()
        while root[1].follows and id(root) not in seen:   # a chain folds into its first cause
            seen.add(id(root))
            root = roots.get(root[1].follows) or root
        if root is out[i] or severity_of(root[0], root[1]).rank < severity_of(rule, f).rank:
            continue
        root[1] = root[1]._replace(related=root[1].related + (Note(f.pointer, f.message, f.offset, f.key),)
                          + f.related)
        folded.add(i)
    return [tuple(e) for i, e in enumerate(out) if i not in folded]


@contextmanager
def _collector_paused():
    """The cyclic garbage collector paused while one document is read and checked. Every container of the
    document stays alive meanwhile, so each full collection walks all of them for nothing (six of them, a
    quarter of a 10,000-state run), and the checks make little cyclic garbage: the model's scope and state
    links, freed by the first collection after. A collector already paused (a nested call, a caller's
    choice) is left as it is."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def validate_document(doc: JsonDocument, config: CheckConfig, *, source_map=None, env: str | None = None,
                      path_for_ignores: str | None = None, machine_type: str | None = None,
                      extra: list[tuple[type[Rule], Finding]] = (),
                      substitutions: dict[str, str] | None = None, resource: str | None = None,
                      results: dict | None = None, input_schema: Any = None) -> list[Diagnostic]:
    """Check one document and locate the findings. `extra`: findings the loader made (e.g. a CloudFormation
    placeholder with no substitution); they go through the same selection, suppressions, grouping and
    locating as the rules' findings. `substitutions` (rendered value -> `${name}`) keep fingerprints the
    same across envs; `resource` (a definition read out of a template) is part of every fingerprint.
    `results` (a dict the caller keeps for one `config`) reuses the rules' findings for a text validated
    before with the same path, placeholders, machine type and input schema (another env rendering a
    template identically); suppressions, grouping and locating still run per document. `input_schema`: the
    execution input's JSON Schema (the data rules infer shapes from it)."""
    with _collector_paused():
        return _validate_document(doc, config, source_map=source_map, env=env, path_for_ignores=path_for_ignores,
                                  machine_type=machine_type, extra=extra, substitutions=substitutions,
                                  resource=resource, results=results, input_schema=input_schema)


def _validate_document(doc: JsonDocument, config: CheckConfig, *, source_map, env, path_for_ignores, machine_type,
                       extra, substitutions, resource, results, input_schema) -> list[Diagnostic]:
    col = _Collector(doc, config, source_map=source_map, env=env, path_for_ignores=path_for_ignores,
                     substitutions=substitutions, resource=resource)
    data = doc.data
    if len(doc.text) > MAX_DEFINITION_CHARS:
        col.add(DefinitionTooLarge, Finding("", f"the definition has {len(doc.text):,} characters; the limit is "
                                                f"{MAX_DEFINITION_CHARS:,}"))
    if doc.has_duplicates:
        for dup in doc.duplicates():
            key = dup.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            first, second = _source_position(col, dup.first), _source_position(col, dup.second)
            where = (f"line {first.line}, again at line {second.line}" if first.line != second.line else
                     f"{first.line}:{first.column}, again at {second.line}:{second.column}")
            col.add(DuplicateKey, Finding(dup.pointer, f"duplicate key {key!r}: first at {where}; JSON keeps only the last",
                                          hint="rename or remove one of them", key=True), at=dup.second)
    if not isinstance(data, dict) or ("States" not in data and "StartAt" not in data):
        kind = type(data).__name__ if not isinstance(data, dict) else "an object without StartAt and States"
        col.add(NotAStateMachine, Finding("", f"not a state machine definition: the document is {kind}",
                                          hint="a definition is an object with StartAt and States"))
        return _finish(col)
    mode = config.placeholders
    pointers: list[str] = []
    # `doc.text` is the JSON text of `data` (read, rendered or dumped): a value holds `${` only if the text
    # does, or writes `$` or `{` as a \u escape
    if "${" in doc.text or "\\u" in doc.text:
        _placeholder_pointers(data, "", pointers)
    if pointers:
        if mode == "error":
            for p in pointers:
                col.add(UnrenderedPlaceholder, Finding(p, "unrendered placeholder", severity=Severity.ERROR,
                                                       hint="render with `sfnc render --env ENV` first"))
        elif mode is None:
            col.add(UnrenderedPlaceholder, Finding(pointers[0], f"{len(pointers)} string(s) hold unrendered ${{...}} "
                                                                "placeholders; they are checked as opaque values",
                                                   hint="validate rendered output (--env) or pass --placeholders opaque"))
    placeholders = "opaque" if pointers else mode
    key = None
    findings = None
    if results is not None:  # the same text validated before (another env rendering it identically)
        key = (hashlib.sha256(doc.text.encode("utf-8", "surrogatepass")).digest(), col.path, placeholders, machine_type,
               schema_digest(input_schema))
        findings = results.get(key)
    states = None
    if findings is None:
        ctx = CheckContext(data, settings=config.settings, placeholders=placeholders, machine_type=machine_type,
                           input_schema=input_schema)
        findings = run_rules(data, config, path=col.path, ctx=ctx)
        states = ctx.machine.states
        if results is not None:
            results[key] = findings
    findings = findings + [(r, f) for r, f in extra if config.enabled(r, col.path)]
    suppressions = find_suppressions(data, states)
    if states is not None:
        ctx.machine.release()   # nothing reads the model after this: freed with the document, not collected
    kept = []
    for rule, f in findings:
        hit = False
        for s in suppressions:
            if s.covers(f.pointer):
                for sel in s.selectors:
                    if matches(rule, sel):
                        s.used.add(sel)
                        hit = True
        if not hit:
            kept.append((rule, f))
    for rule, f, count in group_findings(kept, lambda rule, f: config.severity_of(rule, f.severity)):
        col.add(rule, f, count=count)
    for s in suppressions:
        for sel in s.selectors:
            if not known_selector(sel):
                col.add(InvalidSuppression, Finding(s.comment_pointer, f"suppression names no known rule: {sel!r}",
                                                    hint="use a rule id or name; `sfnc rules` lists them"))
            elif sel not in s.used:
                col.add(UnusedSuppression, Finding(s.comment_pointer, f"suppression ignore[{sel}] matches no finding",
                                                   hint="remove it"))
    return _finish(col)


def _finish(col: _Collector) -> list[Diagnostic]:
    return sorted(col.diagnostics, key=Diagnostic.sort_key)


def schema_digest(schema: Any) -> bytes | None:
    """A stable digest of an execution input schema (None: no schema), for the keys of cached findings."""
    if schema is None:
        return None
    import json

    return hashlib.sha256(json.dumps(schema, sort_keys=True, ensure_ascii=False).encode("utf-8")).digest()


def validate_text(text: str, display: str, config: CheckConfig, *, env: str | None = None,
                  source_map=None, machine_type: str | None = None, json5: bool = False,
                  input_schema: Any = None) -> list[Diagnostic]:
    with _collector_paused():
        return _validate_text(text, display, config, env=env, source_map=source_map, machine_type=machine_type,
                              json5=json5, input_schema=input_schema)


def _validate_text(text: str, display: str, config: CheckConfig, *, env, source_map, machine_type, json5,
                   input_schema) -> list[Diagnostic]:
    try:
        if json5:
            from ..load.json5doc import load_json5_text

            doc = load_json5_text(text, display, allow_duplicates=True)
        else:
            doc = load_json_text(text, display, allow_duplicates=True)
    except SfncError as exc:
        p = exc.problems[0]
        rule = InvalidJson
        if not config.enabled(rule, display):
            return []
        where = p.span or Span(display)
        # a value JSON cannot hold (NaN, a lone surrogate, too deep) has its pointer and its own hint
        return [Diagnostic(p.message, config.severity_of(rule).value, Span(display, where.line, where.column),
                           p.pointer or "", env, p.hint or "fix the JSON at this position", rule.id, rule.name,
                           url=rule.docs_url(),
                           frame=p.frame or code_frame(text, where.line, where.column))]
    return validate_document(doc, config, source_map=source_map, env=env, machine_type=machine_type,
                             input_schema=input_schema)


def validate_file(path: Path, display: str, config: CheckConfig, *, machine_type: str | None = None,
                  text: str | None = None, input_schema: Any = None) -> list[Diagnostic]:
    """The diagnostics of an ASL file; `text` is its content when the caller has read it (`read_text`)."""
    if text is None:
        text = read_text(path, display)
    # a .json5 file is read as JSON5; positions and code frames are in the file as written
    return validate_text(text, display, config, machine_type=machine_type, json5=path.suffix == ".json5",
                         input_schema=input_schema)


def validate_rendered(rendered, config: CheckConfig, *, display: str | None = None,
                      machine_type: str | None = None, substitutions: dict[str, str] | None = None,
                      results: dict | None = None, input_schema: Any = None) -> list[Diagnostic]:
    """Validate a `RenderedTemplate`; findings point at the rendered file and, through the source map,
    at the template."""
    display = display or f"definitions/{rendered.env}/{rendered.name}.json"
    doc = JsonDocument(rendered.data, rendered.text, display)
    return validate_document(doc, config, source_map=rendered.source_map, env=rendered.env,
                             path_for_ignores=str(rendered.source_map.template.filename), machine_type=machine_type,
                             substitutions=substitutions, results=results, input_schema=input_schema)
