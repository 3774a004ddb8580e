"""The rules whose findings AWS refuses when the state machine is created (`CreateStateMachine`,
`ValidateStateMachineDefinition`): `sfnc run` and `sfnc test` refuse such a definition with the validator's
message instead of running it, as AWS would never run it.

Only rules for definitions AWS cannot create belong here. Rules for definitions that AWS creates but that
fail when they run (`$eval`, an unknown function, an unassigned variable, a Distributed Map reading an
outer variable) do not: the simulator runs those and fails them as AWS would. Checked on AWS's recordings:
none of these rules fires on the 860 definitions of `../shared/conformance/aws-recorded`, which AWS created
and ran (tests/check/test_creation.py).
"""

from __future__ import annotations

from .config import CheckConfig

#: rule ids, by group: parse (invalid JSON, size, not a state machine), structure
#: (fields, types, values, query languages, Next/End, Map configuration, JSONPath syntax, Choice rules,
#: EXPRESS features), graph (StartAt, targets, unreachable states, terminal states, names), JSONata
#: (syntax, delimiters, empty, ?? and ?:, top-level references, $$, JSONata in literal fields), $states
#: members, variable names, retriers and catchers, HeartbeatSeconds < TimeoutSeconds.
CREATION_RULES: tuple[str, ...] = (
    "SFN001", "SFN003", "SFN004",
    "SFN101", "SFN102", "SFN103", "SFN104", "SFN105", "SFN106", "SFN107", "SFN108", "SFN109", "SFN110", "SFN111",
    "SFN112", "SFN114",
    "SFN201", "SFN202", "SFN203", "SFN204", "SFN206", "SFN207",
    "SFN301", "SFN302", "SFN303", "SFN305", "SFN307", "SFN308", "SFN309",
    "SFN401", "SFN402", "SFN403",
    "SFN501",
    "SFN601", "SFN602", "SFN603", "SFN606",
)


def creation_config() -> CheckConfig:
    """A validator configuration that runs only the rules above, at their default severities (errors)."""
    return CheckConfig(select=list(CREATION_RULES))
