"""Step `freeze`: check the epoch may settle, then fix its inputs, weights and budget for good."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from milestone.epochs.compute import calculate_weights_root
from milestone.epochs.errors import (
    ChainDisagrees,
    EpochGap,
    EpochNotClosed,
    GraceMismatch,
    SettlementError,
)
from milestone.epochs.inputs import (
    calculate_weights,
    count_late_trips,
    read_addresses,
    read_flows,
    read_vehicle_rounds,
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
from milestone.rules.schedule import calculate_epoch_budget
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
        vehicles = read_vehicle_rounds(session, epoch, cutoff)
        flows = read_flows(session, epoch)
        prior = {
            owner_id: bytes(address)
            for owner_id, address in session.execute(
                select(OwnerStateRecord.owner_id, OwnerStateRecord.address)
            )
        }
        drivers = {vr.owner_id for rounds in vehicles.values() for vr in rounds.values()}
        try:
            addresses = read_addresses(session, drivers | set(flows) | set(prior))
        except LookupError as error:
            raise SettlementError(str(error)) from None
        weights = calculate_weights(vehicles, addresses, params.vehicle_epoch_cap_meters)
        root, total = calculate_weights_root(weights)
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
        owner_of = {address: owner_id for owner_id, address in addresses.items()}
        _insert(session, EpochWeightRecord, [
            {"epoch": epoch, "round": r, "owner_id": owner_of[address], "address": address,
             "weight": weight}
            for r, in_round in weights.items() for address, weight in in_round.items()
        ])  # fmt: skip
        _insert(session, EpochFlowRecord, [
            {"epoch": epoch, "owner_id": owner_id, "kind": kind, "address": addresses[owner_id],
             "amount": amount}
            for owner_id, by_kind in flows.items() for kind, amount in by_kind.items()
        ])  # fmt: skip
        moves = [
            [hex_of(old), hex_of(addresses[owner_id])]
            for owner_id, old in sorted(prior.items())
            if bytes(old) != addresses[owner_id]
        ]
        record_step(session, ctx.clock, epoch, "freeze", {"moves": moves})

    ctx.database.run(work)


INSERT_CHUNK = 10_000


def _insert(session: Session, model: type, rows: list[dict[str, object]]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(model), rows[start : start + INSERT_CHUNK])
