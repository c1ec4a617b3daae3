"""The operator's beacon secret, sealed in the data directory.

Each epoch's reveal is derived from one 32-byte secret (`milestone.chain.keys.derive_reveal`),
so a commitment made before a restart can still be opened after it. The secret is stored
encrypted with NaCl's SecretBox (XSalsa20-Poly1305) under a 32-byte key taken from
`MILESTONE_BEACON_KEY` (hex) when set, else from `keys/beacon.key` (created with mode 0600).

Trust assumption (docs/settlement.md): whoever holds the key can predict every future reveal.
With the key file beside the sealed secret, the sealing protects copies of the data directory
that leave the key out (backups, support bundles); set the key through the environment, from a
secret manager, to protect against a stolen disk too. With the default single beacon member,
the operator could still grind its own reveal against the weights; more members remove that.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from milestone.epochs.errors import BeaconSecretError

SEALED_SECRET_FILE = Path("keys") / "beacon-secret.sealed"
KEY_FILE = Path("keys") / "beacon.key"
SECRET_BYTES = 32


def load_beacon_secret(data_dir: Path, key_hex: str | None = None) -> bytes:
    """The beacon secret, unsealed with `key_hex` or the key file; both made on first use."""
    key = _key(Path(data_dir), key_hex)
    path = Path(data_dir) / SEALED_SECRET_FILE
    if not path.exists():
        _write_new(path, bytes(SecretBox(key).encrypt(secrets.token_bytes(SECRET_BYTES))))
    try:
        secret = SecretBox(key).decrypt(path.read_bytes())
    except CryptoError:
        raise BeaconSecretError(
            f"{path} does not open with this beacon key: set MILESTONE_BEACON_KEY to the key "
            "it was sealed with"
        ) from None
    if len(secret) != SECRET_BYTES:
        raise BeaconSecretError(
            f"{path} holds {len(secret)} bytes, not a {SECRET_BYTES}-byte secret"
        )
    return bytes(secret)


def _key(data_dir: Path, key_hex: str | None) -> bytes:
    if key_hex:
        try:
            key = bytes.fromhex(key_hex.removeprefix("0x"))
        except ValueError:
            raise BeaconSecretError("the beacon key is not hex") from None
    else:
        path = data_dir / KEY_FILE
        if not path.exists():
            _write_new(path, secrets.token_bytes(SecretBox.KEY_SIZE).hex().encode() + b"\n")
        key = bytes.fromhex(path.read_text().strip())
    if len(key) != SecretBox.KEY_SIZE:
        raise BeaconSecretError(f"the beacon key must be {SecretBox.KEY_SIZE} bytes")
    return key


def _write_new(path: Path, content: bytes) -> None:
    """Create `path` with `content`, mode 0600; if another process got there first, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
