"""jsonata-python's parser as validation uses it: instrumented, and with a faster tokenizer and node copy.

`new_parser()` returns a parser for this thread (`asl.jsonata` resets it per parse). Three changes to the
stock `jsonata.parser.Parser`, all confined to that instance (jsonata-python itself is not patched: the
simulator evaluates with the stock engine):

- **Recorded operators.** The symbols of `??` and `?:` (JSONata 2.1; AWS documents JSONata 2.0.6) record where
  they are used in `parser.sfnc_ops`.
- **Tokenizer.** jsonata-python's tokenizer reads one character at a time and matches numbers against a
  copy of the rest of the text (quadratic in a long expression); a third of parsing. `_Tokenizer` reads
  whitespace, names, variables, numbers, operators and strings without escapes with a regex or `str.find`
  and hands everything else (comments, `/` as regex or division, escapes, back-quoted names, unclosed
  strings, numbers out of range) to the stock tokenizer from the same position, so tokens, their positions
  and the errors raised are the stock ones (tests/asl/test_jsonata_parser.py compares both on every
  expression of the corpus and on generated text).
- **Node copy.** Each token's node is a shallow copy of its symbol, made by `copy.copy` (a fifth of parsing);
  symbols here copy their attribute dict directly, which is what `copy.copy` does for these plain objects.

The stock `Parser.parse` builds its tokenizer inline, so `_parse` repeats its few lines with `_Tokenizer`
(pinned: jsonata-python 0.7.x).
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any

from jsonata import jexception, utils
from jsonata.parser import Parser
from jsonata.regex_engine import default_regex_engine
from jsonata.tokenizer import Tokenizer

_WHITESPACE = re.compile(r"[ \t\n\r]*")
# a name runs to whitespace or a one-character operator (the stock tokenizer's stop characters)
_STOP = "".join(sorted(op for op in Tokenizer.operators if len(op) == 1))
_NAME = re.compile("[^ \t\n\r" + re.escape(_STOP) + "]*")
_NUMBER = re.compile(r"-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?")   # the stock pattern, unanchored
_PAIRS = frozenset(op for op in Tokenizer.operators if len(op) == 2 and not op.isalpha())
_SINGLE = frozenset(_STOP)
_WORDS = {"or": ("operator", "or"), "in": ("operator", "in"), "and": ("operator", "and"),
          "true": ("value", True), "false": ("value", False), "null": ("value", None)}
_Token = Tokenizer.Token
_convert = utils.Utils.convert_number


class _Tokenizer(Tokenizer):
    def next(self, prefix: bool):
        path = self.path
        pos = _WHITESPACE.match(path, self.position).end()
        self.position = pos
        if pos >= self.length:
            return None
        c = path[pos]
        if c == "/" or c == "`":   # a comment, a regex or division; a back-quoted name
            return Tokenizer.next(self, prefix)
        pair = path[pos:pos + 2]
        if pair in _PAIRS:
            self.position = pos + 2
            return _Token("operator", pair, pos + 2)
        if c in _SINGLE:
            self.position = pos + 1
            return _Token("operator", c, pos + 1)
        if c == '"' or c == "'":
            end = path.find(c, pos + 1)
            if end < 0 or "\\" in path[pos + 1:end]:
                return Tokenizer.next(self, prefix)
            self.position = end + 1
            return _Token("string", path[pos + 1:end], end + 1)
        if "0" <= c <= "9":
            text = _NUMBER.match(path, pos).group(0)
            num = float(text)
            if math.isnan(num) or not math.isfinite(num):
                return Tokenizer.next(self, prefix)
            self.position = end = pos + len(text)
            return _Token("number", _convert(num), end)
        end = _NAME.match(path, pos).end()
        self.position = end
        if c == "$":
            return _Token("variable", path[pos + 1:end], end)
        name = path[pos:end]
        word = _WORDS.get(name)
        if word is not None:
            return _Token(word[0], word[1], end)
        return _Token("name", name, end)


def _copy(self):
    node = object.__new__(type(self))
    node.__dict__.update(self.__dict__)
    return node


def _parse(self, jsonata, regex_engine=default_regex_engine):
    # Parser.parse, with this module's tokenizer
    self.source = jsonata
    self.lexer = _Tokenizer(self.source, regex_engine)
    self.advance()
    expr = self.expression(0)
    if self.node.id != "(end)":
        self.handle_error(jexception.JException("S0201", self.node.position, self.node.value))
    expr = self.process_ast(expr)
    if expr.type == "parent" or expr.seeking_parent is not None:
        raise jexception.JException("S0217", expr.position, expr.type)
    if self.errors:
        expr.errors = self.errors
    return expr


_CLASSES: dict[tuple[type, str | None], type] = {}


def _symbol_class(base: type, op: str | None) -> type:
    """`base` with the fast copy (where it copies as `Symbol` does) and, for `op`, the recording `led`."""
    key = (base, op)
    cls = _CLASSES.get(key)
    if cls is None:
        attrs: dict[str, Any] = {}
        if base.clone is Parser.Symbol.clone:
            attrs["clone"] = _copy
        if op is not None:
            def led(self, left, _base=base, _op=op):
                self._outer_instance.sfnc_ops.append((_op, self.position))
                return _base.led(self, left)
            attrs["led"] = led
        cls = _CLASSES[key] = type(f"Sfnc{base.__name__}", (base,), attrs) if attrs else base
    return cls


class _ValidationParser(Parser):
    parse = _parse


_LOCAL = threading.local()


def new_parser() -> Parser:
    """This thread's parser, reset for a new parse (`sfnc_ops` lists the recorded `??`/`?:` uses)."""
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _ValidationParser()
        for key, sym in parser.symbol_table.items():
            sym.__class__ = _symbol_class(type(sym), key if key in ("??", "?:") else None)
        _LOCAL.parser = parser
    parser.sfnc_ops = []
    parser.errors = []
    parser.ancestry = []
    parser.ancestor_label = 0
    parser.ancestor_index = 0
    return parser
