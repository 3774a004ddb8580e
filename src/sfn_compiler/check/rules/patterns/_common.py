"""Helpers shared by the pattern rules: resources, Retry/Catch, JSONata bodies, options, paths.

Everything here reads the ASL model (`sfn_compiler.asl.model.Machine`) and the raw definition; nothing
mutates either. Per-document results that several rules need (loops, polls, locks) are cached with
`Machine.memo`, so the 15 rules analyse a definition once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

from ....asl.jsonata import neutralize_placeholders, split_delimited
from ....asl.walk import ERROR_HANDLING_TYPES
from ....errors import SfncError

GROUP = "pattern"

# --------------------------------------------------------------------------------------------------
# resources

_RESOURCE = re.compile(r"^arn:(?:\$\{[^}]*\}|[^:]+):states:::(?P<body>[A-Za-z0-9_:\-]+?)"
                       r"(?P<suffix>\.sync(?::2)?|\.waitForTaskToken)?$")


@dataclass(frozen=True)
class Resource:
    form: str            # "aws-sdk:sagemaker:startPipelineExecution", "dynamodb:putItem" (no suffix)
    suffix: str          # "", ".sync", ".sync:2", ".waitForTaskToken"
    sdk: bool            # an `aws-sdk:` integration
    service: str         # "sagemaker", "dynamodb"
    action: str          # "startPipelineExecution", "putItem"

    @property
    def key(self) -> str:
        return self.form.lower()


def parse_resource(value: Any) -> Resource | None:
    """A service-integration Resource (`arn:<partition>:states:::...`), or None (Lambda/activity ARNs,
    placeholders, anything else)."""
    if not isinstance(value, str):
        return None
    m = _RESOURCE.match(value.strip())
    if not m:
        return None
    body = m.group("body")
    parts = body.split(":")
    sdk = parts[0] == "aws-sdk"
    if sdk:
        if len(parts) != 3:
            return None
        service, action = parts[1], parts[2]
    else:
        if len(parts) != 2:
            return None
        service, action = parts
    return Resource(body, m.group("suffix") or "", sdk, service, action)


def task_resource(state) -> Resource | None:
    if state.type != "Task":
        return None
    return parse_resource(state.get("Resource"))


# --------------------------------------------------------------------------------------------------
# Retry / Catch


@dataclass(frozen=True)
class Catcher:
    index: int
    errors: tuple[str, ...]
    next: str | None


def catchers(state) -> list[Catcher]:
    if state.type not in ERROR_HANDLING_TYPES:
        return []
    return [Catcher(c.index, c.errors, c.raw["Next"] if isinstance(c.raw.get("Next"), str) else None)
            for c in state.entries("Catch")]


CATCH_ALL = ("States.ALL", "States.TaskFailed")


def has_catch_all(state) -> bool:
    return any(e in CATCH_ALL for c in catchers(state) for e in c.errors)


def retriers(state) -> list[tuple[int, tuple[str, ...], Any]]:
    """(index, ErrorEquals, MaxAttempts) of every retrier."""
    if state.type not in ERROR_HANDLING_TYPES:
        return []
    return [(r.index, r.errors, r.raw.get("MaxAttempts", 3)) for r in state.entries("Retry")]


def catch_label(c: Catcher) -> str:
    return f"Catch({', '.join(c.errors) or '?'})"


# --------------------------------------------------------------------------------------------------
# JSONata


def expression_body(value: Any) -> str | None:
    """The body of a whole-string `{% ... %}` expression (placeholders neutralised), else None."""
    if not isinstance(value, str):
        return None
    d = split_delimited(value)
    if d.kind != "expression":
        return None
    return neutralize_placeholders(d.body)


_AST_CACHE: dict[str, Any] = {}


def parse_ast(body: str) -> Any:
    """The jsonata-python AST of `body`, or None when it does not parse (cached by text)."""
    if body in _AST_CACHE:
        return _AST_CACHE[body]
    try:
        from jsonata.parser import Parser

        ast = Parser().parse(body)
    except Exception:  # parse errors are another rule's business
        ast = None
    if len(_AST_CACHE) > 20_000:
        _AST_CACHE.clear()
    _AST_CACHE[body] = ast
    return ast


def strings_in(value: Any, depth: int = 0) -> Iterable[str]:
    """Every string inside a JSON value (keys excluded)."""
    if depth > 100:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v, depth + 1)


# --------------------------------------------------------------------------------------------------
# options


def _table(rule: str) -> str:
    return rule if rule.startswith("[") else f"[tool.sfnc.rules.{rule}]"


def option_names(options: dict[str, Any], key: str, rule: str) -> frozenset[str]:
    """A list-of-strings option (state names, attribute names). `rule` is a rule name or a table label."""
    value = options.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SfncError(f"{_table(rule)} {key} must be a list of strings, got {value!r}",
                        hint=f'for example: {key} = ["Start Reindex"]')
    return frozenset(value)


PATTERNS_TABLE = "[tool.sfnc.patterns]"
PATTERNS_KEYS = ("catalogue", "poll", "lock_states", "not_lock_states")


def patterns_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    """The `[tool.sfnc.patterns]` table, checked."""
    patterns = (settings or {}).get("patterns") or {}
    if not isinstance(patterns, dict):
        raise SfncError(f"{PATTERNS_TABLE} must be a table")
    unknown = sorted(set(patterns) - set(PATTERNS_KEYS))
    if unknown:
        raise SfncError(f"{PATTERNS_TABLE}: unknown setting(s) {', '.join(unknown)}",
                        hint="known: " + ", ".join(PATTERNS_KEYS))
    return patterns


def join_path(tokens: Iterable[str]) -> str:
    return " -> ".join(tokens)


def q(name: str) -> str:
    return f"'{name}'"
