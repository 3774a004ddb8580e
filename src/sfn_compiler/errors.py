"""The error every stage raises for input, usage and config problems, and the exit codes.

`SfncError` carries one or more `Diagnostic`s (no rule: a template that does not render, a broken env
file, an unknown option). The CLI prints each on one line (`file:line:col: error: message (at /pointer)`)
and exits with the error's code (2 unless a command says otherwise); no traceback unless `--debug`.
"""

from __future__ import annotations

from .diagnostics import Diagnostic, problem

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class SfncError(Exception):
    """One or more problems that stop a command."""

    def __init__(self, message_or_problems: str | Diagnostic | list[Diagnostic], *, exit_code: int = EXIT_ERROR,
                 **location) -> None:
        if isinstance(message_or_problems, str):
            problems = [problem(message_or_problems, **location)]
        elif isinstance(message_or_problems, Diagnostic):
            problems = [message_or_problems]
        else:
            problems = list(message_or_problems)
        self.problems: list[Diagnostic] = problems
        self.exit_code = exit_code
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)
