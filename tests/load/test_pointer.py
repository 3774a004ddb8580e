"""load.pointer: RFC 6901 JSON pointers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sfn_compiler.load.pointer import (escape_token, join_pointer, parent_pointers, resolve_pointer, split_pointer,
                                       unescape_token)


def test_escaping_follows_rfc_6901():
    assert escape_token("a/b~c") == "a~1b~0c" and unescape_token("a~1b~0c") == "a/b~c"
    assert unescape_token("~01") == "~1"             # ~0 first would turn "~01" into "/"
    assert join_pointer("/States", "A/B", 0) == "/States/A~1B/0"


@given(st.lists(st.text(max_size=5), max_size=5))
def test_split_inverts_join(tokens):
    assert split_pointer(join_pointer("", *tokens)) == tokens


def test_split_resolve_and_parents():
    doc = {"States": {"A/B": {"List": [10, {"x": "y"}]}}}
    assert resolve_pointer(doc, "/States/A~1B/List/1/x") == "y"
    assert resolve_pointer(doc, "") is doc
    with pytest.raises(KeyError):
        resolve_pointer(doc, "/States/Missing")
    with pytest.raises(ValueError):
        split_pointer("States/A")
    assert list(parent_pointers("/a/b")) == ["/a/b", "/a", ""]
