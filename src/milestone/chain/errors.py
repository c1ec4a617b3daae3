"""Named failures of the chain layer, each with a stable code."""

from __future__ import annotations

from milestone.errors import MilestoneError


class ChainError(MilestoneError):
    """Something about the chain went wrong."""

    code = "chain_error"
    http_status = 502


class ChainUnavailable(ChainError):
    """The node did not answer, even after retrying; nothing was changed by us."""

    code = "chain_unavailable"
    http_status = 503


class ChainNotCreated(ChainError):
    """The data directory's embedded chain does not exist yet: only a writer creates it."""

    code = "chain_not_created"
    http_status = 404


class ChainReverted(ChainError):
    """The contract refused a step; `reason` is its `"module: reason"` message."""

    code = "chain_reverted"
    http_status = 409

    def __init__(self, message: str, reason: str = "", **details: object) -> None:
        super().__init__(message, reason=reason, **details)
        self.reason = reason


class ChainRejected(ChainError):
    """The node refused the transaction itself (no funds for gas, a bad nonce, too much gas)."""

    code = "chain_rejected"
    http_status = 502


class ChainConflict(ChainError):
    """A step is already on-chain with different values: settlement must stop."""

    code = "chain_conflict"
    http_status = 409


class ConfirmationTimeout(ChainError):
    """A transaction was not confirmed deeply enough in time."""

    code = "chain_confirmation_timeout"
    http_status = 504


class ProgramNotFound(ChainError):
    """No Program contract is deployed (or recorded) where one was expected."""

    code = "program_not_found"
    http_status = 404


class InvalidPrivateKey(ChainError):
    """A private key given on the command line or in the environment that is not one."""

    code = "invalid_private_key"
    http_status = 400
