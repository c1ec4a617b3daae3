"""An attestor's re-verification of an epoch not yet finalized, and its signature if it holds.

The epoch is audited exactly as `milestone audit --from EPOCH` audits a finalized one
(`audit_epoch`, starting from what the chain committed for the epoch before, read from that
epoch's file only once its hash is the committed one: no replay of the history), against the
chain as it will read once the result is committed: the result is the one the epoch file
states. Only an epoch whose file passes every check is signed, and the signature covers that
result bound to the weights root and seed on-chain, which is what the operator's `finalize`
must submit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount

from milestone.audit.checks import Failure, Verdict
from milestone.audit.run import CommittedHistory, audit_file, find_epoch_files
from milestone.chain.attestation import sign_epoch_result
from milestone.chain.program import EpochResult, ProgramParameters, ProgramView
from milestone.epochs import epochfile
from milestone.epochs.epochfile import EpochFile
from milestone.epochs.errors import EpochAlreadyFinalized, InvalidEpochFile, NotAnAttestor


@dataclass(frozen=True)
class Attestation:
    """The audit of one pending epoch and, when it passed, the attestor's signature."""

    epoch: int
    attestor: str
    verdict: Verdict
    result: EpochResult | None
    signature: bytes | None


class PendingChain:
    """The Program as it will read once `pending` is committed; everything else as it is."""

    def __init__(self, view: ProgramView, pending: EpochResult) -> None:
        self.view = view
        self.pending = pending

    def next_epoch(self) -> int:
        return self.view.next_epoch()

    def parameters(self) -> ProgramParameters:
        return self.view.parameters()

    def weights(self, epoch: int) -> tuple[bytes, int] | None:
        return self.view.weights(epoch)

    def beacon_commit(self, epoch: int, member: str) -> bytes | None:
        return self.view.beacon_commit(epoch, member)

    def beacon_reveal(self, epoch: int, member: str) -> bytes | None:
        return self.view.beacon_reveal(epoch, member)

    def seed(self, epoch: int) -> bytes | None:
        return self.view.seed(epoch)

    def commitment(self, epoch: int) -> EpochResult | None:
        return self.pending if epoch == self.pending.epoch else self.view.commitment(epoch)


def stated_result(record: EpochFile, canonical: bytes) -> EpochResult:
    """The result an epoch file states: what `finalize` commits if the file is the true one."""
    return EpochResult(
        epoch=record.epoch,
        state_root=record.state_root,
        rewards_root=record.rewards_root,
        journal_head=record.journal_head.hash,
        epoch_file_hash=epochfile.file_hash(canonical),
        cum_mined=record.totals.cum_mined,
        cum_activity=record.totals.cum_activity,
        cum_burned=record.totals.cum_burned,
        cum_dividends_fen=record.totals.cum_dividends_fen,
        dividends_root=record.dividends.root,
    )


def attest_epoch(
    view: ProgramView,
    epoch: int,
    attestor: LocalAccount,
    epochs_dir: Path | None,
    epoch_file: Path | None = None,
) -> Attestation:
    """Audit `epoch` (file `epoch_file`, else the one in `epochs_dir`); sign it if it passes."""
    if not view.contract.functions.is_attestor(attestor.address).call():
        raise NotAnAttestor(f"{attestor.address} is not an attestor of {view.address}")
    if view.commitment(epoch) is not None:
        raise EpochAlreadyFinalized(f"epoch {epoch} is already finalized: nothing to attest")
    files = find_epoch_files(epochs_dir) if epochs_dir is not None else {}
    if epoch_file is not None:
        files[epoch] = epoch_file
    path = files.get(epoch)
    if path is None:
        return _refused(epoch, attestor, Failure("file_missing", f"no file for epoch {epoch}"))
    try:
        record, canonical = epochfile.read(path)
    except InvalidEpochFile as error:
        return _refused(epoch, attestor, Failure("file_unreadable", error.message))
    result = stated_result(record, canonical)
    chain = PendingChain(view, result)
    contract = bytes.fromhex(view.address[2:])
    parameters = view.parameters()
    history = CommittedHistory(files, chain)
    carried = history.start_from(epoch)
    if not carried.verified:
        # Without the previous epoch's committed file the balances carried into this one are
        # unknown, and nothing else checks that this file's balances are the right ones.
        return _refused(epoch, attestor, Failure(
            "previous_unverified",
            f"epoch {epoch - 1}'s file is missing or not the one committed on-chain: give it "
            "(--epochs-dir)",
        ))
    verdict, _ = audit_file(
        epoch, path, carried, chain, contract, parameters, history.balances_at
    )
    if not verdict.ok:
        return Attestation(epoch, attestor.address, verdict, result, None)
    weights, seed = view.weights(epoch), view.seed(epoch)
    # A passing audit found both on-chain, equal to the file's.
    assert weights is not None and seed is not None
    signature = sign_epoch_result(
        attestor, view.w3.eth.chain_id, view.address, result, weights[0], seed
    )
    return Attestation(epoch, attestor.address, verdict, result, signature)


def _refused(epoch: int, attestor: LocalAccount, failure: Failure) -> Attestation:
    return Attestation(epoch, attestor.address, Verdict(epoch, [failure]), None, None)
