"""Loading JSON and YAML with positions: every value can be located by its JSON pointer.

`load_json_text` / `load_json_file` parse with duplicate-key detection and return a `JsonDocument`
whose `locate(pointer)` gives line:col (built lazily, so the fast path is the C json parser).
`load_yaml_text` / `load_yaml_file` do the same for YAML with `yaml.safe_load` semantics.

The YAML names are imported on first use: validating JSON never loads PyYAML.
"""

from .jsondoc import JsonDocument, load_json_file, load_json_text
from .pointer import escape_token, join_pointer, split_pointer
from .positions import Position

__all__ = [
    "JsonDocument", "YamlDocument", "Position", "load_json_file", "load_json_text", "load_yaml_file",
    "load_yaml_text", "escape_token", "join_pointer", "split_pointer",
]

_LAZY = {"YamlDocument", "load_yaml_file", "load_yaml_text"}


def __getattr__(name: str):
    if name in _LAZY:
        from . import yamldoc

        return getattr(yamldoc, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
