"""Named refusals of settlement; each stops it and leaves everything committed as it was."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError


class SettlementError(MilestoneError):
    code = "settlement_error"
    http_status = 409


class EpochNotClosed(SettlementError):
    """The epoch (with its grace period for late uploads) has not ended yet."""

    code = "epoch_not_closed"


class GraceMismatch(SettlementError):
    """The intake accepted driving of the epoch after this settler's cutoff: its grace is longer."""

    code = "grace_mismatch"


class EpochGap(SettlementError):
    """Epochs settle in order: an earlier epoch is not finalized yet."""

    code = "epoch_gap"


class EpochAlreadyFinalized(SettlementError):
    code = "epoch_already_finalized"


class EpochNotFinalized(SettlementError):
    code = "epoch_not_finalized"
    http_status = 404


class SettlementInProgress(Conflict):
    """Another settler holds the settlement lock."""

    code = "settlement_in_progress"


class CommitMissing(SettlementError):
    """A beacon member has not committed for the epoch: its weights cannot be posted yet."""

    code = "beacon_commit_missing"


class RevealMissing(SettlementError):
    """A beacon member has not revealed for the epoch: there is no seed yet."""

    code = "beacon_reveal_missing"


class AttestationsMissing(SettlementError):
    """Fewer attestor signatures than the threshold: the epoch cannot be finalized yet."""

    code = "attestations_missing"


class ChainDisagrees(SettlementError):
    """The chain holds another history than the database: settlement must stop."""

    code = "chain_disagrees"


class LedgerDisagrees(SettlementError):
    """The ledger and the settled balances no longer add up: settlement must stop."""

    code = "ledger_disagrees"


class EpochFileMismatch(SettlementError):
    """A published epoch file is not the one the database recorded."""

    code = "epoch_file_mismatch"


class InvalidEpochFile(MilestoneError):
    """A file that is not a readable epoch file of a known version."""

    code = "invalid_epoch_file"
    http_status = 422


class BeaconSecretError(SettlementError):
    """The sealed beacon secret cannot be opened (wrong or missing key, damaged file)."""

    code = "beacon_secret_unreadable"


class NotABeaconMember(SettlementError):
    """The account is not one of the Program's beacon members."""

    code = "not_a_beacon_member"


class BeaconSecretMismatch(SettlementError):
    """A member's secret does not open the commitment it made on-chain (another secret)."""

    code = "beacon_secret_mismatch"


class NotAnAttestor(SettlementError):
    """The account is not one of the Program's attestors."""

    code = "not_an_attestor"


class AttestationInvalid(SettlementError):
    """A signature that does not recover to a current attestor over the epoch's result."""

    code = "attestation_invalid"
    http_status = 422


class DividendsRootConflict(Conflict):
    """A dividend reference was queued before with another root or amount."""

    code = "dividends_root_conflict"


class OwnerNotInEpoch(MilestoneError):
    """The owner has no balance and no reward in that epoch's trees."""

    code = "owner_not_in_epoch"
    http_status = 404
