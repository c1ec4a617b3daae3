"""Steps `drops`, `activity` and `postings`: who won what, and paying it through the journal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import Final

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from milestone.activities.budget import release_activity_budget
from milestone.epochs.compute import calculate_budget
from milestone.epochs.epochfile import VERSION
from milestone.epochs.errors import SettlementError
from milestone.epochs.inputs import MINING_KIND, QUERY_CHUNK
from milestone.epochs.models import EpochDropRecord, EpochRewardRecord, EpochWeightRecord
from milestone.epochs.steps import Settlement, load_epoch, record_step
from milestone.epochs.treestore import REWARDS_TREE, store_account_tree
from milestone.ledger import (
    MINING_RESERVE,
    Asset,
    Posting,
    TransactionRequest,
    open_accounts,
    owner_account,
    post_transactions,
    read_head,
)
from milestone.rules.mining import EpochBudget, RoundWeights, run_drops, sum_rewards
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_epoch_budget
from milestone.storage.stream import stream_rows

POSTING_BATCH = 5_000
"""Journal transactions per `post_transactions` call (all in the step's one transaction)."""


ROUND_WEIGHTS_SQL: Final[str] = (
    "SELECT address, weight FROM epoch_weight WHERE epoch = ? AND round = ?"
)


class FrozenRoundWeights(Mapping[int, Mapping[bytes, int]]):
    """An epoch's frozen weights, read from the database one round at a time.

    `run_drops` asks for each round's weights in turn; holding only that round keeps the drops
    step's memory at one round's drivers (a 144th of the day's rows) whatever the fleet.
    """

    def __init__(self, session: Session, epoch: int) -> None:
        self._session, self._epoch = session, epoch
        self._rounds = list(
            session.execute(
                select(EpochWeightRecord.round)
                .where(EpochWeightRecord.epoch == epoch)
                .group_by(EpochWeightRecord.round)
                .order_by(EpochWeightRecord.round)
            ).scalars()
        )

    def __getitem__(self, round_index: int) -> Mapping[bytes, int]:
        if round_index not in self._rounds:
            raise KeyError(round_index)
        # Straight from the driver: every weight of the epoch passes here once.
        weights: dict[bytes, int] = {}
        for rows in stream_rows(self._session, ROUND_WEIGHTS_SQL, (self._epoch, round_index)):
            weights.update(rows)
        return weights

    def __iter__(self) -> Iterator[int]:
        return iter(self._rounds)

    def __len__(self) -> int:
        return len(self._rounds)


def read_owner_ids(
    session: Session, epoch: int, by_round: Mapping[int, Mapping[bytes, int]]
) -> dict[bytes, int]:
    """The owner id behind each winner of the epoch's drops, round by round: each lookup reads
    the winners' rows of one round, found through the key's `(epoch, round)` prefix."""
    owner_of: dict[bytes, int] = {}
    for round_index, won in by_round.items():
        wanted = sorted(set(won) - set(owner_of))
        for start in range(0, len(wanted), QUERY_CHUNK):
            owner_of.update(
                (bytes(address), owner_id)
                for address, owner_id in session.execute(
                    select(EpochWeightRecord.address, EpochWeightRecord.owner_id).where(
                        EpochWeightRecord.epoch == epoch,
                        EpochWeightRecord.round == round_index,
                        EpochWeightRecord.address.in_(wanted[start : start + QUERY_CHUNK]),
                    )
                )
            )
    return owner_of


TOTAL_KEY: Final[bytes] = bytes(20)


def read_round_totals(session: Session, epoch: int) -> dict[int, dict[bytes, int]]:
    """Each round's frozen total weight, summed by the database, as a round of one entry.

    The budget rule reads nothing of a round but its total (`sum_round_weights`), so it is
    given the totals rather than every weight: one pass over the table's rounds in SQL instead
    of reading each round's rows into memory once more.
    """
    rows = session.execute(
        select(EpochWeightRecord.round, func.sum(EpochWeightRecord.weight))
        .where(EpochWeightRecord.epoch == epoch)
        .group_by(EpochWeightRecord.round)
    )
    return {round_index: {TOTAL_KEY: int(total)} for round_index, total in rows if total}


def settled_budget(
    params: Parameters, epoch: int, rollover_in: int, weights: RoundWeights
) -> EpochBudget:
    """The budget settlement pays and publishes: the mining rule of the file version it writes.

    The one place settlement applies the rule, so the drops and the published file agree.
    `weights` may be the epoch's weights or only its round totals (`read_round_totals`): the
    rule depends on nothing else.
    """
    return calculate_budget(params, epoch, rollover_in, weights, version=VERSION)


def drops(ctx: Settlement, epoch: int) -> None:
    """Run every round's drops on the frozen weights with the on-chain seed."""
    params = ctx.program.parameters

    def work(session: Session) -> None:
        row = load_epoch(session, epoch, lock=True)
        if row.seed is None:
            raise SettlementError(f"epoch {epoch} has no seed yet")
        weights = FrozenRoundWeights(session, epoch)
        budget = settled_budget(params, epoch, row.rollover_in, read_round_totals(session, epoch))
        result = run_drops(bytes(row.seed), budget, params.drop_size, weights)
        rewards = sum_rewards(result.by_round)
        owner_of = read_owner_ids(session, epoch, result.by_round)
        drop_rows = [
            {"epoch": epoch, "round": r, "owner_id": owner_of[address], "amount": amount}
            for r, won in result.by_round.items() for address, amount in won.items()
        ]  # fmt: skip
        reward_rows = [
            {"epoch": epoch, "owner_id": owner_of[address], "address": address, "amount": amount}
            for address, amount in rewards.items()
        ]
        for model, rows in ((EpochDropRecord, drop_rows), (EpochRewardRecord, reward_rows)):
            for start in range(0, len(rows), POSTING_BATCH):
                session.execute(insert(model), rows[start : start + POSTING_BATCH])
        row.rollover_out = result.rollover_out
        row.paid = result.paid
        # Built once, stored for proofs: the API reads them, never rebuilds the tree.
        row.rewards_root = store_account_tree(session, epoch, REWARDS_TREE, rewards.items())
        record_step(session, ctx.clock, epoch, "drops", {"winners": len(rewards)})

    ctx.database.run(work)


def activity(ctx: Settlement, epoch: int) -> None:
    """Release the epoch's share of the activity reserve into the activity budget."""
    amount = calculate_epoch_budget(ctx.program.parameters.activity, epoch)

    def work(session: Session) -> None:
        release_activity_budget(session, ctx.clock, epoch, amount)
        record_step(session, ctx.clock, epoch, "activity", {"released": amount})

    ctx.database.run(work)


def postings(ctx: Settlement, epoch: int) -> None:
    """One mining transaction per winner, its per-round breakdown in the metadata; the head."""

    def work(session: Session) -> None:
        row = load_epoch(session, epoch, lock=True)
        by_owner: dict[int, list[list[int]]] = defaultdict(list)
        for round_index, owner_id, amount in session.execute(
            select(EpochDropRecord.round, EpochDropRecord.owner_id, EpochDropRecord.amount)
            .where(EpochDropRecord.epoch == epoch)
            .order_by(EpochDropRecord.owner_id, EpochDropRecord.round)
        ):
            by_owner[owner_id].append([round_index, amount])
        open_accounts(session, ctx.clock, [owner_account(owner_id) for owner_id in by_owner])
        requests = [
            TransactionRequest(
                MINING_KIND,
                f"{MINING_KIND}:{epoch}:{owner_id}",
                [
                    Posting(MINING_RESERVE, Asset.STONE, -sum(a for _, a in rounds)),
                    Posting(owner_account(owner_id), Asset.STONE, sum(a for _, a in rounds)),
                ],
                {"epoch": epoch, "rounds": rounds},
            )
            for owner_id, rounds in sorted(by_owner.items())
        ]
        for start in range(0, len(requests), POSTING_BATCH):
            post_transactions(session, ctx.clock, requests[start : start + POSTING_BATCH])
        head = read_head(session)
        row.journal_seq, row.journal_head = head.seq, head.hash
        record_step(session, ctx.clock, epoch, "postings", {"transactions": len(requests)})

    ctx.database.run(work)
