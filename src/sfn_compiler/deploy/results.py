"""Results and the summary table: created / updated / unchanged / failed, with versions and ARNs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .plan import Plan, version_number
from .target import Target

STATUSES = ("created", "updated", "unchanged", "failed")


@dataclass
class Result:
    target: Target
    status: str                         # created | updated | unchanged | failed | would create | would update
    arn: str | None = None
    version_arn: str | None = None      # the version this deploy published (or the alias's current one)
    alias: str | None = None            # "live: v3 100%"
    error: str | None = None
    hint: str | None = None
    done: list[str] = field(default_factory=list)   # steps that succeeded before a failure

    @property
    def version(self) -> str | None:
        return version_number(self.version_arn)

    @property
    def failed(self) -> bool:
        return self.status == "failed"


def planned_result(plan: Plan) -> Result:
    """What --dry-run reports for a plan."""
    status = {"create": "would create", "update": "would update"}.get(plan.action, "unchanged")
    alias = None
    version_arn = None
    if plan.alias is not None and plan.alias.exists:
        alias = f"{plan.alias.spec.name}: {plan.alias.describe_routing()}"
        if plan.current_version:
            version_arn = f"{plan.arn}:{plan.current_version}"
    return Result(plan.target, status, plan.arn, version_arn, alias)


def failed_result(target: Target, error: str, hint: str | None = None, arn: str | None = None) -> Result:
    return Result(target, "failed", arn, error=error, hint=hint)


def summary_table(results: list[Result], *, style: Callable[..., str] | None = None) -> str:
    """A fixed-width table plus a count line. `style(text, fg=..., bold=...)` colours the result column."""
    style = style or (lambda text, **_: text)
    colours = {"created": "green", "updated": "cyan", "unchanged": None, "failed": "red",
               "would create": "green", "would update": "cyan"}
    header = ("MACHINE", "TEMPLATE", "RESULT", "VERSION", "ALIAS", "ARN")
    rows = [(r.target.name, r.target.template, r.status, r.version or "-", r.alias or "-", r.arn or "-")
            for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]

    def line(cells: tuple[str, ...], colour_status: bool) -> str:
        parts = []
        for i, cell in enumerate(cells):
            text = cell.ljust(widths[i]) if i < len(cells) - 1 else cell
            if colour_status and i == 2 and colours.get(cell.strip()):
                text = style(text, fg=colours[cell.strip()], bold=cell.strip() == "failed")
            parts.append(text)
        return "  ".join(parts).rstrip()

    out = [line(header, False)]
    out += [line(row, True) for row in rows]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    dry = any(s.startswith("would") for s in counts)
    order = ["would create", "would update", "unchanged", "failed"] if dry else list(STATUSES)
    out.append(", ".join(f"{counts.get(s, 0)} {s}" for s in order))
    failures = [r for r in results if r.failed]
    for r in failures:
        done = f" (done before the failure: {'; '.join(r.done)})" if r.done else ""
        out.append(f"{r.target.name}: {r.error}{done}")
        if r.hint:
            out.append(f"  hint: {r.hint}")
    return "\n".join(out) + "\n"


def format_plan(plan: Plan, *, colorize: Callable[[str], str] | None = None) -> str:
    """One machine's plan: the header, the definition diff, config/tag changes and the calls to make."""
    t = plan.target
    head = {"create": "create (not deployed)", "update": "update", "unchanged": "unchanged"}[plan.action]
    lines = [f"{t.name} ({t.env}/{t.template}): {head}"]
    body: list[str] = []
    if plan.definition_diff:
        diff = plan.definition_diff
        body.append(colorize(diff) if colorize else diff)
    for change in plan.config_changes:
        body.append(f"  config {change}\n")
    for note in plan.notes:
        body.append(f"  note: {note}\n")
    for step in plan.steps():
        body.append(f"  -> {step}\n")
    return "\n".join(lines) + "\n" + "".join(b if b.endswith("\n") else b + "\n" for b in body)
