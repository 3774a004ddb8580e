"""Field tables of the Amazon States Language (2024-11-22 revision, JSONPath and JSONata).

Sources: https://states-language.net/spec.html ("Table of State Types and Fields", "Query Languages"),
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html and the per-state pages.
"""

from __future__ import annotations

JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)

STATE_TYPES = ("Task", "Pass", "Wait", "Choice", "Parallel", "Map", "Succeed", "Fail")

TOP_LEVEL_FIELDS = frozenset({"StartAt", "States", "Comment", "Version", "TimeoutSeconds", "QueryLanguage"})
BRANCH_FIELDS = frozenset({"StartAt", "States", "Comment"})
PROCESSOR_FIELDS = frozenset({"StartAt", "States", "Comment", "ProcessorConfig"})

COMMON = frozenset({"Type", "Comment", "QueryLanguage"})

# fields valid in both languages, per state type
BOTH: dict[str, frozenset[str]] = {
    "Task": frozenset({"Resource", "Next", "End", "Assign", "Retry", "Catch", "TimeoutSeconds",
                       "HeartbeatSeconds", "Credentials"}),
    "Pass": frozenset({"Next", "End", "Assign"}),
    "Wait": frozenset({"Next", "End", "Assign", "Seconds", "Timestamp"}),
    "Choice": frozenset({"Choices", "Default", "Assign"}),
    "Parallel": frozenset({"Branches", "Next", "End", "Assign", "Retry", "Catch"}),
    "Map": frozenset({"ItemProcessor", "Iterator", "ItemReader", "ItemSelector", "ItemBatcher", "ResultWriter",
                      "MaxConcurrency", "ToleratedFailurePercentage", "ToleratedFailureCount", "Label", "Next",
                      "End", "Assign", "Retry", "Catch"}),
    "Succeed": frozenset(),
    "Fail": frozenset({"Error", "Cause"}),
}

# JSONPath-only fields, per state type
JSONPATH_ONLY: dict[str, frozenset[str]] = {
    "Task": frozenset({"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath",
                       "TimeoutSecondsPath", "HeartbeatSecondsPath"}),
    "Pass": frozenset({"InputPath", "OutputPath", "Parameters", "ResultPath", "Result"}),
    "Wait": frozenset({"InputPath", "OutputPath", "SecondsPath", "TimestampPath"}),
    "Choice": frozenset({"InputPath", "OutputPath"}),
    "Parallel": frozenset({"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath"}),
    "Map": frozenset({"InputPath", "OutputPath", "ItemsPath", "Parameters", "ResultSelector", "ResultPath",
                      "MaxConcurrencyPath", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath"}),
    "Succeed": frozenset({"InputPath", "OutputPath"}),
    "Fail": frozenset({"ErrorPath", "CausePath"}),
}

# JSONata-only fields, per state type
JSONATA_ONLY: dict[str, frozenset[str]] = {
    "Task": frozenset({"Arguments", "Output"}),
    "Pass": frozenset({"Output"}),
    "Wait": frozenset({"Output"}),
    "Choice": frozenset({"Output"}),
    "Parallel": frozenset({"Arguments", "Output"}),
    "Map": frozenset({"Items", "Output"}),
    "Succeed": frozenset({"Output"}),
    "Fail": frozenset(),
}

def allowed_fields(state_type: str) -> frozenset[str]:
    return _ALLOWED[state_type]   # KeyError for anything but a state type, as the tables give


_ALLOWED = {t: COMMON | BOTH[t] | JSONPATH_ONLY[t] | JSONATA_ONLY[t] for t in BOTH}  # made once, not per call


# transitions
NEEDS_TRANSITION = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})  # Next xor End
TERMINAL_TYPES = frozenset({"Succeed", "Fail"})

# Retry / Catch
RETRIER_FIELDS = frozenset({"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                            "JitterStrategy", "Comment"})
CATCHER_FIELDS_BOTH = frozenset({"ErrorEquals", "Next", "Assign", "Comment"})
CATCHER_JSONPATH_ONLY = frozenset({"ResultPath"})
CATCHER_JSONATA_ONLY = frozenset({"Output"})

STATES_ERRORS = frozenset({
    "States.ALL", "States.HeartbeatTimeout", "States.Timeout", "States.TaskFailed", "States.Permissions",
    "States.ResultPathMatchFailure", "States.ParameterPathFailure", "States.QueryEvaluationError",
    "States.BranchFailed", "States.NoChoiceMatched", "States.IntrinsicFailure",
    "States.ExceedToleratedFailureThreshold", "States.ItemReaderFailed", "States.ResultWriterFailed",
    "States.Runtime", "States.DataLimitExceeded", "States.Http.Socket",
})

# Choice rules (JSONPath)
COMPARISON_OPERATORS = frozenset({
    "StringEquals", "StringEqualsPath", "StringLessThan", "StringLessThanPath", "StringGreaterThan",
    "StringGreaterThanPath", "StringLessThanEquals", "StringLessThanEqualsPath", "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath", "StringMatches", "NumericEquals", "NumericEqualsPath", "NumericLessThan",
    "NumericLessThanPath", "NumericGreaterThan", "NumericGreaterThanPath", "NumericLessThanEquals",
    "NumericLessThanEqualsPath", "NumericGreaterThanEquals", "NumericGreaterThanEqualsPath", "BooleanEquals",
    "BooleanEqualsPath", "TimestampEquals", "TimestampEqualsPath", "TimestampLessThan", "TimestampLessThanPath",
    "TimestampGreaterThan", "TimestampGreaterThanPath", "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath", "TimestampGreaterThanEquals", "TimestampGreaterThanEqualsPath", "IsNull",
    "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
})
BOOLEAN_OPERATORS = frozenset({"And", "Or", "Not"})
CHOICE_RULE_JSONATA = frozenset({"Condition", "Next", "Assign", "Output", "Comment"})
CHOICE_RULE_JSONPATH_TOP = frozenset({"Variable", "Next", "Assign", "Comment"}) | COMPARISON_OPERATORS | BOOLEAN_OPERATORS

# `$states` members and context object fields (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html)
STATES_MEMBERS = ("input", "result", "errorOutput", "context")
CONTEXT_FIELDS = {
    "Execution": frozenset({"Id", "Input", "Name", "RoleArn", "StartTime", "RedriveCount", "RedriveTime"}),
    "State": frozenset({"EnteredTime", "Name", "RetryCount"}),
    "StateMachine": frozenset({"Id", "Name"}),
    "Task": frozenset({"Token"}),
    "Map": frozenset({"Item"}),
}

# intrinsic functions (JSONPath) https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html:
# name -> (minimum, maximum) number of arguments (None: no maximum); AWS checks both at creation
INTRINSIC_ARITY: dict[str, tuple[int, int | None]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}
INTRINSIC_FUNCTIONS = frozenset(INTRINSIC_ARITY)

# ---------------------------------------------------------------------------------------------------
# where Step Functions evaluates JSONata in a JSONata state
#   template fields: any JSON value; every nested string may be `{% %}` (keys are never evaluated)
#   scalar fields: a literal of the field's type, or one whole `{% %}` string

TEMPLATE_FIELDS: dict[str, tuple[str, ...]] = {
    "Task": ("Arguments", "Output"),
    "Parallel": ("Arguments", "Output"),
    "Map": ("Items", "ItemSelector", "Output"),
    "Pass": ("Output",),
    "Wait": ("Output",),
    "Choice": ("Output",),
    "Succeed": ("Output",),
    "Fail": (),
}
SCALAR_FIELDS: dict[str, tuple[str, ...]] = {
    "Task": ("TimeoutSeconds", "HeartbeatSeconds"),
    "Wait": ("Seconds", "Timestamp"),
    "Fail": ("Error", "Cause"),
    "Map": ("MaxConcurrency", "ToleratedFailureCount", "ToleratedFailurePercentage"),
}
# (container, field) pairs under a state: (("Credentials",), "RoleArn") etc.
NESTED_SCALAR_FIELDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "Task": ((("Credentials",), "RoleArn"),),
    "Map": ((("ItemReader", "ReaderConfig"), "MaxItems"), (("ItemBatcher",), "MaxItemsPerBatch"),
            (("ItemBatcher",), "MaxInputBytesPerBatch")),
}
NESTED_TEMPLATE_FIELDS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "Map": ((("ItemBatcher",), "BatchInput"), (("ItemReader",), "Arguments"), (("ResultWriter",), "Arguments")),
}

# literal-only fields: a `{% %}` string there is never evaluated (and is the wrong type or an unknown name)
LITERAL_STATE_FIELDS = ("Type", "Resource", "Next", "Default", "End", "QueryLanguage", "Label")
LITERAL_TOP_FIELDS = ("StartAt", "Version", "QueryLanguage")
