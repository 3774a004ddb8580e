"""The bounds on the work one render may do, and the check that a value is JSON data (docs/render.md#bounds).

Templates, env files and `--set` decide how much work a render does; each input-driven cost has a bound
and passing it is an error at the place that asked for it, never a hang, a RecursionError or a crash:

| bound | where it is checked |
|---|---|
| `MAX_TEXT` characters in one string and in one template's Jinja output | substitution, Jinja operators and filters, `.json.j2` output |
| `MAX_ITEMS` items in one list/tuple/map a template builds, and nodes in one value (shared parts counted each time they are used) | Jinja operators and filters; values and placeholder results |
| `MAX_DEPTH` levels of nesting in a value, a template and a `--set` key | env files, `--set`, templates |
| `MAX_REFERENCES` values in a chain of values referencing values (`a: ${b}`, `b: ${c}`, ...) | env value resolution |
| `MAX_STEPS` loop iterations and calls in one template | the Jinja sandbox (`render.jinja`) |
| `MAX_VOLUME` characters and items produced by Jinja operators and filters in one template | the Jinja sandbox |

A light module (no Jinja): envconfig and the substitution use it too.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time
from typing import Any

from ..load.limits import MAX_DEPTH  # one nesting bound for what is read and what is rendered
from ..load.pointer import escape_token
from ..placeholders import PlaceholderError

MAX_TEXT = 10_000_000
MAX_ITEMS = 1_000_000
MAX_REFERENCES = 50
MAX_STEPS = 1_000_000
MAX_VOLUME = 100_000_000
MAX_INT_DIGITS = 4300        # Python's own limit for turning an int into text (sys.get_int_max_str_digits)
_INT_LIMIT = 10 ** MAX_INT_DIGITS

DOCS = "see docs/render.md#bounds"


class BoundExceeded(PlaceholderError):
    """A render passed one of the bounds above (a PlaceholderError: it is reported where the placeholder or
    the template line is)."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message, offset, DOCS)


class Budget:
    """The work one template (or one env's values) may still do in Jinja: steps (loop iterations and
    calls) and volume (characters and items produced by operators and filters)."""

    __slots__ = ("steps", "volume")

    def __init__(self) -> None:
        self.steps = 0
        self.volume = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise BoundExceeded(f"more than {MAX_STEPS:,} loop iterations and calls in one template")

    def produce(self, size: int) -> None:
        self.volume += size
        if self.volume > MAX_VOLUME:
            raise BoundExceeded(f"more than {MAX_VOLUME:,} characters and items produced by operators and "
                                "filters in one template")


_BUDGET: ContextVar[Budget | None] = ContextVar("sfnc_render_budget", default=None)


@contextmanager
def budget(*, fresh: bool = False):
    """The budget of this template (one render); nested uses share it unless `fresh`."""
    current = _BUDGET.get()
    if current is not None and not fresh:
        yield current
        return
    token = _BUDGET.set(Budget())
    try:
        yield _BUDGET.get()
    finally:
        _BUDGET.reset(token)


def current_budget() -> Budget:
    """The active budget; outside `budget()`, a fresh one for this one evaluation."""
    return _BUDGET.get() or Budget()


def check_text(length: int, what: str = "a rendered string") -> None:
    if length > MAX_TEXT:
        raise BoundExceeded(f"{what} would be {length:,} characters long, over the bound of {MAX_TEXT:,}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (datetime, date, time)):
        return f"a {type(value).__name__} (YAML reads an unquoted date as one: quote it to make it text)"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    return f"a {type(value).__name__}"


class Measure:
    """What `measure` learnt about containers (by id; the objects are kept so the ids stay theirs): pass
    one to several calls over values that share parts, and each part is walked once."""

    def __init__(self) -> None:
        self.sizes: dict[int, tuple[int, int, int, Any]] = {}   # id -> (nodes, chars, height, the object)


def json_problem(value: Any, *, max_depth: int = MAX_DEPTH, memo: Measure | None = None) -> tuple[str, str] | None:
    """(pointer below `value`, message) for the first thing that keeps `value` from being JSON data sfnc
    can write: a type JSON does not have (a date, a set, a Python object such as `dict.items()`), a
    non-finite number (NaN, Infinity), an integer over 4,300 digits, nesting over `max_depth`, or more than
    MAX_ITEMS nodes / MAX_TEXT characters once shared parts are written out each time they are used (values
    that reference values can share one list many times). None when it is fine. Iterative: no recursion;
    a shared part is walked once."""
    return measure(value, max_depth=max_depth, memo=memo)[0]


def measure(value: Any, *, max_depth: int = MAX_DEPTH, memo: Measure | None = None
            ) -> tuple[tuple[str, str] | None, int, int]:
    """(`json_problem`'s answer, nodes, characters once written out)."""
    sizes = (memo or Measure()).sizes
    containers = (dict, list, tuple)
    # post-order walk: (node, depth, children done, link); a link is (key, parent link): the pointer is
    # only spelled out for a problem
    stack: list[tuple[Any, int, bool, Any]] = [(value, 0, False, None)]
    on_path: set[int] = set()
    while stack:
        node, depth, done, link = stack.pop()
        if isinstance(node, containers):
            key = id(node)
            if done:
                on_path.discard(key)
                nodes, chars, height = 1, 0, 1
                for child in (node.values() if isinstance(node, dict) else node):
                    if isinstance(child, containers):
                        n, c, h, _ = sizes[id(child)]
                        nodes += n
                        chars += c
                        if h >= height:
                            height = h + 1
                    else:
                        nodes += 1
                        if isinstance(child, str):
                            chars += len(child)
                if isinstance(node, dict):
                    chars += sum(len(k) for k in node if isinstance(k, str))
                if nodes > MAX_ITEMS:
                    return (_pointer(link), f"has {nodes:,} items once written out, over the bound of "
                                            f"{MAX_ITEMS:,}"), 0, 0
                if chars > MAX_TEXT:
                    return (_pointer(link), f"has {chars:,} characters once written out, over the bound of "
                                            f"{MAX_TEXT:,}"), 0, 0
                sizes[key] = (nodes, chars, height, node)
                continue
            if key in sizes:
                if depth + sizes[key][2] > max_depth:
                    return (_pointer(link), f"nested deeper than {max_depth} levels"), 0, 0
                continue
            if key in on_path:
                return (_pointer(link), "contains itself"), 0, 0
            if depth >= max_depth:
                return (_pointer(link), f"nested deeper than {max_depth} levels"), 0, 0
            on_path.add(key)
            stack.append((node, depth, True, link))
            if isinstance(node, dict):
                for k, v in node.items():
                    if not isinstance(k, str) and (json_problem(k) is not None or not isinstance(
                            k, (bool, int, float, type(None)))):   # JSON writes a number key as text
                        return (_pointer(link), f"has a key that is {_kind(k)}, not text"), 0, 0
                    if isinstance(v, containers):
                        stack.append((v, depth + 1, False, (k, link)))
                    elif not (v is None or type(v) is str or type(v) is bool):
                        wrong = _scalar_problem(v)
                        if wrong is not None:
                            return (_pointer((k, link)), wrong), 0, 0
            else:
                for i, v in enumerate(node):
                    if isinstance(v, containers):
                        stack.append((v, depth + 1, False, (i, link)))
                    elif not (v is None or type(v) is str or type(v) is bool):
                        wrong = _scalar_problem(v)
                        if wrong is not None:
                            return (_pointer((i, link)), wrong), 0, 0
            continue
        wrong = _scalar_problem(node)
        if wrong is not None:
            return (_pointer(link), wrong), 0, 0
    if isinstance(value, containers):
        nodes, chars, _, _ = sizes[id(value)]
        return None, nodes, chars
    return None, 1, len(value) if isinstance(value, str) else 0


def _pointer(link: Any) -> str:
    keys = []
    while link is not None:
        keys.append(escape_token(str(link[0])))
        link = link[1]
    return "".join("/" + k for k in reversed(keys))


def _scalar_problem(node: Any) -> str | None:
    if node is None or isinstance(node, (str, bool)):
        return None
    if isinstance(node, int):
        return f"is an integer of more than {MAX_INT_DIGITS:,} digits" if abs(node) >= _INT_LIMIT else None
    if isinstance(node, float):
        if math.isfinite(node):
            return None
        return f"is {'NaN' if node != node else 'Infinity' if node > 0 else '-Infinity'}, which is not a JSON number"
    return f"is {_kind(node)}, not JSON data"


def plain(value: Any) -> Any:
    """A JSON-data value (`json_problem` found nothing, so its size is bounded) as plain types, copied:
    tuples become lists, text of a str subclass (Jinja's Markup) plain text."""
    if type(value) in (str, int, float, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return {plain(k) if isinstance(k, str) else k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def flow_depth(text: str) -> int:
    """How deep `[` / `{` nest in a YAML or JSON flow text (quoted text skipped): a check that needs no
    parser, for text a recursive parser would choke on."""
    depth = deepest = 0
    quote = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def depth_problem(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """The pointer of the first node nested deeper than `max_depth` levels (iterative), or None; a pointer
    of more than 6 levels is cut to the ancestor 6 levels down (messages stay short)."""
    containers = (dict, list, tuple)
    stack: list[tuple[Any, int, Any]] = [(value, 0, None)] if isinstance(value, containers) else []
    while stack:
        node, depth, link = stack.pop()
        if depth >= max_depth:
            return "/".join(_pointer(link).split("/")[:7])
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend((v, depth + 1, (k, link)) for k, v in items if isinstance(v, containers))
    return None
