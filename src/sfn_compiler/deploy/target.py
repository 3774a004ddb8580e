"""What to deploy: a `Target` (one state machine) and the `MachineConfig` wanted for it.

A target is plain data: the env name, the template stem, the machine name, the merged `aws` settings for
that template (`EnvConfig.machine_settings(stem)`) and the exact JSON text to send. Nothing here knows
about templates or files.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

NAME_RE = re.compile(r"^[0-9A-Za-z_-]*$")   # the characters; the length is the API model's (limits.py)
DEFAULT_VERSION_DESCRIPTION = "sfnc deploy {env} {commit}"


@dataclass(frozen=True)
class AliasSpec:
    name: str
    description: str | None = None
    new_version_weight: int | None = None   # None or 100: all traffic on the new version

    @property
    def canary(self) -> bool:
        return self.new_version_weight is not None and self.new_version_weight < 100


@dataclass(frozen=True)
class MachineConfig:
    """The desired configuration, in the API's shapes (role, type, logging, tracing, tags...)."""

    role_arn: str | None
    type: str = "STANDARD"
    logging: dict[str, Any] = field(default_factory=lambda: {"level": "OFF", "includeExecutionData": False})
    tracing: bool = False
    tags: dict[str, str] | None = None      # None: tags are not managed (left as they are)
    publish: bool = False
    version_description: str = DEFAULT_VERSION_DESCRIPTION
    alias: AliasSpec | None = None

    def comparable(self) -> dict[str, Any]:
        """The part compared with a deployed machine (role, logging, tracing)."""
        return {"roleArn": self.role_arn, "loggingConfiguration": normalize_logging(self.logging),
                "tracingConfiguration": {"enabled": bool(self.tracing)}}


@dataclass(frozen=True)
class Target:
    env: str
    template: str                 # template stem: "orders"
    name: str                     # state machine name: "sfnc-local-orders"
    definition: str               # the exact JSON text that is sent
    settings: dict[str, Any]      # merged aws settings for this template
    source: str | None = None     # where the definition came from (for messages): definitions/local/orders.json

    @property
    def config(self) -> MachineConfig:
        return machine_config(self.settings)

    def version_description(self, commit: str) -> str:
        text = self.config.version_description.replace("{commit}", commit).replace("{env}", self.env)
        return text[:256]


def machine_name(stem: str, settings: dict[str, Any]) -> str:
    explicit = settings.get("name")
    if explicit:
        return str(explicit)
    return f"{settings.get('name_prefix', '')}{stem}{settings.get('name_suffix', '')}"


def _tag_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def machine_config(settings: dict[str, Any]) -> MachineConfig:
    logging = settings.get("logging") or {}
    log_group = logging.get("log_group_arn")
    level = logging.get("level", "ALL" if log_group else "OFF")
    api_logging: dict[str, Any] = {"level": level,
                                   "includeExecutionData": bool(logging.get("include_execution_data", False))}
    if log_group:
        api_logging["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": log_group}}]
    tags = settings.get("tags")
    alias = settings.get("alias")
    spec = None
    if isinstance(alias, str):
        spec = AliasSpec(alias)
    elif isinstance(alias, dict) and alias.get("name"):
        spec = AliasSpec(alias["name"], alias.get("description"), alias.get("new_version_weight"))
    return MachineConfig(
        role_arn=settings.get("role_arn"),
        type=settings.get("type") or "STANDARD",
        logging=api_logging,
        tracing=bool(settings.get("tracing", False)),
        tags=None if tags is None else {str(k): _tag_value(v) for k, v in tags.items()},
        publish=bool(settings.get("publish", False)),
        version_description=settings.get("version_description") or DEFAULT_VERSION_DESCRIPTION,
        alias=spec,
    )


@dataclass(frozen=True)
class SettingsProblem:
    """A setting that makes a machine undeployable. `key` is where in the aws settings it comes from
    (`("tags", "team")`), for the env file's line; () for the template itself (the machine name's stem)."""

    message: str
    hint: str | None = None
    key: tuple[str, ...] = ()


def name_key(settings: dict[str, Any]) -> tuple[str, ...]:
    """The setting that makes the machine name: the explicit name, else the prefix or suffix, else none."""
    for key in ("name", "name_prefix", "name_suffix"):
        if settings.get(key):
            return (key,)
    return ()


def settings_problems(stem: str, name: str, settings: dict[str, Any]) -> list[SettingsProblem]:
    """Configuration mistakes that make a machine undeployable, AWS's limits included (`limits`)."""
    from .limits import limit_problems

    out: list[SettingsProblem] = []
    if not NAME_RE.match(name):
        out.append(SettingsProblem(f"machine name {name!r} (template {stem!r}) is not a valid state machine name",
                                   f"names are 1-80 of A-Z a-z 0-9 _ -; set aws.templates.{stem}.name or rename "
                                   "the template", name_key(settings)))
    if not settings.get("role_arn"):
        out.append(SettingsProblem(f"no role for {name!r}: aws.role_arn is not set",
                                   f"set aws.role_arn (or aws.templates.{stem}.role_arn) to the execution role's ARN"))
    cfg = machine_config(settings)
    if cfg.alias is not None and not cfg.publish:
        out.append(SettingsProblem(f"{name!r}: an alias points at versions, so aws.alias needs aws.publish: true",
                                   f"set aws.publish: true (or aws.templates.{stem}.publish), or remove the alias",
                                   ("alias",)))
    if cfg.logging["level"] != "OFF" and "destinations" not in cfg.logging:
        out.append(SettingsProblem(f"{name!r}: logging level {cfg.logging['level']} needs logging.log_group_arn",
                                   "set aws.logging.log_group_arn to arn:aws:logs:<region>:<account>:log-group:<name>:*",
                                   ("logging",)))
    return out + limit_problems(stem, name, settings, name_key(settings))


def normalize_logging(cfg: dict[str, Any] | None) -> dict[str, Any]:
    cfg = cfg or {}
    groups = sorted(
        d.get("cloudWatchLogsLogGroup", {}).get("logGroupArn", "") for d in cfg.get("destinations") or [])
    out: dict[str, Any] = {"level": cfg.get("level") or "OFF",
                           "includeExecutionData": bool(cfg.get("includeExecutionData", False))}
    if groups:
        out["destinations"] = groups
    return out


def is_loopback(endpoint_url: str | None) -> bool:
    """True for http(s)://localhost / 127.0.0.0/8 / [::1] endpoints: a local emulator, never AWS."""
    if not endpoint_url:
        return False
    host = (urlsplit(endpoint_url).hostname or "").lower()
    if host in ("localhost", "ip6-localhost") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def machine_arn(name: str, account_id: str, region: str) -> str:
    return f"arn:{partition_of(region)}:states:{region}:{account_id}:stateMachine:{name}"
