"""shapes/_record.py: the value classes' equality, hash, immutability and repr (as the dataclasses they
replaced)."""

from dataclasses import FrozenInstanceError

import pytest

from sfn_compiler.shapes import shape as S
from sfn_compiler.shapes.events import BadOperand, Event, MissingMember
from sfn_compiler.shapes.flow import StateShapes
from sfn_compiler.shapes.infer import Env


def _missing(**over):
    fields = dict(start=3, end=7, path="$states.input", name="x", base=S.obj({}), guarded=False,
                  root="states.input")
    fields.update(over)
    return MissingMember(**fields)


def test_fields_include_the_base_class_fields_in_order():
    assert MissingMember._fields == ("start", "end", "path", "name", "base", "guarded", "root", "variable",
                                     "depth")
    ev = _missing()
    assert (ev.start, ev.end, ev.variable, ev.depth) == (3, 7, None, 0)


def test_frozen_records_compare_and_hash_by_fields_and_class():
    assert _missing() == _missing() and hash(_missing()) == hash(_missing())
    assert _missing() != _missing(depth=1)
    assert len({_missing(), _missing(), _missing(name="y")}) == 2
    # another class with the same field values is not equal (dataclass semantics, unlike tuples)
    assert Event(3, 7) != _missing() and Event(3, 7) == Event(3, 7)
    assert BadOperand(0, 1, "+", "left", S.STRING, "T2001") != (0, 1, "+", "left", S.STRING, "T2001")


def test_frozen_records_refuse_assignment():
    ev = _missing()
    with pytest.raises(FrozenInstanceError):
        ev.name = "y"
    with pytest.raises(FrozenInstanceError):
        del ev.name
    with pytest.raises(AttributeError):
        ev.other = 1          # no such field: slots, no __dict__


def test_mutable_records_are_mutable_and_unhashable():
    rec = StateShapes(S.STRING, {})
    rec.visits = 3
    assert rec.visits == 3 and rec.assigned == {} and rec.result is None
    assert StateShapes(S.STRING, {}) is not StateShapes(S.STRING, {})
    assert StateShapes(S.STRING, {}).assigned is not StateShapes(S.STRING, {}).assigned  # no shared default
    assert StateShapes(S.STRING, {}) == StateShapes(S.STRING, {})
    with pytest.raises(TypeError):
        hash(Env(S.UNKNOWN))


def test_repr_names_the_class_and_fields():
    assert repr(Event(1, 2)) == "Event(start=1, end=2)"
    assert repr(_missing()).startswith("MissingMember(start=3, end=7, path='$states.input', name='x'")
