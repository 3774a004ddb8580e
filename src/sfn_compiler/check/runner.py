"""Running the rules on a definition and turning findings into located diagnostics.

Input is a `JsonDocument` (an ASL file, or a rendered template with its source map). The runner applies
the config (select/ignore/severity/per-path ignores), inline suppressions, the parse-stage checks, and
locates every finding once: pointer -> rendered file:line:col -> template file:line:col.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Span
from ..errors import SfncError
from ..load import JsonDocument, load_json_text
from ..load.pointer import escape_token
from ..load.jsondoc import read_text
from ..placeholders import has_placeholder
from .base import CheckContext, Finding, Rule, Severity
from .config import CheckConfig
from .rules.document import (DefinitionTooLarge, DuplicateKey, InvalidJson, InvalidSuppression, NotAStateMachine,
                       RuleCrashed, UnrenderedPlaceholder, UnusedSuppression)
from .registry import all_rules, known_selector, matches
from .suppress import find_suppressions

MAX_DEFINITION_CHARS = 1_048_576


def _placeholder_pointers(node: Any, pointer: str, out: list[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            _placeholder_pointers(v, f"{pointer}/{escape_token(k)}", out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _placeholder_pointers(v, f"{pointer}/{i}", out)
    elif has_placeholder(node):
        out.append(pointer)


class _Collector:
    def __init__(self, doc: JsonDocument, config: CheckConfig, *, source_map=None, env: str | None = None,
                 path_for_ignores: str | None = None) -> None:
        self.doc = doc
        self.config = config
        self.source_map = source_map
        self.env = env
        self.path = path_for_ignores or doc.filename
        self.diagnostics: list[Diagnostic] = []

    def add(self, rule: type[Rule], finding: Finding, at=None) -> None:
        if not self.config.enabled(rule, self.path):
            return
        severity = self.config.severity_of(rule, finding.severity)
        doc = self.doc
        if at is not None:
            pos = at
        elif finding.offset is not None:
            pos = doc.locate_in_string(finding.pointer, finding.offset)
        else:
            pos = doc.locate(finding.pointer, key=finding.key)
        span = Span(doc.filename, pos.line, pos.column)
        template = None
        frame_file_text = doc.text
        frame = span
        if self.source_map is not None:
            template = frame = self.source_map.locate(finding.pointer, finding.offset, key=finding.key)
            frame_file_text = self.source_map.template.text if self.source_map.line_map is None else None
        self.diagnostics.append(Diagnostic(
            finding.message, severity.value, span, finding.pointer, self.env, finding.hint, rule.id, rule.name,
            template, rule.docs_url(), tuple(finding.path), fingerprint(rule.id, (template or span).file, finding),
            _frame(frame_file_text, frame.line, frame.column)))


def fingerprint(rule_id: str, file: str, finding: Finding) -> str:
    """Stable across runs and line moves: the rule, the template (or file), the pointer and the message."""
    return hashlib.sha256("\0".join([rule_id, file, finding.pointer, finding.message]).encode()).hexdigest()[:16]


def _frame(text: str | None, line: int, column: int) -> str | None:
    if text is None or line < 1:
        return None
    lines = text.split("\n")
    if line > len(lines):
        return None
    src = lines[line - 1]
    if len(src) > 160:
        start = max(0, column - 80)
        src = ("…" if start else "") + src[start:start + 160]
        column = column - start + (1 if start else 0)
    gutter = f"{line:>5} | "
    return f"{gutter}{src}\n{' ' * (len(gutter) - 2)}| {' ' * (column - 1)}^"


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
    for rule in all_rules():
        if rule.document or not config.enabled(rule, path):
            continue
        if rule.jsonata_only and not jsonata_machine:
            continue
        ctx.options = config.options_for(rule)
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


def validate_document(doc: JsonDocument, config: CheckConfig, *, source_map=None, env: str | None = None,
                      path_for_ignores: str | None = None, machine_type: str | None = None,
                      input_schema: Any = None) -> list[Diagnostic]:
    col = _Collector(doc, config, source_map=source_map, env=env, path_for_ignores=path_for_ignores)
    data = doc.data
    if len(doc.text) > MAX_DEFINITION_CHARS:
        col.add(DefinitionTooLarge, Finding("", f"the definition has {len(doc.text):,} characters; the limit is "
                                                f"{MAX_DEFINITION_CHARS:,}"))
    if doc.has_duplicates:
        for dup in doc.duplicates():
            key = dup.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            first, second = dup.first, dup.second
            where = (f"line {first.line}, again at line {second.line}" if first.line != second.line else
                     f"{first.line}:{first.column}, again at {second.line}:{second.column}")
            col.add(DuplicateKey, Finding(dup.pointer, f"duplicate key {key!r}: first at {where}; JSON keeps only the last",
                                          hint="rename or remove one of them", key=True), at=second)
    if not isinstance(data, dict) or ("States" not in data and "StartAt" not in data):
        kind = type(data).__name__ if not isinstance(data, dict) else "an object without StartAt and States"
        col.add(NotAStateMachine, Finding("", f"not a state machine definition: the document is {kind}",
                                          hint="a definition is an object with StartAt and States"))
        return _finish(col)
    mode = config.placeholders
    pointers: list[str] = []
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
    ctx = CheckContext(data, settings=config.settings, placeholders="opaque" if pointers else mode,
                       machine_type=machine_type, input_schema=input_schema)
    findings = run_rules(data, config, path=col.path, ctx=ctx)
    suppressions = find_suppressions(data, ctx.machine.states)
    for rule, f in findings:
        hit = False
        for s in suppressions:
            if s.covers(f.pointer):
                for sel in s.selectors:
                    if matches(rule, sel):
                        s.used.add(sel)
                        hit = True
        if not hit:
            col.add(rule, f)
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


def validate_text(text: str, display: str, config: CheckConfig, *, env: str | None = None,
                  source_map=None, machine_type: str | None = None, input_schema: Any = None) -> list[Diagnostic]:
    try:
        doc = load_json_text(text, display, allow_duplicates=True)
    except SfncError as exc:
        p = exc.problems[0]
        rule = InvalidJson
        if not config.enabled(rule, display):
            return []
        where = p.span or Span(display)
        return [Diagnostic(p.message, config.severity_of(rule).value, Span(display, where.line, where.column), "", env,
                           "fix the JSON at this position", rule.id, rule.name, url=rule.docs_url())]
    return validate_document(doc, config, source_map=source_map, env=env, machine_type=machine_type,
                             input_schema=input_schema)


def validate_file(path: Path, display: str, config: CheckConfig, *, machine_type: str | None = None,
                  input_schema: Any = None) -> list[Diagnostic]:
    text = read_text(path, display)
    if path.suffix == ".json5":  # comments and trailing commas blanked out; positions unchanged
        from ..load.jsondoc import blank_json5

        diags = validate_text(blank_json5(text), display, config, machine_type=machine_type,
                              input_schema=input_schema)
        # show the file as written in code frames
        return [replace(d, frame=_frame(text, d.span.line, d.span.column or 1)) if d.span and d.span.line else d
                for d in diags]
    return validate_text(text, display, config, machine_type=machine_type, input_schema=input_schema)


def validate_rendered(rendered, config: CheckConfig, *, display: str | None = None,
                      machine_type: str | None = None, input_schema: Any = None) -> list[Diagnostic]:
    """Validate a `RenderedTemplate`; findings point at the rendered file and, through the source map,
    at the template."""
    display = display or f"definitions/{rendered.env}/{rendered.name}.json"
    doc = JsonDocument(rendered.data, rendered.text, display)
    return validate_document(doc, config, source_map=rendered.source_map, env=rendered.env,
                             path_for_ignores=str(rendered.source_map.template.filename), machine_type=machine_type,
                             input_schema=input_schema)
