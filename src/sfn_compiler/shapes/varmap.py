"""The variable maps of the flow (name -> shape): immutable, and sharing what they do not change.

A definition with hundreds of variables in scope copied a full dict per assigning state and joined maps entry
by entry, so the flow's cost grew with the number of variables rather than with what a state changes. A
`VarMap` is made from another by `updated(changes)` and remembers it (`parent`, `own`: the changes). For
reading, it holds a flat dict shared with the maps made before and after it (`entries`, never changed once
made) and a small dict of the entries set since (`delta`); a delta grown past `FLATTEN_AT` entries is folded
into a new flat dict. So:

- an assignment copies the delta only, and a lookup is two dict lookups;
- `join(a, b)`, where two paths meet (after a Choice, at the head of a loop), walks up from both maps to the
  map they were both made from and looks only at the names set on the way: every other name holds the
  same, already widened, shape object in both. Maps made apart (a map widened to UNKNOWN, or a common map
  too far up) are joined name by name, and so are small maps (cheaper than the walk);
- the hash is the sum of the entries' hashes, found from the parent's and the changes (only for the maps
  hashed: the keys of the inner scopes' memo), so equal maps compare entry by entry only when their hashes
  are equal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Iterator

from . import shape as S
from .shape import Shape

FLATTEN_AT = 32       # entries in a delta beyond which it is folded into a new flat dict
_MAX_WALK = 64        # steps up the `parent` links to find the map two maps were both made from
_HASH_MASK = (1 << 64) - 1


def _entry_hash(name: str, shape: Shape) -> int:
    return hash((name, shape))


class VarMap(Mapping):
    """An immutable map name -> shape (see the module)."""

    __slots__ = ("entries", "delta", "parent", "own", "depth", "_hash")

    def __init__(self, entries: dict[str, Shape], delta: dict[str, Shape], parent: VarMap | None = None,
                 own: Mapping[str, Shape] | None = None, depth: int = 0) -> None:
        self.entries = entries   # shared, never changed
        self.delta = delta       # the entries that differ from `entries`
        self.parent = parent     # the map this one was made from (None: a map of its own)
        self.own = own           # what it set on `parent`
        self.depth = depth       # the number of `parent` links up to a map of its own
        self._hash: int | None = None

    @classmethod
    def of(cls, entries: Mapping[str, Shape]) -> VarMap:
        """A map of its own, made from no other."""
        return cls(dict(entries), {})

    # ------------------------------------------------------------------ reading

    def get(self, name: str, default: Shape | None = None) -> Shape | None:  # type: ignore[override]
        v = self.delta.get(name)
        return self.entries.get(name, default) if v is None else v

    def __getitem__(self, name: str) -> Shape:
        v = self.delta.get(name)
        return self.entries[name] if v is None else v

    def __contains__(self, name: object) -> bool:
        return name in self.delta or name in self.entries

    def __len__(self) -> int:
        return len(self.entries) + sum(1 for k in self.delta if k not in self.entries)

    def __bool__(self) -> bool:
        return bool(self.delta or self.entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.flat())

    def items(self):  # type: ignore[override]
        return self.flat().items()

    def flat(self) -> dict[str, Shape]:
        """A new dict of all the entries."""
        return {**self.entries, **self.delta}

    def __hash__(self) -> int:
        """The sum of the entries' hashes: from the nearest map up the `parent` links whose hash is known, by
        the changes made since; kept (each change is counted once, and only for the maps hashed)."""
        if self._hash is not None:
            return self._hash
        chain = []
        m = self
        while m._hash is None and m.parent is not None:
            chain.append(m)
            m = m.parent
        if m._hash is None:
            flat = m.flat()
            m._hash = sum(map(_entry_hash, flat.keys(), flat.values())) & _HASH_MASK
        h = m._hash
        for m in reversed(chain):
            pd, pe = m.parent.delta, m.parent.entries
            for k, v in m.own.items():
                old = pd.get(k) or pe.get(k)
                if old is not None:
                    h -= _entry_hash(k, old)
                h += _entry_hash(k, v)
            h &= _HASH_MASK
            m._hash = h
        return h

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, VarMap):
            if hash(self) != hash(other):
                return False
            if self.entries is other.entries:
                return all(self.get(k) is other.get(k) for k in self.delta.keys() | other.delta.keys())
            return self.flat() == other.flat()
        if isinstance(other, Mapping):
            return self.flat() == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"VarMap({self.flat()!r})"

    # ------------------------------------------------------------------ making

    def updated(self, changes: Mapping[str, Shape]) -> VarMap:
        """This map with the `changes` set (itself when there are none); `changes` is kept, never change it."""
        if not changes:
            return self
        delta = {**self.delta, **changes}
        if len(delta) > FLATTEN_AT:
            return VarMap({**self.entries, **delta}, {}, self, changes, self.depth + 1)
        return VarMap(self.entries, delta, self, changes, self.depth + 1)

    def all_unknown(self) -> VarMap:
        """The same names, every one UNKNOWN."""
        return VarMap.of(dict.fromkeys(self.flat(), S.UNKNOWN))


EMPTY = VarMap.of({})


def _differing(a: VarMap, b: VarMap) -> set[str] | None:
    """The names set since the map `a` and `b` were both made from (outside them both hold the same shape
    objects, or both nothing), or None when there is no such map within `_MAX_WALK` steps up, or the names
    are more than half of the two maps'."""
    limit = (len(a.entries) + len(a.delta) + len(b.entries) + len(b.delta)) // 2
    names: set[str] = set()
    x, y = a, b
    for _ in range(_MAX_WALK):
        if x is y:
            return names
        if x.depth < y.depth:
            x, y = y, x
        if x.parent is None or len(names) > limit:
            return None
        names.update(x.own)
        x = x.parent
    return names if x is y else None


def join(a: VarMap | None, b: VarMap) -> VarMap:
    """The variables where two paths meet: every name of either map, a name both have with the join of its
    shapes (widened). `b` itself when there is nothing to join (`a` None), `a` itself when the join changes
    nothing, so callers see a change by identity. Every stored shape is already widened (`S.limit`), so a
    name that holds the same shape in both maps keeps it: only the names set since the map both were made
    from are looked at (all of them in small maps)."""
    if a is None or a is b:
        return b
    if a.entries is b.entries and a.delta == b.delta:   # the same entries (in C: shapes compare by identity)
        return a
    small = len(b.entries) + len(b.delta) <= FLATTEN_AT   # then name by name costs less than the walk
    names = None if small else _differing(a, b)
    if names is None:
        pairs = (b.delta if not b.entries else b.flat()).items()
    else:
        bd, be = b.delta, b.entries
        pairs = ((k, bd.get(k) or be.get(k)) for k in names)   # (a shape is never false)
    ad, ae = a.delta, a.entries
    changes: dict[str, Shape] = {}
    unknown, max_depth = S.UNKNOWN, S.MAX_DEPTH
    for k, v in pairs:
        if v is None:   # a name only `a` has: kept
            continue
        old = ad.get(k) or ae.get(k)
        if old is None:
            changes[k] = v
        elif old is unknown or (old is v and v._depth <= max_depth):   # the join (and its widening) is `old`
            continue
        else:
            new = S.limit(S.join(old, v))
            if new is not old:
                changes[k] = new
    return a.updated(changes)
