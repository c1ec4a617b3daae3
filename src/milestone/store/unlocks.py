"""When locked stones become spendable, told to the outside as `stones.unlocked`.

Earned stones unlock two ways (`milestone.rules.store.calculate_unlock_instant`):
- **certification**: an owner the program requires to be certified holds every stone locked
  until then; `certify` records the certification and, in the same transaction, emits what it
  made spendable (`cause: certified`);
- **time**: an earning's lock of `spend_lock_days` (or a referral reward's vesting) runs out.
  No transaction marks that instant, so each epoch's finalization sweeps the window since the
  previous one (`emit_time_unlocks`, called by settlement) and emits, per owner, the earnings
  whose unlock instant fell in it (`cause: lock_elapsed`). Windows meet end to end, so each
  earning is told once; one that unlocks at the certification is told by `certify`.

An earning that was never locked (no lock days, no vesting, no certification to wait for)
emits nothing: nothing changed for the owner.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from milestone.activities.budget import program_parameters
from milestone.activities.models import OwnerStanding, Referral
from milestone.activities.standing import Standing, certify_owner, standing_of
from milestone.clock import Clock
from milestone.events import emit, emit_many, owner_address, owner_addresses
from milestone.ledger.models import JournalEntryRecord, PostingRecord
from milestone.rules.store import DAY_SECONDS, calculate_unlock_instant
from milestone.store.spending import RETURN_KINDS, spendable_of

OWNER_PREFIX = "owner:"


def certify(session: Session, clock: Clock, owner_id: int) -> Standing:
    """Certify the owner and emit the stones this made spendable, if any. No commit."""
    before = standing_of(session, owner_id)
    standing = certify_owner(session, clock, owner_id)
    if before.certified_at is not None:
        return standing  # a repeat: the first certification counts and was told then
    if not program_parameters(session).spend_requires_certification:
        return standing  # certification unlocks nothing here: time alone does
    unlocked = spendable_of(session, clock, owner_id).spendable
    if unlocked > 0:
        emit(session, "stones.unlocked", {
            "owner": owner_address(session, owner_id), "amount": str(unlocked),
            "cause": "certified",
        }, at=clock.now())
    return standing


def unlocked_by_time(session: Session, after: int, until: int) -> dict[int, int]:
    """
    Pebbles per owner whose spend lock ran out in the window `(after, until]`.

    An earning credited at `t` unlocks at `max(t + lock, certified_at, vests_at)`. The window
    holds it when that instant does, unless the instant is the certification (told by
    `certify`) or the owner is still uncertified where the program requires it, or the
    earning never was locked. Candidates: credits whose lock ends in the window, and referral
    rewards whose vesting ends in it.
    """
    params = program_parameters(session)
    lock = params.spend_lock_days * DAY_SECONDS
    first_seq, last_seq = session.execute(entries_created_in(after - lock, until - lock)).one()
    credits = [] if first_seq is None or last_seq is None else session.execute(
        owner_credits_created_in(after - lock, until - lock, first_seq, last_seq)
    ).all()
    earnings = {(seq, int(account.removeprefix(OWNER_PREFIX))): (amount, created_at)
                for seq, account, amount, created_at in credits}
    vesting = _vesting(session, {seq for seq, _ in earnings}, after, until)
    for (seq, owner_id), (amount, created_at, _) in vesting.items():
        earnings.setdefault((seq, owner_id), (amount, created_at))
    certified = _certified_at(session, {owner_id for _, owner_id in earnings})
    unlocked: dict[int, int] = defaultdict(int)
    for (seq, owner_id), (amount, created_at) in earnings.items():
        certified_at = certified.get(owner_id)
        vests_at = vesting.get((seq, owner_id), (0, 0, None))[2]
        at = calculate_unlock_instant(
            created_at, params.spend_lock_days, certified_at,
            params.spend_requires_certification, vests_at,
        )
        if at is None or not after < at <= until or at == created_at:
            continue
        if params.spend_requires_certification and at == certified_at:
            continue
        unlocked[owner_id] += amount
    return dict(unlocked)


def entries_created_in(after: int, until: int) -> Select[int | None, int | None]:
    """The first and last sequence numbers of the journal entries created in `(after, until]`
    (both None if there are none), read through the journal's index on `created_at`
    (revision 0018): the journal only grows, and a sweep runs at every finalization."""
    window = (JournalEntryRecord.created_at > after) & (JournalEntryRecord.created_at <= until)
    # `seq + 0`, not `seq`: PostgreSQL would answer a bare min(seq) by walking the primary key
    # from its start, filtering on the time, instead of reading the window off the index.
    return select(
        func.min(JournalEntryRecord.seq + 0), func.max(JournalEntryRecord.seq + 0)
    ).where(window)


def owner_credits_created_in(
    after: int, until: int, first_seq: int, last_seq: int
) -> Select[int, str, int, int]:
    """`(seq, account, pebbles, created at)` of the stones credited to owners by the journal
    entries created in `(after, until]`, returns excepted; `first_seq` and `last_seq` are the
    window's (`entries_created_in`). The bounds on the postings are redundant, but let the
    database read them as one range of their primary key instead of scanning them all."""
    return (
        select(PostingRecord.entry_seq, PostingRecord.account, PostingRecord.amount,
               JournalEntryRecord.created_at)
        .join(JournalEntryRecord, JournalEntryRecord.seq == PostingRecord.entry_seq)
        .where(
            PostingRecord.entry_seq >= first_seq,
            PostingRecord.entry_seq <= last_seq,
            JournalEntryRecord.created_at > after,
            JournalEntryRecord.created_at <= until,
            JournalEntryRecord.kind.not_in(RETURN_KINDS),
            PostingRecord.account.startswith(OWNER_PREFIX),
            PostingRecord.asset == "STONE",
            PostingRecord.amount > 0,
        )
    )


def emit_time_unlocks(session: Session, after: int, until: int) -> None:
    """One `stones.unlocked` per owner whose locks ran out in `(after, until]`. No commit."""
    unlocked = unlocked_by_time(session, after, until)
    addresses = owner_addresses(session, list(unlocked))
    emit_many(session, "stones.unlocked", [
        {"owner": addresses[owner_id], "amount": str(amount), "cause": "lock_elapsed"}
        for owner_id, amount in sorted(unlocked.items(), key=lambda item: addresses[item[0]])
    ], at=until)


def _vesting(
    session: Session, seqs: set[int], after: int, until: int
) -> dict[tuple[int, int], tuple[int, int, int]]:
    """`(seq, owner) -> (pebbles, credited at, vests at)` of referral rewards that vest:
    those credited by the entries `seqs`, and those whose vesting ends in the window."""
    rows = session.execute(
        select(Referral.entry_seq, Referral.buyer_id, Referral.referrer_id, Referral.buyer_reward,
               Referral.referrer_reward, Referral.vests_at, JournalEntryRecord.created_at)
        .join(JournalEntryRecord, JournalEntryRecord.seq == Referral.entry_seq)
        .where(
            Referral.vests_at.is_not(None),
            Referral.entry_seq.in_(seqs)
            | (Referral.vests_at > after) & (Referral.vests_at <= until),
        )
    )
    vesting: dict[tuple[int, int], tuple[int, int, int]] = {}
    for seq, buyer, referrer, buyer_reward, referrer_reward, vests_at, created_at in rows:
        for owner_id, amount in ((buyer, buyer_reward), (referrer, referrer_reward)):
            if amount and seq is not None and vests_at is not None:
                vesting[(seq, owner_id)] = (amount, created_at, vests_at)
    return vesting


def _certified_at(session: Session, owner_ids: set[int]) -> dict[int, int]:
    rows = session.execute(
        select(OwnerStanding.owner_id, OwnerStanding.certified_at)
        .where(OwnerStanding.owner_id.in_(owner_ids), OwnerStanding.certified_at.is_not(None))
    )
    return {owner_id: certified_at for owner_id, certified_at in rows if certified_at is not None}
