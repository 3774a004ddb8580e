"""Render: one template + values -> a definition, with a source map back to the template (no env files:
`pipeline.render_env` renders a project's templates for an env).

The names below are imported on first use, so importing a submodule (e.g. `render.substitute`, which
envconfig uses) does not load the render engine and Jinja.
"""

__all__ = ["RenderedTemplate", "Resolver", "SourceMap", "dumps", "render_template",
           "stale_diffs", "write_outputs"]

from ..lazy import exports

__getattr__ = exports(__name__, {
    "RenderedTemplate": "engine", "dumps": "engine", "render_template": "engine", "stale_diffs": "engine",
    "write_outputs": "engine", "Resolver": "substitute", "SourceMap": ".load.sourcemap"})
