"""The Amazon States Language model shared by the rules (see `model.Machine`)."""

from .graph import Edge, Graph
from .model import Expression, FieldString, Machine, Scope, State, VarAssign, VarRead

__all__ = ["Edge", "Expression", "FieldString", "Graph", "Machine", "Scope", "State", "VarAssign", "VarRead"]
