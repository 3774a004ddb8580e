"""Render: one template + values -> a definition, with a source map back to the template (no env files:
`pipeline.render_env` renders a project's templates for an env)."""

from .engine import RenderedTemplate, dumps, render_template, stale_diffs, write_outputs
from .substitute import Resolver
from ..load.sourcemap import SourceMap

__all__ = ["RenderedTemplate", "Resolver", "SourceMap", "dumps", "render_template",
           "stale_diffs", "write_outputs"]
