"""Plan and apply several machines: one failure never stops the others."""

from __future__ import annotations

from typing import Callable

from .apply import apply_plan
from .client import AwsError, SfnClient
from .plan import Plan, make_plan
from .results import Result, failed_result
from .target import Target


def plan_targets(client: SfnClient, targets: list[Target], *, account_id: str | None) -> list[Plan | Result]:
    """A `Plan` per target, or a failed `Result` when describing it failed. An error about the endpoint or
    the credentials (`AwsError.env_wide`) is raised: it would fail every machine the same way."""
    out: list[Plan | Result] = []
    for t in targets:
        try:
            out.append(make_plan(client, t, account_id=account_id))
        except AwsError as exc:
            if exc.env_wide:
                raise
            out.append(failed_result(t, exc.message, exc.hint))
    return out


def apply_plans(client: SfnClient, plans: list[Plan | Result], *, commit: str,
                on_result: Callable[[Result], None] | None = None) -> list[Result]:
    results: list[Result] = []
    for p in plans:
        r = p if isinstance(p, Result) else apply_plan(client, p, commit=commit)
        results.append(r)
        if on_result:
            on_result(r)
    return results
