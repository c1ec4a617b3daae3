"""Freezing an epoch's inputs: the consented, accepted driving and the owners' other flows.

Both are final once the epoch is closed. Driving counts if its trip was received by the cutoff
(the epoch's end plus a grace period for uploads); a trip that arrives later never counts, for
this epoch or any other. Flows are the stone postings of the owners' accounts in journal
entries stamped with the epoch, mining excepted (the ledger stamps every entry with the epoch
of its instant, and no entry is ever stamped with an epoch that has ended).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.activities.budget import RELEASE_KIND
from milestone.ledger.accounts import ACTIVITY_BUDGET, Asset, campaign_account
from milestone.ledger.models import JournalEntryRecord, PostingRecord
from milestone.registry.models import Owner
from milestone.telemetry.models import Trip, TripRound

MINING_KIND = "mining"
OWNER_PREFIX = "owner:"
QUERY_CHUNK = 1_000
STREAM_CHUNK = 10_000
"""Rows fetched at a time from a query read as a stream."""
TRIP_OF_ROUND = (Trip.vehicle_id == TripRound.vehicle_id) & (Trip.sequence == TripRound.sequence)
"""A round share belongs to the accepted trip of the same vehicle and sequence number."""


def count_late_trips(session: Session, epoch: int, cutoff: int) -> int:
    """Trips with meters in `epoch` that the intake accepted after `cutoff`.

    The intake refuses driving of an epoch once its own cutoff has passed, so there are none
    unless the intake runs with a longer grace than the settler; then they must stop the
    settlement, or an accepted trip would silently never count.
    """
    late = session.execute(
        select(func.count(func.distinct(Trip.report_hash)))
        .join(TripRound, TRIP_OF_ROUND)
        .where(TripRound.epoch == epoch, TripRound.meters > 0, Trip.received_at > cutoff)
    ).scalar_one()
    return int(late)


def read_flows(session: Session, epoch: int) -> dict[int, dict[str, int]]:
    """Each owner's net stone movements stamped with `epoch`, by journal kind, mining excepted.

    Epoch 0 also takes in anything stamped before genesis. Kinds netting to zero are left out.
    """
    rows = session.execute(
        select(PostingRecord.account, JournalEntryRecord.kind, func.sum(PostingRecord.amount))
        .join(JournalEntryRecord, JournalEntryRecord.seq == PostingRecord.entry_seq)
        .where(
            stamped_in(epoch),
            JournalEntryRecord.kind != MINING_KIND,
            PostingRecord.asset == Asset.STONE.value,
            PostingRecord.account.startswith(OWNER_PREFIX),
        )
        .group_by(PostingRecord.account, JournalEntryRecord.kind)
    )
    flows: dict[int, dict[str, int]] = defaultdict(dict)
    for account, kind, amount in rows:
        if amount:
            flows[int(account.removeprefix(OWNER_PREFIX))][kind] = int(amount)
    return dict(flows)


def read_addresses(session: Session, owner_ids: Iterable[int]) -> dict[int, bytes]:
    """The current pseudonymous address of each owner."""
    ids = sorted(set(owner_ids))
    addresses: dict[int, bytes] = {}
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start : start + QUERY_CHUNK]
        addresses.update(
            (owner_id, bytes(address))
            for owner_id, address in session.execute(
                select(Owner.id, Owner.address).where(Owner.id.in_(chunk))
            )
            if address is not None
        )
    missing = set(ids) - set(addresses)
    if missing:
        raise LookupError(f"owners without an address: {sorted(missing)[:5]}")
    return addresses


def owners_total_in(session: Session, epoch: int) -> int:
    """Stones the owners' accounts received net in entries stamped with `epoch` (epoch 0: up
    to it), mining excepted: what the running total of their balances moves by, besides mining.
    """
    return _stone_postings(
        session,
        stamped_in(epoch),
        JournalEntryRecord.kind != MINING_KIND,
        PostingRecord.account.startswith(OWNER_PREFIX),
    )


def stamped_in(epoch: int) -> Any:
    """Entries stamped with `epoch`; epoch 0 also takes in anything stamped before genesis."""
    return JournalEntryRecord.epoch == epoch if epoch > 0 else JournalEntryRecord.epoch <= 0


def account_total_in(session: Session, account: str, epoch: int) -> int:
    """The net stone postings of `account` in entries stamped with `epoch` (epoch 0: up to
    it): what its running total moves by in the epoch."""
    return _stone_postings(session, stamped_in(epoch), PostingRecord.account == account)


def account_total_through(session: Session, account: str, epoch: int) -> int:
    """The net stone postings of `account` in entries stamped up to `epoch`."""
    return _stone_postings_through(session, epoch, PostingRecord.account == account)


def activity_paid_in(session: Session, epoch: int) -> int:
    """Activity stones paid out in entries stamped with `epoch` (epoch 0: up to it): what the
    running total `activity_paid_through` moves by in the epoch."""
    return -_stone_postings(session, stamped_in(epoch), *_activity_payments())


def activity_paid_through(session: Session, epoch: int) -> int:
    """Activity stones paid out through `epoch`: what left the released activity budget
    (`budget:activity` and the campaigns' accounts, which hold budget reserved from it) in
    entries stamped up to `epoch`.

    Releases from the reserve fill the budget and are not payments; moving budget into or back
    out of a campaign nets to zero; every other posting on these accounts is a reward paid to
    an owner (or, negative, one taken back).
    """
    return -_stone_postings_through(session, epoch, *_activity_payments())


def _activity_payments() -> tuple[Any, Any]:
    """The postings `activity_paid_through` sums: not releases, on the activity accounts."""
    campaign_prefix = campaign_account(1).removesuffix("1")
    return (
        JournalEntryRecord.kind != RELEASE_KIND,
        (PostingRecord.account == ACTIVITY_BUDGET)
        | PostingRecord.account.startswith(campaign_prefix),
    )


def _stone_postings_through(session: Session, epoch: int, *conditions: Any) -> int:
    """The sum of the stone postings meeting `conditions` in entries stamped up to `epoch`."""
    return _stone_postings(session, JournalEntryRecord.epoch <= epoch, *conditions)


def _stone_postings(session: Session, *conditions: Any) -> int:
    """The sum of the stone postings in entries meeting `conditions`."""
    total = session.execute(
        select(func.coalesce(func.sum(PostingRecord.amount), 0))
        .join(JournalEntryRecord, JournalEntryRecord.seq == PostingRecord.entry_seq)
        .where(PostingRecord.asset == Asset.STONE.value, *conditions)
    ).scalar_one()
    return int(total)
