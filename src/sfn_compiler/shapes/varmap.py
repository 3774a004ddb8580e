"""The variable maps of the flow (name -> shape): immutable, and sharing what they do not change.

A definition with hundreds of variables in scope copied a full dict per assigning state and joined maps entry
by entry, so the flow's cost grew with the number of variables rather than with what a state changes. A
`VarMap` is a flat, shared `_Layer` (a dict never changed once made) and a small `delta`: the entries set
since that layer. Assigning copies the delta only; a delta grown past `FLATTEN_AT` entries is folded into a
new layer, which records the layer it came from and the names it changed. So:

- a lookup is two dict lookups (the delta, then the layer);
- `join(a, b)` of two maps descended from one layer (the maps that meet after a Choice, or at the head of a
  loop) looks only at the names changed since that layer: the two deltas and the `changed` names of the
  layers between; the other names hold the same shape object in both maps. Maps of unrelated layers (a
  widened map, a run of layers too long to walk) are joined entry by entry;
- the hash is the sum of the entries' hashes, kept up to date on each assignment, so a map is a cheap key
  for the memo of inner scopes (equal maps compare entry by entry only when their hashes are equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Iterator

from . import shape as S
from .shape import Shape

FLATTEN_AT = 32       # entries in a delta beyond which it is folded into a new layer
_MAX_WALK = 64        # layers walked to find the one two maps descend from
_HASH_MASK = (1 << 64) - 1


class _Layer:
    """A flat map shared by the `VarMap`s made from it; `changed`: the names whose entries may differ from
    `parent`'s (None: a layer of its own, unrelated to any other)."""

    __slots__ = ("entries", "parent", "changed", "depth")

    def __init__(self, entries: dict[str, Shape], parent: _Layer | None = None,
                 changed: Mapping[str, Shape] | None = None) -> None:
        self.entries = entries
        self.parent = parent
        self.changed = changed
        self.depth = 0 if parent is None else parent.depth + 1


def _entry_hash(name: str, shape: Shape) -> int:
    return hash((name, shape))


class VarMap(Mapping):
    """An immutable map name -> shape: a shared layer plus the entries set since (see the module)."""

    __slots__ = ("layer", "entries", "delta", "size", "_hash")

    def __init__(self, layer: _Layer, delta: dict[str, Shape], size: int, hash_: int) -> None:
        self.layer = layer
        self.entries = layer.entries
        self.delta = delta
        self.size = size
        self._hash = hash_

    @classmethod
    def of(cls, entries: Mapping[str, Shape]) -> VarMap:
        """A map of its own (a new root layer)."""
        flat = dict(entries)
        return cls(_Layer(flat), {}, len(flat), sum(map(_entry_hash, flat.keys(), flat.values())) & _HASH_MASK)

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
        return self.size

    def __iter__(self) -> Iterator[str]:
        return iter(self.flat())

    def items(self):  # type: ignore[override]
        return self.flat().items()

    def flat(self) -> dict[str, Shape]:
        """A new dict of all the entries."""
        return {**self.entries, **self.delta} if self.delta else dict(self.entries)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, VarMap):
            if self._hash != other._hash or self.size != other.size:
                return False
            if self.layer is other.layer:
                return all(self.get(k) is other.get(k) for k in self.delta.keys() | other.delta.keys())
            return self.flat() == other.flat()
        if isinstance(other, Mapping):
            return self.flat() == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"VarMap({self.flat()!r})"

    # ------------------------------------------------------------------ making

    def updated(self, changes: Mapping[str, Shape]) -> VarMap:
        """This map with the `changes` set (itself when there are none)."""
        if not changes:
            return self
        size, h = self.size, self._hash
        for k, v in changes.items():
            old = self.get(k)
            if old is None:
                size += 1
            else:
                h -= _entry_hash(k, old)
            h += _entry_hash(k, v)
        delta = {**self.delta, **changes}
        if len(delta) > FLATTEN_AT:
            return VarMap(_Layer({**self.entries, **delta}, self.layer, delta), {}, size, h & _HASH_MASK)
        return VarMap(self.layer, delta, size, h & _HASH_MASK)

    def all_unknown(self) -> VarMap:
        """The same names, every one UNKNOWN."""
        return VarMap.of(dict.fromkeys(self.flat(), S.UNKNOWN))


EMPTY = VarMap.of({})


def _differing(a: VarMap, b: VarMap) -> set[str] | None:
    """A set of names outside which `a` and `b` hold the same shape objects (or both nothing), or None when
    the two maps descend from no common layer within reach."""
    la, lb = a.layer, b.layer
    names = a.delta.keys() | b.delta.keys()
    if la is lb:
        return names
    limit = (a.size + b.size) // 2
    for _ in range(_MAX_WALK):
        if la.depth >= lb.depth:
            if la.changed is None:
                return None
            names.update(la.changed)
            la = la.parent
        else:
            if lb.changed is None:
                return None
            names.update(lb.changed)
            lb = lb.parent
        if la is lb:
            return names
        if len(names) > limit:
            return None
    return None


def join(a: VarMap | None, b: VarMap) -> VarMap:
    """The variables where two paths meet: every name of either map, a name both have with the join of its
    shapes (widened). `b` itself when there is nothing to join (`a` None), `a` itself when the join changes
    nothing, so callers see a change by identity. Every stored shape is already widened (`S.limit`), so a
    name that holds the same shape in both maps keeps it: only the names changed since a common layer are
    looked at."""
    if a is None or a is b:
        return b
    names = _differing(a, b)
    pairs = b.items() if names is None else ((k, b.get(k)) for k in names)
    changes: dict[str, Shape] = {}
    for k, v in pairs:
        if v is None:   # a name only `a` has: kept
            continue
        old = a.get(k)
        if old is v and v._depth <= S.MAX_DEPTH:   # the join and its widening would give `old` itself
            continue
        new = v if old is None else S.limit(S.join(old, v))
        if new is not old:
            changes[k] = new
    return a.updated(changes)
