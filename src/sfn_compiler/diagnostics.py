"""A located finding: what every report format prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Diagnostic:
    rule: str                 # "SFN201" (pipeline problems use SFN0xx)
    name: str                 # "next-target-missing"
    severity: str             # "error" | "warning" | "info"
    message: str
    pointer: str              # pointer into the rendered definition
    file: str                 # the file that was validated (rendered definition or ASL file)
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    template: str | None = None        # "templates/x.json:12:7" when it came from a template
    env: str | None = None
    url: str | None = None
    path: list[str] = field(default_factory=list)
    fingerprint: str = ""
    frame: str | None = field(default=None, repr=False, compare=False)   # code frame for text output
    resource: str | None = None        # the resource holding the definition (CloudFormation logical id, Terraform address)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "name": self.name, "severity": self.severity, "message": self.message,
            "hint": self.hint, "pointer": self.pointer, "file": self.file, "line": self.line,
            "column": self.column, "template": self.template, "env": self.env, "url": self.url,
            "path": self.path or None, "fingerprint": self.fingerprint, "resource": self.resource,
        }

    def sort_key(self):
        return (self.file, self.line or 0, self.column or 0, self.rule, self.message)
