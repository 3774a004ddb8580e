"""diagnostics: one Span, one Diagnostic (rule findings and every other problem), and how they print."""

from __future__ import annotations

import pytest

from sfn_compiler.diagnostics import Diagnostic, Span, did_you_mean, problem
from sfn_compiler.errors import EXIT_ERROR, SfncError


@pytest.mark.parametrize("span,text", [
    (Span("a.json"), "a.json"), (Span("a.json", 3), "a.json:3"), (Span("a.json", 3, 7), "a.json:3:7"),
    (Span("a.json", None, 7), "a.json"),
])
def test_span_format(span, text):
    assert span.format() == text


def test_problem_prints_location_pointer_env_and_hint():
    d = problem("no value for ${x}", "templates/a.json", 4, 9, pointer="/States/A/Comment", env="dev",
                hint="add it under values:")
    assert d.rule is None and d.span == Span("templates/a.json", 4, 9)
    assert d.format() == ("templates/a.json:4:9: error: no value for ${x} (at /States/A/Comment, env dev)\n"
                          "  hint: add it under values:")
    assert problem("bad", pointer="").format() == "error: bad (at /)"
    assert problem("unused", "envs/dev.yaml", severity="warning").format() == "envs/dev.yaml: warning: unused"


def test_a_rule_finding_prints_its_rule_and_template():
    d = Diagnostic("State 'A' goes nowhere", "error", Span("definitions/dev/a.json", 12, 5), "/States/A/Next",
                   "dev", None, "SFN202", "transition-target-missing", Span("templates/a.json", 7, 13))
    assert d.primary == Span("templates/a.json", 7, 13)
    assert d.format() == ("definitions/dev/a.json:12:5: error: SFN202 transition-target-missing: State 'A' goes "
                          "nowhere (template templates/a.json:7:13) (at /States/A/Next, env dev)")


def test_sort_key_orders_by_file_line_column_rule():
    a = problem("x", "b.json", 1, 1)
    b = Diagnostic("y", span=Span("a.json", 9, 1), rule="SFN1")
    c = Diagnostic("y", span=Span("a.json", 2, 5), rule="SFN2")
    assert sorted([a, b, c, problem("no file")], key=Diagnostic.sort_key) == [problem("no file"), c, b, a]


def test_sfnc_error_carries_diagnostics():
    exc = SfncError("file not found", file="x.json")
    assert exc.exit_code == EXIT_ERROR and exc.problems == [problem("file not found", "x.json")]
    assert str(exc) == "x.json: error: file not found"
    two = SfncError([problem("a"), problem("b")], exit_code=1)
    assert two.exit_code == 1 and str(two) == "error: a\nerror: b"


def test_did_you_mean_prefers_another_case_then_the_closest_name():
    assert did_you_mean("next", ["Next", "End"]) == "did you mean 'Next'?"
    assert did_you_mean("Retyr", ["Retry", "Catch"]) == "did you mean 'Retry'?"
    assert did_you_mean("$ordr", ["order", 3], prefix="did you mean $") == "did you mean $order?"
    assert did_you_mean("Zzz", ["Retry", "Catch"]) is None and did_you_mean(None, ["a"]) is None


def test_printable_escapes_controls_and_lone_surrogates_and_keeps_lines():
    from sfn_compiler.diagnostics import printable

    assert printable("plain 'é' ok") == "plain 'é' ok"
    assert printable("a\x1b[31mb\x07\x9b") == "a\\u001b[31mb\\u0007\\u009b"
    assert printable("line\n\tnext\r") == "line\n\tnext\\u000d"
    assert printable("x\ud800y") == "x\\ud800y"
    printable("x\ud800y").encode("utf-8")  # now encodable for the terminal
