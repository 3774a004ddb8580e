"""Orchestration pattern rules (SFN7xx)."""

PATTERN_RULES = ()
