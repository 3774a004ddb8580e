"""The data flow of JSONPath states, as pure functions the interpreter calls.

A JSONPath state (``"QueryLanguage": "JSONPath"``, the default) moves data through fixed stages
(ASL spec, "Input and Output Processing with JSONPath")::

    raw input ─InputPath─▶ ─Parameters─▶ effective input ─(task / branches / items)─▶ result
    result ─ResultSelector─▶ effective result ─ResultPath (into the raw input)─▶ ─OutputPath─▶ output

Interface (all functions are pure; nothing here mutates its arguments):

- :class:`Env` – what paths can read besides the state data: the context object (``$$``), the
  workflow variables visible to the state (``$name``) and the random source of ``States.UUID`` /
  ``States.MathRandom``.
- :func:`effective_input` (InputPath + Parameters), :func:`select_input` (InputPath only: Choice, Wait,
  Succeed, Map), :func:`pass_result`, :func:`apply_result` (ResultSelector + ResultPath + OutputPath),
  :func:`output_of` (OutputPath only), :func:`assigned` (Assign, with ``$`` bound as the spec says),
  :func:`catch_output` (a Catcher's ResultPath).
- :func:`choose` and :func:`evaluate_rule` (Choice rules), :func:`wait_seconds`,
  :func:`timeout_seconds` / :func:`heartbeat_seconds`, :func:`fail_error_cause`, :func:`map_items`,
  :func:`map_item_input`, :func:`map_max_concurrency`, :func:`map_tolerated_failure_count`,
  :func:`map_tolerated_failure_percentage`.
- :func:`check_state` – the creation-time checks of the JSONPath fields of one state (paths and
  intrinsic functions parse, ``.$`` keys hold strings, Choice rules are complete).

Modules: `values` (errors, :class:`Env`, reading paths, Payload Templates, timestamps), `flow` (input,
result and output processing, Assign, Catch, Wait, Task timeouts, Fail, Map), `choice` (Choice rules),
`checks` (creation-time checks). Import from the package.

Runtime failures raise :class:`JsonPathFailure` (an AWS error name and the cause text after the
``An error occurred while executing the state 'X'.`` prefix); :meth:`JsonPathFailure.cause` writes the
whole cause. Values crossing between JSONata and JSONPath states are plain JSON.
"""

from __future__ import annotations

from .checks import check_state
from .choice import ChoiceOutcome, choose, evaluate_rule
from .flow import (apply_result, assigned, catch_output, effective_input, fail_error_cause, heartbeat_seconds,
                   map_item_input, map_items, map_max_concurrency, map_tolerated_failure_count,
                   map_tolerated_failure_percentage, merge_result, output_of, pass_result, select_input,
                   timeout_seconds, wait_seconds)
from .values import (INTRINSIC_FAILURE, RESULT_PATH_FAILURE, RUNTIME, Env, JsonPathDefinitionError, JsonPathFailure,
                     parse_timestamp, payload, resolve)

__all__ = [
    "Env",
    "resolve",
    "JsonPathFailure",
    "JsonPathDefinitionError",
    "RUNTIME",
    "INTRINSIC_FAILURE",
    "RESULT_PATH_FAILURE",
    "effective_input",
    "select_input",
    "payload",
    "pass_result",
    "apply_result",
    "output_of",
    "merge_result",
    "assigned",
    "catch_output",
    "choose",
    "ChoiceOutcome",
    "evaluate_rule",
    "wait_seconds",
    "timeout_seconds",
    "heartbeat_seconds",
    "fail_error_cause",
    "map_items",
    "map_item_input",
    "map_max_concurrency",
    "map_tolerated_failure_count",
    "map_tolerated_failure_percentage",
    "parse_timestamp",
    "check_state",
]
