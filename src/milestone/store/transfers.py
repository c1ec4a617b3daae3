"""Transfers of stones between owners, as the program's policy allows.

IM binds stones to the account (`none`, the default); a program may allow transfers between
pairs the operator lists (`allowlist`, e.g. family members) or between anyone (`free`). The
sender spends, so the spend lock applies to the sender; received stones are earnings of the
recipient and are locked there in turn, so a transfer cannot launder fresh stones.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from milestone.activities.budget import program_parameters
from milestone.activities.standing import require_in_good_standing
from milestone.clock import Clock
from milestone.events import emit, owner_address
from milestone.idempotency import check_request_key
from milestone.ledger import JournalEntry, find_entry, owner_account, post_transaction, transfer
from milestone.ledger.errors import IdempotencyConflict
from milestone.ledger.journal import lock_head
from milestone.rules.store import is_transfer_allowed
from milestone.rules.units import MAX_AMOUNT
from milestone.store.errors import IdempotencyKeyReused, InvalidTransfer, TransferNotAllowed
from milestone.store.models import TransferAllowance
from milestone.store.spending import require_spendable

TRANSFER_KIND = "owner.transfer"


def allow_transfers(session: Session, clock: Clock, sender_id: int, recipient_id: int) -> None:
    """List the pair for the `allowlist` policy (one way). No commit."""
    if sender_id == recipient_id:
        raise InvalidTransfer("an owner does not transfer to themself")
    require_in_good_standing(session, sender_id)
    require_in_good_standing(session, recipient_id)
    if session.get(TransferAllowance, (sender_id, recipient_id)) is None:
        session.add(
            TransferAllowance(sender_id=sender_id, recipient_id=recipient_id, added_at=clock.now())
        )
        session.flush()


def transfer_stones(
    session: Session, clock: Clock, sender_id: int, recipient_id: int, amount: int, key: str
) -> JournalEntry:
    """Move `amount` pebbles from one owner to another if the policy allows. No commit."""
    key = check_request_key(key)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_AMOUNT:
        raise InvalidTransfer(f"a transfer moves a positive number of pebbles, not {amount!r}")
    if sender_id == recipient_id:
        raise InvalidTransfer("an owner does not transfer to themself")
    policy = program_parameters(session).transfer_policy
    lock_head(session)
    require_in_good_standing(session, sender_id)
    require_in_good_standing(session, recipient_id)
    allowlisted = session.get(TransferAllowance, (sender_id, recipient_id)) is not None
    if not is_transfer_allowed(policy, allowlisted):
        reason = "stones stay with their account" if policy == "none" else "the pair is not listed"
        raise TransferNotAllowed(
            f"transfers are not allowed ({policy} policy): {reason}", policy=policy
        )
    ledger_key = f"{TRANSFER_KIND}:{sender_id}:{key}"
    postings = transfer(owner_account(sender_id), owner_account(recipient_id), amount)
    earlier = find_entry(session, ledger_key)
    if earlier is None:
        require_spendable(session, clock, sender_id, amount)
    try:
        entry = post_transaction(
            session, clock, TRANSFER_KIND, ledger_key, postings,
            {"from": sender_id, "to": recipient_id},
        )
    except IdempotencyConflict:
        # The store's requests name a reused key alike, whichever ledger entry it guards.
        raise IdempotencyKeyReused(
            "this idempotency key was used for a different transfer", key=key
        ) from None
    if earlier is None:  # a repeated request changes nothing, so tells nobody anything
        emit(session, "transfer.completed", {"amount": str(amount), "entry": entry.seq,
             "from": owner_address(session, sender_id), "to": owner_address(session, recipient_id)},
             at=clock.now())
    return entry
