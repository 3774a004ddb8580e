"""The shape lattice: what sfnc knows about a JSON value.

A `Shape` is one of

- `UNKNOWN`   anything (the top of the lattice; a read of it never produces a finding)
- `UNDEFINED` no value (JSONata's undefined: a member that is absent)
- `NULL`, `BOOLEAN`, `NUMBER`
- `string(values=None)`     a string; `values` is a finite set of literals (an API or JSON Schema enum)
- `array(item)`             an array whose elements have the shape `item`
- `obj(members, open=...)`  an object: `members` maps a name to `Member(shape, required)`; a *closed* object
  has only those members (an API structure), an *open* one may have any other member, whose shape is `rest`
  (a DynamoDB `Item` is `map<string, AttributeValue>`: open, no listed members, rest = AttributeValue);
  a *caseless* object is one whose member names are certain only up to letter case (an AWS SDK result
  of an API whose member names Step Functions recases, where that recasing is not recorded): reading a
  name that differs from a member only in case gives UNKNOWN rather than NO_SUCH_MEMBER
- a union of shapes of different kinds (`string | null`), built by `join`

Shapes are immutable and interned: building the same shape twice returns the same object, so `is`/`==`
are identity, hashing is free and a shape can be shared across definitions and threads of analysis.
`join(a, b)` is the least upper bound (where two paths meet); `member(shape, name)` is what `shape.name`
reads in JSONata: a shape, `UNKNOWN`, or `NO_SUCH_MEMBER` when the member certainly cannot exist.
`render(shape)` prints it for people: `{Item?: map<string, AttributeValue>, ConsumedCapacity?: {...}}`.

Sizes are bounded so that joins terminate (`MAX_DEPTH`, `MAX_UNION`, `MAX_ENUM`, `MAX_MEMBERS`): anything
beyond the bounds widens to `UNKNOWN`, which is always safe.

Why this module is long: the lattice is one closed set of operations over the interned shapes
(constructors, join, member lookup, widening, rendering, shapes of literal values) that every caller uses
as one namespace (`from . import shape as S`); each part needs the interning table and the others.
"""

from __future__ import annotations

import threading
from typing import Iterable, Iterator, Mapping, NamedTuple

MAX_DEPTH = 12       # nesting levels kept by `limit`; deeper parts become UNKNOWN
MAX_UNION = 6        # kinds in one union before it widens to UNKNOWN
MAX_ENUM = 512       # literal values kept in one string shape
MAX_MEMBERS = 400    # members kept in one object shape

_KINDS = ("unknown", "undefined", "null", "boolean", "number", "string", "array", "object", "union")


class Member(NamedTuple):
    shape: "Shape"
    required: bool = False


class Shape:
    """An interned shape. Build shapes with the module functions, never with the constructor."""

    __slots__ = ("kind", "values", "item", "members", "open", "rest", "options", "name", "caseless", "_depth",
                 "__weakref__")

    kind: str
    values: frozenset[str] | None           # string: the literal values (None = any string)
    item: "Shape | None"                    # array: the element shape
    members: tuple[tuple[str, Member], ...]  # object: (name, member), sorted by name
    open: bool                              # object: other members may exist
    rest: "Shape | None"                    # object: the shape of any other member (open objects)
    options: tuple["Shape", ...]            # union: the alternatives (no union, no UNKNOWN among them)
    name: str | None                        # a display name (API shape name, `AttributeValue`)
    caseless: bool                          # object: member names certain only up to letter case

    def __repr__(self) -> str:
        return f"Shape({render(self, depth=2)})"

    def __reduce__(self):  # pragma: no cover - shapes are process-local, never pickled
        raise TypeError("shapes are interned per process and cannot be pickled")

    # ------------------------------------------------------------------ convenience

    @property
    def member_map(self) -> dict[str, Member]:
        return dict(self.members)

    @property
    def member_names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.members)

    @property
    def is_unknown(self) -> bool:
        return self is UNKNOWN

    @property
    def depth(self) -> int:
        return self._depth

    def alternatives(self) -> tuple["Shape", ...]:
        """The alternatives of a union, or (self,)."""
        return self.options if self.kind == "union" else (self,)


_TABLE: dict[tuple, Shape] = {}
_LOCK = threading.Lock()


def _intern(key: tuple, kind: str, *, values=None, item=None, members=(), open_=False, rest=None, options=(),
            name=None, caseless=False) -> Shape:
    hit = _TABLE.get(key)
    if hit is not None:
        return hit
    s = object.__new__(Shape)
    s.kind = kind
    s.values = values
    s.item = item
    s.members = members
    s.open = open_
    s.rest = rest
    s.options = options
    s.name = name
    s.caseless = caseless
    if kind == "array":
        s._depth = 1 + item._depth
    elif kind == "object":
        s._depth = 1 + max([m.shape._depth for _, m in members] + ([rest._depth] if rest is not None else [0]))
    elif kind == "union":
        s._depth = max(o._depth for o in options)
    else:
        s._depth = 0
    with _LOCK:
        return _TABLE.setdefault(key, s)


UNKNOWN = _intern(("unknown",), "unknown")
UNDEFINED = _intern(("undefined",), "undefined")
NULL = _intern(("null",), "null")
BOOLEAN = _intern(("boolean",), "boolean")
NUMBER = _intern(("number",), "number")
STRING = _intern(("string", None, None), "string")


class _NoSuchMember:
    """The result of reading a member that a closed shape certainly does not have."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_SUCH_MEMBER"

    def __bool__(self) -> bool:
        return False


NO_SUCH_MEMBER = _NoSuchMember()


# --------------------------------------------------------------------------------------------------
# constructors


def string(values: Iterable[str] | None = None, name: str | None = None) -> Shape:
    """A string; with `values`, one of those literals (an enum)."""
    vals = None
    if values is not None:
        vals = frozenset(v for v in values if isinstance(v, str))
        if not vals or len(vals) > MAX_ENUM:
            vals = None
    if vals is None:
        name = None
    return _intern(("string", vals, name), "string", values=vals, name=name)


def array(item: Shape, name: str | None = None) -> Shape:
    return _intern(("array", item, name), "array", item=item, name=name)


def obj(members: Mapping[str, Shape | Member] | Iterable[tuple[str, Shape | Member]] = (), *, open: bool = False,
        rest: Shape | None = None, name: str | None = None, caseless: bool = False) -> Shape:
    """An object. `members` maps names to shapes (optional members) or `Member(shape, required)`.
    `open=True` (or a `rest` shape) lets any other member exist, with the shape `rest` (default UNKNOWN).
    `caseless=True`: a name that differs from a member only in letter case may exist too (UNKNOWN)."""
    items = members.items() if type(members) is dict or isinstance(members, Mapping) else members
    norm: dict[str, Member] = {}
    for k, v in items:
        m = v if type(v) is Member else Member(v, False)
        if m.shape is UNDEFINED:
            continue
        norm[str(k)] = m
    if rest is not None:
        open = True
    if open and rest is None:
        rest = UNKNOWN
    if len(norm) > MAX_MEMBERS:
        norm = dict(sorted(norm.items())[:MAX_MEMBERS])
        open, rest = True, UNKNOWN
    mem = tuple(sorted(norm.items()))
    caseless = bool(caseless) and not open
    return _intern(("object", mem, open, rest, name, caseless), "object", members=mem, open_=open, rest=rest,
                   name=name, caseless=caseless)


def map_of(value: Shape, name: str | None = None) -> Shape:
    """An object with any string keys and values of one shape (`map<string, V>`)."""
    return obj((), rest=value, name=name)


OBJECT = obj((), open=True)          # any object
ARRAY = array(UNKNOWN)               # any array


def union(*shapes: Shape) -> Shape:
    """The join of several shapes (UNDEFINED for none)."""
    if not shapes:
        return UNDEFINED
    out = shapes[0]
    for s in shapes[1:]:
        out = join(out, s)
    return out


def _make_union(options: list[Shape]) -> Shape:
    if len(options) == 1:
        return options[0]
    if len(options) > MAX_UNION:
        return UNKNOWN
    opts = tuple(sorted(options, key=_order))
    return _intern(("union", opts), "union", options=opts)


def _order(s: Shape) -> tuple:
    return (_KINDS.index(s.kind), id(s))


# --------------------------------------------------------------------------------------------------
# join


_JOIN_CACHE: dict[tuple[int, int], Shape] = {}
_JOIN_CACHE_LIMIT = 200_000


def join(a: Shape, b: Shape) -> Shape:
    """The least upper bound of two shapes (the shape of a value that has either shape)."""
    if a is b:
        return a
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    key = (id(a), id(b)) if id(a) < id(b) else (id(b), id(a))
    hit = _JOIN_CACHE.get(key)
    if hit is not None:
        return hit
    out = _join(a, b)
    if len(_JOIN_CACHE) >= _JOIN_CACHE_LIMIT:
        _JOIN_CACHE.clear()
    _JOIN_CACHE[key] = out
    return out


def _join(a: Shape, b: Shape) -> Shape:
    if a.kind == "union" or b.kind == "union" or a.kind != b.kind:
        opts: list[Shape] = []
        for s in (*a.alternatives(), *b.alternatives()):
            for i, o in enumerate(opts):
                if o.kind == s.kind:
                    opts[i] = _join_same(o, s)
                    break
            else:
                opts.append(s)
        if any(o is UNKNOWN for o in opts):
            return UNKNOWN
        return _make_union(opts)
    return _join_same(a, b)


def _join_same(a: Shape, b: Shape) -> Shape:
    if a is b:
        return a
    k = a.kind
    if k == "string":
        if a.values is None or b.values is None:
            return STRING
        return string(a.values | b.values, a.name if a.name == b.name else None)
    if k == "array":
        return array(join(a.item, b.item), a.name if a.name == b.name else None)
    if k == "object":
        am, bm = dict(a.members), dict(b.members)
        out: dict[str, Member] = {}
        for n in am.keys() | bm.keys():
            x, y = am.get(n), bm.get(n)
            if x is not None and y is not None:
                out[n] = Member(join(x.shape, y.shape), x.required and y.required)
            elif x is not None:
                out[n] = Member(join(x.shape, b.rest) if b.open else x.shape, False)
            else:
                out[n] = Member(join(y.shape, a.rest) if a.open else y.shape, False)
        if a.open and b.open:
            rest = join(a.rest, b.rest)
        else:
            rest = a.rest if a.open else b.rest
        return obj(out, open=a.open or b.open, rest=rest, name=a.name if a.name == b.name else None,
                   caseless=a.caseless or b.caseless)
    return a  # scalars of the same kind are the same interned shape


# --------------------------------------------------------------------------------------------------
# reading


def member(shape: Shape, name: str):
    """What `shape.name` is in JSONata: a shape, or NO_SUCH_MEMBER when no value of `shape` can have it.

    A path step over an array maps over its elements (`$x.Items.id` reads `id` of each item), so the
    member of `array(T)` is the member of `T` (as a value or a sequence of values). Scalars have no members.
    """
    k = shape.kind
    if k == "unknown":
        return UNKNOWN
    if k == "undefined":
        return UNDEFINED
    if k == "object":
        for n, m in shape.members:
            if n == name:
                return m.shape
        if shape.open:
            return shape.rest
        if shape.caseless:
            folded = name.lower()
            if any(n.lower() == folded for n, _ in shape.members):
                return UNKNOWN
        return NO_SUCH_MEMBER
    if k == "array":
        inner = member(shape.item, name)
        if inner is NO_SUCH_MEMBER:
            return NO_SUCH_MEMBER
        return join(inner, array(inner)) if inner.kind not in ("unknown", "undefined") else inner
    if k == "union":
        found: list[Shape] = []
        for o in shape.options:
            m = member(o, name)
            if m is not NO_SUCH_MEMBER:
                found.append(m)
        if not found:
            return NO_SUCH_MEMBER
        out = found[0]
        for m in found[1:]:
            out = join(out, m)
        return out
    return NO_SUCH_MEMBER  # null, boolean, number, string


def element(shape: Shape) -> Shape:
    """The shape of `x[0]` (or any one element): arrays give their item, any other value itself."""
    k = shape.kind
    if k == "array":
        return shape.item
    if k == "union":
        out = None
        for o in shape.options:
            e = element(o)
            out = e if out is None else join(out, e)
        return out if out is not None else UNKNOWN
    return shape


def objects_in(shape: Shape) -> Iterator[Shape]:
    """The object alternatives of a shape (through arrays, as a path step sees them)."""
    for o in shape.alternatives():
        if o.kind == "object":
            yield o
        elif o.kind == "array":
            yield from objects_in(o.item)


def known_members(shape: Shape) -> list[str]:
    """The member names a value of this shape may have (for "did you mean")."""
    seen: dict[str, None] = {}
    for o in objects_in(shape):
        for n, _ in o.members:
            seen.setdefault(n, None)
    return list(seen)


def is_closed(shape: Shape) -> bool:
    """True when every alternative is certain about its members (no UNKNOWN, no open object)."""
    for o in shape.alternatives():
        if o.kind == "unknown" or (o.kind == "object" and o.open):
            return False
        if o.kind == "array" and not is_closed(o.item):
            return False
    return True


def enum_values(shape: Shape) -> frozenset[str] | None:
    """The literal values a string of this shape can hold, when *every* alternative is an enum string
    (or an array of them, or undefined); None when any alternative may be some other string or unknown."""
    out: set[str] = set()
    seen_enum = False
    for o in shape.alternatives():
        if o.kind == "string":
            if o.values is None:
                return None
            out |= o.values
            seen_enum = True
        elif o.kind == "array":
            inner = enum_values(o.item)
            if inner is None:
                return None
            out |= inner
            seen_enum = True
        elif o.kind in ("undefined", "null", "boolean", "number", "object"):
            continue
        else:
            return None
    return frozenset(out) if seen_enum else None


def without_undefined(shape: Shape) -> Shape:
    if shape.kind != "union":
        return shape
    opts = [o for o in shape.options if o is not UNDEFINED]
    if not opts:
        return UNDEFINED
    return union(*opts) if len(opts) != len(shape.options) else shape


# --------------------------------------------------------------------------------------------------
# widening


_LIMIT_CACHE: dict[tuple[int, int], Shape] = {}


def limit(shape: Shape, depth: int = MAX_DEPTH) -> Shape:
    """`shape` with everything nested deeper than `depth` replaced by UNKNOWN (the widening that makes
    fixed points over loops terminate: `$x := [$x]` stops growing)."""
    if shape._depth <= depth:
        return shape
    key = (id(shape), depth)
    hit = _LIMIT_CACHE.get(key)
    if hit is not None:
        return hit
    if depth <= 0:
        out = UNKNOWN
    elif shape.kind == "array":
        out = array(limit(shape.item, depth - 1), shape.name)
    elif shape.kind == "object":
        out = obj({n: Member(limit(m.shape, depth - 1), m.required) for n, m in shape.members}, open=shape.open,
                  rest=limit(shape.rest, depth - 1) if shape.open else None, name=shape.name, caseless=shape.caseless)
    elif shape.kind == "union":
        out = union(*(limit(o, depth) for o in shape.options))
    else:
        out = shape
    if len(_LIMIT_CACHE) > 100_000:
        _LIMIT_CACHE.clear()
    _LIMIT_CACHE[key] = out
    return out


# --------------------------------------------------------------------------------------------------
# rendering


def render(shape: Shape, depth: int = 3, width: int = 12) -> str:
    """A readable one-line rendering: `{Item?: map<string, AttributeValue>, ConsumedCapacity?: {...}}`.
    Nested objects beyond `depth` print as their name or `{...}`; at most `width` members per object."""
    return _render(shape, depth, width)


def _render(s: Shape, depth: int, width: int) -> str:
    k = s.kind
    if k == "unknown":
        return "any"
    if k in ("undefined", "null", "boolean", "number"):
        return k
    if k == "string":
        if s.values is None:
            return "string"
        vals = sorted(s.values)
        shown = "|".join(repr(v) for v in vals[:8]) + ("|..." if len(vals) > 8 else "")
        return f"{s.name}({shown})" if s.name else shown
    if k == "array":
        return f"list<{_render(s.item, depth, width)}>"
    if k == "union":
        return " | ".join(_render(o, depth, width) for o in s.options)
    # object
    if not s.members:
        if not s.open:
            return "{}"
        if s.rest is UNKNOWN:
            return s.name or "object"
        return f"map<string, {_render(s.rest, depth, width)}>"
    if depth <= 0:
        return s.name or "{...}"
    parts = []
    for n, m in s.members[:width]:
        parts.append(f"{_key(n)}{'' if m.required else '?'}: {_render(m.shape, depth - 1, width)}")
    if len(s.members) > width:
        parts.append(f"... {len(s.members) - width} more")
    if s.open:
        parts.append("..." if s.rest is UNKNOWN else f"[string]: {_render(s.rest, depth - 1, width)}")
    return "{" + ", ".join(parts) + "}"


def _key(name: str) -> str:
    if name.isidentifier():
        return name
    return "`" + name.replace("`", "``") + "`"


# --------------------------------------------------------------------------------------------------
# from JSON values and JSON Schema


def of_value(value, depth: int = 0) -> Shape:
    """The shape of a JSON literal (strings are plain strings: a literal is not an enum)."""
    if depth > MAX_DEPTH:
        return UNKNOWN
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        if not value:
            return array(UNKNOWN)
        item = None
        for v in value[:50]:
            s = of_value(v, depth + 1)
            item = s if item is None else join(item, s)
        return array(item if len(value) <= 50 else UNKNOWN)
    if isinstance(value, dict):
        return obj({str(k): Member(of_value(v, depth + 1), True) for k, v in value.items()})
    return UNKNOWN
