"""Report formats over one `Diagnostic` list: one module per format (text, json, sarif, github, junit).

Formatters are pure functions of (diagnostics, summary); they never recompute positions. A new format is a
module with a `format_<name>(diags, summary)` function, registered in `FORMATS` below.
"""

from __future__ import annotations

from ..diagnostics import Diagnostic
from .github import format_github
from .json import JSON_VERSION, diagnostic_json, format_json
from .junit import format_junit
from .sarif import format_sarif
from .summary import Summary
from .text import format_text

FORMATS = ("text", "json", "sarif", "github", "junit")

__all__ = ["FORMATS", "JSON_VERSION", "Summary", "diagnostic_json", "format_github", "format_json", "format_junit",
           "format_sarif", "format_text", "render"]


def render(fmt: str, diags: list[Diagnostic], summary: Summary, *, style=None, files: list[str] | None = None) -> str:
    """The report in format `fmt`; `style(text, fg=..., bold=...)` colours text output; `files` (every file
    validated) gives JUnit a passing test case for each clean file."""
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
