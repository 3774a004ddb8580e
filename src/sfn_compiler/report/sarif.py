"""`--format sarif`: SARIF 2.1.0, hand-built. The location is the primary place (the template when the
finding came from one); the rendered definition and the finding's related places (consequences folded
into it, other occurrences) are related locations; rules come from the registry; `partialFingerprints` carry
the finding's fingerprint; an offending path is a code flow; the resource a definition was read out of is a
logical location; each rule's help is its docs page as Markdown. A problem with no place in a file is a tool
execution notification; `executionSuccessful` is false when something could not be checked at all (the exit
code 2 cases)."""

from __future__ import annotations

from ..jsontext import dumps_indented

from .. import __version__
from ..diagnostics import Diagnostic
from .summary import Summary, primary


def _location(ident: int, text: str, span, pointer: str | None) -> dict:
    loc = {"id": ident, "message": {"text": text},
           "physicalLocation": {"artifactLocation": {"uri": span.file},
                                "region": {"startLine": span.line or 1, "startColumn": span.column or 1}}}
    if pointer is not None:
        loc["logicalLocations"] = [{"fullyQualifiedName": pointer or "/", "kind": "member"}]
    return loc


def format_sarif(diags: list[Diagnostic], summary: Summary) -> str:
    from ..check.docs import rule_markdown
    from ..check.registry import all_rules
    from ..check.rules.document import INPUT_ERROR_RULES

    rules = all_rules()
    index = {r.id: i for i, r in enumerate(rules)}
    level = {"error": "error", "warning": "warning", "info": "note"}
    results = []
    notifications = []
    for d in diags:
        file, line, col = primary(d)
        if not file:   # no place in a file (an unknown env, no definitions found): a notification of the run
            note = {"level": level[d.severity], "message": {"text": d.message + (f" Hint: {d.hint}" if d.hint else "")}}
            if d.rule:
                note["descriptor"] = {"id": d.rule, "index": index[d.rule]}
            notifications.append(note)
            continue
        region = {}
        if line:
            region["startLine"] = line
        if col:
            region["startColumn"] = col
        loc = {"physicalLocation": {"artifactLocation": {"uri": file}}}
        if region:
            loc["physicalLocation"]["region"] = region
        loc["logicalLocations"] = [{"fullyQualifiedName": d.pointer or "/", "kind": "member"}]
        if d.resource:
            loc["logicalLocations"].insert(0, {"name": d.resource, "kind": "resource"})
        result = {"ruleId": d.rule, "ruleIndex": index.get(d.rule, 0)} if d.rule else {}
        result.update({"level": level[d.severity], "message": {"text": d.message + (f" Hint: {d.hint}" if d.hint else "")},
                       "locations": [loc], "partialFingerprints": {"sfnc/v1": d.fingerprint or d.rule or "sfnc"}})
        related = []
        if d.template:
            related.append(_location(len(related) + 1, "rendered definition", d.span, d.pointer))
        for r in d.related:
            if r.primary is not None and r.primary.file:
                related.append(_location(len(related) + 1, r.message, r.primary, r.pointer))
        if related:
            result["relatedLocations"] = related
        props = {}
        if d.env:
            props["env"] = d.env
        if d.resource:
            props["resource"] = d.resource
        if d.path:
            props["path"] = list(d.path)
            result["codeFlows"] = [{"threadFlows": [{"locations": [
                {"location": {"message": {"text": step}}} for step in d.path]}]}]
        if props:
            result["properties"] = props
        results.append(result)
    driver = {
        "name": "sfnc", "version": __version__, "semanticVersion": __version__,
        "informationUri": "https://github.com/sfnc/sfnc",
        "rules": [{"id": r.id, "name": r.name, "shortDescription": {"text": r.summary},
                   "fullDescription": {"text": r.summary},
                   "helpUri": f"https://github.com/sfnc/sfnc/blob/main/{r.docs_url()}",
                   "help": {"text": r.docs or r.summary, "markdown": rule_markdown(r)},
                   "defaultConfiguration": {"level": level[r.severity.value]},
                   "properties": {"tags": [r.group]}} for r in rules],
    }
    # executionSuccessful: false when something could not be checked at all (exit code 2), so a code
    # scanning upload shows a failed run rather than a clean one
    invocation = {"executionSuccessful": not any(d.rule in INPUT_ERROR_RULES for d in diags)}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    sarif = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
             "runs": [{"tool": {"driver": driver}, "invocations": [invocation], "results": results,
                       "columnKind": "unicodeCodePoints"}]}
    return dumps_indented(sarif) + "\n"
