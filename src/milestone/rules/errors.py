"""Named failures of the protocol rules, each with a stable code."""

from __future__ import annotations


class RuleError(ValueError):
    """An input the protocol rules refuse; `code` is stable and reaches the API unchanged."""

    code: str = "rule_violation"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
