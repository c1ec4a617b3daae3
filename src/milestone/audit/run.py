"""Audit a directory of epoch files against the chain: a verdict per epoch and a summary."""

from __future__ import annotations

import re
from collections.abc import Callable
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
)
from milestone.chain.program import ProgramParameters
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


def epochs_to_audit(files: dict[int, Path], finalized: int) -> range:
    """Every epoch finalized on-chain, and any beyond it that has a file."""
    return range(max([finalized - 1, *files]) + 1)


def run_audit(
    directory: Path,
    chain: ChainReader,
    contract: bytes,
    on_verdict: Callable[[Verdict], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> AuditReport:
    """Audit every epoch of `directory` in order; `on_verdict` hears of each as it is done."""
    files = find_epoch_files(directory)
    report = AuditReport(finalized_on_chain=chain.next_epoch())
    epochs = epochs_to_audit(files, report.finalized_on_chain)
    if on_start is not None:
        on_start(len(epochs))
    carried = Carried()
    parameters = chain.parameters()
    for epoch in epochs:
        with paused_collection():
            verdict, carried = audit_file(
                epoch, files.get(epoch), carried, chain, contract, parameters
            )
        report.verdicts.append(verdict)
        if on_verdict is not None:
            on_verdict(verdict)
    return report


def audit_file(
    epoch: int,
    path: Path | None,
    carried: Carried,
    chain: ChainReader,
    contract: bytes,
    parameters: ProgramParameters,
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
    return audit_epoch(record, canonical, carried, chain, contract, parameters)


def _lost(
    epoch: int, failure: Failure, carried: Carried, chain: ChainReader
) -> tuple[Verdict, Carried]:
    """An epoch without a usable file: what follows can only be checked against the chain."""
    committed = chain.commitment(epoch)
    verdict = Verdict(epoch, [failure])
    if committed is None:
        return verdict, carried
    return verdict, carry_committed(epoch, committed, carried.parameters, balances=None, seq=None)
