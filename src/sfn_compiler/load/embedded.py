"""Definitions that live inside another file (a CloudFormation template, a Terraform file, a YAML file).

The validator locates findings through a source map (`render.SourceMap`, or `TextSourceMap` here): a pointer into the validated
definition, and an offset inside a string, become file:line:col in the file the user edits. Two kinds of
embedding need two small adapters, both built on the existing locators (`JsonDocument`, `YamlDocument`):

- **A subtree** (an inline `Definition:` object in a template, an `.asl.yaml` file): `JsonView` and
  `YamlView` look a definition pointer up under a prefix in the outer document. They have the
  `locate`/`locate_in_string` interface of `JsonDocument`, so `render.SourceMap` uses them as its
  `template` unchanged.
- **A text** (a `DefinitionString`, a `Fn::Join` of string fragments as CDK emits it, a `DefinitionUri`
  file, a `.tftpl` file, each possibly with substituted values): the definition text is assembled from
  `Segment`s, each knowing where its characters came from. `TextSourceMap` maps a position in the parsed
  definition back through its segment to the outer file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from ..diagnostics import Diagnostic, Span, code_frame, line_starts, problem
from ..errors import SfncError
from .jsondoc import JsonDocument, load_json_text
from .positions import LineIndex, Position
from .yamldoc import YamlDocument
from .yamlscalar import scalar_offset


def dumps_definition(data: Any) -> str:
    """A definition read from YAML or HCL as the JSON text Step Functions receives (sfnc's render style).
    NaN and infinities (YAML `.nan`, `.inf`) are not JSON: ValueError."""
    import json

    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def offset_of(starts: list[int], pos: Position) -> int:
    """The text offset of a 1-based line:column."""
    line = min(max(pos.line, 1), len(starts))
    return starts[line - 1] + pos.column - 1


# ------------------------------------------------------------------------------------------------
# subtree views


class JsonView:
    """The subtree at `prefix` of a JSON document, located like a JsonDocument of its own."""

    def __init__(self, doc: JsonDocument, prefix: str = "") -> None:
        self.doc = doc
        self.prefix = prefix
        self.filename = doc.filename
        self.text = doc.text

    def locate(self, pointer: str, *, key: bool = False) -> Position:
        return self.doc.locate(self.prefix + pointer, key=key)

    def locate_in_string(self, pointer: str, char_offset: int) -> Position:
        return self.doc.locate_in_string(self.prefix + pointer, char_offset)


class YamlView:
    """The subtree at `prefix` of a YAML document (positions from `YamlDocument`, offsets inside
    strings from the raw text)."""

    def __init__(self, doc: YamlDocument, text: str, prefix: str = "") -> None:
        self.doc = doc
        self.prefix = prefix
        self.filename = doc.filename
        self.text = text
        self._starts: list[int] | None = None
        self._lines: LineIndex | None = None

    def _index(self) -> tuple[list[int], LineIndex]:
        if self._starts is None:
            self._starts = line_starts(self.text)
            self._lines = LineIndex(self.text)
        return self._starts, self._lines  # type: ignore[return-value]

    def locate(self, pointer: str, *, key: bool = False) -> Position:
        return self.doc.locate(self.prefix + pointer, key=key)

    def locate_in_string(self, pointer: str, char_offset: int) -> Position:
        full = self.prefix + pointer
        if full not in self.doc.positions:
            return self.doc.locate(full)
        starts, lines = self._index()
        start = offset_of(starts, self.doc.positions[full][0])
        offset, _ = scalar_offset(self.text, start, char_offset)
        return lines.position(offset)


# ------------------------------------------------------------------------------------------------
# assembled texts


class Origin(Protocol):
    filename: str
    text: str

    def position(self, offset: int) -> Position: ...


@dataclass
class FileOrigin:
    """A whole file: offsets are the file's own."""

    filename: str
    text: str
    _lines: LineIndex | None = field(default=None, repr=False)

    def position(self, offset: int) -> Position:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines.position(offset)


@dataclass
class StringOrigin:
    """The string value at `pointer` of an outer document (a view): offsets are characters of the value."""

    view: Any          # JsonView | YamlView
    pointer: str

    @property
    def filename(self) -> str:
        return self.view.filename

    @property
    def text(self) -> str:
        return self.view.text

    def position(self, offset: int) -> Position:
        return self.view.locate_in_string(self.pointer, offset)


@dataclass
class NodeOrigin(StringOrigin):
    """A node of an outer document that is not text (an intrinsic function spliced into a definition):
    every offset is the node's position."""

    def position(self, offset: int) -> Position:
        return self.view.locate(self.pointer)


@dataclass
class Segment:
    start: int             # offset in the assembled text
    length: int
    origin: Any            # Origin
    origin_offset: int     # where the segment starts in its origin
    exact: bool = True     # False: a substituted value; every offset maps to its placeholder


class TextBuilder:
    """Assembles a definition text from pieces that remember their origin, and tracks whether the end of
    the text is inside a JSON string (to quote an opaque value that stands outside one)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.segments: list[Segment] = []
        self.length = 0
        self.in_string = False
        self._escape = False

    def add(self, text: str, origin: Any, origin_offset: int, *, exact: bool = True) -> None:
        if not text:
            return
        self.segments.append(Segment(self.length, len(text), origin, origin_offset, exact))
        self.parts.append(text)
        self.length += len(text)
        for ch in text:
            if self._escape:
                self._escape = False
            elif self.in_string:
                if ch == "\\":
                    self._escape = True
                elif ch == '"':
                    self.in_string = False
            elif ch == '"':
                self.in_string = True

    def text(self) -> str:
        return "".join(self.parts)


class TextSourceMap:
    """From the parsed definition (`doc`, whose text is the assembled text) back to the outer file.

    Has the interface the validator uses of `render.SourceMap`: `locate(pointer, offset, key=)`,
    `template` (with `.text` and `.filename` of the outer file, for code frames) and `line_map`."""

    line_map = None

    def __init__(self, doc: JsonDocument, segments: list[Segment], outer: Any) -> None:
        self.doc = doc
        self.segments = segments
        self.template = outer          # the outer file (filename, text)
        self._starts_doc: list[int] | None = None
        self._seg_starts = [s.start for s in segments]

    def files(self) -> list[tuple[str, str]]:
        """(filename, text) of every file it maps into (the outer file, each segment's origin), sorted: with
        the assembled text, what its spans and code frames depend on (the result cache's key)."""
        found = {(str(self.template.filename), self.template.text)}
        found.update((str(s.origin.filename), s.origin.text) for s in self.segments)
        return sorted(found)

    def position_of_offset(self, offset: int) -> tuple[str, Position, bool]:
        if not self.segments:
            return self.template.filename, Position(1, 1), False
        i = max(bisect.bisect_right(self._seg_starts, offset) - 1, 0)
        seg = self.segments[i]
        inside = offset - seg.start
        exact = seg.exact and inside <= seg.length
        origin_offset = seg.origin_offset + (min(inside, seg.length) if seg.exact else 0)
        return seg.origin.filename, seg.origin.position(origin_offset), exact

    def locate_position(self, pos: Position) -> Span:
        """Where a line:column of the assembled definition text is in the file it came from."""
        if self._starts_doc is None:
            self._starts_doc = line_starts(self.doc.text)
        filename, outer, exact = self.position_of_offset(offset_of(self._starts_doc, pos))
        return Span(filename, outer.line, outer.column, exact)

    def locate(self, pointer: str, offset: int | None = None, *, key: bool = False) -> Span:
        if self._starts_doc is None:
            self._starts_doc = line_starts(self.doc.text)
        if offset is not None and self.doc.has(pointer):
            pos = self.doc.locate_in_string(pointer, offset)
        else:
            pos = self.doc.locate(pointer, key=key)
        filename, outer, exact = self.position_of_offset(offset_of(self._starts_doc, pos))
        return Span(filename, outer.line, outer.column, exact)


def parse_assembled(b: TextBuilder, outer: Any, display: str, note: str = "") -> tuple[
        JsonDocument | None, TextSourceMap | None, Diagnostic | None]:
    """Parse an assembled definition text: (document, its source map, None), or (None, None, the parse
    error located in the file the text came from; `note` is added to its message)."""
    text = b.text()
    try:
        doc = load_json_text(text, display, allow_duplicates=True)
    except SfncError as exc:
        p = exc.problems[0]
        smap = TextSourceMap(JsonDocument(None, text, display), b.segments, outer)
        at = Position((p.span and p.span.line) or 1, (p.span and p.span.column) or 1)
        filename, pos, _ = smap.position_of_offset(min(offset_of(line_starts(text), at), len(text)))
        frame = code_frame(outer.text, pos.line, pos.column) if filename == outer.filename else None
        return None, None, problem(f"the definition is not valid JSON: {p.message.removeprefix('invalid JSON: ')}"
                                   + note, filename, pos.line, pos.column, frame=frame)
    return doc, TextSourceMap(doc, b.segments, outer), None


def allowed(path: Path, roots: list[Path]) -> bool:
    """Is `path` inside one of `roots` (after resolving links)? A reference never reaches outside the project."""
    resolved = path.resolve()
    return any(resolved == r or r in resolved.parents for r in roots)


# ------------------------------------------------------------------------------------------------
# what a reader returns


@dataclass
class Extracted:
    """One state machine's definition, read out of the file it lives in."""

    resource: str                      # logical id (or another name of the resource)
    resource_type: str
    container: str                     # the template (display path)
    origin: str                        # the file holding the definition text (template or DefinitionUri file)
    document: JsonDocument | None      # the definition as deployed (literal substitutions applied)
    source_map: Any = None             # load.sourcemap.SourceMap (objects) or TextSourceMap (texts)
    machine_type: str | None = None
    substitutions: dict[str, Any] = field(default_factory=dict)
    unknown: list[tuple[str, int, str]] = field(default_factory=list)   # (pointer, offset, name): deployed literally
    opaque: set[str] = field(default_factory=set)                         # placeholder names left opaque
    quoted: set[str] = field(default_factory=set)        # opaque names that stood outside a JSON string (quoted)
    sources: dict[str, str] = field(default_factory=dict)  # opaque name -> how it is written (`!GetAtt Fn.Arn`)
    parse_error: Diagnostic | None = None  # the definition text is not JSON (located in the origin file)
    problems: list[Diagnostic] = field(default_factory=list)   # files that could not be read (missing, outside)
    invalid: list[Diagnostic] = field(default_factory=list)    # what CloudFormation rejects (substitutions, ...)
    skipped: str | None = None          # why the definition was not read (in S3, a condition)
    at: Span | None = None              # where the resource is in the container (for `skipped`)
    definition_file: Path | None = None  # the local file read for DefinitionUri / DefinitionS3Location
    kind: str = "cloudformation"
    opaque_ok: bool = True               # `${...}` are deploy-time values the source defines (not a leftover)
