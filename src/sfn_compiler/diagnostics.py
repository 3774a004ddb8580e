"""The one location type (`Span`) and the one problem type (`Diagnostic`) every stage reports.

A rule's finding in a rendered definition, a broken template, a bad env file, a stale definition that
deploy refuses: all are `Diagnostic`s, so every report format and the stderr printer can show any of
them. A rule finding has `rule`/`name` and usually two places: `span` in the file that was validated (the
rendered definition or an ASL file) and `template`, where that came from in the template. A problem that is
not a rule finding (input, config, render, deploy) has no `rule` and one `span`, or none. A definition read
out of another file (a CloudFormation/SAM/CDK template, a Terraform file) has no file of its own: its
findings have `span` in that file, no `template`, and `resource` naming the resource.

`Position` (load/) is a point in a text a document holds; a `Span` is a point in a named file.
`code_frame` quotes a line with a caret under a column (findings, and the parse errors of every reader).
`did_you_mean` words the "did you mean 'X'?" hint of a misspelt name.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Iterable


@dataclass(frozen=True)
class Span:
    """A place in a file: 1-based line and column (characters); `exact` is False when the place was
    estimated (a line of a Jinja template, the start of a string whose placeholders moved offsets)."""

    file: str
    line: int | None = None
    column: int | None = None
    exact: bool = True

    def format(self) -> str:
        """`file`, `file:line` or `file:line:column`."""
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column is not None else "")


@dataclass(frozen=True)
class Related:
    """Another place that belongs to one finding: a consequence folded into it (a state unreachable because
    of the missing target), another occurrence of the same problem in the field, the start of a path, the
    same finding in another env. `span`/`template`/`pointer` as in `Diagnostic`; any may be missing."""

    message: str
    span: Span | None = None
    pointer: str | None = None
    template: Span | None = None

    @property
    def primary(self) -> Span | None:
        return self.template or self.span

    def format(self) -> str:
        """`file:line:col: message` (the primary place), or the message alone."""
        where = self.primary
        return f"{where.format()}: {self.message}" if where is not None and where.file else self.message


@dataclass(frozen=True)
class Diagnostic:
    message: str
    severity: str = "error"              # "error" | "warning" | "info"
    span: Span | None = None             # where: the validated file (rules), else the file with the problem
    pointer: str | None = None           # RFC 6901 pointer into the document of `span`
    env: str | None = None
    hint: str | None = None
    rule: str | None = None              # "SFN201"; None for problems that are not rule findings
    name: str | None = None              # "transition-target-missing"
    template: Span | None = None         # where a finding in a rendered definition came from in its template
    url: str | None = None
    path: tuple[str, ...] = ()           # state names of an offending path (pattern rules)
    fingerprint: str = ""
    frame: str | None = None             # code frame for text output
    resource: str | None = None          # the resource holding the definition (CloudFormation logical id,
                                         # Terraform address) when it was read out of a template
    related: tuple[Related, ...] = ()    # places that belong to this finding (every format shows them)
    neutral: str | None = None           # the message with env-substituted values written as ${name}, when
                                         # they occur in it (the cross-env merge shows it when envs differ)

    @property
    def primary(self) -> Span | None:
        """Where the user should look first: the template when the finding came from one."""
        return self.template or self.span

    def sort_key(self):
        s = self.span
        return (s.file if s else "", (s.line or 0) if s else 0, (s.column or 0) if s else 0, self.rule or "",
                self.message)

    def format(self) -> str:
        """One line (plus a hint line) for stderr: `file:line:col: error: message (at /pointer, env dev)`.
        A rule finding names its rule and its template location."""
        parts = []
        if self.span is not None and self.span.file:
            parts.append(f"{self.span.format()}: ")
        message = self.message
        if self.rule:
            message = f"{self.rule} {self.name}: {message}" + (f" (template {self.template.format()})"
                                                               if self.template else "")
        parts.append(f"{self.severity}: {message}")
        extras = []
        if self.pointer is not None:
            extras.append(f"at {self.pointer or '/'}")
        if self.resource:
            extras.append(f"resource {self.resource}")
        if self.env:
            extras.append(f"env {self.env}")
        if extras:
            parts.append(f" ({', '.join(extras)})")
        text = "".join(parts)
        for r in self.related:
            text += f"\n  related: {r.format()}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


def problem(message: str, file: str | None = None, line: int | None = None, column: int | None = None, *,
            pointer: str | None = None, env: str | None = None, hint: str | None = None,
            severity: str = "error", frame: str | None = None) -> Diagnostic:
    """A diagnostic that is not a rule's finding (input, config, render or deploy problem)."""
    return Diagnostic(message, severity, Span(file, line, column) if file else None, pointer, env, hint, frame=frame)


@lru_cache(maxsize=4)
def line_starts(text: str) -> list[int]:
    """The offset where each line of `text` starts: built once per text (the last few are kept), however many
    findings it has a frame or a position for (a `split` per frame made a document's report quadratic).
    Callers share the list: never change it. `load.positions.LineIndex` is built on it."""
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def code_frame(text: str | None, line: int | None, column: int | None) -> str | None:
    """Line `line` of `text` with a caret under `column` (1-based), a long line cut around the column:
    the code frame of the text report. None when there is no such line."""
    if text is None or not line or line < 1:
        return None
    column = column or 1
    starts = line_starts(text)
    if line > len(starts):
        return None
    start = starts[line - 1]
    length = (starts[line] - 1 if line < len(starts) else len(text)) - start   # up to its newline, or the end
    if length > 160:   # only the part shown is copied: a minified document is one line of megabytes
        cut = max(0, column - 80)
        src = ("…" if cut else "") + text[start + cut:start + min(cut + 160, length)]
        column = column - cut + (1 if cut else 0)
    else:
        src = text[start:start + length]
    gutter = f"{line:>5} | "
    return f"{gutter}{src}\n{' ' * (len(gutter) - 2)}| {' ' * (column - 1)}^"


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate `word` most likely misspells: the same but for case, else the closest by difflib."""
    cands = [c for c in candidates if isinstance(c, str)]
    if not isinstance(word, str):
        return None
    match = [c for c in cands if c.lower() == word.lower() and c != word][:1]
    if not match:
        import difflib  # imported when a hint is wanted, not with every diagnostic

        match = difflib.get_close_matches(word, cands, n=1, cutoff=0.6)
    return match[0] if match else None


def did_you_mean(word: str, candidates: Iterable[str], prefix: str = "did you mean ") -> str | None:
    """`did you mean 'X'?` for the candidate closest to `word` (a different case first), or None."""
    match = closest(word, candidates)
    if match is None:
        return None
    return f"{prefix}{match}?" if prefix.endswith("$") else f"{prefix}'{match}'?"


def to_data(d: Diagnostic) -> dict:
    """`d` as plain JSON data (for the result cache); `from_data` gives back an equal Diagnostic. A field of a
    type not handled here raises TypeError (and the caller does not store the diagnostic)."""
    return {name: _encode(getattr(d, name)) for name in _NAMES[Diagnostic]}


def from_data(data: dict) -> Diagnostic:
    return Diagnostic(**{name: _decode(data[name]) for name in _NAMES[Diagnostic]})


_STORED = {"Span": Span, "Related": Related}
_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in (Diagnostic, Span, Related)}


def _encode(v):
    if v is None or isinstance(v, (str, int, float)):
        return v
    if isinstance(v, tuple):
        return {"tuple": [_encode(x) for x in v]}
    name = type(v).__name__
    if _STORED.get(name) is type(v):
        return {"type": name, "fields": {f: _encode(getattr(v, f)) for f in _NAMES[type(v)]}}
    raise TypeError(f"a Diagnostic field holds a {name}, which the result cache cannot store")


def _decode(v):
    if type(v) is dict:
        if "tuple" in v:
            return tuple(_decode(x) for x in v["tuple"])
        return _STORED[v["type"]](**{k: _decode(x) for k, x in v["fields"].items()})
    return v


# C0 controls but newline and tab, DEL, C1 controls, and the surrogate range (a lone surrogate read from JSON
# cannot even be encoded for the terminal)
_UNPRINTABLE = {c: f"\\u{c:04x}" for c in [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)]}


def printable(text: str) -> str:
    """`text` safe to print on a terminal: control characters (an ESC sequence in a state name would recolour
    or rewrite the user's terminal) and lone surrogates become `\\uXXXX`; newlines and tabs stay."""
    if text.isprintable():
        return text
    out = text.translate(_UNPRINTABLE)
    if any("\ud800" <= ch <= "\udfff" for ch in out):
        out = "".join(f"\\u{ord(ch):04x}" if "\ud800" <= ch <= "\udfff" else ch for ch in out)
    return out
