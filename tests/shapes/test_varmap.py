"""The flow's variable maps: immutable maps that share their unchanged entries, and their join."""

from __future__ import annotations

import random

from sfn_compiler.shapes import shape as S
from sfn_compiler.shapes import varmap
from sfn_compiler.shapes.varmap import EMPTY, FLATTEN_AT, VarMap, join

POOL = [S.STRING, S.NUMBER, S.BOOLEAN, S.NULL, S.UNKNOWN, S.string({"A"}), S.string({"B"}), S.array(S.STRING),
        S.array(S.NUMBER), S.obj({"a": S.Member(S.STRING, True)}), S.obj({"b": S.Member(S.NUMBER, False)})]


def reference_join(a: dict | None, b: dict) -> dict:
    """The join of two plain dicts, name by name (what the flow did before variable maps shared entries)."""
    if a is None:
        return dict(b)
    out = dict(a)
    for k, v in b.items():
        old = a.get(k)
        out[k] = v if old is None else S.limit(S.join(old, v))
    return out


def test_a_map_reads_like_a_dict_and_updates_without_changing():
    m = VarMap.of({"a": S.STRING, "b": S.NUMBER})
    n = m.updated({"b": S.BOOLEAN, "c": S.NULL})
    assert m == {"a": S.STRING, "b": S.NUMBER} and len(m) == 2
    assert n == {"a": S.STRING, "b": S.BOOLEAN, "c": S.NULL} and len(n) == 3
    assert n["b"] is S.BOOLEAN and n.get("zz") is None and n.get("zz", S.UNKNOWN) is S.UNKNOWN
    assert "c" in n and "c" not in m and sorted(n) == ["a", "b", "c"]
    assert dict(n.items()) == n.flat() == {"a": S.STRING, "b": S.BOOLEAN, "c": S.NULL}
    assert m.updated({}) is m
    assert EMPTY == {} and len(EMPTY) == 0 and not EMPTY
    assert n.all_unknown() == {"a": S.UNKNOWN, "b": S.UNKNOWN, "c": S.UNKNOWN}


def test_equal_maps_hash_alike_however_they_were_made():
    a = VarMap.of({"x": S.STRING}).updated({"y": S.NUMBER}).updated({"x": S.BOOLEAN})
    b = VarMap.of({"y": S.NUMBER, "x": S.BOOLEAN})
    c = EMPTY.updated({f"v{i}": S.NUMBER for i in range(FLATTEN_AT + 5)}).updated({"x": S.BOOLEAN, "y": S.NUMBER})
    c2 = VarMap.of({f"v{i}": S.NUMBER for i in range(FLATTEN_AT + 5)} | {"x": S.BOOLEAN, "y": S.NUMBER})
    assert a == b and hash(a) == hash(b)
    assert c == c2 and hash(c) == hash(c2) and c.entries is not c2.entries
    assert a != c and {(1, a): "hit"}[(1, b)] == "hit"
    assert a.updated({"x": S.STRING}) != b


def test_a_long_run_of_assignments_folds_its_delta_into_new_flat_dicts():
    m = EMPTY
    flats = set()
    for i in range(3 * FLATTEN_AT):
        m = m.updated({f"v{i}": S.NUMBER})
        assert len(m.delta) <= FLATTEN_AT
        flats.add(id(m.entries))
    assert len(flats) == 3 and m.depth == 3 * FLATTEN_AT and len(m) == 3 * FLATTEN_AT
    assert m == {f"v{i}": S.NUMBER for i in range(3 * FLATTEN_AT)}


def test_a_join_looks_only_at_the_names_set_since_the_map_both_were_made_from():
    base = VarMap.of({f"v{i}": S.STRING for i in range(500)})
    left = base.updated({"v1": S.NUMBER})
    right = base.updated({"v2": S.NUMBER, "new": S.BOOLEAN})
    assert varmap._differing(left, right) == {"v1", "v2", "new"}
    j = join(left, right)
    assert j["v1"] == S.union(S.STRING, S.NUMBER) and j["v2"] == S.union(S.STRING, S.NUMBER)
    assert j["new"] is S.BOOLEAN and j["v3"] is S.STRING and len(j) == 501
    # across folded deltas: the names set on the way, not the 500 in scope
    far = right
    for i in range(FLATTEN_AT + 1):
        far = far.updated({f"v{10 + i}": S.STRING if i % 2 else S.NUMBER})
    assert far.entries is not base.entries
    assert varmap._differing(left, far) == {"v1", "v2", "new"} | {f"v{10 + i}" for i in range(FLATTEN_AT + 1)}
    assert join(left, far) == reference_join(left.flat(), far.flat())
    # too far up: name by name
    farther = far
    for i in range(varmap._MAX_WALK):
        farther = farther.updated({"v3": S.NUMBER if i % 2 else S.NULL})
    assert varmap._differing(left, farther) is None
    assert join(left, farther) == reference_join(left.flat(), farther.flat())


def test_a_join_that_changes_nothing_is_the_first_map_itself():
    base = VarMap.of({"a": S.STRING, "b": S.NUMBER})
    same = base.updated({"a": S.STRING})
    assert join(base, same) is base and join(same, base) is same
    assert join(None, base) is base and join(base, base) is base
    wider = base.updated({"a": S.union(S.STRING, S.NUMBER)})
    assert join(wider, base) is wider          # STRING | NUMBER already holds STRING
    assert join(base, wider) is not base


def test_joins_of_unrelated_maps_go_name_by_name():
    a = VarMap.of({"a": S.STRING, "b": S.NUMBER})
    b = VarMap.of({"a": S.NUMBER, "c": S.NULL})
    assert varmap._differing(a, b) is None
    assert join(a, b) == reference_join(a.flat(), b.flat())


def test_random_assignments_and_joins_agree_with_plain_dicts():
    rng = random.Random(1234)
    names = [f"n{i}" for i in range(300)]
    big = {n: rng.choice(POOL) for n in names[:200]}
    maps: list[tuple[VarMap, dict]] = [(EMPTY, {}), (VarMap.of({"n0": S.STRING}), {"n0": S.STRING}),
                                       (VarMap.of(big), big)]
    for _ in range(3000):
        op = rng.random()
        m, d = rng.choice(maps)
        if op < 0.6:
            changes = {rng.choice(names): S.limit(rng.choice(POOL)) for _ in range(rng.randint(0, 4))}
            new = (m.updated(changes), {**d, **changes})
        elif op < 0.95:
            m2, d2 = rng.choice(maps)
            j = join(m, m2)
            new = (j, reference_join(d, d2))
            if new[1] == d:
                assert j is m
        else:
            new = (m.all_unknown(), dict.fromkeys(d, S.UNKNOWN))
        assert new[0] == new[1] and len(new[0]) == len(new[1])
        assert hash(new[0]) == hash(VarMap.of(new[1]))
        maps.append(new)
