"""The parser: Pratt's top-down operator precedence over the tokens, as jsonata-python's `Parser` runs it
(`_NUD`: what a token does at the start of an expression, `_LED`: what an operator does after its left
operand); `Processor` then gives the tree its processed form."""

from __future__ import annotations

from .errors import JException
from .lexer import Lexer
from .nodes import Node, Signature
from .processing import Processor

# binding power of each operator the parser knows (`!` and `~` are tokens but no operators: reading one
# fails with KeyError, as in jsonata-python)
_LBP = {".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80, ";": 0, ":": 0,
        "?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60, "|": 0, "=": 40, "<": 40, ">": 40, "^": 40,
        "**": 0, "..": 0, ":=": 10, "!=": 40, "<=": 40, ">=": 40, "~>": 40, "?:": 40, "??": 40,
        "and": 30, "or": 25, "in": 40, "&": 50}
_SYMBOL = {"name": "(name)", "variable": "(name)", "string": "(literal)", "number": "(literal)",
           "value": "(literal)", "regex": "(regex)"}   # the symbol of a token that is not an operator


class Parser:
    """One parse (`new_parser`). `node`, `id` and `lbp` describe the current token: its node, its symbol
    (the operator, or `(name)`, `(literal)`, `(regex)`, `(end)`) and its left binding power."""

    def __init__(self) -> None:
        self.sfnc_ops: list[tuple[str, int]] = []

    def parse(self, text: str) -> Node:
        self.lexer = Lexer(text)
        self.end = Node(None, "(end)", len(text))
        self.advance()
        expr = self.expression(0)
        if self.id != "(end)":
            raise JException("S0201", self.node.position, self.node.value)
        expr = Processor(self.end).process(expr)
        if expr.type == "parent" or expr.seeking_parent is not None:
            raise JException("S0217", expr.position, expr.type)
        return expr

    def advance(self, expected: str | None = None, after_operand: bool = False) -> Node:
        """Check that the current token is `expected` (when given) and read the next one."""
        if expected is not None and self.id != expected:
            raise JException("S0203" if self.id == "(end)" else "S0202", self.node.position, expected, self.node.value)
        token = self.lexer.next(after_operand)
        if token is None:
            self.node, self.id, self.lbp = self.end, "(end)", 0
            return self.end
        type, value, position = token
        if type == "operator":
            self.id, self.lbp = value, _LBP[value]   # KeyError for `!` and `~`, as in jsonata-python
        else:
            self.id = _SYMBOL[type]
            self.lbp = 0
        self.node = node = Node(type, value, position)
        return node

    def expression(self, rbp: int) -> Node:
        node, id = self.node, self.id
        self.advance(None, True)
        left = _NUD.get(id, _no_nud)(self, node)
        while rbp < self.lbp:
            node, id = self.node, self.id
            self.advance()
            left = _LED.get(id, _infix)(self, node, left)
        return left

    def object(self, left: Node | None) -> Node:
        """`{k: v, …}`: an object constructor, or with `left` a group-by."""
        pairs = []
        if self.id != "}":
            while True:
                key = self.expression(0)
                self.advance(":")
                pairs.append([key, self.expression(0)])
                if self.id != ",":
                    break
                self.advance(",")
        self.advance("}", True)
        if left is None:
            result = Node("unary", "{")
            result.lhs_object = pairs
        else:
            result = Node("binary", "{")
            result.lhs = left
            result.rhs_object = pairs
        return result


# --------------------------------------------------------------------------------------------------
# the symbols: what a token does at the start of an expression (`_NUD`) and after an operand (`_LED`)


def _no_nud(parser: Parser, node: Node) -> Node:
    raise JException("S0211", node.position, node.value)


def _itself(parser: Parser, node: Node) -> Node:   # names, literals, regexes; `and`, `or`, `in` as names
    return node


def _typed(type: str):
    def nud(parser: Parser, node: Node) -> Node:
        node.type = type
        return node
    return nud


def _minus(parser: Parser, node: Node) -> Node:   # a new node, at offset 0 (jsonata-python's Prefix)
    result = Node("unary", "-")
    result.expression = parser.expression(70)
    return result


def _block(parser: Parser, node: Node) -> Node:   # (a; b)
    expressions = []
    while parser.id != ")":
        expressions.append(parser.expression(0))
        if parser.id != ";":
            break
        parser.advance(";")
    parser.advance(")", True)
    node.type = "block"
    node.expressions = expressions
    return node


def _array(parser: Parser, node: Node) -> Node:   # [a, b..c]
    items = []
    if parser.id != "]":
        while True:
            item = parser.expression(0)
            if parser.id == "..":
                range = Node("binary", "..", parser.node.position)
                range.lhs = item
                parser.advance("..")
                range.rhs = parser.expression(0)
                item = range
            items.append(item)
            if parser.id != ",":
                break
            parser.advance(",")
    parser.advance("]", True)
    node.expressions = items
    node.type = "unary"
    return node


def _transform(parser: Parser, node: Node) -> Node:   # |pattern|update, delete|
    node.type = "transform"
    node.pattern = parser.expression(0)
    parser.advance("|")
    node.update = parser.expression(0)
    if parser.id == ",":
        parser.advance(",")
        node.delete = parser.expression(0)
    parser.advance("|")
    return node


def _object(parser: Parser, node: Node) -> Node:
    return parser.object(None)


_NUD = {"(name)": _itself, "(literal)": _itself, "(regex)": _itself, "(end)": _itself,
        "and": _itself, "or": _itself, "in": _itself, "*": _typed("wildcard"), "%": _typed("parent"),
        "**": _typed("descendant"), "-": _minus, "(": _block, "[": _array, "{": _object, "|": _transform}


def _infix(parser: Parser, node: Node, left: Node) -> Node:
    node.lhs = left
    node.rhs = parser.expression(_LBP[node.value])
    node.type = "binary"
    return node


def _call(parser: Parser, node: Node, left: Node) -> Node:   # f(a, ?); function($a)<s:n>{body}
    node.procedure = left
    node.type = "function"
    arguments = node.arguments = []
    if parser.id != ")":
        while True:
            if parser.id == "?":   # partial application
                node.type = "partial"
                arguments.append(parser.node)
                parser.advance("?")
            else:
                arguments.append(parser.expression(0))
            if parser.id != ",":
                break
            parser.advance(",")
    parser.advance(")", True)
    if left.type == "name" and (left.value == "function" or left.value == "\u03bb"):
        for arg in arguments:
            if arg.type != "variable":
                raise JException("S0208", arg.position, arg.value)
        node.type = "lambda"
        if parser.id == "<":   # the signature: the text of the tokens up to the matching `>`
            depth = 1
            text = "<"
            while depth > 0 and parser.id != "{" and parser.id != "(end)":
                token = parser.advance()
                if parser.id == ">":
                    depth -= 1
                elif parser.id == "<":
                    depth += 1
                text += token.value   # TypeError for a number, as in jsonata-python
            parser.advance(">")
            node.signature = Signature(text)
        parser.advance("{")
        node.body = parser.expression(0)
        parser.advance("}")
    return node


def _filter(parser: Parser, node: Node, left: Node) -> Node:   # a[p]; a[] keeps a singleton array
    if parser.id == "]":
        step = left
        while step.type == "binary" and step.value == "[":
            step = step.lhs
        step.keep_array = True
        parser.advance("]")
        return left
    node.lhs = left
    node.rhs = parser.expression(0)
    node.type = "binary"
    parser.advance("]", True)
    return node


def _order_by(parser: Parser, node: Node, left: Node) -> Node:   # a^(<x, >y)
    parser.advance("(")
    terms = []
    while True:
        term = Node()
        if parser.id == "<":
            parser.advance("<")
        elif parser.id == ">":
            term.descending = True
            parser.advance(">")
        term.expression = parser.expression(0)
        terms.append(term)
        if parser.id != ",":
            break
        parser.advance(",")
    parser.advance(")")
    node.lhs = left
    node.rhs_terms = terms
    node.type = "binary"
    return node


def _group_by(parser: Parser, node: Node, left: Node) -> Node:
    return parser.object(left)


def _bind(parser: Parser, node: Node, left: Node) -> Node:   # $a := v (right associative)
    if left.type != "variable":
        raise JException("S0212", left.position, left.value)
    node.lhs = left
    node.rhs = parser.expression(_LBP[":="] - 1)
    node.type = "binary"
    return node


def _variable_bind(parser: Parser, node: Node, left: Node) -> Node:   # a@$v, a#$i
    node.lhs = left
    node.rhs = parser.expression(_LBP[node.value])
    if node.rhs.type != "variable":
        raise JException("S0214", node.rhs.position, node.value)
    node.type = "binary"
    return node


def _condition(parser: Parser, node: Node, left: Node) -> Node:   # c ? a : b
    node.type = "condition"
    node.condition = left
    node.then = parser.expression(0)
    if parser.id == ":":
        parser.advance(":")
        node._else = parser.expression(0)
    return node


def _coalesce(parser: Parser, node: Node, left: Node) -> Node:   # a ?? b: $exists(a) ? a : b
    parser.sfnc_ops.append(("??", node.position))
    node.type = "condition"
    condition = node.condition = Node("function", "(")
    condition.procedure = Node("variable", "exists")
    condition.arguments = [left]
    node.then = left
    node._else = parser.expression(0)
    return node


def _default(parser: Parser, node: Node, left: Node) -> Node:   # a ?: b: a ? a : b
    parser.sfnc_ops.append(("?:", node.position))
    node.type = "condition"
    node.condition = left
    node.then = left
    node._else = parser.expression(0)
    return node


_LED = {"(": _call, "[": _filter, "^": _order_by, "{": _group_by, ":=": _bind, "@": _variable_bind,
        "#": _variable_bind, "?": _condition, "??": _coalesce, "?:": _default}   # any other: _infix


def new_parser() -> Parser:
    """A parser for one expression (`sfnc_ops` lists its `??`/`?:` uses as (operator, end offset))."""
    return Parser()
