"""An epoch's block of the journal in public form: every entry, pseudonymous, justified.

Which entries belong to epoch E: every entry the ledger stamped with E (for epoch 0, also those
stamped before genesis), except the settlement's own entries (`mining`, `activity.release`),
which belong to the epoch they settle, and the genesis entry, which belongs to epoch 0,
whenever they were posted. Owners appear by their
pseudonymous address, every other account by its ledger name; internal owner numbers,
idempotency keys and free metadata stay in the database. Each entry carries what justifies its
amounts under a rule (docs/epoch-file.md, "Justifications"); the auditor checks them
(`milestone.audit.justify`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session

from milestone.activities.models import ActivityRelease, Campaign, CheckIn, Referral, SalesSystem
from milestone.epochs.inputs import MINING_KIND, OWNER_PREFIX, read_addresses
from milestone.ledger.accounts import ACTIVITY_BUDGET, ACTIVITY_RESERVE, MINING_RESERVE
from milestone.ledger.models import JournalEntryRecord, PostingRecord
from milestone.rules.journal import calculate_block_head
from milestone.rules.params import Parameters
from milestone.store.models import StoreOrder, TransferAllowance

RELEASE_KIND: Final[str] = "activity.release"
GENESIS_KIND: Final[str] = "genesis"
SETTLEMENT_KINDS: Final[frozenset[str]] = frozenset({MINING_KIND, RELEASE_KIND, GENESIS_KIND})
"""Entries that belong to the epoch they settle (genesis: epoch 0), not to the epoch they were
posted in (a program is often initialized on a later day than its genesis)."""

Justification = dict[str, Any]
UNJUSTIFIED: Final[Justification] = {"rule": "none"}
PublicEntry = dict[str, Any]
"""`{seq, kind, created_at, epoch, postings: [[account, asset, amount], …], justification}`."""


@dataclass(frozen=True)
class Block:
    """One epoch's public journal entries, the head they chain to, and every account after them."""

    entries: list[PublicEntry]
    head: bytes
    accounts: dict[tuple[str, str], int]
    """Every balance after the block except the owners' stones (those are the state tree):
    `(account, asset) → amount`, owners by address, zero balances kept."""
    sales_keys: list[str]
    """The public keys of the sales systems whose confirmations the block relies on."""


def read_block(
    session: Session, epoch: int, previous_head: bytes, params: Parameters, cum_mined: int
) -> Block:
    """Epoch `epoch`'s block as the epoch file publishes it, chained onto `previous_head`."""
    records = _block_entries(session, epoch)
    postings = _postings_of(session, [record.seq for record in records])
    owner_ids = {
        int(account.removeprefix(OWNER_PREFIX))
        for lines in postings.values()
        for account, _, _ in lines
        if account.startswith(OWNER_PREFIX)
    }
    justify = _Justifier(session, params, epoch)
    owner_ids |= justify.owners_named(records)
    addresses = read_addresses(session, owner_ids)

    def public(account: str) -> str:
        if account.startswith(OWNER_PREFIX):
            return "0x" + addresses[int(account.removeprefix(OWNER_PREFIX))].hex()
        return account

    entries = [
        {
            "seq": record.seq,
            "kind": record.kind,
            "created_at": record.created_at,
            "epoch": record.epoch,
            "postings": [[public(a), asset, amount] for a, asset, amount in postings[record.seq]],
            "justification": justify.of(record, json.loads(record.metadata_json), addresses),
        }
        for record in records
    ]
    return Block(
        entries=entries,
        head=calculate_block_head(previous_head, entries),
        accounts=_accounts_after(session, epoch, cum_mined),
        sales_keys=sorted(justify.sales_keys),
    )


def _block_entries(session: Session, epoch: int) -> list[JournalEntryRecord]:
    stamped = JournalEntryRecord.epoch == epoch if epoch > 0 else JournalEntryRecord.epoch <= 0
    settling = [
        and_(
            JournalEntryRecord.kind == MINING_KIND,
            JournalEntryRecord.idempotency_key.startswith(f"{MINING_KIND}:{epoch}:"),
        ),
        JournalEntryRecord.idempotency_key == f"{RELEASE_KIND}:{epoch}",
    ]
    if epoch == 0:
        settling.append(JournalEntryRecord.kind == GENESIS_KIND)
    own = and_(stamped, JournalEntryRecord.kind.not_in(SETTLEMENT_KINDS))
    return list(
        session.execute(
            select(JournalEntryRecord).where(or_(own, *settling)).order_by(JournalEntryRecord.seq)
        ).scalars()
    )


def _postings_of(session: Session, seqs: list[int]) -> dict[int, list[tuple[str, str, int]]]:
    postings: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for start in range(0, len(seqs), 1_000):
        chunk = seqs[start : start + 1_000]
        for seq, account, asset, amount in session.execute(
            select(
                PostingRecord.entry_seq,
                PostingRecord.account,
                PostingRecord.asset,
                PostingRecord.amount,
            )
            .where(PostingRecord.entry_seq.in_(chunk))
            .order_by(PostingRecord.entry_seq, PostingRecord.position)
        ):
            postings[seq].append((account, asset, amount))
    return postings


def _accounts_after(session: Session, epoch: int, cum_mined: int) -> dict[tuple[str, str], int]:
    """Every balance but the owners' stones after blocks 0..epoch.

    Entries other than the settlement's are summed by stamp; the settlement's own move only the
    two reserves and the activity budget, by exactly what was mined and released through the
    epoch.
    """
    rows = session.execute(
        select(PostingRecord.account, PostingRecord.asset, func.sum(PostingRecord.amount))
        .join(JournalEntryRecord, JournalEntryRecord.seq == PostingRecord.entry_seq)
        .where(
            or_(
                and_(
                    JournalEntryRecord.epoch <= epoch,
                    JournalEntryRecord.kind.not_in(SETTLEMENT_KINDS),
                ),
                JournalEntryRecord.kind == GENESIS_KIND,
            )
        )
        .group_by(PostingRecord.account, PostingRecord.asset)
    )
    balances: dict[tuple[str, str], int] = defaultdict(int)
    owner_stone: list[str] = []
    for account, asset, amount in rows:
        if account.startswith(OWNER_PREFIX) and asset == "STONE":
            owner_stone.append(account)
            continue
        balances[(account, asset)] += int(amount)
    released = session.execute(
        select(func.coalesce(func.sum(ActivityRelease.amount), 0)).where(
            ActivityRelease.epoch <= epoch
        )
    ).scalar_one()
    balances[(MINING_RESERVE, "STONE")] -= cum_mined
    balances[(ACTIVITY_RESERVE, "STONE")] -= int(released)
    balances[(ACTIVITY_BUDGET, "STONE")] += int(released)
    # Owners holding fen from earlier epochs' dividends need not appear in this block.
    addresses = read_addresses(
        session,
        [int(a.removeprefix(OWNER_PREFIX)) for a, _ in balances if a.startswith(OWNER_PREFIX)],
    )

    def name(account: str) -> str:
        if account.startswith(OWNER_PREFIX):
            return "0x" + addresses[int(account.removeprefix(OWNER_PREFIX))].hex()
        return account

    return {(name(account), asset): amount for (account, asset), amount in balances.items()}


class _Justifier:
    """Builds each entry's justification from the entry and the rows its service kept."""

    def __init__(self, session: Session, params: Parameters, epoch: int) -> None:
        self.session, self.params, self.epoch = session, params, epoch
        self.sales_keys: set[str] = set()

    def owners_named(self, records: list[JournalEntryRecord]) -> set[int]:
        """Owners a justification names besides the postings (a referral's referrer at 0)."""
        named: set[int] = set()
        for record in records:
            if record.kind == "activity.referral":
                order_id = json.loads(record.metadata_json)["order_id"]
                named.update(
                    self.session.execute(
                        select(Referral.buyer_id, Referral.referrer_id).where(
                            Referral.order_id == order_id
                        )
                    ).one()
                )
        return named

    def of(
        self, record: JournalEntryRecord, metadata: Mapping[str, Any], addresses: dict[int, bytes]
    ) -> dict[str, Any]:
        build = getattr(self, "_" + record.kind.replace(".", "_"), None)
        if build is None:
            return dict(UNJUSTIFIED)
        try:
            justification: Justification = build(record, metadata, addresses)
        except (KeyError, TypeError, LookupError, AssertionError, NoResultFound):
            # An entry its service's rows cannot account for (written around the service) is
            # published as it is, unjustified: settlement goes on, and every audit names it.
            return dict(UNJUSTIFIED)
        return justification

    def _genesis(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {"rule": "genesis"}

    def _mining(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {"rule": "drops", "epoch": metadata["epoch"], "rounds": metadata["rounds"]}

    def _activity_release(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {"rule": "activity_release", "epoch": metadata["epoch"]}

    def _activity_checkin(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        previous = self.session.execute(
            select(CheckIn.day, CheckIn.streak)
            .where(CheckIn.owner_id == metadata["owner_id"], CheckIn.entry_seq < record.seq)
            .order_by(CheckIn.entry_seq.desc())
            .limit(1)
        ).first()
        return {
            "rule": "checkin",
            "day": metadata["day"],
            "streak": metadata["streak"],
            "previous": None if previous is None else [previous[0], previous[1]],
        }

    def _activity_referral(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        referral = self.session.execute(
            select(Referral).where(Referral.order_id == metadata["order_id"])
        ).scalar_one()
        system = self.session.get(SalesSystem, referral.sales_system_id)
        key = "0x" + bytes(system.public_key).hex() if system is not None else None
        if key is not None:
            self.sales_keys.add(key)
        return {
            "rule": "referral",
            "confirmation": {
                "order_id": referral.order_id,
                "vin": referral.vin,
                "buyer_id": referral.buyer_id,
                "delivered_at": referral.delivered_at,
                "signature": "0x" + bytes(referral.signature or b"").hex(),
            },
            "sales_key": key,
            "buyer": "0x" + addresses[referral.buyer_id].hex(),
            "referrer": "0x" + addresses[referral.referrer_id].hex(),
            "referrer_outcome": metadata["referrer_outcome"],
            "vests_at": metadata["vests_at"],
        }

    def _campaign(self, campaign_id: int) -> dict[str, Any]:
        campaign = self.session.get(Campaign, campaign_id)
        assert campaign is not None
        return {
            "id": campaign.id,
            "name": campaign.name,
            "budget": campaign.budget,
            "reward": campaign.reward,
            "per_account_cap": campaign.per_owner_cap,
            "proof": campaign.proof,
            "starts_at": campaign.starts_at,
            "ends_at": campaign.ends_at,
        }

    def _activity_campaign_fund(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {"rule": "campaign_fund", "campaign": self._campaign(metadata["campaign_id"])}

    def _activity_campaign(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {
            "rule": "campaign",
            "campaign": self._campaign(metadata["campaign_id"]),
            "evidence": metadata["proof"],
        }

    def _activity_campaign_close(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {"rule": "campaign_close", "campaign": self._campaign(metadata["campaign_id"])}

    def _order(self, rule: str, metadata: Any) -> Justification:
        order = self.session.get(StoreOrder, metadata["order_id"])
        assert order is not None
        return {
            "rule": rule,
            "order_id": order.id,
            "merchant": f"merchant:{order.merchant_id}",
            "stones": order.stones,
            "fulfilled_to": self.params.fulfilled_orders_to,
        }

    def _store_order(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return self._order("order", metadata)

    def _store_fulfil(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return self._order("fulfil", metadata)

    def _store_cancel(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return self._order("refund", metadata)

    def _store_refund(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return self._order("refund", metadata)

    def _owner_transfer(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        allowlisted = (
            self.session.get(TransferAllowance, (metadata["from"], metadata["to"])) is not None
        )
        return {
            "rule": "transfer",
            "policy": self.params.transfer_policy,
            "allowlisted": allowlisted,
        }

    def _dividend_declare(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {
            "rule": "dividend_declare",
            "dividend_id": metadata["dividend_id"],
            "record_epoch": metadata["record_epoch"],
            "root": metadata["root"],
            # The declared amount and the issuer's part (per-stone dividends). A declaration
            # made before the issuer's part existed (migration 0010) names neither: it declared
            # exactly what it posted, split per circulating stone.
            "amount_fen": metadata.get("amount_fen"),
            "issuer_fen": metadata.get("issuer_fen", 0),
            "mode": metadata.get("mode", "per_circulating"),
        }

    def _dividend_entitle(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        declared = self.session.execute(
            select(JournalEntryRecord.metadata_json).where(
                JournalEntryRecord.idempotency_key == f"dividend.declare:{metadata['dividend_id']}"
            )
        ).scalar_one()
        # The entitlements are justified by the declaration's terms.
        terms = self._dividend_declare(record, json.loads(declared), addresses)
        return {**terms, "rule": "dividend_entitle"}

    def _dividend_payout(self, record: Any, metadata: Any, addresses: Any) -> Justification:
        return {"rule": "dividend_payout", "dividend_id": metadata["dividend_id"]}


def read_committed_dividend(session: Session, root: bytes) -> tuple[int | None, dict[bytes, int]]:
    """The record epoch and the entitlements (by address) of the dividend whose root is `root`.

    Read from the journal's own declaration and entitlement entries, so that settlement needs
    nothing of the dividends package (which depends on it). `(None, {})` for the zero root.
    """
    if root == bytes(32):
        return None, {}
    declared = session.execute(
        select(JournalEntryRecord.metadata_json).where(
            JournalEntryRecord.kind == "dividend.declare",
            JournalEntryRecord.metadata_json.contains(f'"root":"0x{root.hex()}"'),
        )
    ).scalar_one()
    declaration = json.loads(declared)
    entitle = session.execute(
        select(JournalEntryRecord.seq).where(
            JournalEntryRecord.idempotency_key == f"dividend.entitle:{declaration['dividend_id']}"
        )
    ).scalar_one()
    owners = {
        int(account.removeprefix(OWNER_PREFIX)): amount
        for account, _, amount in _postings_of(session, [entitle])[entitle]
        if account.startswith(OWNER_PREFIX)
    }
    addresses = read_addresses(session, owners)
    return declaration["record_epoch"], {addresses[o]: fen for o, fen in owners.items()}
