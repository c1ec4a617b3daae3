# pragma version ~=0.4.3
"""
@title attestations
@notice The attestors, consortium parties who re-verify each epoch and
        co-sign its result, and the threshold of distinct signatures a result
        needs. Only the operator changes the set; every change is logged.
@dev Signatures arrive ordered by signer address, strictly ascending: one
     comparison per signature rules out duplicates, with no storage and gas
     linear in the number of signatures only.
"""


import operable

uses: operable


MAX_ATTESTORS: constant(uint256) = 32
# Half the order of secp256k1: larger `s` values are the malleable twins of
# valid signatures (EIP-2).
HALF_CURVE_ORDER: constant(uint256) = (
    57896044618658097711785492504343953926418782139537452191302581570759080747168
)


event AttestorAdded:
    attestor: indexed(address)


event AttestorRemoved:
    attestor: indexed(address)


event ThresholdChanged:
    previous_threshold: uint256
    new_threshold: uint256


is_attestor: public(HashMap[address, bool])
attestor_count: public(uint256)
threshold: public(uint256)
# The same set as `is_attestor`, listable: for `milestone chain status` and auditors.
attestor_set: DynArray[address, MAX_ATTESTORS]


@deploy
def __init__(attestors_: DynArray[address, MAX_ATTESTORS], threshold_: uint256):
    for attestor: address in attestors_:
        self._add_attestor(attestor)
    self._set_threshold(threshold_)


@external
@view
def attestors() -> DynArray[address, MAX_ATTESTORS]:
    """@notice Every attestor, in the order they were admitted."""
    return self.attestor_set


@external
def add_attestor(attestor: address):
    """@notice Admit `attestor` to the set."""
    operable._check_operator()
    self._add_attestor(attestor)


@external
def remove_attestor(attestor: address):
    """@notice Remove `attestor`; the threshold must stay reachable."""
    operable._check_operator()
    assert self.is_attestor[attestor], "attestations: not an attestor"
    assert self.attestor_count > self.threshold, "attestations: removal would break the threshold"
    self.is_attestor[attestor] = False
    self.attestor_count -= 1
    remaining: DynArray[address, MAX_ATTESTORS] = []
    for existing: address in self.attestor_set:
        if existing != attestor:
            remaining.append(existing)
    self.attestor_set = remaining
    log AttestorRemoved(attestor=attestor)


@external
def set_threshold(new_threshold: uint256):
    """@notice Require `new_threshold` distinct attestor signatures per epoch."""
    operable._check_operator()
    self._set_threshold(new_threshold)


@internal
def _add_attestor(attestor: address):
    assert attestor != empty(address), "attestations: attestor is the zero address"
    assert not self.is_attestor[attestor], "attestations: already an attestor"
    assert self.attestor_count < MAX_ATTESTORS, "attestations: too many attestors"
    self.is_attestor[attestor] = True
    self.attestor_count += 1
    self.attestor_set.append(attestor)
    log AttestorAdded(attestor=attestor)


@internal
def _set_threshold(new_threshold: uint256):
    assert new_threshold > 0, "attestations: threshold is zero"
    assert new_threshold <= self.attestor_count, "attestations: threshold above the attestor count"
    previous_threshold: uint256 = self.threshold
    self.threshold = new_threshold
    log ThresholdChanged(previous_threshold=previous_threshold, new_threshold=new_threshold)


@internal
@view
def _verify(digest: bytes32, signatures: DynArray[Bytes[65], MAX_ATTESTORS]):
    assert len(signatures) >= self.threshold, "attestations: fewer signatures than the threshold"
    previous_signer: uint256 = 0
    for signature: Bytes[65] in signatures:
        signer: address = self._recover(digest, signature)
        assert self.is_attestor[signer], "attestations: signer is not an attestor"
        assert convert(signer, uint256) > previous_signer, (
            "attestations: signers not distinct and ascending"
        )
        previous_signer = convert(signer, uint256)


@internal
@pure
def _recover(digest: bytes32, signature: Bytes[65]) -> address:
    assert len(signature) == 65, "attestations: signature is not 65 bytes"
    r: uint256 = extract32(signature, 0, output_type=uint256)
    s: uint256 = extract32(signature, 32, output_type=uint256)
    v: uint256 = convert(slice(signature, 64, 1), uint256)
    assert s <= HALF_CURVE_ORDER, "attestations: malleable signature"
    assert v == 27 or v == 28, "attestations: invalid signature v"
    signer: address = ecrecover(digest, v, r, s)
    assert signer != empty(address), "attestations: invalid signature"
    return signer
