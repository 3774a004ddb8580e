"""`sfnc validate PATH...`: state machines where they live. ASL files (JSON, JSON5, YAML), CloudFormation/
SAM/CDK templates and Terraform files, found by `load.discover`, read by the readers in `load/`, checked by
`check` (`validate_file`, or `check.sources.validate_extracted` through the reader's source map).

A definition file that a template or a Terraform file references (DefinitionUri, templatefile) is read
through it (with its substitutions), not again on its own, unless it was named on the command line.
Whatever could not be read is a diagnostic too (SFN012 input-not-read, SFN013 definition-not-read, SFN014
template-property-invalid), so every report format shows it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..check.rules.document import INPUT_ERROR_RULES
from ..check.rules.inputs import DefinitionNotRead, InputNotRead
from ..check.sources import (extracted_problems, input_diagnostics, invalid_json, not_a_definition, relocate,
                             validate_extracted)
from ..diagnostics import Diagnostic, Span
from ..errors import SfncError
from ..fsutil import realpath

if TYPE_CHECKING:  # pragma: no cover
    from ..check.config import CheckConfig
    from .results import Results


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
    diagnostics: list[Diagnostic] = field(default_factory=list)   # findings and input problems (SFN01x)
    files: list[str] = field(default_factory=list)          # one entry per definition checked
    remote: list[RemoteTarget] = field(default_factory=list)   # what `--remote` may send to AWS


def validate_paths(paths: list[Path], config: CheckConfig | None, *, display: Callable[[Path], str],
                   roots: list[Path], excludes: list[str] | None = None, machine_type: str | None = None,
                   results: Results | None = None, input_schema: Any = None) -> PathsResult:
    """Discover and validate every definition under `paths`. `roots`: directories local references
    (DefinitionUri, templatefile) may point into. `results` (`pipeline.results.Results`, one per run) gives
    the rule configuration (instead of `config`, built only when something is validated) and the
    diagnostics of the ASL files (from the result cache, or from worker processes). `input_schema`: the
    execution input's JSON Schema (`--input-schema`), for every definition found."""
    from ..load.discover import discover

    def cfg() -> CheckConfig:
        return results.config if results is not None else config

    inputs, problems = discover(paths, excludes)
    result = PathsResult(input_diagnostics(InputNotRead, problems))
    consumed: set[str] = set()      # real paths of definition files read through a template
    asl_files: list[tuple[Path, str]] = []      # validated together (cache, workers) when `results` is given
    # templates and Terraform first: the definition files they reference are read through them
    order = {"template": 0, "tf": 0, "tftpl": 1, "asl-yaml": 1, "asl": 1}
    for inp in sorted(inputs, key=lambda i: order[i.kind]):
        shown = display(inp.path)
        if not inp.explicit and realpath(os.fspath(inp.path)) in consumed:
            continue
        try:
            if inp.kind == "template":
                _template(inp, shown, cfg, display, roots, machine_type, result, consumed, input_schema, results)
            elif inp.kind == "tf":
                _terraform(inp, shown, cfg, display, roots, machine_type, result, consumed, input_schema, results)
            elif inp.kind == "tftpl":
                from ..load.terraform import extract_tftpl

                _one(extract_tftpl(inp.path, shown), cfg, machine_type, result, input_schema, results)
            elif inp.kind == "asl-yaml":
                _asl_yaml(inp, shown, cfg, machine_type, result, input_schema, results)
            else:
                result.files.append(shown)
                if results is not None:
                    asl_files.append((inp.path, shown))
                    continue
                from ..check.runner import validate_file

                _asl_file(inp.path, shown, validate_file(inp.path, shown, config, machine_type=machine_type,
                                                         input_schema=input_schema),
                          machine_type, result)
        except SfncError as exc:     # a file that cannot be read (not UTF-8, too large, ...)
            result.diagnostics += input_diagnostics(InputNotRead, exc.problems)
    if asl_files:
        for (path, shown), found in zip(asl_files, results.files(asl_files, machine_type, input_schema)):
            if isinstance(found, SfncError):
                result.diagnostics += input_diagnostics(InputNotRead, found.problems)
            else:
                _asl_file(path, shown, found, machine_type, result)
    if not result.files and not any(d.rule == InputNotRead.id for d in result.diagnostics):
        result.diagnostics += input_diagnostics(InputNotRead, [Diagnostic(
            "no state machine definitions found in " + ", ".join(str(p) for p in paths),
            hint="sfnc reads *.asl.json, *.asl.yaml, *.json and *.yaml definitions, CloudFormation/SAM/CDK "
                 "templates and Terraform files (see docs/adopt.md#which-files-a-directory-walk-reads)")])
    return result


def _asl_file(path: Path, shown: str, diags: list[Diagnostic], machine_type: str | None, result: PathsResult) -> None:
    result.diagnostics.extend(diags)
    if not any(d.rule in INPUT_ERROR_RULES for d in diags):
        result.remote.append(RemoteTarget(_file_loader(path, shown), None, machine_type))


def remote_diagnostics(result: PathsResult, config: CheckConfig) -> list[Diagnostic]:
    """AWS ValidateStateMachineDefinition on every definition that can be sent as it is (`--remote`)."""
    from ..check.remote import make_client, remote_diagnostics as remote_check

    out: list[Diagnostic] = []
    client = make_client() if result.remote else None
    for t in result.remote:
        out += t.relocate(remote_check(client, t.load(), config, machine_type=t.machine_type or "STANDARD",
                                       source_map=t.source_map, resource=t.resource))
    return out


# The readers of templates, Terraform and `.asl.yaml` files below take the rule configuration as `cfg`, a
# function that builds it (once): a run whose results all come from the cache does not build it, so it does
# not import the rules (`pipeline.results`).


def _validated(ext: Any, cfg: Callable[[], CheckConfig], machine_type: str | None, input_schema: Any,
               results: Results | None) -> list[Diagnostic]:
    """The diagnostics of a definition read out of another file: from the result cache when `results` has
    them for the same texts (`Results.extracted`), else validated."""
    def check() -> list[Diagnostic]:
        return validate_extracted(ext, cfg(), machine_type=machine_type, input_schema=input_schema)

    return check() if results is None else results.extracted(ext, machine_type, input_schema, check)


def _one(ext: Any, cfg: Callable[[], CheckConfig], machine_type: str | None, result: PathsResult,
         input_schema: Any = None, results: Results | None = None) -> None:
    result.diagnostics += extracted_problems(ext, cfg)
    if ext.skipped:
        return
    if ext.document is None and ext.parse_error is None:
        return
    label = ext.origin if ext.resource is None else f"{ext.origin} ({ext.resource})"
    result.files.append(label)
    result.diagnostics.extend(_validated(ext, cfg, machine_type, input_schema, results))
    if ext.document is not None and not ext.opaque and not ext.unknown:
        doc = ext.document
        result.remote.append(RemoteTarget(lambda: doc, ext.source_map, machine_type or ext.machine_type, ext.resource))


def _template(inp, shown, cfg, display, roots, machine_type, result, consumed, input_schema=None,
              results=None) -> None:
    from ..load.cloudformation import extract, read_template, state_machines

    try:
        tpl = read_template(inp.path, shown)
    except SfncError as exc:
        result.files.append(shown)
        result.diagnostics.extend(invalid_json(cfg(), exc.problems[0], shown))
        return
    if tpl is None:
        if inp.explicit:
            result.files.append(shown)
            result.diagnostics.extend(not_a_definition(cfg(), shown, "not a state machine definition or a "
                                                       "CloudFormation template"))
        return
    machines = state_machines(tpl)
    if not machines and inp.explicit:
        result.diagnostics += input_diagnostics(DefinitionNotRead, [Diagnostic(
            "the template has no AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine resource",
            span=Span(shown))], cfg())
    for m in machines:
        ext = extract(m, roots=[inp.path.parent.resolve(), *roots], display=display)
        if ext.definition_file is not None:
            consumed.add(realpath(os.fspath(ext.definition_file)))
        _one(ext, cfg, machine_type, result, input_schema, results)


def _terraform(inp, shown, cfg, display, roots, machine_type, result, consumed, input_schema=None,
               results=None) -> None:
    from ..load.terraform import extract_tf

    for ext in extract_tf(inp.path, shown, roots=[inp.path.parent.resolve(), *roots], display=display):
        if ext.definition_file is not None:
            consumed.add(realpath(os.fspath(ext.definition_file)))
        _one(ext, cfg, machine_type, result, input_schema, results)


def _asl_yaml(inp, shown, cfg, machine_type, result, input_schema=None, results=None) -> None:
    from ..load.yamldef import extract_yaml

    try:
        ext = extract_yaml(inp.path, shown)
    except SfncError as exc:
        result.files.append(shown)
        result.diagnostics.extend(invalid_json(cfg(), exc.problems[0], shown))
        return
    result.files.append(shown)
    if ext is None:
        result.diagnostics.extend(not_a_definition(cfg(), shown, "not a state machine definition: the YAML "
                                                   "document has no StartAt and States"))
        return
    result.diagnostics.extend(_validated(ext, cfg, machine_type, input_schema, results))
    doc = ext.document
    result.remote.append(RemoteTarget(lambda: doc, ext.source_map, machine_type))


def _file_loader(path: Path, shown: str) -> Callable[[], Any]:
    def load() -> Any:
        from ..load import load_json_file

        return load_json_file(path, shown, allow_duplicates=True)

    return load


__all__ = ["PathsResult", "RemoteTarget", "remote_diagnostics", "validate_paths"]
