"""An attestor signs an epoch only on a history it verified whole: a file with other balances
is never signed, even when an earlier epoch's file is left out to hide the carry-forward."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

from audit.conftest import Settled
from milestone.audit.attest import attest_epoch
from milestone.chain.keys import load_operator
from milestone.chain.program import ProgramView
from milestone.epochs import epochfile
from milestone.epochs.compute import calculate_account_root
from milestone.rules.leaves import BALANCE_LEAF


class BeforeFinalize:
    """The chain as an attestor sees it before `epoch` is finalized: no commitment for it yet."""

    def __init__(self, view: ProgramView, epoch: int) -> None:
        self._view, self._epoch = view, epoch

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)

    def commitment(self, epoch: int) -> Any:
        return None if epoch == self._epoch else self._view.commitment(epoch)


def mirror(settled: Settled, directory: Path, epochs: list[int]) -> Path:
    directory.mkdir()
    for epoch in epochs:
        shutil.copy(settled.epochs_dir / epochfile.file_name(epoch), directory)
    return directory


def forge_balances(settled: Settled, epoch: int, directory: Path) -> None:
    """The epoch's file with one owner's stones given to another, its state root recomputed."""
    record, _ = epochfile.read(settled.epochs_dir / epochfile.file_name(epoch))
    balances = dict(record.balances)
    poorer, richer = sorted(balances, key=balances.__getitem__)[-2:]
    balances[richer] += balances[poorer]
    balances[poorer] = 0
    forged = dataclasses.replace(
        record, balances=balances, state_root=calculate_account_root(balances, BALANCE_LEAF)
    )
    epochfile.write(directory / epochfile.file_name(epoch),
                    epochfile.compress(epochfile.render(forged)))


def test_the_last_epoch_on_its_whole_history_is_signed(settled: Settled, tmp_path: Path) -> None:
    last = settled.epochs - 1
    directory = mirror(settled, tmp_path / "all", list(range(settled.epochs)))
    attestor = load_operator(settled.epochs_dir.parent)
    signed = attest_epoch(BeforeFinalize(settled.program, last), last, attestor, directory)
    assert signed.verdict.ok and signed.signature is not None


def test_other_balances_are_never_signed_even_with_an_earlier_file_left_out(
    settled: Settled, tmp_path: Path
) -> None:
    last = settled.epochs - 1
    attestor = load_operator(settled.epochs_dir.parent)
    chain = BeforeFinalize(settled.program, last)
    whole = mirror(settled, tmp_path / "whole", list(range(last)))
    forge_balances(settled, last, whole)
    caught = attest_epoch(chain, last, attestor, whole)
    assert caught.signature is None
    assert [f.code for f in caught.verdict.failures] == ["balance_carry_mismatch"]
    gap = mirror(settled, tmp_path / "gap", list(range(last - 1)))  # the epoch before is missing
    forge_balances(settled, last, gap)
    refused = attest_epoch(chain, last, attestor, gap)
    assert refused.signature is None
    assert [f.code for f in refused.verdict.failures] == ["previous_unverified"]
