"""Where a data directory's Program lives on each chain, and deploying it exactly once.

The record is `chain/program-<chain id>.json` in the data directory. It is written *before* the
deployment is sent, with the address the contract will get (a deployment's address follows
from the sender and its nonce): a run killed between sending and recording finds its contract
on the next run instead of deploying a second one.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address
from web3.utils.address import get_create_address

from milestone.chain.anchor import Anchor
from milestone.chain.backends import ChainConnection, connect
from milestone.chain.errors import ChainConflict, ProgramNotFound
from milestone.chain.keys import load_operator
from milestone.chain.program import ProgramParameters
from milestone.chain.transactions import RetryPolicy


@dataclass(frozen=True)
class Deployment:
    """A Program's address on one chain, as recorded in the data directory."""

    chain_id: int
    address: str
    operator: str


def record_path(data_dir: Path, chain_id: int) -> Path:
    """The record of the data directory's Program on chain `chain_id`."""
    return Path(data_dir) / "chain" / f"program-{chain_id}.json"


def load_deployment(data_dir: Path, chain_id: int) -> Deployment | None:
    """The recorded deployment on `chain_id`, or None."""
    path = record_path(data_dir, chain_id)
    if not path.exists():
        return None
    return Deployment(**json.loads(path.read_text()))


def save_deployment(data_dir: Path, deployment: Deployment) -> None:
    """Record `deployment` (atomically: a reader never sees half a file)."""
    path = record_path(data_dir, deployment.chain_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(deployment), handle, indent=2)
    os.replace(tmp, path)


def attach_recorded(
    connection: ChainConnection,
    data_dir: Path,
    operator: LocalAccount,
    *,
    confirmations: int = 1,
    retry: RetryPolicy | None = None,
) -> Anchor:
    """The data directory's Program on this chain; `ProgramNotFound` if there is none."""
    chain_id = connection.w3.eth.chain_id
    deployment = load_deployment(data_dir, chain_id)
    if deployment is None:
        raise ProgramNotFound(
            f"no Program recorded for chain {chain_id} in {data_dir}: run `milestone chain deploy`"
        )
    return Anchor.attach(
        connection, deployment.address, operator, confirmations=confirmations, retry=retry
    )


@contextmanager
def open_program(
    data_dir: Path,
    chain_url: str | None = None,
    operator_key: str | None = None,
    *,
    confirmations: int = 1,
    retry: RetryPolicy | None = None,
) -> Iterator[Anchor]:
    """The data directory's Program, driven by its operator, for the length of a `with` block.

    The chain is `chain_url`, else the embedded one; the operator key is `operator_key`, else
    the data directory's. Settlement passes the `Settings` fields of the same names.
    """
    operator = load_operator(data_dir, operator_key)
    with connect(data_dir, chain_url, funded=[operator.address]) as chain:
        yield attach_recorded(chain, data_dir, operator, confirmations=confirmations, retry=retry)


def deploy_or_attach(
    connection: ChainConnection,
    data_dir: Path,
    operator: LocalAccount,
    parameters: ProgramParameters,
    *,
    beacon_members: Sequence[str] | None = None,
    attestors: Sequence[str] | None = None,
    threshold: int = 1,
    confirmations: int = 1,
    retry: RetryPolicy | None = None,
) -> tuple[Anchor, bool]:
    """The data directory's Program, deployed first if needed; True when deployed now.

    The roles (default: the operator alone, threshold 1) apply only to a new deployment; an
    existing Program keeps its own (`milestone chain grant/revoke` change them). An existing
    Program with other parameters raises `ChainConflict`.
    """
    chain_id = connection.w3.eth.chain_id
    deployment = load_deployment(data_dir, chain_id)
    if deployment is not None and connection.w3.eth.get_code(
        to_checksum_address(deployment.address)
    ):
        anchor = Anchor.attach(
            connection, deployment.address, operator, confirmations=confirmations, retry=retry
        )
        on_chain = anchor.program.parameters()
        if on_chain != parameters:
            raise ChainConflict(
                f"the Program at {deployment.address} has other parameters",
                on_chain=repr(on_chain),
                ours=repr(parameters),
            )
        return anchor, False
    nonce = connection.w3.eth.get_transaction_count(operator.address, "pending")
    expected = get_create_address(operator.address, nonce)
    save_deployment(data_dir, Deployment(chain_id, expected, operator.address))
    anchor = Anchor.deploy(
        connection,
        operator,
        parameters,
        beacon_members=beacon_members,
        attestors=attestors,
        threshold=threshold,
        confirmations=confirmations,
        retry=retry,
    )
    if anchor.address != expected:
        # Someone else used the nonce meanwhile: record where the contract really is.
        save_deployment(data_dir, Deployment(chain_id, anchor.address, operator.address))
    return anchor, True
