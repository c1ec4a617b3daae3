"""What an owner may spend now: the balance less the stones still under the spend lock.

Every stone credited to an owner is an earning (mining drops, activity rewards, transfers
received) except stones coming back from a cancelled or refunded order, which were spendable
when they left. An earning unlocks `spend_lock_days` after it was credited, and not before the
owner is certified when the program requires it; a vesting referral reward also waits for its
vesting instant (`milestone.rules.store`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.activities.budget import program_parameters
from milestone.activities.referrals import vesting_rewards
from milestone.activities.standing import standing_of
from milestone.clock import Clock
from milestone.ledger import Asset, balance_of, owner_account
from milestone.ledger.errors import InsufficientBalance
from milestone.ledger.models import JournalEntryRecord, PostingRecord
from milestone.rules.store import (
    DAY_SECONDS,
    Earning,
    Unlock,
    calculate_spendable,
    calculate_spendable_from,
    calculate_unlock_instant,
    calculate_unlock_schedule,
)
from milestone.rules.units import format_pebbles
from milestone.store.errors import StonesLocked

RETURN_KINDS = ("store.cancel", "store.refund")
"""Credits that give back stones an owner already spent: never locked again."""


@dataclass(frozen=True)
class Spendable:
    balance: int
    spendable: int
    certified: bool
    next_unlock: int | None
    """When more stones unlock, if any are locked and will unlock on their own."""

    @property
    def locked(self) -> int:
        return self.balance - self.spendable


def locked_earnings(session: Session, clock: Clock, owner_id: int) -> list[Earning]:
    """The owner's earnings still locked now, each with its unlock instant (None: certify)."""
    params = program_parameters(session)
    now = clock.now()
    lock_seconds = params.spend_lock_days * DAY_SECONDS
    certified_at = standing_of(session, owner_id).certified_at
    if params.spend_requires_certification and certified_at is None:
        return [Earning(balance_of(session, owner_account(owner_id)), None)]
    credits = session.execute(
        select(PostingRecord.entry_seq, PostingRecord.amount, JournalEntryRecord.created_at)
        .join(JournalEntryRecord, JournalEntryRecord.seq == PostingRecord.entry_seq)
        .where(
            PostingRecord.account == owner_account(owner_id),
            PostingRecord.asset == Asset.STONE.value,
            PostingRecord.amount > 0,
            JournalEntryRecord.created_at > now - lock_seconds,
            JournalEntryRecord.kind.not_in(RETURN_KINDS),
        )
    ).all()
    vesting = {
        seq: (amount, vests_at) for seq, amount, vests_at in vesting_rewards(session, owner_id, now)
    }
    earnings = [
        Earning(
            amount,
            calculate_unlock_instant(
                created_at, params.spend_lock_days, certified_at,
                params.spend_requires_certification, vesting.pop(seq, (0, None))[1],
            ),
        )
        for seq, amount, created_at in credits
    ]
    # Vesting rewards credited before the lock window are locked by their vesting alone.
    earnings += [Earning(amount, vests_at) for amount, vests_at in vesting.values()]
    return [e for e in earnings if e.unlocks_at is None or e.unlocks_at > now]


def spendable_of(session: Session, clock: Clock, owner_id: int) -> Spendable:
    """The owner's balance, what of it is spendable now, and when more unlocks."""
    balance = balance_of(session, owner_account(owner_id))
    earnings = locked_earnings(session, clock, owner_id)
    pending = [e.unlocks_at for e in earnings if e.unlocks_at is not None]
    return Spendable(
        balance=balance,
        spendable=calculate_spendable(balance, earnings, clock.now()),
        certified=standing_of(session, owner_id).certified_at is not None,
        next_unlock=min(pending) if pending else None,
    )


def require_spendable(session: Session, clock: Clock, owner_id: int, amount: int) -> None:
    """Refuse to spend `amount` the owner does not hold, or holds but may not spend yet."""
    balance = balance_of(session, owner_account(owner_id))
    if amount > balance:
        raise InsufficientBalance(
            f"the balance is {format_pebbles(balance)} stones, {format_pebbles(amount)} needed",
            account=owner_account(owner_id), balance=balance,
        )
    earnings = locked_earnings(session, clock, owner_id)
    now = clock.now()
    spendable = calculate_spendable(balance, earnings, now)
    if amount <= spendable:
        return
    when = calculate_spendable_from(balance, earnings, amount, now)
    if when is None:
        raise StonesLocked(
            f"{format_pebbles(spendable)} of the {format_pebbles(balance)} stones held are "
            "spendable: earned stones can be spent only once the owner is certified",
            spendable=spendable, spendable_from=None,
        )
    raise StonesLocked(
        f"{format_pebbles(spendable)} of the {format_pebbles(balance)} stones held are "
        f"spendable now; {format_pebbles(amount)} will be on {_iso(when)}",
        spendable=spendable, spendable_from=when,
    )


def _iso(instant: int) -> str:
    return datetime.datetime.fromtimestamp(instant, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def unlock_schedule_of(session: Session, clock: Clock, owner_id: int) -> list[Unlock]:
    """When the owner's locked stones become spendable, soonest first (`milestone.rules`)."""
    balance = balance_of(session, owner_account(owner_id))
    earnings = locked_earnings(session, clock, owner_id)
    return calculate_unlock_schedule(balance, earnings, clock.now())
