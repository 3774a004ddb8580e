"""`--format text` (the default): each finding at its primary place (the template when it came from one),
the rendered place (or the resource) and pointer, a code frame with a caret, the offending path, the related
places (consequences folded into this finding, other occurrences) and the hint; then the summary."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from ..diagnostics import Diagnostic, printable
from .summary import Summary


def format_text(diags: list[Diagnostic], summary: Summary, style: Callable[..., str] = lambda s, **k: s) -> str:
    colors = {"error": "red", "warning": "yellow", "info": "blue"}
    out = []
    for d in diags:
        d = _printable(d)
        where = d.primary.format() if d.primary else "sfnc"
        severity = style(d.severity, fg=colors[d.severity], bold=True)
        if d.rule is None:  # not a rule finding (a template that does not render): one line, like on stderr
            extras = ([f"at {d.pointer or '/'}"] if d.pointer is not None else []) \
                + ([f"resource {d.resource}"] if d.resource else []) + ([f"env {d.env}"] if d.env else [])
            out.append(f"{where}: {severity} {d.message}" + (f" ({', '.join(extras)})" if extras else ""))
            out.extend(f"  {style('related', bold=True)}: {r.format()}" for r in d.related)
            if d.hint:
                out.append(f"  {style('hint', bold=True)}: {d.hint}")
            continue
        head = f"{where}: {severity} {style(d.rule, bold=True)} {d.name}: {d.message}"
        out.append(head)
        # the rendered place; a definition read out of a CloudFormation/Terraform file has none: its resource
        place = f"resource {d.resource}" if d.resource else d.span.format() if d.span else None
        if place and (d.template or d.pointer or d.resource):
            out.append(f"  --> {place}" + (f" at {_shown_pointer(d.pointer)}" if d.pointer is not None else "")
                       + (f" [env {d.env}]" if d.env else ""))
        elif d.env and not d.template:
            out.append(f"  [env {d.env}]")
        if d.frame:
            out.extend("  " + line for line in d.frame.split("\n"))
        if d.path:
            out.append("  path: " + " -> ".join(d.path))
        for r in d.related:
            out.append(f"  {style('related', bold=True)}: {r.format()}")
        if d.hint:
            out.append(f"  {style('hint', bold=True)}: {d.hint}")
    out.append(summary.line())
    return "\n".join(out) + "\n"


def _shown_pointer(pointer: str, keep: int = 4, longest: int = 160) -> str:
    """The pointer, with the middle of a very deep one elided (`/0/0/0/0/… 192 levels …/0/0/0/0`); the other
    formats carry it whole."""
    if len(pointer) <= longest:
        return pointer or "/"
    tokens = pointer.split("/")[1:]
    if len(tokens) <= 2 * keep + 1:
        return pointer
    return ("/" + "/".join(tokens[:keep]) + f"/… {len(tokens) - 2 * keep} levels …/" + "/".join(tokens[-keep:]))


def _printable(d: Diagnostic) -> Diagnostic:
    """`d` with the texts that come from the input (state names, values) safe for a terminal; the styling adds
    ESC sequences of its own, so the input's are escaped before it."""
    def p(t: str | None) -> str | None:
        return t if t is None else printable(t)
    return replace(d, message=printable(d.message), hint=p(d.hint), frame=p(d.frame), pointer=p(d.pointer),
                   env=p(d.env), resource=p(d.resource), path=tuple(printable(x) for x in d.path))
