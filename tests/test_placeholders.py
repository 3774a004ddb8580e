"""sfn_compiler.placeholders: the one `${...}` lexer, and every consumer agreeing with it.

Before the lexer had one home, three regular expressions disagreed with the renderer on nested braces
and on `$${` escapes: the validator's opaque mode, the "unrendered placeholder" check and the workflow
docs. These tests pin the cases where they differed.
"""

from __future__ import annotations

import pytest

from sfn_compiler import placeholders
from sfn_compiler.asl.jsonata import has_placeholder as opaque_value, neutralize_placeholders
from sfn_compiler.diagram.docs import placeholders as docs_placeholders
from sfn_compiler.placeholders import Escaped, Placeholder, PlaceholderError, find, has_placeholder, segment

CASES = [
    # string, the placeholder expressions the renderer substitutes
    ("plain", []),
    ("ndr-${env}-locks", ["env"]),
    ("$${literal}", []),                                   # an escape, rendered as a literal ${literal}
    ("$$${x}", []),                                        # "$" then the escape "${" then "x}"
    ("${name | default('{}')}", ["name | default('{}')"]),  # quotes and nested braces inside
    ("${a | replace('}', ')')}-${b}", ["a | replace('}', ')')", "b"]),
    ("{% '\\${x}' %}", []),                                 # backslash-escaped inside a JSONata string
    ("{% $f(${n}) /* ${c} */ %}", ["n", "c"]),
    ("unterminated ${x", []),
    ("${a} then ${b", ["a"]),
]


@pytest.mark.parametrize("text,exprs", CASES)
def test_find_matches_what_the_renderer_substitutes(text, exprs):
    assert [p.expr for p in find(text)] == exprs
    assert has_placeholder(text) == bool(exprs)
    try:
        seg = segment(text)
    except PlaceholderError:
        assert "${" in text.replace("$${", "")
        return
    assert [p.expr for p in (seg.placeholders if seg else [])] == exprs


@pytest.mark.parametrize("text,exprs", CASES)
def test_consumers_agree_with_the_lexer(text, exprs):
    assert opaque_value(text) == bool(exprs)                               # validate --placeholders opaque
    assert docs_placeholders({"Comment": text}) == sorted(set(exprs))      # docs/workflows tables


def test_unrendered_placeholder_check_uses_the_lexer(tmp_path):
    from sfn_compiler.check import CheckConfig, validate_text

    def sfn007(comment: str) -> list[str]:
        doc = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "Comment": %s, "End": true}}}' % (
            '"' + comment.replace("\\", "\\\\") + '"')
        return [d.pointer for d in validate_text(doc, "x.json", CheckConfig(select=["SFN007"]))]

    assert sfn007("$${escaped}") == []
    assert sfn007("${a | default('}')}") == ["/States/A/Comment"]


def test_segment_parts_and_errors():
    seg = segment("a-${x}-$${y}")
    assert seg.parts == ["a-", Placeholder(2, 6, "x", None, False), "-", Escaped("${"), "y}"]
    assert segment("no placeholder") is None
    with pytest.raises(PlaceholderError, match="unterminated") as exc:
        segment("ok ${x")
    assert exc.value.offset == 3
    with pytest.raises(PlaceholderError, match="empty"):
        segment("${ }")
    assert [p.expr for p in find("${ }")] == [""]        # detected (the renderer then reports it)


def test_jsonata_context_of_a_placeholder():
    seg = segment("{% $a & '${t}' & \"${u}\" & `${v}` & ${w} %}")
    assert [(p.expr, p.quote, p.in_jsonata) for p in seg.placeholders] == [
        ("t", "'", True), ("u", '"', True), ("v", "`", True), ("w", None, True)]
    assert [p.in_jsonata for p in segment("x ${a}").placeholders] == [False]


def test_dynamic_references_are_opaque_but_not_placeholders():
    assert not has_placeholder("{{resolve:ssm:/p}}")
    assert placeholders.has_dynamic_reference("x {{resolve:ssm:/p}}")
    assert opaque_value("{{resolve:ssm:/p}}")


def test_neutralize_keeps_offsets_and_skips_string_literals():
    body = " $x + ${Limit} & '${Name}' "
    out = neutralize_placeholders(body)
    assert len(out) == len(body) and '"' + "x" * 6 + '"' in out and "'${Name}'" in out
