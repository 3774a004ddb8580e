"""Lazy package exports (PEP 562): a package names the module each public name lives in, and that module is
imported on first use, so importing the package (or one of its submodules) loads nothing else. Keeps the
start-up of `sfnc --help` and of a warm `sfnc validate` lean (tests/test_startup.py)."""

from __future__ import annotations

import importlib
from typing import Any, Callable


def exports(package: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package` (its `__name__`): `homes` maps each exported name to its module,
    relative to the package as after `from .` (`"jsondoc"`, `".load.sourcemap"` for a sibling package)."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f".{home}", package), name)

    return __getattr__
