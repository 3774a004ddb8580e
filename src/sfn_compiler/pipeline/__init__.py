"""The pipeline: render -> load -> check (-> report, deploy, simulate) for a project, shared by the CLI and
deploy. Each CLI command parses its options, calls one function here and reports what it returns; deploy
calls the same functions, so "render every template of an env" and "validate what was rendered" have one
home.

- `rendering`: `render_env` (one env's templates), `render_project` (`sfnc render`), `select_envs`.
- `validation`: `validate` (`sfnc validate`: files or templates x envs, remote, cross-env merge, summary,
  exit policy), `check_env` / `check_rendered` (render + validate; deploy uses them).
- `sources`: `validate_paths` (`sfnc validate PATH...`: ASL files, CloudFormation/SAM/CDK templates and
  Terraform files, found by `load.discover`, read by the readers in `load/`).
- `scenarios`: `run_scenarios` (`sfnc test`: render, run each scenario, coverage).
- `simulation`: `run_file` (`sfnc run`: one definition, refused first when AWS would refuse it at creation),
  `refused_at_creation`.
- `docs`: `workflow_docs` (`sfnc graph --docs`), `diagram_source` (`sfnc graph NAME`).

The names below load their module on first use, so a command pays only for the stages it runs.
"""

from __future__ import annotations

from ..lazy import exports

_HOMES = {
    "EnvOutcome": "rendering", "EnvRender": "rendering", "render_env": "rendering", "render_project": "rendering",
    "select_envs": "rendering", "EnvCheck": "validation", "ValidateOptions": "validation",
    "ValidateRun": "validation", "check_env": "validation", "check_rendered": "validation",
    "merge_envs": "validation", "validate": "validation", "run_file": "simulation",
    "refused_at_creation": "simulation",
}
__all__ = sorted(_HOMES)


__getattr__ = exports(__name__, _HOMES)
