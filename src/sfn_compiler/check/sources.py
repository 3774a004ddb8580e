"""Checking a definition read out of another file (`load.cloudformation.Extracted`: a CloudFormation/SAM/CDK
template, a Terraform file, an `.asl.yaml` file): the runner on the definition, through the reader's
source map, with every finding located in the file the user edits.

The definition has no file of its own, so a finding's `span` is its place in that file (the template, the
DefinitionUri file or the `.tftpl`), `template` is empty and `resource` names the resource (the logical id
in CloudFormation, the address in Terraform). Which files to read and when is `pipeline.sources`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from ..diagnostics import Diagnostic, Span
from .base import Finding
from .config import CheckConfig
from .rules.document import InvalidJson, NotAStateMachine, UnrenderedPlaceholder
from .runner import validate_document


def relocate(d: Diagnostic, resource: str | None) -> Diagnostic:
    """The place in the source file becomes the primary one (`span`), named by `resource`."""
    span = d.template or d.span
    d = dataclasses.replace(d, span=span, template=None, resource=resource)
    if d.rule is None:
        return d
    key = "\0".join([d.rule, span.file if span else "", resource or "", d.pointer or "", d.message])
    return dataclasses.replace(d, fingerprint=hashlib.sha256(key.encode()).hexdigest()[:16])


def _document_rule(rule: Any, config: CheckConfig, message: str, span: Span | None, origin: str, hint: str | None,
                   resource: str | None) -> list[Diagnostic]:
    if not config.enabled(rule, (span.file if span else None) or origin):
        return []
    return [relocate(Diagnostic(message, config.severity_of(rule).value, span or Span(origin), "", None, hint,
                                rule.id, rule.name, url=rule.docs_url()), resource)]


def invalid_json(config: CheckConfig, p: Diagnostic, origin: str, resource: str | None = None) -> list[Diagnostic]:
    """SFN001 for a definition (or the file holding it) that does not parse; `p` is the parser's problem."""
    return _document_rule(InvalidJson, config, p.message, p.span, origin, p.hint or "fix the JSON at this position",
                          resource)


def not_a_definition(config: CheckConfig, file: str, message: str, resource: str | None = None) -> list[Diagnostic]:
    """SFN004 for a file that was named as a definition but is none."""
    return _document_rule(NotAStateMachine, config, message, Span(file, 1, 1), file,
                          "a definition is an object with StartAt and States", resource)


def validate_extracted(ext: Any, config: CheckConfig, *, machine_type: str | None = None) -> list[Diagnostic]:
    """Validate a definition read out of a template (`Extracted`)."""
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
    diags = validate_document(ext.document, cfg, source_map=ext.source_map, path_for_ignores=ext.origin,
                              machine_type=machine_type or ext.machine_type, extra=extra)
    return [relocate(d, ext.resource) for d in diags]


__all__ = ["invalid_json", "not_a_definition", "relocate", "validate_extracted"]
