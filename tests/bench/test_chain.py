"""The chain benchmark measures what it says (its figures are printed, never timed)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.bench.chain import make_owners, run_chain_bench
from milestone.cli.main import app
from milestone.rules.merkle import StandardMerkleTree


def test_epoch_gas_does_not_grow_with_owners_and_transfers_do() -> None:
    result = run_chain_bench(owners=(3, 3_000), transfers=3, seed=5)
    few, many = result.epoch_gas_by_owners["3"], result.epoch_gas_by_owners["3000"]
    # Only calldata differs (a root's zero bytes are cheaper): a few hundred gas at most.
    assert abs(many - few) < 1_000
    assert few == sum(result.epoch_steps_gas_by_owners["3"].values())
    assert (
        abs(result.first_epoch_gas_by_owners["3000"] - result.first_epoch_gas_by_owners["3"])
        < 1_000
    )
    assert 21_000 < result.batched_transfer_gas_per_owner < result.transfer_gas_per_owner
    assert result.transfers_gas_by_owners["3000"] == 3_000 * result.transfer_gas_per_owner
    assert result.transfers_over_epoch_by_owners["3000"] > 100
    weights = StandardMerkleTree.of(make_owners(3_000, 5), ("address", "uint256")).root
    assert result.roots_by_owners["3000"]["weights"] == "0x" + weights.hex()


def test_bench_chain_prints_json_with_the_promised_keys() -> None:
    result = CliRunner().invoke(
        app, ["bench", "chain", "--owners", "2", "--owners", "20", "--transfers", "2", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["epoch_gas_by_owners"]) == {"2", "20"}
    assert isinstance(data["transfer_gas_per_owner"], int)


def test_bench_chain_needs_a_key_for_a_node() -> None:
    result = CliRunner().invoke(
        app,
        ["bench", "chain", "--chain-url", "http://127.0.0.1:9"],
        env={"MILESTONE_OPERATOR_KEY": ""},
    )
    assert result.exit_code == 1 and "[invalid_option]" in result.stderr
