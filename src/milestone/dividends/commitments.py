"""Entitlement trees on-chain: which dividend root the next finalized epoch commits, and the
proof of each holder's entitlement against it.

The Program contract takes one `dividendsRoot` and the cumulative fen declared with every
`finalize`. Dividends are committed one per epoch, oldest first: settlement asks
`dividends_commitment(epoch)` while building epoch `epoch`'s finalization, which assigns it the
oldest dividend not committed yet (for good: asking again returns the same). An epoch with no
dividend to commit carries the zero root and the unchanged cumulative amount.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from milestone.dividends.declare import LEAF_TYPES, get_dividend
from milestone.dividends.errors import EntitlementsAltered, NoEntitlement
from milestone.dividends.models import Dividend, Entitlement
from milestone.dividends.trees import recall_tree, remember_tree
from milestone.ledger.journal import lock_head
from milestone.rules.merkle import StandardMerkleTree

ZERO_ROOT = bytes(32)


@dataclass(frozen=True)
class DividendsCommitment:
    epoch: int
    dividend_id: int | None
    root: bytes
    cumulative_fen: int
    """Fen of every dividend committed with this epoch or before."""
    issuer_fen: int = 0
    """The issuer's part of the dividend committed with this epoch (0 if none)."""


@dataclass(frozen=True)
class EntitlementProof:
    dividend_id: int
    owner_id: int
    address: bytes
    amount_fen: int
    root: bytes
    proof: list[bytes]
    committed_epoch: int | None


def dividends_commitment(session: Session, epoch: int) -> DividendsCommitment:
    """What epoch `epoch` commits on-chain for dividends (assigning it one if due). No commit."""
    lock_head(session)
    assigned = session.execute(
        select(Dividend).where(Dividend.committed_epoch == epoch)
    ).scalar_one_or_none()
    if assigned is None:
        latest = session.execute(select(func.max(Dividend.committed_epoch))).scalar_one()
        if latest is None or epoch > latest:
            assigned = session.execute(
                select(Dividend)
                .where(Dividend.committed_epoch.is_(None), Dividend.record_epoch < epoch)
                .order_by(Dividend.id)
                .limit(1)
            ).scalar_one_or_none()
            if assigned is not None:
                assigned.committed_epoch = epoch
                session.flush()
    cumulative = session.execute(
        select(func.coalesce(func.sum(Dividend.amount_fen), 0)).where(
            Dividend.committed_epoch <= epoch
        )
    ).scalar_one()
    return DividendsCommitment(
        epoch=epoch,
        dividend_id=None if assigned is None else assigned.id,
        root=ZERO_ROOT if assigned is None else bytes(assigned.root),
        cumulative_fen=int(cumulative),
        issuer_fen=0 if assigned is None else assigned.issuer_fen,
    )


def entitlement_tree(session: Session, dividend_id: int) -> StandardMerkleTree:
    """The dividend's entitlement tree, rebuilt from its entitlements and checked against the
    stored root.

    Building is linear in the holders (about a second for 100,000), so the last few trees stay
    in memory (`milestone.dividends.trees`).
    """
    root = bytes(get_dividend(session, dividend_id).root)
    tree = recall_tree(root)
    if tree is not None:
        return tree
    rows = session.execute(
        select(Entitlement.address, Entitlement.amount_fen).where(
            Entitlement.dividend_id == dividend_id
        )
    )
    tree = StandardMerkleTree.of(sorted((bytes(a), fen) for a, fen in rows), LEAF_TYPES)
    if tree.root != root:
        raise EntitlementsAltered(
            f"dividend {dividend_id}'s entitlements no longer give its declared root"
        )
    remember_tree(tree)
    return tree


def entitlement_proof(session: Session, dividend_id: int, owner_id: int) -> EntitlementProof:
    """The owner's entitlement and its Merkle proof against the dividend's root."""
    dividend = get_dividend(session, dividend_id)
    entitlement = session.get(Entitlement, (dividend_id, owner_id))
    if entitlement is None:
        raise NoEntitlement(f"owner {owner_id} has no share of dividend {dividend_id}")
    tree = entitlement_tree(session, dividend_id)
    value = (bytes(entitlement.address), entitlement.amount_fen)
    return EntitlementProof(
        dividend_id=dividend_id, owner_id=owner_id, address=value[0], amount_fen=value[1],
        root=bytes(dividend.root), proof=tree.get_proof(value),
        committed_epoch=dividend.committed_epoch,
    )
