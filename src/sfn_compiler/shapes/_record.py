"""The base of the shapes package's small value classes (findings, events, verdicts, constraints): equality,
hash and repr from `__slots__`, as a dataclass gives them, without generating code at import.

Creating a dataclass costs about 0.7 ms (it compiles its `__init__`, `__eq__`, `__repr__` ... with `exec`);
the package had 17 of them on the path of every validate that runs the data rules (bench/run.py, `data`
group). A subclass lists its fields in `__slots__` (after its base's: `_fields` is the whole list, in order)
and writes its `__init__`; a frozen one sets them with `_fill(self, *values)` (in `_fields` order).

- `Record`: mutable; `==` compares the fields of two objects of the same class; unhashable (as a dataclass
  with `eq=True`).
- `FrozenRecord`: assigning or deleting a field raises `dataclasses.FrozenInstanceError`; hashable by its
  fields (as `@dataclass(frozen=True)`).
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any

_set = object.__setattr__


def _fill(record: "FrozenRecord", *values: Any) -> None:
    """Set the fields of a frozen record (in `_fields` order): its `__init__` calls this."""
    for name, value in zip(record._fields, values, strict=True):
        _set(record, name, value)


class Record:
    __slots__ = ()
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited = tuple(f for base in reversed(cls.__mro__[1:]) for f in base.__dict__.get("__slots__", ()))
        cls._fields = inherited + tuple(cls.__dict__.get("__slots__", ()))

    def _values(self) -> tuple:
        return tuple([getattr(self, n) for n in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{n}={getattr(self, n)!r}' for n in self._fields)})"

    def __reduce__(self) -> tuple:
        return (type(self), self._values())


class FrozenRecord(Record):
    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:
        return hash(self._values())
