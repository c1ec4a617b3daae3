"""Declaring a dividend: fen shared over the owners' stones at the end of a finalized epoch.

By default (`dividend_mode = per_stone`) the operator declares the dividend of the whole stake
and each of the supply's stones stands for its slice: the holders together get the circulating
stones' part, the issuer keeps the rest, recorded on the dividend (`issuer_fen`). Programs made
before that rule split the whole amount over the circulating stones (`per_circulating`).
A declaration above the program's ceiling (`dividend_ceiling`, by default the stake's backing)
is refused.

The holdings are the balances of the record epoch's state tree, the one settlement committed
on-chain with the epoch (`milestone.epochs.status.settled_balances`): the epoch's own mining
counts, movements posted after it do not, and each holder appears under the address the state
published. The split is the rules' largest-remainder split (`milestone.rules.dividends`) keyed
by that address, so anyone holding the epoch's published balances (its epoch file) can
recompute every entitlement. The declaration posts the fen in the ledger (`supply` →
`dividend:<id>` → each `owner:<id>`, asset `CNY_FEN`), where they wait until the fiat rails
confirm the payment, and roots the entitlements in a Merkle tree over `(address, uint256 fen)`.
"""
from __future__ import annotations

import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.dividends.errors import (
    DeclarationConflict,
    EpochNotFinalized,
    InvalidDividend,
    NoHoldersAtRecord,
    UnknownDividend,
)
from milestone.dividends.limits import check_dividend_ceiling
from milestone.dividends.models import Dividend, Entitlement
from milestone.dividends.trees import remember_tree
from milestone.epochs.status import is_epoch_finalized, settled_balances
from milestone.events import emit
from milestone.idempotency import check_request_key
from milestone.ledger import (
    SUPPLY,
    Asset,
    Posting,
    TransactionRequest,
    dividend_account,
    open_account,
    owner_account,
    post_transactions,
)
from milestone.ledger.journal import lock_head
from milestone.program.service import load_program
from milestone.rules.dividends import split_dividend, split_stake_dividend
from milestone.rules.merkle import StandardMerkleTree
from milestone.rules.units import MAX_AMOUNT

LEAF_TYPES = ("address", "uint256")
NOTE_MAX_LENGTH = 500


def declare_dividend(
    session: Session,
    clock: Clock,
    *,
    amount_fen: int,
    record_epoch: int,
    payment_date: str,
    note: str,
    key: str,
) -> Dividend:
    """Declare a dividend on a finalized epoch and post every entitlement. No commit.

    Declaring again under the same key returns the first declaration; the same key with other
    terms is refused.
    """
    key = check_request_key(key)
    _check_terms(amount_fen, record_epoch, payment_date, note)
    params = load_program(session).parameters
    check_dividend_ceiling(params.dividend_ceiling, amount_fen)
    lock_head(session)
    earlier = session.execute(
        select(Dividend).where(Dividend.declare_key == key)
    ).scalar_one_or_none()
    if earlier is not None:
        terms = (earlier.amount_fen, earlier.record_epoch, earlier.payment_date, earlier.note)
        if terms != (amount_fen, record_epoch, payment_date, note):
            raise DeclarationConflict(f"key {key!r} declared dividend {earlier.id} on other terms")
        return earlier
    if not is_epoch_finalized(session, record_epoch):
        raise EpochNotFinalized(
            f"epoch {record_epoch} is not finalized: its balances may still change",
            epoch=record_epoch,
        )
    holdings = holdings_at(session, record_epoch)
    if not holdings:
        raise NoHoldersAtRecord(f"no owner held stones at the end of epoch {record_epoch}")
    by_address = {address: balance for address, (_, balance) in holdings.items()}
    if params.dividend_mode == "per_stone":
        shares, issuer_fen = split_stake_dividend(amount_fen, by_address, params.total_supply)
    else:
        shares, issuer_fen = split_dividend(amount_fen, by_address), 0
    if not shares:
        raise NoHoldersAtRecord(
            f"{amount_fen} fen leave nothing for the holders of epoch {record_epoch} "
            "(their stones are too few a share of the supply)"
        )
    tree = StandardMerkleTree.of(sorted(shares.items()), LEAF_TYPES)
    remember_tree(tree)
    dividend = Dividend(
        declare_key=key, amount_fen=amount_fen, record_epoch=record_epoch,
        payment_date=payment_date, note=note, declared_at=clock.now(),
        circulating=sum(by_address.values()), holders=len(shares), root=tree.root,
        mode=params.dividend_mode, issuer_fen=issuer_fen,
    )
    session.add(dividend)
    session.flush()
    by_owner = {holdings[address][0]: share for address, share in shares.items()}
    _post(session, clock, dividend, by_owner)
    session.execute(
        insert(Entitlement),
        [
            {"dividend_id": dividend.id, "owner_id": holdings[address][0], "address": address,
             "balance": holdings[address][1], "amount_fen": share}
            for address, share in shares.items()
        ],
    )
    emit(session, "dividend.declared", {
        "dividend_id": dividend.id, "amount_fen": str(amount_fen), "record_epoch": record_epoch,
        "payment_date": payment_date, "holders": dividend.holders, "root": "0x" + tree.root.hex(),
    }, at=dividend.declared_at)
    return dividend


def holdings_at(session: Session, epoch: int) -> dict[bytes, tuple[int, int]]:
    """Each holder's `(owner id, pebbles)` in the state tree of settled `epoch`, by the address
    committed there; owners at zero are no holders."""
    return {
        address: (owner_id, balance)
        for owner_id, (address, balance) in settled_balances(session, epoch).items()
        if balance > 0
    }


def get_dividend(session: Session, dividend_id: int) -> Dividend:
    dividend = session.get(Dividend, dividend_id)
    if dividend is None:
        raise UnknownDividend(f"no dividend {dividend_id}", dividend_id=dividend_id)
    return dividend


def list_dividends(session: Session) -> list[Dividend]:
    return list(session.execute(select(Dividend).order_by(Dividend.id)).scalars())


def entitlements_of(session: Session, dividend_id: int) -> list[Entitlement]:
    """Every entitlement of the dividend, by owner id."""
    get_dividend(session, dividend_id)
    return list(
        session.execute(
            select(Entitlement)
            .where(Entitlement.dividend_id == dividend_id)
            .order_by(Entitlement.owner_id)
        ).scalars()
    )


def _post(session: Session, clock: Clock, dividend: Dividend, shares: dict[int, int]) -> None:
    account = dividend_account(dividend.id)
    open_account(session, clock, account)
    fen = Asset.CNY_FEN
    entitle = [Posting(account, fen, -dividend.holders_fen)]
    entitle += [
        Posting(owner_account(owner_id), fen, share) for owner_id, share in sorted(shares.items())
    ]
    post_transactions(
        session,
        clock,
        [
            TransactionRequest(
                "dividend.declare", f"dividend.declare:{dividend.id}",
                [
                    Posting(SUPPLY, fen, -dividend.holders_fen),
                    Posting(account, fen, dividend.holders_fen),
                ],
                {"dividend_id": dividend.id, "record_epoch": dividend.record_epoch,
                 "root": "0x" + dividend.root.hex(), "amount_fen": dividend.amount_fen,
                 "issuer_fen": dividend.issuer_fen, "mode": dividend.mode},
            ),
            TransactionRequest(
                "dividend.entitle", f"dividend.entitle:{dividend.id}", entitle,
                {"dividend_id": dividend.id},
            ),
        ],
    )


def _check_terms(amount_fen: int, record_epoch: int, payment_date: str, note: str) -> None:
    if type(amount_fen) is not int or not 0 < amount_fen <= MAX_AMOUNT:
        raise InvalidDividend(f"a dividend is a positive whole number of fen, not {amount_fen!r}")
    if type(record_epoch) is not int or record_epoch < 0:
        raise InvalidDividend(f"the record epoch is an epoch number, not {record_epoch!r}")
    try:
        parsed = datetime.date.fromisoformat(payment_date)
    except (TypeError, ValueError):
        raise InvalidDividend(f"the payment date is YYYY-MM-DD, not {payment_date!r}") from None
    if parsed.isoformat() != payment_date:
        raise InvalidDividend(f"the payment date is YYYY-MM-DD, not {payment_date!r}")
    if not isinstance(note, str) or len(note) > NOTE_MAX_LENGTH:
        raise InvalidDividend(f"a note is at most {NOTE_MAX_LENGTH} characters")
