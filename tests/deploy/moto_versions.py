"""A moto server with what moto 5.2 lacks for deploy's concurrency and convergence tests: revision ids,
`PublishStateMachineVersion` and `ListStateMachineVersions` (moto answers both with HTTP 500).

Run as a script (`python tests/deploy/moto_versions.py -H 127.0.0.1 -p PORT`): it patches moto's Step
Functions backend in this process, then starts moto's own server. What it adds follows the API reference
(botocore's model documentation of the operations):

- a machine has no `revisionId` until its first `UpdateStateMachine`; each update gives a new one, shown by
  `DescribeStateMachine` and returned by `UpdateStateMachine`; a version keeps the revision it was published
  from;
- `PublishStateMachineVersion(revisionId=...)` refuses with `ConflictException` when the machine's current
  revision is another one (`INITIAL` stands for "no update since creation"), and is idempotent: a revision
  already published returns its version instead of a new one;
- `ListStateMachineVersions` lists versions newest first (`maxResults`, `nextToken`).

Nothing else of moto changes; the plain moto server stays the default for the other deploy tests.
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

INITIAL = "INITIAL"


def patch() -> None:
    from moto.core.exceptions import AWSError
    from moto.core.responses import ActionResult
    from moto.stepfunctions import models, responses

    class ConflictException(AWSError):
        TYPE = "ConflictException"
        STATUS = 409

    machine_update = models.StateMachine.update
    machine_publish = models.StateMachine.publish
    describe_response = responses.StepFunctionResponse._describe_state_machine
    update_response = responses.StepFunctionResponse.update_state_machine

    def update(self: Any, **kwargs: Any) -> None:
        machine_update(self, **kwargs)
        self.revision_id = str(uuid.uuid4())

    def publish(self: Any, description: str | None) -> None:
        machine_publish(self, description)
        self.latest_version.revision_id = getattr(self, "revision_id", None)

    def _describe_state_machine(self: Any, arn: str) -> Any:
        result = describe_response(self, arn)
        revision = getattr(self.stepfunction_backend.describe_state_machine(arn), "revision_id", None)
        if revision:
            result.result["revisionId"] = revision
        return result

    def update_state_machine(self: Any) -> Any:
        result = update_response(self)
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        result.result["revisionId"] = machine.revision_id
        return result

    def publish_state_machine_version(self: Any) -> Any:
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        current = getattr(machine, "revision_id", None)
        wanted = self._get_param("revisionId")
        if wanted is not None and wanted != (current or INITIAL):
            raise ConflictException(f"revision {wanted} is not the current revision of the state machine")
        version = next((v for v in machine.versions.values() if getattr(v, "revision_id", None) == current), None)
        if version is None:
            machine.publish(self._get_param("description"))
            version = machine.latest_version
        return ActionResult({"creationDate": version.creation_date, "stateMachineVersionArn": version.arn})

    def list_state_machine_versions(self: Any) -> Any:
        machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
        newest_first = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
        start = int(self._get_param("nextToken") or 0)
        size = int(self._get_param("maxResults") or 0) or 100
        page = newest_first[start:start + size]
        out: dict[str, Any] = {"stateMachineVersions": [
            {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page]}
        if start + size < len(newest_first):
            out["nextToken"] = str(start + size)
        return ActionResult(out)

    models.StateMachine.update = update
    models.StateMachine.publish = publish
    responses.StepFunctionResponse._describe_state_machine = _describe_state_machine
    responses.StepFunctionResponse.update_state_machine = update_state_machine
    responses.StepFunctionResponse.publish_state_machine_version = publish_state_machine_version
    responses.StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


if __name__ == "__main__":
    patch()
    from moto.server import main

    main(sys.argv[1:])
