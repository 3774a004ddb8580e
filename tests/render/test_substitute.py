"""The placeholder contract, one test per row of the README table, plus escapes and errors."""

from __future__ import annotations

import json

import pytest
from jsonata import Jsonata

from sfn_compiler.placeholders import PlaceholderError, segment
from sfn_compiler.render.substitute import Resolver, substitute

VALUES = {"Timeout": 300, "MaxPolls": 5, "Table": "ndr-prod-locks", "flag": True, "nothing": None,
          "list": [1, 2], "obj": {"a": 1}, "tricky": "it's \"quoted\"\\n", "env_name": "prod",
          "nested": {"pipeline": {"name": "feat-15m"}}, "name": "NDR Batch"}


def sub(s: str):
    return substitute(s, Resolver(VALUES, "prod"))[0]


@pytest.mark.parametrize("value_key,expected", [
    ("Timeout", 300), ("flag", True), ("nothing", None), ("list", [1, 2]), ("obj", {"a": 1}),
    ("Table", "ndr-prod-locks"),
])
def test_whole_string_keeps_yaml_type(value_key, expected):
    assert sub("${" + value_key + "}") == expected


def test_whole_string_value_is_a_copy():
    out = sub("${obj}")
    out["a"] = 2
    assert VALUES["obj"] == {"a": 1}


def test_inside_plain_string_is_text():
    assert sub("ndr-${env}-locks") == "ndr-prod-locks"
    assert sub("t=${Timeout}s f=${flag} n=${nothing}") == "t=300s f=true n=null"


def test_inside_plain_string_list_is_error():
    with pytest.raises(PlaceholderError, match="is a list"):
        sub("x-${list}")


def test_inside_jsonata_outside_literal_is_json_literal():
    assert sub("{% $n > ${MaxPolls} %}") == "{% $n > 5 %}"
    assert sub("{% $x = ${Table} %}") == '{% $x = "ndr-prod-locks" %}'
    assert sub("{% $v in ${list} %}") == "{% $v in [1, 2] %}"
    assert sub("{% ${flag} and ${nothing} = null %}") == "{% true and null = null %}"
    # a whole-string JSONata expression made of one placeholder is still an expression
    assert sub("{% ${Timeout} %}") == "{% 300 %}"


def test_inside_jsonata_string_literal_is_escaped_text():
    out = sub("{% $a & '${tricky}' %}")
    assert Jsonata(out[2:-2]).evaluate(None) is not None
    assert Jsonata(out[2:-2].replace("$a &", "")).evaluate(None) == VALUES["tricky"]
    out2 = sub('{% "x-${tricky}" %}')
    assert Jsonata(out2[2:-2]).evaluate(None) == "x-" + VALUES["tricky"]


def test_string_literal_state_tracks_escapes_and_comments():
    s = "{% 'a\\'${Table}' & /* ${Table} */ ${MaxPolls} %}"
    seg = segment(s)
    quotes = [p.quote for p in seg.placeholders]
    assert quotes == ["'", None, None]
    assert seg.placeholders[1].in_jsonata is False  # inside a comment: text


def test_json_literal_round_trips_through_jsonata():
    for key in ("Timeout", "Table", "flag", "list", "obj", "tricky", "nothing"):
        expr = sub("{% ${" + key + "} %}")[2:-2]
        result = Jsonata(expr).evaluate(None)
        assert result == VALUES[key], key


def test_key_is_text():
    from sfn_compiler.render.substitute import substitute_text

    assert substitute_text("Lock ${Table}", Resolver(VALUES))[0] == "Lock ndr-prod-locks"


def test_dotted_path_and_filter():
    assert sub("${nested.pipeline.name}") == "feat-15m"
    assert sub("${name | lower | replace(' ', '-')}") == "ndr-batch"
    assert sub("x-${Table | upper}") == "x-NDR-PROD-LOCKS"


def test_escape_writes_literal_placeholder():
    assert sub("$${Name}") == "${Name}"
    assert sub("{% '$${x}' %}") == "{% '${x}' %}"


def test_no_placeholder_is_identity():
    s = "{% $states.input.a ~> $map(function($v){ {'k': $v} }) %}"
    assert substitute(s, Resolver({}))[0] is s


def test_single_pass_values_are_not_rescanned():
    r = Resolver({"a": "${b}", "b": "x"})
    assert substitute("${a}", r)[0] == "${b}"


def test_missing_value_error_has_offset_and_suggestion():
    with pytest.raises(PlaceholderError) as ei:
        sub("prefix ${Tabel}")
    assert ei.value.offset == 7
    assert "Tabel" in ei.value.message and "${Table}" in ei.value.hint


def test_unknown_filter_is_error():
    with pytest.raises(PlaceholderError, match="unknown filter 'shout'"):
        sub("${Table | shout}")


def test_sandbox_blocks_attribute_access():
    with pytest.raises(PlaceholderError):
        sub("${Table.__class__.__mro__}")


def test_unterminated_placeholder():
    with pytest.raises(PlaceholderError, match="unterminated"):
        sub("x ${Table")


def test_json_value_text():
    assert json.loads(json.dumps(sub("{% ${obj} %}"))) == "{% {\"a\": 1} %}"


def test_anchors_map_rendered_offsets_back_to_the_template():
    from sfn_compiler.render.substitute import substitute_with_anchors, template_offset

    tpl = "{% $a > ${MaxPolls} and $b = '${Table}' and $$${x} %}"
    out, changed, anchors = substitute_with_anchors(tpl, Resolver(VALUES, "prod"))
    assert out == "{% $a > 5 and $b = 'ndr-prod-locks' and $${x} %}"
    # a character after both placeholders maps to the same character of the template
    r = out.index("and $$")
    t, exact = template_offset(anchors, r)
    assert exact and tpl[t:t + 6] == "and $$"
    # the escape `$${` (3 characters) renders as `${` (2): the text after it still lines up
    r = out.index("x} %}")
    t, exact = template_offset(anchors, r)
    assert exact and tpl[t:] == "x} %}"
    # a character inside a substituted value maps to its placeholder
    t, exact = template_offset(anchors, out.index("prod-locks"))
    assert not exact and tpl[t:].startswith("${Table}")


def test_a_value_cannot_end_a_jsonata_comment():
    """`{% /* owner: ${owner} */ 'c' %}`: a value holding `*/` would turn the rest of it into code."""
    evil = Resolver({"owner": "*/ $states.input.secret & /*", "fine": "team a/b *"}, "prod")
    with pytest.raises(PlaceholderError) as err:
        substitute("{% /* owner: ${owner} */ 'c' %}", evil)
    assert "inside a JSONata comment" in err.value.message and err.value.offset == 13
    out = substitute("{% /* owner: ${fine} */ 'c' %}", evil)[0]
    assert out == "{% /* owner: team a/b * */ 'c' %}" and Jsonata(out[2:-2]).evaluate(None) == "c"
    seg = segment("{% /* ${a} */ ${b} '${c}' %}")
    assert [(p.in_comment, p.in_jsonata, p.quote) for p in seg.placeholders] == [
        (True, False, None), (False, True, None), (False, True, "'")]
    # outside a JSONata expression, `/*` is plain text
    assert substitute("/* ${owner} */", evil)[0] == "/* */ $states.input.secret & /* */"


def test_rendered_strings_are_bounded():
    values = {"big": "x" * 6_000_000}
    with pytest.raises(PlaceholderError, match="over the bound of 10,000,000"):
        substitute("${big}-${big}", Resolver(values, "dev"))
    from sfn_compiler.render.substitute import substitute_text

    with pytest.raises(PlaceholderError, match="over the bound"):
        substitute_text("${big}${big}", Resolver(values, "dev"))
