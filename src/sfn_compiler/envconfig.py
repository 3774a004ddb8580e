"""Environment files: `envs/<env>.yaml` with `values:` (placeholder values) and `aws:` (deploy settings).

Layering, lowest first: `envs/_base.yaml` (or the chain named by `extends:`), the env file, then
`--set key=value` (value parsed as YAML; keys without a `values.`/`aws.` prefix go under `values`).
Maps deep-merge, lists replace. Values may reference other values (`"ndr-${env}-locks"`); each is
resolved once, and a cycle is an error naming it. Each file is checked against a JSON Schema shipped in
the package, so an unknown key is reported with its line.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .diagnostics import Diagnostic, Span, did_you_mean, problem
from .errors import SfncError
from .load import YamlDocument, load_yaml_file
from .load.pointer import escape_token
from .project import Project, check_env_name, env_name_problem
from .placeholders import PlaceholderError
from .render import bounds
from .render.substitute import MissingValue, PlaceholderErrors, Resolver, substitute

if TYPE_CHECKING:  # pragma: no cover
    from .cache import Cache

BASE_ENV = "_base"


@dataclass
class EnvConfig:
    name: str
    values: dict[str, Any]
    aws: dict[str, Any]
    layers: list[str]
    origins: dict[str, Span] = field(default_factory=dict)  # "/values/a/b" -> where it was set last
    value_deps: dict[str, set[str]] = field(default_factory=dict)  # value path -> value paths it references
    aws_refs: list = field(default_factory=list)   # awsvalues.Ref: values that live in AWS (envs/<env>.lock.json)

    def origin(self, pointer: str) -> Span | None:
        p = pointer
        while p:
            if p in self.origins:
                return self.origins[p]
            p = p[: p.rfind("/")]
        return None

    def machine_settings(self, template: str) -> dict[str, Any]:
        """The env's aws settings with the per-template override merged in."""
        base = {k: v for k, v in self.aws.items() if k != "templates"}
        override = (self.aws.get("templates") or {}).get(template, {})
        return deep_merge(base, override)


def deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


@lru_cache(maxsize=1)
def _validator():
    import jsonschema  # deferred: only env loading needs it

    schema = json.loads((Path(__file__).resolve().parent / "schemas" / "env.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _schema_problems(doc: YamlDocument) -> list[Diagnostic]:
    problems = []
    for err in sorted(_validator().iter_errors(doc.data), key=lambda e: list(map(str, e.absolute_path))):
        pointer = "".join("/" + escape_token(p) for p in err.absolute_path)
        if err.validator == "additionalProperties":
            extra = sorted(set(err.instance) - set(err.schema.get("properties", {})))
            for key in extra:
                kp = f"{pointer}/{escape_token(key)}"
                pos = doc.locate(kp, key=True)
                allowed = ", ".join(sorted(err.schema.get("properties", {})))
                problems.append(problem(f"unknown key {key!r}" + (f" in {pointer[1:].replace('/', '.')}" if pointer else ""),
                                        file=doc.filename, line=pos.line, column=pos.column, pointer=kp,
                                        hint=f"allowed keys here: {allowed}" if allowed else None))
            continue
        pos = doc.locate(pointer)
        where = pointer[1:].replace("/", ".") or "the file"
        msg = f"{where}: {err.instance!r} is not valid here" if err.validator == "oneOf" else f"{where}: {err.message}"
        problems.append(problem(msg, file=doc.filename, line=pos.line, column=pos.column, pointer=pointer))
    return problems


def _checked(doc: YamlDocument, cache: Cache | None) -> list[Diagnostic]:
    """`_schema_problems`, skipped for data the cache has seen pass this schema (the schema file and the
    jsonschema version are in every key): an unchanged env file costs no jsonschema import."""
    if cache is None:
        return _schema_problems(doc)
    from .cache import digest, runtime_fingerprint, typed

    key = digest(runtime_fingerprint(), "env schema", typed(doc.data))
    if cache.get("env-schema", key) is True:
        return []
    problems = _schema_problems(doc)
    if not problems:
        cache.put("env-schema", key, True)
    return problems


def _load_layer(project: Project, name: str, cache: Cache | None = None) -> YamlDocument:
    path = project.env_file(name)
    if path is None:
        raise SfncError(f"env file for {name!r} not found in {project.display(project.envs_dir)}")
    project.check_inside(path, project.envs_dir, "env file")
    doc = load_yaml_file(path, project.display(path))
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise SfncError("an env file must be a mapping with `values:` and `aws:`", file=doc.filename,
                        line=1, column=1)
    deep = bounds.depth_problem(doc.data)
    if deep is not None:   # before anything walks it recursively
        pos = doc.locate(deep)
        raise SfncError(f"{deep[1:].replace('/', '.')}...: nested deeper than {bounds.MAX_DEPTH} levels",
                        file=doc.filename, line=pos.line, column=pos.column, pointer=deep, hint=bounds.DOCS)
    if "extends" in doc.data:
        wrong = env_name_problem(doc.data["extends"], layer=True)
        if wrong is not None:
            pos = doc.locate("/extends")
            raise SfncError(f"extends: {wrong}", file=doc.filename, line=pos.line, column=pos.column,
                            pointer="/extends", hint="`extends:` names another env file of envs/ (or _base)")
    problems = _checked(doc, cache)
    if problems:
        raise SfncError(problems)
    return doc


def _chain(project: Project, name: str, cache: Cache | None = None) -> list[YamlDocument]:
    chain: list[YamlDocument] = []
    seen: list[str] = []
    current: str | None = name
    while current is not None:
        if current in seen:
            last = chain[-1]   # the layer whose `extends` (or implicit _base) closes the cycle
            explicit = isinstance(last.data, dict) and "extends" in last.data
            pos = last.locate("/extends") if explicit else None
            raise SfncError(f"`extends` cycle: {' -> '.join(seen + [current])}", file=last.filename,
                            line=pos.line if pos else 1, column=pos.column if pos else None,
                            pointer="/extends" if explicit else None)
        seen.append(current)
        doc = _load_layer(project, current, cache)
        chain.append(doc)
        parent = doc.data.get("extends")
        if parent is not None and project.env_file(parent) is None:
            pos = doc.locate("/extends")
            raise SfncError(f"extends: no env file {parent!r} in {project.display(project.envs_dir)}",
                            file=doc.filename, line=pos.line, column=pos.column, pointer="/extends",
                            hint=did_you_mean(parent, project.env_names() + [BASE_ENV]))
        if parent is None and current != BASE_ENV and project.env_file(BASE_ENV) is not None:
            parent = BASE_ENV
        current = parent
    return list(reversed(chain))


def _record_origins(node: Any, pointer: str, doc: YamlDocument, origins: dict[str, Span]) -> None:
    pos = doc.locate(pointer)
    origins[pointer] = Span(doc.filename, pos.line, pos.column)
    if isinstance(node, dict):
        for k, v in node.items():
            _record_origins(v, f"{pointer}/{escape_token(k)}", doc, origins)


def parse_set(item: str) -> tuple[list[str], Any]:
    where = _set_span(item).file
    if "=" not in item:
        raise SfncError(f"--set {item!r}: expected KEY=VALUE", file=where, hint="e.g. --set poll.max_attempts=5")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key:
        raise SfncError(f"--set {item!r}: empty key", file=where)
    parts = key.split(".")
    if "" in parts:
        raise SfncError(f"--set {key}: an empty part in the key", file=where, hint="keys are a.b.c")
    if len(parts) > bounds.MAX_DEPTH:
        raise SfncError(f"--set: the key has {len(parts):,} parts, more than {bounds.MAX_DEPTH}", file=where,
                        hint=bounds.DOCS)
    deep = bounds.flow_depth(raw) > bounds.MAX_DEPTH - len(parts)   # before PyYAML recurses into it
    if not deep:
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError as exc:
            raise SfncError(f"--set {key}: value is not valid YAML: {exc}", file=where) from None
        except RecursionError:   # PyYAML's pure-Python composer recurses per level
            deep = True
        else:
            deep = bounds.depth_problem(value, bounds.MAX_DEPTH - len(parts)) is not None
    if deep:
        raise SfncError(f"--set {key}: the value is nested deeper than {bounds.MAX_DEPTH} levels with its key",
                        file=where, hint=bounds.DOCS)
    if parts[0] not in ("values", "aws"):
        parts = ["values", *parts]
    return parts, value


def _set_span(item: str) -> Span:
    """Where a `--set` item is reported: the option itself (long ones shortened)."""
    return Span(f"--set {item if len(item) <= 80 else item[:77] + '...'}")


def available_envs_hint(project: Project) -> str:
    names = project.env_names()
    if not names:
        return f"no env files found in {project.display(project.envs_dir)}"
    return "available envs: " + ", ".join(names)


def load_env(project: Project, name: str, sets: list[str] | tuple[str, ...] = (), *, locked: bool = True,
             cache: Cache | None = None) -> EnvConfig:
    """The env `name` with its layers merged and its values resolved. Values that live in AWS
    (`{ssm: ...}`, `{stack_output: ...}`) come from `envs/<env>.lock.json`; `locked=False` (for `sfnc lock`)
    leaves a marker text in their place instead. `cache` (the result cache) remembers env files that passed
    the schema check."""
    check_env_name(name)
    if project.env_file(name) is None:
        import difflib

        close = difflib.get_close_matches(name, project.env_names(), n=1)
        hint = (f"did you mean {close[0]!r}? " if close else "") + available_envs_hint(project)
        raise SfncError(f"unknown env {name!r}", hint=hint)
    chain = _chain(project, name, cache)
    merged: dict[str, Any] = {}
    origins: dict[str, Span] = {}
    for doc in chain:
        layer = {k: v for k, v in doc.data.items() if k != "extends"}
        merged = deep_merge(merged, layer)
        _record_origins(layer, "", doc, origins)
    for item in sets:
        parts, value = parse_set(item)
        node = merged
        for p in parts[:-1]:
            if not isinstance(node.get(p), dict):
                node[p] = {}
            node = node[p]
        node[parts[-1]] = deep_merge(node.get(parts[-1]), value) if isinstance(value, dict) else value
        origins["/" + "/".join(escape_token(p) for p in parts)] = _set_span(item)
    if sets:  # `--set` is checked against the schema like the files are (`--set values=1`, `--set aws=1`)
        _check_sets(merged, sets)
    values = merged.get("values") or {}
    refs: list = []
    from . import awsvalues  # light: AWS is asked only by `sfnc lock` / deploy (deploy.lock)

    if awsvalues.has_refs(values):  # {ssm: ...} / {stack_output: ...}: the values pinned in envs/<env>.lock.json
        values, refs = awsvalues.apply_lock(
            project, name, values, lambda ptr, msg, hint: _problem_at(origins, ptr, msg, hint, env=name), locked=locked)
    deps: dict[str, set[str]] = {}
    resolved_values = resolve_values(values, name, origins, deps)
    _check_json(resolved_values, name, origins)
    aws = _resolve_aws(merged.get("aws") or {}, resolved_values, name, origins)
    return EnvConfig(name, resolved_values, aws, [d.filename for d in chain], origins, deps, refs)


def _check_sets(merged: dict[str, Any], sets: list[str] | tuple[str, ...]) -> None:
    """The layers with `--set` applied, against the schema; each problem at the `--set` that caused it."""
    data = {k: merged[k] for k in ("values", "aws") if k in merged}
    problems = _schema_problems(YamlDocument(data, "--set", {}))
    if not problems:
        return
    keyed = [(["values", *p] if p[0] not in ("values", "aws") else p, item) for item in sets
             for p in [item.split("=", 1)[0].strip().split(".")]]
    out = []
    for p in problems:
        tokens = (p.pointer or "").strip("/").split("/")
        culprit = next((item for parts, item in reversed(keyed)
                        if parts[:len(tokens)] == tokens or tokens[:len(parts)] == parts), None)
        out.append(replace(p, span=_set_span(culprit) if culprit else Span("--set " + " ".join(sets))))
    raise SfncError(out)


def _check_json(values: dict[str, Any], env: str, origins: dict[str, Span]) -> None:
    """Every resolved value is JSON data sfnc can write (no NaN, no date, bounded once written out)."""
    problems = []
    for key, value in values.items():
        wrong = bounds.json_problem(value)
        if wrong is not None:
            pointer = "/values/" + escape_token(key) + wrong[0]
            problems.append(_problem_at(origins, pointer, f"value {pointer[8:].replace('/', '.')} {wrong[1]}",
                                        "a value must be JSON data: text, a number, true/false, null, a list "
                                        "or a map; " + bounds.DOCS, env=env))
    if problems:
        raise SfncError(problems)


def _problem_at(origins: dict[str, Span], pointer: str, message: str, hint: str | None = None,
                env: str | None = None) -> Diagnostic:
    p = pointer
    origin = None
    while p:
        origin = origins.get(p)
        if origin:
            break
        p = p[: p.rfind("/")]
    if origin is None:
        return problem(message, pointer=pointer, hint=hint, env=env)
    return Diagnostic(message, span=origin, pointer=pointer, hint=hint, env=env)


class _ValuesResolver(Resolver):
    """Resolves references between values lazily, detecting cycles; a chain of references is at most
    `bounds.MAX_REFERENCES` deep, and a value that fails fails once (its error is kept)."""

    def __init__(self, raw: dict[str, Any], env: str) -> None:
        super().__init__(raw, env, bound_total=False)   # each value is bounded by itself
        self.raw = raw
        self.cache: dict[str, Any] = {}
        self.failed: dict[str, PlaceholderError | PlaceholderErrors] = {}
        self.stack: list[str] = []
        self.deps: dict[str, set[str]] = {}

    def scope(self) -> dict[str, Any]:
        scope: dict[str, Any] = {}
        for k, v in self.raw.items():
            try:
                scope[k] = self.resolve_node(v, k)
            except (_Cycle, PlaceholderError, PlaceholderErrors):   # reported where that value is
                scope[k] = v
        scope.setdefault("env", self.env)
        return scope

    def copy(self, value: Any) -> Any:
        return value   # values referencing values share parts (checked once written out: bounds.measure)

    def lookup_path(self, path: str) -> Any:
        parts = path.split(".")
        if parts[0] not in self.raw and parts[0] == "env" and len(parts) == 1:
            return self.env
        node: Any = self.raw
        walked: list[str] = []
        for part in parts:
            if isinstance(node, str) and "${" in node:
                node = self.resolve_node(node, ".".join(walked))
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise MissingValue(f"no value for ${{{path}}} in env {self.env!r}", hint=self._suggest(path))
            walked.append(part)
        self.used.add(path)
        if self.stack:
            self.deps.setdefault(self.stack[-1], set()).add(path)
        return self.resolve_node(node, path)

    def resolve_node(self, node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: self.resolve_node(v, f"{path}.{k}") for k, v in node.items()}
        if isinstance(node, list):
            return [self.resolve_node(v, f"{path}.{i}") for i, v in enumerate(node)]
        if not isinstance(node, str) or "${" not in node:
            return node
        if path in self.cache:
            return self.cache[path]
        if path in self.failed:
            raise self.failed[path]
        if path in self.stack:
            cycle = self.stack[self.stack.index(path):] + [path]
            raise _Cycle(cycle)
        if len(self.stack) >= bounds.MAX_REFERENCES:
            chain = [*self.stack[:3], "...", *self.stack[-2:], path]
            exc = bounds.BoundExceeded(f"values reference values more than {bounds.MAX_REFERENCES} deep: "
                                       + " -> ".join(chain))
            exc.value_path = path
            raise exc
        self.stack.append(path)
        try:
            value, _ = substitute(node, self)
        except (PlaceholderError, PlaceholderErrors) as exc:
            if isinstance(exc, bounds.BoundExceeded) and not hasattr(exc, "value_path"):
                exc.value_path = path   # the value that passed the bound: reported there
                if not exc.message.startswith("values reference"):
                    exc.message = f"value {path}: {exc.message}"
            self.failed[path] = exc
            raise
        finally:
            self.stack.pop()
        self.cache[path] = value
        return value


class _Cycle(Exception):
    def __init__(self, cycle: list[str]) -> None:
        super().__init__(" -> ".join(cycle))
        self.cycle = cycle


def _ptr(path: str) -> str:
    return "/values/" + "/".join(escape_token(p) for p in path.split("."))


def resolve_values(raw: dict[str, Any], env: str, origins: dict[str, Span],
                   deps: dict[str, set[str]] | None = None) -> dict[str, Any]:
    resolver = _ValuesResolver(raw, env)
    if deps is not None:
        resolver.deps = deps
    problems: list[Diagnostic] = []
    out: dict[str, Any] = {}

    def walk(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{path}.{k}") for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{path}.{i}") for i, v in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            try:
                return resolver.resolve_node(node, path)
            except _Cycle as cyc:
                problems.append(_problem_at(origins, _ptr(path),
                                            f"cycle in values: {' -> '.join(cyc.cycle)}", env=env))
            except (PlaceholderError, PlaceholderErrors) as exc:
                for err in exc.errors if isinstance(exc, PlaceholderErrors) else [exc]:
                    where = _ptr(getattr(err, "value_path", None) or path)
                    problems.append(_problem_at(origins, where, err.message, err.hint, env=env))
            return node
        return node

    for k, v in raw.items():
        out[k] = walk(v, k)
    if problems:
        # a cycle is found once from each member; report it once
        seen = set()
        unique = []
        for p in problems:
            if p.message not in seen:
                seen.add(p.message)
                unique.append(p)
        raise SfncError(unique)
    return out


def _resolve_aws(aws: dict[str, Any], values: dict[str, Any], env: str, origins: dict[str, Span]) -> dict[str, Any]:
    resolver = Resolver(values, env)
    problems: list[Diagnostic] = []

    def walk(node: Any, pointer: str) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, f"{pointer}/{escape_token(k)}") for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{pointer}/{i}") for i, v in enumerate(node)]
        if isinstance(node, str) and "${" in node:
            try:
                return substitute(node, resolver)[0]
            except (PlaceholderError, PlaceholderErrors) as exc:
                for err in exc.errors if isinstance(exc, PlaceholderErrors) else [exc]:
                    problems.append(_problem_at(origins, pointer, err.message, err.hint, env=env))
        return node

    out = walk(aws, "/aws")
    if problems:
        raise SfncError(problems)
    return out


def value_leaves(values: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the leaves of a values map (lists count as leaves)."""
    if isinstance(values, dict) and values:
        out: list[str] = []
        for k, v in values.items():
            out.extend(value_leaves(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return [prefix] if prefix else []


def unused_values(env: EnvConfig, used: set[str]) -> list[str]:
    """Leaves of the env's values that no template used (`used`: the placeholder paths read), directly or
    through another value that references them."""
    # values referenced by used values count as used (transitively)
    closure = set(used)
    frontier = list(used)
    while frontier:
        path = frontier.pop()
        for prefix_path, deps in env.value_deps.items():
            if prefix_path == path or prefix_path.startswith(path + ".") or path.startswith(prefix_path + "."):
                for d in deps:
                    if d not in closure:
                        closure.add(d)
                        frontier.append(d)
    unused = []
    for leaf in value_leaves(env.values):
        parts = leaf.split(".")
        prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        if prefixes & closure:
            continue
        if any(u.startswith(leaf + ".") for u in closure):
            continue
        unused.append(leaf)
    return unused
