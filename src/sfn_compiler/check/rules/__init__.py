"""The rule registry: `ALL_RULES` is the single, explicit list of every rule class (no directory walking).

One module (or subpackage) per group, each exporting `RULES`; adding a rule touches its group module, the
group's `RULES`, `tests/rules/cases/SFNxxx.yaml` and the regenerated docs/rules.md.

Id ranges: SFN0xx the document as a whole (parse, suppressions, AWS's own validation; the runner checks
them) and the inputs of a check (templates that do not render, config, files not read: `inputs`), SFN1xx structure, SFN2xx graph, SFN3xx JSONata, SFN4xx `$states`, SFN5xx variables, SFN6xx
Retry/Catch, SFN7xx orchestration patterns, SFN8xx the data (SFN801-SFN810: the data that flows, from the
shape inference: `data`; SFN811-SFN830: arguments and error names against the AWS API models).
"""

from __future__ import annotations

from typing import Any

# group modules in ALL_RULES order; imported when ALL_RULES is first asked for, so importing one helper
# module of a group (the polling catalogue, say) does not load every rule
_GROUPS = ("document", "inputs", "structure", "express", "graph", "jsonata", "states_var", "variables",
           "retry_catch", "patterns", "data", "api_models")
__all__ = ["ALL_RULES"]


def __getattr__(name: str) -> Any:
    if name != "ALL_RULES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    rules: tuple = ()
    for group in _GROUPS:
        rules += importlib.import_module(f".{group}", __name__).RULES
    globals()["ALL_RULES"] = rules
    return rules
