"""The rule registry: `ALL_RULES` is the single, explicit list of every rule class (no directory walking).

One module (or subpackage) per group, each exporting `RULES`; adding a rule touches its group module, the
group's `RULES`, `tests/rules/cases/SFNxxx.yaml` and the regenerated docs/rules.md.

Id ranges: SFN0xx the document as a whole (parse, suppressions, AWS's own validation; the runner checks
them) and the inputs of a check (templates that do not render, config, files not read: `inputs`), SFN1xx structure, SFN2xx graph, SFN3xx JSONata, SFN4xx `$states`, SFN5xx variables, SFN6xx
Retry/Catch, SFN7xx orchestration patterns, SFN8xx the data (shapes: SFN801-SFN810 data flow, SFN811+ API
models).
"""

from __future__ import annotations

from ..base import Rule
from .data import RULES as _DATA
from .document import RULES as _DOCUMENT
from .express import RULES as _EXPRESS
from .graph import RULES as _GRAPH
from .inputs import RULES as _INPUTS
from .jsonata import RULES as _JSONATA
from .patterns import RULES as _PATTERNS
from .retry_catch import RULES as _RETRY_CATCH
from .states_var import RULES as _STATES
from .structure import RULES as _STRUCTURE
from .variables import RULES as _VARIABLES

ALL_RULES: tuple[type[Rule], ...] = (_DOCUMENT + _INPUTS + _STRUCTURE + _EXPRESS + _GRAPH + _JSONATA + _STATES + _VARIABLES
                                      + _RETRY_CATCH + _PATTERNS + _DATA)

__all__ = ["ALL_RULES"]
