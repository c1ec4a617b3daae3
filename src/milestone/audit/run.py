"""Audit a directory of epoch files against the chain: a verdict per epoch and a summary."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from milestone.audit.checks import (
    Carried,
    ChainReader,
    Failure,
    Verdict,
    audit_epoch,
    carry_committed,
    no_history,
)
from milestone.audit.justify import BalancesAt
from milestone.chain.program import EpochResult, ProgramParameters
from milestone.epochs import epochfile
from milestone.epochs.compute import paused_collection
from milestone.epochs.errors import InvalidEpochFile

FILE_PATTERN = re.compile(r"epoch-(\d{6,})\.json\.gz")


@dataclass
class AuditReport:
    """Every epoch's verdict, in order."""

    verdicts: list[Verdict] = field(default_factory=list)
    finalized_on_chain: int = 0

    @property
    def ok(self) -> bool:
        return bool(self.verdicts) and all(verdict.ok for verdict in self.verdicts)

    @property
    def failed(self) -> list[Verdict]:
        return [verdict for verdict in self.verdicts if not verdict.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "epochs": len(self.verdicts),
            "passed": len(self.verdicts) - len(self.failed),
            "failed": [verdict.epoch for verdict in self.failed],
            "finalized_on_chain": self.finalized_on_chain,
            "verdicts": [verdict.to_dict() for verdict in self.verdicts],
        }


def find_epoch_files(directory: Path) -> dict[int, Path]:
    """The epoch files of a directory, by epoch number."""
    found: dict[int, Path] = {}
    for path in sorted(Path(directory).glob("epoch-*.json.gz")):
        match = FILE_PATTERN.fullmatch(path.name)
        if match:
            found[int(match.group(1))] = path
    return found


def epochs_to_audit(files: dict[int, Path], finalized: int, start: int = 0) -> range:
    """Every epoch from `start` finalized on-chain, and any beyond it that has a file."""
    return range(start, max([finalized - 1, start - 1, *files]) + 1)


def run_audit(
    directory: Path,
    chain: ChainReader,
    contract: bytes,
    on_verdict: Callable[[Verdict], None] | None = None,
    on_start: Callable[[int], None] | None = None,
    start: int = 0,
) -> AuditReport:
    """Audit every epoch of `directory` from `start` on, in order; `on_verdict` hears of each.

    From `start` > 0 the audit trusts only what the chain committed for `start − 1`: that
    epoch's file is read for its balances only once its hash is the committed one, so the cost
    of auditing one new epoch does not grow with the history before it. An epoch after one
    that did not verify never passes (`previous_unverified`).
    """
    files = find_epoch_files(directory)
    report = AuditReport(finalized_on_chain=chain.next_epoch())
    epochs = epochs_to_audit(files, report.finalized_on_chain, start)
    if on_start is not None:
        on_start(len(epochs))
    history = CommittedHistory(files, chain)
    carried = history.start_from(start)
    parameters = chain.parameters()
    for epoch in epochs:
        with paused_collection():
            verdict, following = audit_file(
                epoch, files.get(epoch), carried, chain, contract, parameters,
                history.balances_at,
            )
        require_verified_predecessor(verdict, carried)
        following.verified = verdict.ok
        if not verdict.ok:
            following.checkins = None
        history.remember(epoch, following)
        carried = following
        report.verdicts.append(verdict)
        if on_verdict is not None:
            on_verdict(verdict)
    return report


def require_verified_predecessor(verdict: Verdict, carried: Carried) -> None:
    """An epoch whose predecessor did not verify cannot pass, however right it looks."""
    if not carried.verified:
        verdict.failures.append(Failure(
            "previous_unverified",
            f"epoch {verdict.epoch - 1} did not verify: this epoch's starting state is unknown",
        ))


class CommittedHistory:
    """Earlier epochs as the chain committed them: their files, read only when their hash is the
    committed one, for the state an audit starts from and a dividend's record balances."""

    def __init__(self, files: dict[int, Path], chain: ChainReader) -> None:
        self.files, self.chain = files, chain
        self.known: dict[int, Mapping[bytes, int]] = {}

    def remember(self, epoch: int, carried: Carried) -> None:
        """Keep the balances an audited epoch left (the last few: record epochs are recent)."""
        if carried.balances is not None and carried.verified:
            self.known[epoch] = carried.balances
        for old in [e for e in self.known if e < epoch - 2]:
            del self.known[old]

    def committed_file(
        self, epoch: int, committed: EpochResult | None = None
    ) -> epochfile.EpochFile | None:
        """Epoch `epoch`'s file if it is the one whose hash the chain committed, else None."""
        committed = committed or self.chain.commitment(epoch)
        path = self.files.get(epoch)
        if committed is None or path is None:
            return None
        try:
            record, canonical = epochfile.read(path)
        except InvalidEpochFile:
            return None
        if epochfile.file_hash(canonical) != committed.epoch_file_hash or record.epoch != epoch:
            return None
        return record

    def balances_at(self, epoch: int) -> Mapping[bytes, int] | None:
        if epoch in self.known:
            return self.known[epoch]
        record = self.committed_file(epoch)
        return None if record is None else record.balances

    def start_from(self, start: int) -> Carried:
        """The state epoch `start` begins with: genesis, or what the chain committed before it."""
        if start == 0:
            return Carried()
        previous = start - 1
        committed = self.chain.commitment(previous)
        record = self.committed_file(previous, committed)
        if committed is None or record is None:
            carried = Carried(balances=None, accounts=None, verified=False, checkins=None)
            if committed is not None:
                carried = carry_committed(previous, committed, None, None, None)
                carried.accounts, carried.verified, carried.checkins = None, False, None
            return carried
        carried = carry_committed(
            previous, committed, record.program.parameters, record.balances,
            record.journal_head.seq,
        )
        carried.accounts = None if record.block is None else dict(record.block.accounts)
        carried.checkins = None  # earlier check-ins are not read: each block on its own
        return carried


def audit_file(
    epoch: int,
    path: Path | None,
    carried: Carried,
    chain: ChainReader,
    contract: bytes,
    parameters: ProgramParameters,
    balances_at: BalancesAt = no_history,
) -> tuple[Verdict, Carried]:
    """One epoch's verdict from its file (None: no file), and what the next epoch starts from."""
    if path is None:
        return _lost(epoch, Failure("file_missing", f"no file for epoch {epoch}"), carried, chain)
    try:
        record, canonical = epochfile.read(path)
    except InvalidEpochFile as error:
        return _lost(epoch, Failure("file_unreadable", error.message), carried, chain)
    if record.epoch != epoch:
        failure = Failure("file_unreadable", f"{path.name} holds epoch {record.epoch}")
        return _lost(epoch, failure, carried, chain)
    return audit_epoch(record, canonical, carried, chain, contract, parameters, balances_at)


def _lost(
    epoch: int, failure: Failure, carried: Carried, chain: ChainReader
) -> tuple[Verdict, Carried]:
    """An epoch without a usable file: what follows can only be checked against the chain."""
    committed = chain.commitment(epoch)
    verdict = Verdict(epoch, [failure])
    if committed is None:
        return verdict, carried
    following = carry_committed(epoch, committed, carried.parameters, balances=None, seq=None)
    following.accounts, following.checkins = None, None
    return verdict, following
