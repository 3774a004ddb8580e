"""What the formats share: the summary line every format ends with (files, envs, rules, counts), the
primary place of a diagnostic and its title."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..diagnostics import Diagnostic


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


def title(d: Diagnostic) -> str:
    """`SFN201 start-at-missing`, or `sfnc` for a problem that is not a rule finding (a template that does
    not render, say)."""
    return f"{d.rule} {d.name}" if d.rule else "sfnc"


def primary(d: Diagnostic) -> tuple[str, int | None, int | None]:
    """(file, line, column) of where the user should look first: the template when the finding came from one."""
    p = d.primary
    return (p.file, p.line, p.column) if p is not None else ("", None, None)
