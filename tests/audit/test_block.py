"""The epoch file as a block of the journal, on programs the operator settled and committed.

The same five-epoch program twice: once honest (check-ins, a referral, a dividend), once with
the operator forging what the issue lists, each forgery settled, committed on-chain and
published like any honest entry: an extra check-in reward (epoch 1), a doubled check-in
(epoch 2), an extra referral reward (epoch 3), a dividend split skewed by 1,000 fen between two
holders (epoch 4). The honest program passes the audit; each forgery fails its epoch with a
reason that names it, and every epoch after it fails as `previous_unverified`.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nacl.signing import SigningKey

from epochs.conftest import DAY, GENESIS, close, make_settlement, open_chain
from milestone.activities.budget import pay_from_budget
from milestone.activities.checkin import CHECKIN_KIND, check_in
from milestone.activities.referrals import (
    REFERRAL_KIND,
    DeliveryConfirmation,
    confirm_delivery,
    referral_code_of,
    register_referral,
)
from milestone.activities.sales import register_sales_system
from milestone.audit.run import AuditReport, run_audit
from milestone.dividends import declare
from milestone.dividends.declare import declare_dividend
from milestone.epochs import epochfile
from milestone.epochs.settle import settle
from milestone.registry.vin import synthetic_vin
from milestone.rules.dividends import split_dividend

from .conftest import Settled, new_program, settled_of

STONE = 10**8
EPOCHS = 5


def skewed_split(amount: int, balances: dict[bytes, int]) -> dict[bytes, int]:
    """The rule's split with 1,000 fen moved from one holder to another."""
    shares = split_dividend(amount, balances)
    poorer, richer = sorted(shares)[:2]
    shares[poorer] -= 1_000
    shares[richer] += 1_000
    return shares


def build(root: Path, forged: bool) -> Iterator[Settled]:
    database, clock, program, fleet = new_program(root, seed=11)
    fleet.drive(GENESIS, 1)
    a, b, c, _ = fleet.owners
    sales_key = SigningKey.generate()
    with database.transaction() as session:
        system, _ = register_sales_system(session, clock, "Shanghai", bytes(sales_key.verify_key))
    data_dir = root / "data"
    with open_chain(data_dir) as chain, pytest.MonkeyPatch.context() as patch:
        settlement = make_settlement(database, clock, program, data_dir, chain)
        for epoch in range(1, EPOCHS):
            close(settlement, clock, epoch)
            settle(settlement)
            with database.transaction() as session:
                activity(session, clock, epoch, forged, (a, b, c), system.id, sales_key, patch)
            fleet.drive(GENESIS + epoch * DAY, 1)
        close(settlement, clock, EPOCHS)
        settle(settlement)
        yield settled_of(settlement, EPOCHS)
    database.dispose()


def activity(session, clock, epoch, forged, owners, sales_id, sales_key, patch) -> None:  # type: ignore[no-untyped-def]
    """What the owners (and, in the forged program, the operator) do in `epoch`."""
    a, b, c = owners
    check_in(session, clock, a)
    if epoch == 1:
        if forged:  # an extra stone on a first check-in
            pay_from_budget(session, clock, CHECKIN_KIND, f"{CHECKIN_KIND}:{b}:{epoch}",
                            {b: STONE // 10 + STONE}, {"owner_id": b, "day": epoch, "streak": 1})
        else:
            check_in(session, clock, b)
    elif epoch == 2:
        check_in(session, clock, b)
        if forged:  # the same check-in paid twice
            pay_from_budget(session, clock, CHECKIN_KIND, f"{CHECKIN_KIND}:{b}:{epoch}:again",
                            {b: STONE // 10}, {"owner_id": b, "day": epoch, "streak": 1})
    elif epoch == 3:
        code = referral_code_of(session, clock, a)
        register_referral(session, clock, order_id="SO-1", code=code, buyer_id=c)
        unsigned = DeliveryConfirmation("SO-1", synthetic_vin(900), c, clock.now() - 60, b"")
        signed = dataclasses.replace(
            unsigned, signature=sales_key.sign(unsigned.message()).signature
        )
        referral = confirm_delivery(session, clock, sales_id, signed)
        if forged:  # half a stone more for the buyer
            pay_from_budget(session, clock, REFERRAL_KIND, f"{REFERRAL_KIND}:again",
                            {c: STONE // 2},
                            {"order_id": referral.order_id, "vin": referral.vin,
                             "referrer_outcome": referral.referrer_outcome,
                             "vests_at": referral.vests_at})
    elif epoch == 4:
        if forged:
            patch.setattr(declare, "split_dividend", skewed_split)
        declare_dividend(session, clock, amount_fen=100_000, record_epoch=3,
                         payment_date="2026-02-01", note="test", key="dividend-1")


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settled]:
    yield from build(tmp_path_factory.mktemp("honest"), forged=False)


@pytest.fixture(scope="module")
def forged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settled]:
    yield from build(tmp_path_factory.mktemp("forged"), forged=True)


def audit(settled: Settled, start: int = 0) -> AuditReport:
    return run_audit(settled.epochs_dir, settled.program, settled.contract, start=start)


def codes(report: AuditReport, epoch: int) -> list[str]:
    verdict = next(v for v in report.verdicts if v.epoch == epoch)
    return [failure.code for failure in verdict.failures]


def test_the_honest_program_passes_every_epoch(honest: Settled) -> None:
    report = audit(honest)
    assert report.ok, report.to_dict()
    record, _ = epochfile.read(honest.epochs_dir / epochfile.file_name(4))
    assert record.block is not None
    kinds = {entry["kind"] for entry in record.block.entries}
    assert {"activity.checkin", "dividend.declare", "dividend.entitle", "mining"} <= kinds
    assert record.dividends.record_epoch == 3 and record.dividends.entitlements


def test_every_forgery_fails_its_epoch_with_a_reason_naming_it(forged: Settled) -> None:
    report = audit(forged)
    assert codes(report, 0) == []
    assert "justification_mismatch" in codes(report, 1)  # the extra stone
    assert "checkin_repeated" in codes(report, 2)
    assert "justification_mismatch" in codes(report, 3)  # the extra half stone
    assert "dividend_split_mismatch" in codes(report, 4)
    for epoch in (2, 3, 4):
        assert "previous_unverified" in codes(report, epoch)
    for epoch in range(1, EPOCHS):
        # Committed as published: the chain holds these very files, only the rules catch them.
        assert "file_hash_mismatch" not in codes(report, epoch)


def test_each_forgery_is_caught_starting_from_its_own_epoch(forged: Settled) -> None:
    for epoch, reason in ((2, "checkin_repeated"), (3, "justification_mismatch"),
                          (4, "dividend_split_mismatch")):
        report = audit(forged, start=epoch)
        assert report.verdicts[0].epoch == epoch
        assert reason in codes(report, epoch)
        assert "previous_unverified" not in codes(report, epoch)


def test_the_honest_program_passes_from_any_epoch(honest: Settled) -> None:
    for start in (1, 4):
        report = audit(honest, start=start)
        assert report.ok and [v.epoch for v in report.verdicts] == list(range(start, EPOCHS))


def tampered(settled: Settled, tmp_path: Path, epoch: int, change: Any) -> AuditReport:
    """Audit a copy of the files with epoch `epoch`'s document changed by `change`."""
    directory = tmp_path / "epochs"
    shutil.copytree(settled.epochs_dir, directory)
    path = directory / epochfile.file_name(epoch)
    record, _ = epochfile.read(path)
    document = epochfile.to_document(record)
    change(document)
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    epochfile.write(path, epochfile.compress(canonical))
    return run_audit(directory, settled.program, settled.contract)


def entries_of(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in document["journal"]["entries"] if e["kind"] == kind]


def reorder(document: dict[str, Any]) -> None:
    entries = document["journal"]["entries"]
    entries[0], entries[1] = entries[1], entries[0]


def unjustify(document: dict[str, Any]) -> None:
    entries_of(document, "activity.checkin")[0]["justification"] = {"rule": "none"}


def unknown_signer(document: dict[str, Any]) -> None:
    other = "0x" + bytes(SigningKey.generate().verify_key).hex()
    entries_of(document, "activity.referral")[0]["justification"]["sales_key"] = other


def bad_signature(document: dict[str, Any]) -> None:
    referral = entries_of(document, "activity.referral")[0]["justification"]
    referral["confirmation"]["delivered_at"] -= 1  # not what the sales system signed


def replace_head(document: dict[str, Any]) -> None:
    document["journal"]["head"]["hash"] = "0x" + "ab" * 32


def move_stones_without_entry(document: dict[str, Any]) -> None:
    burned = next(row for row in document["accounts"] if row[0] == "budget:activity")
    burned[2] -= 1
    document["accounts"].append(["treasury", "STONE", 1])
    document["accounts"].sort()


@pytest.mark.parametrize(
    ("epoch", "change", "reason"),
    [
        (1, reorder, "entry_out_of_order"),
        (1, unjustify, "entry_unjustified"),
        (3, unknown_signer, "unknown_signer"),
        (3, bad_signature, "signature_invalid"),
        (2, replace_head, "journal_chain_broken"),
        (2, move_stones_without_entry, "account_balance_mismatch"),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_tampered_block_is_named(
    honest: Settled, tmp_path: Path, epoch: int, change: Any, reason: str
) -> None:
    report = tampered(honest, tmp_path, epoch, change)
    assert reason in codes(report, epoch), report.to_dict()
    assert "file_hash_mismatch" in codes(report, epoch)
    assert all(codes(report, e) == [] for e in range(epoch))
    assert all(codes(report, e) == ["previous_unverified"] for e in range(epoch + 1, EPOCHS))


def test_a_withheld_file_leaves_no_pass_for_a_forged_balance_after_it(
    honest: Settled, tmp_path: Path
) -> None:
    def forge(document: dict[str, Any]) -> None:
        rows = document["balances"]["accounts"]
        rows[0][1] += 10 * STONE

    directory = tmp_path / "epochs"
    shutil.copytree(honest.epochs_dir, directory)
    (directory / epochfile.file_name(2)).unlink()
    path = directory / epochfile.file_name(3)
    record, _ = epochfile.read(path)
    document = epochfile.to_document(record)
    forge(document)
    epochfile.write(path, epochfile.compress(
        json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    ))
    whole = run_audit(directory, honest.program, honest.contract)
    assert codes(whole, 2) == ["file_missing"]
    assert "previous_unverified" in codes(whole, 3)
    started = run_audit(directory, honest.program, honest.contract, start=3)
    assert "previous_unverified" in codes(started, 3)
