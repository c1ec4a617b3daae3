"""A record epoch's holdings are the balances its settlement committed on-chain: settled for
real on the embedded chain, then declared on.

Settlement posts epoch e's drops while epoch e+1 runs, so a reading of the ledger by posting
epoch would miss the record epoch's own mining and count what moved after it; these tests fail
that way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from epochs.conftest import Fleet, close, make_settlement, open_chain
from milestone.activities.standing import certify_owner
from milestone.clock import ManualClock
from milestone.dividends.declare import declare_dividend, entitlements_of
from milestone.dividends.errors import EpochNotFinalized
from milestone.dividends.models import Dividend
from milestone.epochs import epochfile
from milestone.epochs.models import EpochRewardRecord
from milestone.epochs.settle import settle
from milestone.epochs.status import settled_balances
from milestone.epochs.steps import Settlement
from milestone.ledger import Asset, balances
from milestone.program.service import Program, create_program
from milestone.rules.dividends import split_stake_dividend
from milestone.rules.params import get_preset
from milestone.storage import Database
from milestone.store.merchants import add_item, register_merchant
from milestone.store.orders import place_order

GENESIS = 1_767_225_600
AMOUNT_FEN = 1_000_001


@pytest.fixture
def program(database: Database, clock: ManualClock) -> Program:
    """The `minimal` preset without the spend lock, so stones mined can be spent at once."""
    parameters = dataclasses.replace(get_preset("minimal"), spend_lock_days=0)
    with database.transaction() as session:
        return create_program(session, clock, parameters, genesis=GENESIS)


@pytest.fixture
def settlement(
    database: Database, clock: ManualClock, program: Program, tmp_path: Path
) -> Iterator[Settlement]:
    data_dir = tmp_path / "data"
    with open_chain(data_dir) as chain:
        yield make_settlement(database, clock, program, data_dir, chain)


class Interrupted(Exception):
    pass


def drive_epoch_0(settlement: Settlement, clock: ManualClock) -> None:
    """Three owners drive through epoch 0; the clock moves to where it may settle."""
    fleet = Fleet(settlement.database, clock)
    fleet.enroll(3, seed=5)
    fleet.drive(settlement.program.genesis, 1)
    close(settlement, clock, 1)


@pytest.fixture
def mined_in_epoch_0(settlement: Settlement, clock: ManualClock) -> dict[int, int]:
    """Epoch 0 driven and settled during epoch 1; the owners' rewards by owner id."""
    drive_epoch_0(settlement, clock)
    assert [done.epoch for done in settle(settlement)] == [0]
    with settlement.database.session() as session:
        rewards = {
            owner_id: amount
            for owner_id, amount in session.execute(
                select(EpochRewardRecord.owner_id, EpochRewardRecord.amount).where(
                    EpochRewardRecord.epoch == 0
                )
            )
        }
    assert rewards and all(amount > 0 for amount in rewards.values())  # the drops' winners
    return rewards


def declare(database: Database, clock: ManualClock, record_epoch: int) -> Dividend:
    with database.transaction() as session:
        return declare_dividend(
            session, clock, amount_fen=AMOUNT_FEN, record_epoch=record_epoch,
            payment_date="2026-03-31", note="", key=f"dividend-on-{record_epoch}",
        )  # fmt: skip


def held(database: Database, dividend: Dividend) -> dict[int, int]:
    """Each entitled owner's balance at the record epoch, by owner id."""
    with database.session() as session:
        return {e.owner_id: e.balance for e in entitlements_of(session, dividend.id)}


def test_an_epoch_settled_but_not_finalized_on_chain_takes_no_dividend(
    settlement: Settlement, clock: ManualClock, snapshot: Callable[[], object]
) -> None:
    def stop_before_finalize(epoch: int, step: str, phase: str) -> None:
        if (step, phase) == ("finalize", "start"):
            raise Interrupted

    drive_epoch_0(settlement, clock)
    settlement.on_step = stop_before_finalize
    with pytest.raises(Interrupted):
        settle(settlement)
    with settlement.database.session() as session:
        assert settled_balances(session, 0)  # the state is written, not yet committed
    before = snapshot()
    with pytest.raises(EpochNotFinalized):
        declare(settlement.database, clock, 0)
    assert snapshot() == before


def test_the_record_epochs_own_mining_counts_and_the_epoch_file_recomputes_every_share(
    settlement: Settlement, clock: ManualClock, mined_in_epoch_0: dict[int, int]
) -> None:
    database = settlement.database
    with database.session() as session:
        # The drops of epoch 0 were posted in epoch 1: by posting epoch, nobody held anything.
        assert not any(balances(session, Asset.STONE, kind="owner", at_epoch=0).values())
    dividend = declare(database, clock, 0)
    assert held(database, dividend) == mined_in_epoch_0
    assert dividend.circulating == sum(mined_in_epoch_0.values())
    record, _ = epochfile.read(settlement.epochs_dir / epochfile.file_name(0))
    published = {address: balance for address, balance in record.balances.items() if balance}
    with database.session() as session:
        shares = {bytes(e.address): e.amount_fen for e in entitlements_of(session, dividend.id)}
    # Per stone (the preset's mode): the holders' part of the stake's dividend, split exactly.
    params = settlement.program.parameters
    assert params.dividend_mode == "per_stone"
    expected, issuer = split_stake_dividend(AMOUNT_FEN, published, params.total_supply)
    assert shares == expected and dividend.issuer_fen == issuer > 0


def test_a_spend_posted_after_the_record_epoch_does_not_count(
    settlement: Settlement, clock: ManualClock, mined_in_epoch_0: dict[int, int]
) -> None:
    database = settlement.database
    spender = max(mined_in_epoch_0, key=lambda owner: mined_in_epoch_0[owner])
    price = mined_in_epoch_0[spender] // 2
    with database.transaction() as session:  # during epoch 1
        certify_owner(session, clock, spender)
        merchant, _ = register_merchant(session, clock, "IM Lifestyle Store")
        item = add_item(session, clock, merchant.id, sku="CAP-01", title="Cap", price=price)
        place_order(session, clock, spender, item.id, 1, "order-1")
    close(settlement, clock, 2)
    assert [done.epoch for done in settle(settlement)] == [1]
    assert held(database, declare(database, clock, 0)) == mined_in_epoch_0
    after = held(database, declare(database, clock, 1))
    assert after == {**mined_in_epoch_0, spender: mined_in_epoch_0[spender] - price}
