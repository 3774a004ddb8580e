"""`--format json`: `{"version": 1, "tool": ..., "diagnostics": [...], "summary": {...}}`. Keys are stable."""

from __future__ import annotations

from ..jsontext import dumps_indented

from .. import __version__
from ..diagnostics import Diagnostic, Related, Span
from .summary import Summary

JSON_VERSION = 1


def diagnostic_json(d: Diagnostic) -> dict:
    span = d.span or Span("")
    return {
        "rule": d.rule, "name": d.name, "severity": d.severity, "message": d.message, "hint": d.hint,
        "pointer": d.pointer, "file": span.file, "line": span.line, "column": span.column,
        "template": d.template.format() if d.template else None, "env": d.env, "url": d.url,
        "path": list(d.path) or None, "fingerprint": d.fingerprint, "resource": d.resource,
        "related": [related_json(r) for r in d.related] or None,
    }


def related_json(r: Related) -> dict:
    span = r.span or Span("")
    return {"message": r.message, "pointer": r.pointer, "file": span.file or None, "line": span.line,
            "column": span.column, "template": r.template.format() if r.template else None}


def format_json(diags: list[Diagnostic], summary: Summary) -> str:
    return dumps_indented({"version": JSON_VERSION, "tool": {"name": "sfnc", "version": __version__},
                           "diagnostics": [diagnostic_json(d) for d in diags], "summary": summary.to_json()}) + "\n"
