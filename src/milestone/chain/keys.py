"""The operator's keys, kept in the data directory.

- `keys/operator.key`: the secp256k1 key that deploys the Program, sends every epoch step and,
  in the default single-party set-up, is also the one beacon member and the one attestor.

The file is created on first use with mode 0600. A remote chain needs a funded key: pass it in
(`MILESTONE_OPERATOR_KEY`) instead of letting one be generated. Each epoch's beacon reveal is
derived (`derive_reveal`) from the beacon secret, which settlement keeps sealed
(`milestone.epochs.beacon_secret`), so a reveal committed before a restart is known after it.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import is_address, to_checksum_address

from milestone.chain.errors import InvalidPrivateKey
from milestone.rules.errors import InvalidAddress
from milestone.rules.hashing import keccak256

KEYS_DIR = Path("keys")
OPERATOR_KEY_FILE = KEYS_DIR / "operator.key"
REVEAL_DOMAIN = b"milestone beacon reveal v1"


def load_operator(data_dir: Path, private_key: str | None = None) -> LocalAccount:
    """The operator account: `private_key` if given, else the data directory's (made if absent)."""
    if not private_key:
        return load_party_key(data_dir, OPERATOR_KEY_FILE.stem)
    account: LocalAccount = Account.from_key(private_key)
    return account


def load_party_key(data_dir: Path, role: str) -> LocalAccount:
    """A consortium party's own account, kept in `keys/<role>.key` of its data directory (made
    with mode 0600 on first use), as the operator's is: for parties run in-process
    (`milestone demo`); a party on its own machine passes its key in instead."""
    account: LocalAccount = Account.from_key(
        _read_or_create_secret(Path(data_dir) / KEYS_DIR / f"{role}.key")
    )
    return account


def account_of(private_key: str, role: str) -> LocalAccount:
    """The account of a hex private key a party passed in; `role` names it in the refusal."""
    try:
        account: LocalAccount = Account.from_key(private_key)
    except (ValueError, TypeError):
        raise InvalidPrivateKey(f"the {role} key is not a 32-byte hex private key") from None
    return account


def parse_address(text: str) -> str:
    """`text` as a checksummed address; `InvalidAddress` if it is not one."""
    if not is_address(text):
        raise InvalidAddress(f"{text!r} is not an account address (0x and 40 hex digits)")
    return to_checksum_address(text)


def derive_reveal(secret: bytes, chain_id: int, program: str, epoch: int) -> bytes:
    """The beacon reveal of `epoch` for one Program: unpredictable without `secret`, and stable.

    Binding the chain and the contract keeps reveals of one deployment useless for guessing
    another's.
    """
    return keccak256(
        REVEAL_DOMAIN
        + secret
        + chain_id.to_bytes(32, "big")
        + bytes.fromhex(program.removeprefix("0x"))
        + epoch.to_bytes(32, "big")
    )


def _read_or_create_secret(path: Path) -> bytes:
    if path.exists():
        return bytes.fromhex(path.read_text().strip().removeprefix("0x"))
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    # Written aside, then linked into place: two processes racing to create the key end with
    # the same one, and nobody ever reads a half-written file.
    fd, tmp = tempfile.mkstemp(dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write("0x" + secret.hex() + "\n")
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return _read_or_create_secret(path)
    finally:
        os.unlink(tmp)
    return secret
