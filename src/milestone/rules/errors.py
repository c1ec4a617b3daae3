"""Named failures of the protocol rules, each with a stable code.

The codes are part of the public interface: the API returns them unchanged, clients match on
them, and they never change once released. One class per kind of refusal, grouped by the rule
module that raises it.
"""

from __future__ import annotations


class RuleError(ValueError):
    """An input the protocol rules refuse; `code` is stable and reaches the API unchanged."""

    code: str = "rule_violation"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Parameters and presets (params.py)


class UnknownPreset(RuleError):
    """No preset has this name."""

    code = "unknown_preset"


class UnknownParameter(RuleError):
    """A preset file or override names a parameter the program does not have."""

    code = "unknown_parameter"


class InvalidParameter(RuleError):
    """A parameter has the wrong type, an unknown choice, or malformed text."""

    code = "invalid_parameter"


class AmountNotPositive(RuleError):
    """An amount or count that must be positive is zero or negative."""

    code = "amount_not_positive"


class AmountNegative(RuleError):
    """An amount or count that may be zero is negative."""

    code = "amount_negative"


class AmountTooLarge(RuleError):
    """An amount does not fit a signed 64-bit integer (SQL BIGINT)."""

    code = "amount_too_large"


class ParameterOutOfRange(RuleError):
    """A parameter lies outside the bounds the rules work within."""

    code = "parameter_out_of_range"


class DropLargerThanRound(RuleError):
    """The drop size exceeds the first era's round budget, so a round could not hold one drop."""

    code = "drop_size_exceeds_round_budget"


class ScheduleExceedsPool(RuleError):
    """An emission schedule could release more than its reserve holds."""

    code = "schedule_exceeds_pool"


class SupplyMismatch(RuleError):
    """The total supply is not exactly the sum of the reserves it is split into."""

    code = "supply_mismatch"


# Schedule and time (schedule.py, time.py)


class NegativeEpoch(RuleError):
    """An epoch number below zero."""

    code = "negative_epoch"


class InvalidRound(RuleError):
    """A round index that is negative or does not fit a uint256."""

    code = "invalid_round"


class GenesisNotMidnight(RuleError):
    """The genesis instant is not a UTC midnight."""

    code = "genesis_not_utc_midnight"


class InstantBeforeGenesis(RuleError):
    """An instant before the program's genesis."""

    code = "instant_before_genesis"


class InvalidInterval(RuleError):
    """A time interval that ends before it starts."""

    code = "invalid_interval"


# Weights and drops (weights.py, drops.py, beacon.py)


class InvalidAddress(RuleError):
    """An account address that is not exactly 20 bytes."""

    code = "invalid_address"


class InvalidHash(RuleError):
    """A value that must be 32 bytes (a hash, seed, root or reveal) is not."""

    code = "invalid_hash"


class InvalidWeight(RuleError):
    """A weight, distance or multiplier outside its allowed range."""

    code = "invalid_weight"


class MissingOwner(RuleError):
    """Meters were driven in a round for which no owner of the vehicle is known."""

    code = "missing_owner"


class NoReveals(RuleError):
    """A seed cannot be derived without at least one beacon reveal."""

    code = "no_reveals"


# Mining budgets and epoch state (mining.py, epoch_state.py)


class NegativeBalance(RuleError):
    """Carrying balances forward would leave an account below zero: the inputs are wrong."""

    code = "negative_balance"


class MiningTotalsMismatch(RuleError):
    """What was mined plus what rolls over is not what the schedule released."""

    code = "mining_totals_mismatch"


# Dividends (dividends.py)


class NoHolders(RuleError):
    """A dividend cannot be split when nobody holds a positive balance."""

    code = "no_holders"


# ABI encoding and Merkle trees (abi.py, merkle.py)


class UnsupportedAbiType(RuleError):
    """An ABI type the static encoder does not handle."""

    code = "unsupported_abi_type"


class InvalidAbiValue(RuleError):
    """A value that cannot be encoded as its ABI type."""

    code = "invalid_abi_value"


class EmptyTree(RuleError):
    """A Merkle tree needs at least one leaf."""

    code = "empty_tree"


class LeafNotInTree(RuleError):
    """The value or index asked for is not a leaf of this tree."""

    code = "leaf_not_in_tree"


class InvalidTreeDump(RuleError):
    """A tree dump that is malformed or whose hashes do not match its values."""

    code = "invalid_tree_dump"
