"""The Amazon States Language: the one traversal (`walk`), the model the rules share (`model.Machine`),
the transition graph (`graph`), field tables (`spec`), JSONata analysis (`jsonata`), variable data flow
(`variables`).

The names below load their module on first use: the simulator needs `walk` without the model's JSONata
parser.
"""

from __future__ import annotations

from ..lazy import exports

_HOMES = {"Edge": "graph", "Graph": "graph", "Expression": "model", "FieldString": "model", "Machine": "model",
          "Scope": "walk", "State": "walk", "VarAssign": "model", "VarRead": "model"}
__all__ = sorted(_HOMES)


__getattr__ = exports(__name__, _HOMES)
