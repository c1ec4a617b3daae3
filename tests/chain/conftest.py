"""Chain fixtures: one suite, run against the embedded chain and against an anvil node."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from eth_account.signers.local import LocalAccount

from milestone.chain.anchor import Anchor
from milestone.chain.backends import ChainConnection, open_embedded, open_remote
from milestone.chain.program import ProgramParameters

from .support import DEV_ACCOUNTS, AnvilNode, minimal_parameters, require_anvil


@pytest.fixture(scope="session")
def anvil_node() -> Iterator[AnvilNode]:
    require_anvil()
    node = AnvilNode().start()
    yield node
    node.stop()


@pytest.fixture
def accounts() -> list[LocalAccount]:
    return DEV_ACCOUNTS


@pytest.fixture
def operator() -> LocalAccount:
    return DEV_ACCOUNTS[0]


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def chain(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ChainConnection]:
    """A chain with the dev accounts funded: a fresh embedded one, or anvil rolled back after."""
    if request.param == "embedded":
        connection = open_embedded(tmp_path, [a.address for a in DEV_ACCOUNTS])
        yield connection
        connection.close()
        return
    node: AnvilNode = request.getfixturevalue("anvil_node")
    connection = open_remote(node.url)
    snapshot = connection.w3.provider.make_request("evm_snapshot", [])["result"]
    yield connection
    connection.w3.provider.make_request("evm_revert", [snapshot])
    connection.close()


@pytest.fixture
def deploy(chain: ChainConnection, operator: LocalAccount) -> Callable[..., Anchor]:
    def deploy_program(
        parameters: ProgramParameters | None = None,
        *,
        beacon_members: Sequence[str] | None = None,
        attestors: Sequence[str] | None = None,
        threshold: int = 1,
    ) -> Anchor:
        return Anchor.deploy(
            chain,
            operator,
            parameters or minimal_parameters(),
            beacon_members=beacon_members,
            attestors=attestors,
            threshold=threshold,
        )

    return deploy_program


@pytest.fixture
def program(deploy: Callable[..., Anchor]) -> Anchor:
    """A Program on the minimal preset; the operator is its one member and attestor."""
    return deploy()
