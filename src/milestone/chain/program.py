"""The Program contract seen from Python: its parameters, its commitments, and reads of both."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from web3 import Web3
from web3.contract import Contract

from milestone.chain.compile import load_contract
from milestone.rules.params import Parameters

ZERO_HASH = bytes(32)
EPOCH_SECONDS = 86_400


@dataclass(frozen=True)
class ProgramParameters:
    """The immutable parameters a Program is deployed with (amounts in pebbles)."""

    mining_pool: int
    mining_initial: int
    mining_era_epochs: int
    activity_pool: int
    activity_initial: int
    activity_era_epochs: int
    cap: int
    genesis_time: int
    epoch_seconds: int = EPOCH_SECONDS
    enforce_epoch_end: bool = True

    @classmethod
    def from_rules(
        cls, parameters: Parameters, genesis_time: int, *, enforce_epoch_end: bool = True
    ) -> ProgramParameters:
        """The contract's parameters for a program described by `milestone.rules` parameters."""
        return cls(
            mining_pool=parameters.mining.pool,
            mining_initial=parameters.mining.initial_per_epoch,
            mining_era_epochs=parameters.mining.era_epochs,
            activity_pool=parameters.activity.pool,
            activity_initial=parameters.activity.initial_per_epoch,
            activity_era_epochs=parameters.activity.era_epochs,
            cap=parameters.total_supply,
            genesis_time=genesis_time,
            epoch_seconds=parameters.epoch_seconds,
            enforce_epoch_end=enforce_epoch_end,
        )

    def constructor_args(self) -> list[Any]:
        """The constructor's arguments after the operator, in the contract's order."""
        return [getattr(self, field.name) for field in fields(self)]


@dataclass(frozen=True)
class EpochResult:
    """What finalizing an epoch commits: its roots and the cumulative totals after it.

    Totals are cumulative since genesis, in pebbles (`cum_dividends_fen` in CNY fen).
    `dividends_root` is the root of a dividend entitlement tree declared with this epoch, or 32
    zero bytes when there is none.
    """

    epoch: int
    state_root: bytes
    rewards_root: bytes
    journal_head: bytes
    epoch_file_hash: bytes
    cum_mined: int
    cum_activity: int
    cum_burned: int
    cum_dividends_fen: int = 0
    dividends_root: bytes = ZERO_HASH

    def finalize_args(self) -> list[Any]:
        """`finalize`'s arguments before the signatures, in the contract's order."""
        return [
            self.epoch,
            self.state_root,
            self.rewards_root,
            self.journal_head,
            self.epoch_file_hash,
            self.dividends_root,
            self.cum_mined,
            self.cum_activity,
            self.cum_burned,
            self.cum_dividends_fen,
        ]


@dataclass(frozen=True)
class Roles:
    """Who may do what on a Program."""

    operator: str
    attestors: tuple[str, ...]
    threshold: int
    beacon_members: tuple[str, ...]


class ProgramView:
    """Reads of a deployed Program."""

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract: Contract = w3.eth.contract(
            address=self.address, abi=load_contract("Program").abi
        )

    def is_deployed(self) -> bool:
        """True when code lives at the address."""
        return len(self.w3.eth.get_code(self.address)) > 0

    def parameters(self) -> ProgramParameters:
        """The immutable parameters, read back from the contract."""
        f = self.contract.functions
        return ProgramParameters(
            mining_pool=f.MINING_POOL().call(),
            mining_initial=f.MINING_INITIAL().call(),
            mining_era_epochs=f.MINING_ERA_EPOCHS().call(),
            activity_pool=f.ACTIVITY_POOL().call(),
            activity_initial=f.ACTIVITY_INITIAL().call(),
            activity_era_epochs=f.ACTIVITY_ERA_EPOCHS().call(),
            cap=f.CAP().call(),
            genesis_time=f.GENESIS_TIME().call(),
            epoch_seconds=f.EPOCH_SECONDS().call(),
            enforce_epoch_end=f.ENFORCE_EPOCH_END().call(),
        )

    def roles(self) -> Roles:
        """The operator, the attestors with their threshold, and the beacon members."""
        f = self.contract.functions
        return Roles(
            operator=f.operator().call(),
            attestors=tuple(f.attestors().call()),
            threshold=f.threshold().call(),
            beacon_members=tuple(f.beacon_members().call()),
        )

    def next_epoch(self) -> int:
        """The epoch to finalize next (the number of epochs finalized so far)."""
        value: int = self.contract.functions.next_epoch().call()
        return value

    def weights(self, epoch: int) -> tuple[bytes, int] | None:
        """The posted `(weights_root, total_weight)` of `epoch`, or None before they are posted."""
        f = self.contract.functions
        if not f.weights_posted(epoch).call():
            return None
        return bytes(f.weights_roots(epoch).call()), f.total_weights(epoch).call()

    def beacon_commit(self, epoch: int, member: str) -> bytes | None:
        """`member`'s commitment for `epoch`, or None."""
        commitment = bytes(self.contract.functions.commits(epoch, member).call())
        return None if commitment == ZERO_HASH else commitment

    def beacon_reveal(self, epoch: int, member: str) -> bytes | None:
        """`member`'s reveal for `epoch`, or None."""
        f = self.contract.functions
        if not f.has_revealed(epoch, member).call():
            return None
        return bytes(f.reveals(epoch, member).call())

    def seed(self, epoch: int) -> bytes | None:
        """The seed of `epoch`, once every member revealed."""
        f = self.contract.functions
        if f.reveal_count(epoch).call() != len(f.beacon_members().call()):
            return None
        return bytes(f.seeds(epoch).call())

    def commitment(self, epoch: int) -> EpochResult | None:
        """The committed result of `epoch`, or None if it is not finalized."""
        if epoch >= self.next_epoch():
            return None
        c = self.contract.functions.commitment(epoch).call()
        return EpochResult(
            epoch=epoch,
            state_root=bytes(c[0]),
            rewards_root=bytes(c[1]),
            journal_head=bytes(c[2]),
            epoch_file_hash=bytes(c[3]),
            dividends_root=bytes(c[4]),
            cum_mined=c[5],
            cum_activity=c[6],
            cum_burned=c[7],
            cum_dividends_fen=c[8],
        )

    def mining_release(self, epoch: int) -> int:
        """Pebbles the contract lets the mining reserve release by the end of `epoch`."""
        value: int = self.contract.functions.mining_release(epoch).call()
        return value

    def activity_release(self, epoch: int) -> int:
        """Pebbles the contract lets the activity reserve release by the end of `epoch`."""
        value: int = self.contract.functions.activity_release(epoch).call()
        return value

    def domain_separator(self) -> bytes:
        """The EIP-712 domain separator, as the contract computes it."""
        return bytes(self.contract.functions.domain_separator().call())
