"""Helpers of the chain tests: an anvil process, dev accounts, and a whole epoch in a call."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3.logs import DISCARD

from milestone.chain.anchor import Anchor
from milestone.chain.errors import ChainReverted
from milestone.chain.program import EpochResult, ProgramParameters
from milestone.rules.beacon import commit_of
from milestone.rules.hashing import keccak256
from milestone.rules.params import get_preset

REPO = Path(__file__).resolve().parents[2]
ANVIL = REPO / "tools" / "node_modules" / ".bin" / "anvil"
# anvil's default accounts derive from this mnemonic; the embedded chain funds the same ones,
# so every test runs with the same keys on both backends.
DEV_MNEMONIC = "test test test test test test test test test test test junk"

Account.enable_unaudited_hdwallet_features()
DEV_ACCOUNTS: list[LocalAccount] = [
    Account.from_mnemonic(DEV_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(10)
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class AnvilNode:
    """An anvil process on a loopback port; `state` makes it dump and reload its chain."""

    def __init__(self, port: int | None = None, state: Path | None = None) -> None:
        self.port = port or free_port()
        self.state = state
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AnvilNode:
        command = [str(ANVIL), "--host", "127.0.0.1", "--port", str(self.port), "--silent"]
        if self.state is not None:
            command += ["--state", str(self.state)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.post(
                    self.url,
                    json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []},
                    timeout=1,
                )
                return self
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"anvil exited with {self.process.returncode}") from None
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("anvil did not start within 30 s")

    def stop(self) -> None:
        # SIGTERM lets anvil write its --state file before exiting.
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def require_anvil() -> None:
    if not ANVIL.exists():
        pytest.skip(f"anvil is not installed at {ANVIL}: run `make tools`")


def minimal_parameters(**changes: Any) -> ProgramParameters:
    """The `minimal` preset with genesis long past, so every epoch under test has ended."""
    parameters = ProgramParameters.from_rules(get_preset("minimal"), genesis_time=0)
    return ProgramParameters(**{**parameters.__dict__, **changes})


def reveal_for(epoch: int, member: str) -> bytes:
    """A test reveal: fixed per (epoch, member), distinct across them."""
    return keccak256(b"reveal" + epoch.to_bytes(8, "big") + bytes.fromhex(member[2:]))


def weights_root_for(epoch: int) -> bytes:
    return keccak256(b"weights" + epoch.to_bytes(8, "big"))


def open_epoch(anchor: Anchor, epoch: int, members: Sequence[LocalAccount] | None = None) -> None:
    """Commit, post the weights and reveal: everything `finalize` needs before signatures."""
    members = list(members or [anchor.operator])
    for member in members:
        anchor.commit_beacon(epoch, commit_of(reveal_for(epoch, member.address)), member)
    anchor.post_weights(epoch, weights_root_for(epoch), 1_000 + epoch)
    for member in members:
        anchor.reveal_beacon(epoch, reveal_for(epoch, member.address), member)


def epoch_result(epoch: int, **totals: int) -> EpochResult:
    """A result of `epoch` with recognisable roots and the given cumulative totals."""

    def root(label: str) -> bytes:
        return keccak256(label.encode() + epoch.to_bytes(8, "big"))

    return EpochResult(
        epoch=epoch,
        state_root=root("state"),
        rewards_root=root("rewards"),
        journal_head=root("journal"),
        epoch_file_hash=root("file"),
        cum_mined=totals.get("cum_mined", 0),
        cum_activity=totals.get("cum_activity", 0),
        cum_burned=totals.get("cum_burned", 0),
        cum_dividends_fen=totals.get("cum_dividends_fen", 0),
    )


def finalize_epoch(anchor: Anchor, epoch: int, **totals: int) -> EpochResult:
    """Run a whole epoch, the operator alone, with the given totals."""
    open_epoch(anchor, epoch)
    result = epoch_result(epoch, **totals)
    anchor.finalize(result, [anchor.attest(result, anchor.operator)])
    return result


def reverts(reason: str) -> AbstractContextManager[Any]:
    """Expect the contract to refuse with exactly `reason`."""

    @contextmanager
    def check() -> Iterator[None]:
        with pytest.raises(ChainReverted) as caught:
            yield
        assert caught.value.reason == reason

    return check()


def transact(anchor: Anchor, account: LocalAccount, function: str, *args: Any) -> Any:
    """Call the Program's `function` from `account`, through the anchoring client's sender."""
    call = getattr(anchor.program.contract.functions, function)(*args)
    return anchor.sender(account).send(call)


def events(anchor: Anchor, receipt: Any, name: str) -> list[Any]:
    """The `name` events a transaction emitted, decoded."""
    event = getattr(anchor.program.contract.events, name)()
    # Other events of the same transaction are not errors: skip them quietly.
    return list(event.process_receipt(receipt, errors=DISCARD))
