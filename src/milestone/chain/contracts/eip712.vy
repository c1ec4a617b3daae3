# pragma version ~=0.4.3
"""
@title eip712
@notice The EIP-712 domain of a Program: attestors sign typed data bound to
        this contract on this chain, so a signature cannot be replayed on
        another deployment or network.
"""


NAME: constant(String[32]) = "Milestone Program"
VERSION: constant(String[8]) = "1"
DOMAIN_TYPEHASH: constant(bytes32) = keccak256(
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
)


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
