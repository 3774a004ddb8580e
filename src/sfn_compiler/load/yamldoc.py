"""YAML with positions and duplicate-key detection, with `yaml.safe_load` semantics (no tags that
construct Python objects)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostic, code_frame, problem
from ..errors import SfncError
from .limits import read_text, too_large
from .limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_YAML_NODES
from .pointer import escape_token
from .positions import Position

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    data: Any
    filename: str
    positions: dict[str, tuple[Position, Position | None]]  # pointer -> (value position, key position)

    def locate(self, pointer: str, *, key: bool = False) -> Position:
        p = pointer
        while p not in self.positions and p:
            p = p[: p.rfind("/")]
        value_pos, key_pos = self.positions.get(p, (Position(1, 1), None))
        if (key or p != pointer) and key_pos is not None:
            return key_pos
        return value_pos


def _pos(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_CHECKED = {_INT: "an integer", _FLOAT: "a number", "tag:yaml.org,2002:bool": "a boolean",
            "tag:yaml.org,2002:timestamp": "a timestamp"}
POSITIONS_BUDGET = 100_000  # values whose positions are recorded under every alias that repeats them
_INT_BITS = 14_284          # about 4,300 decimal digits: what Python converts to and from text by default
_ESCAPES = re.compile("\\\\[uU]|[\ud800-\udfff]")   # a YAML \u escape or a raw surrogate in the text
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Limit(Exception):
    """A bound of `limits` passed: the walk stops with this one problem."""


class _Walk:
    """The walk over a composed YAML node tree that records every pointer's position, finds duplicate
    keys and checks what the constructor would build: scalars it would fail on or that JSON cannot hold
    (NaN, infinities, huge integers, lone surrogates), nesting past MAX_DEPTH, an alias that contains
    itself, and more than MAX_YAML_NODES nodes once aliases and merges are expanded (an alias bomb)."""

    def __init__(self, filename: str, constructor: yaml.constructor.SafeConstructor, text: str) -> None:
        self.filename = filename
        self.constructor = constructor
        self.positions: dict[str, tuple[Position, Position | None]] = {}
        self.problems: list[Diagnostic] = []
        self.nodes = 0                       # values built so far, aliases and merges expanded
        self.sizes: dict[int, int] = {}      # node -> the values it builds (walked once)
        self.open: set[int] = set()          # the nodes being walked (an alias to one contains itself)
        self.strings = bool(_ESCAPES.search(text))

    def fail(self, message: str, node: yaml.Node, pointer: str, hint: str | None = None) -> None:
        at = _pos(node.start_mark)
        self.problems.append(problem(message, file=self.filename, line=at.line, column=at.column,
                                     pointer=pointer, hint=hint))

    def scalar(self, node: yaml.ScalarNode, pointer: str) -> None:
        what = _CHECKED.get(node.tag)
        if what is not None:
            try:
                if node.tag == _INT and len(node.value) > 2 * _INT_BITS:
                    raise ValueError("too long")
                value = self.constructor.construct_object(node)
            except Exception:
                shown = node.value if len(node.value) <= 40 else node.value[:40] + "..."
                self.fail(f"{shown!r} is not {what} YAML can read" if node.tag != _INT or len(node.value) < 100
                          else f"an integer of {len(node.value)} characters: too large", node, pointer)
                return
            if node.tag == _FLOAT and not math.isfinite(value):
                self.fail(f"{node.value} is not a finite number: JSON has no NaN or Infinity", node, pointer,
                          hint="write a number, or quote it to mean the string")
            elif node.tag == _INT and abs(value).bit_length() > _INT_BITS:
                self.fail("an integer of more than 4,300 digits: too large", node, pointer)
        elif self.strings and isinstance(node.value, str) and (bad := _SURROGATE.search(node.value)):
            self.fail(f"a lone surrogate \\u{ord(bad.group()):04x} in a string: not Unicode text", node, pointer,
                      hint="a \\uD800-\\uDBFF escape must be followed by a \\uDC00-\\uDFFF one")

    def walk(self, node: yaml.Node, pointer: str, key_pos: Position | None, depth: int, record: bool = True) -> None:
        key = id(node)
        if record:
            self.positions[pointer] = (_pos(node.start_mark), key_pos)
        if key in self.sizes and (self.nodes > POSITIONS_BUDGET or not record):
            # a repeat (an alias, a merge) of a node walked before: it adds its size; past the budget its
            # inner positions are not recorded again (a pointer inside lands on the alias's node)
            self.count(self.sizes[key], node, pointer)
            return
        if depth > MAX_DEPTH:
            self.fail(f"nested deeper than {MAX_DEPTH} levels", node, pointer,
                      hint=f"sfnc reads at most {MAX_DEPTH} nested sequences and mappings (docs/files.md)")
            return
        if key in self.open:
            self.fail("an alias that contains itself (a recursive structure cannot be JSON data)", node, pointer)
            return
        before = self.nodes
        self.count(1, node, pointer)
        if isinstance(node, yaml.ScalarNode):
            if key not in self.sizes:
                self.scalar(node, pointer)
        else:
            self.open.add(key)
            if isinstance(node, yaml.MappingNode):
                self.mapping(node, pointer, depth, record)
            elif isinstance(node, yaml.SequenceNode):
                for i, item in enumerate(node.value):
                    self.walk(item, f"{pointer}/{i}", None, depth + 1, record)
            self.open.discard(key)
        self.sizes[key] = self.nodes - before

    def count(self, n: int, node: yaml.Node, pointer: str) -> None:
        self.nodes += n
        if self.nodes > MAX_YAML_NODES:
            self.fail(f"the document builds more than {MAX_YAML_NODES:,} values (its aliases repeat too much)",
                      node, pointer, hint=f"sfnc reads YAML documents of at most {MAX_YAML_NODES:,} values, "
                                          "each alias counted as the values it repeats (docs/files.md)")
            raise _Limit

    def mapping(self, node: yaml.MappingNode, pointer: str, depth: int, record: bool) -> None:
        seen: dict[Any, Position] = {}
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":   # counted (a merge repeats its mappings), not recorded
                self.walk(vnode, pointer, None, depth + 1, record=False)
                continue
            if isinstance(knode, yaml.ScalarNode):
                before = len(self.problems)
                self.scalar(knode, pointer)
                if len(self.problems) > before:
                    continue
            try:
                key = self.constructor.construct_object(knode, deep=True)
            except yaml.YAMLError:
                continue
            kpos = _pos(knode.start_mark)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                self.problems.append(problem("mapping keys must be scalars", file=self.filename, line=kpos.line,
                                             column=kpos.column))
                continue
            skey = "null" if key is None else (str(key).lower() if isinstance(key, bool) else str(key))
            child = pointer + "/" + escape_token(skey)
            if record:
                if key in seen:
                    first = seen[key]
                    self.problems.append(problem(
                        f"duplicate key {skey!r}: first at line {first.line}, again at line {kpos.line}",
                        file=self.filename, line=kpos.line, column=kpos.column, pointer=child,
                        hint="YAML keeps only the last one; remove or merge them"))
                else:
                    seen[key] = kpos
            self.walk(vnode, child, kpos, depth + 1, record)


def yaml_error_words(text: str, exc: yaml.MarkedYAMLError) -> tuple[str, yaml.Mark | None]:
    """What PyYAML's message means, in words, and the mark to point at (an unclosed quote or bracket is
    reported where it opens, not at the end of the file)."""
    problem, context = exc.problem or "", exc.context or ""
    mark, opened = exc.problem_mark or exc.context_mark, exc.context_mark or exc.problem_mark
    ch = text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""
    if "cannot start any token" in problem:
        if ch == "\t":
            return "a tab character: YAML indents with spaces only (replace the tab with spaces)", mark
        return f"{ch!r} cannot start a value here: put the value in quotes", mark
    if "scanning a quoted scalar" in context:
        if "end of stream" in problem:
            return "a quoted string that opens here is never closed", opened
        return f"a quoted string that opens here is broken: {problem}", opened
    if "flow sequence" in context:
        return "a '[' list that opens here is not closed (expected ',' or ']')", opened
    if "flow mapping" in context:
        return "a '{' mapping that opens here is not closed (expected ',' or '}')", opened
    if "block mapping" in context and "expected key" in problem:
        return "this line's indentation matches no key above it (indent it like its siblings)", mark
    if "mapping values are not allowed" in problem:
        return "a ':' inside a plain value: put the value in quotes (\"a: b\")", mark
    if "could not find expected ':'" in problem:
        return "a line without 'key: value' inside a mapping", opened
    if "exceeded maximum nesting depth" in problem:
        return f"nested deeper than libyaml reads (sfnc reads at most {MAX_DEPTH} levels)", mark
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return problem, mark
    if "block collection" in context or "block sequence" in context:
        return "a list item ('- ...') and a key are mixed at the same indentation", mark
    msg = f"{context}, {problem}" if context and problem else (problem or context or "invalid YAML")
    return msg, mark


def load_yaml_text(text: str, filename: str, loader_class: type | None = None) -> YamlDocument:
    """Parse YAML (safe_load semantics, or a SafeLoader subclass); duplicate keys are errors, and so is what
    JSON data cannot hold and what passes a bound of `limits` (located, with the pointer)."""
    if len(text) > MAX_DOCUMENT_BYTES:
        raise SfncError(too_large(len(text)), file=filename)
    loader = None
    try:
        loader = _guarded(loader_class or _Loader)(text)   # the pure-Python reader checks characters here
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, filename, {"": (Position(1, 1), None)})
        walk = _Walk(filename, loader, text)
        try:
            walk.walk(node, "", None, 1)      # the root is level 1, as in JSON
        except _Limit:
            pass
        if walk.problems:
            raise SfncError(walk.problems)
        positions = walk.positions
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        msg, mark = yaml_error_words(text, exc)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SfncError(f"invalid YAML: {msg}", file=filename, line=line, column=column,
                        frame=code_frame(text, line, column)) from None
    except yaml.reader.ReaderError as exc:   # a character YAML does not allow: at its place, in words
        before = text[:exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        ch = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise SfncError(f"invalid YAML: the character U+{ord(ch):04X} is not allowed (YAML allows no control "
                        "characters but tab and line breaks)", file=filename, line=line, column=column,
                        frame=code_frame(text, line, column)) from None
    except yaml.YAMLError as exc:
        raise SfncError(f"invalid YAML: {exc}", file=filename) from None
    except RecursionError:   # (the guards above stop nesting first; kept so no reader can overflow)
        raise SfncError(f"invalid YAML: nested deeper than {MAX_DEPTH} levels", file=filename) from None
    finally:
        if loader is not None:
            loader.dispose()
    return YamlDocument(data, filename, positions)


class _ComposeGuard:
    """Bounds the nesting the pure-Python composer recurses into (libyaml's stops at 1,000 itself)."""

    _sfnc_depth = 0

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML API
        self._sfnc_depth += 1
        try:
            if self._sfnc_depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                                  self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._sfnc_depth -= 1


@lru_cache(maxsize=None)
def _guarded(loader_class: type) -> type:
    if issubclass(loader_class, yaml.composer.Composer) and not issubclass(loader_class, _ComposeGuard):
        return type(loader_class.__name__, (_ComposeGuard, loader_class), {})
    return loader_class


def load_yaml_file(path: Path, display: str | None = None) -> YamlDocument:
    return load_yaml_text(read_text(path, display), display or str(path))
