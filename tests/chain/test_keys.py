"""Operator keys in the data directory, and the beacon reveals derived from a secret."""

from __future__ import annotations

import secrets
import stat
from pathlib import Path

from milestone.chain.keys import OPERATOR_KEY_FILE, derive_reveal, load_operator

ANVIL_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def test_the_operator_key_is_created_once_and_kept_private(tmp_path: Path) -> None:
    first = load_operator(tmp_path)
    second = load_operator(tmp_path)
    assert first.address == second.address
    mode = stat.S_IMODE((tmp_path / OPERATOR_KEY_FILE).stat().st_mode)
    assert mode == 0o600


def test_a_given_operator_key_wins_and_writes_nothing(tmp_path: Path) -> None:
    account = load_operator(tmp_path, ANVIL_KEY)
    assert account.address == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
    assert not (tmp_path / OPERATOR_KEY_FILE).exists()


def test_data_directories_get_different_keys(tmp_path: Path) -> None:
    assert load_operator(tmp_path / "a").address != load_operator(tmp_path / "b").address


def test_reveals_are_stable_and_bound_to_secret_program_and_epoch() -> None:
    secret = secrets.token_bytes(32)
    program = "0x" + "11" * 20
    reveal = derive_reveal(secret, 1, program, 7)
    assert reveal == derive_reveal(secret, 1, program, 7)
    assert (
        len(
            {
                reveal,
                derive_reveal(secret, 1, program, 8),
                derive_reveal(secret, 2, program, 7),
                derive_reveal(secret, 1, "0x" + "22" * 20, 7),
                derive_reveal(secrets.token_bytes(32), 1, program, 7),
            }
        )
        == 5
    )
