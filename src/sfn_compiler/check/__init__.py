"""Check: the validator. Rules (`check/rules/`) yield pointer + message findings; the runner selects,
suppresses and locates them into `Diagnostic`s."""

from .base import CheckContext, Finding, Rule, Severity
from .config import CheckConfig
from .runner import run_rules, validate_document, validate_file, validate_rendered, validate_text

__all__ = ["CheckConfig", "CheckContext", "Finding", "Rule", "Severity", "run_rules", "validate_document",
           "validate_file", "validate_rendered", "validate_text"]
