"""All rules, and selectors: a rule is selected by its id (`SFN201`), name (`next-target-missing`),
group (`graph`), an id prefix (`SFN2`) or `ALL`."""

from __future__ import annotations

import re
from functools import lru_cache

from ..errors import SfncError
from .base import Rule

_ID = re.compile(r"^SFN\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    from .rules import ALL_RULES

    rules = tuple(ALL_RULES)
    ids, names = set(), set()
    for r in rules:
        if not _ID.match(r.id) or not _NAME.match(r.name) or r.id in ids or r.name in names:
            raise RuntimeError(f"bad rule registration: {r.id} {r.name}")
        ids.add(r.id)
        names.add(r.name)
    return tuple(sorted(rules, key=lambda r: r.id))


def by_id() -> dict[str, type[Rule]]:
    return {r.id: r for r in all_rules()}


def find_rule(key: str) -> type[Rule] | None:
    key = key.strip()
    for r in all_rules():
        if key.upper() == r.id or key.lower() == r.name:
            return r
    return None


def matches(rule: type[Rule], selector: str) -> bool:
    s = selector.strip()
    if s.upper() == "ALL":
        return True
    if s.upper() == rule.id or s.lower() == rule.name or s.lower() == rule.group:
        return True
    return bool(re.fullmatch(r"SFN\d{0,2}", s.upper())) and rule.id.startswith(s.upper())


def known_selector(selector: str) -> bool:
    return any(matches(r, selector) for r in all_rules())


def check_selectors(selectors: list[str], where: str) -> None:
    bad = [s for s in selectors if not known_selector(s)]
    if bad:
        raise SfncError(f"{where}: unknown rule selector(s): {', '.join(bad)}",
                        hint="use a rule id (SFN201), name, group or id prefix (SFN2); `sfnc rules` lists them")
