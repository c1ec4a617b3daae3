"""Dividends per stone (the default): the holders get their stones' share of the stake's
dividend, the issuer the rest, shown on the dividend and in the payout file; the ceiling."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from milestone.clock import ManualClock
from milestone.dividends import errors
from milestone.dividends.declare import declare_dividend, entitlements_of
from milestone.dividends.models import Dividend
from milestone.dividends.payouts import confirm_payouts, export_payouts, issuer_reference
from milestone.ledger import SUPPLY, Asset, balance_of
from milestone.program.service import Program, create_program
from milestone.rules.params import get_preset
from milestone.storage import Database

STONE = 10**8
SettleState = Callable[[int, dict[int, int]], None]


@pytest.fixture
def program(database: Database, clock: ManualClock) -> Program:
    """The `minimal` preset as it is: dividends per stone (tests/dividends/conftest.py's
    programs split over the circulating stones)."""
    with database.transaction() as session:
        return create_program(session, clock, get_preset("minimal"), genesis=clock.now())


def declare(database: Database, clock: ManualClock, amount: int, key: str = "d1") -> Dividend:
    with database.transaction() as session:
        return declare_dividend(
            session, clock, amount_fen=amount, record_epoch=0, payment_date="2026-03-31",
            note="", key=key,
        )  # fmt: skip


def test_holders_get_their_stones_share_and_the_issuer_the_rest(
    database: Database,
    clock: ManualClock,
    program: Program,
    make_owner: Callable[[], int],
    settle_state: SettleState,
) -> None:
    assert program.parameters.dividend_mode == "per_stone"
    supply = program.parameters.total_supply  # 1,500 stones
    a, b = make_owner(), make_owner()
    settle_state(0, {a: 100 * STONE, b: 200 * STONE})  # 300 of 1,500 stones: a fifth
    dividend = declare(database, clock, 1_000_001)
    assert dividend.mode == "per_stone"
    assert dividend.holders_fen == 1_000_001 * 300 * STONE // supply == 200_000
    assert dividend.issuer_fen == 800_001
    with database.session() as session:
        shares = {e.owner_id: e.amount_fen for e in entitlements_of(session, dividend.id)}
        assert balance_of(session, SUPPLY, Asset.CNY_FEN) == -200_000  # the holders' part only
    assert shares == {a: 66_667, b: 133_333}
    exported = export_payouts_of(database, dividend.id)
    assert exported[-1]["reference"] == issuer_reference(dividend.id)
    assert exported[-1]["amount_fen"] == "800001" and exported[-1]["owner_id"] == ""
    assert sum(int(line["amount_fen"]) for line in exported) == 1_000_001


def test_the_issuer_line_comes_back_unpaid_and_must_keep_its_amount(
    database: Database,
    clock: ManualClock,
    make_owner: Callable[[], int],
    settle_state: SettleState,
) -> None:
    a = make_owner()
    settle_state(0, {a: 300 * STONE})
    dividend = declare(database, clock, 1_000)
    lines = export_payouts_of(database, dividend.id)
    returned = returned_file(lines, lambda line: line["amount_fen"])
    with database.transaction() as session:
        confirmed = confirm_payouts(session, clock, dividend.id, returned)
    assert (confirmed.paid, confirmed.paid_fen) == (1, 200)
    forged = returned_file(
        lines, lambda line: "1" if line["owner_id"] == "" else line["amount_fen"]
    )
    with pytest.raises(errors.PayoutFileInvalid), database.transaction() as session:
        confirm_payouts(session, clock, dividend.id, forged)


def test_a_declaration_above_the_ceiling_is_refused(
    database: Database,
    clock: ManualClock,
    program: Program,
    make_owner: Callable[[], int],
    settle_state: SettleState,
    snapshot: Callable[[], object],
) -> None:
    settle_state(0, {make_owner(): 300 * STONE})
    ceiling = program.parameters.dividend_ceiling
    assert ceiling == program.parameters.backing_fen  # by default, the stake's backing
    before = snapshot()
    with pytest.raises(errors.DividendAboveCeiling) as refused:
        declare(database, clock, ceiling + 1)
    assert refused.value.code == "dividend_above_ceiling"
    assert snapshot() == before
    assert declare(database, clock, ceiling).amount_fen == ceiling


def export_payouts_of(database: Database, dividend_id: int) -> list[dict[str, str]]:
    with database.session() as session:
        return list(csv.DictReader(io.StringIO(export_payouts(session, dividend_id))))


def returned_file(lines: list[dict[str, str]], amount: Callable[[dict[str, str]], str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("reference", "amount_fen", "status"))
    writer.writerows((line["reference"], amount(line), "paid") for line in lines)
    return out.getvalue()
