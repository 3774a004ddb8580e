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
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from .diagnostics import Diagnostic, Span, problem
from .errors import SfncError
from .load import YamlDocument, load_yaml_file
from .load.pointer import escape_token
from .project import Project
from .placeholders import PlaceholderError
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

    schema = json.loads(resources.files("sfn_compiler").joinpath("schemas/env.schema.json").read_text("utf-8"))
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
        if err.validator == "oneOf":
            msg = f"{where}: {err.instance!r} is not valid here"
        elif err.validator in ("type", "enum", "pattern", "minimum", "maximum", "maxLength", "minLength"):
            msg = f"{where}: {err.message}"
        else:
            msg = f"{where}: {err.message}"
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
    doc = load_yaml_file(path, project.display(path))
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise SfncError("an env file must be a mapping with `values:` and `aws:`", file=doc.filename,
                        line=1, column=1)
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
            raise SfncError(f"`extends` cycle: {' -> '.join(seen + [current])}",
                            file=project.display(project.env_file(seen[-1]) or project.envs_dir))
        seen.append(current)
        doc = _load_layer(project, current, cache)
        chain.append(doc)
        parent = doc.data.get("extends")
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
    if "=" not in item:
        raise SfncError(f"--set {item!r}: expected KEY=VALUE", hint="e.g. --set poll.max_attempts=5")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key:
        raise SfncError(f"--set {item!r}: empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise SfncError(f"--set {key}: value is not valid YAML: {exc}") from None
    parts = key.split(".")
    if parts[0] not in ("values", "aws"):
        parts = ["values", *parts]
    return parts, value


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
    if name.startswith("_") or project.env_file(name) is None:
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
        origins["/" + "/".join(escape_token(p) for p in parts)] = Span(f"--set {item}")
    aws_sets = [s for s in sets if s.split("=", 1)[0].strip().startswith("aws.")]
    if aws_sets:  # `--set aws.x=...` is checked against the schema like the files are
        problems = _schema_problems(YamlDocument({"aws": merged.get("aws")}, "--set " + " ".join(aws_sets), {}))
        if problems:
            raise SfncError([replace(p, span=Span(p.span.file)) for p in problems])
    values = merged.get("values") or {}
    refs: list = []
    from . import awsvalues  # light: AWS is asked only by `sfnc lock` / deploy (deploy.lock)

    if awsvalues.has_refs(values):  # {ssm: ...} / {stack_output: ...}: the values pinned in envs/<env>.lock.json
        values, refs = awsvalues.apply_lock(
            project, name, values, lambda ptr, msg, hint: _problem_at(origins, ptr, msg, hint, env=name), locked=locked)
    deps: dict[str, set[str]] = {}
    resolved_values = resolve_values(values, name, origins, deps)
    aws = _resolve_aws(merged.get("aws") or {}, resolved_values, name, origins)
    return EnvConfig(name, resolved_values, aws, [d.filename for d in chain], origins, deps, refs)


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
    """Resolves references between values lazily, detecting cycles."""

    def __init__(self, raw: dict[str, Any], env: str) -> None:
        super().__init__(raw, env)
        self.raw = raw
        self.cache: dict[str, Any] = {}
        self.stack: list[str] = []
        self.deps: dict[str, set[str]] = {}

    def scope(self) -> dict[str, Any]:
        scope: dict[str, Any] = {}
        for k, v in self.raw.items():
            try:
                scope[k] = self.resolve_node(v, k)
            except _Cycle:
                scope[k] = v
        scope.setdefault("env", self.env)
        return scope

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
        if path in self.stack:
            cycle = self.stack[self.stack.index(path):] + [path]
            raise _Cycle(cycle)
        self.stack.append(path)
        try:
            value, _ = substitute(node, self)
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
                    problems.append(_problem_at(origins, _ptr(path), err.message, err.hint, env=env))
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
