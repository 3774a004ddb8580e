"""tests/fuzz: make the kit importable (pytest runs with --import-mode=importlib) and build the small project
every fuzz test copies (docs/hardening.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import fuzzkit  # noqa: E402


@pytest.fixture(scope="session")
def base_project(tmp_path_factory) -> Path:
    """The small project (one bundled template, three envs, two scenarios), rendered once."""
    return fuzzkit.build_base(tmp_path_factory.mktemp("fuzz-base"))


@pytest.fixture(scope="session")
def sandbox_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-runs")


@pytest.fixture(scope="module", autouse=True)
def short_budgets():
    """A JSONata evaluation may take 1 s (not 5) and a run 20 s (not 300): a runaway expression costs less."""
    from sfn_compiler.simulate import run_execution

    saved = dict(run_execution.__kwdefaults__)
    run_execution.__kwdefaults__.update(expression_budget=1.0, time_budget=20.0)
    yield
    run_execution.__kwdefaults__.clear()
    run_execution.__kwdefaults__.update(saved)
