"""Deploy: rendered JSON text + env settings -> Step Functions state machines.

The pieces talk through a narrow interface and never see templates:

- `target.Target`: one machine to deploy (env, template stem, machine name, settings, definition text),
  and `target.MachineConfig`, the desired role/type/logging/tracing/tags/publish/alias read from settings.
- `collect.collect_targets`: the only module that touches the project: renders and validates through
  `pipeline` (the same functions `sfnc validate` uses), refuses stale committed definitions, and turns
  each template into a `Target`.
- `client.SfnClient`: a thin wrapper over the boto3 `stepfunctions` and `sts` clients (injected, so tests
  point it at a moto server); turns AWS errors into `AwsError` with a hint.
- `plan.make_plan`: describe -> `Plan` (create | update | unchanged) with definition and config diffs.
- `apply.apply_plan`: execute one plan (with the concurrent-change check) -> `results.Result`.
- `results.summary_table`: the created / updated / unchanged / failed table.

boto3 is imported only inside `client.SfnClient.connect`, so importing this package is cheap.
"""

from .target import AliasSpec, MachineConfig, Target

__all__ = ["AliasSpec", "MachineConfig", "Target"]
