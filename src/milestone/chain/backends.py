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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Literal, cast

from eth.abc import SignedTransactionAPI, StateAPI
from eth.chains.base import MiningChain
from eth.db.chain import ChainDB
from eth.exceptions import CanonicalHeadNotFound
from eth.vm.forks.prague import PragueVM
from eth.vm.spoof import SpoofTransaction
from eth_tester import EthereumTester
from eth_tester.backends.pyevm import PyEVMBackend
from eth_tester.backends.pyevm.main import get_default_genesis_params
from eth_typing import BlockNumber
from eth_utils.address import to_canonical_address
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint

from milestone.chain.errors import ChainNotCreated, ChainUnavailable
from milestone.chain.kvstore import SQLiteKeyValueStore

EMBEDDED_CHAIN_ID = 131277322940537
"""The chain id of every embedded chain: eth-tester's, which its web3 provider reports."""

EMBEDDED_GENESIS_BALANCE = 10**24
"""Wei given at genesis to each funded account (a million ether: gas is free here)."""

EMBEDDED_CHAIN_FILE = Path("chain") / "embedded.sqlite"

EMBEDDED_CALLER = "0x000000000000000000000000000000000000Ca11"
"""The sender of read-only calls on the embedded chain, funded at every genesis.

eth-tester prices even an `eth_call` and wants its sender to afford the gas; JSON-RPC nodes
don't. Nobody holds a key for this address: it only ever reads."""


@dataclass
class ChainConnection:
    """A web3 handle on one chain, and how to let go of it."""

    w3: Web3
    kind: Literal["embedded", "remote"]
    location: str
    _resources: list[Any] = field(default_factory=list, repr=False)

    @cached_property
    def chain_id(self) -> int:
        """The chain's id (asked once: it never changes under a connection)."""
        chain_id: int = self.w3.eth.chain_id
        return chain_id

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


def estimate_gas_in_one_run(state: StateAPI, transaction: SignedTransactionAPI) -> int:
    """The gas `transaction` uses when given the whole block, and a 63rd more.

    py-evm's default estimator bisects the gas limit, running the transaction a dozen times; one
    run says as much. The 63rd covers EIP-150: a call forwards at most 63/64 of the gas left, so
    a limit of exactly the gas used can starve a nested call (here, ecrecover's precompile).
    """
    spoofed = cast(
        SignedTransactionAPI, SpoofTransaction(transaction, gas=state.gas_limit, gas_price=0)
    )
    snapshot = state.snapshot()
    try:
        computation = state.apply_transaction(spoofed)
        if computation.is_error:
            raise computation.error
        used = state.gas_limit - computation.get_gas_remaining()
    finally:
        state.revert(snapshot)
    return used + used // 63


class _EmbeddedChain(MiningChain):
    chain_id = EMBEDDED_CHAIN_ID
    vm_configuration = ((BlockNumber(0), PragueVM),)
    gas_estimator = staticmethod(estimate_gas_in_one_run)

    def create_header_from_parent(self, parent_header: Any, **header_params: Any) -> Any:
        # A constant gas limit: the embedded chain has no miners voting it up or down.
        header_params["gas_limit"] = parent_header.gas_limit
        return super().create_header_from_parent(parent_header, **header_params)

    def get_transaction_builder(self) -> Any:
        return self.get_vm().get_transaction_builder()


class PersistentPyEVMBackend(PyEVMBackend):  # type: ignore[misc]
    """eth-tester's py-evm backend over a chain kept in a SQLite file instead of memory."""

    def __init__(
        self, store: SQLiteKeyValueStore, funded: Iterable[str] = (), *, create: bool = True
    ) -> None:
        # PyEVMBackend.__init__ would build a fresh in-memory chain; open ours instead.
        self.account_keys = ()
        self.chain = _open_or_create_chain(store, tuple(funded), create)

    def reset_to_genesis(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("a persistent chain is never reset; delete its file instead")


def _open_or_create_chain(
    store: SQLiteKeyValueStore, funded: tuple[str, ...], create: bool
) -> _EmbeddedChain:
    try:
        head = ChainDB(store).get_canonical_head()
    except CanonicalHeadNotFound:
        if not create:
            raise ChainNotCreated("the embedded chain has no genesis yet") from None
        return _create_chain(store, funded)
    chain = _EmbeddedChain(store)
    if head.block_number == 0 and not _all_funded(chain, funded):
        # A chain still at its genesis holds nothing but the genesis balances. One whose genesis
        # left this writer out (made before reads stopped creating chains) is made again with
        # the writer in it, instead of refusing every transaction it sends for want of gas.
        store.clear()
        return _create_chain(store, funded)
    return chain


def _create_chain(store: SQLiteKeyValueStore, funded: tuple[str, ...]) -> _EmbeddedChain:
    genesis_state: dict[Any, Any] = {
        to_canonical_address(address): {
            "balance": EMBEDDED_GENESIS_BALANCE,
            "nonce": 0,
            "code": b"",
            "storage": {},
        }
        for address in (*funded, EMBEDDED_CALLER)
    }
    chain = _EmbeddedChain.from_genesis(store, get_default_genesis_params(), genesis_state)
    assert isinstance(chain, _EmbeddedChain)
    return chain


def _all_funded(chain: _EmbeddedChain, accounts: tuple[str, ...]) -> bool:
    state = chain.get_vm().state
    return all(state.get_balance(to_canonical_address(account)) > 0 for account in accounts)


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


def open_embedded(
    data_dir: Path, funded: Iterable[str] = (), *, create: bool = True
) -> ChainConnection:
    """Open the data directory's embedded chain, creating it with `funded` accounts if new.

    Readers pass `create=False` and get `ChainNotCreated` for a chain not made yet: gas is paid
    from genesis balances only, so a chain made by a read, funding nobody who writes, would
    refuse the operator's first transaction.
    """
    funded = tuple(funded)
    path = Path(data_dir) / EMBEDDED_CHAIN_FILE
    if not create and not path.exists():
        raise ChainNotCreated(f"no embedded chain in {data_dir} yet", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = _FileLock(path.with_suffix(".lock"))
    store = None
    try:
        store = SQLiteKeyValueStore(path)
        backend = PersistentPyEVMBackend(store, funded, create=create)
    except BaseException:
        if store is not None:
            store.close()
        lock.close()
        raise
    w3 = Web3(EthereumTesterProvider(EthereumTester(backend=backend)))
    w3.eth.default_account = w3.to_checksum_address(EMBEDDED_CALLER)
    return ChainConnection(w3=w3, kind="embedded", location=str(path), _resources=[lock, store])


def open_remote(url: str, timeout: float = 10.0) -> ChainConnection:
    """Attach to the EVM JSON-RPC node at `url`."""
    provider = HTTPProvider(
        url,
        request_kwargs={"timeout": timeout},
        # web3 validates every call against the chain id, asking for it twice a call: it
        # never changes under a URL, so ask once.
        cache_allowed_requests=True,
        cacheable_requests={RPCEndpoint("eth_chainId")},
    )
    return ChainConnection(w3=Web3(provider), kind="remote", location=url)


def connect(
    data_dir: Path,
    chain_url: str | None = None,
    funded: Iterable[str] = (),
    *,
    create: bool = True,
) -> ChainConnection:
    """The remote node at `chain_url` if given, else the data directory's embedded chain
    (`create=False` for readers: see `open_embedded`).

    Callers take both from `milestone.settings.Settings` (`MILESTONE_CHAIN_URL`).
    """
    if chain_url:
        return open_remote(chain_url)
    return open_embedded(data_dir, funded, create=create)
