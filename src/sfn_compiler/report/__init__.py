"""Report formats over one `Diagnostic` list: one module per format (text, json, sarif, github, junit).

Formatters are pure functions of (diagnostics, summary); they never recompute positions. A new format is a
module with a `format_<name>(diags, summary)` function, registered in `FORMATS` below.
"""

from __future__ import annotations

from ..lazy import exports

from ..diagnostics import Diagnostic
from .summary import Summary

FORMATS = ("text", "json", "sarif", "github", "junit")

__all__ = ["FORMATS", "JSON_VERSION", "Summary", "diagnostic_json", "format_github", "format_json", "format_junit",
           "format_sarif", "format_text", "render"]
# the format modules load on first use: a run imports only the one it writes
_HOMES = {"JSON_VERSION": "json", "diagnostic_json": "json", **{f"format_{f}": f for f in FORMATS}}


__getattr__ = exports(__name__, _HOMES)


def render(fmt: str, diags: list[Diagnostic], summary: Summary, *, style=None, files: list[str] | None = None) -> str:
    """The report in format `fmt`; `style(text, fg=..., bold=...)` colours text output; `files` (every file
    validated) gives JUnit a passing test case for each clean file."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    format_ = __getattr__(f"format_{fmt}")
    if fmt == "text":
        return format_(diags, summary, style or (lambda s, **k: s))
    if fmt == "junit":
        return format_(diags, summary, files)
    return format_(diags, summary)
