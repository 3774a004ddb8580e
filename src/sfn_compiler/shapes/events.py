"""What the inference reports on the way (`infer(body, env)` collects them into `env.events`): a member no
value can have, an enum comparison that cannot hold, a function argument or an arithmetic operand of a
type JSONata rejects. Positions are character offsets in the expression body. Immutable values
(`_record.FrozenRecord`: equal and hashed by their fields)."""

from __future__ import annotations

from ._record import FrozenRecord, _fill
from .shape import Shape


class Event(FrozenRecord):
    __slots__ = ("start", "end")
    start: int
    end: int

    def __init__(self, start: int, end: int) -> None:
        _fill(self, start, end)


class MissingMember(Event):
    __slots__ = ("path", "name", "base", "guarded", "root", "variable", "depth")
    path: str            # the path up to the base: `$states.input`, `$job.Status`
    name: str            # the member read
    base: Shape          # the shape it is read from
    guarded: bool        # inside $exists(...), a condition, `?:`, `and`/`or`
    root: str            # "states.input", "states.result", "states.errorOutput", "states.context",
                         # "variable", "context" (a bare name relative to a predicate's item), "other"
    variable: str | None
    depth: int           # steps from the root (1 = `$states.input.x`, `$var.x`)

    def __init__(self, start: int, end: int, path: str, name: str, base: Shape, guarded: bool, root: str,
                 variable: str | None = None, depth: int = 0) -> None:
        _fill(self, start, end, path, name, base, guarded, root, variable, depth)


class EnumMismatch(Event):
    __slots__ = ("op", "subject", "literal", "values", "all_impossible", "enum_name")
    op: str              # "=", "!=", "in"
    subject: str         # the compared expression's text
    literal: str
    values: frozenset[str]
    all_impossible: bool  # `in`: no literal of the list can match
    enum_name: str | None  # the enum's name when it is an API model's (`PipelineExecutionStatus`)

    def __init__(self, start: int, end: int, op: str, subject: str, literal: str, values: frozenset[str],
                 all_impossible: bool, enum_name: str | None = None) -> None:
        _fill(self, start, end, op, subject, literal, values, all_impossible, enum_name)


class BadArgument(Event):
    __slots__ = ("function", "index", "argument", "code", "expected")
    function: str        # "min", "substring"
    index: int           # 0-based argument position
    argument: Shape
    code: str            # T0410, T0412, D3030
    expected: str        # "an array of numbers", "a string"

    def __init__(self, start: int, end: int, function: str, index: int, argument: Shape, code: str,
                 expected: str) -> None:
        _fill(self, start, end, function, index, argument, code, expected)


class BadOperand(Event):
    __slots__ = ("op", "side", "operand", "code")
    op: str
    side: str            # "left" | "right"
    operand: Shape
    code: str            # T2001 (left) / T2002 (right)

    def __init__(self, start: int, end: int, op: str, side: str, operand: Shape, code: str) -> None:
        _fill(self, start, end, op, side, operand, code)
