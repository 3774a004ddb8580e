"""`${...}` placeholders: scanning strings, resolving values, and encoding them for where they stand.

Where a placeholder stands decides what it becomes:

| where                                              | result                                   |
|----------------------------------------------------|------------------------------------------|
| the whole string `"${Timeout}"`                    | the value with its YAML type             |
| inside a plain string `"ndr-${env}-locks"`         | text (a list/object is an error)         |
| inside `{% ... %}`, outside a string literal        | a JSONata literal: the value's JSON      |
| inside a JSONata string literal `'${Table}'`       | text, escaped for that literal's quote   |
| in an object key                                   | text                                     |

`$${Name}` writes a literal `${Name}`. Substitution is single-pass: a value's text is never re-scanned.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

_SIMPLE = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)*")
JSONATA_OPEN = "{%"
JSONATA_CLOSE = "%}"


class PlaceholderError(Exception):
    """A problem with one placeholder; `offset` is where it starts in its string."""

    def __init__(self, message: str, offset: int = 0, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint


@dataclass(frozen=True)
class Placeholder:
    start: int          # offset of `$` in the string
    end: int            # offset just past `}`
    expr: str           # text between the braces, stripped
    quote: str | None   # inside a JSONata string literal quoted with this character, else None
    in_jsonata: bool    # inside a `{% %}` expression


class Escaped(str):
    """A `$${` escape in the template, rendered as `${` (3 template characters, 2 rendered)."""


@dataclass
class Segmented:
    """A string cut into literal text and placeholders (in order)."""

    parts: list[str | Placeholder]

    @property
    def placeholders(self) -> list[Placeholder]:
        return [p for p in self.parts if isinstance(p, Placeholder)]


def is_jsonata(s: str) -> bool:
    return s.startswith(JSONATA_OPEN) and s.endswith(JSONATA_CLOSE) and len(s) >= 4


def placeholder_end(s: str, start: int) -> int:
    """End (exclusive) of the `${...}` placeholder whose `$` is at `start`, or -1 when it is not closed.
    Quotes and nested braces inside (filter arguments) are skipped. Shared by the renderer and the
    validator's `--placeholders opaque` mode, so both agree on where a placeholder ends."""
    close = _closing_brace(s, start + 2)
    return -1 if close < 0 else close + 1


def _closing_brace(s: str, i: int) -> int:
    depth = 0
    quote = None
    n = len(s)
    while i < n:
        ch = s[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def segment(s: str) -> Segmented | None:
    """Cut `s` into text and placeholders, or return None when it holds neither `${` nor `$${`."""
    if "${" not in s:
        return None
    jsonata = is_jsonata(s)
    parts: list[str | Placeholder] = []
    buf: list[str] = []
    quote: str | None = None     # JSONata string literal / backtick name being scanned
    comment = False
    i = 0
    n = len(s)
    while i < n:
        ch = s[i]
        if ch == "$" and s.startswith("$${", i):
            if buf:
                parts.append("".join(buf))
                buf = []
            parts.append(Escaped("${"))
            i += 3
            continue
        if ch == "$" and s.startswith("${", i):
            close = _closing_brace(s, i + 2)
            if close < 0:
                raise PlaceholderError("unterminated placeholder: '${' without a closing '}'", i,
                                       "write $${ for a literal '${'")
            if buf:
                parts.append("".join(buf))
                buf = []
            expr = s[i + 2:close].strip()
            if not expr:
                raise PlaceholderError("empty placeholder '${}'", i)
            in_literal = quote if quote in ("'", '"') else None
            if quote == "`":
                in_literal = "`"
            parts.append(Placeholder(i, close + 1, expr, in_literal, jsonata and not comment))
            i = close + 1
            continue
        if jsonata:
            if comment:
                if s.startswith("*/", i):
                    comment = False
                    buf.append("*/")
                    i += 2
                    continue
            elif quote:
                if ch == "\\" and quote != "`" and i + 1 < n:
                    buf.append(s[i:i + 2])
                    i += 2
                    continue
                if ch == quote:
                    quote = None
            elif ch in "'\"`":
                quote = ch
            elif s.startswith("/*", i):
                comment = True
                buf.append("/*")
                i += 2
                continue
        buf.append(ch)
        i += 1
    if buf:
        parts.append("".join(buf))
    return Segmented(parts)


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

    def scope(self) -> dict[str, Any]:
        scope = dict(self.values)
        if self.env is not None:
            scope.setdefault("env", self.env)
        return scope

    def lookup_path(self, path: str) -> Any:
        node: Any = self.scope()
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


# (rendered offset, template offset, length): a literal run of the rendered string and where it came
# from; length 0 marks a substituted value, which maps to its placeholder's `$`.
Anchors = list[tuple[int, int, int]]


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
            return copy.deepcopy(resolver.resolve(ph.expr)), True, None
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
                text = json.dumps(value, ensure_ascii=False)
            else:
                text = to_text(value, f"${{{part.expr}}}")
        except PlaceholderError as exc:
            exc.offset = part.start
            errors.append(exc)
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


def template_offset(anchors: Anchors, offset: int) -> tuple[int, bool]:
    """Where rendered offset `offset` came from in the template string: (offset, exact)."""
    best = (0, False)
    for r, t, length in anchors:
        if r > offset:
            break
        if length and offset < r + length:
            return t + (offset - r), True
        best = (t, False) if not length else (t + length, False)
    return best


def substitute_text(s: str, resolver: Resolver) -> tuple[str, bool]:
    """Render a string that must stay text (object keys)."""
    seg = segment(s)
    if seg is None:
        return s, False
    out = []
    for part in seg.parts:
        if isinstance(part, str):
            out.append(part)
        else:
            try:
                out.append(to_text(resolver.resolve(part.expr), f"${{{part.expr}}}"))
            except PlaceholderError as exc:
                exc.offset = part.start
                raise
    return "".join(out), True
