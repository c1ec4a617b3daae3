"""Named refusals of the ledger; each leaves the database exactly as it was."""

from __future__ import annotations

from milestone.errors import MilestoneError


class LedgerError(MilestoneError):
    code = "ledger_error"
    http_status = 422


class EmptyTransaction(LedgerError):
    code = "empty_transaction"


class UnbalancedPostings(LedgerError):
    code = "unbalanced_postings"


class InvalidAccount(LedgerError):
    """The name is not an account of the chart (wrong kind, malformed number)."""

    code = "invalid_account"


class UnknownAccount(LedgerError):
    """A well-formed account that was never opened."""

    code = "unknown_account"
    http_status = 404


class UnknownAsset(LedgerError):
    code = "unknown_asset"


class AssetNotAllowed(LedgerError):
    """The account's kind does not hold this asset (a merchant holding fen, say)."""

    code = "asset_not_allowed"


class NegativeAmount(LedgerError):
    code = "negative_amount"


class ZeroAmount(LedgerError):
    code = "zero_amount"


class AmountOutOfRange(LedgerError):
    """An amount that is not an integer or does not fit a signed 64-bit column."""

    code = "amount_out_of_range"


class BalanceOutOfRange(LedgerError):
    """The resulting balance would not fit a signed 64-bit column."""

    code = "balance_out_of_range"


class InsufficientBalance(LedgerError):
    code = "insufficient_balance"
    http_status = 409


class IdempotencyConflict(LedgerError):
    """The key was used before for a transaction with different content."""

    code = "idempotency_conflict"
    http_status = 409


class InvalidKind(LedgerError):
    code = "invalid_kind"


class InvalidIdempotencyKey(LedgerError):
    code = "invalid_idempotency_key"


class InvalidMetadata(LedgerError):
    code = "invalid_metadata"


class InvalidCursor(LedgerError):
    code = "invalid_cursor"


class InvalidPageSize(LedgerError):
    code = "invalid_page_size"


class EntryNotFound(LedgerError):
    code = "entry_not_found"
    http_status = 404
