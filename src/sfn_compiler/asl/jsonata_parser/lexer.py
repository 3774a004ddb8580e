"""The tokenizer: jsonata-python's, reading with regexes and `str.find` where it reads a character at a time."""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import JException

_SINGLE = frozenset(".[]{}(),@#;:?+-*/%|=<>^&!~")   # operators, and `!` `~`, where a name ends too
_PAIRS = frozenset(("..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"))
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NAME = re.compile("[^ \t\n\r" + re.escape("".join(sorted(_SINGLE))) + "]*")   # a name ends at an operator
_NUMBER = re.compile(r"-?(0|([1-9][0-9]*))(\.[0-9]+)?([Ee][-+]?[0-9]+)?")
_HEX = re.compile("^[0-9a-fA-F]+$")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WORDS = {"or": ("operator", "or"), "in": ("operator", "in"), "and": ("operator", "and"),
          "true": ("value", True), "false": ("value", False), "null": ("value", None)}


class Lexer:
    """jsonata-python's tokenizer: `next(prefix)` is the next token as (type, value, end offset), or None at
    the end. After an operand (`prefix`) a `/` is division, elsewhere it opens a regular expression."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)
        self.position = 0

    def next(self, prefix: bool) -> tuple[str, Any, int] | None:
        text = self.text
        pos = _WHITESPACE.match(text, self.position).end()
        self.position = pos
        if pos >= self.length:
            return None
        c = text[pos]
        if c == "/":
            if text[pos + 1] == "*":   # IndexError for a `/` that ends the text, as in jsonata-python
                end = text.find("*/", pos + 2)
                if end < 0 or end + 2 >= self.length:   # it reads on to the end, or one past the comment
                    raise _index_error()
                self.position = end + 2
                return self.next(prefix)
            if not prefix:
                self.position = pos + 1
                return self._regex()
        pair = text[pos:pos + 2]
        if pair in _PAIRS:
            self.position = pos + 2
            return "operator", pair, pos + 2
        if c in _SINGLE:
            self.position = pos + 1
            return "operator", c, pos + 1
        if c == '"' or c == "'":
            end = text.find(c, pos + 1)
            if end < 0 or "\\" in text[pos + 1:end]:
                return self._string(c)
            self.position = end + 1
            return "string", text[pos + 1:end], end + 1
        if "0" <= c <= "9":
            digits = _NUMBER.match(text, pos).group(0)
            num = float(digits)
            if math.isnan(num) or not math.isfinite(num):
                raise JException("S0102", pos)
            self.position = end = pos + len(digits)
            return "number", int(num) if num == int(num) else num, end
        if c == "`":
            end = text.find("`", pos + 1)
            if end < 0:
                self.position = self.length
                raise JException("S0105", self.length)
            self.position = end + 1
            return "name", text[pos + 1:end], end + 1
        end = _NAME.match(text, pos).end()
        self.position = end
        if c == "$":
            return "variable", text[pos + 1:end], end
        name = text[pos:end]
        word = _WORDS.get(name)
        if word is not None:
            return word[0], word[1], end
        return "name", name, end

    def _string(self, quote: str) -> tuple[str, Any, int]:
        """A string literal with escapes (or never closed), from its opening quote."""
        text = self.text
        pos = self.position + 1
        out = []
        while pos < self.length:
            c = text[pos]
            if c == "\\":
                pos += 1
                if pos >= self.length:
                    raise _index_error()
                c = text[pos]
                if c in _ESCAPES:
                    out.append(_ESCAPES[c])
                elif c == "u":
                    octets = text[pos + 1:pos + 5]
                    if not _HEX.match(octets):
                        raise JException("S0104", pos)
                    out.append(chr(int(octets, 16)))
                    pos += 4
                else:   # an unknown escape: jsonata-python raises S0301 (S0103's message is not used)
                    raise JException("S0301", pos, c)
            elif c == quote:
                self.position = pos + 1
                return "string", "".join(out), pos + 1
            else:
                out.append(c)
            pos += 1
        raise JException("S0101", pos)

    def _regex(self) -> tuple[str, Any, int]:
        """A regular expression literal and its flags, after the opening `/` (compiled as jsonata-python's
        default regex engine compiles it)."""
        text = self.text
        start = pos = self.position
        depth = 0
        while pos < self.length:
            c = text[pos]
            if c == "/" and depth == 0:
                backslashes = 0
                while text[pos - backslashes - 1] == "\\":
                    backslashes += 1
                if backslashes % 2 == 0:
                    pattern = text[start:pos]
                    if pattern == "":
                        raise JException("S0301", pos)
                    pos += 1
                    flags_start = pos
                    while pos < self.length and text[pos] in "im":
                        pos += 1
                    flags = text[flags_start:pos]
                    self.position = pos
                    return "regex", re.compile(pattern, (re.IGNORECASE if "i" in flags else 0) |
                                               (re.MULTILINE if "m" in flags else 0)), pos
            if c in "([{" and text[pos - 1] != "\\":
                depth += 1
            if c in ")]}" and text[pos - 1] != "\\":
                depth -= 1
            pos += 1
        self.position = pos
        raise JException("S0302", pos)


def _index_error() -> IndexError:
    # where jsonata-python's tokenizer reads past the end of the text
    return IndexError("string index out of range")
