"""SFN1xx: structure of the definition per query language and state type.

Checked in code with field tables (`sfn_compiler.asl.spec`) rather than a JSON Schema, so every message
names the state and the field instead of "must match exactly one schema in oneOf". One module per kind of
check: `fields` (required / allowed / query-language fields, Next and End, conflicting fields), `values`
(types and ranges, resource ARNs), `map` (Map configuration), `jsonpath_syntax` (JSONPath paths and
intrinsic calls), `choice` (Choice rules).
"""

from __future__ import annotations

from .choice import InvalidChoiceRule
from .fields import (ConflictingFields, FieldNotSupported, InvalidQueryLanguage, InvalidStateType,
                     JsonataFieldInJsonPathState, JsonPathFieldInJsonataState, MissingRequiredField,
                     TransitionFieldsInvalid)
from .jsonpath_syntax import InvalidJsonPath
from .map import InvalidMapConfiguration
from .values import InvalidFieldValue, ResourceNotArn

RULES = (MissingRequiredField, InvalidStateType, FieldNotSupported, JsonPathFieldInJsonataState,
         JsonataFieldInJsonPathState, InvalidQueryLanguage, InvalidFieldValue, TransitionFieldsInvalid,
         ConflictingFields, InvalidMapConfiguration, InvalidJsonPath, InvalidChoiceRule, ResourceNotArn)
