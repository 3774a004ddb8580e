"""The execution input's JSON Schema: `templates/<name>.input.schema.json` beside a template, or the file
`sfnc validate PATH --input-schema FILE` / `sfnc graph PATH --input-schema FILE` names.

It describes what a state machine is started with. `sfnc validate` and `sfnc graph --shapes` infer the
shapes of the data from it (the data rules, docs/validate.md), and `sfnc test` checks every scenario's
`input` against it (a violation is an error located in the scenario file). A schema that is not JSON, or
not a valid JSON Schema, is an input error (exit 2) with its file:line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, problem
from ..errors import SfncError
from ..load import load_json_file
from ..load.pointer import escape_token
from ..project import INPUT_SCHEMA_SUFFIX as SUFFIX
from ..project import Project


@dataclass(frozen=True)
class InputSchema:
    schema: Any          # the JSON Schema document
    display: str         # its path as users see it

    def errors(self, value: Any) -> list[tuple[str, str]]:
        """(JSON pointer into `value`, message) of every way `value` violates the schema, in document order."""
        out = []
        for err in sorted(_validator(self).iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path]):
            pointer = "".join("/" + escape_token(p) for p in err.absolute_path)
            out.append((pointer, err.message))
        return out


_VALIDATORS: dict[int, Any] = {}


def _validator(s: InputSchema):
    hit = _VALIDATORS.get(id(s))
    if hit is None or hit[0] is not s:
        import jsonschema  # deferred: only projects with an input schema need it

        cls = jsonschema.validators.validator_for(s.schema, default=jsonschema.Draft202012Validator)
        hit = _VALIDATORS[id(s)] = (s, cls(s.schema))
    return hit[1]


def load_input_schema(path: Path, display: str | None = None) -> InputSchema:
    """Read and check a JSON Schema file (SfncError, located, when it is not JSON or not a valid schema)."""
    import jsonschema

    display = display or str(path)
    doc = load_json_file(path, display)
    schema = doc.data
    if not isinstance(schema, (dict, bool)):
        raise SfncError("an input schema must be a JSON Schema object", file=display, line=1, column=1)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        pointer = "".join("/" + escape_token(p) for p in exc.path)
        pos = doc.locate(pointer)
        raise SfncError(f"not a valid JSON Schema: {exc.message}", file=display, line=pos.line,
                        column=pos.column) from None
    return InputSchema(schema, display)


def schema_path(project: Project, template: str) -> Path:
    """Where a template's input schema lives: `templates/<name>.input.schema.json`."""
    return project.templates_dir / f"{template}{SUFFIX}"


def template_input_schema(project: Project, template: str) -> InputSchema | None:
    """The template's input schema, or None when the project gives none."""
    path = schema_path(project, template)
    if not path.is_file():
        return None
    return load_input_schema(path, project.display(path))


def scenario_input_problems(schema: InputSchema, value: Any, scenario: Path, display: str) -> list[Diagnostic]:
    """A scenario's `input` checked against the template's input schema: one located problem per violation
    (pointing at the offending value in the scenario file)."""
    errs = schema.errors(value)
    if not errs:
        return []
    from ..load import load_yaml_file

    try:
        doc = load_json_file(scenario, display) if scenario.suffix == ".json" else load_yaml_file(scenario, display)
    except SfncError:  # pragma: no cover - the scenario loaded a moment ago
        doc = None
    out = []
    for pointer, message in errs:
        pos = doc.locate("/input" + pointer) if doc is not None else None
        where = f"input{pointer.replace('/', '.')}" if pointer else "input"
        out.append(problem(f"{where} does not match {schema.display}: {message}", display,
                           pos.line if pos else None, pos.column if pos else None, pointer="/input" + pointer,
                           hint="fix the scenario's input, or the schema if the state machine accepts it"))
    return out
