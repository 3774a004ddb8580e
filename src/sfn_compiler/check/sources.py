"""Validating state machines where they live: ASL files (JSON, JSON5, YAML), CloudFormation/SAM/CDK
templates and Terraform files, found by `load.discover`.

`validate_paths(...)` is what `sfnc validate PATH...` calls. A definition read out of another file
(`load.cloudformation.Extracted`) is validated like a rendered template, through its source map, and its
findings are then located in the file the user edits: `file`/`line`/`column` are the template (or the
DefinitionUri / `.tftpl` file), `template` is empty, and `resource` names the resource (the logical id
in CloudFormation, the address in Terraform).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..diagnostics import Diagnostic
from ..errors import Problem, SfncError
from .base import Finding
from .config import CheckConfig
from .pipeline import InvalidJson, NotAStateMachine, UnrenderedPlaceholder
from .runner import validate_document, validate_file


@dataclass
class RemoteTarget:
    """A definition `--remote` can send to AWS: only those with nothing opaque in them (a `${...}` left
    in would make AWS report errors that are not there once CloudFormation has substituted it)."""

    load: Callable[[], Any]          # -> JsonDocument
    source_map: Any = None
    machine_type: str | None = None
    resource: str | None = None

    def relocate(self, diags: list[Diagnostic]) -> list[Diagnostic]:
        return [relocate(d, self.resource) for d in diags] if self.source_map is not None else diags


@dataclass
class PathsResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)          # one entry per definition checked
    problems: list[Problem] = field(default_factory=list)   # inputs that could not be read (exit 2)
    notes: list[str] = field(default_factory=list)          # definitions not read (in S3...), for stderr
    remote: list[RemoteTarget] = field(default_factory=list)   # what `--remote` may send to AWS


def _fingerprint(d: Diagnostic) -> str:
    return hashlib.sha256("\0".join([d.rule, d.file, d.resource or "", d.pointer, d.message]).encode()).hexdigest()[:16]


def relocate(d: Diagnostic, resource: str | None) -> Diagnostic:
    """Make the source location the primary one: the definition has no file of its own."""
    if d.template:
        file, line, col = d.template.rsplit(":", 2)
        d.file, d.line, d.column = file, int(line), int(col)
        d.template = None
    d.resource = resource
    d.fingerprint = _fingerprint(d)
    return d


def validate_extracted(ext: Any, config: CheckConfig, *, machine_type: str | None = None) -> list[Diagnostic]:
    """Validate a definition read out of a template (`Extracted`)."""
    if ext.parse_error is not None:
        p = ext.parse_error
        if not config.enabled(InvalidJson, p.file):
            return []
        d = Diagnostic(InvalidJson.id, InvalidJson.name, config.severity_of(InvalidJson).value, p.message, "",
                       p.file or ext.origin, p.line, p.column, p.hint or "fix the JSON at this position", None, None,
                       InvalidJson.docs_url())
        return [relocate(d, ext.resource)]
    if ext.document is None:
        return []
    mode = config.placeholders
    cfg = config if mode == "error" or not ext.opaque_ok else dataclasses.replace(config, placeholders="opaque",
                                                                                   _cache={})
    extra = []
    if mode != "error":
        for pointer, offset, name in ext.unknown:
            extra.append((UnrenderedPlaceholder, Finding(
                pointer, f"${{{name}}} is not in DefinitionSubstitutions: CloudFormation deploys it as written",
                hint=f"add {name} to the resource's DefinitionSubstitutions, or write ${{!{name}}} in an Fn::Sub "
                     "if the text is meant literally", offset=offset)))
    diags = validate_document(ext.document, cfg, source_map=ext.source_map, path_for_ignores=ext.origin,
                              machine_type=machine_type or ext.machine_type, extra=extra)
    return [relocate(d, ext.resource) for d in diags]


def _not_a_definition(config: CheckConfig, file: str, message: str, resource: str | None = None) -> list[Diagnostic]:
    if not config.enabled(NotAStateMachine, file):
        return []
    d = Diagnostic(NotAStateMachine.id, NotAStateMachine.name, config.severity_of(NotAStateMachine).value, message,
                   "", file, 1, 1, "a definition is an object with StartAt and States", None, None,
                   NotAStateMachine.docs_url())
    return [relocate(d, resource)]


def _parse_error(config: CheckConfig, exc: SfncError, file: str) -> list[Diagnostic]:
    p = exc.problems[0]
    if not config.enabled(InvalidJson, file):
        return []
    d = Diagnostic(InvalidJson.id, InvalidJson.name, config.severity_of(InvalidJson).value, p.message, p.pointer or "",
                   p.file or file, p.line, p.column, p.hint, None, None, InvalidJson.docs_url())
    return [relocate(d, None)]


def validate_paths(paths: list[Path], config: CheckConfig, *, display: Callable[[Path], str],
                   roots: list[Path], excludes: list[str] | None = None,
                   machine_type: str | None = None) -> PathsResult:
    """Discover and validate every definition under `paths`. `roots`: directories local references
    (DefinitionUri, templatefile) may point into."""
    from ..load.discover import discover

    inputs, problems = discover(paths, excludes)
    result = PathsResult(problems=problems)
    consumed: set[Path] = set()
    # templates and Terraform first: the definition files they reference are read through them
    order = {"template": 0, "tf": 0, "tftpl": 1, "asl-yaml": 1, "asl": 1}
    for inp in sorted(inputs, key=lambda i: order[i.kind]):
        shown = display(inp.path)
        if not inp.explicit and inp.path.resolve() in consumed:
            continue
        try:
            if inp.kind == "template":
                _template(inp, shown, config, display, roots, machine_type, result, consumed)
            elif inp.kind == "tf":
                _terraform(inp, shown, config, display, roots, machine_type, result, consumed)
            elif inp.kind == "tftpl":
                from ..load.terraform import extract_tftpl

                _one(extract_tftpl(inp.path, shown), config, machine_type, result)
            elif inp.kind == "asl-yaml":
                _asl_yaml(inp, shown, config, machine_type, result)
            else:
                result.files.append(shown)
                diags = validate_file(inp.path, shown, config, machine_type=machine_type)
                result.diagnostics.extend(diags)
                if not any(d.rule in ("SFN001", "SFN004") for d in diags):
                    result.remote.append(RemoteTarget(_file_loader(inp.path, shown), None, machine_type))
        except SfncError as exc:
            result.problems.extend(exc.problems)
    return result


def _one(ext: Any, config: CheckConfig, machine_type: str | None, result: PathsResult) -> None:
    result.problems.extend(ext.problems)
    if ext.skipped:
        result.notes.append(f"{ext.container}: {ext.resource}: not read: {ext.skipped}")
        return
    if ext.document is None and ext.parse_error is None:
        return
    label = ext.origin if ext.resource is None else f"{ext.origin} ({ext.resource})"
    result.files.append(label)
    diags = validate_extracted(ext, config, machine_type=machine_type)
    result.diagnostics.extend(diags)
    if ext.document is not None and not ext.opaque and not ext.unknown:
        doc = ext.document
        result.remote.append(RemoteTarget(lambda: doc, ext.source_map, machine_type or ext.machine_type, ext.resource))


def _template(inp, shown, config, display, roots, machine_type, result, consumed) -> None:
    from ..load.cloudformation import extract, read_template, state_machines

    try:
        tpl = read_template(inp.path, shown)
    except SfncError as exc:
        result.files.append(shown)
        result.diagnostics.extend(_parse_error(config, exc, shown))
        return
    if tpl is None:
        if inp.explicit:
            result.files.append(shown)
            result.diagnostics.extend(_not_a_definition(config, shown, "not a state machine definition or a "
                                                        "CloudFormation template"))
        return
    machines = state_machines(tpl)
    if not machines and inp.explicit:
        result.notes.append(f"{shown}: no AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine resources")
    for m in machines:
        ext = extract(m, roots=[inp.path.parent.resolve(), *roots], display=display)
        if ext.definition_file is not None:
            consumed.add(ext.definition_file.resolve())
        _one(ext, config, machine_type, result)


def _terraform(inp, shown, config, display, roots, machine_type, result, consumed) -> None:
    from ..load.terraform import extract_tf

    for ext in extract_tf(inp.path, shown, roots=[inp.path.parent.resolve(), *roots], display=display):
        if ext.definition_file is not None:
            consumed.add(ext.definition_file.resolve())
        _one(ext, config, machine_type, result)


def _asl_yaml(inp, shown, config, machine_type, result) -> None:
    from ..load.yamldef import extract_yaml

    try:
        ext = extract_yaml(inp.path, shown)
    except SfncError as exc:
        result.files.append(shown)
        result.diagnostics.extend(_parse_error(config, exc, shown))
        return
    result.files.append(shown)
    if ext is None:
        result.diagnostics.extend(_not_a_definition(config, shown, "not a state machine definition: the YAML "
                                                    "document has no StartAt and States"))
        return
    result.diagnostics.extend(validate_extracted(ext, config, machine_type=machine_type))
    doc = ext.document
    result.remote.append(RemoteTarget(lambda: doc, ext.source_map, machine_type))


def _file_loader(path: Path, shown: str) -> Callable[[], Any]:
    def load() -> Any:
        from ..load import load_json_file

        return load_json_file(path, shown, allow_duplicates=True)

    return load


__all__ = ["PathsResult", "RemoteTarget", "relocate", "validate_extracted", "validate_paths"]
