# pragma version ~=0.4.3
"""
@title eip712
@notice The EIP-712 domain of a Program: attestors sign typed data bound to
        this contract on this chain, so a signature cannot be replayed on
        another deployment or network. `eip712Domain()` (EIP-5267) lets a
        wallet or a verifier read the domain instead of assuming it.
@dev Version 2: the signed `EpochResult` carries the dividend's record epoch
     and `cumActivity` is the activity paid (version 1 signed the release).
"""


NAME: constant(String[32]) = "Milestone Program"
VERSION: constant(String[8]) = "2"
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)
# EIP-5267: bits for name, version, chainId and verifyingContract; no salt,
# no extensions.
DOMAIN_FIELDS: constant(bytes1) = 0x0f


@external
@view
def eip712Domain() -> (
    bytes1, String[32], String[8], uint256, address, bytes32, DynArray[uint256, 1]
):
    """@notice The fields of the EIP-712 domain attestors sign under (EIP-5267)."""
    return (DOMAIN_FIELDS, NAME, VERSION, chain.id, self, empty(bytes32), [])


@internal
@view
def _domain_separator() -> bytes32:
    # Computed on every call rather than cached, so a chain fork that changes
    # the chain id also changes the domain.
    return keccak256(
        abi_encode(
            DOMAIN_TYPEHASH,
            keccak256(NAME),
            keccak256(VERSION),
            chain.id,
            self,
        )
    )


@internal
@view
def _hash_typed_data(struct_hash: bytes32) -> bytes32:
    return keccak256(concat(b"\x19\x01", self._domain_separator(), struct_hash))
