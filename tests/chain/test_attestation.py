"""EIP-712 attestations: our digest is the standard one, and the contract's."""

from __future__ import annotations

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data

from milestone.chain.anchor import Anchor
from milestone.chain.attestation import (
    attestation_digest,
    domain_separator,
    order_signatures,
    recover_signer,
    sign_epoch_result,
    typed_data,
)

from .support import DEV_ACCOUNTS, epoch_result

PROGRAM = "0x" + "ab" * 20
WEIGHTS_ROOT = b"\x01" * 32
SEED = b"\x02" * 32


def test_the_digest_is_eip712_as_eth_account_computes_it() -> None:
    result = epoch_result(3, cum_mined=10, cum_activity=20, cum_burned=5, cum_dividends_fen=9)
    ours = attestation_digest(1337, PROGRAM, result, WEIGHTS_ROOT, SEED)
    message = encode_typed_data(full_message=typed_data(1337, PROGRAM, result, WEIGHTS_ROOT, SEED))
    assert ours == _hash_eip191_message(message)


def test_the_digest_binds_every_field() -> None:
    result = epoch_result(3, cum_mined=10)
    base = attestation_digest(1, PROGRAM, result, WEIGHTS_ROOT, SEED)
    assert attestation_digest(2, PROGRAM, result, WEIGHTS_ROOT, SEED) != base
    assert attestation_digest(1, "0x" + "cd" * 20, result, WEIGHTS_ROOT, SEED) != base
    assert attestation_digest(1, PROGRAM, epoch_result(3, cum_mined=11), WEIGHTS_ROOT, SEED) != base
    assert attestation_digest(1, PROGRAM, result, SEED, SEED) != base
    assert attestation_digest(1, PROGRAM, result, WEIGHTS_ROOT, WEIGHTS_ROOT) != base


def test_signatures_recover_their_signer_and_sort_by_it() -> None:
    result = epoch_result(0)
    digest = attestation_digest(1, PROGRAM, result, WEIGHTS_ROOT, SEED)
    signers = DEV_ACCOUNTS[:5]
    signatures = [sign_epoch_result(a, 1, PROGRAM, result, WEIGHTS_ROOT, SEED) for a in signers]
    assert [recover_signer(digest, s) for s in signatures] == [a.address for a in signers]
    ordered = [recover_signer(digest, s) for s in order_signatures(digest, signatures)]
    assert ordered == sorted(ordered, key=lambda a: int(a, 16))
    message = encode_typed_data(full_message=typed_data(1, PROGRAM, result, WEIGHTS_ROOT, SEED))
    assert Account.recover_message(message, signature=signatures[0]) == signers[0].address


def test_the_contract_uses_the_same_domain(program: Anchor) -> None:
    chain_id = program.connection.chain_id
    assert program.program.domain_separator() == domain_separator(chain_id, program.address)
