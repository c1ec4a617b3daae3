"""Settling epochs end to end on the `minimal` preset: a simulated fleet through the real intake,
check-ins and spending in between, the embedded chain, and the audit over the published files."""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from milestone.activities.checkin import CHECKIN_KIND, check_in
from milestone.audit.run import run_audit
from milestone.cli.main import app
from milestone.clock import ManualClock
from milestone.consent.service import grant_consent
from milestone.epochs import epochfile, proofs
from milestone.epochs.inputs import account_total_through, activity_paid_through
from milestone.epochs.models import (
    EpochDropRecord,
    EpochRecord,
    EpochRewardRecord,
    EpochStepRecord,
    EpochWeightRecord,
    OwnerStateRecord,
)
from milestone.epochs.payout import settled_budget
from milestone.epochs.proofs import prove_owner, verify_owner_proof
from milestone.epochs.publish import build_epoch_file
from milestone.epochs.settle import settle
from milestone.epochs.state import _running_totals
from milestone.epochs.steps import Settlement, done_steps
from milestone.epochs.treestore import has_stored_trees
from milestone.ledger import (
    BURNED,
    MINING_RESERVE,
    balance_of,
    history,
    merchant_account,
    owner_account,
    post_transaction,
    transfer,
    verify_ledger,
)
from milestone.ledger.models import JournalEntryRecord, PostingRecord
from milestone.registry.vehicles import transfer_vehicle
from milestone.rules.epoch_state import CumulativeTotals
from milestone.rules.schedule import calculate_cumulative_release
from milestone.rules.units import PEBBLES_PER_STONE
from milestone.storage import Database
from milestone.store.merchants import add_item, register_merchant
from milestone.store.models import StoreOrder

from .conftest import DAY, GENESIS, Fleet, make_settlement, open_chain, start_program

HOUR = 3_600
IDLE_DAY = 5  # nobody drives: the whole budget rolls over
EPOCHS = {"sqlite": 10, "postgresql": 7}
"""Epochs settled per backend: past two era boundaries of the minimal preset (4 epochs)."""


@dataclass
class ProgramRun:
    settlement: Settlement
    fleet: Fleet
    epochs: int

    @property
    def last(self) -> int:
        return self.epochs - 1


def contract_of(settlement: Settlement) -> bytes:
    return bytes.fromhex(settlement.anchor.address[2:])


def buy_and_fulfil(session: Session, clock: ManualClock, owner: int, stones: int) -> None:
    """An order placed and fulfilled as the store posts them, the preset's 90-day spend lock
    aside (the order row and its two entries written directly)."""
    merchant, _ = register_merchant(session, clock, "Service centre")
    item = add_item(session, clock, merchant.id, sku="oil-1", title="Oil change", price=stones)
    order = StoreOrder(
        owner_id=owner,
        merchant_id=merchant.id,
        item_id=item.id,
        quantity=1,
        stones=stones,
        cash_fen=0,
        status="fulfilled",
        place_key="test-order-1",
        pickup_code="ABCDEFGH",
        placed_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(order)
    session.flush()
    held = merchant_account(merchant.id)
    post_transaction(
        session,
        clock,
        "store.order",
        f"store.order:{order.id}",
        transfer(owner_account(owner), held, stones),
        {"order_id": order.id},
    )
    post_transaction(
        session,
        clock,
        "store.fulfil",
        f"store.fulfil:{order.id}",
        transfer(held, BURNED, stones),
        {"order_id": order.id},
    )


def run_program(settlement: Settlement, fleet: Fleet, clock: ManualClock, epochs: int) -> None:
    """Days of driving, check-ins and spending, settling each day as soon as it closes."""
    genesis = settlement.program.genesis
    database = settlement.database
    for day in range(epochs):
        start = genesis + day * DAY
        clock.set(max(clock.now(), start + settlement.grace_seconds))
        settle(settlement)
        clock.set(max(clock.now(), start + 2 * HOUR))
        if day >= 1:
            with database.transaction() as session:
                for owner in fleet.owners[:3]:
                    check_in(session, clock, owner)
        if day == 4:  # owner 0 spends two stones at the shop: burned on fulfilment
            with database.transaction() as session:
                buy_and_fulfil(session, clock, fleet.owners[0], 2 * PEBBLES_PER_STONE)
        if day == 6:  # the last car is sold to the first owner, who consents for it
            with database.transaction() as session:
                vehicle = fleet.cars[-1].signer.vehicle_id
                transfer_vehicle(session, clock, vehicle, fleet.owners[0])
                grant_consent(
                    session,
                    clock,
                    owner_id=fleet.owners[0],
                    vehicle_id=vehicle,
                    scope="mileage",
                    terms_version="2026-01",
                )
        if day != IDLE_DAY:
            fleet.drive(start, 1)
    clock.set(max(clock.now(), genesis + epochs * DAY + settlement.grace_seconds))
    settle(settlement)


@pytest.fixture(scope="module")
def program_run(
    scenario_database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProgramRun]:
    clock = ManualClock(GENESIS)
    program = start_program(scenario_database, clock)
    data_dir = tmp_path_factory.mktemp("data")
    with open_chain(data_dir) as chain:
        settlement = make_settlement(scenario_database, clock, program, data_dir, chain)
        fleet = Fleet(scenario_database, clock)
        fleet.enroll(6, seed=11)
        epochs = EPOCHS[scenario_database.dialect]
        run_program(settlement, fleet, clock, epochs)
        yield ProgramRun(settlement, fleet, epochs)


def test_epochs_settle_across_eras_and_the_audit_passes(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    report = run_audit(settlement.epochs_dir, settlement.anchor.program, contract_of(settlement))
    assert report.ok, report.to_dict()
    assert [v.epoch for v in report.verdicts] == list(range(program_run.epochs))
    assert settlement.anchor.program.next_epoch() == program_run.epochs


def test_mined_plus_rollover_is_exactly_the_schedule_and_the_ledger_agrees(
    program_run: ProgramRun,
) -> None:
    settlement = program_run.settlement
    params = settlement.program.parameters
    with settlement.database.session() as session:
        rows = {row.epoch: row for row in session.query(EpochRecord)}
        last = rows[program_run.last]
        released = calculate_cumulative_release(params.mining, program_run.last)
        assert last.cum_mined + last.rollover_out == released
        assert params.mining.pool - balance_of(session, MINING_RESERVE) == last.cum_mined
        assert rows[IDLE_DAY].paid == 0
        assert rows[IDLE_DAY + 1].rollover_in >= rows[IDLE_DAY].scheduled
        assert last.cum_burned == 2 * PEBBLES_PER_STONE
        assert verify_ledger(session).ok
        # Every owner's settled balance is their ledger balance: nothing moved since.
        for state in session.query(OwnerStateRecord):
            assert state.balance == balance_of(session, owner_account(state.owner_id))


def test_the_committed_activity_total_is_what_owners_were_paid(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    params = settlement.program.parameters
    with settlement.database.session() as session:
        rows = {row.epoch: row for row in session.query(EpochRecord)}
        credited: dict[int, int] = defaultdict(int)
        for epoch, amount in session.execute(
            select(JournalEntryRecord.epoch, PostingRecord.amount)
            .join(PostingRecord, PostingRecord.entry_seq == JournalEntryRecord.seq)
            .where(
                JournalEntryRecord.kind == CHECKIN_KIND,
                PostingRecord.account.startswith("owner:"),
            )
        ):
            credited[epoch] += amount
    paid = 0
    for epoch in range(program_run.epochs):
        paid += credited[epoch]
        assert rows[epoch].cum_activity == paid
    assert rows[0].cum_activity == 0 < paid  # check-ins start on day 1
    # Paid, not released: the release is far larger than a few check-ins.
    assert paid < calculate_cumulative_release(params.activity, program_run.last)
    committed = settlement.anchor.program.commitment(program_run.last)
    assert committed is not None and committed.cum_activity == paid


def test_running_totals_equal_the_journal_summed_from_genesis(program_run: ProgramRun) -> None:
    """Activity paid and burned are carried from epoch to epoch (`state._running_totals`); each
    epoch's equals every posting through it summed again, burns included."""
    settlement = program_run.settlement
    with settlement.database.session() as session:
        rows = {row.epoch: row for row in session.query(EpochRecord)}
        for epoch in range(program_run.epochs):
            if epoch > 0:  # the carried path, not the re-sum kept for files of older versions
                assert done_steps(session, epoch - 1)["publish"]["version"] == epochfile.VERSION
            assert rows[epoch].cum_activity == activity_paid_through(session, epoch)
            assert rows[epoch].cum_burned == account_total_through(session, BURNED, epoch)
        assert rows[program_run.last].cum_burned > 0


def test_totals_after_an_epoch_of_an_older_file_version_are_summed_again(
    program_run: ProgramRun,
) -> None:
    """An epoch published by an older version committed the release as its activity total, so
    the next one cannot carry it forward: it sums the journal again (and otherwise carries)."""
    last = program_run.last
    wrong = CumulativeTotals(
        cum_mined=0, cum_activity=10**15, cum_burned=10**15, cum_dividends_fen=0
    )
    with program_run.settlement.database.session() as session:
        summed = (
            activity_paid_through(session, last),
            account_total_through(session, BURNED, last),
        )
        assert _running_totals(session, last, wrong) != summed  # carried: the wrong totals show
        step = session.execute(
            select(EpochStepRecord).where(
                EpochStepRecord.epoch == last - 1, EpochStepRecord.step == "publish"
            )
        ).scalar_one()
        step.detail = json.dumps({"file": "older", "bytes": 1})
        session.flush()
        assert _running_totals(session, last, wrong) == summed
        session.rollback()


def test_each_owner_proves_balance_and_reward_against_the_chain(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    with settlement.database.session() as session:
        for owner in program_run.fleet.owners:
            proof = prove_owner(session, settlement.epochs_dir, owner, program_run.last)
            assert proof.balance == balance_of(session, owner_account(owner))
            assert verify_owner_proof(proof, settlement.anchor.program)
            forged = proof.__class__(**{**proof.__dict__, "balance": proof.balance + 1})
            assert not verify_owner_proof(forged, settlement.anchor.program)


def test_the_owner_history_keeps_the_per_round_breakdown(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    owner = program_run.fleet.owners[1]
    with settlement.database.session() as session:
        lines = [line for line in history(session, owner_account(owner), limit=200).lines
                 if line.kind == "mining"]  # fmt: skip
        assert lines
        for line in lines:
            epoch, rounds = line.metadata["epoch"], line.metadata["rounds"]
            stored = {
                row.round: row.amount
                for row in session.query(EpochDropRecord).filter_by(epoch=epoch, owner_id=owner)
            }
            assert dict(map(tuple, rounds)) == stored
            assert sum(amount for _, amount in rounds) == line.amount


def test_settling_again_changes_nothing(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    before = sorted(p.name for p in settlement.epochs_dir.iterdir())
    assert settle(settlement) == []
    assert sorted(p.name for p in settlement.epochs_dir.iterdir()) == before


def test_the_epoch_file_round_trips_and_hashes_as_committed(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    path = settlement.epochs_dir / epochfile.file_name(3)
    record, canonical = epochfile.read(path)
    assert epochfile.render(record) == canonical
    committed = settlement.anchor.program.commitment(3)
    assert committed is not None
    assert epochfile.file_hash(canonical) == committed.epoch_file_hash
    assert record.flows, "check-ins must show as flows"


TOOLS = Path(__file__).resolve().parents[2] / "tools"


@pytest.mark.parametrize("tree", ["weights", "rewards", "state"])
def test_exported_trees_load_in_openzeppelins_library_with_the_committed_roots(
    program_run: ProgramRun, tmp_path: Path, tree: str
) -> None:
    settlement = program_run.settlement
    out = tmp_path / f"{tree}.json"
    result = CliRunner().invoke(app, [
        "export", "epoch", "3", "--format", "oz-dump", "--tree", tree, "--out", str(out),
        "--data-dir", str(settlement.data_dir),
        "--database-url", settlement.database.engine.url.render_as_string(hide_password=False),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    dump = json.loads(out.read_text())
    if shutil.which("node") is None or not (TOOLS / "node_modules").exists():
        pytest.skip("node and tools/node_modules (make tools) are needed for the OZ check")
    answer = subprocess.run(
        ["node", str(TOOLS / "oz-merkle.mjs")],
        input=json.dumps({"dump": dump}),
        capture_output=True,
        text=True,
        check=True,
        cwd=TOOLS,
    )
    committed = settlement.anchor.program.commitment(3)
    weights = settlement.anchor.program.weights(3)
    assert committed is not None and weights is not None
    expected = {"weights": weights[0], "rewards": committed.rewards_root,
                "state": committed.state_root}[tree]  # fmt: skip
    assert json.loads(answer.stdout)["root"] == "0x" + expected.hex()


def test_export_refuses_an_epoch_not_finalized(program_run: ProgramRun, tmp_path: Path) -> None:
    settlement = program_run.settlement
    result = CliRunner().invoke(app, [
        "export", "epoch", str(program_run.epochs + 5), "--out", str(tmp_path / "x.gz"),
        "--data-dir", str(settlement.data_dir),
        "--database-url", settlement.database.engine.url.render_as_string(hide_password=False),
    ])  # fmt: skip
    assert result.exit_code == 1
    assert "[epoch_not_finalized]" in result.output


def test_export_writes_the_finalized_file(program_run: ProgramRun, tmp_path: Path) -> None:
    settlement = program_run.settlement
    out = tmp_path / "epoch.json.gz"
    result = CliRunner().invoke(app, [
        "export", "epoch", "1", "--out", str(out), "--data-dir", str(settlement.data_dir),
        "--database-url", settlement.database.engine.url.render_as_string(hide_password=False),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    _, canonical = epochfile.read(out)
    committed = settlement.anchor.program.commitment(1)
    assert committed is not None and epochfile.file_hash(canonical) == committed.epoch_file_hash


def test_each_owner_mines_in_line_with_their_weight_share(program_run: ProgramRun) -> None:
    """Over the scenario's epochs, each owner's mined pebbles sit within five standard
    deviations of the expectation Σ_rounds budget_r · w_ir / W_r (a drop is a draw)."""
    settlement = program_run.settlement
    params = settlement.program.parameters
    expected: dict[int, float] = defaultdict(float)
    variance: dict[int, float] = defaultdict(float)
    mined: dict[int, int] = defaultdict(int)
    with settlement.database.session() as session:
        for row in session.query(EpochRecord):
            by_round: dict[int, dict[int, int]] = defaultdict(dict)
            for weight in session.query(EpochWeightRecord).filter_by(epoch=row.epoch):
                by_round[weight.round][weight.owner_id] = weight.weight
            budget = settled_budget(params, row.epoch, row.rollover_in, by_round)
            for round_index, weights in by_round.items():
                total = sum(weights.values())
                drops = budget.rounds[round_index] / params.drop_size
                for owner, w in weights.items():
                    expected[owner] += budget.rounds[round_index] * w / total
                    variance[owner] += drops * (w / total) * (1 - w / total) * params.drop_size**2
        for reward in session.query(EpochRewardRecord):
            mined[reward.owner_id] += reward.amount
    assert set(mined) <= set(expected)
    for owner, mean in expected.items():
        assert abs(mined[owner] - mean) <= 5 * math.sqrt(variance[owner]) + params.drop_size


def test_stored_proofs_are_the_proofs_of_the_published_file(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    with settlement.database.session() as session:
        row = session.get(EpochRecord, program_run.last)
        assert row is not None and has_stored_trees(session, program_run.last)
        for owner in program_run.fleet.owners:
            stored = prove_owner(session, settlement.epochs_dir, owner, program_run.last)
            address = stored.address
            from_file = proofs._prove_from_file(row, settlement.epochs_dir, owner, address)
            assert stored == from_file


def test_the_streamed_file_is_the_file_rendered_whole(program_run: ProgramRun) -> None:
    settlement = program_run.settlement
    with settlement.database.session() as session:
        record = build_epoch_file(settlement, session, program_run.last)
        whole = dataclasses.replace(
            record,
            weights={r: dict(in_round.items()) for r, in_round in record.weights.items()},
            balances=dict(record.balances.items()),
        )
        assert isinstance(record.balances, epochfile.Streamed)
        assert whole.balances and whole.weights
        assert record.version == 3 and whole.block is not None and whole.block.entries
    path = settlement.epochs_dir / epochfile.file_name(program_run.last)
    _, canonical = epochfile.read(path)
    assert epochfile.render(whole) == canonical
    # The definition of the canonical bytes, not the fast renderer compared with itself.
    document = epochfile.to_document(whole)
    assert json.dumps(document, sort_keys=True, separators=(",", ":")).encode() == canonical
    assert path.read_bytes() == epochfile.compress(canonical)
