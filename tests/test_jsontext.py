"""jsontext.dumps_indented is json.dumps(indent=2, ensure_ascii=False), byte for byte (or the same exception):
on the shared corpus, the bundled definitions and templates, generated documents (unicode, floats, big
ints, empty containers, non-string keys, key order) and the values it leaves to the json module."""

from __future__ import annotations

import enum
import json
import math
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_compiler.errors import SfncError
from sfn_compiler.jsontext import dumps_indented
from sfn_compiler.load.json5doc import load_json5_text
from sfn_compiler.render.engine import dumps

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def reference(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def assert_same(data: Any) -> None:
    try:
        expected = reference(data)
    except Exception as exc:  # the same exception, with the same message
        with pytest.raises(type(exc)) as got:
            dumps_indented(data)
        assert str(got.value) == str(exc)
        return
    assert dumps_indented(data) == expected


def test_the_render_format_is_the_reference_plus_a_newline():
    data = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Output": {"ü": [1, 2.5, None]}}}}
    assert dumps(data) == reference(data) + "\n"


def _documents(root: Path, patterns: tuple[str, ...]) -> list[Path]:
    return sorted(p for pat in patterns for p in root.glob(pat) if p.is_file())


def test_same_text_for_the_bundled_definitions_and_templates():
    paths = _documents(REPO, ("definitions/*/*.json", "templates/*.json"))
    assert len(paths) > 10
    for path in paths:
        assert_same(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.corpus
def test_same_text_for_the_shared_corpus():
    paths = _documents(CORPUS, ("real/**/*.json", "real/**/*.json5", "peers/**/*.json", "peers/**/*.json5"))
    if not paths:
        pytest.skip("../shared/corpus is absent")
    compared = 0
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
            data = load_json5_text(text, path.name).data if path.suffix == ".json5" else json.loads(text)
        except (ValueError, UnicodeDecodeError, SfncError):
            continue
        assert_same(data)
        compared += 1
    assert compared > 300


scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10 ** 40), max_value=10 ** 40)
           | st.floats(allow_nan=True, allow_infinity=True) | st.floats(width=32)
           | st.text() | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF)))
keys = st.text() | st.sampled_from(["", "a", "é", "\u2028", "\x00", '"', "\\", "${x}", "🙂"])
other_keys = st.integers() | st.floats() | st.booleans() | st.none()
documents = st.recursive(
    scalars,
    lambda children: (st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5)
                      | st.tuples(children, children)
                      | st.dictionaries(keys | other_keys, children, max_size=4)),
    max_leaves=40)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_same_text_for_generated_documents(data):
    assert_same(data)


@pytest.mark.parametrize("data", [
    {}, [], "", 0, -0.0, 1e300, 5e-324, math.inf, -math.inf, math.nan, 2 ** 200, -(2 ** 70), True, None,
    {"b": 1, "a": 2, "c": {"z": [], "y": {}}},          # insertion order kept
    {1: "int key", 2.5: "float key", True: "bool key", None: "null key"},
    [[[[[]]]]], [{}, [], "", [{}]],
    {"s": "line\nbreak\ttab \x7f \u2028 \ud800 \"quote\" back\\slash 🙂 é"},
], ids=repr)
def test_same_text_for_edge_values(data):
    assert_same(data)


class Color(enum.IntEnum):
    RED = 1


class Text(str):
    pass


def test_values_left_to_the_json_module_give_its_text_or_its_error():
    deep: Any = "leaf"
    for _ in range(300):  # deeper than the writer goes itself
        deep = {"k": [deep]}
    assert_same(deep)
    assert_same(OrderedDict([("b", 1), ("a", Color.RED)]))
    assert_same({"t": Text("x"), "n": Color.RED, "l": (1, [2, (3,)])})
    circular: list[Any] = []
    circular.append(circular)
    assert_same(circular)                    # ValueError: Circular reference detected
    assert_same({"x": {1, 2}})               # TypeError: Object of type set is not JSON serializable
    assert_same({(1, 2): "tuple key"})       # TypeError: keys must be str, int, float, bool or None
