"""Sandboxed Jinja2 for placeholder filters (`${name | lower}`) and `.json.j2` templates.

The environment is `SandboxedEnvironment` with `StrictUndefined`: templates can call filters and read
values but never execute Python. `.json.j2` templates use delimiters that cannot collide with JSONata
(`{% %}` is JSONata's): blocks `<% %>`, expressions `<< >>`, comments `<# #>`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError, TemplateAssertionError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..placeholders import PlaceholderError
from .substitute import MissingValue

BLOCK = ("<%", "%>")
VARIABLE = ("<<", ">>")
COMMENT = ("<#", "#>")


@lru_cache(maxsize=1)
def expression_env() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


@lru_cache(maxsize=1)
def template_env() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True,
        block_start_string=BLOCK[0], block_end_string=BLOCK[1],
        variable_start_string=VARIABLE[0], variable_end_string=VARIABLE[1],
        comment_start_string=COMMENT[0], comment_end_string=COMMENT[1],
        trim_blocks=True, lstrip_blocks=True,
    )


def compile_expression(expr: str) -> Callable:
    env = expression_env()
    try:
        ast = env.parse("{{ " + expr + " }}")
        for f in ast.find_all(nodes.Filter):
            if f.name not in env.filters:
                raise PlaceholderError(f"unknown filter {f.name!r} in placeholder ${{{expr}}}",
                                       hint="available filters include: lower, upper, replace, default, "
                                            "tojson, join, trim, int, string")
        fn = env.compile_expression(expr, undefined_to_none=False)
    except TemplateSyntaxError as exc:
        raise PlaceholderError(f"invalid placeholder ${{{expr}}}: {exc.message}",
                               hint="placeholders are ${name}, ${a.b} or ${name | filter}; "
                                    "write $${ for a literal '${'") from None
    except TemplateAssertionError as exc:
        raise PlaceholderError(f"invalid placeholder ${{{expr}}}: {exc.message}") from None
    return fn


def evaluate(fn: Callable, expr: str, scope: dict[str, Any], env: str | None) -> tuple[Any, list[str]]:
    try:
        result = fn(**scope)
    except UndefinedError as exc:
        raise MissingValue(f"no value for placeholder ${{{expr}}}" + (f" in env {env!r}" if env else "")
                           + f": {exc.message}") from None
    except SecurityError as exc:
        raise PlaceholderError(f"placeholder ${{{expr}}} is not allowed: {exc}") from None
    except TemplateError as exc:
        raise PlaceholderError(f"placeholder ${{{expr}}} failed: {exc}") from None
    except Exception as exc:  # a filter raising on a wrong type, e.g. `int` of a list
        raise PlaceholderError(f"placeholder ${{{expr}}} failed: {exc}") from None
    if isinstance(result, StrictUndefined):  # pragma: no cover - StrictUndefined raises first
        raise MissingValue(f"no value for placeholder ${{{expr}}}")
    env_ = expression_env()
    names = [n.name for n in env_.parse("{{ " + expr + " }}").find_all(nodes.Name)]
    return result, names
