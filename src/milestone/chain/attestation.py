"""EIP-712 attestations of an epoch result: what attestors sign and the contract checks.

Domain: `EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)`
with name "Milestone Program", version "2" (version 1 Programs signed the activity released
and no dividend record epoch), the chain's id and the Program's address. Primary
type `EpochResult`, whose fields are the `finalize` arguments plus the epoch's weights root and
seed as posted on-chain, so an attestor vouches for the inputs it re-verified too.
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import encode
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_keys.datatypes import Signature

from milestone.chain.program import EpochResult
from milestone.rules.hashing import keccak256

DOMAIN_NAME = "Milestone Program"
DOMAIN_VERSION = "2"

EPOCH_RESULT_FIELDS: list[dict[str, str]] = [
    {"name": "epoch", "type": "uint256"},
    {"name": "weightsRoot", "type": "bytes32"},
    {"name": "seed", "type": "bytes32"},
    {"name": "stateRoot", "type": "bytes32"},
    {"name": "rewardsRoot", "type": "bytes32"},
    {"name": "journalHead", "type": "bytes32"},
    {"name": "epochFileHash", "type": "bytes32"},
    {"name": "dividendsRoot", "type": "bytes32"},
    {"name": "dividendRecordEpoch", "type": "uint256"},
    {"name": "cumMined", "type": "uint256"},
    {"name": "cumActivity", "type": "uint256"},
    {"name": "cumBurned", "type": "uint256"},
    {"name": "cumDividendsFen", "type": "uint256"},
]
DOMAIN_FIELDS: list[dict[str, str]] = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]


def _type_string(name: str, members: list[dict[str, str]]) -> bytes:
    return f"{name}({','.join(m['type'] + ' ' + m['name'] for m in members)})".encode()


DOMAIN_TYPEHASH = keccak256(_type_string("EIP712Domain", DOMAIN_FIELDS))
EPOCH_RESULT_TYPEHASH = keccak256(_type_string("EpochResult", EPOCH_RESULT_FIELDS))


def domain_separator(chain_id: int, program: str) -> bytes:
    """The domain separator of the Program at `program` on chain `chain_id`."""
    return keccak256(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                DOMAIN_TYPEHASH,
                keccak256(DOMAIN_NAME.encode()),
                keccak256(DOMAIN_VERSION.encode()),
                chain_id,
                program,
            ],
        )
    )


def attestation_digest(
    chain_id: int, program: str, result: EpochResult, weights_root: bytes, seed: bytes
) -> bytes:
    """The 32-byte digest an attestor signs for `result` (EIP-712: `0x1901 ‖ domain ‖ struct`)."""
    struct_hash = keccak256(
        encode(
            ["bytes32", "uint256"] + ["bytes32"] * 7 + ["uint256"] * 5,
            [
                EPOCH_RESULT_TYPEHASH,
                result.epoch,
                weights_root,
                seed,
                result.state_root,
                result.rewards_root,
                result.journal_head,
                result.epoch_file_hash,
                result.dividends_root,
                result.dividend_record_epoch,
                result.cum_mined,
                result.cum_activity,
                result.cum_burned,
                result.cum_dividends_fen,
            ],
        )
    )
    return keccak256(b"\x19\x01" + domain_separator(chain_id, program) + struct_hash)


def typed_data(
    chain_id: int, program: str, result: EpochResult, weights_root: bytes, seed: bytes
) -> dict[str, Any]:
    """The same message as an `eth_signTypedData_v4` document, for wallets and other tools."""
    return {
        "types": {"EIP712Domain": DOMAIN_FIELDS, "EpochResult": EPOCH_RESULT_FIELDS},
        "primaryType": "EpochResult",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": program,
        },
        "message": {
            "epoch": result.epoch,
            "weightsRoot": weights_root,
            "seed": seed,
            "stateRoot": result.state_root,
            "rewardsRoot": result.rewards_root,
            "journalHead": result.journal_head,
            "epochFileHash": result.epoch_file_hash,
            "dividendsRoot": result.dividends_root,
            "dividendRecordEpoch": result.dividend_record_epoch,
            "cumMined": result.cum_mined,
            "cumActivity": result.cum_activity,
            "cumBurned": result.cum_burned,
            "cumDividendsFen": result.cum_dividends_fen,
        },
    }


def sign_epoch_result(
    attestor: LocalAccount,
    chain_id: int,
    program: str,
    result: EpochResult,
    weights_root: bytes,
    seed: bytes,
) -> bytes:
    """`attestor`'s 65-byte signature (`r ‖ s ‖ v`, v in {27, 28}) over the result."""
    message = encode_typed_data(
        full_message=typed_data(chain_id, program, result, weights_root, seed)
    )
    signature: bytes = bytes(attestor.sign_message(message).signature)
    return signature


def recover_signer(digest: bytes, signature: bytes) -> str:
    """The checksummed address that produced `signature` over `digest`."""
    v = signature[64] - 27 if signature[64] >= 27 else signature[64]
    key = Signature(signature[:64] + bytes([v])).recover_public_key_from_msg_hash(digest)
    address: str = key.to_checksum_address()
    return address


def order_signatures(digest: bytes, signatures: list[bytes]) -> list[bytes]:
    """`signatures` sorted by signer address, ascending: the order `finalize` requires."""
    return sorted(signatures, key=lambda s: int(recover_signer(digest, s), 16))
