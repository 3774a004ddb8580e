"""The JSONata parser validation uses: jsonata-python's parser (0.7.x), ported, without its engine.

`new_parser()` returns a parser whose `.parse(body)` gives the processed tree jsonata-python's
`Parser.parse` gives (the same node types, values, positions, paths and steps, predicates and stages,
groups, sort terms, focus/index/ancestry bindings, lambdas with their signatures, thunks) or raises the
error it raises (`JException` with the same code, location, tokens and message, or the same Python error
for the inputs where jsonata-python fails with one, e.g. a comment that ends the text). Its `.sfnc_ops`
lists where the JSONata 2.1 operators `??` and `?:` are used (AWS documents JSONata 2.0.6).

Why our own: importing `jsonata` loads the whole evaluation engine (13 ms on every `sfnc validate` of a
definition with JSONata expressions), and its parser is slow for what validation needs: a tokenizer that
reads one character at a time (and copies the rest of the text per number), a node that sets ~45
attributes when created and is copied per token. Here the tokenizer reads with regexes and `str.find`, a
node sets only what it has (the other attributes read as the stock defaults, class attributes of `Node`),
and the Pratt parser dispatches on the token instead of copying a symbol per token. The simulator still
evaluates with jsonata-python itself.

How it stays equal to stock: tests/asl/test_jsonata_parser.py parses every expression of the repository
and the corpus, hand-written cases of every construct and error, and generated text with both parsers and
compares the trees (every attribute, shared nodes included) and the errors. Ported from
jsonata/parser.py, tokenizer.py, signature.py (parsing) and jexception.py (messages); two things of
jsonata-python's are left out because they cannot happen here: error recovery (it parses with
`recover=False`) and `next_function` (it needs a name step whose value is a node; names are strings).

The modules: `errors` (`JException`, the messages), `lexer` (the tokenizer), `nodes` (`Node`, `Signature`),
`pratt` (the parser), `processing` (jsonata-python's `process_ast`).
"""

from __future__ import annotations

from .errors import JException
from .nodes import Node, Signature
from .pratt import Parser, new_parser

__all__ = ["JException", "Node", "Parser", "Signature", "new_parser"]
