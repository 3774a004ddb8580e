"""Check: the validator. Rules (`check/rules/`) yield pointer + message findings; the runner selects,
suppresses and locates them into `Diagnostic`s.

The names below load their module on first use: importing one part of check (a rule helper, the config)
does not load the runner and every rule.
"""

from __future__ import annotations

from ..lazy import exports

_HOMES = {"CheckContext": "base", "Finding": "base", "Rule": "base", "Severity": "base", "CheckConfig": "config",
          "run_rules": "runner", "validate_document": "runner", "validate_file": "runner",
          "validate_rendered": "runner", "validate_text": "runner"}
__all__ = sorted(_HOMES)


__getattr__ = exports(__name__, _HOMES)
