"""`milestone chain`: deploy, status, verify-epoch and role changes, end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chain.support import DEV_ACCOUNTS, AnvilNode, finalize_epoch, require_anvil
from milestone.chain.backends import connect
from milestone.chain.deployment import attach_recorded
from milestone.chain.keys import load_operator
from milestone.cli.main import app
from milestone.rules.params import get_preset

runner = CliRunner()
ALICE = DEV_ACCOUNTS[1]


def invoke(
    data_dir: Path, *args: str, chain_url: str | None = None, env: dict[str, str] | None = None
) -> Any:
    options = ["--data-dir", str(data_dir)]
    if chain_url:
        options += ["--chain-url", chain_url]
    environment = {"MILESTONE_CHAIN_URL": "", "MILESTONE_OPERATOR_KEY": "", **(env or {})}
    return runner.invoke(app, ["chain", *args, *options], env=environment)


def invoke_json(
    data_dir: Path, *args: str, chain_url: str | None = None, env: dict[str, str] | None = None
) -> Any:
    result = invoke(data_dir, *args, "--json", chain_url=chain_url, env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def run_epoch(data_dir: Path, epoch: int, chain_url: str | None = None, **totals: int) -> None:
    """What settlement does, through the library, on the data directory's Program."""
    operator = load_operator(data_dir, DEV_ACCOUNTS[0].key.hex() if chain_url else None)
    with connect(data_dir, chain_url, funded=[operator.address]) as chain:
        finalize_epoch(attach_recorded(chain, data_dir, operator), epoch, **totals)


def test_deploy_status_and_verify_on_the_embedded_chain(tmp_path: Path) -> None:
    deployed = invoke_json(tmp_path, "deploy", "--preset", "minimal", "--genesis", "2024-01-01")
    assert deployed["deployed"] is True
    again = invoke_json(tmp_path, "deploy", "--preset", "minimal", "--genesis", "2024-01-01")
    assert again == {**deployed, "deployed": False}

    status = invoke_json(tmp_path, "status")
    assert status["address"] == deployed["address"]
    assert status["parameters"]["genesis_time"] == 1_704_067_200
    assert status["parameters"]["mining_era_epochs"] == 4
    assert status["roles"]["attestors"] == [deployed["operator"]]
    assert status["last_finalized_epoch"] is None

    run_epoch(tmp_path, 0, cum_mined=1_000, cum_activity=10)
    status = invoke_json(tmp_path, "status")
    assert status["last_finalized_epoch"] == 0
    assert status["totals"]["cum_mined"] == 1_000
    assert status["allowed"]["cum_mined"] == 125 * 10**8

    report = invoke_json(tmp_path, "verify-epoch", "0")
    assert report["passed"] and report["finalized"]
    assert report["attestors"] == [deployed["operator"]]
    assert report["commitment"]["cum_activity"] == 10
    assert all(check["passed"] for check in report["checks"])
    table = invoke(tmp_path, "verify-epoch", "0")
    assert table.exit_code == 0 and "all checks hold" in table.stdout

    unfinished = invoke(tmp_path, "verify-epoch", "1")
    assert unfinished.exit_code == 1 and "not finalized" in unfinished.stdout
    assert invoke(tmp_path, "status").exit_code == 0


def test_roles_change_from_the_command_line(tmp_path: Path) -> None:
    invoke_json(tmp_path, "deploy", "--preset", "minimal", "--genesis", "2024-01-01")
    assert invoke(tmp_path, "grant", "attestor", ALICE.address).exit_code == 0
    assert invoke(tmp_path, "set-threshold", "2").exit_code == 0
    assert invoke(tmp_path, "grant", "beacon-member", ALICE.address).exit_code == 0
    roles = invoke_json(tmp_path, "status")["roles"]
    assert ALICE.address in roles["attestors"] and ALICE.address in roles["beacon_members"]
    assert roles["threshold"] == 2
    refused = invoke(tmp_path, "revoke", "attestor", ALICE.address)
    assert refused.exit_code == 1
    assert "removal would break the threshold [chain_reverted]" in refused.stderr
    assert invoke(tmp_path, "set-threshold", "1").exit_code == 0
    assert invoke(tmp_path, "revoke", "attestor", ALICE.address).exit_code == 0
    assert invoke(tmp_path, "revoke", "beacon-member", ALICE.address).exit_code == 0
    roles = invoke_json(tmp_path, "status")["roles"]
    assert ALICE.address not in roles["attestors"] + roles["beacon_members"]


def test_roles_granted_after_settlement_apply_from_a_later_epoch(tmp_path: Path) -> None:
    invoke_json(tmp_path, "deploy", "--preset", "minimal", "--genesis", "2024-01-01")
    run_epoch(tmp_path, 0)
    granted = invoke(tmp_path, "grant", "attestor", ALICE.address)
    assert granted.exit_code == 0
    assert f"{ALICE.address} is an attestor from epoch 1 on" in granted.stdout
    member = invoke(tmp_path, "grant", "beacon-member", ALICE.address)
    assert "from epoch 1 on" in member.stdout  # nobody has committed to epoch 1 yet
    schedule = invoke_json(tmp_path, "status")["role_schedule"]
    assert [entry["from_epoch"] for entry in schedule["attestors"]] == [0, 1]
    assert ALICE.address not in schedule["attestors"][0]["attestors"]
    assert ALICE.address in schedule["attestors"][1]["attestors"]
    assert [entry["from_epoch"] for entry in schedule["beacon"]] == [0, 1]


def test_the_operator_role_moves_in_two_commands(tmp_path: Path) -> None:
    deployed = invoke_json(tmp_path, "deploy", "--preset", "minimal", "--genesis", "2024-01-01")
    offered = invoke(tmp_path, "transfer-operator", ALICE.address)
    assert offered.exit_code == 0 and "it must accept" in offered.stdout
    roles = invoke_json(tmp_path, "status")["roles"]
    assert (roles["operator"], roles["pending_operator"]) == (deployed["operator"], ALICE.address)
    alice = {"MILESTONE_OPERATOR_KEY": "0x" + bytes(ALICE.key).hex()}
    with connect(tmp_path, None, funded=[deployed["operator"]]) as chain:
        attach_recorded(chain, tmp_path, load_operator(tmp_path)).fund(ALICE.address, 10**18)
    accepted = invoke(tmp_path, "accept-operator", env=alice)
    assert accepted.exit_code == 0, accepted.stderr
    roles = invoke_json(tmp_path, "status")["roles"]
    assert (roles["operator"], roles["pending_operator"]) == (ALICE.address, None)
    again = invoke(tmp_path, "accept-operator", env=alice)
    assert again.exit_code == 1 and "no transfer pending [chain_reverted]" in again.stderr


def test_refusals_are_one_line(tmp_path: Path) -> None:
    missing = invoke(tmp_path, "status")
    assert missing.exit_code == 1
    assert missing.stderr.strip().endswith("[program_not_found]")
    assert "Traceback" not in missing.output
    bad_date = invoke(tmp_path, "deploy", "--genesis", "2024-02-30")
    assert bad_date.exit_code == 1 and "[invalid_genesis]" in bad_date.stderr
    invoke_json(tmp_path, "deploy", "--preset", "minimal", "--genesis", "2024-01-01")
    conflict = invoke(tmp_path, "deploy", "--preset", "minimal", "--genesis", "2024-01-02")
    assert conflict.exit_code == 1 and conflict.stderr.strip().endswith("[chain_conflict]")
    down = invoke(tmp_path, "status", chain_url="http://127.0.0.1:9")
    assert down.exit_code == 1 and "[chain_unavailable]" in down.stderr


@pytest.mark.anvil
def test_deploy_and_verify_on_a_node(tmp_path: Path) -> None:
    require_anvil()
    node = AnvilNode().start()
    try:
        key = DEV_ACCOUNTS[0].key.hex()
        deployed = invoke_json(
            tmp_path,
            "deploy",
            "--preset",
            "minimal",
            "--genesis",
            "2024-01-01",
            "--operator-key",
            key,
            chain_url=node.url,
        )
        assert deployed["chain_id"] == 31337 and deployed["operator"] == DEV_ACCOUNTS[0].address
        run_epoch(tmp_path, 0, chain_url=node.url, cum_mined=5)
        # The key and the node from the environment this time, as settlement would have them.
        report = invoke_json(
            tmp_path,
            "verify-epoch",
            "0",
            env={"MILESTONE_CHAIN_URL": node.url, "MILESTONE_OPERATOR_KEY": key},
        )
        assert report["passed"]
    finally:
        node.stop()


def test_deploy_uses_the_data_directorys_program(tmp_path: Path) -> None:
    init = runner.invoke(
        app, ["init", "--preset", "minimal", "--genesis", "2024-01-01", "--data-dir", str(tmp_path)]
    )
    assert init.exit_code == 0, init.output
    invoke_json(tmp_path, "deploy")  # no --preset: the program's own parameters, not im-csop
    parameters = invoke_json(tmp_path, "status")["parameters"]
    minimal = get_preset("minimal")
    assert parameters["mining_pool"] == minimal.mining.pool
    assert parameters["genesis_time"] == 1_704_067_200  # the program's genesis, not today
    refused = invoke(tmp_path, "deploy", "--preset", "im-csop")
    assert refused.exit_code == 1
    assert "[program_parameters_given]" in refused.stderr


def test_a_command_given_a_missing_data_directory_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "typo"
    for command in (["settle"], ["ledger", "totals"]):
        result = runner.invoke(app, [*command, "--data-dir", str(missing)])
        assert result.exit_code == 1
        assert "[no_database]" in result.stderr
        assert not missing.exists()
