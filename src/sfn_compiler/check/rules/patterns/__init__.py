"""Orchestration pattern rules (SFN7xx), group `pattern`: callback-free control flow, polling loops for
asynchronous jobs, DynamoDB locks, loops and fan-out. See docs/patterns.md."""

from __future__ import annotations

from ...base import Rule
from .callback import CallbackWaitForTaskToken
from .locks import LOCK_RULES
from .loops import LOOP_RULES
from .polls import POLL_RULES

RULES: tuple[type[Rule], ...] = (CallbackWaitForTaskToken, *POLL_RULES, *LOCK_RULES, *LOOP_RULES)

__all__ = ["RULES"]
