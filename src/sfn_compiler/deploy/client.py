"""A thin wrapper over the boto3 `stepfunctions` and `sts` clients.

`SfnClient(sfn, sts)` takes ready-made boto3 clients (tests build them against a moto server);
`SfnClient.connect(settings)` builds them from an env's `aws` settings. For a loopback `endpoint_url`
(a local emulator) it uses dummy static credentials, so a new user needs no AWS account for the local
env; for anything else the normal credential chain (or `aws.profile`) applies.

Every call is recorded by operation name in `calls` (a botocore `before-call` hook), and every
`ClientError` becomes an `AwsError` that names the operation and, where the fix is obvious, says it.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .target import is_loopback, machine_arn

READ_PREFIXES = ("Describe", "List", "Get", "Validate")
# errors about the endpoint or the credentials, not one machine: they stop the whole deploy (exit 2)
ENV_WIDE_CODES = frozenset({"EndpointConnectionError", "NoCredentials", "UnrecognizedClientException",
                            "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                            "InvalidSignatureException", "SignatureDoesNotMatch", "ConnectTimeoutError",
                            "ReadTimeoutError"})
LOCAL_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
LOCAL_HINT = ("is the local endpoint running? start one with "
              "`.venv/bin/moto_server -H 127.0.0.1 -p <port>` (or `make demo`)")


class AwsError(Exception):
    """An AWS call failed. `code` is the AWS error code; `hint` the next step when it is obvious."""

    def __init__(self, message: str, *, code: str | None = None, operation: str | None = None,
                 hint: str | None = None, unsupported: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.operation = operation
        self.hint = hint
        self.unsupported = unsupported   # a local emulator that does not implement the operation (HTTP 500 page)

    def __str__(self) -> str:
        return self.message

    @property
    def env_wide(self) -> bool:
        return self.code in ENV_WIDE_CODES


def aws_session(settings: dict[str, Any], *, local: bool | None = None):
    """A boto3 session and client config for an env's aws settings (region, profile; dummy credentials and
    short timeouts for a loopback endpoint_url). Raises AwsError for a missing profile or region."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ProfileNotFound

    if local is None:
        local = is_loopback(settings.get("endpoint_url"))
    region = settings.get("region")
    if local:
        session = boto3.session.Session(region_name=region or "us-east-1", **LOCAL_CREDENTIALS)
    else:
        try:
            session = boto3.session.Session(profile_name=settings.get("profile"), region_name=region)
        except ProfileNotFound as exc:
            raise AwsError(f"AWS profile {settings.get('profile')!r} not found", code="ProfileNotFound",
                           hint=f"{exc}; fix aws.profile or configure it with `aws configure --profile`") from None
        if not session.region_name:
            from ..check.remote import region_hint

            raise AwsError("no AWS region", code="NoRegion", hint=region_hint("the env file"))
    config = Config(retries={"mode": "standard", "total_max_attempts": 1 if local else 5},
                    connect_timeout=2 if local else 10, read_timeout=30 if local else 60, user_agent_extra="sfnc")
    return session, config


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def is_assume_failure(message: str) -> bool:
    """AccessDenied because Step Functions could not assume the execution role (a missing role, a wrong
    trust policy, or IAM still propagating a new role), not because the caller lacks a permission."""
    lower = message.lower()
    return "not authorized to perform" not in lower and "assume" in lower and "role" in lower


def _hint_for(code: str, message: str, operation: str, role_arn: str | None) -> str | None:
    lower = message.lower()
    if code in ("AccessDeniedException", "AccessDenied"):
        if "iam:passrole" in lower:
            return (f"the credentials in use may not pass {role_arn or 'the role'} to Step Functions: "
                    "grant them iam:PassRole on it")
        if is_assume_failure(message):
            return (f"Step Functions cannot assume {role_arn or 'the role'}: check that the role exists and that "
                    "its trust policy allows the service principal states.amazonaws.com")
        return (f"the credentials in use may not call states:{operation}; grant it in their IAM policy, "
                "or switch credentials (aws.profile / AWS_PROFILE)")
    if code == "InvalidArn":
        if "role" in lower:
            return ("aws.role_arn must be an IAM role ARN of this region's partition: "
                    "arn:aws:iam::<12-digit account>:role/<name> in the commercial regions")
        return "check aws.account_id and aws.region: the state machine ARN is built from them"
    if code == "StateMachineDeleting":
        return "the machine is being deleted; wait until the deletion finishes (usually under a minute) and re-run"
    if code == "StateMachineDoesNotExist":
        return "it was deleted after the plan was made; re-run `sfnc deploy` to create it"
    if code == "InvalidDefinition":
        return "AWS rejected the definition; run `sfnc validate` on it and fix what it reports"
    if code == "InvalidLoggingConfiguration":
        return ("check aws.logging.log_group_arn (it must end in ':*') and that the role may deliver logs "
                "(logs:CreateLogDelivery and friends)")
    if code == "InvalidTracingConfiguration":
        return "check aws.tracing"
    if code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                "InvalidSignatureException", "SignatureDoesNotMatch"):
        return "the AWS credentials are invalid or expired; refresh them (e.g. `aws sso login --profile <name>`)"
    if code in ("StateMachineLimitExceeded", "ServiceQuotaExceededException"):
        return "a Step Functions quota is reached (e.g. 1000 versions per machine: delete old versions)"
    if code == "ConflictException":
        return "someone changed the machine at the same time; re-run `sfnc deploy` to see the new diff"
    if code == "StateMachineTypeNotSupported":
        return "versions and aliases need a STANDARD machine, or check aws.type"
    if code in ("ThrottlingException", "TooManyRequestsException"):
        return "AWS throttled the calls; re-run in a moment"
    if code == "ResourceNotFound" and "alias" in lower:
        return "the alias was deleted after the plan was made; re-run `sfnc deploy`"
    return None


class SfnClient:
    def __init__(self, sfn: Any, sts: Any = None, *, local: bool = False, endpoint_url: str | None = None,
                 region: str | None = None, retry_delays: tuple[float, ...] = (2.0, 5.0, 10.0),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.sfn = sfn
        self.sts = sts
        self.local = local
        self.endpoint_url = endpoint_url
        self.region = region or getattr(getattr(sfn, "meta", None), "region_name", None)
        self.retry_delays = retry_delays
        self.sleep = sleep
        self.calls: list[str] = []
        for client in (sfn, sts):
            meta = getattr(client, "meta", None)
            if meta is not None and hasattr(meta, "events"):
                meta.events.register("before-call.*.*", self._record)

    def _record(self, model: Any = None, **_: Any) -> None:
        if model is not None:
            self.calls.append(model.name)

    @property
    def writes(self) -> list[str]:
        """The mutating calls made so far (anything but Describe/List/Get/Validate)."""
        return [c for c in self.calls if not c.startswith(READ_PREFIXES)]

    # --- construction -----------------------------------------------------------------------------------

    @classmethod
    def connect(cls, settings: dict[str, Any], *, local: bool | None = None) -> "SfnClient":
        """Build the clients for an env's aws settings (endpoint_url, region, profile)."""
        endpoint = settings.get("endpoint_url")
        if local is None:
            local = is_loopback(endpoint)
        session, config = aws_session(settings, local=local)
        sfn = session.client("stepfunctions", endpoint_url=endpoint, config=config)
        # a loopback emulator serves STS on the same port; a real (VPC) states endpoint does not
        sts = session.client("sts", endpoint_url=endpoint if local else None, config=config)
        return cls(sfn, sts, local=local, endpoint_url=endpoint, region=session.region_name)

    # --- error handling ---------------------------------------------------------------------------------

    def _call(self, operation: str, fn: Callable[..., Any], *, role_arn: str | None = None,
              retry: tuple[str, ...] = (), **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import (BotoCoreError, ClientError, EndpointConnectionError,
                                         NoCredentialsError, PartialCredentialsError)

        delays = list(self.retry_delays) if retry else []
        while True:
            try:
                return _strip(fn(**kwargs))
            except ClientError as exc:
                err = exc.response.get("Error", {})
                code = str(err.get("Code") or "")
                message = str(err.get("Message") or exc)
                status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                retryable = code in retry and (code != "AccessDeniedException" or is_assume_failure(message))
                if delays and retryable:  # IAM propagation of a fresh role; a machine still being deleted
                    self.sleep(delays.pop(0))
                    continue
                unsupported = False
                if status == 500 and message.lstrip().startswith("<"):
                    message = "HTTP 500 from the endpoint"
                    unsupported = self.local
                    hint = (f"the local emulator does not implement {operation}" if self.local else
                            "AWS had an internal error; re-run in a moment")
                else:
                    hint = _hint_for(code, message, operation, role_arn)
                raise AwsError(f"{operation}: {code + ': ' if code else ''}{message}", code=code,
                               operation=operation, hint=hint, unsupported=unsupported) from None
            except NoCredentialsError:
                raise AwsError(f"{operation}: no AWS credentials found", code="NoCredentials",
                               operation=operation,
                               hint="set aws.profile in the env file, export AWS_PROFILE, or log in "
                                    "(`aws sso login`); the local env needs none") from None
            except PartialCredentialsError as exc:
                raise AwsError(f"{operation}: incomplete AWS credentials ({exc})", code="NoCredentials",
                               operation=operation, hint="check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY") from None
            except EndpointConnectionError as exc:
                raise AwsError(f"{operation}: cannot reach {self.endpoint_url or 'AWS'}: {exc}",
                               code="EndpointConnectionError", operation=operation,
                               hint=LOCAL_HINT if self.local else "check the network and aws.endpoint_url / aws.region"
                               ) from None
            except BotoCoreError as exc:
                raise AwsError(f"{operation}: {exc}", code=type(exc).__name__, operation=operation,
                               hint=LOCAL_HINT if self.local else None) from None

    # --- reads ------------------------------------------------------------------------------------------

    def caller_account(self) -> str:
        if self.sts is None:
            raise AwsError("no STS client to check the account with", code="NoSts")
        return self._call("GetCallerIdentity", self.sts.get_caller_identity)["Account"]

    def machine_arn(self, name: str, account_id: str | None) -> str | None:
        """The ARN for `name`: built from account and region when the account is known, else found by a
        paginated ListStateMachines (None when no machine has that name)."""
        if account_id and self.region:
            return machine_arn(name, account_id, self.region)
        return self.find_machine_arn(name)

    def find_machine_arn(self, name: str) -> str | None:
        def scan() -> dict[str, Any]:
            for page in self.sfn.get_paginator("list_state_machines").paginate():
                for m in page.get("stateMachines", []):
                    if m.get("name") == name:
                        return {"arn": m["stateMachineArn"]}
            return {"arn": None}

        return self._call("ListStateMachines", scan)["arn"]

    def describe(self, arn: str) -> dict[str, Any] | None:
        """DescribeStateMachine; None when the machine does not exist."""
        try:
            return self._call("DescribeStateMachine", self.sfn.describe_state_machine, stateMachineArn=arn)
        except AwsError as exc:
            if exc.code == "StateMachineDoesNotExist":
                return None
            raise

    def describe_alias(self, alias_arn: str) -> dict[str, Any] | None:
        try:
            return self._call("DescribeStateMachineAlias", self.sfn.describe_state_machine_alias,
                              stateMachineAliasArn=alias_arn)
        except AwsError as exc:
            if exc.code in ("ResourceNotFound", "ResourceNotFoundException"):
                return None
            raise

    def latest_version(self, arn: str) -> dict[str, Any] | None:
        """The newest published version of the machine (`stateMachineVersionArn`, `creationDate`), None when it
        has none: one ListStateMachineVersions call (AWS sorts the versions newest first)."""
        resp = self._call("ListStateMachineVersions", self.sfn.list_state_machine_versions, stateMachineArn=arn,
                          maxResults=1)
        versions = resp.get("stateMachineVersions") or []
        return versions[0] if versions else None

    def tags(self, arn: str) -> dict[str, str]:
        resp = self._call("ListTagsForResource", self.sfn.list_tags_for_resource, resourceArn=arn)
        return {t["key"]: t["value"] for t in resp.get("tags", [])}

    # --- writes -----------------------------------------------------------------------------------------

    def create(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("CreateStateMachine", self.sfn.create_state_machine, role_arn=kwargs.get("roleArn"),
                          retry=("StateMachineDeleting", "AccessDeniedException"), **kwargs)

    def update(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("UpdateStateMachine", self.sfn.update_state_machine, role_arn=kwargs.get("roleArn"),
                          retry=("AccessDeniedException",), **kwargs)

    def publish_version(self, arn: str, *, revision_id: str, description: str | None = None) -> dict[str, Any]:
        """PublishStateMachineVersion of the revision `revision_id` (`INITIAL` for a machine never updated
        since its creation): AWS refuses with ConflictException when the machine's current revision is another
        one, so what is published is what was compared, never a later edit. Idempotent on AWS: a revision
        already published returns its version."""
        kwargs: dict[str, Any] = {"stateMachineArn": arn, "revisionId": revision_id}
        if description:
            kwargs["description"] = description
        return self._call("PublishStateMachineVersion", self.sfn.publish_state_machine_version, **kwargs)

    def create_alias(self, name: str, routing: list[dict[str, Any]], description: str | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"name": name, "routingConfiguration": routing}
        if description is not None:
            kwargs["description"] = description
        return self._call("CreateStateMachineAlias", self.sfn.create_state_machine_alias, **kwargs)

    def update_alias(self, alias_arn: str, routing: list[dict[str, Any]] | None = None,
                     description: str | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"stateMachineAliasArn": alias_arn}
        if routing is not None:
            kwargs["routingConfiguration"] = routing
        if description is not None:
            kwargs["description"] = description
        return self._call("UpdateStateMachineAlias", self.sfn.update_state_machine_alias, **kwargs)

    def tag(self, arn: str, tags: dict[str, str]) -> None:
        self._call("TagResource", self.sfn.tag_resource, resourceArn=arn,
                   tags=[{"key": k, "value": v} for k, v in sorted(tags.items())])

    def untag(self, arn: str, keys: list[str]) -> None:
        self._call("UntagResource", self.sfn.untag_resource, resourceArn=arn, tagKeys=sorted(keys))


def account_guard(client: SfnClient, expected: str | None) -> str | None:
    """Check that the credentials belong to the env's `account_id` (STS GetCallerIdentity) before anything
    is described or changed. Skipped for a local (loopback) endpoint. Returns the account checked."""
    if client.local:
        return None
    actual = client.caller_account()
    if expected and actual != expected:
        raise AwsError(f"the AWS credentials are for account {actual}, but the env pins account_id {expected}",
                       code="AccountMismatch", operation="GetCallerIdentity",
                       hint="switch credentials (aws.profile in the env file, or AWS_PROFILE) to the env's account; "
                            "nothing was changed")
    return actual
