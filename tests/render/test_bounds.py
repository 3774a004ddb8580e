"""The render bounds and the sandbox (docs/render.md#bounds): every input-driven cost of a `.json.j2`
template or a `${...}` expression stops at a bound with one error at the template line, every exception a
template raises is such an error too (never an internal error), and templates cannot change the values
another template sees."""

from __future__ import annotations

import math

import pytest

from sfn_compiler.errors import SfncError
from sfn_compiler.placeholders import PlaceholderError
from sfn_compiler.render import bounds
from sfn_compiler.render.engine import render_template
from sfn_compiler.render.substitute import Resolver, substitute

VALUES = {"subnets": ["a", "b"], "n": 3, "owner": "me", "big": "x" * 100_000}


def j2(tmp_path, expr: str, values: dict | None = None, *, block: str = ""):
    """Render a .json.j2 template whose line 3 holds `expr` (as an expression) or `block` (as is)."""
    line3 = block or f'  "Comment": "<< {expr} >>",'
    path = tmp_path / "t.json.j2"
    path.write_text('{\n  "StartAt": "S",\n' + line3 + '\n  "States": {"S": {"Type": "Pass", "End": true}}\n}\n',
                    encoding="utf-8")
    return render_template(path, Resolver(dict(values if values is not None else VALUES), "dev"),
                           display="templates/t.json.j2", env="dev")


def refused(tmp_path, expr: str = "", *, block: str = "", values: dict | None = None) -> str:
    with pytest.raises(SfncError) as err:
        j2(tmp_path, expr, values, block=block)
    (p,) = err.value.problems
    assert p.span.file == "templates/t.json.j2" and p.span.line == 3, p.format()
    assert "internal error" not in p.message
    return p.message


def test_a_template_within_the_bounds_renders(tmp_path):
    r = j2(tmp_path, "", block='<% for s in subnets %>"K<< loop.index >>": "<< s | upper >>",<% endfor %>')
    assert r.data["K1"] == "A" and r.data["K2"] == "B"


@pytest.mark.parametrize("expr,words", [
    ("1/0", "ZeroDivisionError: division by zero"),
    ("'%d' % 'x'", "TypeError"),
    ("range(missing_name)|list", "undefined value in Jinja template: 'missing_name' is undefined"),
    ("range(10**9)|list", "Range too big"),
    ("(10.0 ** 400)", "OverflowError"),
    ("'%(a)s' % 1", "TypeError"),
    ("(1).to_bytes(10**9, 'big')", "a byte length 1,000,000,000"),
])
def test_exceptions_in_a_template_are_located_errors(tmp_path, expr, words):
    assert words in refused(tmp_path, expr)


@pytest.mark.parametrize("block,word", [
    ('<% include "other.json.j2" %>', "`include` is not available"),
    ('<% import "m.j2" as m %>', "`import` is not available"),
    ('<% from "m.j2" import f %>', "`import` is not available"),
])
def test_include_import_and_extends_are_refused(tmp_path, block, word):
    assert word in refused(tmp_path, block=block)


def test_extends_is_refused_at_its_line(tmp_path):
    path = tmp_path / "t.json.j2"
    path.write_text('{\n\n<% extends "base.j2" %>\n}\n', encoding="utf-8")
    with pytest.raises(SfncError) as err:
        render_template(path, Resolver({}, "dev"), display="templates/t.json.j2")
    assert "`extends` is not available" in err.value.problems[0].message and err.value.problems[0].span.line == 3


def test_recursion_is_a_located_error(tmp_path):
    message = refused(tmp_path, block='<% macro f(n) %><< f(n) >><% endmacro %>"Comment": "<< f(1) >>",')
    assert "recursion too deep" in message


@pytest.mark.parametrize("expr,words", [
    ("('a' * 10**9) | length", "repeated 1,000,000,000 times"),
    ("((1,) * 10**8) | length", "100,000,000 items"),
    ("([0] * 10**7) | length", "10,000,000 items"),
    ("(big ~ big) | length", None),   # 200,000 characters: within the bound
    ("'x' | center(10**9)", "a center width 1,000,000,000"),
    ("'x'.ljust(10**9)", "a ljust width"),
    ("'x'.zfill(10**9)", "a zfill width"),
    ("'%0999999999d' % 1", "a width in a % format"),
    ("'%*d' % (10**9, 1)", "'*' width"),
    ("'{:999999999}'.format(1)", "a width in a format spec"),
    ("'{:{w}}'.format(1, w=10**9)", "nested"),
    ("'%s' | format(big * 100)", "over the bound of 10,000,000"),
    ("2 ** (10**10)", "more than 100,000 bits"),
    ("[1] | batch(10**9, 0) | list", "a batch size"),
    ("'abc' | replace('', 'x' * 5 * 10**6)", "a replaced string"),
    ("'ab'.replace('', 'x' * 10**7)", "a replaced string"),
    ("('\\n' * 10**5) | indent(1000)", "an indented string"),
    ("([big] * 1000) | join", "a joined string"),
    ("'-'.join([big] * 1000)", "a joined string"),
    ("([[1] * 1000] * 2000) | sum(start=[])", "a sum"),
    ("'x' | slice(10**9) | list", "a slice count"),
    ("{'a': 1} | tojson(indent=10**9)", "a tojson indent"),
    ("('\\t' * 10**4).expandtabs(10**4)", "expanded tabs"),
    ("lipsum(10**6)", "'lipsum' is undefined"),
])
def test_input_driven_cost_is_bounded(tmp_path, expr, words):
    if words is None:
        assert j2(tmp_path, expr).data["Comment"] == "200000"
        return
    assert words in refused(tmp_path, expr)


@pytest.mark.parametrize("block,words", [
    # 10**10 empty iterations: the step bound, not hours of work
    ('<% for i in range(100000) %><% for j in range(100000) %><% endfor %><% endfor %>',
     "more than 1,000,000 loop iterations and calls"),
    # a loop over a list of values counts the same way
    ('<% set x = [1] * 1000 %><% for a in x %><% for b in x %><% endfor %><% endfor %>',
     "loop iterations and calls"),
    # a recursive loop whose calls iterate again: 180,000 iterations in 600 calls
    ('<% for x in [1, 2] recursive %><% if loop.depth < 3 %><< loop(range(300)) >><% endif %><% endfor %>',
     "loop iterations and calls"),
    # a macro calling itself twice: 2**40 calls
    ('<% macro f(n) %><% if n > 0 %><< f(n - 1) >><< f(n - 1) >><% endif %><% endmacro %><< f(40) >>',
     "loop iterations and calls"),
    # a string that doubles in a loop, with ~ and with a block set
    ('<% set ns = namespace(s="x") %><% for i in range(60) %><% set ns.s = ns.s ~ ns.s %><% endfor %>',
     "a joined string would be"),
    ('<% set ns = namespace(s="x") %><% for i in range(60) %><% set s2 %><< ns.s >><< ns.s >><% endset %>'
     '<% set ns.s = s2 %><% endfor %>', "a joined string would be"),
    # a list that grows by one item per iteration: quadratic copying
    ('<% set ns = namespace(l=[]) %><% for i in range(100000) %><% set ns.l = ns.l + [i] %><% endfor %>',
     "characters and items produced by operators and filters"),
    # the output itself
    ('<% for i in range(20000) %><< "x" * 600 >><% endfor %>', "output is over the bound of 10,000,000"),
])
def test_loops_and_growth_are_bounded(tmp_path, monkeypatch, block, words):
    monkeypatch.setattr(bounds, "MAX_STEPS", 50_000)   # the same check, reached sooner
    assert words.replace("1,000,000", "50,000") in refused(tmp_path, block=block)


def test_the_step_bound_is_a_million(tmp_path):
    block = '<% for i in range(100000) %><% for j in range(100000) %><% endfor %><% endfor %>'
    assert "more than 1,000,000 loop iterations and calls in one template" in refused(tmp_path, block=block)


def test_a_mutating_method_is_refused_and_other_templates_see_the_values_unchanged(tmp_path):
    values = {"subnets": ["a", "b"]}
    assert "access to attribute 'clear'" in refused(tmp_path, "subnets.clear() or 'x'", values=values)
    assert "append" in refused(tmp_path, "subnets.append(1) or 'x'", values=values)
    assert values == {"subnets": ["a", "b"]}
    r = j2(tmp_path, "subnets | join(',')", values)
    assert r.data["Comment"] == "a,b"


def test_placeholder_mutation_is_refused_and_each_resolver_has_its_own_copy():
    values = {"subnets": ["a", "b"], "m": {"k": 1}}
    first = Resolver(values, "dev")
    with pytest.raises(PlaceholderError, match="'clear'"):
        substitute('${subnets.clear() or "x"}', first)
    with pytest.raises(PlaceholderError, match="'update'|'pop'"):
        substitute('${m.pop("k") or "x"}', first)
    first.scope()["subnets"].append("changed by hand")     # even a change made outside the sandbox
    assert values["subnets"] == ["a", "b"]
    assert substitute("${subnets}", Resolver(values, "dev"))[0] == ["a", "b"]


@pytest.mark.parametrize("expr,words", [
    ("${m.items()}", "dict_items, not JSON data"),
    ("${cycler(1, 2)}", "Cycler, not JSON data"),
    ("${joiner()}", "not JSON data"),
    ("${1/0}", "ZeroDivisionError"),
    ("${n * 1.0e308 * 10}", "Infinity, which is not a JSON number"),
    ("${'a' * 10**9}", "over the bound"),
    ("${(10 ** 5000)}", "more than 4,300 digits"),
])
def test_placeholder_results_must_be_json_data(expr, words):
    with pytest.raises(PlaceholderError) as err:
        substitute(expr, Resolver({"m": {"a": 1}, "n": 2}, "dev"))
    assert words in err.value.message


def test_placeholder_results_in_a_template_are_located(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{\n  "StartAt": "S",\n  "Comment": "${m.items()}",\n  "States": {}\n}\n', encoding="utf-8")
    with pytest.raises(SfncError) as err:
        render_template(path, Resolver({"m": {"a": 1}}, "dev"), display="templates/t.json", env="dev")
    (p,) = err.value.problems
    assert (p.span.line, p.pointer) == (3, "/Comment") and "not JSON data" in p.message


def test_non_finite_numbers_are_not_rendered(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{\n  "StartAt": "S",\n  "Seconds": "${x}",\n  "States": {}\n}\n', encoding="utf-8")
    for value in (math.nan, math.inf, -math.inf):
        with pytest.raises(SfncError) as err:
            render_template(path, Resolver({"x": value}, "dev"), display="templates/t.json", env="dev")
        (p,) = err.value.problems
        assert p.span.line == 3 and "not a JSON number" in p.message


def test_values_shared_many_times_are_bounded_once_written_out(tmp_path):
    # a value that holds the same list twice, 30 times over: 2**30 items once written out
    node: list = ["x"]
    for _ in range(30):
        node = [node, node]
    path = tmp_path / "t.json"
    path.write_text('{\n  "StartAt": "S",\n  "Data": "${tree}",\n  "States": {}\n}\n', encoding="utf-8")
    with pytest.raises(SfncError) as err:
        render_template(path, Resolver({"tree": node}, "dev"), display="templates/t.json", env="dev")
    assert "over the bound of 1,000,000" in err.value.problems[0].message and err.value.problems[0].span.line == 3


def test_many_uses_of_one_large_value_are_bounded(tmp_path):
    uses = ", ".join(f'"k{i}": "${{big}}"' for i in range(200))
    path = tmp_path / "t.json"
    path.write_text('{"StartAt": "S", "States": {}, ' + uses + "}\n", encoding="utf-8")
    with pytest.raises(SfncError) as err:
        render_template(path, Resolver({"big": "x" * 100_000}, "dev"), display="templates/t.json", env="dev")
    (p,) = err.value.problems     # the first placeholder past the bound; the rest is not worked on
    assert "add up to more than 1,000,000 items or 10,000,000 characters" in p.message and p.pointer == "/k100"


def test_many_uses_of_one_large_value_inside_strings_are_bounded(tmp_path):
    uses = ", ".join(f'"k{i}": "x ${{big}} {{% \'${{big}}\' %}}"' for i in range(60))
    path = tmp_path / "t.json"
    path.write_text('{"StartAt": "S", "States": {}, ' + uses + "}\n", encoding="utf-8")
    with pytest.raises(SfncError) as err:
        render_template(path, Resolver({"big": "x" * 100_000}, "dev"), display="templates/t.json", env="dev")
    (p,) = err.value.problems
    assert "add up to more than 1,000,000 items or 10,000,000 characters" in p.message and p.pointer == "/k50"


def test_a_deep_template_is_a_located_error(tmp_path):
    path = tmp_path / "t.json"
    path.write_text('{"StartAt": "S",\n "D": ' + "[" * 500 + "]" * 500 + "}\n", encoding="utf-8")
    with pytest.raises(SfncError) as err:
        render_template(path, Resolver({}, "dev"), display="templates/t.json", env="dev")
    (p,) = err.value.problems
    assert "nested deeper than 200" in p.message and p.span.line == 2   # the JSON reader stops it first


def test_json_problem_and_depth_problem():
    assert bounds.json_problem({"a": [1, 2.5, "x", None, True, {"b": -3}]}) is None
    assert bounds.json_problem({"a": [1, math.nan]}) == ("/a/1", "is NaN, which is not a JSON number")
    assert bounds.json_problem({"a/b": {1, 2}})[0] == "/a~1b"
    assert "date" in bounds.json_problem(__import__("datetime").date(2024, 1, 1))[1]
    loop: list = []
    loop.append(loop)
    assert bounds.json_problem(loop)[1] == "contains itself"
    deep: list = []
    node = deep
    for _ in range(5000):   # deeper than Python's recursion limit: the checks do not recurse
        node.append([])
        node = node[0]
    assert "nested deeper than 200" in bounds.json_problem(deep)[1]
    assert bounds.depth_problem(deep) == "/0/0/0/0/0/0"
    assert bounds.depth_problem({"a": [[1]]}) is None
