"""Steps `attest` and `finalize`: attestor signatures over the result, and the commit on-chain.

The attestors sign the EIP-712 `EpochResult` (docs/chain.md): the roots, the epoch file's hash
and the cumulative totals, bound to the weights root and seed the chain already holds. Keys
given to settlement sign here; other attestors hand their signatures in with `add_attestation`
after re-verifying the epoch file, and settlement stops with `attestations_missing` until
enough have.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.chain.attestation import attestation_digest, recover_signer
from milestone.chain.program import EpochResult
from milestone.clock import Clock
from milestone.epochs.errors import (
    AttestationInvalid,
    AttestationsMissing,
    EpochAlreadyFinalized,
    SettlementError,
)
from milestone.epochs.events import emit_finalized
from milestone.epochs.models import FINALIZED, EpochAttestationRecord, EpochRecord
from milestone.epochs.steps import Settlement, from_hex, load_epoch, record_step

ZERO_HASH = bytes(32)
SIGNATURE_BYTES = 65


def epoch_result(row: EpochRecord) -> EpochResult:
    """What `finalize` commits for the epoch, from its settled row."""
    if row.file_hash is None or row.state_root is None or row.journal_head is None:
        raise SettlementError(f"epoch {row.epoch} is not published yet")
    return EpochResult(
        epoch=row.epoch,
        state_root=bytes(row.state_root),
        rewards_root=bytes(row.rewards_root or ZERO_HASH),
        journal_head=bytes(row.journal_head),
        epoch_file_hash=bytes(row.file_hash),
        cum_mined=row.cum_mined or 0,
        cum_activity=row.cum_activity or 0,
        cum_burned=row.cum_burned or 0,
        cum_dividends_fen=row.cum_dividends_fen or 0,
        dividends_root=bytes(row.dividends_root or ZERO_HASH),
        dividend_record_epoch=row.dividend_record_epoch or 0,
    )


def add_attestation(
    session: Session, clock: Clock, epoch: int, attestor: bytes, signature: bytes
) -> None:
    """Keep an attestor's signature for the epoch (replacing its earlier one). No commit."""
    if len(signature) != SIGNATURE_BYTES or len(attestor) != 20:
        raise SettlementError("a signature is 65 bytes from a 20-byte attestor address")
    existing = session.get(EpochAttestationRecord, (epoch, attestor))
    if existing is None:
        session.add(
            EpochAttestationRecord(
                epoch=epoch, attestor=attestor, signature=signature, added_at=clock.now()
            )
        )
    else:
        existing.signature, existing.added_at = signature, clock.now()
    session.flush()


def accept_attestation(ctx: Settlement, epoch: int, signature: bytes) -> str:
    """Keep an attestor's signature handed in; it must sign this epoch's result as settled here.

    The signature is checked against the result this database will submit, bound to the
    weights root and seed on-chain, and must recover to a current attestor; anything else
    (another epoch, another result, another signer, bytes that are no signature) is refused
    with `attestation_invalid` and nothing is stored. Returns the attestor's address.
    """
    attestors, _ = current_attestors(ctx, epoch)
    with ctx.database.session() as session:
        row = load_epoch(session, epoch)
        if row.status == FINALIZED:
            raise EpochAlreadyFinalized(f"epoch {epoch} is already finalized")
        result = epoch_result(row)
    signer = _signer(_digest(ctx, result), signature)
    if signer is None or signer.lower() not in attestors:
        raise AttestationInvalid(
            f"the signature is not a current attestor's over epoch {epoch}'s result "
            f"(it recovers to {signer or 'nobody'})",
            epoch=epoch,
        )
    ctx.database.run(
        lambda session: add_attestation(session, ctx.clock, epoch, from_hex(signer), signature)
    )
    return signer


def current_attestors(ctx: Settlement, epoch: int) -> tuple[set[str], int]:
    """The attestors of `epoch` (lowercase addresses) and how many must sign its result."""
    return ctx.anchor.program.attestors(epoch)


def attest(ctx: Settlement, epoch: int) -> None:
    """Sign with every local attestor key; enough valid signatures must be in."""
    attestors, threshold = current_attestors(ctx, epoch)
    with ctx.database.session() as session:
        result = epoch_result(load_epoch(session, epoch))
    signers = [ctx.anchor.operator, *ctx.attestors]
    signed = {
        account.address: ctx.anchor.attest(result, account)
        for account in signers
        if account.address.lower() in attestors
    }

    def work(session: Session) -> None:
        for address, signature in sorted(signed.items()):
            add_attestation(session, ctx.clock, epoch, from_hex(address), signature)
        valid = valid_signatures(ctx, session, result, attestors)
        if len(valid) < threshold:
            raise AttestationsMissing(
                f"epoch {epoch}: {len(valid)} valid attestation(s), {threshold} needed",
                epoch=epoch,
            )
        record_step(session, ctx.clock, epoch, "attest", {"signatures": len(valid)})

    ctx.database.run(work)


def valid_signatures(
    ctx: Settlement, session: Session, result: EpochResult, attestors: set[str]
) -> list[bytes]:
    """The stored signatures over exactly `result` by current attestors, one per attestor."""
    digest = _digest(ctx, result)
    valid: dict[str, bytes] = {}
    for (signature,) in session.execute(
        select(EpochAttestationRecord.signature).where(EpochAttestationRecord.epoch == result.epoch)
    ):
        signer = _signer(digest, bytes(signature))
        if signer is not None and signer.lower() in attestors:
            valid[signer.lower()] = bytes(signature)
    return [valid[signer] for signer in sorted(valid)]


def _digest(ctx: Settlement, result: EpochResult) -> bytes:
    """What attestors sign for `result`: bound to the epoch's weights root and seed on-chain."""
    weights = ctx.anchor.program.weights(result.epoch)
    seed = ctx.anchor.program.seed(result.epoch)
    if weights is None or seed is None:
        raise SettlementError(f"epoch {result.epoch} has no weights or seed on-chain")
    return attestation_digest(ctx.chain_id, ctx.anchor.address, result, weights[0], seed)


def _signer(digest: bytes, signature: bytes) -> str | None:
    """The address that signed `digest`, or None for bytes that are no signature."""
    if len(signature) != SIGNATURE_BYTES:
        return None
    try:
        return recover_signer(digest, signature)
    except Exception:  # a malformed signature proves nothing; it is simply not counted
        return None


def finalize(ctx: Settlement, epoch: int) -> None:
    """Commit the result on-chain; the epoch is final."""
    attestors, _ = current_attestors(ctx, epoch)
    with ctx.database.session() as session:
        result = epoch_result(load_epoch(session, epoch))
        signatures = valid_signatures(ctx, session, result, attestors)
    outcome = ctx.anchor.finalize(result, signatures)
    ctx.hook(epoch, "finalize", "sent")

    def work(session: Session) -> None:
        row = load_epoch(session, epoch, lock=True)
        row.status, row.finalized_at = FINALIZED, ctx.clock.now()
        record_step(
            session, ctx.clock, epoch, "finalize", {"transaction": outcome.transaction_hash}
        )
        emit_finalized(session, row, outcome.transaction_hash)

    ctx.database.run(work)
