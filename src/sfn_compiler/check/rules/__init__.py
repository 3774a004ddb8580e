"""The rule registry: `ALL_RULES` is the single, explicit list of rule classes (no directory walking).

Id ranges: SFN1xx structure, SFN2xx graph, SFN3xx JSONata, SFN4xx `$states`, SFN5xx variables,
SFN6xx Retry/Catch. (SFN0xx pipeline and SFN7xx patterns live elsewhere.)
"""

from __future__ import annotations

from ..base import Rule
from .retry_catch import RULES as _ERRORS
from .express import RULES as _EXPRESS
from .graph import RULES as _GRAPH
from .jsonata import RULES as _JSONATA
from .states_var import RULES as _STATES
from .structure import RULES as _STRUCTURE
from .variables import RULES as _VARIABLES

ALL_RULES: tuple[type[Rule], ...] = (_STRUCTURE + _EXPRESS + _GRAPH + _JSONATA + _STATES + _VARIABLES
                                      + _ERRORS)

__all__ = ["ALL_RULES"]
