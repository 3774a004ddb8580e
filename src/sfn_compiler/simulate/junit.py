"""`sfnc test --format junit`: the scenario results as JUnit XML, for CI systems that show test reports
(GitLab `artifacts:reports:junit`, Jenkins, Azure Pipelines, GitHub test-report actions).

One `<testsuite>` per machine (with its state and transition coverage as properties), one `<testcase>` per
scenario; a failed expectation is a `<failure>`, a scenario that could not run is an `<error>`, a scenario
written for other envs (`envs:`) is `<skipped>`, and with
`--min-coverage` a `coverage` test case fails when the machine's transition coverage is below it. What
stopped scenarios from running (a template that does not render, an env that does not load, a scenario
directory that matches no template) is an `<error>` test case of a suite named `sfnc`."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape as _escape, quoteattr as _quoteattr

from ..diagnostics import Diagnostic

# what XML 1.0 cannot hold, even escaped: control characters other than tab, LF and CR, lone surrogates, U+FFFE/F
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` with each character XML 1.0 cannot hold written as ``\\uXXXX`` (a state name, a message or a mock's
    data may hold any): the JUnit reports (this one and `report.junit`) always parse."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def escape(text: str) -> str:
    """Element text for the JUnit XML."""
    return _escape(xml_safe(text))


def quoteattr(text: str) -> str:
    """A quoted attribute value for the JUnit XML."""
    return _quoteattr(xml_safe(text))


def _problems_suite(problems: list[Diagnostic]) -> str:
    cases = []
    for p in problems:
        where = p.span.format() if p.span else "sfnc"
        kind = f"{p.rule} {p.name}" if p.rule else "sfnc"
        text = f"{where}: {p.message}" + (f" [env {p.env}]" if p.env else "") + (f"\nhint: {p.hint}" if p.hint else "")
        cases.append(f'    <testcase classname="sfnc" name={quoteattr(where)}>'
                     f"<error message={quoteattr(p.message)} type={quoteattr(kind)}>{escape(text)}</error></testcase>")
    return (f'  <testsuite name="sfnc" tests="{len(cases)}" failures="0" errors="{len(cases)}">\n'
            + "\n".join(cases) + "\n  </testsuite>")


def junit(machines: list[dict[str, Any]], env: str, min_coverage: float | None = None,
          problems: list[Diagnostic] = ()) -> str:
    out = []
    failures = skipped = 0
    total = errors = len(problems)
    suites = [_problems_suite(list(problems))] if problems else []
    for m in machines:
        cases = []
        s_fail = s_err = s_skip = 0
        for c in m["cases"]:
            total += 1
            name = quoteattr(c["scenario"])
            if c.get("skipped"):         # written for other envs: not run, neither passed nor failed
                s_skip += 1
                cases.append(f'    <testcase classname={quoteattr(m["machine"])} name={name}>'
                             f'<skipped message={quoteattr(c["skipped"])}/></testcase>')
                continue
            problems = "\n".join(c.get("problems") or [])
            notes = "\n".join(f"warning: {w}" for w in c.get("warnings") or [])
            if c.get("passed"):
                detail = f"{c.get('status')}; {c.get('transitions')} transitions" + ("\n" + notes if notes else "")
                cases.append(f'    <testcase classname={quoteattr(m["machine"])} name={name}>'
                             f"<system-out>{escape(detail)}</system-out></testcase>")
                continue
            first = (c.get("problems") or ["failed"])[0].split("\n")[0]
            if "status" not in c:        # could not load or run: an error, not a failed expectation
                s_err += 1
                tag = "error"
            else:
                s_fail += 1
                tag = "failure"
            cases.append(f'    <testcase classname={quoteattr(m["machine"])} name={name}>'
                         f"<{tag} message={quoteattr(first)} type={quoteattr('sfnc ' + tag)}>"
                         f"{escape(problems + (chr(10) + notes if notes else ''))}</{tag}></testcase>")
        cov = m.get("coverage") or {}
        pct = (cov.get("transitions") or {}).get("percent")
        if min_coverage is not None and pct is not None:
            total += 1
            name = quoteattr("coverage")
            if pct < min_coverage:
                s_fail += 1
                msg = f"transition coverage {pct}% is below the minimum {min_coverage}%"
                cases.append(f'    <testcase classname={quoteattr(m["machine"])} name={name}>'
                             f'<failure message={quoteattr(msg)} type="sfnc coverage">'
                             f"{escape(msg)}</failure></testcase>")
            else:
                cases.append(f'    <testcase classname={quoteattr(m["machine"])} name={name}/>')
        failures += s_fail
        errors += s_err
        skipped += s_skip
        props = "".join(f'<property name={quoteattr(k + "_coverage_percent")} value={quoteattr(str((cov.get(k) or {}).get("percent")))}/>'
                        for k in ("states", "transitions") if cov.get(k))
        props += f'<property name="env" value={quoteattr(env)}/>'
        suites.append(f'  <testsuite name={quoteattr(m["machine"])} tests="{len(cases)}" failures="{s_fail}" '
                      f'errors="{s_err}" skipped="{s_skip}">\n    <properties>{props}</properties>\n' + "\n".join(cases) + "\n  </testsuite>")
    out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append(f'<testsuites name="sfnc test" tests="{total}" failures="{failures}" errors="{errors}" '
               f'skipped="{skipped}">')
    out.extend(suites)
    out.append("</testsuites>")
    return "\n".join(out) + "\n"
