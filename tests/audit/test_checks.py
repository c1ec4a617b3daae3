"""Tampered epoch files: the audit fails the tampered epoch with the right reason, and every epoch
after it only because its predecessor did not verify."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from milestone.audit.run import AuditReport, run_audit
from milestone.epochs import epochfile
from milestone.epochs.compute import calculate_account_root, calculate_weights_root
from milestone.epochs.epochfile import EpochFile
from milestone.rules.leaves import BALANCE_LEAF
from milestone.rules.mining import calculate_legacy_mining_budget

from .conftest import Settled

TAMPERED = 2

Tamper = Callable[[EpochFile], EpochFile]


def audit_tampered(settled: Settled, tmp_path: Path, tamper: Tamper) -> AuditReport:
    directory = tmp_path / "epochs"
    shutil.copytree(settled.epochs_dir, directory)
    path = directory / epochfile.file_name(TAMPERED)
    record, _ = epochfile.read(path)
    changed = tamper(record)
    epochfile.write(path, epochfile.compress(epochfile.render(changed)))
    return run_audit(directory, settled.program, settled.contract)


def only_failure(report: AuditReport) -> tuple[str, list[str]]:
    """The tampered epoch's reason and codes; every later epoch fails for that reason only."""
    assert [v.epoch for v in report.failed] == list(range(TAMPERED, len(report.verdicts)))
    for later in report.failed[1:]:
        assert [f.code for f in later.failures] == ["previous_unverified"], later.to_dict()
    verdict = report.failed[0]
    assert verdict.reason is not None
    return verdict.reason.code, [failure.code for failure in verdict.failures]


def first_account(amounts: dict[bytes, int]) -> bytes:
    return sorted(amounts)[0]


def changed_weight(record: EpochFile) -> EpochFile:
    weights = {r: dict(w) for r, w in record.weights.items()}
    round_index = sorted(weights)[0]
    weights[round_index][first_account(weights[round_index])] += 1_000
    return dataclasses.replace(record, weights=weights)


def changed_weight_with_its_root(record: EpochFile) -> EpochFile:
    # A tamperer who also recomputes the root in the file is caught by the root on-chain.
    changed = changed_weight(record)
    root, total = calculate_weights_root(changed.weights)
    return dataclasses.replace(changed, weights_root=root, total_weight=total)


def changed_drop(record: EpochFile) -> EpochFile:
    drops = {r: dict(won) for r, won in record.drops.items()}
    round_index = next(r for r in sorted(drops) if len(record.weights.get(r, {})) > 1)
    losers = sorted(set(record.weights[round_index]) - set(drops[round_index])) or sorted(
        record.weights[round_index]
    )
    winner = first_account(drops[round_index])
    thief = next(a for a in losers if a != winner)
    drops[round_index][winner] -= 1
    drops[round_index][thief] = drops[round_index].get(thief, 0) + 1
    if drops[round_index][winner] == 0:
        del drops[round_index][winner]
    return dataclasses.replace(record, drops=drops)


def changed_balance(record: EpochFile) -> EpochFile:
    balances = dict(record.balances)
    balances[first_account(balances)] += 100
    return dataclasses.replace(record, balances=balances)


def changed_balance_with_its_root(record: EpochFile) -> EpochFile:
    changed = changed_balance(record)
    return dataclasses.replace(
        changed, state_root=calculate_account_root(changed.balances, BALANCE_LEAF)
    )


def swapped_reveal(record: EpochFile) -> EpochFile:
    reveals = (bytes(32 - 1) + b"\x07", *record.beacon.reveals[1:])
    return dataclasses.replace(record, beacon=dataclasses.replace(record.beacon, reveals=reveals))


def changed_flow(record: EpochFile) -> EpochFile:
    flows = {account: dict(by_kind) for account, by_kind in record.flows.items()}
    account = first_account(record.balances)
    flows.setdefault(account, {})["activity.checkin"] = 100
    balances = dict(record.balances)
    balances[account] += 100
    return dataclasses.replace(
        record,
        flows=flows,
        balances=balances,
        state_root=calculate_account_root(balances, BALANCE_LEAF),
    )


def equal_round_budgets(record: EpochFile) -> EpochFile:
    # The legacy split (1/rounds of the day each) written into a version-2 file.
    legacy = calculate_legacy_mining_budget(
        record.program.parameters, record.epoch, record.budget.rollover_in
    )
    return dataclasses.replace(record, budget=legacy)


def relabelled_version_1(record: EpochFile) -> EpochFile:
    # Claiming the legacy rule for an epoch settled under the new one changes what it owed.
    return dataclasses.replace(record, version=1)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (changed_weight, "weights_root_mismatch"),
        (changed_weight_with_its_root, "weights_root_mismatch"),
        (changed_drop, "drops_mismatch"),
        (changed_balance, "balance_carry_mismatch"),
        (changed_balance_with_its_root, "balance_carry_mismatch"),
        (swapped_reveal, "reveal_mismatch"),
        (equal_round_budgets, "budget_mismatch"),
        (relabelled_version_1, "budget_mismatch"),
    ],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_tampered_epoch_fails_alone_with_its_reason(
    settled: Settled, tmp_path: Path, tamper: Tamper, reason: str
) -> None:
    code, codes = only_failure(audit_tampered(settled, tmp_path, tamper))
    assert code == reason
    assert "file_hash_mismatch" in codes


def test_a_balance_changed_with_no_entry_is_caught_from_the_file_alone(
    settled: Settled, tmp_path: Path
) -> None:
    # A flow and a balance rewritten together, their root too: no journal entry moves them.
    code, codes = only_failure(audit_tampered(settled, tmp_path, changed_flow))
    assert code == "flows_mismatch"
    assert {"balance_carry_mismatch", "state_root_mismatch", "file_hash_mismatch"} <= set(codes)


def test_a_missing_file_fails_its_epoch_only(settled: Settled, tmp_path: Path) -> None:
    directory = tmp_path / "epochs"
    shutil.copytree(settled.epochs_dir, directory)
    (directory / epochfile.file_name(TAMPERED)).unlink()
    code, _ = only_failure(run_audit(directory, settled.program, settled.contract))
    assert code == "file_missing"


def test_an_unreadable_file_fails_its_epoch_only(settled: Settled, tmp_path: Path) -> None:
    directory = tmp_path / "epochs"
    shutil.copytree(settled.epochs_dir, directory)
    (directory / epochfile.file_name(TAMPERED)).write_bytes(b"not gzip at all")
    code, _ = only_failure(run_audit(directory, settled.program, settled.contract))
    assert code == "file_unreadable"


def test_another_contract_fails_every_epoch(settled: Settled) -> None:
    report = run_audit(settled.epochs_dir, settled.program, bytes(20))
    assert not report.ok
    assert {v.reason.code for v in report.failed if v.reason} == {"program_mismatch"}


def test_an_empty_directory_fails(settled: Settled, tmp_path: Path) -> None:
    report = run_audit(tmp_path, settled.program, settled.contract)
    assert not report.ok
    assert {v.reason.code for v in report.failed if v.reason} == {"file_missing"}
