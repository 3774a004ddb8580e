"""State machines in CloudFormation, SAM and CDK templates.

`read_template(path)` parses a template (YAML with the short-form intrinsic tags, or JSON, as SAM
writes `template.yaml` and CDK writes `cdk.out/*.template.json`) and returns `None` for a file that is
not a template. `state_machines(template)` lists its `AWS::StepFunctions::StateMachine` and
`AWS::Serverless::StateMachine` resources. `extract(machine)` reads one machine's definition, wherever it
is, and returns an `Extracted`: the definition document CloudFormation would deploy, with a source map
into the file the user edits.

Where the definition can be, and how it is read:

| property | read as |
|---|---|
| `Definition` (an object, inline JSON or YAML) | the object; string leaves get `DefinitionSubstitutions` |
| `DefinitionString: "..."` | the string, parsed as JSON after substitution |
| `DefinitionString: !Sub "..."` / `[text, {vars}]` | `${Name}` of the Sub are deploy-time values (opaque), `${!X}` is a literal `${X}`, literal vars are substituted |
| `DefinitionString: !Join ["", [...]]` (CDK) | string fragments joined; `{Ref}`/`{Fn::GetAtt}`/other intrinsics in between are opaque values |
| `DefinitionUri: path` (SAM), `DefinitionS3Location: path` (`aws cloudformation package`) | the local file (JSON or YAML), relative to the template |
| `DefinitionS3Location: {Bucket, Key}` in `cdk.out` | the CDK file asset with that key (from `*.assets.json`) when it is there |

`DefinitionSubstitutions` follow CloudFormation: a value is put in as text (`${Timeout}` with 30 gives
`"30"` inside quotes and `30` outside them). Literal strings, numbers and booleans are substituted;
`Fn::FindInMap` over the template's `Mappings` and `Fn::Join`/`Fn::Sub` of literals are literal too.
Anything else (`!Ref`, `!GetAtt`, `{{resolve:...}}` dynamic references, parameters) is known only at
deploy time: the `${Name}` stays, and the validator treats it as an opaque value of whatever type its
field needs (quoted when it stands outside a JSON string). A `${Name}` with no substitution is deployed
literally by CloudFormation; it is reported (`unknown`).

Why this module is long: it is the one reader of CloudFormation's definition properties (inline objects,
strings, Fn::Sub, CDK's Fn::Join, local files and CDK assets) and the substitution rules they share;
split, one specification would be spread over modules that only make sense together.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..diagnostics import Diagnostic, Span, problem
from ..errors import SfncError
from .embedded import (Extracted, FileOrigin, JsonView, NodeOrigin, StringOrigin, TextBuilder, YamlView, allowed,
                       parse_assembled)
from .jsondoc import JsonDocument, load_json_text
from .limits import read_text
from .pointer import escape_token
from .cfnyaml import INTRINSIC_KEYS, load_cfn_yaml_text

STATE_MACHINE_TYPES = ("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
PSEUDO_PARAMETERS = frozenset({"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
                               "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"})
_PLACEHOLDER = re.compile(r"\$\{([^{}]*)\}")
_MAX_TEMPLATE_BYTES = 10 * 1024 * 1024       # CloudFormation's own limit is 1 MB (S3: 1 MB too)


@dataclass(frozen=True)
class Opaque:
    """A value known only at deploy time; `expr` says how it is written (`!GetAtt Fn.Arn`)."""

    expr: str


Value = Any   # str | int | float | bool | Opaque


def cfn_text(value: Any) -> str:
    """A substitution value as CloudFormation puts it into the definition text (Java toString)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe(value: Any) -> str:
    """An intrinsic function as it would be written in YAML short form (for messages and `sfnc import`)."""
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref":
            return f"!Ref {arg}"
        if key == "Fn::GetAtt":
            return "!GetAtt " + (".".join(map(str, arg)) if isinstance(arg, list) else str(arg))
        if key == "Fn::Sub" and isinstance(arg, str):
            return f"!Sub {json.dumps(arg)}"
        if key.startswith("Fn::"):
            text = json.dumps(arg, separators=(", ", ": "))
            return f"!{key[4:]} {text if len(text) <= 120 else text[:117] + '...'}"
    if isinstance(value, str):
        return value
    return json.dumps(value)


# ------------------------------------------------------------------------------------------------
# templates


@dataclass
class CfnTemplate:
    path: Path
    display: str
    text: str
    doc: Any                      # JsonDocument | YamlDocument
    data: dict[str, Any]
    is_yaml: bool
    kind: str                     # cloudformation | sam | cdk

    def view(self, prefix: str):
        return YamlView(self.doc, self.text, prefix) if self.is_yaml else JsonView(self.doc, prefix)

    def position(self, pointer: str) -> tuple[int, int]:
        pos = self.doc.locate(pointer)
        return pos.line, pos.column


def looks_like_template(data: Any) -> bool:
    """A CloudFormation template: a `Resources` map of objects with a `Type`."""
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        return False
    if "AWSTemplateFormatVersion" in data or "Transform" in data:
        return True
    return any(isinstance(r, dict) and isinstance(r.get("Type"), str) and "::" in r["Type"]
               for r in data["Resources"].values())


def _kind(path: Path, data: dict[str, Any]) -> str:
    transform = data.get("Transform")
    transforms = transform if isinstance(transform, list) else [transform]
    if any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms):
        return "sam"
    if path.name.endswith(".template.json") and ("cdk.out" in path.parts or "BootstrapVersion" in (data.get("Parameters") or {})):
        return "cdk"
    return "cloudformation"


def read_template(path: Path, display: str | None = None, *, text: str | None = None) -> CfnTemplate | None:
    """Parse a template; None when the file parses but is not a CloudFormation template. Broken YAML or
    JSON raises `SfncError` with file:line:col."""
    display = display or str(path)
    if text is None:
        if path.stat().st_size > _MAX_TEMPLATE_BYTES:
            raise SfncError(f"file is larger than {_MAX_TEMPLATE_BYTES // (1024 * 1024)} MB", file=display)
        text = read_text(path, display)
    is_yaml = path.suffix in (".yaml", ".yml") or not text.lstrip().startswith("{")
    try:
        doc = load_cfn_yaml_text(text, display) if is_yaml else load_json_text(text, display)
    except RecursionError:
        raise SfncError("nesting too deep (or a YAML alias that contains itself)", file=display) from None
    if not looks_like_template(doc.data):
        return None
    return CfnTemplate(path, display, text, doc, doc.data, is_yaml, _kind(path, doc.data))


@dataclass
class Machine:
    """One state machine resource of a template."""

    template: CfnTemplate
    logical_id: str
    type: str
    properties: dict[str, Any]

    @property
    def pointer(self) -> str:
        return f"/Resources/{escape_token(self.logical_id)}"

    def prop_pointer(self, name: str) -> str:
        return f"{self.pointer}/Properties/{escape_token(name)}"

    @property
    def sam(self) -> bool:
        return self.type == "AWS::Serverless::StateMachine"

    @property
    def machine_type(self) -> str | None:
        value = self.properties.get("Type" if self.sam else "StateMachineType")
        return value.upper() if isinstance(value, str) and value.upper() in ("STANDARD", "EXPRESS") else None

    @property
    def name(self) -> str | None:
        value = self.properties.get("Name" if self.sam else "StateMachineName")
        return value if isinstance(value, str) else None


def state_machines(template: CfnTemplate) -> list[Machine]:
    out = []
    for lid, res in template.data["Resources"].items():
        if isinstance(res, dict) and res.get("Type") in STATE_MACHINE_TYPES:
            props = res.get("Properties")
            out.append(Machine(template, str(lid), res["Type"], props if isinstance(props, dict) else {}))
    return out


# ------------------------------------------------------------------------------------------------
# substitution values


def _literal(value: Any, template: CfnTemplate) -> Any:
    """The literal a substitution value stands for, or an `Opaque` when only the deploy knows it."""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        return Opaque(value) if "{{resolve:" in value else value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) >= 3:
            parts = [_literal(a, template) for a in arg[:3]]
            if all(isinstance(p, str) for p in parts):
                node: Any = template.data.get("Mappings") or {}
                for p in parts:
                    node = node.get(p) if isinstance(node, dict) else None
                if isinstance(node, (str, int, float, bool)):
                    return node
        if key == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) \
                and isinstance(arg[1], list):
            parts = [_literal(a, template) for a in arg[1]]
            if all(isinstance(p, (str, int, float)) and not isinstance(p, bool) for p in parts):
                return arg[0].join(cfn_text(p) for p in parts)
        if key == "Fn::Sub" and isinstance(arg, str) and all(
                m.group(1).startswith("!") for m in _PLACEHOLDER.finditer(arg)):
            return _PLACEHOLDER.sub(lambda m: "${" + m.group(1)[1:] + "}", arg)
    return Opaque(describe(value))


def substitutions(machine: Machine) -> tuple[dict[str, Any], list[Diagnostic]]:
    """`DefinitionSubstitutions`: name -> literal value or `Opaque`."""
    raw = machine.properties.get("DefinitionSubstitutions")
    if raw is None:
        return {}, []
    ptr = machine.prop_pointer("DefinitionSubstitutions")
    line, col = machine.template.position(ptr)
    if not isinstance(raw, dict):
        return {}, [problem("DefinitionSubstitutions must be a map of names to values",
                            file=machine.template.display, line=line, column=col)]
    out: dict[str, Any] = {}
    problems: list[Diagnostic] = []
    for key, value in raw.items():
        if value is None or isinstance(value, list) or (isinstance(value, dict) and (
                len(value) != 1 or next(iter(value)) not in INTRINSIC_KEYS)):
            line, col = machine.template.position(f"{ptr}/{escape_token(str(key))}")
            problems.append(problem(f"DefinitionSubstitutions {key!r}: CloudFormation accepts a string, number or "
                                    "boolean (or an intrinsic function returning one)",
                                    file=machine.template.display, line=line, column=col,
                                    hint="CloudFormation rejects it: 'Invalid definition substitution type'"))
            out[str(key)] = Opaque(describe(value))
            continue
        out[str(key)] = _literal(value, machine.template)
    return out, problems


# ------------------------------------------------------------------------------------------------
# extraction


class _Subst:
    """The substitution pass: DefinitionSubstitutions lookups (and Fn::Sub variables), recording what was
    left opaque and what is unknown."""

    def __init__(self, values: dict[str, Any], substitute: bool) -> None:
        self.values = values
        self.substitute = substitute
        self.opaque: set[str] = set()
        self.quoted: set[str] = set()
        self.sources: dict[str, str] = {}
        self.unknown_names: set[str] = set()

    def defsub(self, b: TextBuilder, name: str, origin: Any, at: int) -> None:
        if name in self.values and self.substitute:
            value = self.values[name]
            if isinstance(value, Opaque):
                self.emit_opaque(b, name, origin, at)
            else:
                b.add(cfn_text(value), origin, at, exact=False)
            return
        if name in self.values:             # not substituting (sfnc import): keep it as a placeholder
            self.emit_opaque(b, name, origin, at)
            return
        self.unknown_names.add(name)
        b.add("${" + name + "}", origin, at, exact=False)

    def emit_opaque(self, b: TextBuilder, name: str, origin: Any, at: int, source: str | None = None) -> None:
        self.opaque.add(name)
        if name not in self.sources:
            value = self.values.get(name)
            self.sources[name] = source or (value.expr if isinstance(value, Opaque) else _sub_source(name))
        if not b.in_string:
            self.quoted.add(name)
        b.add("${" + name + "}" if b.in_string else '"${' + name + '}"', origin, at, exact=False)

    def text(self, b: TextBuilder, text: str, origin: Any, base: int = 0, *, sub_vars: dict[str, Any] | None = None) -> None:
        """Add `text` (a string of the template), substituting placeholders. With `sub_vars` the text is an
        Fn::Sub string: `${X}` is a deploy-time value (or a literal variable), `${!X}` a literal `${X}`."""
        pos = 0
        for m in _PLACEHOLDER.finditer(text):
            b.add(text[pos:m.start()], origin, base + pos)
            name = m.group(1)
            at = base + m.start()
            if sub_vars is not None and not name.startswith("!"):
                value = sub_vars.get(name)
                if value is not None and not isinstance(value, Opaque):
                    b.add(cfn_text(value), origin, at, exact=False)
                else:
                    self.emit_opaque(b, name.strip(), origin, at)
            else:
                self.defsub(b, name[1:] if sub_vars is not None else name, origin, at)
            pos = m.end()
        b.add(text[pos:], origin, base + pos)


def _sub_source(name: str) -> str:
    """How a `${Name}` of an Fn::Sub is resolved."""
    if name in PSEUDO_PARAMETERS:
        return f"the pseudo parameter {name}"
    return f"!GetAtt {name}" if "." in name else f"!Ref {name}"


def _intrinsic_name(value: Any) -> str:
    """The placeholder name an intrinsic gets inside an assembled definition: `${Fn.Arn}` for GetAtt,
    `${Param}` for Ref, `${Fn::ImportValue_<hash>}` for the others."""
    import hashlib

    key, arg = next(iter(value.items()))
    if key == "Ref" and isinstance(arg, str):
        return arg
    if key == "Fn::GetAtt":
        return ".".join(map(str, arg)) if isinstance(arg, list) else str(arg)
    return f"{key}_{hashlib.sha1(json.dumps(arg, sort_keys=True).encode()).hexdigest()[:8]}"


def _is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSIC_KEYS


def _sub_vars(template: CfnTemplate, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        return {}
    return {str(k): _literal(v, template) for k, v in raw.items()}


def _assemble(machine: Machine, value: Any, ptr: str, b: TextBuilder, sub: _Subst) -> str | None:
    """Add a DefinitionString value (a string, Fn::Sub or Fn::Join) to `b`; the reason when it cannot."""
    view = machine.template.view("")
    if isinstance(value, str):
        sub.text(b, value, StringOrigin(view, ptr))
        return None
    if not _is_intrinsic(value):
        return f"a {type(value).__name__} that is not a string or an intrinsic function"
    key, arg = next(iter(value.items()))
    kptr = f"{ptr}/{escape_token(key)}"
    if key == "Fn::Sub":
        if isinstance(arg, str):
            sub.text(b, arg, StringOrigin(view, kptr), sub_vars={})
            return None
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            sub.text(b, arg[0], StringOrigin(view, kptr + "/0"),
                     sub_vars=_sub_vars(machine.template, arg[1] if len(arg) > 1 else {}))
            return None
        return "an Fn::Sub that is not a string or [string, variables]"
    if key == "Fn::Join":
        if not (isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], list)):
            return "an Fn::Join that is not [separator, [values]]"
        sep = arg[0]
        for i, part in enumerate(arg[1]):
            if i and sep:
                sub.text(b, sep, StringOrigin(view, kptr + "/0"))
            pptr = f"{kptr}/1/{i}"
            if isinstance(part, str):
                sub.text(b, part, StringOrigin(view, pptr))
            elif _is_intrinsic(part) and next(iter(part)) in ("Fn::Sub", "Fn::Join"):
                reason = _assemble(machine, part, pptr, b, sub)
                if reason:
                    return reason
            else:
                literal = _literal(part, machine.template)
                if isinstance(literal, Opaque):
                    sub.emit_opaque(b, _intrinsic_name(part) if _is_intrinsic(part) else "value", NodeOrigin(view, pptr), 0,
                                    source=describe(part))
                else:
                    b.add(cfn_text(literal), NodeOrigin(view, pptr), 0, exact=False)
        return None
    return f"{describe(value).split(' ')[0]} (sfnc cannot tell which definition CloudFormation would choose)"


def _walk_object(node: Any, tptr: str, rptr: str, smap: Any, tpl: CfnTemplate, sub: _Subst) -> Any:
    """An inline `Definition` object: substitute string leaves, turn !Ref/!GetAtt/!Sub into strings."""
    smap.pointers[rptr] = tptr
    if isinstance(node, dict):
        if _is_intrinsic(node):
            key, arg = next(iter(node.items()))
            kptr = f"{tptr}/{escape_token(key)}"
            if key in ("Ref", "Fn::GetAtt"):
                smap.pointers[rptr] = kptr
                sub.opaque.add(_intrinsic_name(node))
                sub.sources.setdefault(_intrinsic_name(node), describe(node))
                return "${" + _intrinsic_name(node) + "}"
            if key == "Fn::Sub" and (isinstance(arg, str) or (isinstance(arg, list) and arg and isinstance(arg[0], str))):
                sptr = kptr if isinstance(arg, str) else kptr + "/0"
                text = arg if isinstance(arg, str) else arg[0]
                variables = {} if isinstance(arg, str) else _sub_vars(tpl, arg[1] if len(arg) > 1 else {})
                smap.pointers[rptr] = sptr
                return _string_leaf(text, rptr, smap, sub, variables)
            return node      # another intrinsic: an opaque object
        return {k: _walk_object(v, f"{tptr}/{escape_token(k)}", f"{rptr}/{escape_token(k)}", smap, tpl, sub)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_walk_object(v, f"{tptr}/{i}", f"{rptr}/{i}", smap, tpl, sub) for i, v in enumerate(node)]
    if isinstance(node, str) and "${" in node:
        return _string_leaf(node, rptr, smap, sub, None)
    return node


def _string_leaf(text: str, rptr: str, smap: Any, sub: _Subst, sub_vars: dict[str, Any] | None) -> str:
    b = TextBuilder()
    b.in_string = True
    sub.text(b, text, None, sub_vars=sub_vars)
    out = b.text()
    if out != text or sub_vars is not None:
        smap.modified[rptr] = [(s.start, s.origin_offset, s.length if s.exact else 0) for s in b.segments]
    return out


def _cdk_asset(machine: Machine, location: dict[str, Any]) -> Path | None:
    """The local file of a CDK file asset, found by its S3 object key in the cdk.out assets manifests."""
    key = location.get("Key")
    if not isinstance(key, str):
        return None
    outdir = machine.template.path.parent
    for manifest in sorted(outdir.glob("*.assets.json")):
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for asset in (data.get("files") or {}).values() if isinstance(data, dict) else ():
            if not isinstance(asset, dict):
                continue
            dests = asset.get("destinations") or {}
            if any(isinstance(d, dict) and d.get("objectKey") == key for d in dests.values()):
                src = (asset.get("source") or {}).get("path")
                if isinstance(src, str) and (asset.get("source") or {}).get("packaging", "file") == "file":
                    return outdir / src
    return None


def extract(machine: Machine, *, roots: list[Path] | None = None, display: Callable[[Path], str] = str,
            substitute: bool = True) -> Extracted:
    """Read `machine`'s definition. `roots`: directories a DefinitionUri may point into (default: the
    template's directory). `substitute=False` keeps every DefinitionSubstitutions placeholder (for import)."""
    from .sourcemap import SourceMap
    from .embedded import dumps_definition as dumps

    tpl = machine.template
    props = machine.properties
    roots = [r.resolve() for r in (roots or [tpl.path.parent])]
    values, problems = substitutions(machine)
    sub = _Subst(values, substitute)
    ext = Extracted(machine.logical_id, machine.type, tpl.display, tpl.display, None,
                    machine_type=machine.machine_type, substitutions=values, invalid=problems, kind=tpl.kind,
                    at=_key_span(tpl, machine.pointer))

    def finish_text(b: TextBuilder, outer: Any, origin_display: str) -> Extracted:
        ext.origin = origin_display
        ext.document, ext.source_map, ext.parse_error = parse_assembled(b, outer, origin_display)
        return _done(ext, sub)

    def finish_object(data: Any, view: Any, origin_display: str) -> Extracted:
        smap = SourceMap(view)     # a JsonDocument-like view: SourceMap locates through it unchanged
        rendered = _walk_object(data, "", "", smap, tpl, sub)
        try:
            text = dumps(rendered)
        except (TypeError, ValueError) as exc:
            ext.parse_error = problem(f"the definition holds a value that is not JSON: {exc}", file=origin_display)
            return _done(ext, sub)
        ext.origin = origin_display
        ext.document = JsonDocument(rendered, text, origin_display)
        ext.source_map = smap
        return _done(ext, sub)

    present = [k for k in ("Definition", "DefinitionString", "DefinitionUri", "DefinitionS3Location") if k in props]
    if len(present) > 1:
        line, col = tpl.position(machine.prop_pointer(present[1]))
        ext.invalid.append(problem(f"{machine.logical_id}: {' and '.join(present)} are both set; CloudFormation "
                                    "accepts exactly one", file=tpl.display, line=line, column=col))
    if not present:
        line, col = tpl.position(machine.pointer)
        ext.invalid.append(problem(f"{machine.logical_id}: no Definition, DefinitionString, DefinitionUri or "
                                    "DefinitionS3Location", file=tpl.display, line=line, column=col))
        return ext
    prop = present[0]
    ptr = machine.prop_pointer(prop)
    value = props[prop]
    if prop == "Definition":
        if isinstance(value, dict) and not _is_intrinsic(value):
            return finish_object(value, tpl.view(ptr), tpl.display)
        ext.skipped = f"Definition is {describe(value)[:60]}, not an object"
        return ext
    if prop == "DefinitionString":
        b = TextBuilder()
        reason = _assemble(machine, value, ptr, b, sub)
        if reason:
            ext.skipped = f"DefinitionString is {reason}"
            return ext
        return finish_text(b, FileOrigin(tpl.display, tpl.text), tpl.display)
    # DefinitionUri / DefinitionS3Location
    local: Path | None = None
    if isinstance(value, str):
        if value.startswith("s3://"):
            ext.skipped = f"{prop} is in S3 ({value}); sfnc reads only local files"
            return ext
        local = (tpl.path.parent / value)
    elif isinstance(value, dict):
        local = _cdk_asset(machine, value) if tpl.kind == "cdk" else None
        if local is None:
            ext.skipped = f"{prop} is in S3 ({describe(value.get('Bucket'))}/{describe(value.get('Key'))}); sfnc reads only local files"
            return ext
    else:
        ext.skipped = f"{prop} is {describe(value)[:60]}"
        return ext
    line, col = tpl.position(ptr)
    if not allowed(local, roots):
        ext.problems.append(problem(f"{prop} {value!r} points outside the project; not read", file=tpl.display,
                                    line=line, column=col))
        return ext
    if not local.is_file():
        ext.problems.append(problem(f"{prop}: {display(local)}: file not found", file=tpl.display, line=line,
                                    column=col, hint="run sfnc from the template's project, or fix the path"))
        return ext
    ext.definition_file = local
    shown = display(local)
    try:
        text = read_text(local, shown)
    except SfncError as exc:
        ext.problems.extend(exc.problems)
        return ext
    if local.suffix in (".yaml", ".yml"):
        try:
            ydoc = load_cfn_yaml_text(text, shown)
        except RecursionError:
            ext.parse_error = problem("nesting too deep (or a YAML alias that contains itself)", file=shown)
            return ext
        except SfncError as exc:
            p = exc.problems[0]
            ext.parse_error = p
            return ext
        return finish_object(ydoc.data, YamlView(ydoc, text, ""), shown)
    b = TextBuilder()
    origin = FileOrigin(shown, text)
    sub.text(b, text, origin)
    return finish_text(b, origin, shown)


def _key_span(tpl: CfnTemplate, pointer: str) -> Span:
    """Where a resource's logical id is written."""
    pos = tpl.doc.locate(pointer, key=True)
    return Span(tpl.display, pos.line, pos.column)


def _done(ext: Extracted, sub: _Subst) -> Extracted:
    ext.opaque = set(sub.opaque)
    ext.quoted = set(sub.quoted)
    ext.sources = dict(sub.sources)
    if ext.document is not None and sub.unknown_names:
        ext.unknown = list(_find_placeholders(ext.document.data, "", sub.unknown_names))
    return ext


def _find_placeholders(node: Any, pointer: str, names: set[str]):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _find_placeholders(v, f"{pointer}/{escape_token(k)}", names)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _find_placeholders(v, f"{pointer}/{i}", names)
    elif isinstance(node, str) and "${" in node:
        for m in _PLACEHOLDER.finditer(node):
            if m.group(1) in names:
                yield pointer, m.start(), m.group(1)
