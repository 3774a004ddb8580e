"""The error type every stage raises for input, usage and config problems (exit code 2).

A `Problem` is one located message; `SfncError` carries one or more. The CLI prints each problem on one
line (`file:line:col: error: message (at /pointer)`) and exits with the error's code; no traceback
unless `--debug`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    env: str | None = None
    hint: str | None = None
    severity: str = "error"

    def location(self) -> str:
        if not self.file:
            return ""
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def format(self) -> str:
        parts = []
        loc = self.location()
        if loc:
            parts.append(f"{loc}: ")
        parts.append(f"{self.severity}: {self.message}")
        extras = []
        if self.pointer is not None:
            extras.append(f"at {self.pointer or '/'}")
        if self.env:
            extras.append(f"env {self.env}")
        if extras:
            parts.append(f" ({', '.join(extras)})")
        text = "".join(parts)
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


@dataclass
class SfncError(Exception):
    """One or more problems that stop a command. `exit_code` is 2 unless a command says otherwise."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: int = EXIT_ERROR

    def __init__(self, message_or_problems: str | Problem | list[Problem], *, exit_code: int = EXIT_ERROR,
                 **location) -> None:
        if isinstance(message_or_problems, str):
            problems = [Problem(message_or_problems, **location)]
        elif isinstance(message_or_problems, Problem):
            problems = [message_or_problems]
        else:
            problems = list(message_or_problems)
        self.problems = problems
        self.exit_code = exit_code
        super().__init__("\n".join(p.format() for p in problems))

    def __str__(self) -> str:  # dataclass would otherwise override it
        return "\n".join(p.format() for p in self.problems)
