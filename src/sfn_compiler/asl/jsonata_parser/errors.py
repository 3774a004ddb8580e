"""The parser's errors: jsonata-python's `JException` and the message templates of the codes it raises."""

from __future__ import annotations

from typing import Any

_MESSAGES = {   # jsonata-python's templates of the parser's codes, `{{token}}`/`{{value}}` as `{}`
    "S0101": "String literal must be terminated by a matching quote",
    "S0102": "Number out of range: {}",
    "S0104": "The escape sequence \\u must be followed by 4 hex digits",
    "S0105": "Quoted property name must be terminated with a backquote (`)",
    "S0201": "Syntax error: {}",
    "S0202": "Expected {}, got {}",
    "S0203": "Expected {} before end of expression",
    "S0206": "Unknown expression type: {}",
    "S0207": "Unexpected end of expression",
    "S0208": "Parameter {} of Object definition must be a variable name (start with $)",
    "S0209": "A predicate cannot follow a grouping expression in a step",
    "S0210": "Each step can only have one grouping expression",
    "S0211": "The symbol {} cannot be used as a unary operator",
    "S0212": "The left side of := must be a variable name (start with $)",
    "S0213": "The literal value {} cannot be used as a step within a path expression",
    "S0214": "The right side of {} must be a variable name (start with $)",
    "S0215": "A context variable binding must precede any predicates on a step",
    "S0216": "A context variable binding must precede the \"order-by\" clause on a step",
    "S0217": "The object representing the \"parent\" cannot be derived from this expression",
    "S0301": "Empty regular expressions are not allowed",
    "S0302": "No terminating / in regular expression",
}


class JException(RuntimeError):
    """A syntax error as jsonata-python's `JException` reports it: `error` (the code), `location` (an
    offset, mostly the end of the offending token), `current` and `expected` (the tokens of the message).
    Its other attributes are None for a syntax error, as there."""

    extra = type = remaining = None

    def __init__(self, error: str, location: int = 0, current: Any = None, expected: Any = None) -> None:
        super().__init__(_MESSAGES[error].format(current, expected))
        self.error = error
        self.location = location
        self.current = current
        self.expected = expected
