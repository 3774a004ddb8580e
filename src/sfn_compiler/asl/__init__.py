"""The Amazon States Language: the one traversal (`walk`), the model the rules share (`model.Machine`),
the transition graph (`graph`), field tables (`spec`), JSONata analysis (`jsonata`), variable data flow
(`variables`).

The names below load their module on first use: the simulator needs `walk` without the model's JSONata
parser.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {"Edge": "graph", "Graph": "graph", "Expression": "model", "FieldString": "model", "Machine": "model",
          "Scope": "walk", "State": "walk", "VarAssign": "model", "VarRead": "model"}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
