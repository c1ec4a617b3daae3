"""Step `state`: balances carried forward, the state and rewards roots, the cumulative totals.

The balances are computed the way the auditor computes them (previous + reward + flows, with
`rules.epoch_state.carry_forward`) and then checked against the ledger itself: the owners'
accounts must hold, through this epoch, exactly what the state says. A difference stops
settlement. The dividend root this epoch commits, if any, is the one the settlement's dividends
source (the dividends' `commitments`) assigns it. The activity total is what owners were *paid*
from the released activity budget through the epoch, the amount the contract bounds by the
release.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from milestone.epochs.epochfile import VERSION
from milestone.epochs.errors import LedgerDisagrees, SettlementError
from milestone.epochs.inputs import (
    QUERY_CHUNK,
    STREAM_CHUNK,
    account_total_in,
    account_total_through,
    activity_paid_in,
    activity_paid_through,
    owners_total_in,
)
from milestone.epochs.models import (
    EpochFlowRecord,
    EpochRecord,
    EpochRewardRecord,
    OwnerBalanceRecord,
    OwnerStateRecord,
)
from milestone.epochs.steps import Settlement, done_steps, from_hex, load_epoch, record_step
from milestone.epochs.treestore import STATE_TREE, store_account_tree
from milestone.ledger import BURNED
from milestone.rules.epoch_state import (
    CumulativeTotals,
    calculate_mining_totals,
    carry_forward,
    check_totals,
)

UPDATE_CHUNK = 10_000


def load_state(
    session: Session, addresses: Iterable[bytes] | None = None
) -> dict[int, tuple[bytes, int]]:
    """The owners' state of the last epoch settled, of every owner or of those at `addresses`:
    owner id → (address, balance)."""
    query = select(OwnerStateRecord.owner_id, OwnerStateRecord.address, OwnerStateRecord.balance)
    if addresses is None:
        chunks = [query]
    else:
        wanted = sorted(set(addresses))
        chunks = [
            query.where(OwnerStateRecord.address.in_(wanted[start : start + QUERY_CHUNK]))
            for start in range(0, len(wanted), QUERY_CHUNK)
        ]
    return {
        owner_id: (bytes(address), balance)
        for chunk in chunks
        for owner_id, address, balance in session.execute(chunk)
    }


def stream_state(session: Session, *, by_address: bool = False) -> Iterator[tuple[bytes, int]]:
    """Every owner's `(address, balance)` in the state, streamed from the database (in
    ascending address order if `by_address`)."""
    query = select(OwnerStateRecord.address, OwnerStateRecord.balance)
    if by_address:
        query = query.order_by(OwnerStateRecord.address)
    rows = session.connection().execute(query.execution_options(yield_per=STREAM_CHUNK))
    for address, balance in rows:
        yield bytes(address), balance


def sum_state(session: Session) -> int:
    """The owners' balances in the state summed (by the database)."""
    total = session.execute(
        select(func.coalesce(func.sum(OwnerStateRecord.balance), 0))
    ).scalar_one()
    return int(total)


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
        rewards, reward_owner = load_rewards(session, epoch)
        flows, flow_owner = load_flows(session, epoch)
        # Only the accounts the epoch touched change: the rule carries those forward, and every
        # other account keeps its row (memory holds the epoch's activity, not the fleet).
        touched = {*rewards, *flows, *(address for move in moves for address in move)}
        prior = load_state(session, touched)
        balances = carry_forward(
            {address: balance for address, balance in prior.values()}, moves, rewards, flows
        )
        before = _previous_totals(previous)
        cum_mined = calculate_mining_totals(
            params, epoch, before.cum_mined, row.paid, row.rollover_out
        )
        # A running total: the state summed to the ledger through the previous epoch (checked
        # then), so it must now move by exactly what the ledger moved in this epoch, rather
        # than re-summing every owner posting of all history.
        previous_total = sum_state(session)
        total = previous_total - sum(b for _, b in prior.values()) + sum(balances.values())
        expected = previous_total + owners_total_in(session, epoch) + row.paid
        if total != expected:
            raise LedgerDisagrees(
                f"epoch {epoch}: the owners' balances add up to {total}, the ledger says {expected}"
            )
        dividends = ctx.dividends(session, epoch)
        cum_activity, cum_burned = _running_totals(session, epoch, before)
        totals = CumulativeTotals(
            cum_mined=cum_mined,
            cum_activity=cum_activity,
            cum_burned=cum_burned,
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
        row.state_root = store_account_tree(session, epoch, STATE_TREE, stream_state(session))
        row.cum_mined, row.cum_activity = totals.cum_mined, totals.cum_activity
        row.cum_burned, row.cum_dividends_fen = totals.cum_burned, totals.cum_dividends_fen
        row.dividends_root = dividends.root
        row.dividend_record_epoch = dividends.record_epoch
        row.dividends_fen = dividends.cumulative_fen - before.cum_dividends_fen
        row.dividends_issuer_fen = dividends.issuer_fen
        owners = session.execute(select(func.count()).select_from(OwnerStateRecord)).scalar_one()
        record_step(session, ctx.clock, epoch, "state", {"owners": owners})

    ctx.database.run(work)


def _running_totals(session: Session, epoch: int, before: CumulativeTotals) -> tuple[int, int]:
    """Activity paid and stones burned through `epoch`: the previous epoch's totals moved by
    this epoch's postings, rather than every posting of all history summed again (a fleet's
    check-ins and orders add millions a day).

    The previous totals are taken as they are only from an epoch published by this version of
    the file, whose activity total is what was paid; an epoch of an older version committed the
    scheduled release instead, so after one the totals are summed from the journal once more.
    """
    published = done_steps(session, epoch - 1).get("publish", {}) if epoch > 0 else {}
    if epoch > 0 and published.get("version") != VERSION:
        return (
            activity_paid_through(session, epoch),
            account_total_through(session, BURNED, epoch),
        )
    return (
        before.cum_activity + activity_paid_in(session, epoch),
        before.cum_burned + account_total_in(session, BURNED, epoch),
    )


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
