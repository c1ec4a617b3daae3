"""Named refusals of the dividends; each leaves the database as it was."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError, NotFound


class DividendError(MilestoneError):
    code = "dividend_error"
    http_status = 422


class InvalidDividend(DividendError):
    """An amount, payment date or note that cannot be declared."""

    code = "invalid_dividend"


class DividendAboveCeiling(DividendError):
    """A declaration above the program's ceiling for one dividend (by default the stake's
    backing): most likely a slip of the operator's, in yuan for fen or a zero too many."""

    code = "dividend_above_ceiling"
    http_status = 409
    """409, not 422: the ceiling is the program's configuration, not a rule of the request's
    shape, so the API's schema cannot state it (docs/api.md, "The contract")."""


class EpochNotFinalized(Conflict):
    """The record epoch's balances are not final (settled and committed on-chain) yet."""

    code = "epoch_not_finalized"


class NoHoldersAtRecord(Conflict):
    code = "no_holders"


class UnknownDividend(NotFound):
    code = "unknown_dividend"


class NoEntitlement(NotFound):
    code = "no_entitlement"


class DeclarationConflict(Conflict):
    """The declaration key was used for a different dividend."""

    code = "declaration_conflict"


class PayoutFileInvalid(DividendError):
    """A returned payout file that does not match the entitlements: nothing of it is applied."""

    code = "payout_file_invalid"


class EntitlementsAltered(DividendError):
    """The stored entitlements do not rebuild the declared root: they were edited."""

    code = "entitlements_altered"
    http_status = 500


class PaymentDateInPast(DividendError):
    """A payment date before today in the program's time zone: nobody can be paid then."""

    code = "payment_date_in_past"
    http_status = 409
    """409, not 422, as `DividendAboveCeiling`: today is the service's clock, not a rule of the
    request's shape, so the API's schema cannot state it (found by the fuzzer)."""
