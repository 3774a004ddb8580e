"""The tokenizer: jsonata-python's, reading with regexes and `str.find` where it reads a character at a time."""

from __future__ import annotations

import math
import re
from typing import Any

from .errors import JException

_STOP = re.escape(".[]{}(),@#;:?+-*/%|=<>^&!~")   # the one-character operators, and `!` `~`: a name ends there
# the usual tokens, after any whitespace: one alternative per kind (the others, and a `/`, are `_other`'s)
_TOKEN = re.compile(
    r"[ \t\n\r]*(?:(?P<pair>\.\.|:=|!=|>=|<=|\*\*|~>|\?:|\?\?)"
    r"|(?P<single>[.\[\]{}(),@#;:?+\-*%|=<>^&!~])"   # not `/`: a comment, a regex or division
    r"|\"(?P<dq>[^\"\\]*)\"|'(?P<sq>[^'\\]*)'"   # a string without escapes
    r"|(?P<number>(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[Ee][-+]?[0-9]+)?)"
    r"|\$(?P<variable>[^ \t\n\r" + _STOP + r"]*)"
    r"|(?P<name>[^ \t\n\r" + _STOP + r"\"'`][^ \t\n\r" + _STOP + r"]*))")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_HEX = re.compile("^[0-9a-fA-F]+$")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WORDS = {"or": ("operator", "or"), "in": ("operator", "in"), "and": ("operator", "and"),
          "true": ("value", True), "false": ("value", False), "null": ("value", None)}


class Lexer:
    """jsonata-python's tokenizer: `next(after_operand)` is the next token as (type, value, end offset), or
    None at the end. After an operand a `/` is division, elsewhere it opens a regular expression."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.length = len(text)
        self.position = 0

    def next(self, after_operand: bool) -> tuple[str, Any, int] | None:
        match = _TOKEN.match(self.text, self.position)
        if match is None:
            return self._other(after_operand)
        kind = match.lastgroup
        value = match.group(kind)
        end = self.position = match.end()
        if kind == "name":
            word = _WORDS.get(value)
            return ("name", value, end) if word is None else (word[0], word[1], end)
        if kind == "single" or kind == "pair":
            return "operator", value, end
        if kind == "variable":
            return "variable", value, end
        if kind == "number":
            num = float(value)
            if math.isinf(num):
                raise JException("S0102", match.start(kind))
            return "number", int(num) if num == int(num) else num, end
        return "string", value, end

    def _other(self, after_operand: bool) -> tuple[str, Any, int] | None:
        """The end of the text, a comment, a regex, `/`, a string with escapes (or never closed), a back-quoted
        name."""
        text = self.text
        pos = self.position = _WHITESPACE.match(text, self.position).end()
        if pos >= self.length:
            return None
        c = text[pos]
        if c == "/":
            if text[pos + 1] == "*":   # IndexError for a `/` that ends the text, as in jsonata-python
                end = text.find("*/", pos + 2)
                if end < 0 or end + 2 >= self.length:   # it reads on to the end, or one past the comment
                    raise _index_error()
                self.position = end + 2
                return self.next(after_operand)
            self.position = pos + 1
            return ("operator", "/", pos + 1) if after_operand else self._regex()
        if c == "`":
            end = text.find("`", pos + 1)
            if end < 0:
                self.position = self.length
                raise JException("S0105", self.length)
            self.position = end + 1
            return "name", text[pos + 1:end], end + 1
        return self._string(c)   # `_TOKEN` reads every other character but a quote

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
