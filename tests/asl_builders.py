"""Small builders for ASL definitions in tests (importable from any test: `tests/` is on pythonpath)."""

from __future__ import annotations

from typing import Any


def machine(states: dict[str, Any], start: str | None = None, **top: Any) -> dict[str, Any]:
    """A JSONata-mode definition; StartAt defaults to the first state."""
    d: dict[str, Any] = {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}
    d.update(top)
    return d


def task(next_: str | None = None, **fields: Any) -> dict[str, Any]:
    """A Lambda-invoke Task that ends the machine unless `next_` is given."""
    s: dict[str, Any] = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke"}
    s.update(fields)
    if next_ is None:
        s.setdefault("End", True)
    else:
        s["Next"] = next_
    return s
