"""What a simulated program shows, read back from the ledger and the settled epochs.

The simulator's own counters say what was attempted; every amount here comes from the
database the services wrote (balances, epochs, drops), so the summary cannot flatter the run.
It asks each domain's own queries (ledger, epochs, telemetry, activities, store, dividends)
and reads no table itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from milestone.activities.queries import count_checkins, count_referrals_paid
from milestone.dividends.totals import dividend_totals
from milestone.epochs.totals import epochs_paid, mined_by_owner, owners_paid_by_epoch, round_totals
from milestone.ledger.queries import balances, totals
from milestone.ledger.verify import verify_ledger
from milestone.program.service import load_program
from milestone.rules.schedule import calculate_cumulative_release, calculate_epoch_budget
from milestone.sim.fairness import Fairness, measure_fairness, per_100km
from milestone.sim.state import SimStats
from milestone.store.orders import FULFILLED, count_orders
from milestone.telemetry.queries import (
    counted_meters_by_epoch,
    counted_meters_by_owner,
    rejection_counts,
)

WEEK = 7
"""Epochs in a week: per-kilometre rates are compared week by week, weekends with weekends."""


@dataclass
class EpochLine:
    """One settled epoch: what it paid against its schedule, and the driving it paid for."""

    epoch: int
    scheduled: int
    paid: int
    rollover_out: int
    cum_mined: int
    cum_mining_schedule: int
    counted_meters: int
    owners_paid: int


@dataclass
class DemoSummary:
    """The demo's verdict and figures; `to_json` is what `milestone demo --json` prints."""

    preset: str
    days: int
    owners: int
    vehicles: int
    epochs_settled: int
    released_pebbles: int
    schedule_pebbles: int
    mined_pebbles: int
    mining_schedule_pebbles: int
    activity_released_pebbles: int
    drops: int
    checkins: int
    referrals_paid: int
    campaign_participations: int
    orders_fulfilled: int
    burned_pebbles: int
    dividend_fen: int
    """Declared: per stone, the stake's dividend; the holders' and the issuer's parts sum to it."""
    dividend_holders_fen: int
    dividend_issuer_fen: int
    dividend_entitled_fen: int
    conserved: bool
    ledger_intact: bool
    audit_passed: bool | None
    audit_epochs: int
    early_owner_stones_per_100km: float | None
    later_owner_stones_per_100km: float | None
    stones_per_100km_by_week: list[float | None]
    uploads: int
    accepted_trips: int
    rejections_by_code: dict[str, int]
    refusals_by_code: dict[str, int]
    attacks_by_kind: dict[str, int]
    consent_revocations: int
    fairness: Fairness | None = None
    epochs: list[EpochLine] = field(default_factory=list)
    holdings: list[int] = field(default_factory=list)
    parties: dict[str, Any] = field(default_factory=dict)
    """Who settled the program: operator, beacon members and attestors with the threshold."""

    def to_json(self) -> dict[str, Any]:
        """Everything, amounts as integers (pebbles, fen); no floats in a money field."""
        return asdict(self)


def summarize(
    session: Session, stats: SimStats, days: int, audit_passed: bool | None, audit_epochs: int
) -> DemoSummary:
    """Read the program back and put it next to what the simulation did."""
    program = load_program(session)
    params = program.parameters
    lines = _epoch_lines(session, params, program.genesis)
    last = lines[-1].epoch if lines else -1
    mining_schedule = calculate_cumulative_release(params.mining, last) if last >= 0 else 0
    activity_schedule = calculate_cumulative_release(params.activity, last) if last >= 0 else 0
    total = totals(session)
    mined = params.mining.pool - total.mining_reserve
    activity = params.activity.pool - total.activity_reserve
    owner_balances = balances_of_owners(session)
    dividends = dividend_totals(session)
    early, later = _stones_per_100km_by_cohort(session, stats)
    return DemoSummary(
        preset=params.name, days=days, owners=stats.owners, vehicles=stats.vehicles,
        epochs_settled=len(lines),
        released_pebbles=mined + activity, schedule_pebbles=mining_schedule + activity_schedule,
        mined_pebbles=mined, mining_schedule_pebbles=mining_schedule,
        activity_released_pebbles=activity, drops=_count_drops(session, params.drop_size),
        checkins=count_checkins(session), referrals_paid=count_referrals_paid(session),
        campaign_participations=stats.campaign_participations,
        orders_fulfilled=count_orders(session, FULFILLED),
        burned_pebbles=total.burned,
        dividend_fen=dividends.declared_fen, dividend_holders_fen=dividends.holders_fen,
        dividend_issuer_fen=dividends.issuer_fen, dividend_entitled_fen=dividends.entitled_fen,
        conserved=total.reconciles and total.issued == params.total_supply,
        ledger_intact=verify_ledger(session).ok,
        audit_passed=audit_passed, audit_epochs=audit_epochs,
        early_owner_stones_per_100km=early, later_owner_stones_per_100km=later,
        stones_per_100km_by_week=stones_per_100km_by_week(lines),
        uploads=stats.uploads, accepted_trips=stats.accepted_trips,
        rejections_by_code=dict(sorted(rejection_counts(session).items())),
        refusals_by_code=dict(sorted(stats.refusals_by_code.items())),
        attacks_by_kind=dict(sorted(stats.attacks_by_kind.items())),
        consent_revocations=stats.consent_revocations,
        fairness=measure_fairness(session, params),
        epochs=lines, holdings=sorted(owner_balances.values(), reverse=True),
    )


def balances_of_owners(session: Session) -> dict[int, int]:
    """Every owner's non-zero stone balance now, by owner id."""
    return {
        int(name.rpartition(":")[2]): amount
        for name, amount in balances(session, kind="owner").items()
    }


def _epoch_lines(session: Session, params: Any, genesis: int) -> list[EpochLine]:
    meters = counted_meters_by_epoch(session, genesis, params.epoch_seconds)
    owners_paid = owners_paid_by_epoch(session)
    return [
        EpochLine(
            epoch=epoch.epoch, scheduled=calculate_epoch_budget(params.mining, epoch.epoch),
            paid=epoch.paid, rollover_out=epoch.rollover_out, cum_mined=epoch.cum_mined,
            cum_mining_schedule=calculate_cumulative_release(params.mining, epoch.epoch),
            counted_meters=meters.get(epoch.epoch, 0),
            owners_paid=owners_paid.get(epoch.epoch, 0),
        )
        for epoch in epochs_paid(session)
    ]


def _count_drops(session: Session, drop_size: int) -> int:
    """Drops paid: each round's total cut into `drop_size` pieces, the last one smaller
    (so a round paying `t` pebbles made ceil(t / drop_size) drops)."""
    return sum(-(-total // drop_size) for total in round_totals(session))


def _stones_per_100km_by_cohort(
    session: Session, stats: SimStats
) -> tuple[float | None, float | None]:
    """Mined stones per 100 km counted, for the owners of day 0 and for those who came later.

    A display ratio (float), never an amount: it shows what joining early is worth.
    """
    mined = mined_by_owner(session)
    meters = counted_meters_by_owner(session)
    cohorts: dict[bool, list[int]] = {True: [0, 0], False: [0, 0]}
    for owner_id, joined in stats.joined_day_of.items():
        cohort = cohorts[joined == 0]
        cohort[0] += mined.get(owner_id, 0)
        cohort[1] += meters.get(owner_id, 0)
    return per_100km(*cohorts[True]), per_100km(*cohorts[False])


def stones_per_100km_by_week(lines: list[EpochLine]) -> list[float | None]:
    """Mined stones per 100 km counted in each whole week of settled epochs, from epoch 0.

    The early-owner advantage as the fleet sees it: what a kilometre earned in the first week
    against the last, each week with its weekend (the cohort figures above mix weeks).
    """
    whole = len(lines) // WEEK * WEEK
    return [
        per_100km(sum(line.paid for line in week), sum(line.counted_meters for line in week))
        for week in (lines[start : start + WEEK] for start in range(0, whole, WEEK))
    ]

