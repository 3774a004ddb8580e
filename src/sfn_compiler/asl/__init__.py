"""The Amazon States Language: the one traversal (`walk`), the model the rules share (`model.Machine`),
the transition graph (`graph`), field tables (`spec`), JSONata analysis (`jsonata`), variable data flow
(`variables`)."""

from .graph import Edge, Graph
from .model import Expression, FieldString, Machine, Scope, State, VarAssign, VarRead

__all__ = ["Edge", "Expression", "FieldString", "Graph", "Machine", "Scope", "State", "VarAssign", "VarRead"]
