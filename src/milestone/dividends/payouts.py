"""The payout file for the fiat payment rails, and its confirmation coming back.

Export: one CSV line per unpaid entitlement, `reference,dividend_id,owner_id,address,
amount_fen,payment_date`; the reference `D<dividend>-O<owner>` identifies the line. The rails
return the file with `status` (`paid` or `failed`) and optionally `rail_reference`; confirming
it checks every line against the entitlements (an unknown reference, another amount, a
duplicate line refuse the whole file), then moves the paid fen out of the owners' accounts to
`payout` in one journal entry and marks them paid. Failed lines stay unpaid for the next file;
lines already paid are skipped, so a file confirmed twice pays nothing twice.

A per-stone dividend's file ends with the issuer's line, `D<dividend>-ISSUER` with no owner nor
address and the issuer's part in fen: the rails pay nothing on it (the issuer keeps its share),
it is there so the file shows the whole declared amount. Coming back, it must carry the same
amount and is otherwise ignored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.clock import Clock
from milestone.dividends.declare import entitlements_of, get_dividend
from milestone.dividends.errors import PayoutFileInvalid
from milestone.dividends.models import Entitlement
from milestone.events import emit_many
from milestone.ledger import PAYOUT, Asset, Posting, owner_account, post_transaction
from milestone.ledger.journal import lock_head
from milestone.rules.hashing import keccak256

EXPORT_COLUMNS = ("reference", "dividend_id", "owner_id", "address", "amount_fen", "payment_date")
PAID, FAILED = "paid", "failed"
RAIL_REFERENCE_MAX_LENGTH = 64


@dataclass(frozen=True)
class PayoutConfirmation:
    paid: int
    """Lines newly marked paid."""
    paid_fen: int
    failed: int
    already_paid: int


def payout_reference(dividend_id: int, owner_id: int) -> str:
    return f"D{dividend_id}-O{owner_id}"


def issuer_reference(dividend_id: int) -> str:
    return f"D{dividend_id}-ISSUER"


def export_payouts(session: Session, dividend_id: int, *, include_paid: bool = False) -> str:
    """The payout CSV of the dividend's unpaid entitlements (all of them if asked)."""
    dividend = get_dividend(session, dividend_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    query = (
        select(Entitlement.owner_id, Entitlement.address, Entitlement.amount_fen)
        .where(Entitlement.dividend_id == dividend_id)
        .order_by(Entitlement.owner_id)
    )
    if not include_paid:
        query = query.where(Entitlement.paid_at.is_(None))
    writer.writerows(
        (payout_reference(dividend_id, owner_id), dividend_id, owner_id,
         "0x" + bytes(address).hex(), amount_fen, dividend.payment_date)
        for owner_id, address, amount_fen in session.execute(query)
    )
    if dividend.issuer_fen:
        writer.writerow(
            (issuer_reference(dividend_id), dividend_id, "", "", dividend.issuer_fen,
             dividend.payment_date)
        )  # fmt: skip
    return out.getvalue()


def confirm_payouts(
    session: Session, clock: Clock, dividend_id: int, returned_csv: str
) -> PayoutConfirmation:
    """Apply the rails' returned payout file: mark paid lines paid and post them. No commit."""
    lock_head(session)
    entitlements = {
        payout_reference(dividend_id, e.owner_id): e for e in entitlements_of(session, dividend_id)
    }
    dividend = get_dividend(session, dividend_id)
    lines = _parse(returned_csv, entitlements, issuer_reference(dividend_id), dividend.issuer_fen)
    paid = [(entitlements[ref], rail) for ref, status, rail in lines if status == PAID]
    newly_paid = [(e, rail) for e, rail in paid if e.paid_at is None]
    failed = sum(1 for _, status, _ in lines if status == FAILED)
    if newly_paid:
        _post(session, clock, dividend_id, [e for e, _ in newly_paid])
        now = clock.now()
        for entitlement, rail in newly_paid:
            entitlement.paid_at, entitlement.rail_reference = now, rail
        session.flush()
        emit_many(session, "dividend.paid", [
            {"dividend_id": dividend_id, "owner": "0x" + bytes(e.address).hex(),
             "amount_fen": str(e.amount_fen)} for e, _ in newly_paid
        ], at=now)
    return PayoutConfirmation(
        paid=len(newly_paid), paid_fen=sum(e.amount_fen for e, _ in newly_paid), failed=failed,
        already_paid=len(paid) - len(newly_paid),
    )


def _parse(
    text: str, entitlements: dict[str, Entitlement], issuer: str, issuer_fen: int
) -> list[tuple[str, str, str | None]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"reference", "amount_fen", "status"} - set(reader.fieldnames or ())
    if missing:
        raise PayoutFileInvalid(f"the payout file lacks the columns {', '.join(sorted(missing))}")
    lines: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        reference = (row.get("reference") or "").strip()
        where = f"line {number}"
        if issuer_fen and reference == issuer:
            if (row.get("amount_fen") or "").strip() != str(issuer_fen):
                raise PayoutFileInvalid(
                    f"{where}: the issuer's part is {issuer_fen} fen, the file says "
                    f"{row.get('amount_fen')!r}", line=number,
                )  # fmt: skip
            continue
        entitlement = entitlements.get(reference)
        if entitlement is None:
            raise PayoutFileInvalid(
                f"{where}: {reference!r} is no entitlement of this dividend", line=number
            )
        if reference in seen:
            raise PayoutFileInvalid(f"{where}: {reference} appears twice", line=number)
        seen.add(reference)
        if (row.get("amount_fen") or "").strip() != str(entitlement.amount_fen):
            raise PayoutFileInvalid(
                f"{where}: {reference} is owed {entitlement.amount_fen} fen, the file says "
                f"{row.get('amount_fen')!r}", line=number,
            )
        status = (row.get("status") or "").strip().lower()
        if status not in (PAID, FAILED):
            raise PayoutFileInvalid(
                f"{where}: status must be paid or failed, not {status!r}", line=number
            )
        rail = (row.get("rail_reference") or "").strip() or None
        if rail is not None and len(rail) > RAIL_REFERENCE_MAX_LENGTH:
            raise PayoutFileInvalid(f"{where}: the rail reference is too long", line=number)
        lines.append((reference, status, rail))
    return lines


def _post(session: Session, clock: Clock, dividend_id: int, paid: list[Entitlement]) -> None:
    fen = Asset.CNY_FEN
    postings = [Posting(owner_account(e.owner_id), fen, -e.amount_fen) for e in paid]
    postings.append(Posting(PAYOUT, fen, sum(e.amount_fen for e in paid)))
    # The batch is named by what it pays, so the same lines can never be posted twice.
    references = sorted(payout_reference(dividend_id, e.owner_id) for e in paid)
    batch = keccak256(",".join(references).encode())
    post_transaction(
        session, clock, "dividend.payout", f"dividend.payout:{dividend_id}:{batch.hex()[:32]}",
        postings, {"dividend_id": dividend_id, "lines": len(paid)},
    )
