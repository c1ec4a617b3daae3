"""Step `state`: balances carried forward, the state and rewards roots, the cumulative totals.

The balances are computed the way the auditor computes them (previous + reward + flows, with
`rules.epoch_state.carry_forward`) and then checked against the ledger itself: the owners'
accounts must hold, through this epoch, exactly what the state says. A difference stops
settlement. The dividend root this epoch commits, if any, is the one the settlement's dividends
source (the dividends' `commitments`) assigns it.
"""

from __future__ import annotations

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from milestone.activities.models import ActivityRelease
from milestone.epochs.compute import calculate_account_root
from milestone.epochs.errors import LedgerDisagrees, SettlementError
from milestone.epochs.inputs import account_total_through, owners_total_through
from milestone.epochs.models import (
    EpochFlowRecord,
    EpochRecord,
    EpochRewardRecord,
    OwnerBalanceRecord,
    OwnerStateRecord,
)
from milestone.epochs.steps import Settlement, done_steps, from_hex, load_epoch, record_step
from milestone.ledger import BURNED
from milestone.rules.epoch_state import (
    CumulativeTotals,
    calculate_mining_totals,
    carry_forward,
    check_totals,
)
from milestone.rules.leaves import BALANCE_LEAF

UPDATE_CHUNK = 10_000


def load_state(session: Session) -> dict[int, tuple[bytes, int]]:
    """The owners' state of the last epoch settled: owner id → (address, balance)."""
    rows = session.execute(
        select(OwnerStateRecord.owner_id, OwnerStateRecord.address, OwnerStateRecord.balance)
    )
    return {owner_id: (bytes(address), balance) for owner_id, address, balance in rows}


def load_flows(
    session: Session, epoch: int
) -> tuple[dict[bytes, dict[str, int]], dict[bytes, int]]:
    """The frozen flows by address and kind, and each address's owner id."""
    flows: dict[bytes, dict[str, int]] = {}
    owner_of: dict[bytes, int] = {}
    for owner_id, address, kind, amount in session.execute(
        select(
            EpochFlowRecord.owner_id,
            EpochFlowRecord.address,
            EpochFlowRecord.kind,
            EpochFlowRecord.amount,
        ).where(EpochFlowRecord.epoch == epoch)
    ):
        flows.setdefault(bytes(address), {})[kind] = amount
        owner_of[bytes(address)] = owner_id
    return flows, owner_of


def load_rewards(session: Session, epoch: int) -> tuple[dict[bytes, int], dict[bytes, int]]:
    """The epoch's rewards by address, and each address's owner id."""
    rewards: dict[bytes, int] = {}
    owner_of: dict[bytes, int] = {}
    for owner_id, address, amount in session.execute(
        select(
            EpochRewardRecord.owner_id, EpochRewardRecord.address, EpochRewardRecord.amount
        ).where(EpochRewardRecord.epoch == epoch)
    ):
        rewards[bytes(address)] = amount
        owner_of[bytes(address)] = owner_id
    return rewards, owner_of


def state(ctx: Settlement, epoch: int) -> None:
    """Carry the balances forward, check them against the ledger, fix roots and totals."""
    params = ctx.program.parameters

    def work(session: Session) -> None:
        row = load_epoch(session, epoch, lock=True)
        if row.paid is None or row.rollover_out is None:
            raise SettlementError(f"epoch {epoch} has no drops yet")
        previous = session.get(EpochRecord, epoch - 1) if epoch > 0 else None
        moves = [
            (from_hex(old), from_hex(new))
            for old, new in done_steps(session, epoch)["freeze"]["moves"]
        ]
        prior = load_state(session)
        rewards, reward_owner = load_rewards(session, epoch)
        flows, flow_owner = load_flows(session, epoch)
        balances = carry_forward(
            {address: balance for address, balance in prior.values()}, moves, rewards, flows
        )
        before = _previous_totals(previous)
        cum_mined = calculate_mining_totals(
            params, epoch, before.cum_mined, row.paid, row.rollover_out
        )
        expected = owners_total_through(session, epoch) + cum_mined
        if sum(balances.values()) != expected:
            raise LedgerDisagrees(
                f"epoch {epoch}: the owners' balances add up to {sum(balances.values())}, "
                f"the ledger says {expected}"
            )
        dividends = ctx.dividends(session, epoch)
        totals = CumulativeTotals(
            cum_mined=cum_mined,
            cum_activity=released_activity_through(session, epoch),
            cum_burned=account_total_through(session, BURNED, epoch),
            cum_dividends_fen=dividends.cumulative_fen,
        )
        problems = check_totals(params, epoch, totals)
        if problems:
            raise SettlementError(f"epoch {epoch}: {'; '.join(problems)}")
        owner_of = {address: owner_id for owner_id, (address, _) in prior.items()}
        owner_of.update({new: owner_of[old] for old, new in moves if old in owner_of})
        owner_of.update(reward_owner)
        owner_of.update(flow_owner)
        _save_state(session, epoch, prior, balances, owner_of)
        row.state_root = calculate_account_root(balances, BALANCE_LEAF)
        row.cum_mined, row.cum_activity = totals.cum_mined, totals.cum_activity
        row.cum_burned, row.cum_dividends_fen = totals.cum_burned, totals.cum_dividends_fen
        row.dividends_root = dividends.root
        row.dividends_fen = dividends.cumulative_fen - before.cum_dividends_fen
        row.dividends_issuer_fen = dividends.issuer_fen
        record_step(session, ctx.clock, epoch, "state", {"owners": len(balances)})

    ctx.database.run(work)


def released_activity_through(session: Session, epoch: int) -> int:
    """The activity reserve released for epochs up to `epoch` (a release made early for a later
    epoch belongs to that epoch's totals)."""
    total = session.execute(
        select(func.coalesce(func.sum(ActivityRelease.amount), 0)).where(
            ActivityRelease.epoch <= epoch
        )
    ).scalar_one()
    return int(total)


def _previous_totals(previous: EpochRecord | None) -> CumulativeTotals:
    if previous is None:
        return CumulativeTotals(0, 0, 0, 0)
    return CumulativeTotals(
        previous.cum_mined or 0,
        previous.cum_activity or 0,
        previous.cum_burned or 0,
        previous.cum_dividends_fen or 0,
    )


def _save_state(
    session: Session,
    epoch: int,
    prior: dict[int, tuple[bytes, int]],
    balances: dict[bytes, int],
    owner_of: dict[bytes, int],
) -> None:
    """Write the owners whose address or balance changed; the others' rows stay as they were."""
    changed, added = [], []
    for address, balance in balances.items():
        owner_id = owner_of[address]
        row = {"owner_id": owner_id, "address": address, "balance": balance, "epoch": epoch}
        if owner_id not in prior:
            added.append(row)
        elif prior[owner_id] != (address, balance):
            changed.append(row)
    for start in range(0, len(changed), UPDATE_CHUNK):
        session.execute(update(OwnerStateRecord), changed[start : start + UPDATE_CHUNK])
    for start in range(0, len(added), UPDATE_CHUNK):
        session.execute(insert(OwnerStateRecord), added[start : start + UPDATE_CHUNK])
    history = changed + added
    for start in range(0, len(history), UPDATE_CHUNK):
        session.execute(insert(OwnerBalanceRecord), history[start : start + UPDATE_CHUNK])
