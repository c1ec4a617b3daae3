"""The base of every named failure of the services.

Each failure is a subclass with a stable `code` (what clients and the API match on) and the
HTTP status the API answers with. The protocol rules keep their own base,
`milestone.rules.errors.RuleError`, because `milestone.rules` imports nothing from the package;
both carry a `code`, and the API treats them alike.
"""

from __future__ import annotations


class MilestoneError(Exception):
    """A refused request or operation, with a stable machine-readable code."""

    code: str = "error"
    http_status: int = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(MilestoneError):
    code = "not_found"
    http_status = 404


class Conflict(MilestoneError):
    code = "conflict"
    http_status = 409
