"""Validation settings: `[tool.sfnc.validate]` (select, ignore, severity, per-path-ignores) and
`[tool.sfnc.rules.<rule-name>]` (rule options), with CLI overrides on top."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from ..errors import SfncError
from .base import Rule, Severity
from .registry import all_rules, check_selectors, matches

_VALIDATE_KEYS = {"select", "ignore", "severity", "per-path-ignores", "placeholders"}


@dataclass
class CheckConfig:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)          # selector -> error|warning|info
    per_path_ignores: dict[str, list[str]] = field(default_factory=dict)  # glob -> selectors
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule name -> options
    settings: dict[str, Any] = field(default_factory=dict)          # the whole [tool.sfnc] table
    placeholders: str | None = None                                  # "opaque" or None
    debug: bool = False                                              # a crashing rule re-raises (--debug)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_settings(cls, settings: dict[str, Any], *, source: str = "[tool.sfnc]") -> "CheckConfig":
        v = settings.get("validate", {}) or {}
        if not isinstance(v, dict):
            raise SfncError(f"{source}.validate must be a table")
        unknown = set(v) - _VALIDATE_KEYS
        if unknown:
            raise SfncError(f"{source}.validate: unknown setting(s) {', '.join(sorted(unknown))}",
                            hint="known: " + ", ".join(sorted(_VALIDATE_KEYS)))
        cfg = cls(
            select=list(v.get("select", ["ALL"])), ignore=list(v.get("ignore", [])),
            severity=dict(v.get("severity", {})), per_path_ignores={k: list(x) for k, x in v.get("per-path-ignores", {}).items()},
            rule_options=dict(settings.get("rules", {}) or {}), settings=settings,
            placeholders=v.get("placeholders"),
        )
        cfg.check(source)
        return cfg

    @classmethod
    def from_project(cls, project) -> "CheckConfig":
        where = str(project.config_file) if project.config_file else "[tool.sfnc]"
        return cls.from_settings(project.settings, source=where)

    def check(self, where: str) -> None:
        check_selectors(self.select, f"{where} select")
        check_selectors(self.ignore, f"{where} ignore")
        check_selectors(list(self.severity), f"{where} severity")
        for glob, sels in self.per_path_ignores.items():
            check_selectors(sels, f"{where} per-path-ignores {glob!r}")
        for sel, sev in self.severity.items():
            if sev not in ("error", "warning", "info"):
                raise SfncError(f"{where} severity for {sel!r}: {sev!r} is not error, warning or info")
        for name, opts in self.rule_options.items():
            rule = next((r for r in all_rules() if r.name == name or r.id == name), None)
            if rule is None:
                raise SfncError(f"{where} rules.{name}: no such rule", hint="use the rule's name, e.g. rules.state-unreachable")
            if not isinstance(opts, dict):
                raise SfncError(f"{where} rules.{name} must be a table of options")
            unknown = sorted(set(opts) - set(rule.known_options))
            if unknown:
                raise SfncError(f"{where} rules.{name}: unknown option(s) {', '.join(unknown)}",
                                hint=f"options of {rule.name}: {', '.join(rule.known_options) or 'none'}")
        if self.placeholders not in (None, "opaque", "error"):
            raise SfncError(f"{where} placeholders must be 'opaque' or 'error'")

    def enabled(self, rule: type[Rule], path: str | None = None) -> bool:
        # asked for every rule x file x finding, so answers are cached; select/ignore are part of the
        # key because the CLI adjusts them after loading the config
        key = (rule.id, tuple(self.select), tuple(self.ignore))
        on = self._cache.get(key)
        if on is None:
            on = self._cache[key] = (any(matches(rule, s) for s in self.select)
                                     and not any(matches(rule, s) for s in self.ignore))
        if not on or not path or not self.per_path_ignores:
            return on
        pkey = (rule.id, path)
        on = self._cache.get(pkey)
        if on is None:
            on = self._cache[pkey] = not any(fnmatch.fnmatch(path, glob) and any(matches(rule, s) for s in sels)
                                             for glob, sels in self.per_path_ignores.items())
        return on

    def severity_of(self, rule: type[Rule], default: Severity | None = None) -> Severity:
        # the most specific selector wins: id/name over group/prefix over ALL
        best = None
        best_rank = -1
        for sel, sev in self.severity.items():
            if matches(rule, sel):
                rank = 3 if sel.upper() == rule.id or sel.lower() == rule.name else 1 if sel.upper() == "ALL" else 2
                if rank > best_rank:
                    best, best_rank = sev, rank
        if best is not None:
            return Severity(best)
        return default or rule.severity

    def options_for(self, rule: type[Rule]) -> dict[str, Any]:
        return self.rule_options.get(rule.name, self.rule_options.get(rule.id, {})) or {}
