"""A Task's `Resource` as a service integration: `arn:<partition>:states:::<service>:<action>` (optimized) or
`arn:<partition>:states:::aws-sdk:<service>:<action>` (SDK), with its integration pattern suffix (`.sync`,
`.sync:2`, `.waitForTaskToken`). Lambda function and activity ARNs are not service integrations.

Sources: https://docs.aws.amazon.com/step-functions/latest/dg/integrate-services.html,
https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html (integration patterns).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

_RESOURCE = re.compile(r"^arn:(?:\$\{[^}]*\}|[^:]+):states:::(?P<body>[A-Za-z0-9_:\-]+?)"
                       r"(?P<suffix>\.sync(?::2)?|\.waitForTaskToken)?$")


class Resource(NamedTuple):
    form: str            # "aws-sdk:sagemaker:startPipelineExecution", "dynamodb:putItem" (no suffix)
    suffix: str          # "", ".sync", ".sync:2", ".waitForTaskToken"
    sdk: bool            # an `aws-sdk:` integration
    service: str         # "sagemaker", "dynamodb"
    action: str          # "startPipelineExecution", "putItem"

    @property
    def key(self) -> str:
        return self.form.lower()


def parse_resource(value: Any) -> Resource | None:
    """A service-integration Resource (`arn:<partition>:states:::...`), or None (Lambda/activity ARNs,
    placeholders, anything else)."""
    if not isinstance(value, str):
        return None
    return _parse_resource(value)


@lru_cache(maxsize=4096)   # a definition names a few integrations; a dozen rules parse each Task's Resource
def _parse_resource(value: str) -> Resource | None:
    m = _RESOURCE.match(value.strip())
    if not m:
        return None
    body = m.group("body")
    parts = body.split(":")
    sdk = parts[0] == "aws-sdk"
    if sdk:
        if len(parts) != 3:
            return None
        service, action = parts[1], parts[2]
    else:
        if len(parts) != 2:
            return None
        service, action = parts
    return Resource(body, m.group("suffix") or "", sdk, service, action)


def task_resource(state) -> Resource | None:
    if state.type != "Task":
        return None
    return parse_resource(state.get("Resource"))
