"""The sealed beacon secret: stable across loads, useless without its key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from milestone.epochs.beacon_secret import KEY_FILE, SEALED_SECRET_FILE, load_beacon_secret
from milestone.epochs.errors import BeaconSecretError


def test_the_secret_is_made_once_sealed_and_read_back(tmp_path: Path) -> None:
    secret = load_beacon_secret(tmp_path)
    assert len(secret) == 32
    assert load_beacon_secret(tmp_path) == secret
    sealed = (tmp_path / SEALED_SECRET_FILE).read_bytes()
    assert secret not in sealed
    for name in (SEALED_SECRET_FILE, KEY_FILE):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600


def test_a_key_from_the_environment_seals_it_instead(tmp_path: Path) -> None:
    key = "11" * 32
    secret = load_beacon_secret(tmp_path, key)
    assert not (tmp_path / KEY_FILE).exists()
    assert load_beacon_secret(tmp_path, "0x" + key) == secret


@pytest.mark.parametrize("key", ["22" * 32, "zz", "11" * 16])
def test_a_wrong_or_malformed_key_is_refused(tmp_path: Path, key: str) -> None:
    load_beacon_secret(tmp_path, "11" * 32)
    with pytest.raises(BeaconSecretError) as refused:
        load_beacon_secret(tmp_path, key)
    assert refused.value.code == "beacon_secret_unreadable"


def test_a_damaged_file_is_refused(tmp_path: Path) -> None:
    load_beacon_secret(tmp_path)
    path = tmp_path / SEALED_SECRET_FILE
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    with pytest.raises(BeaconSecretError):
        load_beacon_secret(tmp_path)
