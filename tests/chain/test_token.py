"""The bench's yardstick ERC-20: transfers pay and refuse as an ERC-20 should."""

from __future__ import annotations

import pytest
from web3.contract import Contract

from milestone.chain.backends import ChainConnection
from milestone.chain.compile import load_contract
from milestone.chain.errors import ChainReverted
from milestone.chain.transactions import Sender

from .support import DEV_ACCOUNTS

HOLDER, ALICE, BOB = DEV_ACCOUNTS[:3]


@pytest.fixture
def token(chain: ChainConnection) -> Contract:
    compiled = load_contract("Token")
    factory = chain.w3.eth.contract(abi=compiled.abi, bytecode=compiled.bytecode)
    receipt = Sender(chain, HOLDER).send(factory.constructor("Stone", "STONE", 8, 1_000))
    assert receipt is not None and receipt["contractAddress"] is not None
    return chain.w3.eth.contract(address=receipt["contractAddress"], abi=compiled.abi)


def send(chain: ChainConnection, account: object, call: object) -> None:
    Sender(chain, account).send(call)  # type: ignore[arg-type]


def test_transfers_move_balances(chain: ChainConnection, token: Contract) -> None:
    assert token.functions.totalSupply().call() == 1_000
    send(chain, HOLDER, token.functions.transfer(ALICE.address, 300))
    send(chain, HOLDER, token.functions.transfer_many([ALICE.address, BOB.address], [1, 2]))
    balances = [token.functions.balanceOf(a.address).call() for a in (HOLDER, ALICE, BOB)]
    assert balances == [697, 301, 2]


def test_transfers_refuse_what_is_not_there(chain: ChainConnection, token: Contract) -> None:
    with pytest.raises(ChainReverted) as caught:
        send(chain, ALICE, token.functions.transfer(BOB.address, 1))
    assert caught.value.reason == "token: insufficient balance"
    with pytest.raises(ChainReverted) as caught:
        send(chain, HOLDER, token.functions.transfer_many([ALICE.address], [1, 2]))
    assert caught.value.reason == "token: receivers and amounts differ in length"
    with pytest.raises(ChainReverted) as caught:
        send(chain, HOLDER, token.functions.transfer("0x" + "00" * 20, 1))
    assert caught.value.reason == "token: transfer to the zero address"


def test_allowances_bound_transfer_from(chain: ChainConnection, token: Contract) -> None:
    send(chain, HOLDER, token.functions.approve(ALICE.address, 10))
    send(chain, ALICE, token.functions.transferFrom(HOLDER.address, BOB.address, 10))
    assert token.functions.balanceOf(BOB.address).call() == 10
    assert token.functions.allowance(HOLDER.address, ALICE.address).call() == 0
    with pytest.raises(ChainReverted) as caught:
        send(chain, ALICE, token.functions.transferFrom(HOLDER.address, BOB.address, 1))
    assert caught.value.reason == "token: insufficient allowance"
