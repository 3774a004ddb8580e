"""The validation parser (asl/jsonata_parser.py) parses exactly as stock jsonata-python: the same tree, the
same tokens and positions, the same errors, on every expression we can find and on generated text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonata.parser import Parser

from sfn_compiler.asl import jsonata as J
from sfn_compiler.asl.jsonata_parser import new_parser

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def _stock_class(obj) -> str:
    for cls in type(obj).__mro__:
        if cls.__module__ == "jsonata.parser":
            return cls.__qualname__
    return type(obj).__qualname__


def _tree(node, seen=None):
    """A comparable picture of a parse tree (classes as jsonata-python names them; shared nodes and cycles
    by first-visit order)."""
    seen = {} if seen is None else seen
    if isinstance(node, Parser.Symbol):
        if id(node) in seen:
            return ("ref", seen[id(node)])
        seen[id(node)] = len(seen)
        return (_stock_class(node), tuple(sorted((k, _tree(v, seen)) for k, v in vars(node).items()
                                                 if k != "_outer_instance")))
    if isinstance(node, (list, tuple)):
        return tuple(_tree(v, seen) for v in node)
    if isinstance(node, dict):
        return tuple(sorted((k, _tree(v, seen)) for k, v in node.items()))
    if isinstance(node, (str, int, float, bool)) or node is None:
        return (type(node).__name__, node)
    return (type(node).__qualname__, repr(node))


def _outcome(parser, body: str):
    try:
        return ("tree", _tree(parser.parse(body)))
    except Exception as exc:  # noqa: BLE001 - the stock parser's errors, whatever they are, must be the same
        return ("error", type(exc).__name__, getattr(exc, "error", None), getattr(exc, "location", None),
                getattr(exc, "token", None), getattr(exc, "value", None), str(exc))


def _same(body: str) -> None:
    assert _outcome(new_parser(), body) == _outcome(Parser(), body), body


def _bodies(node, out: list[str]) -> None:
    if isinstance(node, str):
        d = J.split_delimited(node)
        if d.kind == "expression":
            out.append(d.body)
    elif isinstance(node, dict):
        for v in node.values():
            _bodies(v, out)
    elif isinstance(node, list):
        for v in node:
            _bodies(v, out)


def _files() -> list[Path]:
    roots = [REPO / "definitions", REPO / "tests", SHARED / "corpus", SHARED / "conformance"]
    return [p for root in roots if root.is_dir() for p in sorted(root.rglob("*.json"))]


HANDWRITTEN = [
    "$states.input.a.b", "$x ?? 1", "$x ?: 2", "a..b", "[1..5]", "$a := 3", "$a != 'x'", "1 >= 2 <= 3",
    "**.x", "$f ~> $g", "a ? b : c", "/* note */ $x", "$x /* unclosed", "/ab+c/i", "$match($s, /[a-z]/m)",
    "10 / 2", "a/b", "\"esc \\\" \\n \\u00e9\"", "'it''s'", "\"unclosed", "'\\q'", "\"\\u12\"", "`back tick`",
    "`unclosed", "1e999", "1.5e3", "0.25", "007", "1.", "-1", "$", "$$", "$.a", "true and false or null",
    "x in [1]", "a!b", "a~b", "{'k': [1, 2]}", "$sum([1,2])", "function($x){$x}", "  ", "a  ", "@$x#$i",
    "$x;$y", "(", ")", "a[", "€uro", "a\u00a0b", "a\"b", "1abc", "$\u00e9", "%", "^(a)", "a|$|", "x.`y`.z",
]


@pytest.mark.parametrize("body", HANDWRITTEN)
def test_handwritten_expressions_parse_as_stock(body: str) -> None:
    _same(body)


def test_every_expression_in_the_repository_and_corpus_parses_as_stock() -> None:
    bodies: list[str] = []
    for path in _files():
        try:
            _bodies(json.loads(path.read_text(encoding="utf-8")), bodies)
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue
    unique = list(dict.fromkeys(bodies))
    assert len(unique) > 200   # the repository's own definitions and tests hold hundreds
    for body in unique:
        _same(body)


_ALPHABET = st.sampled_from(list("ab$. \t\n[](){},:;?=!<>+-*/%&|^~@#'\"`\\019eE") +
                            ["and", "or", "in", "true", "null", "/*", "*/", "..", ":=", "??", "?:", "~>", "\\u00e9",
                             "$states.input", "$x"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_ALPHABET, max_size=24).map("".join))
def test_generated_text_parses_as_stock(body: str) -> None:
    _same(body)


def test_recorded_operators_and_a_fresh_state_per_parse() -> None:
    p = new_parser()
    p.parse("$a ?? ($b ?: 1)")
    assert sorted(op for op, _ in p.sfnc_ops) == ["?:", "??"]
    assert new_parser().sfnc_ops == []
