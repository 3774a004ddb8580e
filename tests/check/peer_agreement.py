"""Agreement of sfnc's rules with the peer validators' own fixtures (shared/corpus/peers).

A file counts as *flagged* when any rule reports an error-severity finding (a file that is not valid JSON
counts as flagged: the runner reports SFN001 invalid-json). Every disagreement with a peer's label must be
explained in EXPLANATIONS (the peer is stricter or looser than AWS, or sfnc misses something).

Regenerate the report with:  .venv/bin/python tests/check/peer_agreement.py  (writes docs/peer-agreement.md)
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_harness import CORPUS, errors, read_manifest, run_rules  # noqa: E402

PEERS = CORPUS / "peers"
DOC = Path(__file__).resolve().parents[2] / "docs" / "peer-agreement.md"

# (peer dir, file) -> why sfnc's verdict differs from the peer's label. "AWS" below means the behaviour the
# AWS docs describe or that was measured against the real service (see the rule's sources).
EXPLANATIONS: dict[tuple[str, str], str] = {
    ("asl-validator", "invalid-cfn-definition-substitutions.json"):
        "sfnc misses (by design, warning only): `\"Resource\": \"${lambdaArn\"` is not an ARN; `resource-not-arn` "
        "(SFN113) reports it as a warning because the spec only asks for a URI and AWS's exact Resource check is "
        "not recorded.",
    ("asl-validator", "invalid-json-surround-syntax-extra-spaces.json"):
        "peer stricter than AWS: a newline and extra spaces inside `{% %}` are fine (multi-line expressions are "
        "accepted by the service, aws-cdk#35912/#35985; AWS's schema regex is `^{%(.*)%}$`).",
    ("asl-validator", "invalid-jsonata-surround-syntax-no-spaces.json"):
        "peer stricter than AWS: `{%10%}` without inner spaces matches the documented delimiter rule; nothing "
        "says AWS requires spaces.",
    ("asl-validator", "invalid-math-add.json"):
        "sfnc misses: intrinsic-function argument types (`States.MathAdd(1,'-1')`) are not checked; sfnc checks "
        "intrinsic names and parentheses only.",
    ("asl-validator", "invalid-task-alias-function.json"):
        "sfnc misses: the Lambda ARN qualifier format (`function:NAME:` / `:$*#$7485`) is not validated; sfnc "
        "only warns when a Resource is not an ARN at all.",
    ("asl-validator", "valid-wait-jsonata.asl.json"):
        "peer looser (a syntax fixture): DoWait2's input is the previous Pass's output {waitTime}, so "
        "`$states.input.timeout` is undefined and the Wait fails at run time with States.QueryEvaluationError; "
        "`member-does-not-exist` (SFN801) is an error by design (AWS accepts the definition).",
    ("asl-validator", "valid-fail-paths.json"):
        "peer looser: `ErrorPath: States.Format('{}{}', $.field1, $field2)` reads the variable `$field2`, which "
        "no state assigns, so the state fails at run time; `variable-not-assigned` (SFN502) is an error by "
        "design (AWS accepts the definition).",
    ("asl-validator", "valid-map-with-item-batcher-jsonata.json"):
        "peer looser than AWS: a state with `QueryLanguage: JSONPath` inside a machine whose top level is "
        "JSONata is rejected by AWS ('QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state "
        "machine; LocalStack snapshot, floci#2968) - `invalid-query-language` (SFN106).",
    ("taro-kayo-statelint", "jsonata-1.json"):
        "peer looser (a linter fixture): the JSONPath Pass before 'JSONata state' outputs only {total}, so "
        "`$states.input.transaction` is undefined there and the state fails at run time; `member-does-not-exist` "
        "(SFN801) is an error by design (AWS accepts the definition).",
    ("taro-kayo-statelint", "jsonata-5.json"):
        "peer does not check variables: `$student`, `$class`, `$two` are read but never assigned - SFN502.",
    ("cfn-lint", "e3601-02-error-handling.json"):
        "the file is not JSON (a Python literal: trailing commas, `True`); cfn-lint's test calls it valid only "
        "because E3601 skips unparseable DefinitionString values. sfnc's runner reports SFN001 invalid-json.",
    ("cfn-lint", "e3601-06-choices.json"):
        "peer looser than AWS: a Choice rule's `Next` names a state that does not exist; AWS rejects it "
        "(MISSING_TRANSITION_TARGET) - `transition-target-missing` (SFN202). The other five tools reject it too.",
    ("cfn-lint", "e3601-10-valid-string-json.json"):
        "the problem is in the CloudFormation template, not the definition: its DefinitionSubstitutions is a "
        "string instead of an object. As a definition with an opaque `${jobqueue}` Resource it is valid.",
}


@dataclass
class PeerStats:
    files: int = 0
    valid: int = 0
    invalid: int = 0
    agree: int = 0
    false_pos: int = 0   # peer says valid, sfnc flags it
    false_neg: int = 0   # peer says invalid, sfnc passes it
    disagreements: list[tuple[str, str, bool, str]] = field(default_factory=list)  # file, expected, flagged, rules


def compute() -> dict[str, PeerStats]:
    stats: dict[str, PeerStats] = {}
    for row in read_manifest(PEERS / "MANIFEST.tsv"):
        tool, name, expected = row["tool_dir"], row["file"], row["expected"]
        s = stats.setdefault(tool, PeerStats())
        s.files += 1
        if expected == "valid":
            s.valid += 1
        else:
            s.invalid += 1
        try:
            doc = json.loads((PEERS / tool / name).read_text(encoding="utf-8"))
        except ValueError:
            flagged, why = True, "SFN001 invalid-json"
        else:
            errs = errors(run_rules(doc, placeholders="opaque"))
            flagged = bool(errs)
            why = ", ".join(sorted({f"{r.rule.id} {r.rule.name}" for r in errs}))
        if flagged == (expected == "invalid"):
            s.agree += 1
            continue
        if flagged:
            s.false_pos += 1
        else:
            s.false_neg += 1
        s.disagreements.append((name, expected, flagged, why))
    return stats


def render(stats: dict[str, PeerStats]) -> str:
    total = PeerStats()
    for s in stats.values():
        total.files += s.files
        total.valid += s.valid
        total.invalid += s.invalid
        total.agree += s.agree
        total.false_pos += s.false_pos
        total.false_neg += s.false_neg
    out = [
        "# Agreement with the peer validators' fixtures",
        "",
        "Generated by `tests/check/peer_agreement.py` (checked by `tests/check/test_check_peers.py`).",
        "",
        "Each peer suite in `shared/corpus/peers/<tool>/` labels its fixtures valid or invalid (see "
        "`peers/MANIFEST.tsv`). sfnc *flags* a file when any rule reports an error-severity finding (placeholders "
        "opaque; a file that is not valid JSON counts as flagged, as the runner reports SFN001). Peers are mostly "
        "JSONPath suites; where a peer's label and AWS behaviour differ, AWS wins and the disagreement is "
        "explained below.",
        "",
        "\"peer valid, sfnc flags\" = the peer calls the file valid and sfnc reports an error; "
        "\"peer invalid, sfnc passes\" = the reverse.",
        "",
        "| peer suite | files (valid/invalid) | agreement | peer valid, sfnc flags | peer invalid, sfnc passes |",
        "|---|---|---|---|---|",
    ]
    for tool, s in stats.items():
        out.append(f"| {tool} | {s.files} ({s.valid}/{s.invalid}) | {s.agree}/{s.files} ({100 * s.agree / s.files:.1f}%)"
                   f" | {s.false_pos} | {s.false_neg} |")
    out.append(f"| **all** | {total.files} ({total.valid}/{total.invalid}) | **{total.agree}/{total.files} "
               f"({100 * total.agree / total.files:.1f}%)** | {total.false_pos} | {total.false_neg} |")
    out += ["", "## Disagreements", ""]
    for tool, s in stats.items():
        for name, expected, flagged, why in s.disagreements:
            verdict = f"sfnc flags it ({why})" if flagged else "sfnc passes it"
            out.append(f"- `{tool}/{name}` — peer: {expected}; {verdict}. "
                       + EXPLANATIONS.get((tool, name), "**UNEXPLAINED**"))
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(render(compute()), encoding="utf-8")
    print(f"wrote {DOC}")
