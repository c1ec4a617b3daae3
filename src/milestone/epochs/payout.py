"""Steps `drops`, `activity` and `postings`: who won what, and paying it through the journal."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from milestone.activities.budget import release_activity_budget
from milestone.epochs.compute import calculate_account_root, calculate_budget
from milestone.epochs.epochfile import VERSION
from milestone.epochs.errors import SettlementError
from milestone.epochs.inputs import MINING_KIND
from milestone.epochs.models import EpochDropRecord, EpochRewardRecord, EpochWeightRecord
from milestone.epochs.steps import Settlement, load_epoch, record_step
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
from milestone.rules.leaves import REWARD_LEAF
from milestone.rules.mining import EpochBudget, RoundWeights, run_drops, sum_rewards
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_epoch_budget

POSTING_BATCH = 5_000
"""Journal transactions per `post_transactions` call (all in the step's one transaction)."""


def load_weights(
    session: Session, epoch: int
) -> tuple[dict[int, dict[bytes, int]], dict[bytes, int]]:
    """The frozen weights by round and address, and each address's owner id."""
    weights: dict[int, dict[bytes, int]] = defaultdict(dict)
    owner_of: dict[bytes, int] = {}
    rows = session.execute(
        select(
            EpochWeightRecord.round,
            EpochWeightRecord.owner_id,
            EpochWeightRecord.address,
            EpochWeightRecord.weight,
        ).where(EpochWeightRecord.epoch == epoch)
    )
    for round_index, owner_id, address, weight in rows:
        weights[round_index][bytes(address)] = weight
        owner_of[bytes(address)] = owner_id
    return dict(weights), owner_of


def settled_budget(
    params: Parameters, epoch: int, rollover_in: int, weights: RoundWeights
) -> EpochBudget:
    """The budget settlement pays and publishes: the mining rule of the file version it writes.

    The one place settlement applies the rule, so the drops and the published file agree.
    """
    return calculate_budget(params, epoch, rollover_in, weights, version=VERSION)


def drops(ctx: Settlement, epoch: int) -> None:
    """Run every round's drops on the frozen weights with the on-chain seed."""
    params = ctx.program.parameters

    def work(session: Session) -> None:
        row = load_epoch(session, epoch, lock=True)
        if row.seed is None:
            raise SettlementError(f"epoch {epoch} has no seed yet")
        weights, owner_of = load_weights(session, epoch)
        budget = settled_budget(params, epoch, row.rollover_in, weights)
        result = run_drops(bytes(row.seed), budget, params.drop_size, weights)
        rewards = sum_rewards(result.by_round)
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
        row.rewards_root = calculate_account_root(rewards, REWARD_LEAF)
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
