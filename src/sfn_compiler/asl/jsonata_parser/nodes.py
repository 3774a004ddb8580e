"""The tree's nodes, and a lambda's parsed signature."""

from __future__ import annotations

import re
from typing import Any


class Node:
    """A node of the tree: the attributes jsonata-python's `Parser.Symbol` has, each read as its stock
    default unless the parser set it on the node (most nodes set three or four of them)."""

    type: str | None = None
    value: Any = None
    position = 0
    keep_array = False
    descending = False
    expression = seeking_parent = errors = steps = slot = next_function = None
    keep_singleton_array = False
    consarray = False
    level = 0
    focus = token = None
    thunk = False
    procedure = arguments = body = predicate = stages = input = environment = tuple = expr = group = name = None
    lhs = rhs = lhs_object = rhs_object = rhs_terms = terms = condition = then = _else = expressions = None
    error = signature = pattern = update = delete = label = index = None
    _jsonata_lambda = False
    ancestor = None

    def __init__(self, type: str | None = None, value: Any = None, position: int = 0) -> None:
        self.type = type
        self.value = value
        self.position = position


class Signature:
    """A lambda's signature (`function($a, $b)<sn:s>{…}`) as jsonata-python parses it: `params`, one
    (type, regex, context, array, subtype) per parameter, and `pattern`, the regex of the argument types.
    Errors (an option before any type, an unclosed group ...) are jsonata-python's, Python errors included."""

    def __init__(self, text: str) -> None:
        params: list[list] = []   # [type, regex, context, array, subtype]
        param: list = [None, None, False, False, None]
        previous = param
        position = 1
        while position < len(text):
            symbol = text[position]
            if symbol == ":":   # the return type is not checked
                break
            regex = _SIGNATURE_TYPES.get(symbol)
            if regex is not None:
                param[0], param[1], param[3] = symbol, regex, symbol == "a"
            elif symbol == "-":
                previous[2] = True
                previous[1] += "?"
            elif symbol == "?" or symbol == "+":
                previous[1] += symbol
            elif symbol == "(":
                end = _closing(text, position, "(", ")")
                choice = text[position + 1:end]
                if "<" in choice:
                    raise RuntimeError("Choice groups containing parameterized types are not supported")
                param[0], param[1] = "(" + choice + ")", "[" + choice + "m]"
                position = end
            elif symbol == "<":
                if previous[0] != "a" and previous[0] != "f":
                    raise RuntimeError("Type parameters can only be applied to functions and arrays")
                end = _closing(text, position, "<", ">")
                previous[4] = text[position + 1:end]
                position = end
            if param[1] is not None:   # a parameter is complete
                params.append(param)
                previous = param
                param = [None, None, False, False, None]
            position += 1
        self.pattern = "^" + "".join("(" + p[1] + ")" for p in params) + "$"
        re.compile(self.pattern)   # raises what jsonata-python's compile raises for an odd choice group
        self.params = tuple(tuple(p) for p in params)


_SIGNATURE_TYPES = {"s": "[sm]", "n": "[nm]", "b": "[bm]", "l": "[lm]", "o": "[om]", "a": "[asnblfom]", "f": "f",
                    "j": "[asnblom]", "x": "[asnblfom]"}


def _closing(text: str, start: int, open_symbol: str, close_symbol: str) -> int:
    """The position of the symbol that closes the one at `start` (IndexError when none does)."""
    depth = 1
    position = start
    while True:
        position += 1
        symbol = text[position]
        if symbol == close_symbol:
            depth -= 1
            if depth == 0:
                return position
        elif symbol == open_symbol:
            depth += 1
