"""Declaring dividends, the payout file out and back, the entitlement tree and its commitment."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from fractions import Fraction

import pytest
from sqlalchemy import update

from milestone.clock import ManualClock
from milestone.dividends import errors, trees
from milestone.dividends.commitments import ZERO_ROOT, dividends_commitment, entitlement_proof
from milestone.dividends.declare import declare_dividend, entitlements_of
from milestone.dividends.models import Dividend, Entitlement
from milestone.dividends.payouts import confirm_payouts, export_payouts, payout_reference
from milestone.ledger import PAYOUT, SUPPLY, Asset, balance_of, dividend_account, owner_account
from milestone.registry.models import Owner
from milestone.rules.merkle import StandardMerkleTree, verify_proof
from milestone.storage import Database

STONE = 10**8
FEN = Asset.CNY_FEN
SettleState = Callable[[int, dict[int, int]], None]


def declare(
    database: Database, clock: ManualClock, amount: int, epoch: int = 0, key: str = "d1"
) -> Dividend:
    with database.transaction() as session:
        return declare_dividend(
            session,
            clock,
            amount_fen=amount,
            record_epoch=epoch,
            payment_date="2026-03-31",
            note="FY2025",
            key=key,
        )


def fen(database: Database, account: str) -> int:
    with database.session() as session:
        return balance_of(session, account, FEN)


def test_a_dividend_on_an_epoch_not_finalized_is_refused(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    settle_state: SettleState,
    snapshot: Callable[[], object],
) -> None:
    owner = make_owner()
    for record_epoch in (0, 1):
        before = snapshot()
        with pytest.raises(errors.EpochNotFinalized) as raised:
            declare(database, clock, 1_000, record_epoch)
        assert raised.value.code == "epoch_not_finalized"
        assert snapshot() == before
        settle_state(0, {owner: STONE})  # then epoch 0 is final, epoch 1 still is not


def test_entitlements_follow_the_record_epochs_settled_balances(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    settle_state: SettleState,
) -> None:
    a, b, c = make_owner(), make_owner(), make_owner()
    settle_state(0, {a: STONE, b: 2 * STONE})
    settle_state(1, {a: 0, c: 100 * STONE})  # after the record epoch: changes no share
    dividend = declare(database, clock, 1_000)
    assert (dividend.circulating, dividend.holders) == (3 * STONE, 2)
    with database.session() as session:
        shares = {e.owner_id: e.amount_fen for e in entitlements_of(session, dividend.id)}
        addresses = {e.owner_id: bytes(e.address) for e in entitlements_of(session, dividend.id)}
        assert addresses[a] == session.get(Owner, a).address  # type: ignore[union-attr]
    assert shares == {a: 333, b: 667}  # 333.33 and 666.67: the leftover fen goes to b
    assert (fen(database, owner_account(a)), fen(database, owner_account(b))) == (333, 667)
    assert fen(database, dividend_account(dividend.id)) == 0
    assert fen(database, SUPPLY) == -1_000
    later = declare(database, clock, 1_000, epoch=1, key="d2")  # a spent all, c mined
    with database.session() as session:
        assert {e.owner_id for e in entitlements_of(session, later.id)} == {b, c}


def test_declaring_again_under_the_same_key_changes_nothing(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    settle_state: SettleState,
    snapshot: Callable[[], object],
) -> None:
    settle_state(0, {make_owner(): STONE})
    first = declare(database, clock, 1_000)
    before = snapshot()
    assert declare(database, clock, 1_000).id == first.id
    assert snapshot() == before
    with pytest.raises(errors.DeclarationConflict):
        declare(database, clock, 2_000)


@pytest.mark.parametrize(
    "terms",
    [
        {"amount_fen": 0},
        {"amount_fen": -5},
        {"amount_fen": 1.5},
        {"record_epoch": -1},
        {"payment_date": "31/03/2026"},
        {"payment_date": "2026-3-31"},
        {"note": "x" * 501},
    ],
)
def test_impossible_dividends_are_refused(
    database: Database, clock: ManualClock, program: object, terms: dict[str, object]
) -> None:
    fields: dict[str, object] = {
        "amount_fen": 100,
        "record_epoch": 0,
        "payment_date": "2026-03-31",
        "note": "",
        "key": "k",
    }
    fields.update(terms)
    with pytest.raises(errors.InvalidDividend) as raised, database.transaction() as session:
        declare_dividend(session, clock, **fields)  # type: ignore[arg-type]
    assert raised.value.code == "invalid_dividend"


def test_an_epoch_without_holders_has_no_dividend(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    settle_state: SettleState,
    snapshot: Callable[[], object],
) -> None:
    settle_state(0, {make_owner(): 0})  # in the state, at zero: no holder
    before = snapshot()
    with pytest.raises(errors.NoHoldersAtRecord) as raised:
        declare(database, clock, 100)
    assert raised.value.code == "no_holders"
    assert snapshot() == before


def returned(export: str, statuses: dict[str, str], **overrides: str) -> str:
    """The export as the rails send it back: each line with a status."""
    rows = list(csv.DictReader(io.StringIO(export)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["reference", "amount_fen", "status", "rail_reference"])
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                "reference": row["reference"],
                "amount_fen": overrides.get(row["reference"], row["amount_fen"]),
                "status": statuses.get(row["reference"], "paid"),
                "rail_reference": "BANK-" + row["owner_id"],
            }
        )
    return out.getvalue()


@pytest.fixture
def dividend(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    settle_state: SettleState,
) -> tuple[Dividend, list[int]]:
    owners = [make_owner() for _ in range(3)]
    settle_state(0, {owner: (i + 1) * STONE for i, owner in enumerate(owners)})
    return declare(database, clock, 600), owners


def test_the_payout_file_round_trip(
    database: Database, clock: ManualClock, dividend: tuple[Dividend, list[int]]
) -> None:
    declared, (a, b, c) = dividend
    with database.session() as session:
        export = export_payouts(session, declared.id)
    lines = list(csv.DictReader(io.StringIO(export)))
    assert [(line["owner_id"], line["amount_fen"]) for line in lines] == [
        (str(a), "100"),
        (str(b), "200"),
        (str(c), "300"),
    ]
    with database.session() as session:
        assert lines[0]["address"] == "0x" + bytes(session.get(Owner, a).address).hex()  # type: ignore[union-attr]
    failed = payout_reference(declared.id, b)
    with database.transaction() as session:
        result = confirm_payouts(session, clock, declared.id, returned(export, {failed: "failed"}))
    assert (result.paid, result.paid_fen, result.failed) == (2, 400, 1)
    assert (fen(database, owner_account(a)), fen(database, owner_account(b))) == (0, 200)
    assert fen(database, PAYOUT) == 400
    with database.session() as session:
        again = export_payouts(session, declared.id)
    assert [line["reference"] for line in csv.DictReader(io.StringIO(again))] == [failed]
    with database.transaction() as session:  # the whole file again: only b is new
        result = confirm_payouts(session, clock, declared.id, returned(export, {}))
    assert (result.paid, result.already_paid) == (1, 2)
    assert fen(database, PAYOUT) == 600


def test_a_payout_file_that_does_not_match_is_refused_whole(
    database: Database,
    clock: ManualClock,
    dividend: tuple[Dividend, list[int]],
    snapshot: Callable[[], object],
) -> None:
    declared, (a, _, _) = dividend
    with database.session() as session:
        export = export_payouts(session, declared.id)
    ref = payout_reference(declared.id, a)
    bad_files = [
        returned(export, {}, **{ref: "101"}),
        returned(export, {ref: "maybe"}),
        returned(export, {}) + f"{ref},100,paid,\n",
        returned(export, {}) + "D9-O9,100,paid,\n",
        "reference,status\n",
    ]
    before = snapshot()
    for text in bad_files:
        with pytest.raises(errors.PayoutFileInvalid) as raised, database.transaction() as session:
            confirm_payouts(session, clock, declared.id, text)
        assert raised.value.code == "payout_file_invalid"
    assert snapshot() == before


def test_every_holder_can_prove_an_entitlement(
    database: Database,
    clock: ManualClock,
    dividend: tuple[Dividend, list[int]],
    make_owner: Callable[[], int],
) -> None:
    declared, owners = dividend
    with database.session() as session:
        for owner in owners:
            proof = entitlement_proof(session, declared.id, owner)
            leaf = StandardMerkleTree.of(
                [(proof.address, proof.amount_fen)], ["address", "uint256"]
            ).tree[0]
            assert verify_proof(declared.root, leaf, proof.proof)
            assert not verify_proof(declared.root, leaf, proof.proof[:-1] or [bytes(32)])
        with pytest.raises(errors.NoEntitlement):
            entitlement_proof(session, declared.id, make_owner())


def test_the_next_finalized_epoch_commits_the_root(
    database: Database,
    clock: ManualClock,
    dividend: tuple[Dividend, list[int]],
) -> None:
    declared, _ = dividend
    second = declare(database, clock, 50, key="d2")
    with database.transaction() as session:
        first_commit = dividends_commitment(session, 1)
        assert dividends_commitment(session, 1) == first_commit  # asked again: the same
        second_commit = dividends_commitment(session, 2)
        third_commit = dividends_commitment(session, 3)
    assert (first_commit.dividend_id, first_commit.root, first_commit.cumulative_fen) == (
        declared.id,
        declared.root,
        600,
    )
    assert (second_commit.dividend_id, second_commit.cumulative_fen) == (second.id, 650)
    assert (third_commit.dividend_id, third_commit.root, third_commit.cumulative_fen) == (
        None,
        ZERO_ROOT,
        650,
    )
    # Each commits the record epoch its dividend was declared on; none without a dividend.
    assert first_commit.record_epoch == declared.record_epoch
    assert second_commit.record_epoch == second.record_epoch
    assert third_commit.record_epoch is None


def test_adversarial_balances_split_exactly_and_within_a_fen(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    settle_state: SettleState,
) -> None:
    tiny = [make_owner() for _ in range(150)]
    whale = make_owner()
    amount = 49_000_000_000  # RMB 490M in fen
    balances = {owner: 1 + i % 3 for i, owner in enumerate(tiny)}
    settle_state(0, {**balances, whale: 999 * STONE - 7})
    dividend = declare(database, clock, amount)
    with database.session() as session:
        entitlements = entitlements_of(session, dividend.id)
    assert sum(e.amount_fen for e in entitlements) == amount
    circulating = dividend.circulating
    for e in entitlements:
        exact = Fraction(amount * e.balance, circulating)
        assert abs(e.amount_fen - exact) < 1
    # Each tiny holder is owed under half a fen: the leftover fen go to the largest remainders.
    assert {e.owner_id for e in entitlements} <= {*tiny, whale}
    assert whale in {e.owner_id for e in entitlements}


def test_edited_entitlements_no_longer_prove_anything(
    database: Database, clock: ManualClock, dividend: tuple[Dividend, list[int]]
) -> None:
    declared, (a, _, _) = dividend
    with database.transaction() as session:
        session.execute(
            update(Entitlement)
            .where(Entitlement.dividend_id == declared.id, Entitlement.owner_id == a)
            .values(amount_fen=101)
        )
    trees.forget_trees()  # as after a restart
    with database.session() as session, pytest.raises(errors.EntitlementsAltered) as raised:
        entitlement_proof(session, declared.id, a)
    assert raised.value.code == "entitlements_altered"
