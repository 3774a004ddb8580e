"""Render: templates + env values -> definitions, with a source map back to the template."""

from .engine import (EnvRender, RenderedTemplate, dumps, render_env, render_template, stale_diffs,
                     write_outputs)
from .placeholders import Resolver
from .sourcemap import SourceMap, TemplateLocation

__all__ = ["EnvRender", "RenderedTemplate", "Resolver", "SourceMap", "TemplateLocation", "dumps",
           "render_env", "render_template", "stale_diffs", "write_outputs"]
