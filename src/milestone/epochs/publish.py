"""Step `publish`: the epoch file, built from what the steps recorded, written and hashed.

The file is a pure function of the database's settled rows, so writing it again after a crash
gives the same bytes and the same hash. It is rewritten freely until the epoch is finalized;
after that it is never touched again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.epochs import epochfile
from milestone.epochs.beacon import beacon_record
from milestone.epochs.block import read_block, read_committed_dividend
from milestone.epochs.epochfile import (
    BeaconRecord,
    DividendsCommit,
    EpochFile,
    JournalBlock,
    JournalHead,
    ProgramInfo,
    Streamed,
)
from milestone.epochs.errors import SettlementError
from milestone.epochs.freeze import epoch_window
from milestone.epochs.models import (
    EpochDropRecord,
    EpochRecord,
    EpochRewardRecord,
)
from milestone.epochs.payout import FrozenRoundWeights, read_round_totals, settled_budget
from milestone.epochs.state import load_flows, load_rewards, stream_state
from milestone.epochs.steps import Settlement, done_steps, from_hex, load_epoch, record_step
from milestone.rules.epoch_state import CumulativeTotals
from milestone.rules.journal import calculate_activity_paid
from milestone.storage.stream import stream_rows

ZERO_HASH = bytes(32)


def epoch_file_path(ctx: Settlement, epoch: int) -> Path:
    return ctx.epochs_dir / epochfile.file_name(epoch)


def build_epoch_file(ctx: Settlement, session: Session, epoch: int) -> EpochFile:
    """The epoch file of `epoch` from the database (its `state` step must be done)."""
    row = load_epoch(session, epoch)
    if row.state_root is None or row.seed is None or row.journal_head is None:
        raise SettlementError(f"epoch {epoch} is not settled far enough to publish")
    previous = session.get(EpochRecord, epoch - 1) if epoch > 0 else None
    params = ctx.program.parameters
    members, commits, reveals = beacon_record(session, epoch)
    rewards, _ = load_rewards(session, epoch)
    flows, _ = load_flows(session, epoch)
    start, end = epoch_window(ctx, epoch)
    moves = done_steps(session, epoch)["freeze"]["moves"]
    journal_previous = _journal_head(previous)
    block = read_block(session, epoch, journal_previous.hash, params, row.cum_mined or 0)
    last_seq = block.entries[-1]["seq"] if block.entries else journal_previous.seq
    dividends_root = bytes(row.dividends_root or ZERO_HASH)
    record_epoch, entitlements = read_committed_dividend(session, dividends_root)
    return EpochFile(
        epoch=epoch,
        program=ProgramInfo(
            parameters=params,
            parameters_hash=ctx.program.parameters_hash,
            genesis=ctx.program.genesis,
            chain_id=ctx.chain_id,
            contract=from_hex(ctx.anchor.address),
        ),
        window_start=start,
        window_end=end,
        inputs_cutoff=row.inputs_cutoff,
        budget=settled_budget(params, epoch, row.rollover_in, read_round_totals(session, epoch)),
        rollover_out=row.rollover_out or 0,
        beacon=BeaconRecord(tuple(members), tuple(commits), tuple(reveals), bytes(row.seed)),
        weights=stream_weights(session, epoch),
        weights_root=bytes(row.weights_root),
        total_weight=row.total_weight,
        drops=_load_drops(session, epoch),
        rewards=rewards,
        rewards_root=bytes(row.rewards_root or ZERO_HASH),
        flows=flows,
        moves=tuple((from_hex(old), from_hex(new)) for old, new in moves),
        balances=Streamed(lambda: stream_state(session, by_address=True)),
        state_root=bytes(row.state_root),
        journal_previous=journal_previous,
        journal_head=JournalHead(last_seq, block.head),
        previous_file_hash=bytes(previous.file_hash or ZERO_HASH) if previous else ZERO_HASH,
        dividends=DividendsCommit(
            dividends_root,
            row.dividends_fen or 0,
            row.dividends_issuer_fen or 0,
            record_epoch=record_epoch,
            entitlements=entitlements,
        ),
        block=JournalBlock(
            entries=tuple(block.entries),
            accounts=block.accounts,
            sales_keys=tuple(block.sales_keys),
            activity_paid=calculate_activity_paid(params.activity.pool, block.accounts),
        ),
        totals=CumulativeTotals(
            row.cum_mined or 0,
            row.cum_activity or 0,
            row.cum_burned or 0,
            row.cum_dividends_fen or 0,
        ),
    )


def publish(ctx: Settlement, epoch: int) -> None:
    """Write the epoch file and record its hash."""

    def work(session: Session) -> None:
        record = build_epoch_file(ctx, session, epoch)
        path = epoch_file_path(ctx, epoch)
        # Written as it is rendered, the long lists read from the database in the file's
        # order: the file is never held whole, in text or compressed.
        digest, length = epochfile.write_chunks(path, epochfile.render_chunks(record))
        row = load_epoch(session, epoch, lock=True)
        row.file_hash = digest
        # From version 3 on the head committed on-chain is the public block's, which anyone
        # recomputes from the file; the ledger's own chain stays the database's check.
        row.journal_seq, row.journal_head = record.journal_head.seq, record.journal_head.hash
        detail = {"file": path.name, "bytes": length, "version": epochfile.VERSION}
        record_step(session, ctx.clock, epoch, "publish", detail)

    ctx.database.run(work)


ROUND_WEIGHTS_BY_ADDRESS_SQL: Final[str] = (
    "SELECT address, weight FROM epoch_weight WHERE epoch = ? AND round = ? ORDER BY address"
)


def stream_weights(session: Session, epoch: int) -> Streamed[int, Streamed[bytes, int]]:
    """The frozen weights in the file's order, read one round at a time."""

    def in_round(round_index: int) -> Iterator[tuple[bytes, int]]:
        # Straight from the driver: every weight of the epoch passes here once.
        for rows in stream_rows(session, ROUND_WEIGHTS_BY_ADDRESS_SQL, (epoch, round_index)):
            yield from rows

    def rounds() -> Iterator[tuple[int, Streamed[bytes, int]]]:
        for round_index in FrozenRoundWeights(session, epoch):
            yield round_index, Streamed(partial(in_round, round_index))

    return Streamed(rounds)


def _journal_head(row: EpochRecord | None) -> JournalHead:
    if row is None or row.journal_head is None:
        return JournalHead(0, ZERO_HASH)
    return JournalHead(row.journal_seq or 0, bytes(row.journal_head))


def _load_drops(session: Session, epoch: int) -> dict[int, dict[bytes, int]]:
    address_of = {
        owner_id: bytes(address)
        for owner_id, address in session.execute(
            select(EpochRewardRecord.owner_id, EpochRewardRecord.address).where(
                EpochRewardRecord.epoch == epoch
            )
        )
    }
    drops: dict[int, dict[bytes, int]] = defaultdict(dict)
    for round_index, owner_id, amount in session.execute(
        select(EpochDropRecord.round, EpochDropRecord.owner_id, EpochDropRecord.amount).where(
            EpochDropRecord.epoch == epoch
        )
    ):
        drops[round_index][address_of[owner_id]] = amount
    return dict(drops)
