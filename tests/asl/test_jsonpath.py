"""AWS's JSONPath subset: parsing, definite vs indefinite paths, Jayway's failure texts, filters.

Behaviours restated from AWS's own recordings cite the case id under
../shared/conformance/aws-recorded/cases/.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.asl.jsonpath import (
    JsonPathSyntaxError,
    PathNotFound,
    java_string,
    jayway_path,
    parse_path,
    parse_reference_path,
    path_root,
    to_json_text,
)

ITEMS = {"items": [{"item_key": i} for i in range(11)]}


def read(text, doc):
    return parse_path(text).read(doc)


class TestParse:
    def test_path_root_even_when_the_rest_does_not_parse(self):
        assert [path_root(t) for t in ("$x.a[", "$$.Execution", "$", "$.a", "x.a", "$1")] == \
            ["$x", "$$", "$", "$", None, "$"]

    @pytest.mark.parametrize("text, root", [
        ("$", "$"), ("$.a", "$"), ("$$", "$$"), ("$$.Execution.Input", "$$"), ("$x", "$x"), ("$x.a[0]", "$x"),
        ("$answer", "$answer"), ("$_v1.b", "$_v1"),
    ])
    def test_roots(self, text, root):
        p = parse_path(text)
        assert p.root == root
        assert (p.variable is not None) == (root not in ("$", "$$"))
        assert p.is_context == (root == "$$")

    @pytest.mark.parametrize("text, jayway", [
        ("$.a.b", "$['a']['b']"),
        ("$['a']['b']", "$['a']['b']"),
        ("$[\"a\"]", "$['a']"),
        ("$.items[10]", "$['items'][10]"),
        ("$.a[-1]", "$['a'][-1]"),
        ("$.a[0,2]", "$['a'][0,2]"),
        ("$.a[1:5]", "$['a'][1:5]"),
        ("$.a[:1]", "$['a'][:1]"),
        ("$.a[*].b", "$['a'][*]['b']"),
        ("$.a.*", "$['a'][*]"),
        ("$.delivery-partner", "$['delivery-partner']"),
        ("$.int-literal", "$['int-literal']"),
        ("$.[0]", "$[0]"),
        ("$['a','b']", "$['a', 'b']"),
    ])
    def test_jayway_rendering(self, text, jayway):
        assert jayway_path(text) == jayway

    @pytest.mark.parametrize("text", [
        "a.b", "", "$.", "$.a[", "$.a[x]", "$.a[1:2:3]", "$.a.length()", "$['a", "$.a]", "$.a[?(@.x ==)]",
    ])
    def test_syntax_errors(self, text):
        with pytest.raises(JsonPathSyntaxError):
            parse_path(text)

    def test_reference_paths_name_one_node(self):
        for ok in ("$", "$.a.b", "$['a'][0]", "$.ledgers[0][22][315].foo", "$.store\\.book", "$$.Map.Item.Value"):
            assert parse_reference_path(ok).is_reference
        for bad in ("$.a[*]", "$..a", "$.a[0:1]", "$.a[0,1]", "$.a[?(@.x)]", "$['a','b']"):
            with pytest.raises(JsonPathSyntaxError, match="single node"):
                parse_reference_path(bad)

    def test_reference_path_restrictions(self):
        with pytest.raises(JsonPathSyntaxError, match="variables"):
            parse_reference_path("$x.a", allow_variables=False)
        with pytest.raises(JsonPathSyntaxError, match="context object"):
            parse_reference_path("$$.a", allow_context=False)

    def test_escaped_dot_in_reference_path(self):
        # ASL spec, "Reference Paths": $.store\.book names the key "store.book"
        assert read("$.store\\.book", {"store.book": 1, "store": {"book": 2}}) == 1

    def test_definite(self):
        assert parse_path("$.a[0].b").definite
        assert parse_path("$['a'][-1]").definite
        for indefinite in ("$.a[*]", "$..b", "$.a[1:2]", "$.a[0,1]", "$.a[?(@.x)]", "$.*"):
            assert not parse_path(indefinite).definite


class TestDefinitePaths:
    def test_array_index(self):
        # jsonpath-base-002 / -003: $.items[0] and $.items[10] return the element itself, not a list
        assert read("$.items[0]", ITEMS) == {"item_key": 0}
        assert read("$.items[10]", ITEMS) == {"item_key": 10}

    def test_negative_index_counts_from_the_end(self):
        assert read("$.items[-1].item_key", ITEMS) == 10

    def test_root_and_null(self):
        assert read("$", {"a": 1}) == {"a": 1}
        assert read("$.a", {"a": None}) is None

    def test_missing_leaf(self):
        # jsonpath-scenarios-011: "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"
        with pytest.raises(PathNotFound) as e:
            read("$.NoSuchInputPath", {"int-literal": 0})
        assert e.value.reason == "No results for path: $['NoSuchInputPath']"

    def test_missing_intermediate(self):
        # jsonpath-scenarios-002: "Invalid path '$.no.such.result.path' : Missing property in path $['no']"
        with pytest.raises(PathNotFound) as e:
            read("$.no.such.result.path", {})
        assert e.value.reason == "Missing property in path $['no']"

    def test_index_out_of_bounds_is_no_result(self):
        with pytest.raises(PathNotFound, match=r"No results for path: \$\['items'\]\[11\]"):
            read("$.items[11]", ITEMS)

    def test_property_of_a_non_object(self):
        with pytest.raises(PathNotFound, match=r"Expected to find an object with property \['b'\] in path "
                                               r"\$\['a'\] but found '.*TextNode'"):
            read("$.a.b", {"a": "text"})

    def test_index_of_a_non_array(self):
        with pytest.raises(PathNotFound, match=r"Filter: \[0\] can only be applied to arrays. Current context is: "
                                               r"\{\"b\":1\}"):
            read("$.a[0]", {"a": {"b": 1}})
        with pytest.raises(PathNotFound, match=r"The path \$\['a'\] is null"):
            read("$.a[0]", {"a": None})

    def test_exists(self):
        assert parse_path("$.a").exists({"a": None})
        assert not parse_path("$.a.b").exists({})
        assert not parse_path("$.a[*]").exists({"a": []})


class TestIndefinitePaths:
    @pytest.mark.parametrize("text", [
        "$.item.items[1:5].itemValue", "$.item.items[1:5]", "$.item.items[:1]", "$.items[*].itemValue",
        "$.items[1:]", "$.items[:1].itemValue", "$.items[:1]", "$[*]",
    ])
    def test_nothing_matched_gives_an_empty_list(self, text):
        # jsonpath-base-004 … -011: wildcards and slices over missing data give [] (no error)
        assert read(text, {}) == []

    def test_wildcard_and_missing_leaves(self):
        doc = {"a": [{"b": 1}, {"c": 2}, {"b": None}]}
        assert read("$.a[*].b", doc) == [1, None]

    def test_wildcard_over_object_values(self):
        assert read("$.a.*", {"a": {"x": 1, "y": [2]}}) == [1, [2]]

    def test_slices(self):
        doc = {"a": [0, 1, 2, 3, 4]}
        assert read("$.a[1:3]", doc) == [1, 2]
        assert read("$.a[-2:]", doc) == [3, 4]
        assert read("$.a[:-3]", doc) == [0, 1]
        assert read("$.a[3:1]", doc) == []
        assert read("$.a[0:100]", doc) == [0, 1, 2, 3, 4]

    def test_multiple_indexes_and_properties(self):
        assert read("$.a[0,2,9]", {"a": [5, 6, 7]}) == [5, 7]
        # Jayway's multi-property leaf merges the properties present into one object
        assert read("$['a','b','z']", {"a": 1, "b": 2, "c": 3}) == {"a": 1, "b": 2}

    def test_deep_scan(self):
        doc = {"id": 1, "x": {"id": 2, "y": [{"id": 3}, {"z": {"id": 4}}]}}
        assert sorted(read("$..id", doc)) == [1, 2, 3, 4]
        assert read("$..y[0].id", doc) == [3]


class TestFilters:
    USERS = {"users": [{"year": 1997, "status": 0}, {"year": 1998, "status": 1}, {"year": 2001, "name": "z"}]}

    def test_equality(self):
        # jsonpath-base-016: $.users[?(@.status == 0)] keeps the matching elements, as a list
        assert read("$.users[?(@.status == 0)]", self.USERS) == [{"year": 1997, "status": 0}]

    @pytest.mark.parametrize("expr, years", [
        ("@.year > 1997", [1998, 2001]),
        ("@.year >= 1998 && @.year < 2001", [1998]),
        ("@.status == 1 || @.name == 'z'", [1998, 2001]),
        ("!(@.status == 0)", [1998, 2001]),
        ("@.status", [1997, 1998]),
        ("@.status != 0", [1998, 2001]),
        ("@.name =~ /Z/i", [2001]),
        ("@.year in [1997, 2001]", [1997, 2001]),
        ("@.year nin [1997, 2001]", [1998]),
        ("@.year == $.pick", [1998]),
    ])
    def test_operators(self, expr, years):
        doc = dict(self.USERS, pick=1998)
        assert [u["year"] for u in read(f"$.users[?({expr})]", doc)] == years

    def test_number_equals_a_string_holding_it(self):
        # Jayway compares a number and a numeric string as numbers
        assert read("$.a[?(@.v == 1)]", {"a": [{"v": "1"}, {"v": 1.0}, {"v": True}]}) == [{"v": "1"}, {"v": 1.0}]

    def test_type_mismatch_in_order_comparisons_is_false(self):
        assert read("$.a[?(@.v < 5)]", {"a": [{"v": "1"}, {"v": 2}]}) == [{"v": 2}]

    def test_filter_then_property(self):
        assert read("$.users[?(@.status == 1)].year", self.USERS) == [1998]


class TestJavaStrings:
    def test_objects_and_lists(self):
        # jsonpath-intrinsic-functions-057: an object prints as {Arg1=1, Arg2=[]}
        assert java_string({"Arg1": 1, "Arg2": []}) == "{Arg1=1, Arg2=[]}"
        assert java_string(["a", 1, None, True, {"k": [1, 2]}]) == "[a, 1, null, true, {k=[1, 2]}]"

    @pytest.mark.parametrize("value, text", [
        (1.1, "1.1"), (1.0, "1.0"), (0.0, "0.0"), (-2.5, "-2.5"), (1e20, "1.0E20"), (1.5e-7, "1.5E-7"),
        (123456789.0, "1.23456789E8"), (1234567.0, "1234567.0"), (0.001, "0.001"), (0.0001, "1.0E-4"),
    ])
    def test_doubles_print_as_java_does(self, value, text):
        assert java_string(value) == text

    def test_compact_json(self):
        assert to_json_text({"a": [1, "é"]}) == '{"a":[1,"é"]}'


# ------------------------------------------------------------------------------------------ properties

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.text(max_size=3))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text("abc", min_size=1, max_size=2), inner, max_size=4)),
    max_leaves=12,
)


def _definite_paths(doc, prefix="$", depth=0):
    yield prefix, doc
    if depth > 4:
        return
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _definite_paths(v, f"{prefix}['{k}']", depth + 1)
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _definite_paths(v, f"{prefix}[{i}]", depth + 1)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_every_node_is_reached_by_its_definite_path(doc):
    for text, expected in _definite_paths(doc):
        assert read(text, doc) == expected


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from(["$..a", "$.*", "$[*].b", "$.a[*]", "$..[0]", "$.a[1:]", "$[?(@.b)]"]))
def test_indefinite_paths_never_fail_nor_mutate(doc, text):
    before = copy.deepcopy(doc)
    result = read(text, doc)
    assert isinstance(result, list)
    assert doc == before
