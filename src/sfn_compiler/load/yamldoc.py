"""YAML with positions and duplicate-key detection, with `yaml.safe_load` semantics (no tags that
construct Python objects)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import Diagnostic, code_frame, problem
from ..errors import SfncError
from .jsondoc import read_text
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


def _walk(node: yaml.Node, pointer: str, key_pos: Position | None, filename: str,
          positions: dict, problems: list[Diagnostic], constructor: yaml.constructor.SafeConstructor) -> None:
    positions[pointer] = (_pos(node.start_mark), key_pos)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, Position] = {}
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                continue
            try:
                key = constructor.construct_object(knode, deep=True)
            except yaml.YAMLError:
                continue
            kpos = _pos(knode.start_mark)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                problems.append(problem("mapping keys must be scalars", file=filename, line=kpos.line,
                                        column=kpos.column))
                continue
            skey = "null" if key is None else (str(key).lower() if isinstance(key, bool) else str(key))
            child = pointer + "/" + escape_token(skey)
            if key in seen:
                first = seen[key]
                problems.append(problem(
                    f"duplicate key {skey!r}: first at line {first.line}, again at line {kpos.line}",
                    file=filename, line=kpos.line, column=kpos.column, pointer=child,
                    hint="YAML keeps only the last one; remove or merge them"))
            else:
                seen[key] = kpos
            _walk(vnode, child, kpos, filename, positions, problems, constructor)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{pointer}/{i}", None, filename, positions, problems, constructor)


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
    if "found duplicate anchor" in problem or "found undefined alias" in problem:
        return problem, mark
    if "block collection" in context or "block sequence" in context:
        return "a list item ('- ...') and a key are mixed at the same indentation", mark
    msg = f"{context}, {problem}" if context and problem else (problem or context or "invalid YAML")
    return msg, mark


def load_yaml_text(text: str, filename: str, loader_class: type | None = None) -> YamlDocument:
    """Parse YAML (safe_load semantics, or a SafeLoader subclass); duplicate keys are errors."""
    loader = (loader_class or _Loader)(text)
    try:
        node = loader.get_single_node()
        problems: list[Diagnostic] = []
        positions: dict[str, tuple[Position, Position | None]] = {}
        if node is None:
            return YamlDocument(None, filename, {"": (Position(1, 1), None)})
        _walk(node, "", None, filename, positions, problems, loader)
        if problems:
            raise SfncError(problems)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        msg, mark = yaml_error_words(text, exc)
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise SfncError(f"invalid YAML: {msg}", file=filename, line=line, column=column,
                        frame=code_frame(text, line, column)) from None
    except yaml.YAMLError as exc:
        raise SfncError(f"invalid YAML: {exc}", file=filename) from None
    finally:
        loader.dispose()
    return YamlDocument(data, filename, positions)


def load_yaml_file(path: Path, display: str | None = None) -> YamlDocument:
    return load_yaml_text(read_text(path, display), display or str(path))
