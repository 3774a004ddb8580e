"""Checking a definition read out of another file (`load.embedded.Extracted`: a CloudFormation/SAM/CDK
template, a Terraform file, an `.asl.yaml` file): the runner on the definition, through the reader's
source map, with every finding located in the file the user edits; and the problems with the inputs
themselves (a template that does not render, a file not read...) as diagnostics of the SFN010-SFN015
rules (`input_diagnostic`), so that every report format shows them.

The definition has no file of its own, so a finding's `span` is its place in that file (the template, the
DefinitionUri file or the `.tftpl`), `template` is empty and `resource` names the resource (the logical id
in CloudFormation, the address in Terraform). Which files to read and when is `pipeline.sources`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

from ..diagnostics import Diagnostic, Related, Span
from .base import Finding
from .rules.document import InvalidJson, NotAStateMachine, UnrenderedPlaceholder
from .rules.inputs import DefinitionNotRead, InputNotRead, TemplatePropertyInvalid

if TYPE_CHECKING:  # pragma: no cover - the runner (and the model, the loaders) load when something is checked:
    # a `validate` whose results all come from the cache reports its input problems without them
    from .config import CheckConfig


def relocate(d: Diagnostic, resource: str | None) -> Diagnostic:
    """The place in the source file becomes the primary one (`span`, and each related place's), named by
    `resource`. A rule finding located by the runner keeps its fingerprint (made with the resource); one
    made here (SFN001, SFN004) gets one."""
    span = d.template or d.span
    related = tuple(Related(r.message, r.template or r.span, r.pointer) for r in d.related)
    d = dataclasses.replace(d, span=span, template=None, resource=resource, related=related)
    if d.rule is None or d.fingerprint:
        return d
    from .runner import fingerprint

    return dataclasses.replace(d, fingerprint=fingerprint(d.rule, span.file if span else "", d.pointer or "",
                                                          d.message, resource))


def input_diagnostic(rule: Any, d: Diagnostic, config: CheckConfig | None = None) -> Diagnostic | None:
    """A pipeline problem (`d`, no rule yet) as a diagnostic of `rule` (an SFN010-SFN015 input rule). Rules
    that mean "not checked at all" (`always`) are reported whatever the config; the others follow the
    selection and severity overrides (None when not selected)."""
    severity = rule.severity.value
    if not rule.always and config is not None:
        if not config.enabled(rule, d.span.file if d.span else None):
            return None
        severity = config.severity_of(rule).value
    # the same problem in several envs (a value missing from envs/_base.yaml) is one, merged like a finding
    # (`pipeline.validation.merge_envs`): the fingerprint and the merged message leave the env out
    neutral = d.message.replace(f" in env {d.env!r}", "") if d.env else d.message
    d = dataclasses.replace(d, severity=severity, rule=rule.id, name=rule.name, url=rule.docs_url(),
                            neutral=neutral if neutral != d.message else None)
    # the place with its line: input problems often have no pointer to tell two apart
    from .runner import fingerprint

    return dataclasses.replace(d, fingerprint=fingerprint(rule.id, d.span.format() if d.span else "", d.pointer or "",
                                                          neutral, d.resource))


def input_diagnostics(rule: Any, problems: list[Diagnostic], config: CheckConfig | None = None) -> list[Diagnostic]:
    return [x for x in (input_diagnostic(rule, p, config) for p in problems) if x is not None]


def extracted_problems(ext: Any, build_config: Callable[[], CheckConfig]) -> list[Diagnostic]:
    """What reading `ext` ran into: files not read (SFN012), properties CloudFormation rejects (SFN014), a
    definition sfnc does not read (SFN013), each naming the resource. `build_config` gives the rule
    configuration; it is called only when there is something to report (building it imports the rules, which
    a run answered from the result cache does without)."""
    if not (ext.problems or ext.invalid or ext.skipped):
        return []
    config = build_config()
    named = lambda ds: [dataclasses.replace(d, resource=d.resource or ext.resource) for d in ds]  # noqa: E731
    out = input_diagnostics(InputNotRead, named(ext.problems), config)
    out += input_diagnostics(TemplatePropertyInvalid, named(ext.invalid), config)
    if ext.skipped:
        at = ext.at or Span(ext.container)
        note = Diagnostic(f"{ext.resource}: the definition is not read, so this machine was not checked: {ext.skipped}",
                          span=at, resource=ext.resource,
                          hint="validate the definition file itself, or reference a local file from the template")
        out += input_diagnostics(DefinitionNotRead, [note], config)
    return out


def _document_rule(rule: Any, config: CheckConfig, message: str, span: Span | None, origin: str, hint: str | None,
                   resource: str | None, frame: str | None = None) -> list[Diagnostic]:
    if not config.enabled(rule, (span.file if span else None) or origin):
        return []
    return [relocate(Diagnostic(message, config.severity_of(rule).value, span or Span(origin), "", None, hint,
                                rule.id, rule.name, url=rule.docs_url(), frame=frame), resource)]


def invalid_json(config: CheckConfig, p: Diagnostic, origin: str, resource: str | None = None) -> list[Diagnostic]:
    """SFN001 for a definition (or the file holding it) that does not parse; `p` is the parser's problem, in
    the readers' words (`load.jsondoc`, `load.yamldoc`), with its code frame."""
    file = (p.span.file if p.span else None) or origin
    json_text = p.message.startswith(("invalid JSON", "the definition is not valid JSON"))  # a DefinitionString in YAML
    syntax = "YAML" if file.lower().endswith((".yaml", ".yml")) and not json_text else "JSON"
    return _document_rule(InvalidJson, config, p.message, p.span, origin, p.hint or f"fix the {syntax} at this position",
                          resource, p.frame)


def not_a_definition(config: CheckConfig, file: str, message: str, resource: str | None = None) -> list[Diagnostic]:
    """SFN004 for a file that was named as a definition but is none."""
    return _document_rule(NotAStateMachine, config, message, Span(file, 1, 1), file,
                          "a definition is an object with StartAt and States", resource)


def validate_extracted(ext: Any, config: CheckConfig, *, machine_type: str | None = None,
                       input_schema: Any = None) -> list[Diagnostic]:
    """Validate a definition read out of a template (`Extracted`); `input_schema`: its execution input's
    JSON Schema, when given."""
    if ext.parse_error is not None:
        return invalid_json(config, ext.parse_error, ext.origin, ext.resource)
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
    from .runner import validate_document

    diags = validate_document(ext.document, cfg, source_map=ext.source_map, path_for_ignores=ext.origin,
                              machine_type=machine_type or ext.machine_type, extra=extra, resource=ext.resource,
                              input_schema=input_schema)
    return [relocate(d, ext.resource) for d in diags]


__all__ = ["invalid_json", "not_a_definition", "relocate", "validate_extracted"]
