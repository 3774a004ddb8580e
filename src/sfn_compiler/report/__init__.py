"""Report formats over one `Diagnostic` list: text (default), json, sarif, github, junit.

Formatters are pure functions of (diagnostics, summary); they never recompute positions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Callable

from .. import __version__
from ..diagnostics import Diagnostic

FORMATS = ("text", "json", "sarif", "github", "junit")
JSON_VERSION = 1


@dataclass
class Summary:
    files: int = 0
    envs: list[str] = field(default_factory=list)
    rules: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0

    @classmethod
    def of(cls, diagnostics: list[Diagnostic], files: int, envs: list[str], rules: int) -> "Summary":
        count = lambda s: sum(1 for d in diagnostics if d.severity == s)  # noqa: E731
        return cls(files, envs, rules, count("error"), count("warning"), count("info"))

    def line(self) -> str:
        scope = f"{self.files} definition{'s' if self.files != 1 else ''}"
        if self.envs:
            scope += f" ({len(self.envs)} env{'s' if len(self.envs) != 1 else ''}: {', '.join(self.envs)})"
        return (f"checked {scope} with {self.rules} rules: {self.errors} error{'s' if self.errors != 1 else ''}, "
                f"{self.warnings} warning{'s' if self.warnings != 1 else ''}, {self.infos} info")

    def to_json(self) -> dict:
        return {"files": self.files, "envs": self.envs, "rules": self.rules, "errors": self.errors,
                "warnings": self.warnings, "infos": self.infos}


def format_text(diags: list[Diagnostic], summary: Summary, style: Callable[..., str] = lambda s, **k: s) -> str:
    colors = {"error": "red", "warning": "yellow", "info": "blue"}
    out = []
    for d in diags:
        where = d.template or ":".join(str(x) for x in (d.file, d.line, d.column) if x is not None)
        head = f"{where}: {style(d.severity, fg=colors[d.severity], bold=True)} {style(d.rule, bold=True)} {d.name}: {d.message}"
        out.append(head)
        via = f"  --> {':'.join(str(x) for x in (d.file, d.line, d.column) if x is not None)} at {d.pointer or '/'}"
        if d.resource:
            via = f"  --> resource {d.resource} at {d.pointer or '/'}"
        if d.env:
            via += f" [env {d.env}]"
        if d.template or d.pointer or d.resource:
            out.append(via)
        if d.frame:
            out.extend("  " + line for line in d.frame.split("\n"))
        if d.path:
            out.append("  path: " + " -> ".join(d.path))
        if d.hint:
            out.append(f"  {style('hint', bold=True)}: {d.hint}")
    out.append(summary.line())
    return "\n".join(out) + "\n"


def format_json(diags: list[Diagnostic], summary: Summary) -> str:
    return json.dumps({"version": JSON_VERSION, "tool": {"name": "sfnc", "version": __version__},
                       "diagnostics": [d.to_json() for d in diags], "summary": summary.to_json()},
                      indent=2, ensure_ascii=False) + "\n"


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def _primary(d: Diagnostic) -> tuple[str, int | None, int | None]:
    if d.template:
        file, line, col = d.template.rsplit(":", 2)
        return file, int(line), int(col)
    return d.file, d.line, d.column


def format_github(diags: list[Diagnostic], summary: Summary) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for d in diags:
        file, line, col = _primary(d)
        props = [f"file={_gh_escape(file, True)}"]
        if line:
            props.append(f"line={line}")
        if col:
            props.append(f"col={col}")
        props.append(f"title={_gh_escape(f'{d.rule} {d.name}', True)}")
        msg = d.message + (f" ({d.pointer})" if d.pointer else "") + (f" [env {d.env}]" if d.env else "") \
            + (f" [resource {d.resource}]" if d.resource else "")
        if d.hint:
            msg += f"\nhint: {d.hint}"
        lines.append(f"::{level[d.severity]} {','.join(props)}::{_gh_escape(msg)}")
    lines.append(summary.line())
    return "\n".join(lines) + "\n"


def format_sarif(diags: list[Diagnostic], summary: Summary) -> str:
    from ..check.docs import rule_markdown
    from ..check.registry import all_rules

    rules = all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    level = {"error": "error", "warning": "warning", "info": "note"}
    results = []
    for d in diags:
        file, line, col = _primary(d)
        region = {}
        if line:
            region["startLine"] = line
        if col:
            region["startColumn"] = col
        loc = {"physicalLocation": {"artifactLocation": {"uri": file}}}
        if region:
            loc["physicalLocation"]["region"] = region
        loc["logicalLocations"] = [{"fullyQualifiedName": d.pointer or "/", "kind": "member"}]
        if d.resource:
            loc["logicalLocations"].insert(0, {"name": d.resource, "kind": "resource"})
        result = {"ruleId": d.rule, "ruleIndex": index.get(d.rule, 0), "level": level[d.severity],
                  "message": {"text": d.message + (f" Hint: {d.hint}" if d.hint else "")},
                  "locations": [loc], "partialFingerprints": {"sfnc/v1": d.fingerprint or d.rule}}
        if d.template:
            result["relatedLocations"] = [{"id": 1, "message": {"text": "rendered definition"},
                                           "physicalLocation": {"artifactLocation": {"uri": d.file},
                                                                "region": {"startLine": d.line or 1, "startColumn": d.column or 1}}}]
        props = {}
        if d.env:
            props["env"] = d.env
        if d.resource:
            props["resource"] = d.resource
        if d.path:
            props["path"] = d.path
            result["codeFlows"] = [{"threadFlows": [{"locations": [
                {"location": {"message": {"text": step}}} for step in d.path]}]}]
        if props:
            result["properties"] = props
        results.append(result)
    driver = {
        "name": "sfnc", "version": __version__, "semanticVersion": __version__,
        "informationUri": "https://github.com/sfnc/sfnc",
        "rules": [{"id": r.id, "name": r.name, "shortDescription": {"text": r.summary},
                   "fullDescription": {"text": r.summary},
                   "helpUri": f"https://github.com/sfnc/sfnc/blob/main/{r.docs_url()}",
                   "help": {"text": r.docs or r.summary, "markdown": rule_markdown(r)},
                   "defaultConfiguration": {"level": level[r.severity.value]},
                   "properties": {"tags": [r.group]}} for r in rules],
    }
    sarif = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
             "runs": [{"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}]}
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def format_junit(diags: list[Diagnostic], summary: Summary, files: list[str] | None = None) -> str:
    from xml.sax.saxutils import escape, quoteattr

    by_file: dict[str, list[Diagnostic]] = {}
    for f in files or []:
        by_file.setdefault(f, [])
    for d in diags:
        key = _primary(d)[0] + (f" ({d.resource})" if d.resource else "") + (f" [{d.env}]" if d.env else "")
        by_file.setdefault(key, []).append(d)
    failures = sum(1 for d in diags if d.severity == "error")
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="sfnc" tests="{max(len(by_file), 1)}" failures="{failures}">',
           f'  <testsuite name="sfnc validate" tests="{max(len(by_file), 1)}" failures="{failures}" errors="0">']
    for name, ds in sorted(by_file.items()):
        errors = [d for d in ds if d.severity == "error"]
        out.append(f"    <testcase classname=\"sfnc\" name={quoteattr(name)}>")
        for d in errors:
            file, line, col = _primary(d)
            out.append(f"      <failure type={quoteattr(d.rule + ' ' + d.name)} message={quoteattr(d.message)}>"
                       f"{escape(f'{file}:{line}:{col}: {d.message} at {d.pointer or chr(47)}')}</failure>")
        others = [d for d in ds if d.severity != "error"]
        if others:
            text = "\n".join(f"{d.severity}: {d.rule} {d.name}: {d.message}" for d in others)
            out.append(f"      <system-out>{escape(text)}</system-out>")
        out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"


def render(fmt: str, diags: list[Diagnostic], summary: Summary, *, style=None, files: list[str] | None = None) -> str:
    if fmt == "text":
        return format_text(diags, summary, style or (lambda s, **k: s))
    if fmt == "json":
        return format_json(diags, summary)
    if fmt == "sarif":
        return format_sarif(diags, summary)
    if fmt == "github":
        return format_github(diags, summary)
    if fmt == "junit":
        return format_junit(diags, summary, files)
    raise ValueError(fmt)
