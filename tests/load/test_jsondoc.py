"""load.jsondoc: JSON with positions (every value located by its JSON pointer), duplicates, file reading."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfn_compiler.errors import SfncError
from sfn_compiler.load import JsonDocument, load_json_file, load_json_text
from sfn_compiler.load.pointer import join_pointer
from sfn_compiler.load.positions import Position

TEXT = '''{
  "StartAt": "A",
  "States": {
    "A/B": {"Type": "Pass", "Next": "x~y"},
    "x~y": {"Type": "Succeed", "List": [1, {"k": "v"}, [true, null]]}
  }
}
'''


@pytest.fixture
def doc() -> JsonDocument:
    return load_json_text(TEXT, "sm.json")


@pytest.mark.parametrize("pointer,key,pos", [
    ("", False, Position(1, 1)),
    ("/StartAt", False, Position(2, 14)),
    ("/StartAt", True, Position(2, 3)),
    ("/States/A~1B", True, Position(4, 5)),               # "/" in a key is escaped as ~1
    ("/States/A~1B/Next", False, Position(4, 37)),
    ("/States/x~0y", True, Position(5, 5)),               # "~" as ~0
    ("/States/x~0y/List/1/k", False, Position(5, 50)),
    ("/States/x~0y/List/2/1", False, Position(5, 63)),
])
def test_locate_values_and_keys(doc, pointer, key, pos):
    assert doc.locate(pointer, key=key) == pos
    assert doc.has(pointer)


def test_a_missing_pointer_lands_on_the_key_of_its_nearest_ancestor(doc):
    assert not doc.has("/States/A~1B/Resource")
    assert doc.locate("/States/A~1B/Resource") == Position(4, 5)
    assert doc.locate("/Nope") == Position(1, 1)


def test_locate_in_string_counts_decoded_characters():
    text = '{"s": "a\\nb\\u00e9c\\"d"}'
    d = load_json_text(text, "x.json")
    assert d.data["s"] == 'a\nbéc"d'
    start = text.index('"a') + 1
    for i, ch in enumerate(d.data["s"]):
        raw = d.locate_in_string("/s", i).column - 1
        assert raw >= start and (text[raw] == ch or text[raw] == "\\"), (i, ch)
    assert d.locate_in_string("/s", 3).column - 1 == text.index("\\u00e9")      # é: at its escape
    assert d.locate_in_string("/s", 4).column - 1 == text.index("\\u00e9") + 6  # c: after the 6-char escape


def test_invalid_json_is_located():
    with pytest.raises(SfncError) as exc:
        load_json_text('{\n  "a": 1,\n}', "bad.json")
    (p,) = exc.value.problems
    assert (p.span.file, p.span.line, p.span.column) == ("bad.json", 2, 9) and p.message.startswith("invalid JSON")  # the comma


def test_duplicates_are_errors_or_reported_with_both_positions():
    text = '{"States": {"A": 1,\n "A": 2}}'
    with pytest.raises(SfncError) as exc:
        load_json_text(text, "d.json")
    (p,) = exc.value.problems
    assert p.pointer == "/States/A" and (p.span.line, p.span.column) == (2, 2) and "line 1, again at line 2" in p.message
    d = load_json_text(text, "d.json", allow_duplicates=True)
    assert d.has_duplicates and d.data == {"States": {"A": 2}}
    (dup,) = d.duplicates()
    assert (dup.pointer, dup.first, dup.second) == ("/States/A", Position(1, 13), Position(2, 2))


def test_reading_files(tmp_path):
    (tmp_path / "ok.json").write_bytes(b'\xef\xbb\xbf{"a": 1}')          # a UTF-8 BOM is dropped
    assert load_json_file(tmp_path / "ok.json").data == {"a": 1}
    (tmp_path / "latin.json").write_bytes(b'{"a": "\xe9"}')
    for name, message in (("missing.json", "file not found"), ("latin.json", "not UTF-8 text: byte 0xe9 at byte offset 7"),
                          (".", "is a directory, expected a file")):
        with pytest.raises(SfncError, match=message.replace("(", r"\(").replace(")", r"\)")) as exc:
            load_json_file(tmp_path / name, display=name)
        assert exc.value.problems[0].span.file == name
    (tmp_path / "latin2.json").write_bytes(b'{\n  "a": "x\xe9"}')
    with pytest.raises(SfncError) as exc:
        load_json_file(tmp_path / "latin2.json", display="latin2.json")
    assert exc.value.problems[0].span.format() == "latin2.json:2:10"     # the line and column of the bad byte


def test_json5_comments_and_trailing_commas_keep_every_position(tmp_path):
    text = '// a comment\n{"a": [1, 2,], /* b */ "b": {"c": 3,},}\n'
    (tmp_path / "x.json5").write_text(text)
    d = load_json_file(tmp_path / "x.json5")
    assert d.data == {"a": [1, 2], "b": {"c": 3}} and d.source == text
    assert d.locate("/b/c") == Position(2, 35)   # where 3 is in the file


_json = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=8),
                     lambda children: st.lists(children, max_size=4)
                     | st.dictionaries(st.text(max_size=6), children, max_size=4), max_leaves=20)


def _pointers(node, pointer=""):
    yield pointer, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _pointers(v, join_pointer(pointer, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _pointers(v, join_pointer(pointer, i))


@settings(max_examples=150, deadline=None)
@given(_json, st.sampled_from([None, 2]))
def test_every_value_is_located_where_its_text_starts(data, indent):
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    d = load_json_text(text, "p.json")
    offsets = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    for pointer, value in _pointers(data):
        pos = d.locate(pointer)
        start = offsets[pos.line - 1] + pos.column - 1
        assert json.JSONDecoder().raw_decode(text, start)[0] == value, pointer


@pytest.mark.parametrize("text,message,line,column", [
    ('{\n  "StartAt": "A",\n}\n', "trailing comma before '}' (JSON allows no ',' after the last item)", 2, 17),
    ('{"a": [1, 2, ]}', "trailing comma before ']' (JSON allows no ',' after the last item)", 1, 12),
    ('{StartAt: "A"}', "expected a key in double quotes (JSON has no unquoted keys)", 1, 2),
    ("{'a': 1}", "a key in single quotes: JSON keys are strings in double quotes", 1, 2),
    ('{"a": \'x\'}', "a string in single quotes: JSON strings use double quotes", 1, 7),
    ('{"a": 1 "b": 2}', "expected ',' between two items (or the end of the object or array)", 1, 9),
    ('{"a": "x', "a string is not closed (no closing double quote)", 1, 7),
    ('{"a": 1}\n{"b": 2}', "more text after the end of the JSON value", 2, 1),
    ('{"a": [1,', "the text ends before the JSON value is complete", 1, 10),
])
def test_parse_errors_in_words_at_their_own_place(text, message, line, column):
    with pytest.raises(SfncError) as exc:
        load_json_text(text, "e.json")
    (p,) = exc.value.problems
    assert (p.message, p.span.line, p.span.column) == (f"invalid JSON: {message}", line, column)
