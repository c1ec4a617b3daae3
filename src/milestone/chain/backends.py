"""The two chains Milestone runs on, behind one web3.py code path.

*Embedded* (the default): py-evm inside the process, its chain database in one SQLite file of
the data directory (`chain/embedded.sqlite`), surviving restarts; eth-tester adapts it to
web3.py. Every transaction is mined into its own block at once, and the chain has one
producer, so a mined transaction is final.

*Remote*: any EVM JSON-RPC node (anvil in tests; Besu, geth or FISCO BCOS in production).

Both return a `ChainConnection` whose `w3` the rest of the package uses without knowing which.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from eth.chains.base import MiningChain
from eth.db.chain import ChainDB
from eth.exceptions import CanonicalHeadNotFound
from eth.vm.forks.prague import PragueVM
from eth_tester import EthereumTester
from eth_tester.backends.pyevm import PyEVMBackend
from eth_tester.backends.pyevm.main import get_default_genesis_params
from eth_typing import BlockNumber
from eth_utils.address import to_canonical_address
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.providers.rpc import HTTPProvider

from milestone.chain.errors import ChainUnavailable
from milestone.chain.kvstore import SQLiteKeyValueStore

EMBEDDED_CHAIN_ID = 131277322940537
"""The chain id of every embedded chain: eth-tester's, which its web3 provider reports."""

EMBEDDED_GENESIS_BALANCE = 10**24
"""Wei given at genesis to each funded account (a million ether: gas is free here)."""

EMBEDDED_CHAIN_FILE = Path("chain") / "embedded.sqlite"

ZERO_ADDRESS = "0x" + "00" * 20


@dataclass
class ChainConnection:
    """A web3 handle on one chain, and how to let go of it."""

    w3: Web3
    kind: Literal["embedded", "remote"]
    location: str
    _resources: list[Any] = field(default_factory=list, repr=False)

    @property
    def instant_finality(self) -> bool:
        """True when a mined transaction can never be reorganised away."""
        return self.kind == "embedded"

    def close(self) -> None:
        """Release the chain file (embedded) or the HTTP session (remote)."""
        while self._resources:
            resource = self._resources.pop()
            resource.close()

    def __enter__(self) -> ChainConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _EmbeddedChain(MiningChain):
    chain_id = EMBEDDED_CHAIN_ID
    vm_configuration = ((BlockNumber(0), PragueVM),)

    def create_header_from_parent(self, parent_header: Any, **header_params: Any) -> Any:
        # A constant gas limit: the embedded chain has no miners voting it up or down.
        header_params["gas_limit"] = parent_header.gas_limit
        return super().create_header_from_parent(parent_header, **header_params)

    def get_transaction_builder(self) -> Any:
        return self.get_vm().get_transaction_builder()


class PersistentPyEVMBackend(PyEVMBackend):  # type: ignore[misc]
    """eth-tester's py-evm backend over a chain kept in a SQLite file instead of memory."""

    def __init__(self, store: SQLiteKeyValueStore, funded: Iterable[str] = ()) -> None:
        # PyEVMBackend.__init__ would build a fresh in-memory chain; open ours instead.
        self.account_keys = ()
        self.chain = _open_or_create_chain(store, funded)

    def reset_to_genesis(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("a persistent chain is never reset; delete its file instead")


def _open_or_create_chain(store: SQLiteKeyValueStore, funded: Iterable[str]) -> _EmbeddedChain:
    try:
        ChainDB(store).get_canonical_head()
    except CanonicalHeadNotFound:
        genesis_state: dict[Any, Any] = {
            to_canonical_address(address): {
                "balance": EMBEDDED_GENESIS_BALANCE,
                "nonce": 0,
                "code": b"",
                "storage": {},
            }
            for address in funded
        }
        chain = _EmbeddedChain.from_genesis(store, get_default_genesis_params(), genesis_state)
        assert isinstance(chain, _EmbeddedChain)
        return chain
    return _EmbeddedChain(store)


class _FileLock:
    """An exclusive advisory lock: one process (and one connection) per embedded chain."""

    def __init__(self, path: Path) -> None:
        self._handle: IO[str] | None = open(path, "a")  # noqa: SIM115 - held until close()
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._handle.close()
            self._handle = None
            raise ChainUnavailable(
                f"the embedded chain {path.parent} is open elsewhere", path=str(path)
            ) from None

    def close(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


def open_embedded(data_dir: Path, funded: Iterable[str] = ()) -> ChainConnection:
    """Open the data directory's embedded chain, creating it with `funded` accounts if new."""
    funded = tuple(funded)
    path = Path(data_dir) / EMBEDDED_CHAIN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _FileLock(path.with_suffix(".lock"))
    try:
        store = SQLiteKeyValueStore(path)
        backend = PersistentPyEVMBackend(store, funded)
    except BaseException:
        lock.close()
        raise
    w3 = Web3(EthereumTesterProvider(EthereumTester(backend=backend)))
    # eth-tester wants a sender even on calls; JSON-RPC nodes don't. Any address will do.
    w3.eth.default_account = w3.to_checksum_address(funded[0] if funded else ZERO_ADDRESS)
    return ChainConnection(w3=w3, kind="embedded", location=str(path), _resources=[lock, store])


def open_remote(url: str, timeout: float = 10.0) -> ChainConnection:
    """Attach to the EVM JSON-RPC node at `url`."""
    provider = HTTPProvider(url, request_kwargs={"timeout": timeout})
    return ChainConnection(w3=Web3(provider), kind="remote", location=url)


def connect(
    data_dir: Path, chain_url: str | None = None, funded: Iterable[str] = ()
) -> ChainConnection:
    """The remote node at `chain_url` (or `$MILESTONE_CHAIN_URL`), else the embedded chain."""
    url = chain_url or os.environ.get("MILESTONE_CHAIN_URL")
    if url:
        return open_remote(url)
    return open_embedded(data_dir, funded)
