"""Intrinsic functions: parsing (names, arity, escapes, nesting) and every function's results and failures.

Results restated from AWS's recordings cite the case id (../shared/conformance/aws-recorded/cases/).
"""

from __future__ import annotations

import random
import re

import pytest

from sfn_compiler.asl.intrinsics import (
    IntrinsicError,
    IntrinsicSyntaxError,
    JavaRandom,
    evaluate,
    is_intrinsic,
    located_paths,
    parse_intrinsic,
    paths_in,
)
from sfn_compiler.asl.jsonpath import parse_path


def ev(text, data=None, rng=None):
    data = {} if data is None else data
    return evaluate(text, lambda p: p.read(data), rng)


_NO = object()


def fi(fst, snd=_NO):
    """The recorded cases' input shape: {"FunctionInput": {"fst", "snd"}}."""
    d = {"fst": fst}
    if snd is not _NO:
        d["snd"] = snd
    return {"FunctionInput": d}


class TestParse:
    def test_nested_calls_paths_and_literals(self):
        call = parse_intrinsic("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)")
        assert call.name == "States.ArrayGetItem"
        inner = call.args[0]
        assert inner.name == "States.StringSplit"
        assert [p.text for p in paths_in(call)] == ["$$.StateMachine.Name"]

    def test_path_arguments_may_hold_brackets_commas_and_quotes(self):
        call = parse_intrinsic("States.Array($['a,b'], $.c[0], $x.y, 1, -2.5, null, true, 'z')")
        assert [p.text for p in paths_in(call)] == ["$['a,b']", "$.c[0]", "$x.y"]
        assert ev("States.Array($['a,b'], 1, -2.5, null, true, false, 'z')", {"a,b": 7}) == \
            [7, 1, -2.5, None, True, False, "z"]

    def test_path_arguments_know_where_they_start(self):
        text = "States.Format('{} $not', $a.b, States.ArrayLength( $$.Execution.Input ))"
        assert [(p.text, start) for p, start in located_paths(parse_intrinsic(text))] == [
            ("$a.b", 25), ("$$.Execution.Input", 51)]
        assert text[25:29] == "$a.b" and text[51:69] == "$$.Execution.Input"

    def test_whitespace_is_allowed_between_arguments(self):
        assert ev("States.Array( 1 ,2 )") == [1, 2]

    @pytest.mark.parametrize("text, message", [
        ("States.Nope(1)", "unknown intrinsic function"),
        ("Foo.Bar(1)", "not an intrinsic function"),
        ("States.ArrayLength()", "takes 1 argument"),
        ("States.MathAdd(1)", "takes 2 arguments"),
        ("States.MathRandom(1, 2, 3, 4)", "takes 2 to 3 arguments"),
        ("States.Format()", "takes at least 1 argument, got 0"),
        ("States.UUID(1)", "takes 0 arguments"),
        ("States.Array(1", "unclosed argument list"),
        ("States.Array('a)", "unclosed string literal"),
        ("States.Array('a\\n')", "open escape backslash"),
        ("States.Array(1) x", "unexpected text"),
        ("States.Array(abc)", "unexpected 'a'"),
        ("States.Array($.a[)", "invalid path argument"),
    ])
    def test_errors(self, text, message):
        with pytest.raises(IntrinsicSyntaxError, match=re.escape(message)):
            parse_intrinsic(text)

    def test_is_intrinsic(self):
        assert is_intrinsic("States.UUID()")
        assert not is_intrinsic("$.a")
        assert not is_intrinsic("States.")
        assert not is_intrinsic(3)

    def test_escapes_in_string_literals(self):
        # ASL spec: \\' \\{ \\} \\\\ stand for ' { } \\ (written once-escaped here, as in the JSON text)
        assert ev("States.Array('it\\'s', 'a\\\\b')") == ["it's", "a\\b"]
        assert ev("States.Format('\\{\\} and {}', 'x')") == "{} and x"

    def test_literal_newline_in_a_string(self):
        # jsonpath-intrinsic-functions-044: the JSON text "Hello\nWorld" holds a real newline
        assert ev("States.StringSplit('Hello\nWorld', '\n')") == ["Hello", "World"]


class TestFormat:
    @pytest.mark.parametrize("value, text", [
        ("", "Formatting argument ."), (" ", "Formatting argument  ."), ("HelloWorld", "Formatting argument HelloWorld."),
        (1, "Formatting argument 1."), (1.1, "Formatting argument 1.1."),
        ('{"Arg1": 1, "Arg2": []}', 'Formatting argument {"Arg1": 1, "Arg2": []}.'),
    ])
    def test_one_argument(self, value, text):
        # jsonpath-intrinsic-functions-045 … -050
        assert ev("States.Format('Formatting argument {}.', $.FunctionInput)", {"FunctionInput": value}) == text

    def test_null_and_objects(self):
        # jsonpath-intrinsic-functions-053 and -057
        t = "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)"
        assert ev(t, fi(None, None)) == "Formatting arguments fst=null and snd=null."
        obj = {"Arg1": 1, "Arg2": []}
        assert ev(t, fi(obj, obj)) == "Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}."

    def test_template_from_a_path(self):
        # jsonpath-assign-016: States.Format($AnswerTemplate, $$.Map.Item.Value) with "It's {}!"
        assert ev("States.Format($.t, $.v)", {"t": "It's {}!", "v": "Pikachu"}) == "It's Pikachu!"

    def test_placeholder_count_must_match(self):
        with pytest.raises(IntrinsicError, match="1 placeholder '{}' but 2 arguments"):
            ev("States.Format('{}', 1, 2)")
        with pytest.raises(IntrinsicError, match="2 placeholders"):
            ev("States.Format('{} {}', 1)")

    def test_stray_brace_and_non_string_template(self):
        with pytest.raises(IntrinsicError, match="unmatched"):
            ev("States.Format('a { b')")
        with pytest.raises(IntrinsicError, match="template .* must be a string"):
            ev("States.Format($.n)", {"n": 3})


class TestJson:
    @pytest.mark.parametrize("text, value", [
        ("", None), (" ", None), ("null", None), ("-0", 0), ("1", 1), ("1.1", 1.1), ("true", True),
        ('"HelloWorld"', "HelloWorld"), ('{"Arg1": 1, "Arg2": []}', {"Arg1": 1, "Arg2": []}),
    ])
    def test_string_to_json(self, text, value):
        # jsonpath-intrinsic-functions-071 … -079
        assert ev("States.StringToJson($.s)", {"s": text}) == value

    def test_string_to_json_failures(self):
        with pytest.raises(IntrinsicError, match="not valid JSON"):
            ev("States.StringToJson('{')")
        with pytest.raises(IntrinsicError, match="not valid JSON"):
            ev("States.StringToJson('NaN')")
        with pytest.raises(IntrinsicError, match="must be a string"):
            ev("States.StringToJson($.n)", {"n": 1})

    @pytest.mark.parametrize("value, text", [
        (0, "0"), (1, "1"), (1.1, "1.1"), (True, "true"), ("HelloWorld", '"HelloWorld"'),
        ([1, 2, "HelloWorld"], '[1,2,"HelloWorld"]'), ({"Arg1": 1, "Arg2": []}, '{"Arg1":1,"Arg2":[]}'),
    ])
    def test_json_to_string(self, value, text):
        # jsonpath-intrinsic-functions-064 … -070: compact JSON
        assert ev("States.JsonToString($.v)", {"v": value}) == text

    def test_json_merge_is_shallow(self):
        # jsonpath-intrinsic-functions-063
        data = fi({"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}, {"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4})
        assert ev("States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, false)", data) == \
            {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}
        assert data["FunctionInput"]["fst"] == {"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}

    def test_json_merge_failures(self):
        with pytest.raises(IntrinsicError, match="only supports the shallow merging mode"):
            ev("States.JsonMerge($.a, $.a, true)", {"a": {}})
        with pytest.raises(IntrinsicError, match="first argument must be a JSON object"):
            ev("States.JsonMerge($.a, $.b, false)", {"a": [], "b": {}})
        with pytest.raises(IntrinsicError, match="third argument must be a boolean"):
            ev("States.JsonMerge($.a, $.a, 0)", {"a": {}})


class TestArrays:
    def test_array(self):
        # jsonpath-intrinsic-functions-001, -005, -008
        assert ev("States.Array()") == []
        assert ev("States.Array($.FunctionInput.fst, $.FunctionInput.snd)", fi(None, None)) == [None, None]
        obj = {"Arg1": 1, "Arg2": []}
        assert ev("States.Array($.FunctionInput.fst, $.FunctionInput.snd)", fi(obj, obj)) == [obj, obj]

    @pytest.mark.parametrize("arr, size, out", [
        ([], 1, []), ([0], 4, [[0]]), ([0, 1], 1, [[0], [1]]), ([0, 1, 2], 2, [[0, 1], [2]]),
        ([0, 1, 2, 3], 3, [[0, 1, 2], [3]]), ([0, 1, 2, 3], 4, [[0, 1, 2, 3]]),
    ])
    def test_partition(self, arr, size, out):
        # jsonpath-intrinsic-functions-016 … -035
        assert ev("States.ArrayPartition($.FunctionInput.fst, $.FunctionInput.snd)", fi(arr, size)) == out

    def test_partition_failures(self):
        with pytest.raises(IntrinsicError, match="chunk size must be a positive integer"):
            ev("States.ArrayPartition($.a, 0)", {"a": [1]})
        with pytest.raises(IntrinsicError, match="first argument must be an array"):
            ev("States.ArrayPartition($.a, 1)", {"a": "x"})

    @pytest.mark.parametrize("arr, value, found", [
        ([], None, False), ([[1, 2, 3], 2], None, False), ([[1, 2, 3], 2], [1, 2, 3], True),
        ([{"1": 2, "2": []}], [], False), ([{"1": 2, "2": []}], {"2": [], "1": 2}, True), ([True, False], True, True),
        ([1], 1.0, False), ([1], True, False),
    ])
    def test_contains(self, arr, value, found):
        # jsonpath-intrinsic-functions-009 … -014; values compare as Jackson nodes (1 and 1.0 differ)
        assert ev("States.ArrayContains($.a, $.v)", {"a": arr, "v": value}) is found

    @pytest.mark.parametrize("args, out", [((0, 9, 3), [0, 3, 6, 9]), ((0, 10, 3), [0, 3, 6, 9]),
                                           ((1, 9, 2), [1, 3, 5, 7, 9]), ((5, 1, -2), [5, 3, 1]), ((1, 5, -1), [])])
    def test_range(self, args, out):
        # jsonpath-intrinsic-functions-036 … -038
        assert ev("States.ArrayRange($.a, $.b, $.c)", dict(zip("abc", args))) == out

    def test_range_failures(self):
        with pytest.raises(IntrinsicError, match="step must not be 0"):
            ev("States.ArrayRange(1, 2, 0)")
        with pytest.raises(IntrinsicError, match="at most 1000"):
            ev("States.ArrayRange(0, 1000, 1)")
        assert len(ev("States.ArrayRange(1, 1000, 1)")) == 1000

    def test_get_item_length_unique(self):
        # jsonpath-intrinsic-functions-015, -039, -058; jsonpath-assign-006
        assert ev("States.ArrayGetItem($.a, 2)", {"a": [1, 2, 3, 4]}) == 3
        assert ev("States.ArrayLength($.a)", {"a": list(range(9))}) == 9
        assert ev("States.ArrayUnique($.a)", {"a": [1, 2, 2, 3, 3, 4]}) == [1, 2, 3, 4]
        assert ev("States.ArrayUnique($.a)", {"a": [{"a": 1, "b": 2}, {"b": 2, "a": 1}, 1, 1.0, True]}) == \
            [{"a": 1, "b": 2}, 1, 1.0, True]

    def test_get_item_out_of_bounds(self):
        with pytest.raises(IntrinsicError, match="index 4 is out of bounds for an array of length 4"):
            ev("States.ArrayGetItem($.a, 4)", {"a": [1, 2, 3, 4]})
        with pytest.raises(IntrinsicError, match="out of bounds"):
            ev("States.ArrayGetItem($.a, -1)", {"a": [1]})


class TestStringsEncodingHashes:
    @pytest.mark.parametrize("text, delims, out", [
        (" , ", ",", [" ", " "]), (", , ,", ",", [" ", " "]), (",,,,", ",", []), ("1,2,3,4,5", ",", list("12345")),
        ("This.is+a,test=string", ".+,=", ["This", "is", "a", "test", "string"]),
        ("split on T and \nnew line", "T\n", ["split on ", " and ", "new line"]),
    ])
    def test_string_split(self, text, delims, out):
        # jsonpath-intrinsic-functions-099 … -104: any delimiter character splits; empty pieces are dropped
        assert ev("States.StringSplit($.a, $.b)", {"a": text, "b": delims}) == out

    def test_base64(self):
        # jsonpath-intrinsic-functions-040 … -042, jsonpath-assign-006
        assert ev("States.Base64Encode('')") == ""
        assert ev("States.Base64Encode('Data to encode')") == "RGF0YSB0byBlbmNvZGU="
        assert ev("States.Base64Decode('SGVsbG8gV29ybGQ=')") == "Hello World"
        assert ev("States.Base64Decode('')") == ""
        with pytest.raises(IntrinsicError, match="not valid Base64"):
            ev("States.Base64Decode('***')")
        with pytest.raises(IntrinsicError, match="limit is 10000"):
            ev("States.Base64Encode($.a)", {"a": "x" * 10_001})

    @pytest.mark.parametrize("alg, digest", [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        ("SHA-384", "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"),
    ])
    def test_hash(self, alg, digest):
        # jsonpath-intrinsic-functions-059 … -062
        assert ev("States.Hash($.FunctionInput.fst, $.FunctionInput.snd)", fi("input data", alg)) == digest

    def test_hash_unknown_algorithm(self):
        with pytest.raises(IntrinsicError, match="unsupported algorithm \"sha-256\""):
            ev("States.Hash('x', 'sha-256')")


class TestMath:
    @pytest.mark.parametrize("a, b, out", [
        (-9, 3, -6), (1.5, 1.51, 4), (-1.49, -1.5, -2), (-1.5, -1.51, -3), (1.49, 0, 1), (1.5, 0, 2), (1.51, 0, 2),
        (-1.49, 0, -1), (0.5, 0, 1), (2.5, 0, 3), (3.5, 0, 4), (-0.5, 0.5, 1), (-0.5, 0, 0), (-2.5, 0, -2),
        (-3.5, 0, -3),
    ])
    def test_add_rounds_each_argument_half_up(self, a, b, out):
        # jsonpath-intrinsic-functions-080 … -095 (Java Math.round)
        assert ev("States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd)", fi(a, b)) == out

    def test_add_refuses_non_numbers(self):
        with pytest.raises(IntrinsicError, match="must be a number, but was string"):
            ev("States.MathAdd('1', 2)")
        with pytest.raises(IntrinsicError, match="but was boolean"):
            ev("States.MathAdd(true, 2)")

    def test_random_is_in_range_and_reproducible(self):
        a = [ev("States.MathRandom(12.5, 44.51)", rng=random.Random(7)) for _ in range(3)]
        b = [ev("States.MathRandom(12.5, 44.51)", rng=random.Random(7)) for _ in range(3)]
        assert a == b and all(13 <= x <= 45 for x in a)

    def test_seeded_random_uses_java_util_random(self):
        # start + new java.util.Random(seed).nextInt(end - start + 1)
        assert ev("States.MathRandom(0, 999, 3)") == JavaRandom(3).next_int(1000)
        assert ev("States.MathRandom(0, 999, 3)", rng=random.Random(1)) == ev("States.MathRandom(0, 999, 3)")

    def test_random_end_before_start(self):
        with pytest.raises(IntrinsicError, match="must not be less than the start"):
            ev("States.MathRandom(5, 1)")


class TestJavaRandom:
    def test_matches_java_util_random(self):
        # new java.util.Random(42): nextDouble() = 0.7275636800328681 (the value AWS's seeded $random(42)
        # returns, see docs/simulator.md) and nextInt(10) = 0
        assert JavaRandom(42).next_double() == 0.7275636800328681
        assert [JavaRandom(42).next_int(10)] == [0]

    def test_power_of_two_bound(self):
        r = JavaRandom(1)
        assert all(0 <= r.next_int(8) < 8 for _ in range(50))


def test_uuid_is_v4_and_comes_from_the_injected_source():
    a = ev("States.UUID()", rng=random.Random(3))
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", a)
    assert a == ev("States.UUID()", rng=random.Random(3))
    assert a != ev("States.UUID()", rng=random.Random(4))


def test_path_arguments_go_through_the_callers_resolver():
    seen = []

    def resolve(p):
        seen.append(p.text)
        return {"$x": 2, "$$.n": 3}[p.text]

    assert evaluate("States.MathAdd($x, $$.n)", resolve) == 5
    assert seen == ["$x", "$$.n"]
    assert parse_path("$x").variable == "x"
