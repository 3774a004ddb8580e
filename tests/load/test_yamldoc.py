"""load.yamldoc: YAML with safe_load semantics, positions per JSON pointer, duplicate keys as errors."""

from __future__ import annotations

import pytest

from sfn_compiler.errors import SfncError
from sfn_compiler.load import load_yaml_text
from sfn_compiler.load.positions import Position

TEXT = """\
values:
  table: "locks"          # a comment
  poll:
    max_attempts: 5
  list:
    - a
    - {b: 1}
aws:
  region: us-east-1
"""


def test_data_and_positions():
    doc = load_yaml_text(TEXT, "envs/dev.yaml")
    assert doc.data == {"values": {"table": "locks", "poll": {"max_attempts": 5}, "list": ["a", {"b": 1}]},
                        "aws": {"region": "us-east-1"}}
    assert doc.locate("/values/table") == Position(2, 10)
    assert doc.locate("/values/table", key=True) == Position(2, 3)
    assert doc.locate("/values/poll/max_attempts") == Position(4, 19)
    assert doc.locate("/values/list/1/b") == Position(7, 11)
    assert doc.locate("/aws/region", key=True) == Position(9, 3)
    assert doc.locate("/aws/missing") == Position(8, 1)      # the key of the nearest existing ancestor


def test_empty_document():
    doc = load_yaml_text("# nothing\n", "e.yaml")
    assert doc.data is None and doc.locate("/x") == Position(1, 1)


def test_duplicate_keys_are_errors_with_both_lines():
    with pytest.raises(SfncError) as exc:
        load_yaml_text("values:\n  a: 1\n  a: 2\n", "d.yaml")
    (p,) = exc.value.problems
    assert p.pointer == "/values/a" and (p.span.line, p.span.column) == (3, 3)
    assert "first at line 2, again at line 3" in p.message


def test_non_scalar_key_is_an_error():
    with pytest.raises(SfncError, match="mapping keys must be scalars"):
        load_yaml_text("? [a, b]\n: 1\n", "k.yaml")


def test_syntax_error_is_located():
    with pytest.raises(SfncError) as exc:
        load_yaml_text("values:\n  a: [1, 2\n", "s.yaml")
    (p,) = exc.value.problems
    assert p.message.startswith("invalid YAML") and p.span.file == "s.yaml" and p.span.line is not None


def test_safe_load_semantics_no_python_objects():
    with pytest.raises(SfncError, match="invalid YAML"):
        load_yaml_text("x: !!python/object/apply:os.system ['true']\n", "evil.yaml")


@pytest.mark.parametrize("text,message,line,column", [
    ("values:\n\tname: x\n", "a tab character: YAML indents with spaces only (replace the tab with spaces)", 2, 1),
    ("values:\n  name: [1, 2\n", "a '[' list that opens here is not closed (expected ',' or ']')", 2, 9),
    ("values:\n  name: {a: 1\n", "a '{' mapping that opens here is not closed (expected ',' or '}')", 2, 9),
    ('values:\n  name: "abc\n', "a quoted string that opens here is never closed", 2, 9),
    ("values:\n  a: 1\n b: 2\n", "this line's indentation matches no key above it (indent it like its siblings)", 3, 2),
    ("values:\n  a: b: c\n", "a ':' inside a plain value: put the value in quotes (\"a: b\")", 2, 7),
    ("values:\n  a: @x\n", "'@' cannot start a value here: put the value in quotes", 2, 6),
])
def test_syntax_errors_in_words_where_the_problem_starts(text, message, line, column):
    with pytest.raises(SfncError) as exc:
        load_yaml_text(text, "e.yaml")
    (p,) = exc.value.problems
    assert (p.message, p.span.line, p.span.column) == (f"invalid YAML: {message}", line, column)
