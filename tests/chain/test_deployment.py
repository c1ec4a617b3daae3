"""A data directory's Program is deployed once per chain and found again after."""

from __future__ import annotations

from pathlib import Path

import pytest

from milestone.chain.anchor import Anchor
from milestone.chain.backends import ChainConnection, connect
from milestone.chain.deployment import (
    Deployment,
    attach_recorded,
    deploy_or_attach,
    load_deployment,
    open_program,
    save_deployment,
)
from milestone.chain.errors import ChainConflict, ProgramNotFound
from milestone.chain.keys import load_operator
from milestone.epochs.beacon_secret import load_beacon_secret
from milestone.rules.beacon import commit_of, derive_seed

from .support import DEV_ACCOUNTS, epoch_result, minimal_parameters

OPERATOR = DEV_ACCOUNTS[0]


def test_deploy_once_then_attach(chain: ChainConnection, tmp_path: Path) -> None:
    anchor, deployed = deploy_or_attach(chain, tmp_path, OPERATOR, minimal_parameters())
    assert deployed
    again, deployed_again = deploy_or_attach(chain, tmp_path, OPERATOR, minimal_parameters())
    assert not deployed_again and again.address == anchor.address
    record = load_deployment(tmp_path, chain.chain_id)
    assert record is not None and record.address == anchor.address
    assert attach_recorded(chain, tmp_path, OPERATOR).address == anchor.address


def test_other_parameters_conflict(chain: ChainConnection, tmp_path: Path) -> None:
    deploy_or_attach(chain, tmp_path, OPERATOR, minimal_parameters())
    with pytest.raises(ChainConflict):
        deploy_or_attach(chain, tmp_path, OPERATOR, minimal_parameters(genesis_time=86_400))


def test_nothing_recorded_is_not_found(chain: ChainConnection, tmp_path: Path) -> None:
    with pytest.raises(ProgramNotFound):
        attach_recorded(chain, tmp_path, OPERATOR)
    with pytest.raises(ProgramNotFound):
        Anchor.attach(chain, "0x" + "12" * 20, OPERATOR)


def test_a_run_killed_after_sending_finds_its_contract(
    chain: ChainConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_deploy = Anchor.deploy

    def deploy_then_die(*args: object, **kwargs: object) -> Anchor:
        real_deploy(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt("killed before the address was known")

    monkeypatch.setattr(Anchor, "deploy", deploy_then_die)
    with pytest.raises(KeyboardInterrupt):
        deploy_or_attach(chain, tmp_path, OPERATOR, minimal_parameters())
    monkeypatch.setattr(Anchor, "deploy", real_deploy)
    nonce = chain.w3.eth.get_transaction_count(OPERATOR.address)
    anchor, deployed = deploy_or_attach(chain, tmp_path, OPERATOR, minimal_parameters())
    assert not deployed
    assert chain.w3.eth.get_transaction_count(OPERATOR.address) == nonce
    assert anchor.program.parameters() == minimal_parameters()


def test_a_record_without_a_contract_deploys_again(chain: ChainConnection, tmp_path: Path) -> None:
    # A record pointing nowhere, as after the chain was reset under the data directory.
    save_deployment(tmp_path, Deployment(chain.chain_id, "0x" + "34" * 20, OPERATOR.address))
    anchor, deployed = deploy_or_attach(chain, tmp_path, OPERATOR, minimal_parameters())
    assert deployed and anchor.address != "0x" + "34" * 20
    record = load_deployment(tmp_path, chain.chain_id)
    assert record is not None and record.address == anchor.address


def test_settlement_drives_the_recorded_program_with_the_data_directorys_keys(
    tmp_path: Path,
) -> None:
    operator = load_operator(tmp_path)
    with connect(tmp_path, funded=[operator.address]) as chain:
        deploy_or_attach(chain, tmp_path, operator, minimal_parameters())
    for epoch in (0, 1):
        # A fresh process each epoch, as settlement runs: everything comes from the data dir.
        with open_program(tmp_path) as anchor:
            reveal = anchor.own_reveal(epoch, load_beacon_secret(tmp_path))
            anchor.commit_beacon(epoch, commit_of(reveal))
            anchor.post_weights(epoch, b"\x05" * 32, 50)
            anchor.reveal_beacon(epoch, reveal)
            result = epoch_result(epoch, cum_mined=epoch)
            anchor.finalize(result, [anchor.attest(result, anchor.operator)])
    with open_program(tmp_path) as anchor:
        assert anchor.program.next_epoch() == 2
        assert anchor.program.seed(1) == derive_seed(
            b"\x05" * 32, [anchor.own_reveal(1, load_beacon_secret(tmp_path))]
        )
