"""What a Task's `Resource` integrates with: the shape of its result, its parameters, its error prefix.

`integration(resource)` is the one place that maps a Resource string to an `Integration`:
- `arn:aws:states:::aws-sdk:<service>:<action>`: the botocore operation's output (member names PascalCase,
  no SDK metadata), the operation's input as parameters, the service's error prefix from AWS's table
  (`aws_models`); with `.waitForTaskToken` the result is whatever the callback sends: unknown;
- an optimized integration (`dynamodb:getItem`, `states:startExecution.sync:2`, ...): the entry of
  `sfn_compiler/data/integrations.json` (`optimized`), whose `result` is a small spec (below);
- anything else (Lambda function ARNs, activities, `${...}` placeholders, unknown services): unknown.

The result spec language of integrations.json:
  "any" | "string" | "number" | "boolean" | "null" | "timestamp"
  {"output": "svc:Operation"} / {"input": "svc:Operation"}   a botocore operation's output / input shape
  {"object": {name: spec}, "required": [...], "open": bool}  {"map": spec}  {"list": spec}
  {"merge": [spec, ...]}        objects merged left to right (closed only when all are closed)
  {"override": {name: spec}, "of": spec}     replace members of an object
  {"member": name, "of": spec}  one member of an object
  {"item": spec}                the item shape of an array
  {"open": spec}                the object, open (any other member may exist, unknown)
  {"ref": name}                 a named spec of the file's `shapes`
An entry with `"closed": false` is not certain of its members: its result is opened whatever the spec says,
so reading a member it does not list is never a finding.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from . import _asl
from . import aws_models as M
from . import shape as S
from .shape import Member, Shape


class Integration:
    """What a Task's Resource integrates with (compared by identity; `integration()` caches one per
    Resource)."""

    resource: str                        # as written
    kind: str                            # "sdk" | "optimized" | "lambda-function" | "activity" | "unknown"
    service: str | None                  # Step Functions' service name (`dynamodb`, `sagemaker`)
    action: str | None                   # `getItem`, `startPipelineExecution`
    suffix: str                          # "", ".sync", ".sync:2", ".waitForTaskToken"
    result: Shape                        # the shape of `$states.result`
    error_prefix: str | None             # `DynamoDb`, `DynamoDB`, ... (None: not known)
    error_prefix_documented: bool
    sources: tuple[str, ...]
    _entry: dict | None                  # the catalogue entry (optimized)
    _op: "M.ApiOperation | None"

    def __init__(self, resource: str, kind: str, service: str | None = None, action: str | None = None,
                 suffix: str = "", result: Shape = S.UNKNOWN, error_prefix: str | None = None,
                 error_prefix_documented: bool = False, sources: tuple[str, ...] = (), _entry: dict | None = None,
                 _op: "M.ApiOperation | None" = None) -> None:
        self.resource = resource
        self.kind = kind
        self.service = service
        self.action = action
        self.suffix = suffix
        self.result = result
        self.error_prefix = error_prefix
        self.error_prefix_documented = error_prefix_documented
        self.sources = sources
        self._entry = _entry
        self._op = _op

    def __repr__(self) -> str:
        return (f"Integration(resource={self.resource!r}, kind={self.kind!r}, service={self.service!r}, "
                f"action={self.action!r}, suffix={self.suffix!r}, result={self.result!r}, "
                f"error_prefix={self.error_prefix!r}, error_prefix_documented={self.error_prefix_documented!r}, "
                f"sources={self.sources!r})")

    @property
    def certain(self) -> bool:
        """The result shape lists its members for certain (reading another member is a finding)."""
        return S.is_closed(self.result)

    @property
    def typed(self) -> bool:
        """The result's listed members have the model's types for certain: a certain result, an SDK result,
        or an optimized result that is its own API operation's output, opened only because other members
        may come with it (`{"open": {"output": <api>}}`)."""
        if self.result is S.UNKNOWN:
            return False
        if self.certain or self.kind == "sdk":
            return True
        entry = self._entry or {}
        result = entry.get("result")
        return isinstance(result, dict) and result.get("open") == {"output": entry.get("api")}

    @cached_property
    def operation(self) -> "M.ApiOperation | None":
        """The botocore operation behind the integration (its parameters, errors, constraints), if modelled.
        Loaded on first use: a result that does not need the model does not load it."""
        if self._op is not None:
            return self._op
        api = (self._entry or {}).get("api")
        if isinstance(api, str) and ":" in api:
            svc, name = api.split(":", 1)
            return M.api_operation(svc, name)
        return None

    @property
    def model_service(self) -> str | None:
        """The botocore service whose model gives the constraints on this integration's parameters and
        result members (`aws_models.member_constraints`), if modelled."""
        op = self.operation
        return op.service if op is not None else None

    @property
    def errors_extra(self) -> tuple[str, ...]:
        """Error names (after the prefix) the integration raises beyond its model's exceptions."""
        return tuple((self._entry or {}).get("errors_extra", ()))

    @property
    def custom_errors(self) -> bool:
        """The Task may raise error names of its own choosing: a Lambda function's errors, a callback's
        `SendTaskFailure` (`.waitForTaskToken`), an activity's worker, or anything sfnc does not model."""
        if self.kind in ("lambda-function", "activity", "unknown") or self.suffix == ".waitForTaskToken":
            return True
        return bool((self._entry or {}).get("custom_errors"))

    @cached_property
    def parameters(self) -> Shape:
        """The shape `Arguments` must have (UNKNOWN: not modelled)."""
        if self.kind == "sdk":
            return self._op.input if self._op is not None else S.UNKNOWN
        entry = self._entry
        if entry is None:
            return S.UNKNOWN
        try:
            if "parameters" in entry:
                return resolve_spec(entry["parameters"])
            op = self.operation
            if op is None:
                return S.UNKNOWN
            params = op.input
            if entry.get("parameter_overrides"):
                params = _override(params, {k: resolve_spec(v) for k, v in entry["parameter_overrides"].items()})
            if entry.get("parameter_optional") and params.kind == "object":
                optional = set(entry["parameter_optional"])
                relaxed = S.obj({n: Member(m.shape, m.required and n not in optional) for n, m in params.members},
                                open=params.open, rest=params.rest if params.open else None, name=params.name)
                M.carry_constraints(relaxed, params)
                params = relaxed
            return params
        except _SpecError:
            return S.UNKNOWN


_CACHE: dict[str, Integration] = {}


def integration(resource: Any) -> Integration:
    """The integration a Task's Resource names (cached per Resource string)."""
    if not isinstance(resource, str):
        return Integration(str(resource), "unknown")
    hit = _CACHE.get(resource)
    if hit is not None:
        return hit
    out = _resolve(resource)
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    _CACHE[resource] = out
    return out


def _resolve(resource: str) -> Integration:
    r = _asl.parse_resource(resource)
    if r is None:
        if ":lambda:" in resource and ":function:" in resource:
            return Integration(resource, "lambda-function")
        if ":states:" in resource and ":activity:" in resource:
            return Integration(resource, "activity")
        return Integration(resource, "unknown")
    if r.sdk:
        return _sdk(resource, r.service, r.action, r.suffix)
    return _optimized(resource, r.service, r.action, r.suffix)


def _sdk(resource: str, service: str, action: str, suffix: str) -> Integration:
    op = M.operation(service, action)
    prefix, documented = M.sdk_error_prefix(service)
    if op is None:
        return Integration(resource, "sdk", service, action, suffix, error_prefix=prefix,
                           error_prefix_documented=documented)
    result = op.output if suffix == "" else S.UNKNOWN   # .waitForTaskToken: the callback's output
    return Integration(resource, "sdk", service, action, suffix, result, prefix, documented,
                       (M.integrations_data()["sources"]["sdk_services"],), _op=op)


def _optimized(resource: str, service: str, action: str, suffix: str) -> Integration:
    table = M.integrations_data()["optimized"]
    entry = table.get(f"{service}:{action}{suffix}") or table.get(f"{service}:*")
    if entry is None:
        return Integration(resource, "unknown", service, action, suffix)
    try:
        result = resolve_spec(entry.get("result", "any"))
    except _SpecError:
        result = S.UNKNOWN
    if not entry.get("closed"):
        result = opened(result)
    prefix = entry.get("error_prefix")
    return Integration(resource, "optimized", service, action, suffix, result, prefix, prefix is not None,
                       tuple(entry.get("sources", ())), _entry=entry)


# --------------------------------------------------------------------------------------------------
# the spec language


class _SpecError(Exception):
    pass


_SCALARS = {"any": S.UNKNOWN, "string": S.STRING, "number": S.NUMBER, "boolean": S.BOOLEAN, "null": S.NULL,
            "timestamp": M.TIMESTAMP}


def resolve_spec(spec: Any) -> Shape:
    """The shape a spec of integrations.json describes (raises _SpecError on a malformed spec or a
    missing model; callers fall back to UNKNOWN)."""
    if isinstance(spec, str):
        if spec in _SCALARS:
            return _SCALARS[spec]
        raise _SpecError(spec)
    if not isinstance(spec, dict):
        raise _SpecError(repr(spec))
    if "output" in spec or "input" in spec:
        which = "output" if "output" in spec else "input"
        svc, _, name = str(spec[which]).partition(":")
        op = M.api_operation(svc, name)
        if op is None:
            raise _SpecError(f"no operation {spec[which]}")
        return op.output if which == "output" else op.input
    if "ref" in spec:
        return resolve_spec(M.integrations_data()["shapes"][spec["ref"]])
    if "object" in spec:
        req = set(spec.get("required", ()))
        members = {k: Member(resolve_spec(v), k in req) for k, v in spec["object"].items()}
        return S.obj(members, open=bool(spec.get("open")))
    if "map" in spec:
        return S.map_of(resolve_spec(spec["map"]))
    if "list" in spec:
        return S.array(resolve_spec(spec["list"]))
    if "merge" in spec:
        parts = [resolve_spec(p) for p in spec["merge"]]
        return merge_objects(parts)
    if "override" in spec:
        return _override(resolve_spec(spec["of"]), {k: resolve_spec(v) for k, v in spec["override"].items()})
    if "item" in spec:
        base = resolve_spec(spec["item"])
        return base.item if base.kind == "array" else S.UNKNOWN
    if "member" in spec:
        base = resolve_spec(spec["of"])
        m = S.member(base, spec["member"])
        return S.UNKNOWN if m is S.NO_SUCH_MEMBER else m
    if "open" in spec:
        return opened(resolve_spec(spec["open"]))
    raise _SpecError(repr(spec))


def merge_objects(parts: list[Shape]) -> Shape:
    """`$merge`-like: members of later objects replace earlier ones; open if any part is open or is not an
    object (then UNKNOWN members may appear)."""
    members: dict[str, Member] = {}
    open_ = caseless = False
    for p in parts:
        if p.kind != "object":
            open_ = True
            continue
        members.update(dict(p.members))
        open_ = open_ or p.open
        caseless = caseless or p.caseless
    out = S.obj(members, open=open_, caseless=caseless)
    for p in parts:   # each member keeps the model's constraints of the part it came from
        if p.kind == "object":
            M.carry_constraints(out, p, {n for n, m in p.members if dict(out.members).get(n) is m})
    return out


def _override(base: Shape, repl: dict[str, Shape]) -> Shape:
    if base.kind != "object":
        return base
    members = dict(base.members)
    for k, v in repl.items():
        old = members.get(k)
        members[k] = Member(v, old.required if old else False)
    out = S.obj(members, open=base.open, rest=base.rest if base.open else None, name=base.name,
                caseless=base.caseless)
    M.carry_constraints(out, base, set(members) - set(repl))
    return out


_OPENED: dict[int, Shape] = {}


def opened(shape: Shape, depth: int = 0) -> Shape:
    """The shape with every object opened (other members may exist, unknown): what an uncertain result
    is. Enums are kept (a value of a modelled enum member is still one of its values)."""
    hit = _OPENED.get(id(shape))
    if hit is not None:
        return hit
    if depth > S.MAX_DEPTH:
        return S.UNKNOWN
    k = shape.kind
    if k == "object":
        members = {n: Member(opened(m.shape, depth + 1), m.required) for n, m in shape.members}
        rest = opened(shape.rest, depth + 1) if shape.open else S.UNKNOWN
        out = S.obj(members, open=True, rest=rest, name=shape.name)
    elif k == "array":
        out = S.array(opened(shape.item, depth + 1), shape.name)
    elif k == "union":
        out = S.union(*(opened(o, depth + 1) for o in shape.options))
    else:
        out = shape
    _OPENED[id(shape)] = out
    return out
