"""The embedded chain persists across restarts; the remote backend reaches any node."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from milestone.chain.anchor import Anchor
from milestone.chain.backends import EMBEDDED_CHAIN_FILE, connect, open_embedded
from milestone.chain.errors import ChainNotCreated, ChainUnavailable
from milestone.chain.program import ProgramView

from .support import DEV_ACCOUNTS, AnvilNode, finalize_epoch, minimal_parameters, require_anvil

OPERATOR = DEV_ACCOUNTS[0]
FUNDED = [OPERATOR.address]


def test_a_new_embedded_chain_funds_the_given_accounts(tmp_path: Path) -> None:
    with open_embedded(tmp_path, FUNDED) as chain:
        assert chain.kind == "embedded"
        assert chain.w3.eth.get_balance(OPERATOR.address) > 0
        assert chain.w3.eth.get_balance(DEV_ACCOUNTS[1].address) == 0
        assert chain.instant_finality
    assert (tmp_path / EMBEDDED_CHAIN_FILE).exists()


def test_the_embedded_chain_keeps_its_state_across_reopening(tmp_path: Path) -> None:
    with open_embedded(tmp_path, FUNDED) as chain:
        program = Anchor.deploy(chain, OPERATOR, minimal_parameters())
        finalize_epoch(program, 0, cum_mined=5)
        height = chain.w3.eth.block_number
    # Fresh objects over the same file: a restart, minus the process.
    with open_embedded(tmp_path) as chain:
        assert chain.w3.eth.block_number == height
        view = ProgramView(chain.w3, program.address)
        assert view.next_epoch() == 1
        committed = view.commitment(0)
        assert committed is not None and committed.cum_mined == 5
        # ... and it keeps working: the next epoch goes through on the reopened chain.
        reopened = Anchor.attach(chain, program.address, OPERATOR)
        finalize_epoch(reopened, 1, cum_mined=6)
        assert view.next_epoch() == 2


def test_a_reader_never_creates_the_embedded_chain(tmp_path: Path) -> None:
    with pytest.raises(ChainNotCreated):
        open_embedded(tmp_path, create=False)
    with pytest.raises(ChainNotCreated):
        connect(tmp_path, None, create=False)
    assert not (tmp_path / EMBEDDED_CHAIN_FILE).parent.exists()
    with open_embedded(tmp_path, FUNDED):
        pass
    with open_embedded(tmp_path, create=False) as chain:
        assert chain.w3.eth.get_balance(OPERATOR.address) > 0


def test_a_chain_still_at_genesis_is_remade_to_fund_its_writer(tmp_path: Path) -> None:
    # A chain made (before readers stopped making chains) by a read funding nobody who writes.
    open_embedded(tmp_path).close()
    with open_embedded(tmp_path, FUNDED) as chain:
        assert chain.w3.eth.get_balance(OPERATOR.address) > 0
        Anchor.deploy(chain, OPERATOR, minimal_parameters())
        height = chain.w3.eth.block_number
    # Past genesis the chain is never remade: it holds transactions and the Program.
    other = DEV_ACCOUNTS[1].address
    with open_embedded(tmp_path, [other]) as chain:
        assert chain.w3.eth.block_number == height
        assert chain.w3.eth.get_balance(other) == 0


READ_BACK = """
import json, sys
from pathlib import Path
from milestone.chain.backends import open_embedded
from milestone.chain.program import ProgramView
with open_embedded(Path(sys.argv[1])) as chain:
    view = ProgramView(chain.w3, sys.argv[2])
    print(json.dumps({"next_epoch": view.next_epoch(), "cum_mined": view.commitment(0).cum_mined,
                      "height": chain.w3.eth.block_number}))
"""


def test_the_embedded_chain_is_intact_in_another_process(tmp_path: Path) -> None:
    with open_embedded(tmp_path, FUNDED) as chain:
        program = Anchor.deploy(chain, OPERATOR, minimal_parameters())
        finalize_epoch(program, 0, cum_mined=42)
        height = chain.w3.eth.block_number
    out = subprocess.run(
        [sys.executable, "-c", READ_BACK, str(tmp_path), program.address],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out) == {"next_epoch": 1, "cum_mined": 42, "height": height}


def test_the_embedded_chain_opens_once_at_a_time(tmp_path: Path) -> None:
    with open_embedded(tmp_path, FUNDED), pytest.raises(ChainUnavailable):
        open_embedded(tmp_path, FUNDED)
    # Released on close: it opens again.
    open_embedded(tmp_path).close()


def test_connect_takes_a_remote_url_over_the_embedded_chain(tmp_path: Path) -> None:
    with connect(tmp_path, None, FUNDED) as chain:
        assert chain.kind == "embedded"
    with connect(tmp_path, "http://127.0.0.1:10") as chain:
        assert (chain.kind, chain.location) == ("remote", "http://127.0.0.1:10")


@pytest.mark.anvil
def test_the_remote_backend_talks_to_a_node() -> None:
    require_anvil()
    node = AnvilNode().start()
    try:
        with connect(Path("unused"), node.url) as chain:
            assert chain.chain_id == 31337
            assert not chain.instant_finality
            program = Anchor.deploy(chain, OPERATOR, minimal_parameters())
            finalize_epoch(program, 0, cum_mined=1)
            assert program.program.next_epoch() == 1
    finally:
        node.stop()
