"""jsonata-python's `process_ast`: the parsed tree in the form the evaluator (and sfnc's readers) use.

Paths become step lists, predicates and group-by move onto their steps, `@`/`#` onto the step they bind,
`%` finds the step it names, a lambda's tail call becomes a thunk. Nodes the tree keeps are shared and
changed in place where jsonata-python changes them (a subtree that `??` or `?:` uses twice is processed
twice, as there).
"""

from __future__ import annotations

from .errors import JException
from .nodes import Node


class Processor:
    """The processing of one tree; `end` is the parser's end-of-text node, `ancestry` the `%` nodes in the
    order processed."""

    def __init__(self, end: Node) -> None:
        self.end = end
        self.ancestry: list[Node] = []

    def process(self, expr: Node) -> Node:
        type = expr.type
        if type in _LEAVES:
            result = expr
        elif type == "binary":
            result = _BINARY.get(expr.value, Processor._binary)(self, expr)
        elif type == "name":
            result = Node("path")
            result.steps = [expr]
            if expr.keep_array:
                result.keep_singleton_array = True
        elif type == "function" or type == "partial":
            result = Node(type, expr.value, expr.position)
            arguments = result.arguments = []
            for arg in expr.arguments:
                arg = self.process(arg)
                _push_ancestry(result, arg)
                arguments.append(arg)
            result.procedure = self.process(expr.procedure)
        elif type == "unary":
            result = self._unary(expr)
        elif type == "block":
            result = Node("block", None, expr.position)
            expressions = result.expressions = []
            for item in expr.expressions:
                part = self.process(item)
                _push_ancestry(result, part)
                if part.consarray or (part.type == "path" and part.steps[0].consarray):
                    result.consarray = True
                expressions.append(part)
        elif type == "condition":
            result = Node("condition", None, expr.position)
            result.condition = self.process(expr.condition)
            _push_ancestry(result, result.condition)
            result.then = self.process(expr.then)
            _push_ancestry(result, result.then)
            if expr._else is not None:
                result._else = self.process(expr._else)
                _push_ancestry(result, result._else)
        elif type == "lambda":
            result = Node("lambda", None, expr.position)
            result.arguments = expr.arguments
            result.signature = expr.signature
            result.body = _tail_call(self.process(expr.body))
        elif type == "transform":
            result = Node("transform", None, expr.position)
            result.pattern = self.process(expr.pattern)
            result.update = self.process(expr.update)
            if expr.delete is not None:
                result.delete = self.process(expr.delete)
        elif type == "parent":
            result = Node("parent")
            slot = result.slot = Node()
            slot.label = "!" + str(len(self.ancestry))
            slot.level = 1
            slot.index = len(self.ancestry)
            self.ancestry.append(result)
        elif type == "operator" and expr.value in ("and", "or", "in"):   # a name after all
            expr.type = "name"
            result = self.process(expr)
        elif type == "operator" and expr.value == "?":   # a placeholder of a partial application
            result = expr
        else:
            raise JException("S0207" if expr is self.end else "S0206", expr.position, expr.value)
        if expr.keep_array:
            result.keep_array = True
        return result

    def _binary(self, expr: Node) -> Node:
        result = Node("binary", expr.value, expr.position)
        result.lhs = self.process(expr.lhs)
        result.rhs = self.process(expr.rhs)
        _push_ancestry(result, result.lhs)
        _push_ancestry(result, result.rhs)
        return result

    def _path(self, expr: Node) -> Node:   # a.b
        lstep = self.process(expr.lhs)
        if lstep.type == "path":
            result = lstep
        else:
            result = Node("path")
            result.steps = [lstep]
        if lstep.type == "parent":
            result.seeking_parent = [lstep.slot]
        rest = self.process(expr.rhs)
        steps = result.steps
        if rest.type == "path":
            steps.extend(rest.steps)
        else:
            if rest.predicate is not None:
                rest.stages = rest.predicate
                rest.predicate = None
            steps.append(rest)
        for step in steps:
            if step.type == "number" or step.type == "value":
                raise JException("S0213", step.position, step.value)
            if step.type == "string":   # a quoted field name
                step.type = "name"
        if any(step.keep_array for step in steps):
            result.keep_singleton_array = True
        first = steps[0]
        if first.type == "unary" and first.value == "[":
            first.consarray = True
        last = steps[-1]
        if last.type == "unary" and last.value == "[":
            last.consarray = True
        self.resolve_ancestry(result)
        return result

    def _predicate(self, expr: Node) -> Node:   # a[p]: a predicate of a step, or a stage of a path's last step
        result = self.process(expr.lhs)
        step = result
        stages = result.type == "path"
        if stages:
            step = result.steps[-1]
        if step.group is not None:
            raise JException("S0209", expr.position)
        if stages:
            if step.stages is None:
                step.stages = []
        elif step.predicate is None:
            step.predicate = []
        predicate = self.process(expr.rhs)
        if predicate.seeking_parent is not None:
            for slot in predicate.seeking_parent:
                if slot.level == 1:
                    self.seek_parent(step, slot)
                else:
                    slot.level -= 1
            _push_ancestry(step, predicate)
        filter = Node("filter", None, expr.position)
        filter.expr = predicate
        if expr.keep_array:
            step.keep_array = True
        (step.stages if stages else step.predicate).append(filter)
        return result

    def _group(self, expr: Node) -> Node:   # a{k: v}
        result = self.process(expr.lhs)
        if result.group is not None:
            raise JException("S0210", expr.position)
        group = result.group = Node()
        group.lhs_object = [[self.process(key), self.process(value)] for key, value in expr.rhs_object]
        group.position = expr.position
        return result

    def _sort(self, expr: Node) -> Node:   # a^(<x, >y)
        result = self.process(expr.lhs)
        if result.type != "path":
            path = Node("path")
            path.steps = [result]
            result = path
        sort = Node("sort", None, expr.position)
        terms = sort.terms = []
        for term in expr.rhs_terms:
            expression = self.process(term.expression)
            _push_ancestry(sort, expression)
            processed = Node()
            processed.descending = term.descending
            processed.expression = expression
            terms.append(processed)
        result.steps.append(sort)
        self.resolve_ancestry(result)
        return result

    def _bind(self, expr: Node) -> Node:   # $a := v
        result = Node("bind", expr.value, expr.position)
        result.lhs = self.process(expr.lhs)
        result.rhs = self.process(expr.rhs)
        _push_ancestry(result, result.rhs)
        return result

    def _focus(self, expr: Node) -> Node:   # a@$v
        result = self.process(expr.lhs)
        step = result.steps[-1] if result.type == "path" else result
        if step.stages is not None or step.predicate is not None:
            raise JException("S0215", expr.position)
        if step.type == "sort":
            raise JException("S0216", expr.position)
        if expr.keep_array:
            step.keep_array = True
        step.focus = expr.rhs.value
        step.tuple = True
        return result

    def _index(self, expr: Node) -> Node:   # a#$i
        result = self.process(expr.lhs)
        step = result
        if result.type == "path":
            step = result.steps[-1]
        else:
            result = Node("path")
            result.steps = [step]
            if step.predicate is not None:
                step.stages = step.predicate
                step.predicate = None
        if step.stages is None:
            step.index = expr.rhs.value
        else:
            index = Node("index", expr.rhs.value, expr.position)
            step.stages.append(index)
        step.tuple = True
        return result

    def _apply(self, expr: Node) -> Node:   # a ~> $f
        result = Node("apply", expr.value, expr.position)
        result.lhs = self.process(expr.lhs)
        result.rhs = self.process(expr.rhs)
        result.keep_array = result.lhs.keep_array or result.rhs.keep_array
        return result

    def _unary(self, expr: Node) -> Node:
        result = Node("unary", expr.value, expr.position)
        if expr.value == "[":   # array constructor
            expressions = result.expressions = []
            for item in expr.expressions:
                value = self.process(item)
                _push_ancestry(result, value)
                expressions.append(value)
        elif expr.value == "{":   # object constructor
            pairs = result.lhs_object = []
            for key, value in expr.lhs_object:
                key = self.process(key)
                _push_ancestry(result, key)
                value = self.process(value)
                _push_ancestry(result, value)
                pairs.append([key, value])
        else:   # minus
            result.expression = self.process(expr.expression)
            if result.expression.type == "number":   # a negative number
                result = result.expression
                value = -float(result.value)
                result.value = int(value) if value == int(value) else value
            else:
                _push_ancestry(result, result.expression)
        return result

    # ancestry: a `%` (the parent of the context) names the step it refers to with a slot

    def seek_parent(self, node: Node, slot: Node) -> Node:
        type = node.type
        if type == "name" or type == "wildcard":
            slot.level -= 1
            if slot.level == 0:
                if node.ancestor is not None:   # reuse the existing label
                    self.ancestry[int(slot.index)].slot.label = node.ancestor.label
                node.ancestor = slot
                node.tuple = True
        elif type == "parent":
            slot.level += 1
        elif type == "block":   # the last expression of the block
            if node.expressions:
                node.tuple = True
                slot = self.seek_parent(node.expressions[-1], slot)
        elif type == "path":   # the last step, then the ones before it
            node.tuple = True
            index = len(node.steps) - 1
            slot = self.seek_parent(node.steps[index], slot)
            index -= 1
            while slot.level > 0 and index >= 0:
                slot = self.seek_parent(node.steps[index], slot)
                index -= 1
        else:
            raise JException("S0217", node.position, type)
        return slot

    def resolve_ancestry(self, path: Node) -> None:
        steps = path.steps
        last = steps[-1]
        slots = last.seeking_parent if last.seeking_parent is not None else []
        if last.type == "parent":
            slots.append(last.slot)
        for slot in slots:
            index = len(steps) - 2
            while slot.level > 0:
                if index < 0:
                    if path.seeking_parent is None:
                        path.seeking_parent = [slot]
                    else:
                        path.seeking_parent.append(slot)
                    break
                step = steps[index]
                index -= 1
                while index >= 0 and step.focus is not None and steps[index].focus is not None:
                    step = steps[index]   # contiguous steps that bind the focus count as one
                    index -= 1
                slot = self.seek_parent(step, slot)


_LEAVES = frozenset(("string", "number", "value", "wildcard", "descendant", "variable", "regex"))
_BINARY = {".": Processor._path, "[": Processor._predicate, "{": Processor._group, "^": Processor._sort,
           ":=": Processor._bind, "@": Processor._focus, "#": Processor._index, "~>": Processor._apply}


def _push_ancestry(result: Node, value: Node) -> None:
    """`result` seeks the parents `value` seeks (`value` a `%`: its slot)."""
    if value.seeking_parent is not None or value.type == "parent":
        slots = value.seeking_parent if value.seeking_parent is not None else []
        if value.type == "parent":
            slots.append(value.slot)
        if result.seeking_parent is None:
            result.seeking_parent = slots
        else:
            result.seeking_parent.extend(slots)


def _tail_call(expr: Node) -> Node:
    """A lambda body whose result is a function call returns a thunk for it (jsonata-python's tail call
    optimisation; the evaluator runs the thunk in a loop)."""
    if expr.type == "function" and expr.predicate is None:
        thunk = Node("lambda", None, expr.position)
        thunk.thunk = True
        thunk.arguments = []
        thunk.body = expr
        return thunk
    if expr.type == "condition":
        expr.then = _tail_call(expr.then)
        if expr._else is not None:
            expr._else = _tail_call(expr._else)
    elif expr.type == "block" and expr.expressions:
        expr.expressions[-1] = _tail_call(expr.expressions[-1])
    return expr
