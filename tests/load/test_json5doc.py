"""JSON5 (spec.json5.org 1.0.0) through the JSON reader: every JSON5 addition reads as the spec says, JSON
reads unchanged, and every position (values, keys, parse errors, duplicates) is in the file as written."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.errors import SfncError
from sfn_compiler.load import Position
from sfn_compiler.load.json5doc import load_json5_text, to_json

# the example of https://spec.json5.org (section 1), and what it means
SPEC_EXAMPLE = """// This file is written in JSON5 syntax, naturally, but npm needs a regular
// JSON file, so compile via `npm run build`. Be sure to keep both in sync!

{
  // comments
  unquoted: 'and you can quote me on that',
  singleQuotes: 'I can use "double quotes" here',
  lineBreaks: "Look, Mom! \\
No \\\\n's!",
  hexadecimal: 0xdecaf,
  leadingDecimalPoint: .8675309, andTrailing: 8675309.,
  positiveSign: +1,
  trailingComma: 'in objects', andIn: ['arrays',],
  "backwardsCompatible": "with JSON",
}
"""


def test_the_spec_example_reads_as_the_spec_says():
    doc = load_json5_text(SPEC_EXAMPLE, "spec.json5")
    assert doc.data == {
        "unquoted": "and you can quote me on that",
        "singleQuotes": 'I can use "double quotes" here',
        "lineBreaks": "Look, Mom! No \\n's!",
        "hexadecimal": 0xdecaf,
        "leadingDecimalPoint": 0.8675309, "andTrailing": 8675309,
        "positiveSign": 1,
        "trailingComma": "in objects", "andIn": ["arrays"],
        "backwardsCompatible": "with JSON",
    }
    # positions are in the file as written: the value after the unquoted key, a key, a number
    assert doc.locate("/unquoted") == Position(6, 13)
    assert doc.locate("/hexadecimal", key=True) == Position(10, 3)
    assert doc.locate("/positiveSign") == Position(12, 17)
    assert doc.locate("/backwardsCompatible") == Position(14, 26)


@pytest.mark.parametrize("text,value", [
    ("{a: 1, $b_2: 2, _c: 3, ünï: 4}", {"a": 1, "$b_2": 2, "_c": 3, "ünï": 4}),
    ("{'a': 'it\\'s', b: \"say \\\"hi\\\"\"}", {"a": "it's", "b": 'say "hi"'}),
    ("['\\x41\\v\\0', '\\q']", ["A\x0b\x00", "q"]),
    ("[+1, -2, .5, 5., 1e3, +.5e-1, 0x1F, -0XFF]", [1, -2, 0.5, 5, 1000.0, 0.05, 31, -255]),
    ("[true, false, null]", [True, False, None]),
    ("{a: 1 /* c */, // d\n b: [1,2,],}", {"a": 1, "b": [1, 2]}),
    ("\ufeff{\u00a0a\u2028:\v1\f}", {"a": 1}),
])
def test_each_json5_addition(text, value):
    assert load_json5_text(text, "x.json5").data == value


def test_infinity_and_nan_are_read_and_refused_where_they_are():
    # JSON5 has them, JSON (a state machine) cannot hold them: each is an error at its place in the file
    with pytest.raises(SfncError) as err:
        load_json5_text("[Infinity, -Infinity,\n +Infinity, NaN, 0x10]", "x.json5")
    got = [(p.span.line, p.span.column, p.pointer, p.message) for p in err.value.problems]
    assert got == [(1, 2, "/0", "invalid JSON5: Infinity is not a number JSON can hold"),
                   (1, 12, "/1", "invalid JSON5: -Infinity is not a number JSON can hold"),
                   (2, 2, "/2", "invalid JSON5: Infinity is not a number JSON can hold"),
                   (2, 13, "/3", "invalid JSON5: NaN is not a number JSON can hold")]


def test_a_hexadecimal_integer_too_long_to_read_is_refused_at_its_place():
    text = "{a: 1,\n b: 0x" + "f" * 5000 + "}"
    with pytest.raises(SfncError) as err:
        load_json5_text(text, "x.json5")
    (p,) = err.value.problems
    assert (p.span.line, p.span.column, p.pointer) == (2, 5, "/b") and "digits (at most 4300" in p.message


def test_a_string_position_inside_a_single_quoted_string_with_escapes():
    text = "{\n  Output: 'it\\'s {% $x %}'\n}"
    doc = load_json5_text(text, "x.json5")
    assert doc.data == {"Output": "it's {% $x %}"}
    # decoded offset 5 ('{') is column 17 in the file ('  Output: ' + quote + `it\\'s `)
    assert doc.locate_in_string("/Output", 5) == Position(2, 18)


@pytest.mark.parametrize("text,message,line,column", [
    ("{\n  a: 1,\n  b: [1, 2\n}", "invalid JSON5: expected ',' between two items (or the end of the object or array)",
     4, 1),
    ("{a: 'x\n'}", "invalid JSON5: a raw control character (tab or line break) in a string: write it as \\t or \\n",
     1, 7),
    ("// c\n{a b: 1}", "invalid JSON5: expected a key (a name or a quoted string) followed by ':'", 2, 2),
])
def test_errors_point_into_the_file_as_written(text, message, line, column):
    with pytest.raises(SfncError) as exc:
        load_json5_text(text, "e.json5")
    (p,) = exc.value.problems
    assert (p.message, p.span.line, p.span.column) == (message, line, column)


def test_duplicate_keys_point_into_the_file():
    doc = load_json5_text("{\n  a: 1, // one\n  a: 2,\n}", "d.json5", allow_duplicates=True)
    (dup,) = doc.duplicates()
    assert (dup.first, dup.second) == (Position(2, 3), Position(3, 3))


_json = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
                     lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(st.text(max_size=6), children, max_size=4), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(_json, st.sampled_from([None, 2]))
def test_json_is_json5_unchanged(data, indent):
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    converted, origin = to_json(text)
    assert converted == text and origin == list(range(len(text) + 1))


def test_strings_holding_the_other_quote_keep_every_offset():
    text = "{a: 'say \"hi\" " + "x" * 40 + "', b: \"it's\\tok\"}"
    converted, origin = to_json(text)
    assert json.loads(converted) == {"a": 'say "hi" ' + "x" * 40, "b": "it's\tok"}
    run = converted.index("x" * 40)
    assert origin[run:run + 40] == list(range(text.index("x" * 40), text.index("x" * 40) + 40))
    assert text[origin[converted.index('\\"hi')]] == '"'            # the escape added for a " in '...'
    assert text[origin[converted.index("'s")]] == "'"                # a ' in "..." is copied where it was
    assert origin[converted.index("\\tok")] == text.index("\\tok")
    assert origin[-1] == len(text)
