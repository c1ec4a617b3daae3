"""The audit over a directory of epoch files: a clean history passes every epoch."""

from __future__ import annotations

from milestone.audit.run import run_audit

from .conftest import Settled


def test_a_clean_history_passes(settled: Settled) -> None:
    report = run_audit(settled.epochs_dir, settled.program, settled.contract)
    assert report.ok
    assert [v.epoch for v in report.verdicts] == list(range(settled.epochs))
