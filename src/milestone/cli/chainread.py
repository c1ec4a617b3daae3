"""Reading the Program on the configured chain, for commands that only look (audit, export)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from milestone.chain.backends import connect
from milestone.chain.deployment import load_deployment
from milestone.chain.errors import ChainNotCreated, ProgramNotFound
from milestone.chain.program import ProgramView


@contextmanager
def program_view(
    data_dir: Path, chain_url: str | None, contract: str | None = None
) -> Iterator[ProgramView]:
    """The Program at `contract`, else the one recorded in the data directory for this chain."""
    try:
        connection = connect(data_dir, chain_url, create=False)
    except ChainNotCreated:
        raise ProgramNotFound(
            f"no Program in {data_dir} yet: the embedded chain is made by the first settlement"
        ) from None
    with connection:
        deployment = load_deployment(data_dir, connection.w3.eth.chain_id)
        if connection.kind == "embedded" and deployment is not None:
            # eth-tester charges even a call's gas to its sender: call as the funded operator.
            connection.w3.eth.default_account = connection.w3.to_checksum_address(
                deployment.operator
            )
        address = contract
        if address is None:
            if deployment is None:
                raise ProgramNotFound(
                    f"no Program recorded in {data_dir} for this chain: pass --contract"
                )
            address = deployment.address
        view = ProgramView(connection.w3, address)
        if not view.is_deployed():
            raise ProgramNotFound(f"no contract at {address} on {connection.location}")
        yield view
