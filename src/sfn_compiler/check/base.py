"""What a rule is and what it reports.

A rule is a class with an id (`SFN201`), a kebab-case name, a group, a default severity, docs (markdown,
ruff-style sections), the AWS sources it encodes, and two example definitions: one it fires on and one
it does not (both are run as tests and shown by `sfnc explain`). `check(ctx)` yields `Finding`s: a JSON
pointer into the definition and a message. Rules never compute line numbers; the runner locates
pointers in the file (and through the render source map, in the template).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any, ClassVar, Iterable, NamedTuple


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Note(NamedTuple):
    """Another place that belongs to a finding (located by the runner like the finding itself)."""

    pointer: str
    message: str
    offset: int | None = None
    key: bool = False


class Finding(NamedTuple):
    pointer: str                      # RFC 6901 pointer into the definition ("" = root)
    message: str                      # one sentence naming the state and the field
    hint: str | None = None           # the next step for the user
    key: bool = False                 # locate the key (missing/unknown field) rather than the value
    offset: int | None = None         # character offset inside the string at `pointer` (JSONata positions)
    path: tuple[str, ...] = ()        # state names of an offending path (pattern rules)
    severity: Severity | None = None  # overrides the rule's default for this finding
    related: tuple[Note, ...] = ()    # other places that belong to it (shown as related information)
    follows: tuple[str, str] | None = None  # (rule id, pointer) of the finding this one is a consequence of:
                                      # when that finding is reported, this one becomes its related information


@dataclass
class CheckContext:
    """Everything a rule may look at. `machine` (the ASL model) is built once and shared."""

    document: Any
    options: dict[str, Any] = field(default_factory=dict)      # [tool.sfnc.rules.<name>] for the running rule
    settings: dict[str, Any] = field(default_factory=dict)     # the whole [tool.sfnc] table
    placeholders: str | None = None                            # "opaque": unrendered ${...} stand for any value
    machine_type: str | None = None                            # STANDARD | EXPRESS when known (env settings, --type)
    input_schema: Any = None                                   # the execution input's JSON Schema, when given

    @cached_property
    def machine(self):
        """The ASL model, built on first use (a cached_property: the rules ask for it ~80 times a document)."""
        from ..asl.model import Machine

        return Machine(self.document, placeholders=self.placeholders)


class Rule:
    id: ClassVar[str]
    name: ClassVar[str]
    group: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    summary: ClassVar[str]                 # one line: what it checks
    docs: ClassVar[str] = ""               # markdown: "## Why" ... "## Known limits"
    sources: ClassVar[tuple[str, ...]] = ()  # URLs of the AWS docs (or "observed: ...") it encodes
    example_fail: ClassVar[Any] = None     # a definition this rule fires on
    example_pass: ClassVar[Any] = None     # a similar definition it does not fire on
    example_context: ClassVar[dict[str, Any]] = {}  # CheckContext fields both examples need (machine_type)
    jsonata_only: ClassVar[bool] = False   # pattern rules: only for JSONata machines
    document: ClassVar[bool] = False       # SFN0xx: checked by the runner itself, `check` is never called
    known_options: ClassVar[tuple[str, ...]] = ()  # keys allowed in [tool.sfnc.rules.<name>] (checked at load)

    def check(self, ctx: CheckContext) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def docs_url(cls) -> str:
        return f"docs/rules.md#{cls.id.lower()}-{cls.name}"
