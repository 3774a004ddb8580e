"""The shape lattice: interning, join, member lookup, widening, rendering."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.shapes import shape as S
from sfn_compiler.shapes.shape import Member


def test_shapes_are_interned():
    a = S.obj({"x": Member(S.string(["A", "B"]), True), "y": S.array(S.NUMBER)})
    b = S.obj({"y": S.array(S.NUMBER), "x": Member(S.string(["B", "A"]), True)})
    assert a is b
    assert hash(a) == hash(b)
    assert S.string(["A"]) is not S.string(["A", "B"])
    assert S.obj({}) is not S.obj({}, open=True)


def test_join_of_strings_keeps_enums_only_when_both_are_enums():
    assert S.join(S.string(["A"]), S.string(["B"])) is S.string(["A", "B"])
    assert S.join(S.string(["A"]), S.STRING) is S.STRING
    assert S.join(S.STRING, S.STRING) is S.STRING


def test_join_of_objects_merges_members_and_marks_one_sided_ones_optional():
    a = S.obj({"Item": Member(S.STRING, True), "Count": Member(S.NUMBER, True)})
    b = S.obj({"Item": Member(S.STRING, True)})
    j = S.join(a, b)
    assert j.member_map == {"Item": Member(S.STRING, True), "Count": Member(S.NUMBER, False)}
    assert not j.open
    # an open object on one side: the other's members may be anything there
    o = S.join(a, S.obj({}, open=True))
    assert o.open
    assert S.member(o, "Anything") is S.UNKNOWN


def test_join_of_different_kinds_is_a_union_and_unknown_absorbs():
    u = S.join(S.STRING, S.NULL)
    assert u.kind == "union" and set(u.options) == {S.STRING, S.NULL}
    assert S.join(u, S.STRING) is u
    assert S.join(u, S.UNKNOWN) is S.UNKNOWN
    many = S.union(S.STRING, S.NUMBER, S.BOOLEAN, S.NULL, S.array(S.STRING), S.obj({}), S.UNDEFINED)
    assert many is S.UNKNOWN  # more kinds than MAX_UNION


def test_member_lookup():
    item = S.map_of(S.obj({"S": S.STRING, "N": S.STRING}, name="AttributeValue"))
    get_item = S.obj({"Item": item, "ConsumedCapacity": S.obj({"TableName": S.STRING})})
    assert S.member(get_item, "Item") is item
    assert S.member(get_item, "project_name") is S.NO_SUCH_MEMBER
    anything = S.member(item, "any_attribute")                     # a map has every key
    assert S.member(anything, "S") is S.STRING
    assert S.member(anything, "Q") is S.NO_SUCH_MEMBER
    assert S.member(S.STRING, "x") is S.NO_SUCH_MEMBER              # scalars have no members
    assert S.member(S.UNKNOWN, "x") is S.UNKNOWN
    assert S.member(S.UNDEFINED, "x") is S.UNDEFINED                # already missing: not reported again
    # a path step maps over arrays: the member of each item, as one value or a sequence
    arr = S.array(S.obj({"id": S.NUMBER}))
    assert set(S.member(arr, "id").alternatives()) == {S.NUMBER, S.array(S.NUMBER)}
    assert S.member(arr, "name") is S.NO_SUCH_MEMBER
    # a union has a member when one alternative has it
    u = S.join(S.obj({"a": S.NUMBER}), S.STRING)
    assert S.member(u, "a") is S.NUMBER
    assert S.member(u, "b") is S.NO_SUCH_MEMBER


def test_enum_values_and_closedness():
    status = S.string(["Succeeded", "Failed"], name="Status")
    assert S.enum_values(status) == {"Succeeded", "Failed"}
    assert S.enum_values(S.join(status, S.array(status))) == {"Succeeded", "Failed"}
    assert S.enum_values(S.join(status, S.STRING)) is None
    assert S.enum_values(S.UNKNOWN) is None
    assert S.is_closed(S.obj({"a": S.STRING}))
    assert not S.is_closed(S.obj({"a": S.STRING}, open=True))
    assert not S.is_closed(S.UNKNOWN)


def test_limit_widens_deep_shapes():
    s = S.NUMBER
    for _ in range(30):
        s = S.array(s)
    lim = S.limit(s, 5)
    assert lim.depth <= 5
    inner = lim
    for _ in range(5):
        inner = inner.item
    assert inner is S.UNKNOWN


def test_render():
    av = S.obj({"S": S.STRING, "N": S.STRING, "M": S.map_of(S.UNKNOWN)}, name="AttributeValue")
    get_item = S.obj({"Item": S.map_of(av), "ConsumedCapacity": S.obj({"TableName": S.STRING},
                                                                      name="ConsumedCapacity")})
    assert S.render(get_item, depth=1) == "{ConsumedCapacity?: ConsumedCapacity, Item?: map<string, AttributeValue>}"
    assert S.render(get_item, depth=2) == ("{ConsumedCapacity?: {TableName?: string}, "
                                          "Item?: map<string, {M?: object, N?: string, S?: string}>}")
    assert S.render(S.string(["B", "A"], name="Status")) == "Status('A'|'B')"
    assert S.render(S.obj({"a b": Member(S.NUMBER, True)}, open=True)) == "{`a b`: number, ...}"
    assert S.render(S.join(S.STRING, S.NUMBER)) in ("number | string", "string | number")


def test_of_value():
    s = S.of_value({"a": 1, "b": ["x", "y"], "c": None, "d": {"e": True}})
    assert s.member_map["a"] == Member(S.NUMBER, True)
    assert s.member_map["b"].shape is S.array(S.STRING)
    assert s.member_map["c"].shape is S.NULL
    assert S.member(S.member(s, "d"), "e") is S.BOOLEAN
    assert S.of_value("x") is S.STRING  # a literal is not an enum


# -- properties -------------------------------------------------------------------------------------

_leaf = st.sampled_from([S.STRING, S.NUMBER, S.BOOLEAN, S.NULL, S.UNDEFINED, S.UNKNOWN, S.string(["A"]),
                         S.string(["B", "C"])])
_names = st.sampled_from(["a", "b", "c"])
shapes = st.recursive(
    _leaf,
    lambda inner: st.one_of(
        inner.map(S.array),
        st.dictionaries(_names, st.tuples(inner, st.booleans()), max_size=3).flatmap(
            lambda d: st.booleans().map(lambda op: S.obj({k: Member(v, r) for k, (v, r) in d.items()}, open=op))),
        st.tuples(inner, inner).map(lambda t: S.join(*t)),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(shapes, shapes)
def test_join_is_commutative_and_idempotent(a, b):
    assert S.join(a, b) is S.join(b, a)
    assert S.join(a, a) is a
    j = S.join(a, b)
    assert S.join(j, a) is j and S.join(j, b) is j


@settings(max_examples=300, deadline=None)
@given(shapes, shapes, _names)
def test_join_never_invents_a_missing_member(a, b, name):
    """If either side may have the member, the join may have it too (a join is never more certain)."""
    j = S.join(a, b)
    if S.member(a, name) is not S.NO_SUCH_MEMBER or S.member(b, name) is not S.NO_SUCH_MEMBER:
        assert S.member(j, name) is not S.NO_SUCH_MEMBER
