"""AWS Step Functions' JSONPath: parse a path once, evaluate it many times, the way AWS does.

The Amazon States Language says paths "follow JsonPath syntax" and links Jayway JsonPath, the Java library
AWS runs. This module is a small evaluator of the subset Step Functions uses, with Jayway's semantics where
they show through (recorded AWS executions, cited in ``tests/asl/test_jsonpath.py``):

- Paths: ``$``, ``.name``, ``['name']``, ``['a','b']``, ``[0]``, ``[-1]``, ``[0,2]``, ``[1:3]``, ``[*]``,
  ``.*``, ``..name`` (deep scan), filters ``[?(@.x == 1)]`` (``== != < <= > >= =~ in nin`` ``&& || !``,
  existence ``[?(@.x)]``), and the roots ``$`` (state data), ``$$`` (context object) and ``$name``
  (workflow variable, JSONPath states only).
- A *definite* path (only single names and single indexes) yields one value or fails with Jayway's
  ``PathNotFoundException`` text (``No results for path: $['x']``, ``Missing property in path $['a']``),
  which AWS quotes in ``Invalid path '…' : …`` causes.
- An *indefinite* path yields a list of every match, never fails, and yields ``[]`` when nothing matches
  (recorded: ``$.items[*].itemValue`` on ``{}`` gives ``[]``).
- A *Reference Path* (``ResultPath``, ``…SecondsPath``, Choice ``Variable``) is a definite path without
  filters; :func:`parse_reference_path` refuses anything else.

Modules: `path` (:class:`JsonPath`, its tokens and Jayway's evaluation), `filters` (``[?(…)]``
expressions), `parser` (:func:`parse_path`, :func:`parse_reference_path`), `text` (JSON and Java
renderings AWS's messages use). Import from the package.

Evaluation never mutates its input and returns the matched values themselves (no copies): callers that
build new documents copy what they keep.
"""

from __future__ import annotations

from .parser import jayway_path, parse_path, parse_reference_path, path_root
from .path import JSON_PROVIDER, JsonPath, JsonPathSyntaxError, PathNotFound, is_path
from .text import java_class_name, java_double, java_string, to_json_text

__all__ = [
    "JsonPath",
    "JsonPathSyntaxError",
    "PathNotFound",
    "parse_path",
    "parse_reference_path",
    "path_root",
    "is_path",
    "jayway_path",
    "java_class_name",
    "to_json_text",
    "java_string",
]
