"""The pipeline: render -> load -> check (-> report, deploy, simulate) for a project, shared by the CLI and
deploy. Each CLI command parses its options, calls one function here and reports what it returns; deploy
calls the same functions, so "render every template of an env" and "validate what was rendered" have one
home.

- `rendering`: `render_env` (one env's templates), `render_project` (`sfnc render`), `select_envs`.
- `validation`: `validate` (`sfnc validate`: files or templates x envs, remote, cross-env merge, summary,
  exit policy), `check_env` (render + validate one env; deploy uses it).
- `scenarios`: `run_scenarios` (`sfnc test`: render, run each scenario, coverage).
- `docs`: `workflow_docs` (`sfnc graph --docs`), `diagram_source` (`sfnc graph NAME`).
"""

from .rendering import EnvOutcome, EnvRender, render_env, render_project, select_envs
from .validation import EnvCheck, ValidateOptions, ValidateRun, check_env, check_rendered, merge_envs, validate

__all__ = ["EnvCheck", "EnvOutcome", "EnvRender", "ValidateOptions", "ValidateRun", "check_env", "check_rendered", "merge_envs",
           "render_env", "render_project", "select_envs", "validate"]
