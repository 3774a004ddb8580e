"""`--format junit`: one test case per validated file (and resource, and env); each error is a `<failure>`,
warnings and infos go to `<system-out>`; related places are lines of the failure (or system-out) text."""

from __future__ import annotations

from ..diagnostics import Diagnostic
from .summary import Summary, primary, title


def related(d: Diagnostic) -> str:
    return "".join(f"\n  related: {r.format()}" for r in d.related)


def format_junit(diags: list[Diagnostic], summary: Summary, files: list[str] | None = None) -> str:
    from ..simulate.junit import escape, quoteattr  # XML-safe: control characters as \uXXXX

    by_file: dict[str, list[Diagnostic]] = {}
    for f in files or []:
        by_file.setdefault(f, [])
    for d in diags:
        key = (primary(d)[0] or "sfnc") + (f" ({d.resource})" if d.resource else "") + (f" [{d.env}]" if d.env else "")
        by_file.setdefault(key, []).append(d)
    failures = sum(1 for d in diags if d.severity == "error")
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuites name="sfnc" tests="{max(len(by_file), 1)}" failures="{failures}">',
           f'  <testsuite name="sfnc validate" tests="{max(len(by_file), 1)}" failures="{failures}" errors="0">']
    for name, ds in sorted(by_file.items()):
        errors = [d for d in ds if d.severity == "error"]
        out.append(f"    <testcase classname=\"sfnc\" name={quoteattr(name)}>")
        for d in errors:
            file, line, col = primary(d)
            body = f"{file}:{line}:{col}: {d.message} at {d.pointer or '/'}" + related(d)
            out.append(f"      <failure type={quoteattr(title(d))} message={quoteattr(d.message)}>"
                       f"{escape(body)}</failure>")
        others = [d for d in ds if d.severity != "error"]
        if others:
            text = "\n".join(f"{d.severity}: {title(d)}: {d.message}" + related(d) for d in others)
            out.append(f"      <system-out>{escape(text)}</system-out>")
        out.append("    </testcase>")
    out.append("  </testsuite>")
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
