"""Substituting `${...}` placeholders: resolving values and encoding them for where they stand.

The syntax (where a placeholder starts and ends, `$${` escapes) is the lexer's, `sfn_compiler.placeholders`.

Where a placeholder stands decides what it becomes:

| where                                              | result                                   |
|----------------------------------------------------|------------------------------------------|
| the whole string `"${Timeout}"`                    | the value with its YAML type             |
| inside a plain string `"ndr-${env}-locks"`         | text (a list/object is an error)         |
| inside `{% ... %}`, outside a string literal        | a JSONata literal: the value's JSON      |
| inside a JSONata string literal `'${Table}'`       | text, escaped for that literal's quote   |
| inside a JSONata comment `/* ${owner} */`           | text that may not contain `*/`           |
| in an object key                                   | text                                     |

`$${Name}` writes a literal `${Name}`. Substitution is single-pass: a value's text is never re-scanned.
A rendered string is at most `bounds.MAX_TEXT` characters; a placeholder's value must be JSON data.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..placeholders import Escaped, Placeholder, PlaceholderError, segment
from .bounds import MAX_ITEMS, MAX_TEXT, BoundExceeded, Measure, check_text, measure
from ..load.sourcemap import Anchors, template_offset  # noqa: F401  (anchors are read back there)

_SIMPLE = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)*")


def escape_for_literal(text: str, quote: str) -> str:
    """Escape text for a JSONata string literal quoted with `quote` (or a backtick name)."""
    if quote == "`":
        if "`" in text:
            raise PlaceholderError("a value inside a `backtick` name cannot contain a backtick")
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append('\\"' if ch == '"' else "\\u0027")
        elif ch < " ":
            out.append(json.dumps(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def in_comment(text: str, what: str) -> str:
    """Text for a placeholder inside a JSONata `/* */` comment: a value must not end the comment early
    (`*/ $states.input.secret & /*` would turn the rest of the value into code)."""
    if "*/" in text:
        raise PlaceholderError(f"{what} is inside a JSONata comment and its value contains '*/', which would "
                               "end the comment", hint="remove '*/' from the value, or move the placeholder "
                                                       "out of the comment")
    return text


def to_text(value: Any, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return json.dumps(value)
    kind = "a list" if isinstance(value, list) else "an object" if isinstance(value, dict) else type(value).__name__
    raise PlaceholderError(f"{what} is {kind}; inside a longer string a placeholder must be a scalar",
                           hint="make the placeholder the whole string to insert a list or object")


class MissingValue(PlaceholderError):
    pass


class PlaceholderErrors(Exception):
    """Several placeholder problems in one string (every missing value is reported, not only the first)."""

    def __init__(self, errors: list[PlaceholderError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass
class Resolver:
    """Looks placeholder expressions up in a values map (plus the built-in `env`), recording usage.

    Simple dotted paths are looked up directly; anything else (filters, subscripts) is evaluated as a
    sandboxed Jinja2 expression with StrictUndefined."""

    values: dict[str, Any]
    env: str | None = None
    used: set[str] = field(default_factory=set)
    _jinja: Any = None
    _compiled: dict[str, Callable] = field(default_factory=dict)
    _frozen: dict[str, Any] | None = None
    _view: dict[str, Any] | None = None
    _measure: Measure = field(default_factory=Measure)
    _inserted: list[int] = field(default_factory=lambda: [0, 0])   # items, characters of whole-string values
    #: the whole-string values of one resolver (one template) add up to at most MAX_ITEMS / MAX_TEXT
    bound_total: bool = True

    def admit(self, value: Any, expr: str) -> Any:
        """`value` (a placeholder's) when it is JSON data within the bounds, as the result to insert: a copy
        (the rendered definition never shares a list with the values), counted towards this resolver's total."""
        wrong, nodes, chars = measure(value, memo=self._measure)
        if wrong is not None:
            raise PlaceholderError(f"${{{expr}}}: its value " + (f"at {wrong[0]} " if wrong[0] else "") + wrong[1])
        self.count(nodes, chars, expr)
        return self.copy(value)

    def count(self, nodes: int, chars: int, expr: str) -> None:
        """Count what a placeholder inserts towards this resolver's (template's) total."""
        if self.bound_total:
            self._inserted[0] += nodes
            self._inserted[1] += chars
            if self._inserted[0] > MAX_ITEMS or self._inserted[1] > MAX_TEXT:
                raise BoundExceeded(f"${{{expr}}}: the values placed in this template add up to more than "
                                    f"{MAX_ITEMS:,} items or {MAX_TEXT:,} characters")

    def copy(self, value: Any) -> Any:
        return copy.deepcopy(value)

    def scope(self) -> dict[str, Any]:
        """The values as this resolver's templates see them: its own deep copy (with `env`), so nothing a
        template does can reach another template's values (the Jinja sandbox is immutable as well)."""
        if self._frozen is None:
            scope = copy.deepcopy(self.values)
            if self.env is not None:
                scope.setdefault("env", self.env)
            self._frozen = scope
        return self._frozen

    def lookup_path(self, path: str) -> Any:
        """A dotted path's value, read in place (`admit` copies what is inserted)."""
        if self._view is None:
            self._view = dict(self.values)
            if self.env is not None:
                self._view.setdefault("env", self.env)
        node: Any = self._view
        walked = []
        for part in path.split("."):
            walked.append(part)
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise MissingValue(f"no value for placeholder ${{{path}}}" + (f" in env {self.env!r}" if self.env else ""),
                                   hint=self._suggest(path))
        self.used.add(path)
        return node

    def _suggest(self, path: str) -> str | None:
        known = list(_leaf_paths(self.scope()))
        close = difflib.get_close_matches(path, known, n=1, cutoff=0.75)
        if close:
            return f"did you mean ${{{close[0]}}}?"
        return "add it under `values:` in the env file, or pass --set " + path + "=VALUE"

    def resolve(self, expr: str) -> Any:
        if _SIMPLE.fullmatch(expr):
            return self.lookup_path(expr)
        return self._evaluate_jinja(expr)

    def _evaluate_jinja(self, expr: str) -> Any:
        from . import jinja  # deferred: plain placeholders never pay for Jinja

        fn = self._compiled.get(expr)
        if fn is None:
            fn = jinja.compile_expression(expr)
            self._compiled[expr] = fn
        result, names = jinja.evaluate(fn, expr, self.scope(), self.env)
        for name in names:
            if name in self.values:
                self.used.add(name)
        return result


def _leaf_paths(node: Any, prefix: str = ""):
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{prefix}.{k}" if prefix else str(k)
            yield p
            yield from _leaf_paths(v, p)




def substitute(s: str, resolver: Resolver) -> tuple[Any, bool]:
    """Render one string. Returns (value, changed). A whole-string placeholder returns the typed value."""
    value, changed, _ = substitute_with_anchors(s, resolver)
    return value, changed


def substitute_with_anchors(s: str, resolver: Resolver) -> tuple[Any, bool, Anchors | None]:
    """`substitute`, plus anchors mapping offsets in the rendered string back to the template string."""
    seg = segment(s)
    if seg is None:
        return s, False, None
    parts = seg.parts
    if len(parts) == 1 and isinstance(parts[0], Placeholder) and not parts[0].in_jsonata:
        ph = parts[0]
        try:
            return resolver.admit(resolver.resolve(ph.expr), ph.expr), True, None
        except PlaceholderError as exc:
            exc.offset = ph.start
            raise
    out: list[str] = []
    anchors: Anchors = []
    errors: list[PlaceholderError] = []
    rendered = source = 0
    for part in parts:
        if isinstance(part, str):
            anchors.append((rendered, source, len(part)))
            out.append(part)
            rendered += len(part)
            source += 3 if isinstance(part, Escaped) else len(part)
            continue
        try:
            value = resolver.resolve(part.expr)
            if part.quote:
                text = escape_for_literal(to_text(value, f"${{{part.expr}}}"), part.quote)
            elif part.in_jsonata:
                text = json.dumps(resolver.admit(value, part.expr), ensure_ascii=False)
            elif part.in_comment:
                text = in_comment(to_text(value, f"${{{part.expr}}}"), f"${{{part.expr}}}")
            else:
                text = to_text(value, f"${{{part.expr}}}")
            check_text(rendered + len(text) + len(s) - part.end)
            if not part.in_jsonata or part.quote:   # (admit counted a JSONata literal)
                resolver.count(1, len(text), part.expr)
        except PlaceholderError as exc:
            exc.offset = part.start
            errors.append(exc)
            if isinstance(exc, BoundExceeded):
                break   # past a bound: no more work on this string
            continue
        anchors.append((rendered, part.start, 0))
        out.append(text)
        rendered += len(text)
        source = part.end
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise PlaceholderErrors(errors)
    return "".join(out), True, anchors


def substitute_text(s: str, resolver: Resolver) -> tuple[str, bool]:
    """Render a string that must stay text (object keys)."""
    seg = segment(s)
    if seg is None:
        return s, False
    out = []
    length = 0
    for part in seg.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            try:
                out.append(to_text(resolver.resolve(part.expr), f"${{{part.expr}}}"))
                check_text(length + len(out[-1]) + len(s) - part.end, "a rendered key")
                resolver.count(1, len(out[-1]), part.expr)
            except PlaceholderError as exc:
                exc.offset = part.start
                raise
        length += len(out[-1])
    return "".join(out), True
