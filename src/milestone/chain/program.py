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
COMMIT_AHEAD_EPOCHS = 2
"""Epochs past the current one (by the chain's clock) a member may commit to when the Program
enforces epoch ends; the contract's constant of the same name."""


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
    `cum_activity` is the activity stones *paid* to owners (not the reserve released: the
    contract bounds the one by the other). `dividends_root` is the root of the entitlement tree
    of the dividend committed with this epoch and `dividend_record_epoch` the epoch whose
    balances it was declared on; both zero when there is none.
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
    dividend_record_epoch: int = 0

    def finalize_args(self) -> list[Any]:
        """`finalize`'s arguments before the signatures, in the contract's order."""
        return [
            self.epoch,
            self.state_root,
            self.rewards_root,
            self.journal_head,
            self.epoch_file_hash,
            self.dividends_root,
            self.dividend_record_epoch,
            self.cum_mined,
            self.cum_activity,
            self.cum_burned,
            self.cum_dividends_fen,
        ]


@dataclass(frozen=True)
class Roles:
    """Who may do what on a Program, for one epoch (the next one to finalize by default)."""

    operator: str
    attestors: tuple[str, ...]
    threshold: int
    beacon_members: tuple[str, ...]
    pending_operator: str | None = None


@dataclass(frozen=True)
class RoleSchedule:
    """The role sets of a Program in the order they were scheduled: beacon sets as
    `(from_epoch, members)`, attestor sets as `(from_epoch, attestors, threshold)`."""

    beacon: tuple[tuple[int, tuple[str, ...]], ...]
    attestors: tuple[tuple[int, tuple[str, ...], int], ...]


class ProgramView:
    """Reads of a deployed Program."""

    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.address = Web3.to_checksum_address(address)
        self.contract: Contract = w3.eth.contract(
            address=self.address, abi=load_contract("Program").abi
        )
        self._parameters: ProgramParameters | None = None
        self._deployed_at: int | None = None

    def is_deployed(self) -> bool:
        """True when code lives at the address."""
        return len(self.w3.eth.get_code(self.address)) > 0

    def parameters(self) -> ProgramParameters:
        """The immutable parameters, read back from the contract (once: they never change)."""
        if self._parameters is None:
            self._parameters = self._read_parameters()
        return self._parameters

    def deployed_at(self) -> int:
        """When the Program was deployed (its `DEPLOYED_AT`, immutable)."""
        if self._deployed_at is None:
            self._deployed_at = int(self.contract.functions.DEPLOYED_AT().call())
        return self._deployed_at

    def _read_parameters(self) -> ProgramParameters:
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

    def roles(self, epoch: int | None = None) -> Roles:
        """The operator, and the attestors with their threshold and the beacon members of
        `epoch` (default: the next epoch to finalize)."""
        f = self.contract.functions
        at = self.next_epoch() if epoch is None else epoch
        pending = f.pending_operator().call()
        return Roles(
            operator=f.operator().call(),
            attestors=tuple(f.attestors_at(at).call()),
            threshold=f.threshold_at(at).call(),
            beacon_members=tuple(f.beacon_members_at(at).call()),
            pending_operator=None if int(pending, 16) == 0 else pending,
        )

    def beacon_members(self, epoch: int) -> list[str]:
        """The beacon members of `epoch`, in ascending address order (the order of the seed)."""
        members: list[str] = self.contract.functions.beacon_members_at(epoch).call()
        return members

    def attestors(self, epoch: int) -> tuple[set[str], int]:
        """The attestors of `epoch` (lowercase addresses) and how many must sign its result."""
        f = self.contract.functions
        attestors = {str(address).lower() for address in f.attestors_at(epoch).call()}
        return attestors, int(f.threshold_at(epoch).call())

    def role_schedule(self) -> RoleSchedule:
        """Every beacon member set and attestor set, each with the epoch it applies from."""
        f = self.contract.functions
        members = []
        for i in range(f.member_set_count().call()):
            start = f.member_set_from(i).call()
            members.append((start, tuple(f.beacon_members_at(start).call())))
        attestors = []
        for i in range(f.attestor_set_count().call()):
            start = f.attestor_set_from(i).call()
            attestors.append(
                (start, tuple(f.attestors_at(start).call()), int(f.threshold_at(start).call()))
            )
        return RoleSchedule(beacon=tuple(members), attestors=tuple(attestors))

    def commit_targets(self) -> list[int]:
        """The epochs a member should hold a commitment for now: the next epoch to finalize and
        the one after, and (when epoch ends are enforced) the epochs that start within
        `COMMIT_AHEAD_EPOCHS`, so that a settlement running late never meets an epoch that began
        without commitments. Only epochs the contract accepts a commitment for are listed, by
        the latest block's time: with epoch ends enforced, one that has not started, or that
        started before the Program was deployed (nobody could commit to it in time)."""
        parameters = self.parameters()
        next_epoch = self.next_epoch()
        soon = [next_epoch, next_epoch + 1]
        if not parameters.enforce_epoch_end:
            return soon
        genesis, seconds = parameters.genesis_time, parameters.epoch_seconds
        deployed_at = self.deployed_at()
        now = int(self.w3.eth.get_block("latest")["timestamp"])
        current = max(0, now - genesis) // seconds
        ahead = range(current + 1, current + COMMIT_AHEAD_EPOCHS + 1)
        candidates = sorted({*soon, *ahead})
        return [
            epoch
            for epoch in candidates
            if next_epoch <= epoch <= current + COMMIT_AHEAD_EPOCHS
            and (now < genesis + epoch * seconds or genesis + epoch * seconds < deployed_at)
        ]

    def eip712_domain(self) -> tuple[str, str, int, str]:
        """The EIP-712 domain as the contract declares it (EIP-5267): name, version, chain id,
        verifying contract."""
        _, name, version, chain_id, verifying_contract, _, _ = (
            self.contract.functions.eip712Domain().call()
        )
        return name, version, chain_id, verifying_contract

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
        # A derived seed is a keccak-256 output: zero only with probability 2^-256.
        seed = bytes(self.contract.functions.seeds(epoch).call())
        return None if seed == ZERO_HASH else seed

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
            dividend_record_epoch=c[5],
            cum_mined=c[6],
            cum_activity=c[7],
            cum_burned=c[8],
            cum_dividends_fen=c[9],
        )

    def journal_heads(self) -> list[bytes]:
        """The journal head committed for each finalized epoch, epoch 0 first."""
        heads = []
        for epoch in range(self.next_epoch()):
            committed = self.commitment(epoch)
            assert committed is not None
            heads.append(committed.journal_head)
        return heads

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
