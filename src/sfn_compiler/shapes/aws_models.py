"""The AWS API models botocore ships, read as shapes.

`operation(service, action)` resolves what a Task `Resource` names (`aws-sdk:<service>:<action>`, Step
Functions' spelling) to a botocore service model and operation, loaded lazily (only the services a
definition uses) and cached for the process. An `ApiOperation` gives the output shape (what the Task's
result holds), the input shape (required members, enums), per-member constraints (min, max, pattern,
enum) and the exception names the operation declares.

Spelling rules (AWS: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html):
- the service name in the Resource is the SDK integration's name (`sfn`, `eventbridge`, `cloudwatchlogs`),
  which is botocore's service name without hyphens except for the renames in `integrations.json`
  (`sdk_services`: `sfn` -> `stepfunctions`, `eventbridge` -> `events`, ...);
- the action is camelCase: the operation is the same name in PascalCase;
- member names in results are PascalCase even where the API uses camelCase (recorded: an
  `aws-sdk:sfn:startExecution` result is `{ExecutionArn, StartDate}` though the API returns
  `executionArn`, LocalStack's AWS-validated snapshot `test_aws_sdk_task_service.py::test_sfn_start_execution`;
  AWS's own samples read `DataSource.DataSourceId` of `bedrockagent:createDataSource`). Services with that
  evidence are listed in `integrations.json` (`recased_results`); for the other camelCase services a structure
  whose members were recased is *caseless*: a read that differs from a member only in letter case is unknown,
  never a finding;
- errors are `<Prefix>.<Name>`: the prefix column of AWS's table (`DynamoDb`, `Sfn`, `AcmPca`), the name
  ending in `Exception` (added when the model's name lacks it).

Conversions: structure -> closed object (required members from the model), map -> open object whose
members have the value shape, list -> array, string with an enum -> string with those values, numbers and
booleans as such, timestamps -> `string | number` (the SDK integrations and the optimized ones are not
documented to agree on ISO strings or epoch numbers, so neither is assumed), blobs and documents ->
unknown. Recursive shapes are cut (the recursive occurrence is unknown).

Loading: the model file is read straight from botocore's data directory (gzip, then `model_file.lazy_model`:
only the operations and shapes used are decoded; much faster than `botocore.loaders.Loader`, which parses
everything into OrderedDicts and imports much of botocore); when that layout is not found, botocore's
`Loader` is used. A model is a read-only `Mapping` (sections too). Nothing here is imported at `sfnc --help`.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from . import shape as S
from ._record import FrozenRecord, _fill
from .model_file import containing, read_service_file
from .shape import Member, Shape

TIMESTAMP = S.union(S.STRING, S.NUMBER)

_LOCK = threading.RLock()
_MODELS: dict[str, Mapping | None] = {}
_OPS: dict[tuple[str, str], "ApiOperation | None"] = {}
_STATS = {"loads": 0, "seconds": 0.0}


# --------------------------------------------------------------------------------------------------
# the catalogue data file (read once)


_INTEGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "integrations.json")


@lru_cache(maxsize=1)
def integrations_data() -> dict[str, Any]:
    """`sfn_compiler/data/integrations.json`: SDK service spellings and prefixes, optimized integrations (read
    beside the modules, as the polling catalogue is: importlib.resources imports zipfile, tempfile, random)."""
    with open(_INTEGRATIONS, encoding="utf-8") as fh:
        return json.load(fh)


# --------------------------------------------------------------------------------------------------
# locating and loading models


@lru_cache(maxsize=1)
def _data_dir() -> str | None:
    import importlib.util

    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return None
    d = os.path.join(list(spec.submodule_search_locations)[0], "data")
    return d if os.path.isdir(d) else None


@lru_cache(maxsize=1)
def botocore_services() -> dict[str, str]:
    """Botocore service names keyed by their hyphen-less lower-case spelling (`emrserverless` ->
    `emr-serverless`)."""
    d = _data_dir()
    names: list[str] = []
    if d is not None:
        names = [n for n in os.listdir(d) if os.path.isdir(os.path.join(d, n))]
    else:  # pragma: no cover - botocore without a data directory
        try:
            from botocore.loaders import Loader

            names = Loader().list_available_services("service-2")
        except Exception:
            names = []
    return {n.replace("-", "").lower(): n for n in names}


def botocore_service(sfn_service: str) -> str | None:
    """The botocore service of an SDK integration's service name (`sfn` -> `stepfunctions`)."""
    if not isinstance(sfn_service, str) or not sfn_service:
        return None
    key = sfn_service.lower()
    entry = integrations_data()["sdk_services"].get(key)
    name = entry["botocore"] if isinstance(entry, dict) and entry.get("botocore") else key.replace("-", "")
    d = _data_dir()
    if d is not None and os.sep not in name and name not in (".", "..") and os.path.isdir(os.path.join(d, name)):
        return name    # the usual case: no need to list botocore's 400-odd service directories
    if isinstance(entry, dict) and entry.get("botocore"):
        return name if name.replace("-", "").lower() in botocore_services() else None
    return botocore_services().get(name)


def _read_model(service: str) -> Mapping | None:
    d = _data_dir()
    model = read_service_file(os.path.join(d, service)) if d is not None else None
    if model is not None:
        return model
    try:  # pragma: no cover - a botocore whose data layout differs
        from botocore.loaders import Loader

        return Loader().load_service_model(service, "service-2")
    except Exception:
        return None


def service_model(service: str) -> Mapping | None:
    """The raw botocore model (`service-2.json`) of a botocore service, cached per process."""
    with _LOCK:
        if service in _MODELS:
            return _MODELS[service]
        import time

        t0 = time.perf_counter()
        model = _read_model(service)
        _STATS["loads"] += 1
        _STATS["seconds"] += time.perf_counter() - t0
        _MODELS[service] = model if isinstance(model, Mapping) and isinstance(model.get("shapes"), Mapping) else None
        return _MODELS[service]


def load_stats() -> dict[str, float]:
    """How many models this process loaded and the seconds it took (for bench/)."""
    return dict(_STATS)


# --------------------------------------------------------------------------------------------------
# operations


class Constraints(FrozenRecord):
    """What the model says about one input value beyond its type (`required`: a structure's required members;
    `members`: every member name, as Step Functions spells it)."""
    __slots__ = ("type", "enum", "min", "max", "pattern", "required", "members")

    def __init__(self, type: str | None = None, enum: tuple[str, ...] | None = None, min: float | None = None,
                 max: float | None = None, pattern: str | None = None, required: tuple[str, ...] = (),
                 members: tuple[str, ...] = ()) -> None:
        _fill(self, type, enum, min, max, pattern, required, members)


# Constraints of the members of converted structures: what `min`, `max`, `pattern` and integer types say about
# a member's value beyond its lattice shape, by (interned) object shape, then botocore service, then member.
# By service too: two services' structures can intern to one shape (same name and members) with different
# limits (ssm's TerminateSessionRequest allows a SessionId of 96 characters, athena's of 256), and what one
# definition is told must not depend on which other models the process has read.
_MEMBER_LIMITS: dict[int, dict[str, dict[str, Constraints]]] = {}


def _scalar_constraints(raw: Any) -> Constraints | None:
    t = raw.get("type") if isinstance(raw, dict) else None
    lo, hi, pat = (raw.get("min"), raw.get("max"), raw.get("pattern")) if t else (None, None, None)
    if t not in ("string", "integer", "long", "float", "double", "list", "map", "blob") or \
            (lo is None and hi is None and pat is None and t not in ("integer", "long")):
        return None
    key = (t, lo, hi, pat if isinstance(pat, str) else None)
    if isinstance(lo, (list, dict)) or isinstance(hi, (list, dict)):  # pragma: no cover - not a model's
        return Constraints(type=t, min=lo, max=hi, pattern=key[3])
    hit = _SCALARS.get(key)    # the same few recur across a model's members: one object each
    if hit is None:
        hit = _SCALARS[key] = Constraints(type=t, min=lo, max=hi, pattern=key[3])
    return hit


_SCALARS: dict[tuple, Constraints] = {}


def _record_constraints(service: str, shape: Shape, limits: dict[str, Constraints]) -> None:
    if limits:
        with _LOCK:
            _MEMBER_LIMITS.setdefault(id(shape), {}).setdefault(service, {}).update(limits)


def member_constraints(obj_shape: Shape, name: str, service: str | None) -> Constraints | None:
    """The constraints (min/max length or value, pattern, integer) that botocore `service`'s model puts on
    member `name` of a structure converted from it, or None when it gives none."""
    by_service = _MEMBER_LIMITS.get(id(obj_shape))
    return by_service.get(service, {}).get(name) if by_service and service else None


def carry_constraints(new: Shape, old: Shape, names: Any = None) -> None:
    """`new` (built from `old` by an override or a merge) keeps the constraints of `old`'s members in
    `names` (default: all of them)."""
    by_service = _MEMBER_LIMITS.get(id(old))
    if not by_service or new is old:
        return
    with _LOCK:
        for service, table in list(by_service.items()):
            keep = {k: v for k, v in table.items() if names is None or k in names}
            if keep:
                _MEMBER_LIMITS.setdefault(id(new), {}).setdefault(service, {}).update(keep)


class ApiOperation:
    """One operation of one botocore service model (compared by identity)."""

    __slots__ = ("service", "name", "model")

    def __init__(self, service: str, name: str, model: Mapping) -> None:
        self.service = service      # botocore service name
        self.name = name            # operation name (PascalCase)
        self.model = model

    def __repr__(self) -> str:
        return f"ApiOperation(service={self.service!r}, name={self.name!r})"

    @property
    def service_id(self) -> str | None:
        return self.model.get("metadata", {}).get("serviceId")

    def _op(self) -> dict:
        return self.model["operations"][self.name]

    @property
    def output_shape_name(self) -> str | None:
        out = self._op().get("output")
        return out.get("shape") if isinstance(out, dict) else None

    @property
    def input_shape_name(self) -> str | None:
        inp = self._op().get("input")
        return inp.get("shape") if isinstance(inp, dict) else None

    @property
    def output(self) -> Shape:
        """The shape of the operation's result as a Task sees it (`{}` when the operation returns nothing)."""
        name = self.output_shape_name
        if name is None:
            return S.obj({})
        return convert(self.service, name)

    @property
    def input(self) -> Shape:
        """The shape of the operation's parameters (closed object, required members marked)."""
        name = self.input_shape_name
        if name is None:
            return S.obj({})
        return convert(self.service, name)

    @property
    def errors(self) -> tuple[str, ...]:
        """The exception shape names the model declares for the operation (as modelled, e.g.
        `ResourceNotFound`, `ConditionalCheckFailedException`)."""
        out = []
        for e in self._op().get("errors", ()) or ():
            if isinstance(e, dict) and isinstance(e.get("shape"), str):
                out.append(e["shape"])
        return tuple(out)

    @property
    def service_exceptions(self) -> frozenset[str]:
        """Every exception shape name of the service's model (any operation)."""
        return service_exceptions(self.service)

    def constraints(self, path: tuple[str, ...] = ()) -> Constraints | None:
        """Constraints of the input value at `path` (member names as Step Functions spells them; `[]`
        steps into a list item, `{}` into a map value), or None when the path leaves the model."""
        name = self.input_shape_name
        if name is None:
            return None
        shapes = self.model["shapes"]
        raw = shapes.get(name)
        for step in path:
            if not isinstance(raw, dict):
                return None
            t = raw.get("type")
            if step == "[]" and t == "list":
                raw = shapes.get(raw.get("member", {}).get("shape"))
            elif step == "{}" and t == "map":
                raw = shapes.get(raw.get("value", {}).get("shape"))
            elif t == "structure":
                m = _find_member(raw.get("members", {}), step)
                raw = shapes.get(m.get("shape")) if m else None
            else:
                return None
        if not isinstance(raw, dict):
            return None
        members = raw.get("members", {}) if raw.get("type") == "structure" else {}
        return Constraints(
            type=raw.get("type"),
            enum=tuple(raw["enum"]) if isinstance(raw.get("enum"), list) else None,
            min=raw.get("min"), max=raw.get("max"), pattern=raw.get("pattern"),
            required=tuple(_pascal(r) for r in raw.get("required", ()) if isinstance(r, str)
                           and not (members.get(r) or {}).get("idempotencyToken")) if members else (),
            members=tuple(_pascal(m) for m in members),
        )


def _find_member(members: dict, name: str) -> dict | None:
    if name in members:
        return members[name]
    for k, v in members.items():
        if _pascal(k) == name:
            return v
    return None


def operation(sfn_service: str, action: str) -> ApiOperation | None:
    """The botocore operation an `aws-sdk:<sfn_service>:<action>` Task calls, or None when the service or
    the action is not in the installed models (then the result is unknown)."""
    key = (str(sfn_service).lower(), str(action))
    with _LOCK:
        if key in _OPS:
            return _OPS[key]
    svc = botocore_service(sfn_service)
    op = api_operation(svc, action) if svc else None
    with _LOCK:
        _OPS[key] = op
    return op


def api_operation(service: str, action: str) -> ApiOperation | None:
    """An operation of a botocore service, by its name in any case (`getItem`, `GetItem`)."""
    model = service_model(service)
    if model is None or not isinstance(action, str) or not action:
        return None
    ops = model.get("operations", {})
    name = action[0].upper() + action[1:]
    if name not in ops:
        folded = {k.lower(): k for k in ops}
        name = folded.get(action.lower())
        if name is None:
            return None
    return ApiOperation(service, name, model)


# --------------------------------------------------------------------------------------------------
# model shapes -> lattice shapes


_CONVERTED: dict[tuple[str, str], Shape] = {}


def convert(service: str, shape_name: str) -> Shape:
    """The lattice shape of a botocore shape (members PascalCase; recursion cut)."""
    key = (service, shape_name)
    hit = _CONVERTED.get(key)
    if hit is not None:
        return hit
    model = service_model(service)
    if model is None:
        return S.UNKNOWN
    conv = _Converter(service, model["shapes"], caseless=service not in integrations_data().get("recased_results", {}))
    out, _ = conv.shape(shape_name, 0)
    with _LOCK:
        _CONVERTED.update({(service, n): s for n, s in conv.done.items()})
        _CONVERTED[key] = out
    return out


def _pascal(name: str) -> str:
    """A model member name as Step Functions spells it: PascalCase, and `Equals` is `EqualsValue` (AWS: "API
    fields for equals will be referred to in your state machines as: EqualsValue", supported-services-awssdk.html
    "API naming conventions")."""
    out = name[:1].upper() + name[1:] if name else name
    return "EqualsValue" if out == "Equals" else out


sfn_member_name = _pascal


class _Converter:
    """Converts botocore shapes; a shape is memoised only when its conversion did not cut a recursion into
    an enclosing shape (so memoised results do not depend on where they were first reached)."""

    def __init__(self, service: str, shapes: dict, caseless: bool = False) -> None:
        self.service = service
        self.shapes = shapes
        self.caseless = caseless      # recased member names are not recorded for this service
        self.stack: dict[str, int] = {}
        self.done: dict[str, Shape] = {}

    def shape(self, name: str, depth: int) -> tuple[Shape, int]:
        """(shape, lowest stack depth of a recursion it cut; a large number when none)."""
        NONE = 1 << 30
        if name in self.done:
            return self.done[name], NONE
        if name in self.stack:
            return S.UNKNOWN, self.stack[name]
        raw = self.shapes.get(name)
        if not isinstance(raw, dict) or depth > 40:
            return S.UNKNOWN, NONE
        self.stack[name] = depth
        try:
            out, cut = self._convert(name, raw, depth)
        finally:
            del self.stack[name]
        if cut >= depth:
            self.done[name] = out
            cut = NONE
        return out, cut

    def _convert(self, name: str, raw: dict, depth: int) -> tuple[Shape, int]:
        NONE = 1 << 30
        t = raw.get("type")
        if t == "string":
            enum = raw.get("enum")
            if isinstance(enum, list) and enum:
                return S.string(enum, name=name), NONE
            return S.STRING, NONE
        if t in ("integer", "long", "float", "double", "bigdecimal", "biginteger"):
            return S.NUMBER, NONE
        if t == "boolean":
            return S.BOOLEAN, NONE
        if t == "timestamp":
            return TIMESTAMP, NONE
        if t == "list":
            item, cut = self.shape(raw.get("member", {}).get("shape", ""), depth + 1)
            return S.array(item), cut
        if t == "map":
            value, cut = self.shape(raw.get("value", {}).get("shape", ""), depth + 1)
            return S.map_of(value), cut
        if t == "structure":
            if raw.get("document") or raw.get("exception") and not raw.get("members"):
                return S.UNKNOWN, NONE
            required = set(raw.get("required", ()) or ())
            members: dict[str, Member] = {}
            limits: dict[str, Constraints] = {}
            cut = NONE
            for mname, mraw in (raw.get("members") or {}).items():
                if not isinstance(mraw, dict):
                    continue
                ms, c = self.shape(mraw.get("shape", ""), depth + 1)
                cut = min(cut, c)
                # an idempotency token is filled in by the SDK when absent: never required of a caller
                members[_pascal(mname)] = Member(ms, mname in required and not mraw.get("idempotencyToken"))
                lim = _scalar_constraints(self.shapes.get(mraw.get("shape", "")))
                if lim is not None:
                    limits[_pascal(mname)] = lim
            if raw.get("union"):  # exactly one member is set: every member is optional
                members = {k: Member(m.shape, False) for k, m in members.items()}
            recased = self.caseless and any(isinstance(m, str) and m[:1].islower() for m in raw.get("members") or {})
            out = S.obj(members, name=name, caseless=recased)
            _record_constraints(self.service, out, limits)
            return out, cut
        return S.UNKNOWN, NONE  # blob, document, anything new


# --------------------------------------------------------------------------------------------------
# error names


def sdk_error_prefix(sfn_service: str) -> tuple[str | None, bool]:
    """(prefix, documented) of the errors an `aws-sdk:<service>` Task raises: AWS's table when the service
    is listed there (documented=True), else the botocore serviceId without spaces (a guess: False)."""
    entry = integrations_data()["sdk_services"].get(str(sfn_service).lower())
    if isinstance(entry, dict) and "prefix" in entry:
        return entry["prefix"], True
    svc = botocore_service(sfn_service)
    model = service_model(svc) if svc else None
    sid = model.get("metadata", {}).get("serviceId") if model else None
    return (sid.replace(" ", "") if isinstance(sid, str) else None), False


_EXCEPTIONS: dict[str, frozenset[str]] = {}


def service_exceptions(service: str) -> frozenset[str]:
    """The exception shape names of a botocore service model, as modelled (empty when not modelled)."""
    hit = _EXCEPTIONS.get(service)
    if hit is None:
        model = service_model(service)
        shapes = model.get("shapes", {}) if model else {}
        # the exception shapes, found in the model's text: decoding every shape of a large model costs more
        # than the whole inference (model_file.py)
        hit = _EXCEPTIONS[service] = frozenset(containing(shapes, b'"exception":', "exception", True))
    return hit


def sfn_exception_name(model_name: str) -> str:
    """The error name Step Functions uses for a modelled exception: the name, with `Exception` appended
    when it lacks it (AWS: "always include the Exception suffix", supported-services-awssdk.html)."""
    return model_name if model_name.endswith("Exception") else model_name + "Exception"
