"""Reading the Program on the configured chain for the API: its roles and its commitments.

Reads open the chain only when a Program was recorded for it: asking about an embedded chain
that was never deployed must not create one. The embedded chain admits one process at a time;
a read while settlement holds it is refused with `chain_unavailable` (try again).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from milestone.chain.backends import EMBEDDED_CHAIN_ID, connect
from milestone.chain.deployment import Deployment, load_deployment
from milestone.chain.errors import ProgramNotFound
from milestone.chain.program import EpochResult, ProgramView, Roles


@dataclass(frozen=True)
class ChainStatus:
    kind: str
    """`embedded` or `remote`."""
    location: str
    chain_id: int
    contract: str
    next_epoch: int
    """The epoch the Program expects to finalize next."""
    roles: Roles


def read_chain_status(data_dir: Path, chain_url: str | None) -> ChainStatus:
    """Where the Program is, who may act on it, and which epoch it expects next."""
    with _program(data_dir, chain_url) as (view, deployment, kind, location):
        return ChainStatus(
            kind=kind, location=location, chain_id=deployment.chain_id,
            contract=deployment.address, next_epoch=view.next_epoch(), roles=view.roles(),
        )


def read_commitment(data_dir: Path, chain_url: str | None, epoch: int) -> EpochResult | None:
    """What the Program committed for `epoch`, None if it has not finalized it."""
    with _program(data_dir, chain_url) as (view, _, _, _):
        return view.commitment(epoch)


@contextmanager
def _program(
    data_dir: Path, chain_url: str | None
) -> Iterator[tuple[ProgramView, Deployment, str, str]]:
    if not chain_url and load_deployment(data_dir, EMBEDDED_CHAIN_ID) is None:
        raise ProgramNotFound(f"no Program was deployed on the embedded chain of {data_dir}")
    with connect(data_dir, chain_url) as connection:
        deployment = load_deployment(data_dir, connection.w3.eth.chain_id)
        if deployment is None:
            raise ProgramNotFound(f"no Program recorded in {data_dir} for {connection.location}")
        if connection.kind == "embedded":
            # eth-tester charges even a call's gas to its sender: call as the funded operator.
            connection.w3.eth.default_account = connection.w3.to_checksum_address(
                deployment.operator
            )
        view = ProgramView(connection.w3, deployment.address)
        if not view.is_deployed():
            raise ProgramNotFound(f"no contract at {deployment.address} on {connection.location}")
        yield view, deployment, connection.kind, connection.location
