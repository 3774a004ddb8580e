"""What the readers refuse, each with its place (line:col and JSON pointer): values JSON data cannot hold
(NaN, Infinity, numbers that overflow, integers past Python's 4,300 digits, lone surrogates), and
documents past the loading bounds (load/limits.py: size, nesting, YAML values built through aliases)."""

from __future__ import annotations

import json

import pytest
import yaml

from sfn_compiler.errors import SfncError
from sfn_compiler.load import load_json_file, load_json_text, load_yaml_file, load_yaml_text
from sfn_compiler.load.cfnyaml import load_cfn_yaml_text
from sfn_compiler.load.limits import MAX_DEPTH, MAX_DOCUMENT_BYTES, MAX_YAML_NODES


def problems(load, text: str, *args) -> list[tuple[int | None, int | None, str | None, str]]:
    with pytest.raises(SfncError) as err:
        load(text, "f", *args)
    assert err.value.exit_code == 2
    return [(p.span.line, p.span.column, p.pointer, p.message) for p in err.value.problems]


# --- JSON -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_non_finite_constants_are_refused_at_their_place(token):
    text = '{\n  "Seconds": 1,\n  "Wait": {"Seconds": ' + token + '}\n}'
    assert problems(load_json_text, text) == [
        (3, 23, "/Wait/Seconds", f"invalid JSON: {token} is not a number JSON can hold")]


def test_json_numbers_that_overflow_to_infinity_are_refused():
    got = problems(load_json_text, '[1.5, 1e999, -2.5E+400, 1e308]')
    assert [(line, col, ptr) for line, col, ptr, _ in got] == [(1, 7, "/1"), (1, 14, "/2")]
    assert got[0][3] == "invalid JSON: the number 1e999 is too large for a double (it would be read as Infinity)"
    assert load_json_text("[1e308, 1e-999]", "f").data == [1e308, 0.0]


def test_json_integers_longer_than_python_reads_are_refused_and_the_limit_itself_is_read():
    assert load_json_text("[" + "9" * 4300 + "]", "f").data[0] == int("9" * 4300)
    assert problems(load_json_text, '{"a": [0, -' + "1" * 4301 + ']}') == [
        (1, 11, "/a/1", "invalid JSON: an integer of 4301 digits (at most 4300 are read)")]


def test_json_lone_surrogates_are_refused_in_values_and_keys():
    text = '{"ok": "\\ud83d\\ude00", "bad": "x\\udc00",\n "\\ud800": 1, "raw": "\\\\ud800"}'
    assert problems(load_json_text, text) == [
        (1, 31, "/bad", "invalid JSON: a lone surrogate \\udc00 in a string: not Unicode text"),
        (2, 2, "/\ud800", "invalid JSON: a lone surrogate \\ud800 in a string: not Unicode text")]
    doc = load_json_text('{"ok": "\\ud83d\\ude00", "raw": "\\\\ud800"}', "f")
    assert doc.data == {"ok": "\U0001f600", "raw": "\\ud800"}     # a pair, and an escaped backslash: fine


def test_json_nesting_is_bounded_with_a_place_and_no_recursion_error():
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_json_text(at_limit, "f").locate("/0" * (MAX_DEPTH - 1)).column == MAX_DEPTH
    over = '{"a": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    assert problems(load_json_text, over) == [
        (1, 7 + MAX_DEPTH - 1, "/a" + "/0" * (MAX_DEPTH - 1),
         f"invalid JSON: nested deeper than {MAX_DEPTH} arrays and objects")]
    huge = "[" * 100_000                      # not even closed: deeper than the C parser's recursion limit
    ((line, col, _, message),) = problems(load_json_text, huge)
    assert (line, col) == (1, MAX_DEPTH + 1) and "nested deeper than" in message


def test_a_deep_document_with_brackets_in_strings_is_not_miscounted():
    text = json.dumps({"s": "[" * 5000 + "{" * 5000, "t": [[["]]]"]]]})
    assert load_json_text(text, "f").data["t"] == [[["]]]"]]]


def test_json_documents_are_bounded_in_size(tmp_path):
    assert problems(load_json_text, " " * (MAX_DOCUMENT_BYTES + 1)) == [
        (None, None, None, f"the document is {MAX_DOCUMENT_BYTES + 1:,} bytes long; sfnc reads documents of at most "
                           f"{MAX_DOCUMENT_BYTES:,} bytes (32 MiB)")]
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.truncate(MAX_DOCUMENT_BYTES * 3)     # sparse: nothing but its size on disk
    with pytest.raises(SfncError, match=f"is {MAX_DOCUMENT_BYTES * 3:,} bytes long"):
        load_json_file(big)


def test_the_locator_works_on_everything_the_reader_accepts():
    doc = load_json_text('{"a": [1.5, -0.0, 1E+2, "x"], "b": {"c": null}}', "f")
    assert (doc.locate("/a/3").column, doc.locate("/b/c").column) == (25, 42)


# --- YAML -------------------------------------------------------------------------------------------------

LOADERS = [None, yaml.SafeLoader]       # libyaml's loader (the default) and the pure-Python one


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.Inf", "+.INF", "1.0e+999"])
def test_yaml_non_finite_numbers_are_refused_at_their_place(loader, value):
    text = f"values:\n  ok: 1.5\n  wait:\n    seconds: {value}\n"
    assert problems(load_yaml_text, text, loader) == [
        (4, 14, "/values/wait/seconds", f"{value} is not a finite number: JSON has no NaN or Infinity")]
    assert load_yaml_text(f"x: '{value}'", "f", loader).data == {"x": value}     # quoted: a string


@pytest.mark.parametrize("loader", LOADERS)
def test_yaml_scalars_the_constructor_would_fail_on_are_located_errors(loader):
    text = ("a: 1" + "0" * 5000 + "\nb: !!int nope\nc: 2001-13-01\nd: !!bool maybe\ne: !!timestamp soon\n"
            "f: 0x" + "f" * 4000 + "\n{.nan: 1}: x\n")
    got = problems(load_yaml_text, text, loader)
    assert [(line, ptr) for line, _, ptr, _ in got] == [(1, "/a"), (2, "/b"), (3, "/c"), (4, "/d"), (5, "/e"),
                                                        (6, "/f"), (7, None)]
    assert got[0][3] == "an integer of 5001 characters: too large"
    assert got[1][3] == "'nope' is not an integer YAML can read"
    assert got[5][3] == "an integer of more than 4,300 digits: too large"


def test_yaml_lone_surrogates_are_refused_by_both_loaders():
    text = 'a: "ok \\U0001F600"\nb: "\\ud800"\n'
    ((line, col, _, message),) = problems(load_yaml_text, text)
    assert (line, col) == (2, 7) and "invalid Unicode character escape" in message     # libyaml: at the escape
    assert problems(load_yaml_text, text, yaml.SafeLoader) == [
        (2, 4, "/b", "a lone surrogate \\ud800 in a string: not Unicode text")]


BOMB = "values:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"  {n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("loader", LOADERS)
def test_a_yaml_alias_bomb_is_refused_with_a_place(loader):
    got = problems(load_yaml_text, BOMB, loader)
    ((line, _, pointer, message),) = got
    assert message == f"the document builds more than {MAX_YAML_NODES:,} values (its aliases repeat too much)"
    assert pointer.startswith("/values/") and 2 <= line <= 10
    small = "values:\n  a: &a [1, 2]\n  b: [*a, *a]\n  c: {<<: {x: 1}, y: *a}\n"    # ordinary aliases: fine
    assert load_yaml_text(small, "f", loader).data["values"]["c"] == {"x": 1, "y": [1, 2]}


def test_a_yaml_merge_bomb_is_refused():
    text = "l0: &l0 {a: 1, b: 2}\n" + "".join(f"l{i}: &l{i} {{<<: [*l{i - 1}, *l{i - 1}]}}\n" for i in range(1, 30))
    ((_, _, _, message),) = problems(load_yaml_text, text)
    assert message.startswith(f"the document builds more than {MAX_YAML_NODES:,} values")


@pytest.mark.parametrize("loader", LOADERS)
def test_a_yaml_alias_that_contains_itself_is_refused(loader):
    assert problems(load_yaml_text, "x: 1\na: &a [1, *a]\n", loader) == [
        (2, 4, "/a/1", "an alias that contains itself (a recursive structure cannot be JSON data)")]


@pytest.mark.parametrize("loader", LOADERS)
def test_yaml_nesting_is_bounded_with_a_place(loader):
    n = MAX_DEPTH - 1                  # the root mapping and n sequences: MAX_DEPTH levels, as in JSON
    value, depth = load_yaml_text("x: " + "[" * n + "]" * n, "f", loader).data["x"], 1
    while value:
        value, depth = value[0], depth + 1
    assert depth == n
    for text in ("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH,
                 "x:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(MAX_DEPTH + 5)) + "  " * 300 + "v: 1\n",
                 "x: " + "[" * 100_000):
        ((line, col, _, message),) = problems(load_yaml_text, text, loader)
        assert line and col and "nested deeper than" in message


def test_yaml_documents_are_bounded_in_size(tmp_path):
    with pytest.raises(SfncError, match="sfnc reads documents of at most 33,554,432 bytes"):
        load_yaml_text("#" * (MAX_DOCUMENT_BYTES + 1), "f")
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(MAX_DOCUMENT_BYTES + 1)
    with pytest.raises(SfncError, match="bytes long"):
        load_yaml_file(big)


def test_cloudformation_yaml_is_bounded_too():
    ((line, col, _, message),) = problems(load_cfn_yaml_text, "A: !If " + "[" * 300 + "]" * 300)
    assert line == 1 and "nested deeper than" in message
    assert problems(load_cfn_yaml_text, "A:\n  B: !Sub [x, {v: .inf}]\n") == [
        (2, 19, "/A/B/Fn::Sub/1/v", ".inf is not a finite number: JSON has no NaN or Infinity")]


def test_a_document_built_from_data_holding_nan_can_still_be_located():
    # (the reader refuses NaN; a JsonDocument made from rendered data must not crash when a finding is located)
    from sfn_compiler.load import JsonDocument

    doc = JsonDocument({"a": [None, None, 1]}, '{"a": [NaN, -Infinity, 1]}', "f")
    assert (doc.locate("/a/1").column, doc.locate("/a/2").column) == (13, 24)


@pytest.mark.parametrize("loader", [None, "pure"])
def test_a_control_character_in_yaml_is_located(loader):
    import yaml

    from sfn_compiler.load.yamldoc import load_yaml_text

    with pytest.raises(SfncError) as err:
        load_yaml_text("a: 1\nb: x\x17y\n", "f.yaml", yaml.SafeLoader if loader else None)
    (p,) = err.value.problems
    assert (p.span.file, p.span.line, p.span.column) == ("f.yaml", 2, 5)
    assert "U+0017 is not allowed" in p.message


def test_read_bounded_reads_what_read_with_the_limit_reads(tmp_path, monkeypatch):
    import os

    from sfn_compiler.load import limits

    for size in (0, 1, 9, 10, 11, 50):
        p = tmp_path / f"f{size}"
        p.write_bytes(bytes(range(size)))
        with open(p, "rb") as fh:
            assert limits.read_bounded(fh, 10) == p.read_bytes()[:10], size
    # a file that grew after its size was looked up is still read up to the limit
    grown = tmp_path / "grown"
    grown.write_bytes(b"abcdefghijklmnop")
    real_fstat = os.fstat
    monkeypatch.setattr(limits.os, "fstat", lambda fd: os.stat_result((0, 0, 0, 0, 0, 0, 3, 0, 0, 0)))
    with open(grown, "rb") as fh:
        assert limits.read_bounded(fh, 10) == b"abcdefghij"
    monkeypatch.setattr(limits.os, "fstat", real_fstat)
