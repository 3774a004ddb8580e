"""Loading JSON and YAML with positions: every value can be located by its JSON pointer.

`load_json_text` / `load_json_file` parse with duplicate-key detection and return a `JsonDocument`
whose `locate(pointer)` gives line:col (built lazily, so the fast path is the C json parser).
`load_yaml_text` / `load_yaml_file` do the same for YAML with `yaml.safe_load` semantics.

The names below load their module on first use: validating JSON never loads PyYAML, and reading a file
(`limits.read_text`) or a warm `validate` loads neither reader.
"""

from __future__ import annotations

from ..lazy import exports

_HOMES = {"JsonDocument": "jsondoc", "load_json_file": "jsondoc", "load_json_text": "jsondoc",
          "YamlDocument": "yamldoc", "load_yaml_file": "yamldoc", "load_yaml_text": "yamldoc",
          "Position": "positions", "escape_token": "pointer", "join_pointer": "pointer", "split_pointer": "pointer"}
__all__ = sorted(_HOMES)


__getattr__ = exports(__name__, _HOMES)
