"""What the inference reports on the way (`infer(body, env)` collects them into `env.events`): a member no
value can have, an enum comparison that cannot hold, a function argument or an arithmetic operand of a
type JSONata rejects. Positions are character offsets in the expression body."""

from __future__ import annotations

from dataclasses import dataclass

from .shape import Shape


@dataclass(frozen=True)
class Event:
    start: int
    end: int


@dataclass(frozen=True)
class MissingMember(Event):
    path: str            # the path up to the base: `$states.input`, `$job.Status`
    name: str            # the member read
    base: Shape          # the shape it is read from
    guarded: bool        # inside $exists(...), a condition, `?:`, `and`/`or`
    root: str            # "states.input", "states.result", "states.errorOutput", "states.context",
                         # "variable", "context" (a bare name relative to a predicate's item), "other"
    variable: str | None = None
    depth: int = 0       # steps from the root (1 = `$states.input.x`, `$var.x`)


@dataclass(frozen=True)
class EnumMismatch(Event):
    op: str              # "=", "!=", "in"
    subject: str         # the compared expression's text
    literal: str
    values: frozenset[str]
    all_impossible: bool  # `in`: no literal of the list can match
    enum_name: str | None = None   # the enum's name when it is an API model's (`PipelineExecutionStatus`)


@dataclass(frozen=True)
class BadArgument(Event):
    function: str        # "min", "substring"
    index: int           # 0-based argument position
    argument: Shape
    code: str            # T0410, T0412, D3030
    expected: str        # "an array of numbers", "a string"


@dataclass(frozen=True)
class BadOperand(Event):
    op: str
    side: str            # "left" | "right"
    operand: Shape
    code: str            # T2001 (left) / T2002 (right)
