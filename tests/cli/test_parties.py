"""Independent parties through their commands: a beacon member, an attestor, and the operator.

One Program on anvil with the operator and one independent beacon member, and attestors the
operator and one independent attestor with threshold 2: settlement stops for each missing
party, the party's command lets it take part, and the epoch ends finalized and auditable.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from chain.support import DEV_ACCOUNTS, AnvilNode, require_anvil
from epochs.conftest import Fleet
from milestone.audit.attest import stated_result
from milestone.chain.attestation import sign_epoch_result
from milestone.chain.backends import open_remote
from milestone.chain.program import ProgramView
from milestone.cli.main import app
from milestone.clock import ManualClock
from milestone.epochs import epochfile
from milestone.storage import open_database

pytestmark = pytest.mark.anvil

runner = CliRunner()
OPERATOR, MEMBER, ATTESTOR, STRANGER = DEV_ACCOUNTS[:4]


def key_of(account: Any) -> str:
    return "0x" + bytes(account.key).hex()


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    require_anvil()
    anvil = AnvilNode().start()
    yield anvil
    anvil.stop()


class Parties:
    """The operator's, the member's and the attestor's data directories, on one chain."""

    def __init__(self, root: Path, url: str) -> None:
        self.operator_dir = root / "operator"
        self.member_dir = root / "member"
        # A member makes its data directory once; `beacon step` refuses a missing one.
        self.member_dir.mkdir(parents=True)
        self.attestor_dir = root / "attestor"
        self.url = url
        self.contract = ""

    def operator(self, *args: str) -> Any:
        env = {"MILESTONE_OPERATOR_KEY": key_of(OPERATOR), "MILESTONE_CHAIN_URL": self.url}
        return runner.invoke(app, [*args, "--data-dir", str(self.operator_dir)], env=env)

    def settle(self) -> Any:
        return self.operator("settle", "--through-epoch", "0")

    def step(self, key: str = key_of(MEMBER)) -> Any:
        return runner.invoke(
            app,
            ["beacon", "step", "--json", "--chain-url", self.url, "--contract", self.contract],
            env={
                "MILESTONE_MEMBER_KEY": key,
                "MILESTONE_DATA_DIR": str(self.member_dir),
                "MILESTONE_BEACON_KEY": "",
            },
        )

    def attest(self, epoch_file: Path, key: str = key_of(ATTESTOR)) -> Any:
        return runner.invoke(
            app,
            [
                "attest", "0", "--json", "--epoch-file", str(epoch_file),
                "--contract", self.contract, "--chain-url", self.url,
                "--data-dir", str(self.attestor_dir),
            ],
            env={"MILESTONE_ATTESTOR_KEY": key},
        )  # fmt: skip

    def hand_in(self, signature: str) -> Any:
        return self.operator("settle", "attestation", "0", signature)


def actions(result: Any) -> list[tuple[str, int]]:
    assert result.exit_code == 0, result.output
    return [(a["action"], a["epoch"]) for a in json.loads(result.stdout)["actions"]]


def stops_with(result: Any, code: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"[{code}]" in result.stderr


def test_a_member_and_an_attestor_take_part_through_their_commands(
    node: AnvilNode, tmp_path: Path
) -> None:
    parties = Parties(tmp_path, node.url)
    genesis_day = (datetime.now(UTC) - timedelta(days=2)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    genesis = genesis_day.date().isoformat()
    init = parties.operator("init", "--preset", "minimal", "--genesis", genesis)
    assert init.exit_code == 0, init.output
    drive(parties.operator_dir, int(genesis_day.timestamp()))
    deployed = parties.operator(
        "chain", "deploy", "--json",  # the program's own parameters, from the data directory
        "--beacon-member", MEMBER.address, "--attestor", ATTESTOR.address, "--threshold", "2",
    )  # fmt: skip
    assert deployed.exit_code == 0, deployed.output
    summary = json.loads(deployed.stdout)
    parties.contract = summary["address"]
    assert set(summary["beacon_members"]) == {OPERATOR.address, MEMBER.address}
    assert set(summary["attestors"]) == {OPERATOR.address, ATTESTOR.address}
    assert summary["threshold"] == 2

    stops_with(parties.settle(), "beacon_commit_missing")
    stops_with(parties.step(key_of(STRANGER)), "not_a_beacon_member")
    # The next epoch and the one after, and the two epochs that start next (today is epoch 2):
    # those must be committed before they start.
    committed = [("commit", 0), ("commit", 1), ("commit", 3), ("commit", 4)]
    assert actions(parties.step()) == committed
    assert actions(parties.step()) == []  # nothing left: the step is idempotent

    stops_with(parties.settle(), "beacon_reveal_missing")
    assert actions(parties.step()) == [("reveal", 0)]
    assert actions(parties.step()) == []

    stops_with(parties.settle(), "attestations_missing")
    epoch_file = parties.operator_dir / "epochs" / epochfile.file_name(0)
    stops_with(parties.attest(epoch_file, key_of(STRANGER)), "not_an_attestor")
    tampered = tampered_copy(epoch_file, tmp_path / "tampered")
    refused = parties.attest(tampered)
    assert refused.exit_code == 1
    verdict = json.loads(refused.stdout)
    assert verdict["signature"] is None and verdict["failures"][0]["code"] == "totals_mismatch"

    attested = parties.attest(epoch_file)
    assert attested.exit_code == 0, attested.output
    attestation = json.loads(attested.stdout)
    assert attestation["ok"] and attestation["attestor"] == ATTESTOR.address
    signature = attestation["signature"]

    for forged in forgeries(parties, signature):
        stops_with(parties.hand_in(forged), "attestation_invalid")
    stops_with(parties.settle(), "attestations_missing")  # none of them was kept

    kept = parties.hand_in(signature)
    assert kept.exit_code == 0, kept.output
    assert ATTESTOR.address in kept.stdout
    settled = parties.settle()
    assert settled.exit_code == 0, settled.output
    assert "epoch 0 finalized" in settled.stdout
    stops_with(parties.hand_in(signature), "epoch_already_finalized")

    audit = parties.operator("audit")
    assert audit.exit_code == 0, audit.output
    assert "PASS: 1 of 1" in audit.stdout
    owners = re.search(r"epoch 0: pass \((\d+) owners\)", audit.output)
    assert owners is not None and int(owners.group(1)) > 0  # the drops paid someone
    # Epoch 0 final: the member commits to epoch 2, which the chain now takes.
    assert actions(parties.step()) == [("commit", 2)]


def drive(data_dir: Path, genesis: int) -> None:
    """Three cars drive through epoch 0, so it has weights, drops and balances to check."""
    database = open_database(f"sqlite:///{data_dir / 'milestone.db'}")
    try:
        fleet = Fleet(database, ManualClock(genesis))
        fleet.enroll(3, seed=7)
        assert fleet.drive(genesis, 1) > 0
    finally:
        database.dispose()


def tampered_copy(epoch_file: Path, directory: Path) -> Path:
    """The epoch file with one more pebble mined than it says: its audit must fail."""
    directory.mkdir()
    path = directory / epoch_file.name
    shutil.copy(epoch_file, path)
    record, _ = epochfile.read(path)
    document = epochfile.to_document(record)
    document["totals"]["cum_mined"] += 1
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    epochfile.write(path, epochfile.compress(canonical))
    return path


def forgeries(parties: Parties, signature: str) -> list[str]:
    """Signatures the operator must refuse: another epoch, another signer, altered, garbage."""
    record, canonical = epochfile.read(parties.operator_dir / "epochs" / epochfile.file_name(0))
    result = stated_result(record, canonical)
    with open_remote(parties.url) as connection:
        view = ProgramView(connection.w3, parties.contract)
        weights, seed = view.weights(0), view.seed(0)
        assert weights is not None and seed is not None
        chain_id = connection.chain_id

        def signed(account: Any, epoch_result: Any) -> str:
            return (
                "0x"
                + sign_epoch_result(
                    account, chain_id, parties.contract, epoch_result, weights[0], seed
                ).hex()
            )

        other_epoch = signed(ATTESTOR, replace(result, epoch=1))
        other_signer = signed(STRANGER, result)
    altered = bytearray(bytes.fromhex(signature[2:]))
    altered[10] ^= 0xFF
    return [other_epoch, other_signer, "0x" + altered.hex(), "0x1234", "not hex"]
