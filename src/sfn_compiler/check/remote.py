"""`sfnc validate --remote`: AWS ValidateStateMachineDefinition, merged as SFN008 diagnostics.

AWS says to rely only on `result` (OK/FAIL), not on codes or wording, so every AWS diagnostic maps to
one rule with the AWS code in the message. Locations are JSON pointers (`/States/X/Next`), located in
the rendered file like any finding."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostic
from ..errors import SfncError
from ..load import JsonDocument
from .base import Finding, Severity
from .config import CheckConfig
from .rules.document import AwsValidation
from .runner import _Collector


def region_hint(env_file: str | None = None, option: str | None = None) -> str:
    """How to give sfnc an AWS region, where it looks for one: the env file's `aws.region` (or a command's
    option), then the environment and the AWS profile (boto3's chain)."""
    first = f"set aws.region in {env_file}" if env_file else (f"pass {option}" if option else None)
    # boto3 reads AWS_DEFAULT_REGION; it does not read AWS_REGION (botocore's configprovider)
    rest = "export AWS_DEFAULT_REGION=<region>, or set region in the AWS profile in use"
    return f"{first}, or {rest}" if first else rest


def make_client(aws: dict[str, Any] | None = None, *, env: str | None = None, env_file: str | None = None):
    """A Step Functions client for `--remote` (the env's aws settings, or boto3's defaults for PATHs).
    No region, or a profile that does not exist, is an SfncError (exit 2) that says what to set."""
    import boto3  # deferred: only --remote needs it
    from botocore.config import Config
    from botocore.exceptions import NoRegionError, ProfileNotFound

    aws = aws or {}
    where = f" for env {env}" if env else ""
    try:
        session = boto3.session.Session(profile_name=aws.get("profile"), region_name=aws.get("region"))
        return session.client("stepfunctions", endpoint_url=aws.get("endpoint_url"),
                              config=Config(retries={"max_attempts": 5, "mode": "standard"}))
    except NoRegionError:
        raise SfncError(f"--remote needs an AWS region and none is set{where}", file=env_file,
                        hint=region_hint(env_file)) from None
    except ProfileNotFound:
        raise SfncError(f"--remote: the AWS profile {aws.get('profile')!r}{where} does not exist", file=env_file,
                        hint="fix aws.profile, or configure it with `aws configure --profile`") from None


def remote_diagnostics(client, doc: JsonDocument, config: CheckConfig, *, machine_type: str = "STANDARD",
                       source_map=None, env: str | None = None, resource: str | None = None) -> list[Diagnostic]:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        resp = client.validate_state_machine_definition(definition=doc.text, type=machine_type, severity="WARNING",
                                                        maxResults=100)
    except NoCredentialsError:
        raise SfncError("--remote needs AWS credentials", hint="configure a profile (aws.profile in the env file) "
                                                               "or AWS_* environment variables") from None
    except ClientError as exc:
        err = exc.response.get("Error", {})
        raise SfncError(f"AWS ValidateStateMachineDefinition failed: {err.get('Code')}: {err.get('Message')}",
                        file=doc.filename) from None
    except BotoCoreError as exc:
        raise SfncError(f"AWS ValidateStateMachineDefinition failed: {exc}", file=doc.filename) from None
    col = _Collector(doc, config, source_map=source_map, env=env, resource=resource)
    for item in resp.get("diagnostics", []):
        location = item.get("location") or ""
        pointer = location if location.startswith("/") else ""
        sev = Severity.ERROR if item.get("severity") == "ERROR" else Severity.WARNING
        col.add(AwsValidation, Finding(pointer, f"AWS {item.get('code', '?')}: {item.get('message', '')}", severity=sev))
    if resp.get("result") == "FAIL" and not any(d.severity == "error" for d in col.diagnostics):
        col.add(AwsValidation, Finding("", "AWS ValidateStateMachineDefinition returned FAIL", severity=Severity.ERROR))
    if resp.get("truncated"):
        col.add(AwsValidation, Finding("", "AWS truncated its diagnostics list", severity=Severity.INFO))
    return col.diagnostics
