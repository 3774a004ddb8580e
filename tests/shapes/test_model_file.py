"""`shapes.model_file.lazy_model`: a botocore service-2.json read lazily equals the file parsed whole."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Mapping

import pytest

from sfn_compiler.shapes import aws_models as M
from sfn_compiler.shapes.model_file import _Model, containing, gunzip, lazy_model


def _model_bytes(service: str) -> bytes:
    d = M._data_dir()
    if d is None:
        pytest.skip("botocore's data directory is not available")
    sdir = os.path.join(d, service)
    version = sorted(v for v in os.listdir(sdir) if os.path.isdir(os.path.join(sdir, v)))[-1]
    base = os.path.join(sdir, version, "service-2.json")
    if os.path.exists(base + ".gz"):
        with open(base + ".gz", "rb") as fh:
            return gzip.decompress(fh.read())
    with open(base, "rb") as fh:
        return fh.read()


def _same(lazy: Mapping, full: dict) -> None:
    assert set(lazy) == set(full) and len(lazy) == len(full)
    for key, value in full.items():
        if key in ("operations", "shapes"):
            section = lazy[key]
            assert isinstance(section, Mapping) and len(section) == len(value)
            for name, entry in value.items():
                assert name in section and section[name] == entry
        else:
            assert lazy[key] == value


# sagemaker: the largest model, "key":value; amplify: the "key": value layout some models use
@pytest.mark.parametrize("service", ["sagemaker", "stepfunctions", "dynamodb", "amplify"])
def test_lazy_model_equals_the_parsed_file(service):
    data = _model_bytes(service)
    lazy = lazy_model(data)
    assert isinstance(lazy, _Model)          # the botocore layout was recognised: read lazily
    _same(lazy, json.loads(data))


def test_entries_are_decoded_once_and_unknown_names_raise_key_error():
    lazy = lazy_model(_model_bytes("stepfunctions"))
    shapes = lazy["shapes"]
    first = shapes["StartExecutionOutput"]
    assert shapes["StartExecutionOutput"] is first and shapes.get("StartExecutionOutput") is first
    assert "NoSuchShape" not in shapes and shapes.get("NoSuchShape") is None
    with pytest.raises(KeyError):
        shapes["NoSuchShape"]


def test_any_other_layout_is_parsed_whole():
    doc = {"version": "2.0", "metadata": {"serviceId": "X"}, "operations": {"A": {"name": "A"}},
           "shapes": {"S": {"type": "string"}}}
    for text in (json.dumps(doc), json.dumps(doc, indent=4), json.dumps(doc, indent=1)):
        out = lazy_model(text.encode())
        assert out == doc and not isinstance(out, _Model)


def test_the_lazy_model_is_what_operations_read():
    op = M.operation("sfn", "startExecution")
    assert isinstance(op.model, _Model)
    assert set(op.output.member_names) == {"ExecutionArn", "StartDate"}


def _botocore_layout(doc: dict) -> bytes:
    """`doc` written as botocore writes its models: 2-space indentation, `"key":value`."""
    return json.dumps(doc, indent=2, separators=(",", ":")).encode()


@pytest.mark.parametrize("doc", [
    # a multi-line top-level object after the sections (botocore's clientContextParams), and a documentation
    {"version": "2.0", "metadata": {"serviceId": "X"}, "operations": {"A": {"name": "A", "errors": [{"shape": "E"}]}},
     "shapes": {"E": {"type": "structure", "members": {}, "exception": True}, "S": {"type": "string"}},
     "documentation": "<p>x</p>", "clientContextParams": {"Accelerate": {"type": "boolean"}}},
    # the sections in the other order, an empty one, one at the end of the file
    {"metadata": {"serviceId": "X"}, "shapes": {}, "operations": {"A": {"name": "A"}, "B": {"name": "B"}}},
    {"operations": {}, "shapes": {"S": {"type": "list", "member": {"shape": "T"}}, "T": {"type": "string"}},
     "version": "2.0"},
])
def test_the_botocore_layout_is_read_lazily_whatever_the_order_of_the_top_level_keys(doc):
    data = _botocore_layout(doc)
    lazy = lazy_model(data)
    assert isinstance(lazy, _Model)
    _same(lazy, doc)
    assert list(lazy["shapes"]) == list(doc["shapes"]) and list(lazy["operations"]) == list(doc["operations"])


def test_a_file_in_another_layout_is_parsed_whole():
    doc = {"metadata": {}, "operations": {"A": {"name": "A"}}, "shapes": {"S": {"type": "string"}}}
    for text in (_botocore_layout({**doc, "shapes": ["S"]}),                      # not an object
                 _botocore_layout(doc).replace(b'"operations"', b'"operation"')):  # no operations
        out = lazy_model(text)
        assert not isinstance(out, _Model) and out == json.loads(text)


def test_a_section_holding_anything_but_entries_is_decoded_whole_when_read():
    doc = {"metadata": {}, "operations": {"A": {"name": "A"}},
           "shapes": {"B": {"type": "string"}, "S": {"type": "string"}, "T": {"type": "list"}}}
    text = _botocore_layout(doc).replace(b'\n    "S":', b'\n    "S" :')        # not `"name":`
    for read in (lambda m: m["shapes"]["S"], lambda m: m["shapes"]["T"], lambda m: list(m["shapes"]),
                 lambda m: "S" in m["shapes"]):
        out = lazy_model(text)
        read(out)
        _same(out, json.loads(text))


def test_names_not_in_order_are_found_all_the_same():
    doc = {"metadata": {}, "operations": {"Z": {"name": "Z"}, "A": {"name": "A"}, "M": {"name": "M"}},
           "shapes": {f"S{i:03d}": {"type": "string", "max": i} for i in reversed(range(200))}}
    lazy = lazy_model(_botocore_layout(doc))
    assert isinstance(lazy, _Model)
    assert lazy["operations"]["A"] == {"name": "A"} and lazy["shapes"]["S007"] == {"type": "string", "max": 7}
    assert "S199" in lazy["shapes"] and "S200" not in lazy["shapes"]
    _same(lazy, doc)


def test_every_name_of_a_model_is_found_by_bisection():
    lazy = lazy_model(_model_bytes("dynamodb"))
    full = json.loads(_model_bytes("dynamodb"))
    for section in ("operations", "shapes"):
        for name, entry in full[section].items():
            assert lazy[section][name] == entry
        assert lazy[section]._index is None            # every one found without the full index
        assert "NoSuchEntry" not in lazy[section] and lazy[section]._index is not None


def test_the_exceptions_of_a_model_are_found_in_its_text():
    full = json.loads(_model_bytes("dynamodb"))
    want = [n for n, v in full["shapes"].items() if v.get("exception") is True]
    assert want and containing(lazy_model(_model_bytes("dynamodb"))["shapes"], b'"exception":', "exception",
                               True) == want


def test_gunzip_reads_what_gzip_writes_and_refuses_a_damaged_file():
    data = json.dumps({"a": list(range(1000))}).encode()
    for packed in (gzip.compress(data), gzip.compress(data, mtime=0)):
        assert gunzip(packed) == data
    assert gunzip(gzip.compress(b"abc") + gzip.compress(b"def")) == b"abcdef"     # two members: both read
    named = bytearray(gzip.compress(data))
    named[3] |= 8                                            # FNAME: a zero-terminated name after the header
    assert gunzip(bytes(named[:10]) + b"service-2.json\x00" + bytes(named[10:])) == data
    with pytest.raises((OSError, EOFError, zlib.error)):
        gunzip(gzip.compress(data)[:-12])
    bad_length = bytearray(gzip.compress(data))
    bad_length[-1] ^= 1
    with pytest.raises(OSError):                            # checked by gzip.decompress: a length mismatch
        gunzip(bytes(bad_length))
