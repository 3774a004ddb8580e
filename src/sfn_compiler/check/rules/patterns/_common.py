"""Helpers shared by the pattern rules: Retry/Catch, options, the polling catalogue with the project's
entries, paths (a Task's Resource is `asl.resources`, a JSONata body `asl.jsonata.expression_body` /
`parse`, the catalogue itself `asl.poll_catalogue`).

Everything here reads the ASL model (`sfn_compiler.asl.model.Machine`) and the raw definition; nothing
mutates either. Per-document results that several rules need (loops, polls, locks) are cached with
`Machine.memo`, so the 15 rules analyse a definition once.
"""

from __future__ import annotations

from typing import Any, Iterable, NamedTuple

from ....asl import poll_catalogue
from ....asl.poll_catalogue import Catalogue
from ....asl.walk import ERROR_HANDLING_TYPES
from ....errors import SfncError

GROUP = "pattern"

# --------------------------------------------------------------------------------------------------
# Retry / Catch


class Catcher(NamedTuple):
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


def catalogue_for(settings: dict[str, Any] | None) -> Catalogue:
    """The polling catalogue with the project's `[tool.sfnc.patterns]` entries (`catalogue`, `poll`)."""
    patterns = patterns_settings(settings)
    return poll_catalogue.load(patterns.get("catalogue"), patterns.get("poll"))


def join_path(tokens: Iterable[str]) -> str:
    return " -> ".join(tokens)


def q(name: str) -> str:
    return f"'{name}'"
