"""State machine definitions written in YAML (`*.asl.yaml`, as SAM's `DefinitionUri` allows).

The YAML is read with safe_load semantics and positions, turned into the JSON document Step Functions
receives, and validated through a source map back to the YAML lines (the same `render.SourceMap` as
templates use, over a `YamlView`), so findings and JSONata errors point at the YAML file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .cfnyaml import load_cfn_yaml_text
from .embedded import YamlView
from .jsondoc import JsonDocument
from .limits import read_text
from .pointer import escape_token


def _identity(node: Any, pointer: str, pointers: dict[str, str]) -> None:
    pointers[pointer] = pointer
    if isinstance(node, dict):
        for k, v in node.items():
            _identity(v, f"{pointer}/{escape_token(k)}", pointers)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _identity(v, f"{pointer}/{i}", pointers)


def extract_yaml(path: Path, shown: str):
    """An `Extracted` for a YAML definition file; None when the YAML is not a state machine."""
    from ..errors import SfncError
    from .sourcemap import SourceMap
    from .embedded import Extracted
    from .embedded import dumps_definition

    text = read_text(path, shown)
    try:
        ydoc = load_cfn_yaml_text(text, shown)
        data = ydoc.data
        if not isinstance(data, dict) or ("StartAt" not in data and "States" not in data):
            return None
        smap = SourceMap(YamlView(ydoc, text, ""))
        _identity(data, "", smap.pointers)
        doc = JsonDocument(data, dumps_definition(data), shown)
    except RecursionError:
        raise SfncError("nesting too deep (or a YAML alias that contains itself)", file=shown) from None
    except (TypeError, ValueError) as exc:
        raise SfncError(f"the definition holds a value that is not JSON: {exc}", file=shown) from None
    return Extracted(None, "", shown, shown, doc, smap, kind="asl-yaml", opaque_ok=False)
