"""Attestations: finalize waits until enough attestors have signed the result."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from milestone.clock import ManualClock
from milestone.epochs.errors import AttestationsMissing
from milestone.epochs.finalize import add_attestation, epoch_result
from milestone.epochs.settle import settle
from milestone.epochs.steps import Settlement, done_steps, load_epoch

from .conftest import close, funded_member, send


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """These steps do not depend on the database: SQLite only, the chain is the slow part."""
    path = tmp_path / "milestone.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


def test_missing_attestations_stop_finalize_until_handed_in(
    settlement: Settlement, clock: ManualClock
) -> None:
    attestor = funded_member(settlement, attestor=True)
    send(settlement, settlement.anchor.program.contract.functions.set_threshold(2))
    close(settlement, clock, 1)
    with pytest.raises(AttestationsMissing) as refused:
        settle(settlement)
    assert refused.value.code == "attestations_missing"
    assert settlement.anchor.program.next_epoch() == 0
    with settlement.database.session() as session:
        assert "attest" not in done_steps(session, 0)
    with settlement.database.transaction() as session:
        result = epoch_result(load_epoch(session, 0))
        signature = settlement.anchor.attest(result, attestor)
        add_attestation(session, clock, 0, bytes.fromhex(attestor.address[2:]), signature)
    assert [s.epoch for s in settle(settlement)] == [0]
    assert settlement.anchor.program.next_epoch() == 1


def test_a_signature_over_another_result_does_not_count(
    settlement: Settlement, clock: ManualClock
) -> None:
    attestor = funded_member(settlement, attestor=True)
    send(settlement, settlement.anchor.program.contract.functions.set_threshold(2))
    close(settlement, clock, 1)
    with pytest.raises(AttestationsMissing):
        settle(settlement)
    with settlement.database.transaction() as session:
        result = epoch_result(load_epoch(session, 0))
        forged = result.__class__(**{**result.__dict__, "cum_mined": result.cum_mined + 1})
        signature = settlement.anchor.attest(forged, attestor)
        add_attestation(session, clock, 0, bytes.fromhex(attestor.address[2:]), signature)
    with pytest.raises(AttestationsMissing):
        settle(settlement)
