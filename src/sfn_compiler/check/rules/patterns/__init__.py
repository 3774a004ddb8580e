"""Orchestration pattern rules (SFN7xx), group `pattern`: callback-free control flow, polling loops for
asynchronous jobs, DynamoDB locks, loops and fan-out. See docs/patterns.md."""

from __future__ import annotations

from typing import Any

__all__ = ["RULES"]


def __getattr__(name: str) -> Any:  # loaded on first use: the catalogue and analyses import without the rules
    if name != "RULES":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .callback import CallbackWaitForTaskToken
    from .locks import LOCK_RULES
    from .loops import LOOP_RULES
    from .polls import POLL_RULES

    rules = (CallbackWaitForTaskToken, *POLL_RULES, *LOCK_RULES, *LOOP_RULES)
    globals()["RULES"] = rules
    return rules
