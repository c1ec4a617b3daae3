"""Step `freeze`: check the epoch may settle, then fix its inputs, weights and budget for good."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from milestone.epochs.compute import calculate_budget
from milestone.epochs.errors import (
    ChainDisagrees,
    EpochGap,
    EpochNotClosed,
    GraceMismatch,
    SettlementError,
)
from milestone.epochs.inputs import (
    STREAM_CHUNK,
    calculate_weights,
    count_late_trips,
    read_addresses,
    read_flows,
    stream_vehicle_rounds,
)
from milestone.epochs.models import (
    FINALIZED,
    SETTLING,
    EpochFlowRecord,
    EpochRecord,
    EpochWeightRecord,
    OwnerStateRecord,
)
from milestone.epochs.steps import Settlement, hex_of, record_step
from milestone.epochs.streamtree import build_streamed_tree
from milestone.registry.models import Owner
from milestone.rules.time import epoch_start
from milestone.telemetry.closure import close_epoch


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
        budget = calculate_budget(params, epoch, rollover_in)
        session.add(
            EpochRecord(
                epoch=epoch,
                status=SETTLING,
                started_at=ctx.clock.now(),
                inputs_cutoff=cutoff,
                scheduled=budget.scheduled,
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


def freeze_weights(session: Session, epoch: int, cutoff: int, cap: int) -> None:
    """Write the epoch's weights by round and owner, vehicle by vehicle.

    The database sums the trips per vehicle and round (`stream_vehicle_rounds`); the rule
    (`calculate_weights`, the per-vehicle cap among it) runs on one vehicle at a time; an
    owner's weights from several vehicles add up in the table itself. Memory holds a vehicle
    and one chunk of rows, whatever the fleet.
    """
    pending: dict[tuple[int, int], dict[str, object]] = {}
    for vehicle_id, rounds, addresses in stream_vehicle_rounds(session, epoch, cutoff):
        weights = calculate_weights({vehicle_id: rounds}, addresses, cap)
        owner_of = {addresses[vr.owner_id]: vr.owner_id for vr in rounds.values()}
        for round_index, in_round in weights.items():
            for address, weight in in_round.items():
                key = (round_index, owner_of[address])
                if key in pending:
                    pending[key]["weight"] += weight  # type: ignore[operator]
                else:
                    pending[key] = {"epoch": epoch, "round": round_index, "owner_id": key[1],
                                    "address": address, "weight": weight}  # fmt: skip
        if len(pending) >= INSERT_CHUNK:
            _add_weights(session, list(pending.values()))
            pending.clear()
    if pending:
        _add_weights(session, list(pending.values()))


def _add_weights(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert weights, adding to a row already there (an owner with several vehicles)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(EpochWeightRecord)
    statement = statement.on_conflict_do_update(
        index_elements=["epoch", "round", "owner_id"],
        set_={"weight": EpochWeightRecord.weight + statement.excluded.weight},
    )
    # Core, not the ORM's bulk path: the rows are plain values and need no identity map.
    session.connection().execute(statement, rows)


def calculate_frozen_weights_root(session: Session, epoch: int) -> tuple[bytes, int]:
    """The weights root and total weight over the frozen rows, streamed: the same values as
    `compute.calculate_weights_root` over the same weights."""
    total = 0

    def leaves() -> Iterator[bytes]:
        nonlocal total
        rows = session.execute(
            select(EpochWeightRecord.round, EpochWeightRecord.address, EpochWeightRecord.weight)
            .where(EpochWeightRecord.epoch == epoch, EpochWeightRecord.weight > 0)
            .execution_options(yield_per=STREAM_CHUNK)
        )
        for round_index, address, weight in rows:
            total += weight
            yield round_index.to_bytes(32) + WEIGHTS_LEAF_PAD + bytes(address) + weight.to_bytes(32)

    root, _ = build_streamed_tree(leaves())
    return root, total


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
