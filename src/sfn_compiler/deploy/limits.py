"""What AWS refuses in a machine's deploy settings, found before any call.

The limits are read from botocore's Step Functions model, their one home: the min/max length, pattern and
enum of each request member sfnc fills from the settings (`CreateStateMachine` name, role, type, logging;
`TagResource` tag keys and values; `CreateStateMachineAlias` name and description). Two rules the model
states only in words, and one quota it does not state, are added here with their source:

- tags "may only contain Unicode letters, digits, white space, or these symbols: _ . : / = + - @" (the
  model's documentation of `TagResource.tags`), and keys starting with `aws:` are reserved for AWS (AWS
  tagging rules; sfnc never removes them either);
- at most 50 tags per resource (Step Functions quotas: "Maximum number of tags per resource").

Each problem names the settings key it comes from (`("tags", "team")`), so the caller can point at the
line of the env file that set it. The settings are the merged and resolved ones (`${...}` substituted), so
a value that only becomes too long through a placeholder is caught as well.
"""

from __future__ import annotations

import re
from typing import Any

from ..shapes.aws_models import Constraints, api_operation
from .target import SettingsProblem, machine_config

MAX_TAGS = 50
TAG_TEXT = re.compile(r"[\w\s.:/=+\-@]*")   # \w: Unicode letters and digits, and _
SERVICE = "stepfunctions"


def constraints(operation: str, *path: str) -> Constraints | None:
    """The model's constraints on a request member (`constraints("CreateStateMachine", "name")`)."""
    op = api_operation(SERVICE, operation)
    return op.constraints(tuple(path)) if op is not None else None


def violation(value: Any, c: Constraints | None) -> str | None:
    """How a string breaks the model's constraints (None when it does not, or the model says nothing)."""
    if c is None or not isinstance(value, str):
        return None
    if c.enum and value not in c.enum:
        return f"is {value!r}, not one of {', '.join(c.enum)}"
    n = len(value)
    if c.min is not None and n < c.min:
        return "is empty" if n == 0 else f"has {n} characters, fewer than the {int(c.min)} AWS requires"
    if c.max is not None and n > c.max:
        return f"has {n} characters; AWS allows at most {int(c.max)}"
    if c.pattern:
        try:
            rx = re.compile(c.pattern)
        except re.error:   # a pattern written for another regex engine: not checked
            return None
        if rx.search(value) is None:
            return f"{value!r} does not match the pattern AWS requires ({c.pattern})"
    return None


def _short(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "...")


def limit_problems(stem: str, name: str, settings: dict[str, Any], name_key: tuple[str, ...]) -> list[SettingsProblem]:
    """What AWS would refuse in the settings of template `stem` deployed as machine `name`."""
    cfg = machine_config(settings)
    out: list[SettingsProblem] = []

    def check(operation: str, path: tuple[str, ...], value: Any, what: str, key: tuple[str, ...],
              hint: str | None = None) -> None:
        why = violation(value, constraints(operation, *path))
        if why:
            out.append(SettingsProblem(f"{what} {why} ({operation} {'.'.join(p for p in path if p != '[]')})",
                                       hint, key))

    check("CreateStateMachine", ("name",), name, f"the state machine name {_short(name)} (template {stem!r})",
          name_key, f"set aws.templates.{stem}.name, or shorten aws.name_prefix / aws.name_suffix or the "
                    "template's file name")
    if cfg.role_arn:
        check("CreateStateMachine", ("roleArn",), cfg.role_arn, "aws.role_arn", ("role_arn",))
    check("CreateStateMachine", ("type",), cfg.type, "aws.type", ("type",))
    check("CreateStateMachine", ("loggingConfiguration", "level"), cfg.logging.get("level"), "aws.logging.level",
          ("logging", "level"))
    for dest in cfg.logging.get("destinations") or []:
        check("CreateStateMachine", ("loggingConfiguration", "destinations", "[]", "cloudWatchLogsLogGroup",
                                     "logGroupArn"),
              dest["cloudWatchLogsLogGroup"]["logGroupArn"], "aws.logging.log_group_arn", ("logging", "log_group_arn"))
    if cfg.tags is not None:
        if len(cfg.tags) > MAX_TAGS:
            out.append(SettingsProblem(f"{len(cfg.tags)} tags for {name!r}; AWS allows at most {MAX_TAGS} per state "
                                       "machine", "remove some of aws.tags (or of aws.templates.<name>.tags)",
                                       ("tags",)))
        for k, v in cfg.tags.items():
            check("TagResource", ("tags", "[]", "key"), k, f"the tag key {_short(k)}", ("tags", k))
            check("TagResource", ("tags", "[]", "value"), v, f"the value of tag {_short(k)}", ("tags", k))
            for text, what in ((k, "key"), (v, "value")):
                bad = sorted(set(text) - set("".join(TAG_TEXT.findall(text))))
                if bad:
                    out.append(SettingsProblem(
                        f"the tag {what} {_short(text)} holds {', '.join(repr(c) for c in bad)}; AWS tags may only "
                        "contain letters, digits, white space and _ . : / = + - @", None, ("tags", k)))
            if k.lower().startswith("aws:"):
                out.append(SettingsProblem(f"the tag key {_short(k)} starts with 'aws:', which AWS reserves for its "
                                           "own tags", "rename the tag", ("tags", k)))
    if cfg.alias is not None:
        alias_key = ("alias", "name") if isinstance(settings.get("alias"), dict) else ("alias",)
        check("CreateStateMachineAlias", ("name",), cfg.alias.name, f"the alias name {_short(cfg.alias.name)}",
              alias_key, "alias names are 1-80 of A-Z a-z 0-9 _ - . with at least one letter, _, - or .")
        if cfg.alias.description is not None:
            check("CreateStateMachineAlias", ("description",), cfg.alias.description, "aws.alias.description",
                  ("alias", "description"))
    return out
