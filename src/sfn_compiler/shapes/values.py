"""JSON values against shapes: a mocked Task result checked the way AWS's TestState checks a mock
(`check_value`), and a typed sample value for a shape (`sample_value`, what `sfnc test --scaffold` writes).

`check_value(value, shape, mode)` mirrors TestState's `mock.fieldValidationMode`
(https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html), whose behaviour AWS
recorded in LocalStack's parity tests (tests/aws/services/stepfunctions/v2/test_state/
test_field_validation_mode*.py, 2025-12):

- `STRICT` (the default): "All required fields must be present, and all present fields must conform to the
  API's schema": a present member of the wrong type ("Field 'Entries' must be an array"), a string outside
  its enum ("Field 'StorageClass' is not an expected value"), a string or number outside its `min`/`max`
  ("Field 'MemorySize' is less than the minimum value"), a missing required member ("Required field
  'ExecutionArn' is missing") are errors. A member the model does not have is *not* an error (recorded:
  `{"random": "json"}` passes for `events:putEvents`: "forward compatibility"); sfnc reports it as a
  warning with a "did you mean" when the result shape is certain, since it is most often a misspelling
  (`executionArn` for `ExecutionArn`).
- `PRESENT`: only the present members are checked (no required members, no unknown-member warnings).
- `NONE`: nothing.

The shape is what the Task returns (`Integration.result`), which differs from TestState's raw API output
where AWS's runtime does: `lambda:invoke`'s `Payload` is any JSON, `states:startExecution.sync:2`'s `Output`
is parsed JSON, timestamps are ISO strings or epoch numbers (TestState requires strings; the optimized
integrations have returned both), blobs and documents are any value, and the `SdkHttpMetadata` /
`SdkResponseMetadata` that the optimized integrations add are never required of a mock. `null` stands for
an absent member. With an uncertain result shape (`certain=False`: a catalogue entry without recorded
evidence) every problem is a warning.
"""

from __future__ import annotations

import difflib
from typing import Any

from ..jsontext import kind as json_kind
from . import aws_models as M
from . import shape as S
from ._record import FrozenRecord, _fill
from .shape import Shape

STRICT, PRESENT, NONE = "strict", "present", "none"
MODES = (STRICT, PRESENT, NONE)

# members the optimized integrations add to the API output (integrations.json `shapes.sdk_metadata`)
ADDED_BY_STEP_FUNCTIONS = frozenset({"SdkHttpMetadata", "SdkResponseMetadata"})

_WORD = {"string": "a string", "number": "a number", "boolean": "a boolean", "array": "an array",
         "object": "an object", "null": "null"}


class ValueProblem(FrozenRecord):
    __slots__ = ("path", "message", "severity", "hint")
    path: tuple[Any, ...]       # member names and list indices from the value's root
    message: str                # without the path
    severity: str               # "error" | "warning"
    hint: str | None

    def __init__(self, path: tuple[Any, ...], message: str, severity: str, hint: str | None = None) -> None:
        _fill(self, path, message, severity, hint)


def label(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "the result"


class _Checker:
    def __init__(self, mode: str, certain: bool, closed: bool = True, service: str | None = None) -> None:
        self.mode = mode
        self.service = service      # whose model constraints apply
        self.certain = certain
        self.closed = closed
        self.out: list[ValueProblem] = []

    def add(self, path: tuple, message: str, hint: str | None = None, severity: str = "error") -> None:
        self.out.append(ValueProblem(path, message, severity if self.certain else "warning", hint))

    def check(self, value: Any, shape: Shape, path: tuple, parent: Shape | None, member: str | None,
              depth: int = 0) -> None:
        if shape is S.UNKNOWN or value is None or depth > 60:
            return
        kinds = {o.kind for o in shape.alternatives() if o.kind not in ("undefined",)}
        if not kinds or "unknown" in kinds:
            return
        vk = json_kind(value)
        if vk not in kinds:
            want = " or ".join(_WORD.get(k, k) for k in sorted(kinds))
            self.add(path, f"must be {want}, not {_WORD.get(vk, vk)}")
            return
        alt = next(o for o in shape.alternatives() if o.kind == vk)
        lim = M.member_constraints(parent, member, self.service) if parent is not None and member is not None \
            else None
        if vk == "string":
            if alt.values is not None and value not in alt.values:
                values = sorted(alt.values)
                close = [v for v in values if v.lower() == value.lower()] or \
                    difflib.get_close_matches(value, values, n=1, cutoff=0.6)
                shown = ", ".join(repr(v) for v in values[:12]) + (" ..." if len(values) > 12 else "")
                self.add(path, f"is {value!r}, not an expected value ({alt.name or 'enum'}: {shown})",
                         f"did you mean {close[0]!r}?" if close else None)
            elif lim is not None:
                self.size(path, len(value), lim, "length")
        elif vk == "number":
            if lim is not None:
                if lim.type in ("integer", "long") and isinstance(value, float) and not value.is_integer():
                    self.add(path, f"must be an integer, not {value}")
                elif lim.min is not None and value < lim.min:
                    self.add(path, f"is {value}, less than the minimum value {lim.min}")
                elif lim.max is not None and value > lim.max:
                    self.add(path, f"is {value}, more than the maximum value {lim.max}")
        elif vk == "array":
            if lim is not None:
                self.size(path, len(value), lim, "number of items")
            for i, item in enumerate(value):
                self.check(item, alt.item, path + (i,), None, None, depth + 1)
        elif vk == "object":
            self.obj(value, alt, path, depth)

    def size(self, path: tuple, n: int, lim: Any, what: str) -> None:
        if lim.min is not None and n < lim.min:
            self.add(path, f"has {what} {n}, smaller than the minimum {what} {lim.min}")
        elif lim.max is not None and n > lim.max:
            self.add(path, f"has {what} {n}, larger than the maximum {what} {lim.max}")

    def obj(self, value: dict, shape: Shape, path: tuple, depth: int) -> None:
        members = shape.member_map
        for k, v in value.items():
            m = members.get(k)
            if m is not None:
                self.check(v, m.shape, path + (k,), shape, k, depth + 1)
            elif shape.open:
                if shape.rest is not None and shape.rest is not S.UNKNOWN:
                    self.check(v, shape.rest, path + (k,), None, None, depth + 1)
            elif self.mode == STRICT and self.certain and self.closed:
                close = difflib.get_close_matches(str(k), list(members), n=1, cutoff=0.6) or \
                    [n for n in members if n.lower() == str(k).lower()]
                self.out.append(ValueProblem(
                    path + (k,), f"is not a member of {shape.name or 'the result'} (Step Functions accepts it, as "
                    "TestState does, but no Task result has it)", "warning",
                    f"did you mean {close[0]!r}?" if close else None))
        if self.mode != STRICT:
            return
        for name, m in shape.members:
            if m.required and name not in value and name not in ADDED_BY_STEP_FUNCTIONS:
                self.add(path + (name,), "is required but missing")


def check_value(value: Any, shape: Shape, mode: str = STRICT, certain: bool = True,
                closed: bool = True, service: str | None = None) -> list[ValueProblem]:
    """Problems of a mocked result `value` against the result `shape` (see the module doc). `certain`: the
    shape's members have the model's types for certain (else every problem is a warning); `closed`: no
    other member exists (members it does not list are reported, as warnings, in STRICT mode); `service`:
    the botocore service whose model's member constraints apply (none without it)."""
    if mode == NONE or shape is S.UNKNOWN:
        return []
    c = _Checker(mode, certain, closed, service)
    c.check(value, shape, (), None, None)
    return c.out


# --------------------------------------------------------------------------------------------------
# samples


SAMPLE_TIMESTAMP = "2025-01-01T00:00:00Z"
_SUCCESS = ("Succeeded", "SUCCEEDED", "Completed", "COMPLETED", "SUCCESS", "Success", "succeeded", "completed",
            "Available", "AVAILABLE", "InService", "Active", "ACTIVE", "Complete", "COMPLETE", "Done", "DONE")


def sample_value(shape: Shape, name: str = "value", depth: int = 0,
                 prefer: dict[str, str] | None = None, service: str | None = None) -> Any:
    """A value of `shape` that `check_value` accepts in STRICT mode: required members only, typed
    placeholders (`"<Name>"` strings, numbers within bounds, `[]`, `{}`), an enum's success-like value
    (`Succeeded`, `COMPLETED`, ...) or its first, `prefer` values for named members; within the member
    constraints of botocore `service`'s model."""
    if depth > 12:
        return {}
    if shape is S.UNKNOWN:
        return {}
    alts = [o for o in shape.alternatives() if o.kind not in ("undefined", "null")]
    if not alts:
        return None
    if shape.alternatives() == M.TIMESTAMP.alternatives():
        return SAMPLE_TIMESTAMP
    o = alts[0]
    if o.kind == "string":
        if o.values:
            if prefer and name in prefer and prefer[name] in o.values:
                return prefer[name]
            return next((v for v in _SUCCESS if v in o.values), sorted(o.values)[0])
        return f"<{name}>"
    if o.kind == "number":
        return 0
    if o.kind == "boolean":
        return False
    if o.kind == "array":
        return []
    if o.kind == "object":
        out: dict[str, Any] = {}
        for n, m in o.members:
            if m.required and n not in ADDED_BY_STEP_FUNCTIONS:
                out[n] = _bounded(o, n, sample_value(m.shape, n, depth + 1, prefer, service), service)
            elif prefer and n in prefer:
                out[n] = prefer[n]
        return out
    return {}


def _bounded(parent: Shape, name: str, value: Any, service: str | None) -> Any:
    """Keep a sample inside the member's min/max (a minimum length, a number's minimum)."""
    lim = M.member_constraints(parent, name, service)
    if lim is None:
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and lim.min is not None and value < lim.min:
        return int(lim.min) if float(lim.min).is_integer() else lim.min
    if isinstance(value, str) and lim.max is not None and len(value) > lim.max:
        return value[: int(lim.max)]
    return value
