"""Which error names a Task can raise: the judgement behind the error-name rules (SFN816-SFN819) and the
check of mocked `Throw`s.

`judge(name, integration)` says whether a Task of that integration can ever raise `name`, and if not, why
and what to write instead:

- `spelling` (error): the name has the integration's service, but not the spelling Step Functions uses:
  another case of the prefix (`DynamoDB.` on `aws-sdk:dynamodb`, which raises `DynamoDb.`), the prefix of
  the service's other integration (`Sfn.` on `states:startExecution`, which raises `StepFunctions.`), or,
  for AWS SDK integrations, a modelled exception without its `Exception` suffix (`S3.NoSuchKey`: AWS
  documents `S3.NoSuchKeyException`). `use` is the exact spelling.
- `not-modelled` (warning): the right prefix, but the service model declares no such exception for the
  operation (or at all). Step Functions raises an unmodelled error code as the service's generic
  exception (recorded: an unmodelled `ValidationException` of `aws-sdk:secretsmanager:createSecret` came as
  `SecretsManager.SecretsManagerException`), so such a name never matches; the models botocore ships may
  lag behind the SDK Step Functions uses, hence a warning.
- `foreign` (warning): another service's prefix, or a name of no service, on an integration that raises
  only its own service's errors and `States.*` errors.

Integrations whose errors are not all known answer None (nothing to say): Lambda functions and
`lambda:invoke` (a function raises its own error names), `.waitForTaskToken` (a callback's
`SendTaskFailure` names any error), activities, unknown resources, and optimized integrations whose error
prefix is neither documented nor recorded.

`states_error_impossible(name, state)` says when a `States.*` name cannot occur for a state (see
`_STATES_ONLY_IN`), from AWS's error-name table
(https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).

Sources: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html#use-awssdk-integ-handle-errors
(`ServiceName.ErrorName`, both PascalCase; "always include the Exception suffix"), the optimized
integrations' pages and recordings listed per entry in `data/integrations.json`.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from typing import Any

from . import _asl
from . import aws_models as M
from ._record import FrozenRecord, _fill
from .integrations import Integration


class ErrorVerdict(FrozenRecord):
    __slots__ = ("kind", "severity", "message", "use", "hint", "generic")
    kind: str                 # "spelling" | "not-modelled" | "foreign"
    severity: str             # "error" | "warning"
    message: str              # why the Task never raises the name (no state name: callers add it)
    use: str | None           # the exact spelling to use instead
    hint: str | None
    generic: str | None       # not-modelled: the generic name an unmodelled error arrives as

    def __init__(self, kind: str, severity: str, message: str, use: str | None = None, hint: str | None = None,
                 generic: str | None = None) -> None:
        _fill(self, kind, severity, message, use, hint, generic)


# --------------------------------------------------------------------------------------------------
# what an integration raises


class Raises(FrozenRecord):
    """The error names an integration raises besides `States.*`. `service_wide` is read on first use: finding
    a model's exceptions searches its text, and most names are judged by the operation's own exceptions."""

    __slots__ = ("prefix", "sdk", "label", "operation", "declared", "generic", "other_prefixes", "modelled",
                 "errors_extra_names", "api")
    prefix: str                       # `DynamoDb`
    sdk: bool
    label: str                        # `aws-sdk:dynamodb:getItem`
    operation: str | None             # `GetItem`
    declared: frozenset[str]          # the operation's modelled exceptions, as Step Functions names them
    generic: frozenset[str]           # the generic names (`DynamoDbException`, `AmazonDynamoDBException`, ...)
    other_prefixes: frozenset[str]    # the prefix of the service's other integration form (`DynamoDB`)
    modelled: bool                    # the operation is in the installed models
    errors_extra_names: frozenset[str]   # documented names beyond the model (`FailedEntry`)
    api: "M.ApiOperation | None"      # the operation

    def __init__(self, prefix: str, sdk: bool, label: str, operation: str | None, declared: frozenset[str],
                 generic: frozenset[str], other_prefixes: frozenset[str], modelled: bool,
                 errors_extra_names: frozenset[str] = frozenset(), api: "M.ApiOperation | None" = None) -> None:
        _fill(self, prefix, sdk, label, operation, declared, generic, other_prefixes, modelled, errors_extra_names,
              api)

    @property
    def service_wide(self) -> frozenset[str]:
        """Every exception of the service model, as Step Functions names them."""
        op = self.api
        if op is None:
            return frozenset()
        key = (op.service, self.sdk)
        hit = _SERVICE_WIDE.get(key)
        if hit is None:
            names = {M.sfn_exception_name(e) for e in op.service_exceptions}
            if not self.sdk:  # the optimized integrations' names are also seen without the suffix (error codes)
                names |= set(op.service_exceptions)
            hit = _SERVICE_WIDE[key] = frozenset(names)
        return hit


_SERVICE_WIDE: dict[tuple[str, bool], frozenset[str]] = {}


def raises(integ: Integration) -> Raises | None:
    """What a Task of this integration raises, or None when any name may come (see the module doc)."""
    if integ.kind not in ("sdk", "optimized") or integ.custom_errors:
        return None
    if not integ.error_prefix or (integ.kind == "sdk" and not integ.error_prefix_documented):
        return None
    key = (integ.kind, (integ.service or "").lower(), integ.action, integ.error_prefix, integ.suffix)
    hit = _RAISES.get(key)
    if hit is None:
        hit = _RAISES[key] = _raises(integ, integ.error_prefix)
    return hit


_RAISES: dict[tuple, Raises] = {}


def _raises(integ: Integration, prefix: str) -> Raises:
    op = integ.operation
    kind, service = integ.kind, integ.service or ""
    sdk = kind == "sdk"
    label = integ.resource.split(":::", 1)[-1]
    declared: set[str] = set()
    if op is not None:
        declared = {M.sfn_exception_name(e) for e in op.errors}
        if not sdk:  # the optimized integrations' names are also seen without the suffix (error codes)
            declared |= set(op.errors)
    declared |= set(integ.errors_extra)
    generic = {f"{prefix}Exception", "SdkClientException", "SdkException"}
    other = _other_prefixes(kind, service, prefix)
    return Raises(prefix, sdk, label, op.name if op else None, frozenset(declared), frozenset(generic),
                  frozenset(other), op is not None, frozenset(integ.errors_extra), op)


def _other_prefixes(kind: str, service: str, prefix: str) -> set[str]:
    """The prefixes the same service's other integration form raises (SDK <-> optimized)."""
    data = M.integrations_data()
    out: set[str] = set()
    if kind == "sdk":
        rename = {v: k for k, v in data.get("sdk_service_of_optimized", {}).items()}
        opt_service = rename.get(service.lower(), service.lower())
        for key, entry in data["optimized"].items():
            if key.split(":", 1)[0] == opt_service and entry.get("error_prefix"):
                out.add(entry["error_prefix"])
    else:
        sdk_service = data.get("sdk_service_of_optimized", {}).get(service, service.replace("-", "")).lower()
        entry = data["sdk_services"].get(sdk_service)
        if isinstance(entry, dict) and entry.get("prefix"):
            out.add(entry["prefix"])
    out.discard(prefix)
    return out


@lru_cache(maxsize=1)
def known_prefixes() -> frozenset[str]:
    """Every error prefix of AWS's SDK table and of the optimized integrations."""
    data = M.integrations_data()
    out = {e["prefix"] for e in data["sdk_services"].values() if isinstance(e, dict) and e.get("prefix")}
    out |= {e["error_prefix"] for e in data["optimized"].values() if e.get("error_prefix")}
    return frozenset(p for p in out if " " not in p)


def _is_generic(rest: str, r: Raises) -> bool:
    if rest in r.generic:
        return True
    if not r.sdk and rest.endswith("Exception") and (rest.startswith("Amazon") or rest.startswith("AWS")):
        return True   # the optimized integrations' generic names: AmazonDynamoDBException, AWSLambdaException
    return False


# --------------------------------------------------------------------------------------------------
# the judgement


def judge(name: str, integ: Integration) -> ErrorVerdict | None:
    """Whether a Task of `integ` can raise `name` (None: it can, or sfnc cannot tell). A verdict depends only
    on the name and what the integration raises: it is computed once per process (the envs of a project
    repeat the same retriers and catchers)."""
    if not isinstance(name, str) or name.startswith("States."):
        return None
    r = raises(integ)
    return None if r is None else _verdict(name, r)


def _verdict(name: str, r: Raises) -> ErrorVerdict | None:
    key = (name, id(r))      # `r` lives in _RAISES for the process: its id is not reused
    try:
        return _JUDGED[key]
    except KeyError:
        pass
    if len(_JUDGED) >= 100_000:
        _JUDGED.clear()
    verdict = _JUDGED[key] = _judge(name, r)
    return verdict


_JUDGED: dict[tuple[str, int], ErrorVerdict | None] = {}


def _judge(name: str, r: Raises) -> ErrorVerdict | None:
    prefix, dot, rest = name.partition(".")
    if not dot or not rest:
        fixed = _fix_rest(name, r)
        if fixed in r.declared or fixed in r.service_wide:
            use = f"{r.prefix}.{fixed}"
            return ErrorVerdict("spelling", "error",
                                f"{r.label} raises its service's errors with the prefix {r.prefix}., never "
                                f"'{name}': write '{use}'", use=use)
        return ErrorVerdict("foreign", "warning",
                            f"{r.label} never raises '{name}': its errors are {r.prefix}.* and States.* names",
                            hint=_hint_names(r))
    if prefix != r.prefix:
        if prefix.lower() == r.prefix.lower() or prefix in r.other_prefixes:
            fixed = _fix_rest(rest, r)
            use = f"{r.prefix}.{fixed}"
            why = ("a different case" if prefix.lower() == r.prefix.lower()
                   else f"the prefix of the service's {'optimized' if r.sdk else 'AWS SDK'} integration")
            return ErrorVerdict("spelling", "error",
                                f"{r.label} raises {r.prefix}.* errors, never '{name}' ({why}): write '{use}'",
                                use=use)
        if prefix in known_prefixes():
            return ErrorVerdict("foreign", "warning",
                                f"{r.label} never raises '{name}': {prefix}.* errors come from another service; "
                                f"it raises {r.prefix}.* and States.* errors",
                                hint=_hint_names(r))
        return ErrorVerdict("foreign", "warning",
                            f"{r.label} never raises '{name}': its errors are {r.prefix}.* and States.* names",
                            hint=_hint_names(r))
    # the right prefix: is it a name the service raises?
    if rest in r.declared or _is_generic(rest, r):
        return None
    if r.sdk and not rest.endswith("Exception"):
        with_suffix = rest + "Exception"
        if with_suffix in r.declared or with_suffix in r.service_wide or _is_generic(with_suffix, r):
            use = f"{r.prefix}.{with_suffix}"
            return ErrorVerdict("spelling", "error",
                                f"AWS SDK integrations raise modelled errors with the Exception suffix: "
                                f"{r.label} raises '{use}', never '{name}'", use=use)
    if not r.modelled:
        return None
    if rest in r.service_wide:
        return ErrorVerdict("not-modelled", "warning",
                            f"the {r.prefix} model declares '{rest}' for other operations, not for {r.operation}: "
                            f"{r.label} never raises '{name}'", hint=_hint_names(r, rest))
    generic = f"{r.prefix}.{r.prefix}Exception" if r.sdk else None
    arrives = f"as {generic}" if generic else "as the service's generic exception"
    return ErrorVerdict("not-modelled", "warning",
                        f"'{rest}' is not an exception of the installed {r.prefix} model: "
                        f"{r.label} raises such an error {arrives}, never as '{name}'",
                        hint=_hint_names(r, rest), generic=generic)


def _fix_rest(rest: str, r: Raises) -> str:
    """The name after the prefix as this integration spells it (SDK: with the Exception suffix)."""
    if r.sdk and not rest.endswith("Exception") and (rest + "Exception") in r.service_wide:
        return rest + "Exception"
    return rest


def _hint_names(r: Raises, near: str | None = None) -> str | None:
    """`did you mean` among the operation's errors, else the operation's errors as Step Functions names them."""
    names = sorted({n for n in r.declared if r.sdk or n.endswith("Exception") or n in r.errors_extra_names}
                   or r.declared)
    if near:
        close = difflib.get_close_matches(near, names, n=1, cutoff=0.8)
        if close and close[0] != near:
            return f"did you mean '{r.prefix}.{close[0]}'?"
    if not names:
        return None
    shown = ", ".join(f"{r.prefix}.{n}" for n in names[:8]) + (" ..." if len(names) > 8 else "")
    return f"{r.operation} raises {shown}" if r.operation else None


# --------------------------------------------------------------------------------------------------
# States.* names that cannot occur


# name -> (what raises it, a predicate on the state that says it can occur there)
def _has(st: Any, *fields: str) -> bool:
    return any(st.has(f) for f in fields)


def _task_can_raise(st: Any, name: str) -> bool:
    if name == "States.HeartbeatTimeout":
        return _has(st, "HeartbeatSeconds", "HeartbeatSecondsPath")
    if name == "States.Http.Socket":
        r = _asl.parse_resource(st.get("Resource"))
        return r is not None and not r.sdk and r.service == "http"
    if name in ("States.ParameterPathFailure", "States.ResultPathMatchFailure", "States.IntrinsicFailure"):
        return not st.is_jsonata
    if name == "States.QueryEvaluationError":
        return st.is_jsonata
    if name in ("States.ExceedToleratedFailureThreshold", "States.ItemReaderFailed", "States.ResultWriterFailed",
                "States.NoChoiceMatched", "States.BranchFailed"):
        return False
    return True


_WHERE = {
    "States.HeartbeatTimeout": "a Task with HeartbeatSeconds or HeartbeatSecondsPath",
    "States.Http.Socket": "an HTTP Task (arn:aws:states:::http:invoke)",
    "States.ParameterPathFailure": "a JSONPath state (JSONata states have no paths)",
    "States.ResultPathMatchFailure": "a JSONPath state (JSONata states have no ResultPath)",
    "States.IntrinsicFailure": "a JSONPath state (JSONata states have no intrinsic functions)",
    "States.QueryEvaluationError": "a JSONata state",
    "States.ExceedToleratedFailureThreshold": "a Map with a tolerated failure count or percentage",
    "States.ItemReaderFailed": "a Map with an ItemReader",
    "States.ResultWriterFailed": "a Map with a ResultWriter",
    "States.NoChoiceMatched": "a Choice state without Default",
    "States.BranchFailed": "a Parallel state",
}

JUDGED_STATES_ERRORS = frozenset(_WHERE)


def _can_raise(st: Any, name: str, depth: int = 0) -> bool:
    """Whether `st` (a Task, Parallel or Map, or a state nested in one) can fail with `name`: its own
    failures, and for Parallel and Map anything a state inside them fails with."""
    if depth > 40:
        return True
    t = st.type
    if t == "Task":
        return _task_can_raise(st, name)
    own = False
    if t == "Choice":
        own = name == "States.NoChoiceMatched" and not st.has("Default") or \
            (name == "States.QueryEvaluationError" and st.is_jsonata)
        return own
    if t in ("Pass", "Wait", "Succeed", "Fail"):
        if name == "States.QueryEvaluationError":
            return st.is_jsonata
        if name in ("States.ParameterPathFailure", "States.ResultPathMatchFailure", "States.IntrinsicFailure"):
            return not st.is_jsonata and t in ("Pass", "Wait", "Fail")
        return False
    if t == "Parallel":
        own = name == "States.BranchFailed" or \
            (name == "States.QueryEvaluationError" and st.is_jsonata) or \
            (name in ("States.ParameterPathFailure", "States.ResultPathMatchFailure", "States.IntrinsicFailure")
             and not st.is_jsonata)
    elif t == "Map":
        if name == "States.ExceedToleratedFailureThreshold":
            own = _has(st, "ToleratedFailureCount", "ToleratedFailurePercentage", "ToleratedFailureCountPath",
                       "ToleratedFailurePercentagePath")
        elif name == "States.ItemReaderFailed":
            own = _has(st, "ItemReader")
        elif name == "States.ResultWriterFailed":
            own = _has(st, "ResultWriter")
        elif name == "States.QueryEvaluationError":
            own = st.is_jsonata
        elif name in ("States.ParameterPathFailure", "States.ResultPathMatchFailure", "States.IntrinsicFailure"):
            own = not st.is_jsonata
    else:
        return True   # an unknown type: say nothing
    if own:
        return True
    return any(_can_raise(inner, name, depth + 1) for child in st.children for inner in child.states.values())


def states_error_impossible(name: str, state: Any) -> str | None:
    """Why a `States.*` error name in a retrier/catcher of `state` (a Task, Parallel or Map) can never
    match, or None. Only the names whose origin is certain are judged (`JUDGED_STATES_ERRORS`)."""
    if name not in _WHERE or state.type not in ("Task", "Parallel", "Map"):
        return None
    if _can_raise(state, name):
        return None
    if state.type == "Task":
        return f"{name} is raised only by {_WHERE[name]}: this Task never raises it"
    return f"{name} is raised only by {_WHERE[name]}: neither this {state.type} nor any state inside it raises it"


def error_list(entry: Any) -> list[str]:
    ee = entry.raw.get("ErrorEquals")
    return [n for n in ee if isinstance(n, str)] if isinstance(ee, list) else []


# --------------------------------------------------------------------------------------------------
# every retrier and catcher of a definition


class ErrorNameFinding(FrozenRecord):
    __slots__ = ("kind", "state", "pointer", "message", "hint", "severity", "name", "use", "what")
    kind: str                 # "spelling" | "not-modelled" | "foreign" | "states-impossible"
    state: Any
    pointer: str              # of the ErrorEquals entry
    message: str
    hint: str | None
    severity: str
    name: str                 # the entry as written
    use: str | None           # the exact spelling to use (spelling)
    what: str                 # "retrier" | "catcher"

    def __init__(self, kind: str, state: Any, pointer: str, message: str, hint: str | None, severity: str,
                 name: str, use: str | None = None, what: str = "catcher") -> None:
        _fill(self, kind, state, pointer, message, hint, severity, name, use, what)


def error_name_findings(machine: Any) -> list[ErrorNameFinding]:
    """Every `ErrorEquals` entry of every Task, Parallel and Map that its state can never raise."""
    from .integrations import integration

    out: list[ErrorNameFinding] = []
    for st in machine.states:
        if st.type not in ("Task", "Parallel", "Map"):
            continue
        r = raises(integration(st.get("Resource"))) if st.type == "Task" else None
        for kind, what in (("Retry", "retrier"), ("Catch", "catcher")):
            for e in st.entries(kind):
                ee = e.raw.get("ErrorEquals")
                for j, name in enumerate(ee if isinstance(ee, list) else ()):
                    if not isinstance(name, str):
                        continue
                    if name.startswith("States."):
                        why = states_error_impossible(name, st)
                        if why:
                            out.append(ErrorNameFinding("states-impossible", st, f"{e.pointer}/ErrorEquals/{j}",
                                                        f"State '{st.name}': {what} {e.index}: {why}",
                                                        "remove it, or move it to the state that can raise it",
                                                        "warning", name, None, what))
                        continue
                    v = _verdict(name, r) if r is not None else None
                    if v is None or v.kind == "not-modelled" and v.generic and v.generic in error_list(e):
                        continue   # (the same entry names the generic exception such an error arrives as)
                    out.append(ErrorNameFinding(v.kind, st, f"{e.pointer}/ErrorEquals/{j}",
                                                f"State '{st.name}': {what} {e.index}: {v.message}",
                                                f"write '{v.use}'" if v.use else v.hint, v.severity, name, v.use,
                                                what))
    return out
