"""The anchoring client: idempotent steps, conflicts that stop settlement, and a connection that
drops (anvil stopped and restarted between steps) without anything sent twice."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account

from milestone.chain.anchor import Anchor
from milestone.chain.backends import open_embedded, open_remote
from milestone.chain.errors import (
    ChainConflict,
    ChainRejected,
    ChainUnavailable,
    ConfirmationTimeout,
)
from milestone.chain.transactions import RetryPolicy, Sender
from milestone.rules.beacon import commit_of

from .support import (
    DEV_ACCOUNTS,
    AnvilNode,
    epoch_result,
    minimal_parameters,
    open_epoch,
    require_anvil,
    reveal_for,
    transact,
    weights_root_for,
)

OPERATOR = DEV_ACCOUNTS[0]


def run_epoch_steps(anchor: Anchor, epoch: int) -> list[bool]:
    """Every step of an epoch; returns whether each was sent."""
    reveal = reveal_for(epoch, OPERATOR.address)
    result = epoch_result(epoch, cum_mined=epoch + 1)
    outcomes = [
        anchor.commit_beacon(epoch, commit_of(reveal)),
        anchor.post_weights(epoch, weights_root_for(epoch), 10),
        anchor.reveal_beacon(epoch, reveal),
    ]
    outcomes.append(anchor.finalize(result, [anchor.attest(result, OPERATOR)]))
    return [outcome.sent for outcome in outcomes]


def test_every_step_runs_once_however_often_it_is_asked(program: Anchor) -> None:
    assert run_epoch_steps(program, 0) == [True, True, True, True]
    nonce = program.connection.w3.eth.get_transaction_count(OPERATOR.address)
    assert run_epoch_steps(program, 0) == [False, False, False, False]
    assert program.connection.w3.eth.get_transaction_count(OPERATOR.address) == nonce
    assert program.program.commitment(0) == epoch_result(0, cum_mined=1)


def test_a_step_already_sent_reports_its_receipt(program: Anchor) -> None:
    outcome = program.commit_beacon(0, commit_of(reveal_for(0, OPERATOR.address)))
    assert outcome.sent and outcome.gas_used and outcome.block_number
    assert outcome.transaction_hash is not None and outcome.transaction_hash.startswith("0x")


def test_a_conflicting_step_stops_settlement_and_changes_nothing(program: Anchor) -> None:
    run_epoch_steps(program, 0)
    nonce = program.connection.w3.eth.get_transaction_count(OPERATOR.address)
    with pytest.raises(ChainConflict):
        program.commit_beacon(0, b"\x09" * 32)
    with pytest.raises(ChainConflict):
        program.post_weights(0, weights_root_for(0), 11)
    with pytest.raises(ChainConflict):
        program.post_weights(0, b"\x08" * 32, 10)
    with pytest.raises(ChainConflict):
        program.reveal_beacon(0, b"\x07" * 32)
    other = epoch_result(0, cum_mined=2)
    with pytest.raises(ChainConflict) as caught:
        program.finalize(other, [])
    assert caught.value.code == "chain_conflict"
    assert program.connection.w3.eth.get_transaction_count(OPERATOR.address) == nonce
    assert program.program.commitment(0) == epoch_result(0, cum_mined=1)


def test_a_receipt_lost_to_a_dropped_connection_is_not_sent_again(
    program: Anchor, monkeypatch: pytest.MonkeyPatch
) -> None:
    eth = program.connection.w3.eth
    real = eth.get_transaction_receipt
    dropped = []

    def flaky(tx_hash: Any) -> Any:
        if not dropped:
            dropped.append(tx_hash)
            raise requests.ConnectionError("connection reset by peer")
        return real(tx_hash)

    monkeypatch.setattr(eth, "get_transaction_receipt", flaky)
    nonce = eth.get_transaction_count(OPERATOR.address)
    program.commit_beacon(0, commit_of(reveal_for(0, OPERATOR.address)))
    assert dropped, "the connection never dropped"
    assert eth.get_transaction_count(OPERATOR.address) == nonce + 1


def test_embedded_blocks_are_final_at_once(tmp_path: Path) -> None:
    with open_embedded(tmp_path, [OPERATOR.address]) as chain:
        anchor = Anchor.deploy(chain, OPERATOR, minimal_parameters(), confirmations=5)
        # Five confirmations asked, none will ever come (nothing else is mined): not waited for.
        assert anchor.commit_beacon(0, b"\x01" * 32).sent


@pytest.fixture
def node(tmp_path: Path) -> Any:
    require_anvil()
    node = AnvilNode(state=tmp_path / "anvil-state.json").start()
    yield node
    node.stop()


@pytest.mark.anvil
def test_the_client_survives_anvil_stopped_and_restarted(node: AnvilNode) -> None:
    retry = RetryPolicy(deadline_seconds=60, first_delay_seconds=0.1, max_delay_seconds=0.5)
    chain = open_remote(node.url)
    anchor = Anchor.deploy(chain, OPERATOR, minimal_parameters(), retry=retry)
    reveal = reveal_for(0, OPERATOR.address)
    anchor.commit_beacon(0, commit_of(reveal))

    node.stop()  # anvil writes its state file on the way out
    restarter = threading.Timer(1.0, node.start)
    restarter.start()
    try:
        # Sent while the node is down: retried until it is back, with its state.
        assert anchor.post_weights(0, weights_root_for(0), 10).sent
    finally:
        restarter.join()
    assert anchor.program.beacon_commit(0, OPERATOR.address) == commit_of(reveal)

    node.stop()
    node.start()
    anchor.reveal_beacon(0, reveal)
    result = epoch_result(0, cum_mined=1)
    assert anchor.finalize(result, [anchor.attest(result, OPERATOR)]).sent
    assert anchor.program.commitment(0) == result
    chain.close()


@pytest.mark.anvil
def test_the_client_gives_up_on_a_node_that_stays_down(node: AnvilNode) -> None:
    chain = open_remote(node.url)
    anchor = Anchor.deploy(
        chain,
        OPERATOR,
        minimal_parameters(),
        retry=RetryPolicy(deadline_seconds=1, first_delay_seconds=0.1, max_delay_seconds=0.2),
    )
    node.stop()
    started = time.monotonic()
    with pytest.raises(ChainUnavailable) as caught:
        anchor.commit_beacon(0, b"\x01" * 32)
    assert caught.value.code == "chain_unavailable"
    assert time.monotonic() - started < 10
    chain.close()


@pytest.mark.anvil
def test_confirmations_wait_for_later_blocks(anvil_node: AnvilNode) -> None:
    chain = open_remote(anvil_node.url)
    snapshot = chain.w3.provider.make_request("evm_snapshot", [])["result"]
    try:
        anchor = Anchor.deploy(chain, OPERATOR, minimal_parameters())
        sender = Sender(chain, OPERATOR, confirmations=3, receipt_timeout_seconds=0.5)
        call = anchor.program.contract.functions.commit_beacon(0, b"\x01" * 32)
        # anvil mines only on demand: nobody makes the two later blocks, so no confirmation.
        with pytest.raises(ConfirmationTimeout):
            sender.send(call)
        patient = Sender(chain, OPERATOR, confirmations=3, receipt_timeout_seconds=30)
        miner = threading.Timer(0.5, lambda: chain.w3.provider.make_request("anvil_mine", [2]))
        miner.start()
        height = chain.w3.eth.block_number
        receipt = patient.send(anchor.program.contract.functions.commit_beacon(1, b"\x02" * 32))
        miner.join()
        assert receipt is not None
        assert chain.w3.eth.block_number >= receipt["blockNumber"] + 2 > height
    finally:
        chain.w3.provider.make_request("evm_revert", [snapshot])
        chain.close()


def test_steps_of_several_members(program: Anchor) -> None:
    alice = DEV_ACCOUNTS[1]
    program.sender(OPERATOR).send(
        program.program.contract.functions.add_beacon_member(alice.address)
    )
    open_epoch(program, 0, [OPERATOR, alice])
    assert program.program.seed(0) is not None


def test_an_unfunded_operator_is_refused_by_the_node(program: Anchor) -> None:
    broke = Account.create()
    transact(program, OPERATOR, "transfer_operator", broke.address)
    # Accepting is allowed to `broke`: only the node's balance check stands in the way.
    call = program.program.contract.functions.accept_operator()
    with pytest.raises(ChainRejected) as caught:
        program.sender(broke).send(call)
    assert caught.value.code == "chain_rejected"
