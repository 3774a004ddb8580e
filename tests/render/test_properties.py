"""Property and corpus tests: rendering never touches what has no placeholder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sfn_compiler.load import load_json_text
from sfn_compiler.render.engine import _walk, dumps
from sfn_compiler.render.substitute import Resolver
from sfn_compiler.load.sourcemap import SourceMap

SHARED = Path(__file__).resolve().parents[3] / "shared"

no_placeholder_text = st.text(min_size=0, max_size=40).filter(lambda s: "${" not in s)
jsonata_strings = no_placeholder_text.map(lambda s: "{%" + s + "%}")
leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                   no_placeholder_text, jsonata_strings)
documents = st.recursive(leaves, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(no_placeholder_text, children, max_size=4)), max_leaves=25)


def render_data(data):
    text = json.dumps(data)
    doc = load_json_text(text, "t.json")
    problems = []
    out = _walk(doc.data, "", "", Resolver({"x": 1}, "dev"), SourceMap(doc), doc, problems, "dev")
    assert problems == []
    return out


@given(documents)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_documents_without_placeholders_render_identically(data):
    out = render_data(data)
    assert dumps(out) == dumps(data)


@given(st.lists(jsonata_strings, min_size=1, max_size=5))
def test_jsonata_strings_pass_through_byte_identical(strings):
    out = render_data({"States": {f"S{i}": {"Output": s} for i, s in enumerate(strings)}})
    for i, s in enumerate(strings):
        assert out["States"][f"S{i}"]["Output"] is not None and out["States"][f"S{i}"]["Output"] == s


# --- the real corpus -------------------------------------------------------------------------------

CORPUS = SHARED / "corpus" / "real"
_PH = re.compile(r"\$\{([^}]*)\}")
_SIMPLE = re.compile(r"[A-Za-z_][\w-]*(?:\.[\w-]+)*")


def _strings(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            out.append(k)
            _strings(v, out)
    elif isinstance(node, list):
        for v in node:
            _strings(v, out)
    elif isinstance(node, str):
        out.append(node)


def _jsonata(node, pointer, out):
    if isinstance(node, dict):
        for k, v in node.items():
            _jsonata(v, f"{pointer}/{k}", out)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _jsonata(v, f"{pointer}/{i}", out)
    elif isinstance(node, str) and node.startswith("{%") and node.endswith("%}") and "${" not in node:
        out[pointer] = node


def _env_for(names):
    """Values for every placeholder name: nested dicts for dotted paths, a string leaf."""
    values: dict = {}
    for name in names:
        node = values
        parts = name.split(".")
        for p in parts[:-1]:
            nxt = node.setdefault(p, {})
            if not isinstance(nxt, dict):
                return None
            node = nxt
        if isinstance(node.get(parts[-1]), dict):
            return None
        node[parts[-1]] = f"value-of-{name}"
    return values


@pytest.mark.corpus
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_corpus_round_trip_keeps_jsonata_unchanged():
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".json", ".json5"))
    rendered = skipped = expressions = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        if f.suffix == ".json5":
            from sfn_compiler.load.json5doc import to_json

            text = to_json(text)[0]
        try:
            doc = load_json_text(text, str(f), allow_duplicates=True)
        except Exception:
            skipped += 1
            continue
        strings: list[str] = []
        _strings(doc.data, strings)
        names = {m.group(1).strip() for s in strings for m in _PH.finditer(s)}
        if any(not _SIMPLE.fullmatch(n) for n in names):
            skipped += 1            # Terraform/CFN expressions (`${jsonencode(..)}`, `${AWS::Region}`) no env can supply
            continue
        values = _env_for(names)
        if values is None:
            skipped += 1
            continue
        problems: list = []
        out = _walk(doc.data, "", "", Resolver(values, "dev"), SourceMap(doc), doc, problems, "dev")
        assert problems == [], (f, problems)
        before: dict = {}
        after: dict = {}
        _jsonata(doc.data, "", before)
        _jsonata(out, "", after)
        assert {p: after.get(p) for p in before} == before, f
        if not names:
            assert dumps(out) == dumps(doc.data), f
        rendered += 1
        expressions += len(before)
    print(f"corpus round trip: {rendered} files rendered, {skipped} skipped, {expressions} JSONata expressions unchanged")
    assert rendered >= 125 and expressions >= 800
