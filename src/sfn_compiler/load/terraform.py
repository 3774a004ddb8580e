"""State machines in Terraform: `.tftpl` templates and `aws_sfn_state_machine` resources in `.tf` files.

What is read:

- **`.tftpl` / `.json.tpl` files**: JSON text with Terraform template syntax. `${expr}` interpolations are
  values known only at `terraform apply`: opaque values of whatever type their field needs (quoted when
  they stand outside a JSON string, as in `"TimeoutSeconds": ${timeout}`). `$${` and `%%{` are the
  literal `${` and `%{`. `%{ if }`/`%{ for }` directives are not evaluated: their markers are dropped,
  which is right for directives that only add optional text and reported when the result is not JSON.
- **`resource "aws_sfn_state_machine" "NAME"`** blocks in `.tf` files, by the form of `definition`:
  - `templatefile("${path.module}/x.tftpl", { k = v, ... })`: the file, with the variables whose values
    are literals (strings, numbers, booleans) substituted as Terraform would and the others opaque;
  - `file("...")`: the file as is;
  - a heredoc (`<<EOF` / `<<-EOF`): its text, interpolations opaque;
  - `jsonencode({ ... })` over an HCL object: the object, with references, function calls and other
    expressions as opaque values.
  Findings name the resource by its address (`aws_sfn_state_machine.NAME`).

What is not read: `data "template_file"`, locals and variables (an expression such as
`definition = local.definition` is reported as not read), modules' inputs, `for_each`/`count` expansion,
and `%{ }` directive logic. Paths must stay inside the project.

Why this module is long: without an HCL dependency, finding a resource's `definition` needs a small
scanner (strings, heredocs, comments, nested brackets, jsonencode objects with positions); it is used
only here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..diagnostics import Span, problem
from ..errors import SfncError
from .embedded import Extracted, FileOrigin, TextBuilder, TextSourceMap, allowed, parse_assembled
from .jsondoc import JsonDocument, ValueProblem, check_string, load_json_text, number_value
from .limits import read_text
from .limits import MAX_DEPTH
from .pointer import escape_token
from .positions import LineIndex, Position

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_MAX_BYTES = 4 * 1024 * 1024


def _placeholder_end(text: str, i: int) -> int:
    """End (exclusive) of the `${...}`/`%{...}` starting at `i`, nested braces and quotes skipped."""
    from ..placeholders import placeholder_end

    return placeholder_end(text, i)


# ------------------------------------------------------------------------------------------------
# template text (.tftpl, heredocs)


def _template_text(b: TextBuilder, text: str, origin: Any, base: int, start: int, end: int,
                   values: dict[str, Any], opaque: set[str]) -> bool:
    """Add `text[start:end]`, a Terraform template, to `b`. Returns True when it had directives."""
    i = start
    pos = start
    directives = False
    while True:
        j = min((k for k in (text.find("${", i, end), text.find("%{", i, end)) if k >= 0), default=-1)
        if j < 0:
            break
        if j > start and text[j - 1] == text[j] and text[j - 1] in "$%":        # $${ / %%{ escape
            b.add(text[pos:j - 1], origin, base + pos)
            pos = j
            i = j + 2
            continue
        close = _placeholder_end(text, j)
        if close < 0 or close > end:
            break
        b.add(text[pos:j], origin, base + pos)
        expr = text[j + 2:close - 1].strip().strip("~").strip()
        if text[j] == "%":
            directives = True
        elif expr in values:
            b.add(_tf_text(values[expr]), origin, base + j, exact=False)
        else:
            name = _opaque_name(expr)
            opaque.add(name)
            b.add("${" + name + "}" if b.in_string else '"${' + name + '}"', origin, base + j, exact=False)
        pos = i = close
    b.add(text[pos:end], origin, base + pos)
    return directives


def _tf_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _from_text(text: str, shown: str, origin_text: str, start: int, end: int, values: dict[str, Any],
               resource: str | None, container: str):
    origin = FileOrigin(shown, origin_text)
    b = TextBuilder()
    opaque: set[str] = set()
    directives = _template_text(b, origin_text, origin, 0, start, end, values, opaque)
    ext = Extracted(resource, "aws_sfn_state_machine" if resource else "", container, shown, None,
                    kind="terraform")
    ext.opaque = opaque
    note = " (sfnc does not evaluate %{ } directives; validate the output of `terraform console` instead)"
    ext.document, ext.source_map, ext.parse_error = parse_assembled(b, origin, shown, note if directives else "")
    return ext


def extract_tftpl(path: Path, shown: str, values: dict[str, Any] | None = None, *, resource: str | None = None,
                  container: str | None = None):
    """A `.tftpl` file as an `Extracted` (its `${...}` opaque unless `values` has a literal for them)."""
    text = read_text(path, shown)
    ext = _from_text(text, shown, text, 0, len(text), values or {}, resource, container or shown)
    ext.definition_file = path
    return ext


# ------------------------------------------------------------------------------------------------
# HCL scanning


class _Hcl:
    """Just enough HCL to find blocks and attributes and read literal expressions, with offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)

    def skip(self, i: int, *, newlines: bool = True) -> int:
        t, n = self.text, self.n
        while i < n:
            c = t[i]
            if c in " \t\r" or (newlines and c == "\n"):
                i += 1
            elif c == "#" or t.startswith("//", i):
                e = t.find("\n", i)
                i = n if e < 0 else (e if not newlines else e + 1)
            elif t.startswith("/*", i):
                e = t.find("*/", i + 2)
                i = n if e < 0 else e + 2
            else:
                break
        return i

    def string_end(self, i: int) -> int:
        """`i` at an opening quote: offset just past the closing one (interpolations may nest strings)."""
        t, n = self.text, self.n
        j = i + 1
        while j < n:
            c = t[j]
            if c == "\\":
                j += 2
                continue
            if c == '"':
                return j + 1
            if c in "$%" and t.startswith("{", j + 1) and not (j > i + 1 and t[j - 1] == c):
                close = _placeholder_end(t, j)
                if close < 0:
                    return n
                j = close
                continue
            if c == "\n":
                return j
            j += 1
        return n

    def heredoc(self, i: int) -> tuple[int, int, int] | None:
        """`i` at `<<`: (content start, content end, end of the closing marker)."""
        m = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n").match(self.text, i)
        if not m:
            return None
        start = m.end()
        marker = re.compile(r"^[ \t]*" + re.escape(m.group(2)) + r"[ \t]*$", re.M).search(self.text, start)
        if not marker:
            return None
        return start, marker.start(), marker.end()

    def _code(self, i: int):
        """The positions from `i` on that are code: strings, heredocs and comments are stepped over whole."""
        t, n = self.text, self.n
        while i < n:
            c = t[i]
            if c == '"':
                i = self.string_end(i)
                continue
            if t.startswith("<<", i):
                h = self.heredoc(i)
                if h:
                    i = h[2]
                    continue
            if c == "#" or t.startswith("//", i) or t.startswith("/*", i):
                j = self.skip(i, newlines=False)
                i = j if j > i else i + 1
                continue
            yield i, c
            i += 1

    def expr_end(self, i: int) -> int:
        """End of the expression starting at `i`: the end of its line at bracket depth 0."""
        depth = 0
        for i, c in self._code(i):
            if c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    return i
                depth -= 1
            elif c in "\n," and depth == 0:
                return i
        return self.n

    def _match(self, i: int) -> int:
        """The end (after the `}`) of the block whose `{` is at `i`."""
        depth = 0
        for i, c in self._code(i):
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
        return self.n


def _decode(raw: str) -> str:
    """An HCL quoted string's value (escapes decoded; `${...}` kept as written)."""
    out = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt == "u" and i + 5 < len(raw):
                out.append(chr(int(raw[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt == "U" and i + 9 < len(raw):
                out.append(chr(int(raw[i + 2:i + 10], 16)))
                i += 10
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
            continue
        if c in "$%" and raw.startswith(c + c + "{", i):
            out.append(c + "{")
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


@dataclass
class _Node:
    value_start: int
    key_start: int | None
    raw_start: int | None = None     # strings: offset just past the opening quote


class HclView:
    """Positions of an HCL literal parsed by `_literal` (the JsonDocument locate interface)."""

    def __init__(self, filename: str, text: str, nodes: dict[str, _Node]) -> None:
        self.filename = filename
        self.text = text
        self.nodes = nodes
        self.lines = LineIndex(text)

    def locate(self, pointer: str, *, key: bool = False) -> Position:
        p = pointer
        while p not in self.nodes and p:
            p = p[: p.rfind("/")]
        node = self.nodes.get(p)
        if node is None:
            return Position(1, 1)
        offset = node.key_start if (key or p != pointer) and node.key_start is not None else node.value_start
        return self.lines.position(offset)

    def locate_in_string(self, pointer: str, char_offset: int) -> Position:
        node = self.nodes.get(pointer)
        if node is None or node.raw_start is None:
            return self.locate(pointer)
        t = self.text
        i = node.raw_start
        decoded = 0
        while i < len(t) and decoded < char_offset and t[i] != '"':
            if t[i] == "\\":
                i += 6 if t.startswith("u", i + 1) else 10 if t.startswith("U", i + 1) else 2
            elif t[i] in "$%" and t.startswith(t[i] + t[i] + "{", i):
                i += 3
                decoded += 1
            else:
                i += 1
            decoded += 1
        return self.lines.position(i)


def _literal(h: _Hcl, i: int, pointer: str, key_start: int | None, nodes: dict[str, _Node],
             opaque: set[str]) -> tuple[Any, int]:
    """Read an HCL expression at `i` as a JSON-like value (objects, tuples, strings, numbers, bools,
    null); any other expression becomes the opaque string `${expr}`. Returns (value, end)."""
    t = h.text
    i = h.skip(i)
    if pointer.count("/") >= MAX_DEPTH:                     # (what JSON may hold: load/limits.py, jsondoc)
        raise ValueProblem(i, f"nested deeper than {MAX_DEPTH} levels")
    nodes[pointer] = _Node(i, key_start)
    c = t[i] if i < h.n else ""
    if c in "{[" and re.match(r"[{\[]\s*for\s", t[i:i + 40]):       # a for expression: not a literal
        end = h._match(i) if c == "{" else h.expr_end(i)
        return _opaque(t[i:end], opaque), end
    if c == "{":
        out: dict[str, Any] = {}
        j = h.skip(i + 1)
        while j < h.n and t[j] != "}":
            kstart = j
            if t[j] == '"':
                kend = h.string_end(j)
                key = _decode(t[j + 1:kend - 1])
                check_string(key, j)
                j = kend
            else:
                m = _IDENT.match(t, j)
                if not m:
                    end = h._match(i)
                    return _opaque(t[i:end], opaque), end
                key = m.group(0)
                j = m.end()
            j = h.skip(j, newlines=False)
            if j < h.n and t[j] in "=:":
                j += 1
            value, j = _literal(h, j, f"{pointer}/{escape_token(key)}", kstart, nodes, opaque)
            out[key] = value
            j = h.skip(j)
            if j < h.n and t[j] == ",":
                j = h.skip(j + 1)
        return out, j + 1
    if c == "[":
        items: list[Any] = []
        j = h.skip(i + 1)
        k = 0
        while j < h.n and t[j] != "]":
            before = j
            value, j = _literal(h, j, f"{pointer}/{k}", None, nodes, opaque)
            if j <= before:                 # not a value (a stray bracket): stop here
                return _opaque(t[i:j + 1], opaque), j + 1
            items.append(value)
            k += 1
            j = h.skip(j)
            if j < h.n and t[j] == ",":
                j = h.skip(j + 1)
        return items, j + 1
    end = h.expr_end(i)
    raw = t[i:end].rstrip()
    if c == '"' and h.string_end(i) == i + len(raw):
        nodes[pointer].raw_start = i + 1
        value = _decode(raw[1:-1])
        check_string(value, i)
        for m in re.finditer(r"\$\{([^{}]*)\}", value):
            opaque.add(m.group(1).strip())
        return value, end
    if raw in ("true", "false"):
        return raw == "true", end
    if raw == "null":
        return None, end
    if _NUMBER.fullmatch(raw):
        return number_value(raw, i), end
    return _opaque(raw, opaque), end


def _read(h: _Hcl, i: int, nodes: dict[str, _Node], opaque: set[str], ext: Extracted, shown: str) -> Any:
    """`_literal` from the top; a value JSON cannot hold is the resource's parse error, at its place."""
    try:
        return _literal(h, i, "", None, nodes, opaque)[0]
    except ValueProblem as bad:
        at = LineIndex(h.text).position(bad.offset)
        ext.parse_error = problem(bad.message, shown, at.line, at.column, hint=bad.hint)


def _opaque_name(expr: str) -> str:
    """An expression as the name of an opaque `${...}`: one line, no quote, backslash or nested brace, so
    it stays a valid JSON string and one placeholder."""
    return (" ".join(expr.split()).replace('"', "'").replace("\\", "/").replace("{", "(").replace("}", ")"))


def _opaque(expr: str, opaque: set[str]) -> str:
    expr = _opaque_name(expr)
    opaque.add(expr)
    return "${" + expr + "}"


_RESOURCE = re.compile(r'^[ \t]*resource\s+"aws_sfn_state_machine"\s+"([^"]+)"\s*\{', re.M)


@dataclass
class TfMachine:
    address: str            # aws_sfn_state_machine.NAME
    expr_start: int         # where the definition expression starts (None: no definition attribute)
    expr_end: int
    attrs: dict[str, tuple[int, int]]   # top-level attributes of the block: name -> (value start, end)
    block_start: int = 0    # where `resource "aws_sfn_state_machine"` starts


def tf_machines(text: str) -> list[TfMachine]:
    h = _Hcl(text)
    out = []
    for m in _RESOURCE.finditer(text):
        body_start = m.end() - 1
        body_end = h._match(body_start)
        attrs: dict[str, tuple[int, int]] = {}
        j = h.skip(body_start + 1)
        while j < body_end - 1:
            am = _IDENT.match(text, j)
            if not am:
                j = h.expr_end(j) + 1
                j = h.skip(j)
                continue
            k = h.skip(am.end(), newlines=False)
            if k < h.n and text[k] == "=" and not text.startswith("==", k):
                vstart = h.skip(k + 1, newlines=False)
                vend = h.expr_end(vstart)
                attrs[am.group(0)] = (vstart, vend)
                j = h.skip(vend)
            elif k < h.n and text[k] == "{":      # a nested block (logging_configuration {...})
                j = h.skip(h._match(k))
            else:
                j = h.skip(h.expr_end(k) + 1)
        start, end = attrs.get("definition", (-1, -1))
        out.append(TfMachine(f"aws_sfn_state_machine.{m.group(1)}", start, end, attrs, m.start()))
    return out


def _call(text: str, start: int, end: int, name: str) -> tuple[int, int] | None:
    """`name(` ... `)` at start: the span of the arguments."""
    m = re.compile(re.escape(name) + r"\s*\(").match(text, start)
    if not m:
        return None
    close = text.rfind(")", m.end(), end)
    return (m.end(), close) if close > 0 else None


def _split_args(h: _Hcl, start: int, end: int) -> list[tuple[int, int]]:
    args = []
    i = h.skip(start)
    while i < end:
        e = h.expr_end(i)
        e = min(e, end)
        if e <= i:          # a stray closing bracket: the arguments end here (never loop without progress)
            break
        args.append((i, e))
        i = h.skip(e + 1) if e < end and h.text[e] == "," else h.skip(e)
        if i < end and h.text[i] == ",":
            i = h.skip(i + 1)
    return args


def _path_arg(h: _Hcl, start: int, end: int, module_dir: Path) -> Path | None:
    raw = h.text[start:end].strip()
    if not (raw.startswith('"') and raw.endswith('"')):
        return None
    value = _decode(raw[1:-1])
    for token in ("${path.module}", "${path.root}", "${path.cwd}"):   # root/cwd: taken as the module's directory
        value = value.replace(token, ".")
    if "${" in value:
        return None
    p = Path(value)
    return p if p.is_absolute() else module_dir / p


def extract_tf(path: Path, shown: str, *, roots: list[Path], display: Callable[[Path], str] = str) -> list:
    """Every `aws_sfn_state_machine` of a `.tf` file as `Extracted` (read, skipped, or with problems)."""
    from .sourcemap import SourceMap
    from .embedded import dumps_definition as dumps

    if path.stat().st_size > _MAX_BYTES:
        raise SfncError("file is larger than 4 MB", file=shown)
    text = read_text(path, shown)
    h = _Hcl(text)
    lines = LineIndex(text)
    results = []
    for m in tf_machines(text):
        ext = Extracted(m.address, "aws_sfn_state_machine", shown, shown, None, kind="terraform",
                        at=Span(shown, lines.position(m.block_start).line, lines.position(m.block_start).column))
        if m.expr_start < 0:
            ext.skipped = "no definition attribute"
            results.append(ext)
            continue
        start, end = m.expr_start, m.expr_end
        expr = text[start:end].strip()
        pos = lines.position(start)
        if expr.startswith(("templatefile", "file")):
            fn = "templatefile" if expr.startswith("templatefile") else "file"
            span = _call(text, start, end, fn)
            args = _split_args(h, *span) if span else []
            target = _path_arg(h, *args[0], path.parent) if args else None
            if target is None:
                ext.skipped = f"definition = {expr[:60]}: the path is not a literal sfnc can follow"
                results.append(ext)
                continue
            if not allowed(target, roots):
                ext.problems.append(problem(f"{m.address}: {fn}() path points outside the project; not read",
                                            file=shown, line=pos.line, column=pos.column))
                results.append(ext)
                continue
            if not target.is_file():
                ext.problems.append(problem(f"{m.address}: {display(target)}: file not found", file=shown,
                                            line=pos.line, column=pos.column))
                results.append(ext)
                continue
            values: dict[str, Any] = {}
            if fn == "templatefile" and len(args) > 1:
                nodes: dict[str, _Node] = {}
                raw = _read(h, args[1][0], nodes, set(), ext, shown)
                if isinstance(raw, dict):
                    values = {k: v for k, v in raw.items()
                              if isinstance(v, (str, int, float, bool)) and not (isinstance(v, str) and "${" in v)}
            shown_target = display(target)
            if fn == "file":
                sub = _plain(target, shown_target, m.address, shown)
            else:
                sub = extract_tftpl(target, shown_target, values, resource=m.address, container=shown)
            sub.definition_file = target
            results.append(sub if ext.parse_error is None else ext)     # (a templatefile() value JSON cannot hold)
            continue
        if expr.startswith("<<"):
            hd = h.heredoc(start)
            if hd is None:
                ext.skipped = "definition heredoc not understood"
                results.append(ext)
                continue
            sub = _from_text(text, shown, text, hd[0], hd[1], {}, m.address, shown)
            results.append(sub)
            continue
        if expr.startswith("jsonencode"):
            span = _call(text, start, end, "jsonencode")
            if span is None:
                ext.skipped = "definition = jsonencode(...) not understood"
                results.append(ext)
                continue
            nodes = {}
            opaque: set[str] = set()
            data = _read(h, span[0], nodes, opaque, ext, shown)
            if not isinstance(data, dict):
                if ext.parse_error is None:
                    ext.skipped = f"definition = jsonencode({' '.join(text[span[0]:span[1]].split())[:50]}): not an object sfnc can read"
                results.append(ext)
                continue
            view = HclView(shown, text, nodes)
            smap = SourceMap(view)
            for p in nodes:
                smap.pointers[p] = p
            ext.document = JsonDocument(data, dumps(data), shown)
            ext.source_map = smap
            ext.opaque = opaque
            results.append(ext)
            continue
        if expr.startswith('"'):
            ext.skipped = "definition is a one-line string; sfnc reads templatefile(), file(), heredocs and jsonencode()"
        else:
            ext.skipped = f"definition = {expr[:60]} is not read (sfnc reads templatefile(), file(), heredocs and jsonencode())"
        results.append(ext)
    return results


def _plain(target: Path, shown: str, address: str, container: str):
    """A file read with file(): Terraform does not interpolate it, so it is plain JSON."""
    text = read_text(target, shown)
    ext = Extracted(address, "aws_sfn_state_machine", container, shown, None, kind="terraform", opaque_ok=False)
    origin = FileOrigin(shown, text)
    b = TextBuilder()
    b.add(text, origin, 0)
    try:
        doc = load_json_text(text, shown, allow_duplicates=True)
    except SfncError as exc:
        p = exc.problems[0]
        ext.parse_error = problem(p.message, shown, p.span and p.span.line, p.span and p.span.column, frame=p.frame)
        return ext
    ext.document = doc
    ext.source_map = TextSourceMap(doc, b.segments, origin)
    ext.definition_file = target
    return ext


__all__ = ["extract_tf", "extract_tftpl", "tf_machines"]
