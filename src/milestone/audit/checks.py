"""The checks of one epoch: its file recomputed with the settler's own code, against the chain.

Checks run in the order of the settlement pipeline (program, beacon, weights, seed, drops,
rewards, balances, totals, journal, file hash) and each failure gets a stable code; the first
one is the epoch's reason. A file changed after publication fails the final hash check too,
but the specific check that its change breaks comes first and names what was changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from eth_utils.address import to_checksum_address

from milestone.audit.block import BlockOutcome, check_block
from milestone.audit.justify import BalancesAt, DividendTerms, check_dividend_split
from milestone.chain.program import EpochResult, ProgramParameters
from milestone.epochs.compute import (
    calculate_account_root,
    calculate_budget,
    calculate_weights_root,
)
from milestone.epochs.epochfile import EpochFile, file_hash
from milestone.rules.beacon import commit_of, derive_seed
from milestone.rules.epoch_state import CumulativeTotals, carry_forward, check_totals
from milestone.rules.errors import NegativeBalance, RuleError
from milestone.rules.leaves import BALANCE_LEAF, REWARD_LEAF
from milestone.rules.mining import run_drops, sum_rewards
from milestone.rules.params import Parameters, calculate_parameters_hash
from milestone.rules.schedule import calculate_cumulative_release
from milestone.rules.time import epoch_start


class ChainReader(Protocol):
    """What the audit reads from the Program contract (`milestone.chain.program.ProgramView`)."""

    def next_epoch(self) -> int: ...
    def parameters(self) -> ProgramParameters: ...
    def weights(self, epoch: int) -> tuple[bytes, int] | None: ...
    def beacon_commit(self, epoch: int, member: str) -> bytes | None: ...
    def beacon_reveal(self, epoch: int, member: str) -> bytes | None: ...
    def seed(self, epoch: int) -> bytes | None: ...
    def commitment(self, epoch: int) -> EpochResult | None: ...


@dataclass(frozen=True)
class Failure:
    code: str
    message: str


@dataclass
class Verdict:
    """The outcome of one epoch's audit."""

    epoch: int
    failures: list[Failure] = field(default_factory=list)
    owners: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def reason(self) -> Failure | None:
        return self.failures[0] if self.failures else None

    def to_dict(self) -> dict[str, Any]:
        """The verdict as `milestone audit --json` and `milestone attest --json` print it."""
        return {
            "epoch": self.epoch,
            "ok": self.ok,
            "owners": self.owners,
            "reason": None if self.reason is None else self.reason.code,
            "failures": [{"code": f.code, "message": f.message} for f in self.failures],
        }


@dataclass
class Carried:
    """What one epoch's audit hands the next: the committed state it must start from."""

    balances: Mapping[bytes, int] | None = field(default_factory=dict)
    """None after an epoch that could not be audited: the carry-forward check is skipped."""
    rollover: int = 0
    totals: CumulativeTotals = field(default_factory=lambda: CumulativeTotals(0, 0, 0, 0))
    journal_seq: int | None = 0
    """None when the epoch before had no usable file: only the head's hash is known."""
    journal_hash: bytes = bytes(32)
    file_hash: bytes = bytes(32)
    parameters: Parameters | None = None
    accounts: dict[tuple[str, str], int] | None = field(default_factory=dict)
    """Every other account's balance (version 3); None when unknown (after a version 1 file)."""
    verified: bool = True
    """False when the epoch before did not pass: nothing after it may say `pass`."""
    checkins: dict[str, tuple[int, int]] | None = field(default_factory=dict)
    """Each owner's last check-in so far, when every earlier block was seen (None otherwise)."""


def no_history(epoch: int) -> None:
    """`balances_at` for an audit that has no earlier files to read."""
    return None


def audit_epoch(
    record: EpochFile,
    canonical: bytes,
    carried: Carried,
    chain: ChainReader,
    expected_contract: bytes,
    contract_parameters: ProgramParameters,
    balances_at: BalancesAt = no_history,
) -> tuple[Verdict, Carried]:
    """Audit one epoch's file against the chain, starting from what the previous epoch left.

    `balances_at(e)` gives the owners' balances at the end of an earlier epoch (a dividend's
    record epoch), from its file checked against the chain.
    """
    verdict = Verdict(record.epoch, owners=len(record.balances))
    fail = _collector(verdict)
    committed = chain.commitment(record.epoch)
    if committed is None:
        fail("not_finalized", f"epoch {record.epoch} is not finalized on-chain")
        return verdict, carried
    _check_program(record, contract_parameters, expected_contract, fail)
    _check_beacon(record, chain, fail)
    _check_weights(record, chain, fail)
    seed = _check_seed(record, chain, fail)
    rewards = _check_drops(record, carried, seed, committed, fail)
    outcome = BlockOutcome(None, None)
    if record.block is None:
        computed = _check_balances(record, carried, rewards, committed, fail)
    else:

        def at(epoch: int) -> Mapping[bytes, int] | None:
            if epoch == record.epoch - 1 and carried.balances is not None:
                return carried.balances
            return balances_at(epoch)

        outcome = check_block(
            record, carried.balances, carried.accounts, at, fail, carried.checkins
        )
        computed = outcome.owner_stones
        _check_state_root(record, committed, fail)
        _check_dividend(record, at, fail)
    _check_totals(record, carried, rewards, committed, fail)
    _check_journal(record, carried, committed, fail)
    hash_ok = file_hash(canonical) == committed.epoch_file_hash
    if not hash_ok:
        fail("file_hash_mismatch", "the file is not the one whose hash was committed on-chain")
    following = _next_carried(record, computed, committed)
    following.accounts = None  # a version 1 file does not carry them
    # A block that failed is no ground for judging the check-ins after it.
    following.checkins = outcome.checkins if verdict.ok else None
    if record.block is not None:
        following.accounts = dict(record.block.accounts) if hash_ok else outcome.accounts
    following.verified = verdict.ok
    return verdict, following


def _check_state_root(record: EpochFile, committed: EpochResult, fail: Fail) -> None:
    file_root = calculate_account_root(record.balances, BALANCE_LEAF)
    if file_root != record.state_root:
        fail("state_root_mismatch", "the balances do not hash to the file's state root")
    elif record.state_root != committed.state_root:
        fail("state_root_mismatch", "the state root differs from the one committed on-chain")


def _check_dividend(record: EpochFile, balances_at: BalancesAt, fail: Fail) -> None:
    """The dividend committed with the epoch: its entitlements are the rule's split."""
    dividends = record.dividends
    if dividends.root == bytes(32) and dividends.amount_fen == 0:
        return
    holders_fen = dividends.amount_fen - dividends.issuer_fen
    if dividends.record_epoch is None or sum(dividends.entitlements.values()) != holders_fen:
        fail("dividend_split_mismatch", "the committed dividend's entitlements do not add up")
        return
    params = record.program.parameters
    terms = DividendTerms(
        dividends.amount_fen, dividends.issuer_fen, dividends.record_epoch, params.dividend_mode
    )
    check_dividend_split(
        terms, dividends.entitlements, dividends.root, params, balances_at, fail
    )


def _collector(verdict: Verdict) -> Callable[[str, str], None]:
    def fail(code: str, message: str) -> None:
        verdict.failures.append(Failure(code, message))

    return fail


Fail = Callable[[str, str], None]


def _check_program(
    record: EpochFile, on_chain: ProgramParameters, expected_contract: bytes, fail: Fail
) -> None:
    params, program = record.program.parameters, record.program
    if calculate_parameters_hash(params) != program.parameters_hash:
        fail("program_mismatch", "the parameters do not hash to parameters_hash")
    if program.contract != expected_contract:
        fail("program_mismatch", f"the file names contract 0x{program.contract.hex()}")
    ours = (
        params.mining.pool,
        params.mining.initial_per_epoch,
        params.mining.era_epochs,
        params.activity.pool,
        params.activity.initial_per_epoch,
        params.activity.era_epochs,
        params.total_supply,
        program.genesis,
        params.epoch_seconds,
    )
    theirs = (
        on_chain.mining_pool,
        on_chain.mining_initial,
        on_chain.mining_era_epochs,
        on_chain.activity_pool,
        on_chain.activity_initial,
        on_chain.activity_era_epochs,
        on_chain.cap,
        on_chain.genesis_time,
        on_chain.epoch_seconds,
    )
    if ours != theirs:
        fail("program_mismatch", "the file's schedules differ from the contract's parameters")
    start = epoch_start(record.epoch, program.genesis, params.epoch_seconds)
    if (record.window_start, record.window_end) != (start, start + params.epoch_seconds):
        fail("program_mismatch", "the epoch's window does not match its number")


def _check_beacon(record: EpochFile, chain: ChainReader, fail: Fail) -> None:
    beacon = record.beacon
    if list(beacon.members) != sorted(beacon.members) or not beacon.members:
        fail("beacon_members_mismatch", "beacon members must be listed in ascending order")
    for member, commit, reveal in zip(beacon.members, beacon.commits, beacon.reveals, strict=True):
        address = to_checksum_address(member)
        if chain.beacon_commit(record.epoch, address) != commit:
            fail("commit_mismatch", f"the commit of {address} differs from the one on-chain")
        if commit_of(reveal) != commit:
            fail("reveal_mismatch", f"the reveal of {address} does not open its commitment")
        elif chain.beacon_reveal(record.epoch, address) != reveal:
            fail("reveal_mismatch", f"the reveal of {address} differs from the one on-chain")


def _check_weights(record: EpochFile, chain: ChainReader, fail: Fail) -> None:
    root, total = calculate_weights_root(record.weights)
    if root != record.weights_root:
        fail("weights_root_mismatch", "the weights do not hash to the file's weights root")
    elif chain.weights(record.epoch) != (root, total):
        fail("weights_root_mismatch", "the weights root differs from the one posted on-chain")
    if total != record.total_weight:
        fail(
            "weights_root_mismatch",
            f"the weights sum to {total}, the file says {record.total_weight}",
        )


def _check_seed(record: EpochFile, chain: ChainReader, fail: Fail) -> bytes:
    try:
        derived = derive_seed(record.weights_root, list(record.beacon.reveals))
    except RuleError as error:
        fail("seed_mismatch", error.message)
        derived = record.beacon.seed
    on_chain = chain.seed(record.epoch)
    if derived != record.beacon.seed:
        fail("seed_mismatch", "the seed is not keccak256(weights root ‖ reveals)")
    if on_chain != record.beacon.seed:
        fail("seed_mismatch", "the seed differs from the one the contract derived")
    return on_chain or derived


def _check_drops(
    record: EpochFile, carried: Carried, seed: bytes, committed: EpochResult, fail: Fail
) -> dict[bytes, int]:
    params = record.program.parameters
    try:
        budget = calculate_budget(
            params, record.epoch, carried.rollover, record.weights, version=record.version
        )
    except RuleError as error:
        fail("budget_mismatch", error.message)
        return sum_rewards(record.drops)
    if budget != record.budget:
        fail("budget_mismatch", f"the budget should be {budget.scheduled} + {budget.rollover_in}")
    try:
        drops = run_drops(seed, budget, params.drop_size, record.weights)
    except RuleError as error:
        fail("drops_mismatch", f"the drops cannot be re-run: {error.message}")
        return sum_rewards(record.drops)
    if drops.by_round != record.drops:
        rounds = sorted(
            r
            for r in set(drops.by_round) | set(record.drops)
            if drops.by_round.get(r) != record.drops.get(r)
        )
        fail("drops_mismatch", f"re-running the drops gives other winners in round(s) {rounds}")
    if drops.rollover_out != record.rollover_out:
        fail("rollover_mismatch", f"the rollover should be {drops.rollover_out}")
    rewards = sum_rewards(drops.by_round)
    if rewards != record.rewards:
        fail("rewards_mismatch", "the rewards are not the drops summed per account")
    if calculate_account_root(record.rewards, REWARD_LEAF) != record.rewards_root:
        fail("rewards_root_mismatch", "the rewards do not hash to the file's rewards root")
    elif record.rewards_root != committed.rewards_root:
        fail("rewards_root_mismatch", "the rewards root differs from the one committed on-chain")
    return rewards


def _check_balances(
    record: EpochFile,
    carried: Carried,
    rewards: Mapping[bytes, int],
    committed: EpochResult,
    fail: Fail,
) -> dict[bytes, int] | None:
    computed = None
    try:
        if carried.balances is not None:
            computed = carry_forward(carried.balances, record.moves, rewards, record.flows)
    except NegativeBalance as error:
        fail("balance_carry_mismatch", error.message)
    if computed is not None and computed != record.balances:
        wrong = sorted(
            a
            for a in set(computed) | set(record.balances)
            if computed.get(a) != record.balances.get(a)
        )
        fail(
            "balance_carry_mismatch",
            f"{len(wrong)} balance(s) are not previous + reward + flows, first 0x{wrong[0].hex()}",
        )
    _check_state_root(record, committed, fail)
    return computed


def _check_totals(
    record: EpochFile,
    carried: Carried,
    rewards: Mapping[bytes, int],
    committed: EpochResult,
    fail: Fail,
) -> None:
    params, totals = record.program.parameters, record.totals
    expected_mined = carried.totals.cum_mined + sum(rewards.values())
    if totals.cum_mined != expected_mined:
        fail("totals_mismatch", f"cumulative mined should be {expected_mined}")
    released = calculate_cumulative_release(params.mining, record.epoch)
    if totals.cum_mined + record.rollover_out != released:
        fail("totals_mismatch", f"mined + rollover differ from the schedule's release {released}")
    if totals.cum_dividends_fen != carried.totals.cum_dividends_fen + record.dividends.amount_fen:
        fail("totals_mismatch", "cumulative dividends do not add this epoch's amount")
    if record.dividends.issuer_fen > record.dividends.amount_fen:
        fail("dividends_mismatch", "the issuer's part exceeds the dividend committed")
    for problem in check_totals(params, record.epoch, totals):
        fail("schedule_exceeded", problem)
    on_chain = CumulativeTotals(
        committed.cum_mined,
        committed.cum_activity,
        committed.cum_burned,
        committed.cum_dividends_fen,
    )
    if on_chain != totals:
        fail("totals_mismatch", "the totals differ from the ones committed on-chain")
    if committed.dividends_root != record.dividends.root:
        fail("dividends_mismatch", "the dividends root differs from the one committed on-chain")
    # The chain records 0 where no dividend is committed; the file says null.
    if committed.dividend_record_epoch != (record.dividends.record_epoch or 0):
        fail("dividends_mismatch", "the dividend record epoch differs from the committed one")
    previous = (carried.totals.cum_mined, carried.totals.cum_activity, carried.totals.cum_burned)
    if any(
        now < before
        for now, before in zip(
            (totals.cum_mined, totals.cum_activity, totals.cum_burned), previous, strict=True
        )
    ):
        fail("totals_mismatch", "a cumulative total decreased")


def _check_journal(record: EpochFile, carried: Carried, committed: EpochResult, fail: Fail) -> None:
    previous = record.journal_previous
    if previous.hash != carried.journal_hash or carried.journal_seq not in (None, previous.seq):
        fail("journal_chain_broken", "the previous journal head is not the last epoch's head")
    if record.journal_head.seq < record.journal_previous.seq:
        fail("journal_chain_broken", "the journal head moved backwards")
    if record.journal_head.hash != committed.journal_head:
        fail("journal_chain_broken", "the journal head differs from the one committed on-chain")
    if record.previous_file_hash != carried.file_hash:
        fail("previous_file_mismatch", "the previous file hash is not the last epoch's")


def _next_carried(
    record: EpochFile, computed: dict[bytes, int] | None, committed: EpochResult
) -> Carried:
    """The state the next epoch starts from: whichever balances match what the chain committed.

    Neither matching means the true state is not in any file: the next epoch then skips its
    carry-forward check (its own balances are still checked against its committed root).
    """
    balances = None
    if calculate_account_root(record.balances, BALANCE_LEAF) == committed.state_root:
        balances = record.balances
    elif computed is not None and calculate_account_root(computed, BALANCE_LEAF) == (
        committed.state_root
    ):
        balances = computed
    return carry_committed(
        record.epoch, committed, record.program.parameters, balances, record.journal_head.seq
    )


def carry_committed(
    epoch: int,
    committed: EpochResult,
    parameters: Parameters | None,
    balances: Mapping[bytes, int] | None,
    seq: int | None,
) -> Carried:
    """The next epoch's starting point: the chain's commitment of `epoch`, and `balances`.

    Totals, journal head and file hash come from the chain, never from a file, so one bad file
    does not make the epochs after it fail too. The rollover follows from the commitment: what
    the schedule released by then and was not mined is still to be paid.
    """
    rollover = 0
    if parameters is not None:
        released = calculate_cumulative_release(parameters.mining, epoch)
        rollover = max(0, released - committed.cum_mined)
    return Carried(
        balances=balances,
        rollover=rollover,
        totals=CumulativeTotals(
            committed.cum_mined,
            committed.cum_activity,
            committed.cum_burned,
            committed.cum_dividends_fen,
        ),
        journal_seq=seq,
        journal_hash=committed.journal_head,
        file_hash=committed.epoch_file_hash,
        parameters=parameters,
    )
