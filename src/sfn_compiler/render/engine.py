"""Rendering templates into definitions.

`render_template` parses a template (JSON, or a sandboxed Jinja2 `.json.j2` whose output must be JSON),
substitutes placeholders in string leaves and keys, and returns the rendered document, its text and a
source map. Every problem in a template is collected and raised together.
`write_outputs` switches `definitions/<env>/` to the new files in one step (all or nothing); `stale_diffs`
compares them with fresh renders. (Rendering every template of a project for one env is
`pipeline.render_env`.)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Span, problem
from ..errors import SfncError
from ..fsutil import recover_directory, update_directory
from ..jsontext import dumps_indented
from ..load import JsonDocument, load_json_text
from ..load.limits import read_text
from ..load.pointer import escape_token
from ..project import template_stem
from ..placeholders import PlaceholderError
from .bounds import DOCS, MAX_DEPTH, BoundExceeded, budget
from .substitute import PlaceholderErrors, Resolver, substitute_text, substitute_with_anchors
from ..load.sourcemap import SourceMap

SENTINEL_OPEN, SENTINEL_CLOSE = "\ue000", "\ue001"


@dataclass
class RenderedTemplate:
    name: str                 # template stem: the definition's file stem
    template_path: Path
    data: Any
    text: str                 # serialized: 2-space indent, template key order, UTF-8, trailing newline
    source_map: SourceMap
    used: set[str] = field(default_factory=set)   # placeholder paths read
    env: str | None = None


def dumps(data: Any) -> str:
    """A definition as sfnc writes it: `json.dumps(data, indent=2, ensure_ascii=False)` and a newline."""
    return dumps_indented(data) + "\n"


class _Stop(Exception):
    """A render bound was passed: the walk stops at the first such problem."""


class _TooDeep(Exception):
    def __init__(self, pointer: str) -> None:
        self.pointer = pointer


def _walk(node: Any, tptr: str, rptr: str, resolver: Resolver, smap: SourceMap, doc: JsonDocument,
          problems: list[Diagnostic], env: str | None, depth: int = 0) -> Any:
    smap.pointers[rptr] = tptr
    if depth >= MAX_DEPTH and isinstance(node, (dict, list)):
        raise _TooDeep(tptr)
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            ktptr = f"{tptr}/{escape_token(key)}"
            new_key = key
            if "${" in key:
                try:
                    new_key, _ = substitute_text(key, resolver)
                except PlaceholderError as exc:
                    pos = doc.locate(ktptr, key=True)
                    problems.append(problem(exc.message, file=doc.filename, line=pos.line,
                                            column=pos.column + 1 + exc.offset, pointer=ktptr, env=env, hint=exc.hint))
                    if isinstance(exc, BoundExceeded):
                        raise _Stop from None
                    continue
                if new_key in out:
                    pos = doc.locate(ktptr, key=True)
                    problems.append(problem(f"key {key!r} renders to {new_key!r}, which the object already has",
                                            file=doc.filename, line=pos.line, column=pos.column,
                                            pointer=ktptr, env=env))
                    continue
            out[new_key] = _walk(value, ktptr, f"{rptr}/{escape_token(new_key)}", resolver, smap, doc, problems, env,
                                 depth + 1)
        return out
    if isinstance(node, list):
        return [_walk(v, f"{tptr}/{i}", f"{rptr}/{i}", resolver, smap, doc, problems, env, depth + 1)
                for i, v in enumerate(node)]
    if isinstance(node, str) and "${" in node:
        try:
            value, changed, anchors = substitute_with_anchors(node, resolver)
        except (PlaceholderError, PlaceholderErrors) as exc:
            errors = exc.errors if isinstance(exc, PlaceholderErrors) else [exc]
            for err in errors:
                pos = doc.locate_in_string(tptr, err.offset)
                problems.append(problem(err.message, file=doc.filename, line=pos.line, column=pos.column,
                                        pointer=tptr, env=env, hint=err.hint))
            if any(isinstance(err, BoundExceeded) for err in errors):
                raise _Stop from None   # past a bound, the rest of the template is not worked on
            return node
        if changed:
            smap.modified[rptr] = anchors
            if isinstance(value, str) and value.count("${") > node.count("$${"):
                pos = doc.locate(tptr)
                problems.append(problem("a placeholder '${' is left in the output: a value contains '${'",
                                        file=doc.filename, line=pos.line, column=pos.column, pointer=tptr,
                                        env=env, hint="values are substituted once, never re-scanned; "
                                                      "write $${ in a value for a literal '${'"))
        return value
    return node


def _jinja_render(source: str, scope: dict[str, Any], display: str) -> tuple[str, list[int] | None]:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError, TemplateError

    from . import bounds
    from .jinja import TemplateRefused, compile_template, failure, render_bounded

    try:
        template = compile_template(source)
        with bounds.budget(fresh=True):
            output = render_bounded(template, scope)
    except TemplateSyntaxError as exc:
        raise SfncError(f"Jinja syntax error: {exc.message}", file=display, line=exc.lineno,
                        hint="`.json.j2` templates use <% %> blocks, << >> expressions and <# #> comments") from None
    except TemplateRefused as exc:
        raise SfncError(exc.message, file=display, line=exc.line, hint=exc.hint) from None
    except UndefinedError as exc:
        raise SfncError(f"undefined value in Jinja template: {exc.message}", file=display,
                        line=_error_line(exc)) from None
    except SecurityError as exc:
        raise SfncError(f"not allowed in a sandboxed template: {exc}", file=display, line=_error_line(exc)) from None
    except bounds.BoundExceeded as exc:
        raise SfncError(f"Jinja template passes a render bound: {exc.message}", file=display,
                        line=getattr(exc, "line", None) or _error_line(exc), hint=exc.hint) from None
    except TemplateError as exc:
        raise SfncError(f"Jinja error: {exc}", file=display, line=_error_line(exc)) from None
    except Exception as exc:   # 1/0, '%d' % 'x', range(10**9), a recursive macro: the template's fault
        raise SfncError(f"Jinja template failed: {failure(exc)}", file=display, line=_error_line(exc)) from None
    return output, _trace_lines(source, scope, output)


def _error_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _trace_lines(source: str, scope: dict[str, Any], output: str) -> list[int] | None:
    """Map each output line to the template line it came from by rendering a copy of the template with
    a line sentinel before every newline that is literal data. If the trace does not reproduce the real
    output exactly once sentinels are removed, there is no map (positions stay on the Jinja output)."""
    from . import bounds
    from .jinja import compile_template, render_bounded, template_env

    try:
        tokens = list(template_env().lex(source))
    except Exception:
        return None
    if "".join(t[2] for t in tokens) != source:
        return None
    pieces: list[str] = []
    line = 1
    for _, kind, value in tokens:
        if kind == "data":
            for chunk in value.splitlines(keepends=True):
                if chunk.endswith("\n"):
                    pieces.append(f"{chunk[:-1]}{SENTINEL_OPEN}{line}{SENTINEL_CLOSE}\n")
                    line += 1
                else:
                    pieces.append(chunk)
        else:
            pieces.append(value)
            line += value.count("\n")
    try:
        with bounds.budget(fresh=True):
            traced = render_bounded(compile_template("".join(pieces)), scope)
    except Exception:
        return None
    lines = traced.split("\n")
    mapped: list[int | None] = []
    stripped = []
    for text in lines:
        origin = None
        start = text.rfind(SENTINEL_OPEN)
        if start >= 0:
            end = text.find(SENTINEL_CLOSE, start)
            origin = int(text[start + 1:end])
        mapped.append(origin)
        while SENTINEL_OPEN in text:
            a = text.find(SENTINEL_OPEN)
            b = text.find(SENTINEL_CLOSE, a)
            text = text[:a] + text[b + 1:]
        stripped.append(text)
    if "\n".join(stripped) != output:
        return None
    result: list[int] = []
    for i, origin in enumerate(mapped):
        if origin is None:  # a line broken inside an expression: its template line is the next known one
            origin = next((m for m in mapped[i + 1:] if m is not None), result[-1] if result else 1)
        result.append(origin)
    return result


def render_template(path: Path, resolver: Resolver, *, display: str | None = None,
                    env: str | None = None) -> RenderedTemplate:
    display = display or str(path)
    source = read_text(path, display)
    line_map = None
    if path.name.endswith(".json.j2"):
        source, line_map = _jinja_render(source, resolver.scope(), display)
    try:
        doc = load_json_text(source, display)
    except SfncError as exc:
        if line_map is not None:  # the Jinja output is not JSON: point at the template line
            for i, p in enumerate(exc.problems):
                line = p.span.line if p.span else None
                if line is not None and 0 < line <= len(line_map):
                    exc.problems[i] = problem(f"{p.message} (in the Jinja output line {line})", file=p.span.file,
                                              line=line_map[line - 1], pointer=p.pointer, hint=p.hint)
        raise
    smap = SourceMap(doc, line_map=line_map)
    problems: list[Diagnostic] = []
    try:
        with budget(fresh=True):   # the `${...}` Jinja expressions of this template share one budget
            data = _walk(doc.data, "", "", resolver, smap, doc, problems, env)
    except _Stop:
        pass
    except _TooDeep as deep:   # before the walk recursed into it
        pos = doc.locate(deep.pointer)
        line = line_map[pos.line - 1] if line_map is not None and 0 < pos.line <= len(line_map) else pos.line
        raise SfncError(problem(f"the template is nested deeper than {MAX_DEPTH} levels", file=display, line=line,
                                column=None if line_map is not None else pos.column, pointer=deep.pointer, env=env,
                                hint=DOCS)) from None
    if problems:
        if line_map is not None:
            problems = [replace(p, span=Span(p.span.file, line_map[p.span.line - 1]
                                             if p.span.line and p.span.line <= len(line_map) else p.span.line))
                        for p in problems]
        raise SfncError(problems)
    return RenderedTemplate(template_stem(path), path, data, dumps(data), smap, set(resolver.used), env)


@dataclass
class WriteResult:
    written: list[str]
    unchanged: list[str]
    removed: list[str]


def plan_outputs(out_dir: Path, rendered: list[RenderedTemplate]) -> tuple[dict[Path, str], list[Path]]:
    """Files to write (path -> text) and stale `.json` files to remove (no template renders them)."""
    outputs = {out_dir / f"{r.name}.json": r.text for r in rendered}
    stale = sorted(p for p in out_dir.glob("*.json") if p not in outputs and not p.is_dir()) \
        if out_dir.is_dir() else []
    return outputs, stale


def write_outputs(out_dir: Path, rendered: list[RenderedTemplate], *, prune: bool = True) -> WriteResult:
    """Switch `out_dir` to the rendered files in one step (`fsutil.update_directory`: a killed run leaves
    all-old or all-new files once the next run has looked at the directory). An unchanged file is not
    touched (its mtime stays); with `prune`, `.json` files no template renders are removed; other files
    stay. Nothing changed: the directory is not touched at all."""
    result = WriteResult([], [], [])

    def decide(directory: Path) -> tuple[dict[str, str], set[str]]:
        outputs, stale = plan_outputs(directory, rendered)
        write: dict[str, str] = {}
        for path, text in outputs.items():
            if path.is_dir():
                raise SfncError("cannot write the definition: a directory has its name", file=str(path))
            try:
                if path.read_text(encoding="utf-8") == text:
                    result.unchanged.append(path.name)
                    continue
            except (FileNotFoundError, UnicodeDecodeError):
                pass
            write[path.name] = text
        result.written[:] = list(write)
        result.removed[:] = [p.name for p in stale] if prune else []
        return write, set(result.removed)

    update_directory(out_dir, decide)
    return result


def stale_diffs(out_dir: Path, rendered: list[RenderedTemplate], display: callable, *,
                orphans: bool = True) -> list[str]:
    """Unified diffs between committed files and fresh renders (empty when up to date); with `orphans`,
    committed files that no template renders count as stale too (off when only some templates render)."""
    recover_directory(out_dir)   # a render killed while switching the directory: finish or undo it first
    outputs, stale = plan_outputs(out_dir, rendered)
    if not orphans:
        stale = []
    diffs = []
    for path, text in outputs.items():
        try:
            current = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        name = display(path)
        diffs.append("".join(difflib.unified_diff(
            (current or "").splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"{name} (committed)" if current is not None else "/dev/null",
            tofile=f"{name} (rendered)")))
    for path in stale:
        current = path.read_text(encoding="utf-8")
        diffs.append("".join(difflib.unified_diff(current.splitlines(keepends=True), [],
                                                  fromfile=f"{display(path)} (committed)",
                                                  tofile="/dev/null (no template renders it)")))
    return diffs
