"""`--format github`: GitHub Actions workflow commands (`::error file=...,line=...,col=...,title=...::message`),
at the primary place (the template when the finding came from one), related places as extra
message lines; then the summary line."""

from __future__ import annotations

from ..diagnostics import Diagnostic, printable
from .summary import Summary, primary, title


def _gh_escape(s: str, prop: bool = False) -> str:
    s = printable(s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def format_github(diags: list[Diagnostic], summary: Summary) -> str:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for d in diags:
        file, line, col = primary(d)
        props = [f"file={_gh_escape(file, True)}"] if file else []   # no file: an annotation on the run
        if line:
            props.append(f"line={line}")
        if col:
            props.append(f"col={col}")
        props.append(f"title={_gh_escape(title(d), True)}")
        msg = d.message + (f" ({d.pointer})" if d.pointer else "") + (f" [env {d.env}]" if d.env else "") \
            + (f" [resource {d.resource}]" if d.resource else "")
        for r in d.related:
            msg += f"\nrelated: {r.format()}"
        if d.hint:
            msg += f"\nhint: {d.hint}"
        lines.append(f"::{level[d.severity]} {','.join(props)}::{_gh_escape(msg)}")
    lines.append(summary.line())
    return "\n".join(lines) + "\n"
