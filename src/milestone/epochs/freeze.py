"""Step `freeze`: check the epoch may settle, then fix its inputs, weights and budget for good."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from milestone.epochs.errors import (
    ChainDisagrees,
    EpochGap,
    EpochNotClosed,
    GraceMismatch,
    SettlementError,
)
from milestone.epochs.inputs import (
    count_late_trips,
    read_addresses,
    read_flows,
)
from milestone.epochs.models import (
    FINALIZED,
    SETTLING,
    EpochFlowRecord,
    EpochRecord,
    OwnerStateRecord,
)
from milestone.epochs.steps import Settlement, hex_of, record_step
from milestone.epochs.streamtree import build_streamed_tree
from milestone.registry.models import Owner
from milestone.rules.schedule import calculate_epoch_budget
from milestone.rules.time import epoch_start
from milestone.rules.weights import BASIS_POINTS
from milestone.storage.stream import stream_rows
from milestone.telemetry.closure import close_epoch
from milestone.telemetry.models import TripRound


def epoch_window(ctx: Settlement, epoch: int) -> tuple[int, int]:
    """The epoch's `[start, end)` in Unix seconds."""
    seconds = ctx.program.parameters.epoch_seconds
    start = epoch_start(epoch, ctx.program.genesis, seconds)
    return start, start + seconds


def inputs_cutoff(ctx: Settlement, epoch: int) -> int:
    """The last instant a trip of the epoch may be received and still count."""
    return epoch_window(ctx, epoch)[1] + ctx.grace_seconds


def check_may_settle(ctx: Settlement, session: Session, epoch: int, next_on_chain: int) -> None:
    """Refuse an epoch that has not closed, one whose predecessor is not final, or a chain that
    has moved elsewhere (`next_on_chain`, read before any transaction: a database write lock is
    never held across a call to the node)."""
    cutoff = inputs_cutoff(ctx, epoch)
    if ctx.clock.now() < cutoff:
        raise EpochNotClosed(
            f"epoch {epoch} closes for settlement at {cutoff} (its end plus "
            f"{ctx.grace_seconds} s for late uploads); it is {ctx.clock.now()}",
            epoch=epoch,
        )
    if epoch > 0:
        status = session.execute(
            select(EpochRecord.status).where(EpochRecord.epoch == epoch - 1)
        ).scalar_one_or_none()
        if status != FINALIZED:
            raise EpochGap(f"epoch {epoch - 1} is not finalized yet; settle it first", epoch=epoch)
    if next_on_chain != epoch:
        raise ChainDisagrees(
            f"the chain expects epoch {next_on_chain} next, the database epoch {epoch}: "
            "they hold different histories",
            epoch=epoch,
            chain_next_epoch=next_on_chain,
        )


def freeze(ctx: Settlement, epoch: int) -> None:
    """Close the epoch to the intake; freeze its driving, flows and owner addresses; fix its
    weights and budget."""
    next_on_chain = ctx.anchor.program.next_epoch()

    def close(session: Session) -> None:
        check_may_settle(ctx, session, epoch, next_on_chain)
        close_epoch(session, epoch, inputs_cutoff(ctx, epoch), ctx.clock.now())

    # A transaction of its own: it waits for the intake's batches in flight, and the intake
    # need not wait for the whole freeze below.
    ctx.database.run(close)

    def work(session: Session) -> None:
        check_may_settle(ctx, session, epoch, next_on_chain)
        params = ctx.program.parameters
        cutoff = inputs_cutoff(ctx, epoch)
        late = count_late_trips(session, epoch, cutoff)
        if late:
            raise GraceMismatch(
                f"the intake accepted {late} trip(s) of epoch {epoch} after this settlement's "
                f"cutoff ({ctx.grace_seconds} s of grace): settle with the grace the intake uses "
                "(MILESTONE_SETTLE_GRACE_SECONDS), or they would never count",
                epoch=epoch,
            )
        try:
            freeze_weights(session, epoch, cutoff, params.vehicle_epoch_cap_meters)
            flows = read_flows(session, epoch)
            addresses = read_addresses(session, set(flows))
            moves = read_moves(session)
        except LookupError as error:
            raise SettlementError(str(error)) from None
        root, total = calculate_frozen_weights_root(session, epoch)
        rollover_in = 0
        if epoch > 0:
            rollover_in = (
                session.execute(
                    select(EpochRecord.rollover_out).where(EpochRecord.epoch == epoch - 1)
                ).scalar_one()
                or 0
            )
        session.add(
            EpochRecord(
                epoch=epoch,
                status=SETTLING,
                started_at=ctx.clock.now(),
                inputs_cutoff=cutoff,
                scheduled=calculate_epoch_budget(params.mining, epoch),
                rollover_in=rollover_in,
                weights_root=root,
                total_weight=total,
            )
        )
        _insert(session, EpochFlowRecord, [
            {"epoch": epoch, "owner_id": owner_id, "kind": kind, "address": addresses[owner_id],
             "amount": amount}
            for owner_id, by_kind in flows.items() for kind, amount in by_kind.items()
        ])  # fmt: skip
        record_step(session, ctx.clock, epoch, "freeze", {"moves": moves})

    ctx.database.run(work)


INSERT_CHUNK = 10_000
WEIGHTS_LEAF_PAD = bytes(12)


FREEZE_WEIGHTS_SQL: Final[str] = """
WITH shares AS (
    SELECT tr.vehicle_id, tr.round, tr.owner_id,
           CAST(SUM(tr.meters) AS BIGINT) AS owner_meters,
           CAST(SUM(tr.meters * COALESCE(tr.behaviour_bps, :basis)) AS BIGINT) AS owner_weighted,
           COUNT(tr.behaviour_bps) AS owner_with_bps
    FROM trip_round AS tr
    JOIN trip AS t ON t.vehicle_id = tr.vehicle_id AND t.sequence = tr.sequence
    WHERE tr.epoch = :epoch AND t.received_at <= :cutoff AND tr.meters > 0
    GROUP BY tr.vehicle_id, tr.round, tr.owner_id
), vehicle_rounds AS (
    SELECT vehicle_id, round, owner_id,
           CAST(SUM(owner_meters) OVER vehicle_round AS BIGINT) AS round_meters,
           CAST(SUM(owner_weighted) OVER vehicle_round AS BIGINT) AS round_weighted,
           SUM(owner_with_bps) OVER vehicle_round AS round_with_bps,
           ROW_NUMBER() OVER (
               PARTITION BY vehicle_id, round ORDER BY owner_meters DESC, owner_id
           ) AS owner_rank
    FROM shares
    WINDOW vehicle_round AS (PARTITION BY vehicle_id, round)
), credited AS (
    SELECT round, owner_id, round_meters,
           CASE WHEN round_with_bps > 0 THEN round_weighted / round_meters ELSE :basis END
               AS bps,
           COALESCE(CAST(SUM(round_meters) OVER (
               PARTITION BY vehicle_id ORDER BY round
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS BIGINT), 0) AS earlier_meters
    FROM vehicle_rounds
    WHERE owner_rank = 1
), counted AS (
    SELECT round, owner_id, bps,
           CASE WHEN earlier_meters >= :cap THEN 0
                WHEN round_meters < :cap - earlier_meters THEN round_meters
                ELSE :cap - earlier_meters END AS counted_meters
    FROM credited
)
INSERT INTO epoch_weight (epoch, round, owner_id, address, weight)
SELECT :epoch, c.round, c.owner_id, o.address,
       CAST(SUM(c.counted_meters * c.bps / :basis) AS BIGINT)
FROM counted AS c
JOIN owner AS o ON o.id = c.owner_id
GROUP BY c.round, c.owner_id, o.address
HAVING SUM(c.counted_meters * c.bps / :basis) > 0
"""
"""`milestone.rules.weights.calculate_round_weights` over the epoch's trips, in one statement.

Per vehicle and round (`rounds`): the meters of its accepted trips, summed per owner, the round
credited to the owner who drove most of them (ties: the lower id), the multiplier the
meter-weighted mean of the trips' (1.00 without behaviour consent), rounded down. Per vehicle
(`credited`): the cap used up in round order, so a round counts `min(meters, cap − meters of
the vehicle's earlier rounds)`. Per round and owner: `counted · bps // 10,000` summed over the
owner's vehicles, zero weights left out. Every quantity is a non-negative integer, so SQL's
integer division rounds down as the rule's `//` does. Tested equal to the rule
(tests/epochs/test_freeze_stream.py), on SQLite and PostgreSQL."""


def freeze_weights(session: Session, epoch: int, cutoff: int, cap: int) -> None:
    """Write the epoch's weights by round and owner, computed by the database.

    The rule (`calculate_round_weights`, the per-vehicle cap among it) runs as one SQL
    statement (`FREEZE_WEIGHTS_SQL`) that reads the epoch's round shares and writes its weights:
    nothing passes through Python per row, and the settler's memory does not grow with the
    fleet (the database sorts on disk past its cache).
    """
    missing = session.execute(
        select(Owner.id)
        .where(
            Owner.address.is_(None),
            select(TripRound.owner_id)
            .where(TripRound.epoch == epoch, TripRound.owner_id == Owner.id, TripRound.meters > 0)
            .exists(),
        )
        .order_by(Owner.id)
        .limit(5)
    ).scalars()
    missing_ids = list(missing)
    if missing_ids:
        raise LookupError(f"owners without an address: {missing_ids}")
    session.execute(
        text(FREEZE_WEIGHTS_SQL),
        {"epoch": epoch, "cutoff": cutoff, "cap": cap, "basis": BASIS_POINTS},
    )


def calculate_frozen_weights_root(session: Session, epoch: int) -> tuple[bytes, int]:
    """The weights root and total weight over the frozen rows, streamed: the same values as
    `compute.calculate_weights_root` over the same weights."""
    total = 0

    def leaves() -> Iterator[bytes]:
        nonlocal total
        # Straight from the driver: every weight of the epoch passes here once.
        for rows in stream_rows(session, FROZEN_WEIGHTS_SQL, (epoch,)):
            total += sum(weight for _, _, weight in rows)
            yield from [
                r.to_bytes(32) + WEIGHTS_LEAF_PAD + address + weight.to_bytes(32)
                for r, address, weight in rows
            ]

    root, _ = build_streamed_tree(leaves())
    return root, total


FROZEN_WEIGHTS_SQL: Final[str] = (
    "SELECT round, address, weight FROM epoch_weight WHERE epoch = ? AND weight > 0"
)


def read_moves(session: Session) -> list[list[str]]:
    """Owners whose address changed since the last state (they linked a wallet): `[old, new]`
    in owner order, read by the database rather than by loading every owner."""
    rows = session.execute(
        select(OwnerStateRecord.owner_id, OwnerStateRecord.address, Owner.address)
        .outerjoin(Owner, Owner.id == OwnerStateRecord.owner_id)
        .where((Owner.address.is_(None)) | (Owner.address != OwnerStateRecord.address))
        .order_by(OwnerStateRecord.owner_id)
    )
    moves = []
    for owner_id, old, new in rows:
        if new is None:
            raise LookupError(f"owners without an address: [{owner_id}]")
        moves.append([hex_of(bytes(old)), hex_of(bytes(new))])
    return moves


def _insert(session: Session, model: type, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(model), rows[start : start + INSERT_CHUNK])
