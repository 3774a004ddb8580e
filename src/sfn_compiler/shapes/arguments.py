"""A Task's `Arguments` (JSONata) or `Parameters` (JSONPath) checked against the API input its integration
takes: what the argument rules (SFN811-SFN815) report.

`argument_findings(machine)` walks every Task whose integration has a modelled parameter shape
(`Integration.parameters`: the botocore operation's input for `aws-sdk:*`, the catalogue's for the optimized
integrations) and reports, as `ShapeFinding`s:

- `unknown-argument`: a member the API input does not have (member names as Step Functions spells them:
  PascalCase even where the API's wire names are camelCase, `Equals` as `EqualsValue`), with a "did you mean";
- `missing-argument`: a required member that is not given;
- `argument-type`: a literal, or a `{% %}` expression whose inferred type is certain, of a type the member
  cannot take (a number for a string, an object for a list, ...);
- `argument-enum`: a string literal that is not one of the member's enum values;
- `argument-range`: a literal outside the member's `min`/`max` (string length, number, list size);
- `argument-pattern`: a string literal that does not match the member's `pattern` (a warning: the models'
  patterns are regular expressions written for other engines, and placeholder tokens such as `BUCKET_NAME`
  in samples do not match them).

JSONPath `Parameters`: a `"Name.$"` key stands for the member `Name`; its value (a path or an intrinsic
function) is typed only where that is certain (intrinsic functions by their return type, plain paths by
the flow's shape of the state's effective input). Unrendered `${...}` placeholders and CloudFormation
intrinsics stand for any value of the member's type; a string with a placeholder inside is a string of
unknown length. Arguments written as one `{% %}` expression are checked when the expression's shape is a
closed object. Whatever is not certain says nothing.

Sources: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html ("API naming
conventions"), https://docs.aws.amazon.com/step-functions/latest/dg/connect-parameters.html, the optimized
integrations' pages listed in `data/integrations.json`; recorded: AWS rejects a definition whose optimized
integration parameter has the wrong type ("SCHEMA_VALIDATION_FAILED: The value for the field 'Size' must be an
INTEGER", aws/aws-cdk#12284).
"""

from __future__ import annotations

import re
from typing import Any

from ..jsontext import a_kind, kind as json_kind
from . import _asl
from . import aws_models as M
from . import shape as S
from ._asl import _BODIES
from ._record import FrozenRecord, _fill
from .findings import MAX_LISTED
from .flow import Flow, _Analyser, flow_for
from .paths import _jsonpath_get, _jsonpath_input
from .integrations import integration
from .shape import Shape

# intrinsic functions -> the shape of their result (https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html)
_INTRINSIC_RESULT = {
    "States.Format": S.STRING, "States.JsonToString": S.STRING, "States.UUID": S.STRING,
    "States.Base64Encode": S.STRING, "States.Base64Decode": S.STRING, "States.Hash": S.STRING,
    "States.Array": S.ARRAY, "States.ArrayPartition": S.ARRAY, "States.ArrayRange": S.array(S.NUMBER),
    "States.ArrayUnique": S.ARRAY, "States.StringSplit": S.array(S.STRING), "States.ArrayLength": S.NUMBER,
    "States.MathAdd": S.NUMBER, "States.MathRandom": S.NUMBER, "States.ArrayContains": S.BOOLEAN,
    "States.JsonMerge": S.OBJECT,
}

_KIND_WORD = {"string": "a string", "number": "a number", "boolean": "a boolean", "array": "an array",
              "object": "an object", "null": "null"}


class ArgumentFinding(FrozenRecord):
    __slots__ = ("kind", "state", "pointer", "message", "hint", "key")
    kind: str                 # "unknown-argument" | "missing-argument" | "argument-type" | "argument-enum" | "argument-range"
    state: Any
    pointer: str
    message: str
    hint: str | None
    key: bool                 # locate the key at `pointer` (an unknown member; the object missing a member)

    def __init__(self, kind: str, state: Any, pointer: str, message: str, hint: str | None = None,
                 key: bool = False) -> None:
        _fill(self, kind, state, pointer, message, hint, key)


def value_shape(flow: Flow, state: Any, value: Any, path: bool = False) -> Shape:
    """The shape of `value` evaluated where `state` evaluates its `Arguments`/`Parameters`: a JSONata template
    (`{% %}` strings inferred with the state's input and entry variables); in a JSONPath state, with `path`,
    a `.$` field's path read from the effective input (after `InputPath`), else a Payload Template. UNKNOWN
    when the state is unreachable. (The flow's own analyser evaluates it, as it does the state's fields.)"""
    rec = flow.of(state)
    if rec is None:
        return S.UNKNOWN
    an = _Analyser(flow)
    if state.is_jsonata:
        return an.template(value, an._states(rec.input), rec.variables)
    raw = state.raw if isinstance(state.raw, dict) else {}
    effective = _jsonpath_input(rec.input, raw.get("InputPath", "$"), an, rec.variables)
    if path:
        return _jsonpath_get(effective, value, an, rec.variables) if isinstance(value, str) else S.UNKNOWN
    return S.UNKNOWN


def _text(pointer: Any) -> str:
    """The JSON pointer the walker passes down as (parent, token) pairs (built only for a finding)."""
    tokens: list[Any] = []
    while isinstance(pointer, tuple):
        pointer, token = pointer
        tokens.append(token)
    return _pointer(pointer, *reversed(tokens))


def _pointer(base: str, *tokens: Any) -> str:
    out = base
    for t in tokens:
        t = str(t)
        if "~" in t or "/" in t:
            t = t.replace("~", "~0").replace("/", "~1")
        out += "/" + t
    return out


def _expected(shape: Shape) -> str:
    words = []
    for o in shape.alternatives():
        w = _KIND_WORD.get(o.kind)
        if w and w not in words:
            words.append(w)
    return " or ".join(words) or S.render(shape, 1)


def _kinds(shape: Shape) -> frozenset[str] | None:
    """The JSON kinds a value of `shape` may have, or None when any (UNKNOWN anywhere). Cached per (interned)
    shape."""
    try:
        return _KINDS[shape]
    except KeyError:
        pass
    out: set[str] | None = set()
    for o in shape.alternatives():
        if o.kind == "unknown":
            out = None
            break
        if o.kind != "undefined":
            out.add(o.kind)
    if len(_KINDS) >= 100_000:
        _KINDS.clear()
    hit = _KINDS[shape] = None if out is None else frozenset(out)
    return hit


_KINDS: dict[Shape, frozenset[str] | None] = {}


def _convertible(kind: str, value: Any, want: set[str]) -> bool:
    """Whether Step Functions may turn a value of `kind` into one of the `want` kinds instead of failing: any
    JSON value given for a string parameter is sent as its JSON text (LocalStack's AWS-validated parity
    behaviour for aws-sdk:sfn:startExecution `Input` and S3 `Body`), and the SDK's JSON reader accepts a
    numeric string for a number and "true"/"false" for a boolean (or a number for a boolean). A value is
    judged only when none of these can apply: an object or array for a scalar, a scalar for an object or an
    array, a non-numeric string for a number."""
    if "string" in want:
        return True
    if kind == "string" and "number" in want:
        return value is None or _numeric(value)
    if kind == "string" and "boolean" in want:
        return value is None or value in ("true", "false")
    if kind == "number" and "boolean" in want:
        return True
    return False


def _numeric(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


_PATTERNS: dict[str, Any] = {}
_NOT_SEEN = object()    # not in `_asl._BODIES` (the cache of expression bodies) yet


def _pattern(p: str):
    hit = _PATTERNS.get(p, False)
    if hit is False:
        try:
            hit = re.compile(p)
        except (re.error, RecursionError, ValueError):
            hit = None
        _PATTERNS[p] = hit
    return hit


class _Walker:
    """Checks one Task's arguments. A value's pointer is passed down as a (parent, token) pair and written
    out (`_text`) only for a finding."""

    def __init__(self, flow: Any, state: Any, label: str, opaque, service: str | None) -> None:
        self._flow = flow
        self.service = service      # whose model constraints apply
        self.st = state
        self.label = label
        self.opaque = opaque
        self.jsonata = state.is_jsonata
        self.field = "Arguments" if self.jsonata else "Parameters"
        self.out: list[ArgumentFinding] = []

    def flow(self) -> Flow:
        """The machine's flow, computed on the first expression or path that needs a type (a definition whose
        arguments are literals never pays for the inference)."""
        return self._flow() if callable(self._flow) else self._flow

    def add(self, kind: str, pointer: Any, message: str, hint: str | None = None, key: bool = False) -> None:
        self.out.append(ArgumentFinding(kind, self.st, _text(pointer), f"State '{self.st.name}': {message}", hint,
                                        key))

    # ------------------------------------------------------------------ values

    def check(self, value: Any, expected: Shape, pointer: Any, where: str, parent: Shape | None = None,
              member: str | None = None) -> None:
        """`value` (as written) against the `expected` shape; `parent`/`member` give the model constraints."""
        if expected is S.UNKNOWN or value is None:
            return
        is_str = isinstance(value, str)
        # what `opaque` (Machine.is_opaque) can say yes to: a string with `${` or `{{`, a one-key object
        if (("${" in value or "{{" in value) if is_str else isinstance(value, dict) and len(value) == 1) \
                and self.opaque(value):
            return
        kinds = _kinds(expected)
        if is_str and self.jsonata:
            body = _BODIES.get(value, _NOT_SEEN)
            if (body if body is not _NOT_SEEN else _asl.expression_body(value)) is not None:
                if kinds is not None and "string" not in kinds:  # any value converts to a string: no inference
                    self.check_shape(value_shape(self.flow(), self.st, value), expected, pointer, where)
                return
        if kinds is None:
            return
        vk = json_kind(value)
        if vk not in kinds:
            if not _convertible(vk, value, kinds):
                self.add("argument-type", pointer, f"parameter {where} must be {_expected(expected)}, not "
                         f"{a_kind(value)} ({self.label})")
            return
        alt = expected if expected.kind == vk else next(o for o in expected.alternatives() if o.kind == vk)
        lim = M.member_constraints(parent, member, self.service) if parent is not None and member else None
        if vk == "string":
            self.check_string(value, alt, lim, pointer, where)
        elif vk == "number":
            self.check_number(value, lim, pointer, where)
        elif vk == "array":
            self.check_size(len(value), lim, pointer, where, "item")
            for i, item in enumerate(value):
                self.check(item, alt.item, (pointer, i), f"{where}[{i}]")
        elif vk == "object":
            self.check_object(value, alt, pointer, where)

    def check_string(self, value: str, shape: Shape, lim, pointer: Any, where: str) -> None:
        if _asl.has_placeholder(value):
            return
        if shape.values is not None and value not in shape.values:
            values = sorted(shape.values)
            listed = ", ".join(repr(v) for v in values[:MAX_LISTED]) + (" ..." if len(values) > MAX_LISTED else "")
            folded = [v for v in values if v.lower() == value.lower()]
            hint = f"the API spells it {folded[0]!r}" if folded else _asl.did_you_mean(value, values)
            self.add("argument-enum", pointer, f"parameter {where} is {value!r}, which is not one of the values of "
                     f"{shape.name or 'its enum'}: {listed} ({self.label})", hint)
            return
        if lim is None:
            return
        self.check_size(len(value), lim, pointer, where, "character")
        if lim.pattern:
            rx = _pattern(lim.pattern)
            if rx is not None and rx.search(value) is None:
                self.add("argument-pattern", pointer, f"parameter {where} {value!r} does not match the API's "
                         f"pattern {lim.pattern} ({self.label})")

    def check_number(self, value: float, lim, pointer: Any, where: str) -> None:
        if lim is None:
            return
        if lim.type in ("integer", "long") and isinstance(value, float) and not value.is_integer():
            self.add("argument-type", pointer, f"parameter {where} must be an integer, not {value} ({self.label})")
            return
        if lim.min is not None and value < lim.min:
            self.add("argument-range", pointer, f"parameter {where} is {value}, below the API's minimum "
                     f"{lim.min} ({self.label})")
        elif lim.max is not None and value > lim.max:
            self.add("argument-range", pointer, f"parameter {where} is {value}, above the API's maximum "
                     f"{lim.max} ({self.label})")

    def check_size(self, n: int, lim, pointer: Any, where: str, unit: str) -> None:
        if lim is None:
            return
        if lim.min is not None and n < lim.min:
            self.add("argument-range", pointer, f"parameter {where} has {n} {unit}(s), fewer than the API's "
                     f"minimum {lim.min} ({self.label})")
        elif lim.max is not None and n > lim.max:
            self.add("argument-range", pointer, f"parameter {where} has {n} {unit}(s), more than the API's "
                     f"maximum {lim.max} ({self.label})")

    def check_shape(self, got: Shape, expected: Shape, pointer: Any, where: str) -> None:
        """An expression's inferred shape against the expected one: only certain mismatches."""
        want = _kinds(expected)
        have = _kinds(got)
        if want is None or have is None or not have:
            return
        have = have - {"null"}
        if have and not (have & want) and not any(_convertible(k, None, want) for k in have):
            what = f"parameter {where}" if where != "Arguments" else "Arguments"
            self.add("argument-type", pointer, f"{what} must be {_expected(expected)}, but its value is "
                     f"{S.render(got, 1)} ({self.label})")
            return
        if have == {"object"} and want == {"object"}:
            g = next(o for o in got.alternatives() if o.kind == "object")
            e = next(o for o in expected.alternatives() if o.kind == "object")
            if g.open or e.open:
                return
            emembers = e.member_map
            for name, _m in g.members:
                if name not in emembers:
                    self.add("unknown-argument", pointer, f"{where} gives '{name}', which is not a parameter of "
                             f"{self._api(e)} ({self.label})", _asl.did_you_mean(name, list(emembers)))
            given = set(g.member_map)
            for name, m in e.members:
                if m.required and name not in given:
                    self.add("missing-argument", pointer, f"{where} has no required parameter '{name}' (the "
                             f"expression gives {S.render(g, 1)}) ({self.label})")

    def check_object(self, value: dict, shape: Shape, pointer: Any, where: str) -> None:
        members = shape.member_map
        given: set[str] = set()
        for k, v in value.items():
            key = str(k)
            name = key
            if key.endswith(".$"):
                if self.jsonata:
                    continue          # JSONPath syntax in a JSONata state: SFN311 reports it
                name = key[:-2]
            given.add(name)
            sub = (pointer, key)
            label = f"{where}.{name}" if where else name
            m = members.get(name)
            if m is None:
                if shape.open:
                    if shape.rest is not None and shape.rest is not S.UNKNOWN:
                        self.value(key, v, shape.rest, sub, label, None, None)
                    continue
                hint = _asl.did_you_mean(name, list(members))
                self.add("unknown-argument", sub, f"'{label}' is not a parameter of {self._api(shape)} "
                         f"({self.label})", hint or self._listing(members), key=True)
                continue
            self.value(key, v, m.shape, sub, label, shape, name)
        for name, m in shape.members:
            if m.required and name not in given:
                where_txt = f"parameter {where} has no" if where else f"{self.field} has no"
                self.add("missing-argument", pointer, f"{where_txt} required member '{name}' ({self.label})",
                         f"add '{name}'" + (f" (or '{name}.$' with a path)" if not self.jsonata else ""), key=True)

    def value(self, key: str, v: Any, expected: Shape, pointer: Any, label: str, parent: Shape | None,
              member: str | None) -> None:
        if not self.jsonata and key.endswith(".$"):
            got = self.path_value(v, expected)
            if got is not None:
                self.check_shape(got, expected, pointer, label)
            return
        self.check(v, expected, pointer, label, parent, member)

    def path_value(self, v: Any, expected: Shape) -> Shape | None:
        """The shape of a JSONPath `.$` value: an intrinsic function's result, a plain path's shape (None when
        it cannot matter: any value converts to a string)."""
        want = _kinds(expected)
        if not isinstance(v, str) or self.opaque(v) or want is None or "string" in want:
            return None
        text = v.strip()
        if text.startswith("States."):
            name = text.split("(", 1)[0].strip()
            return _INTRINSIC_RESULT.get(name)
        if text.startswith("$"):
            return value_shape(self.flow(), self.st, text, path=True)
        return None

    @staticmethod
    def _api(shape: Shape) -> str:
        return shape.name or "the API input"

    @staticmethod
    def _listing(members: dict) -> str | None:
        names = sorted(members)
        if not names:
            return "the API takes no parameters here"
        shown = ", ".join(names[:MAX_LISTED]) + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED
                                                  else "")
        return f"the parameters are {shown}"


def argument_findings(machine: Any, flow: Flow | None = None) -> list[ArgumentFinding]:
    """Every argument problem of every Task of `machine` (an `asl.Machine`, or a `Flow`'s). Literals are
    judged wherever the Task is (AWS validates a definition's arguments when it is created); expressions
    and paths with the flow's shapes at the Task (none when it is unreachable)."""
    if isinstance(machine, Flow):
        flow, machine = machine, machine.machine
    memo: list[Flow] = [flow] if flow is not None else []

    def get_flow() -> Flow:
        if not memo:
            memo.append(flow_for(machine))
        return memo[0]

    out: list[ArgumentFinding] = []
    for st in machine.states:
        if st.type != "Task":
            continue
        integ = integration(st.get("Resource"))
        params = integ.parameters
        if params.kind != "object":
            continue
        field = "Arguments" if st.is_jsonata else "Parameters"
        if not st.has(field):
            continue
        value = st.get(field)
        label = integ.resource.split(":::", 1)[-1]
        w = _Walker(get_flow, st, label, machine.is_opaque, integ.model_service)
        base = _pointer(st.pointer, field)
        if machine.is_opaque(value):
            continue
        if isinstance(value, str) and st.is_jsonata and _asl.expression_body(value) is not None:
            w.check_shape(value_shape(get_flow(), st, value), params, base, field)
        elif isinstance(value, dict):
            w.check_object(value, params, base, "")
        out.extend(w.out)
    return out


__all__ = ["ArgumentFinding", "argument_findings"]
