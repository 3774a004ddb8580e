"""The validation parser (asl/jsonata_parser/) parses exactly as stock jsonata-python: the same tree, the
same positions, the same errors, on every expression we can find, on hand-written cases of every construct and
error, and on generated text; and it does not load jsonata-python.

The comparison reads every attribute of jsonata-python's `Parser.Symbol` on both trees (`getattr`: an
attribute our node does not set reads as the stock default), shared nodes and cycles by first-visit order.
Left out: the stock node's Pratt-parser state (`_outer_instance`, `id`, `bp`, `lbp`, `prefix`), which no
consumer of the tree reads. A lambda's signature compares by its parsed parameters and argument regex (the
stock `Signature` object also carries the evaluator's validation). A recursion limit is not compared: the
two parsers nest Python calls differently."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonata.parser import Parser as StockParser
from jsonata.signature import Signature as StockSignature

from sfn_compiler.asl import jsonata as J
from sfn_compiler.asl.jsonata_parser import Node, Signature, new_parser

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"

_PARSER_STATE = frozenset(("_outer_instance", "id", "bp", "lbp", "prefix"))
_ATTRIBUTES = tuple(sorted(set(vars(StockParser.Symbol(None))) - _PARSER_STATE))


def _tree(node, seen=None):
    """A comparable picture of a parse tree."""
    seen = {} if seen is None else seen
    if isinstance(node, (StockParser.Symbol, Node)):
        if id(node) in seen:
            return ("ref", seen[id(node)])
        seen[id(node)] = len(seen)
        unknown = set(vars(node)) - set(_ATTRIBUTES) - _PARSER_STATE
        assert not unknown and (isinstance(node, StockParser.Symbol) or not _PARSER_STATE & set(vars(node))), vars(node)
        return ("node",) + tuple((name, _tree(getattr(node, name), seen)) for name in _ATTRIBUTES)
    if isinstance(node, StockSignature):
        return ("signature", tuple((p.type, p.regex, p.context, p.array, p.subtype) for p in node._params),
                node._signature)
    if isinstance(node, Signature):
        return ("signature", node.params, node.pattern)
    if isinstance(node, (list, tuple)):
        return tuple(_tree(v, seen) for v in node)
    if isinstance(node, (str, int, float, bool)) or node is None:
        return (type(node).__name__, node)
    return (type(node).__qualname__, repr(node))   # a compiled regular expression


_EXCEPTION = ("error", "location", "current", "expected", "extra", "type", "remaining")   # JException's


def _outcome(parser, body: str):
    try:
        return ("tree", _tree(parser.parse(body)))
    except Exception as exc:  # noqa: BLE001 - the stock parser's errors, whatever they are, must be the same
        return ("error", type(exc).__name__, str(exc)) + tuple(getattr(exc, name, None) for name in _EXCEPTION)


def _same(body: str) -> None:
    assert _outcome(new_parser(), body) == _outcome(StockParser(), body), body


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
    # tokens: names, variables, literals, strings and their escapes, numbers, comments, regexes, operators
    "$states.input.a.b", "$", "$$", "$.a", "true and false or null", "x in [1]", "`back tick`", "x.`y`.z",
    "\"esc \\\" \\n \\u00e9 \\/ \\b\\f\\r\\t\"", "'it''s'", "'a\\'b'", "\"\\u00e9x\"", "1.5e3", "0.25", "007", "1.",
    "-1", "1e-3", "/* note */ $x", "a /* c */ + 1", "/ab+c/i", "/a\\/b/m", "$match($s, /[a-z]/m)", "/a(b/c)/",
    "/[/]/im", "10 / 2", "a/b", "a!=b", "a<=b>=c", "a~>$f", "€uro", "a\u00a0b", "a\"b", "1abc", "$\u00e9",
    "a  ", "$a != 'x'", "1 >= 2 <= 3", "a & b", "a % b", "a * b", "-$x", "--1", "-(1)", "- 2.5",
    # paths, wildcards, predicates and stages, keep-array, group-by, sort, focus and index bindings
    "a.b.c", "a..b", "**.x", "a.*.b", "*", "a.\"b c\".d", "$x.a[0].b", "a[0]", "a.b[0][1]", "$x[0]", "(a)[0]",
    "a[b > 1].c", "a[]", "a[].b", "a.b[]", "$x[]", "a[0][]", "a[] ~> $f", "a{b: c}", "a.b{c: d}", "a{b: c}.d",
    "a^(b)", "a^(<b, >c)", "a.b^(>c)[0]", "a@$x.b", "a.b@$x[c = $x.d]", "$@$v", "a#$i", "a#$i[0]", "a[0]#$i",
    "a.b#$i.c", "$x#$i", "a.b[0]#$i", "a@$x#$i", "a.b@$x.c@$y", "@$x#$i", "[1, 2].a", "a.[b, c]", "a.(b; c)",
    # parent (ancestry)
    "a.b.%", "a.b.%.c", "a.(b.%)", "a.b[%.c = 1]", "a.b.%.%", "a.*.%", "a.{'x': %.b}", "a.b^(%.c)",
    "a.b.[%]", "a.b.(%)", "a.b.(%.c; %.d)", "a@$x.b.%", "a.b@$x.c.%.%", "a.b#$i.c.%", "a.b.c[%.%.d]",
    "a.b{%.c: d}", "a.b.($x := %.c)", "a.b.($f(%))", "a.b.(%.c ? 1 : 2)", "a.b.-%.c", "a.b.[%.c, %.d]",
    # functions, partial application, lambdas and signatures, tail calls, apply, conditions, blocks, bind
    "$sum([1,2])", "$f(?, 1)", "$substring(?, 0, 2)", "function($x){$x}", "λ($x)<s-:s>{$x}",
    "function($a, $b)<nn:n>{$a + $b}", "function($f)<f<n:n>>{$f(1)}", "function($x)<a<n>?>{$x}",
    "function($x)<(sn)+>{$x}", "function($x)<x-j?:b>{$x}", "function($x)<o:o>{$x}",
    "function($x){$x ? $f($x) : $g()}", "function($x){($a := 1; $f($a))}", "function($x){$f($x)[0]}",
    "function($x){$x ?? $f()}", "$x ~> $map(function($v){$v * 2})", "a ~> $f(1) ~> $g", "a ? b : c", "a ? b",
    "$x ?? 1", "$x ?: 2", "a[0] ?? b.c", "a.b ?? c", "a ?? b ?? c", "(a; b)", "()", "([1]; [2])", "(a.[b])",
    "$a := 3", "$a := $b := 4", "{'k': [1, 2]}", "{}", "[]", "[1..3, 5]", "[1..$n]", "$x;$y",
    "$ ~> |a|{'b': 1}|", "$ ~> |a|{'b': 1}, ['c']|", "a.$f()", "a.$f().b", "$f()()", "a(b)", "and", "a.or",
    "in.in", "a or b and c", "a.function", "$x.λ",
    # errors, one or more for every code the parser raises, and the Python errors jsonata-python fails with
    "\"unclosed", "'abc\\n", "'\\q'", "\"\\u12\"", "\"\\u12g4\"", "\"\\u12\n4\"", "'\\", "`unclosed", "1e999",
    "a b", "1 2", "(a b", "(a", "[1, 2", "{'a': 1", "{'a' 1}", "a.", "", "  ", "function(a){1}",
    "function($x, ?){1}", "a{'k': 1}[0]", "a{'k': 1}{'j': 2}", ")", "+1", "?", "a := 1", "1 := 2", "a.1",
    "a.true", "a.null", "a@b", "a#1", "a[0]@$x", "a^(b)@$x", "a^(b)#$x", "%", "%.a", "$x.%", "a.(1).%",
    "$match(a, //)", "$match(a, /abc)", "a ! b", "a ~ b", "a /", "$x /* unclosed", "a /* c */", "/**/",
    "function($x)<1>{1}", "function($x)<-s>{1}", "function($x)<s<s>>{1}", "function($x)<(s<n>)>{1}",
    "function($x)<(sn>{1}", "function($x)<(\\)>{1}", "function($x)<s", "function($x)<s>", "function($x)<true>{1}",
    "function($x)<s>$x", "function($x)<{1}", "a^(", "a^(>b", "(", "[", "a[", "^(a)", "a|$|", "|a|b", "|a|b,c",
    "a.b{c: d}{e: f}", "a{b: c}[0]", "$x{'k': 1}[0]", "$x{'k': 1}{'j': 2}", "%.b.c", "a.%.%", "a.b.%.%.%",
    "a[%.b]", "(%)", "[%]", "{'a': %}",
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
                             "$states.input", "$x", "function", "λ", "($x)", "<s-:n>", "<", ">", "sn", "a<n>",
                             "%", ".%", "%.", "^(", "[]", "@$v", "#$i", "|", "{'k':", "**", "*"])


@settings(max_examples=1500, deadline=None)
@given(st.lists(_ALPHABET, max_size=24).map("".join))
def test_generated_text_parses_as_stock(body: str) -> None:
    _same(body)


_ATOMS = st.sampled_from(["a", "b", "$x", "$", "%", "*", "**", "1", "'s'", "true", "/r/i", "$f()", "and"])
_FORMS = ["{0}.{1}", "{0}[{1}]", "{0}[]", "{0}{{{1}: {0}}}", "{0}^(>{1})", "{0}@$v", "{0}#$i", "({0}; {1})",
          "[{0}, {1}]", "[{0}..{1}]", "{0} ?? {1}", "{0} ?: {1}", "{0} ? {1} : {0}", "$f({0}, ?)", "-{0}",
          "function($v){{{0}}}", "function($v)<x?:n>{{{0}}}", "{0} ~> {1}", "{0} + {1}", "$v := {0}",
          "|{0}|{1}|", "{{{0}: {1}}}", "{0}.({1})", "{0} and {1}"]
_NESTED = st.recursive(_ATOMS, lambda inner: st.builds(lambda form, a, b: form.format(a, b),
                                                       st.sampled_from(_FORMS), inner, inner), max_leaves=12)


@settings(max_examples=1500, deadline=None)
@given(_NESTED)
def test_generated_nested_constructs_parse_as_stock(body: str) -> None:
    # paths, predicates, groups, sorts, bindings and `%` nested in each other: the processing of the tree
    _same(body)


def test_recorded_operators_and_a_fresh_state_per_parse() -> None:
    p = new_parser()
    p.parse("$a ?? ($b ?: 1)")
    assert sorted(op for op, _ in p.sfnc_ops) == ["?:", "??"]
    assert new_parser().sfnc_ops == []


def test_the_parser_does_not_load_jsonata_python() -> None:
    probe = ("import sys\nfrom sfn_compiler.asl.jsonata_parser import new_parser\n"
             "new_parser().parse('a.b[0] ?? $f(?)')\n"
             "print(sorted(m for m in sys.modules if m.split('.')[0] == 'jsonata'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
