"""Render: templates + env values -> definitions, with a source map back to the template.

The names below are imported on first use, so importing a submodule (e.g. `render.placeholders`, which
the JSONata analysis uses) does not load the render engine and Jinja.
"""

__all__ = ["EnvRender", "RenderedTemplate", "Resolver", "SourceMap", "TemplateLocation", "dumps",
           "render_env", "render_template", "stale_diffs", "write_outputs"]

_WHERE = {"EnvRender": "engine", "RenderedTemplate": "engine", "dumps": "engine", "render_env": "engine",
          "render_template": "engine", "stale_diffs": "engine", "write_outputs": "engine",
          "Resolver": "placeholders", "SourceMap": "sourcemap", "TemplateLocation": "sourcemap"}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
