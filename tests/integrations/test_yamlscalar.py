"""Offsets inside YAML string values back to the file (JSONata errors in YAML definitions and templates)."""

from __future__ import annotations

import pytest

from sfn_compiler.load.yamlscalar import scalar_offset


@pytest.mark.parametrize("text,decoded,char,exact", [
    ("a: hello world\n", "hello world", "w", True),
    ('a: "x\\ty\\u00e9z"\n', "x\tyéz", "z", True),
    ("a: 'it''s x'\n", "it's x", "x", True),
    ("a: !Sub |\n  {\n    \"k\": \"${X}\"\n  }\n", '{\n  "k": "${X}"\n}\n', "$", True),
    ("a: &anchor |-\n  line one\n  line two\nb: 1\n", "line one\nline two", "t", True),
    ("a: >\n  folded text\n  goes on\n", "folded text goes on\n", "g", False),
    ("a: \"one\n  two\"\n", "one two", "t", False),
])
def test_offsets(text, decoded, char, exact):
    import yaml

    assert yaml.safe_load(text.replace("!Sub ", ""))["a"] == decoded
    start = 3
    offset, is_exact = scalar_offset(text, start, decoded.rindex(char))
    assert text[offset] == char
    assert is_exact == exact
