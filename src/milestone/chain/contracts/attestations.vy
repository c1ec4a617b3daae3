# pragma version ~=0.4.3
"""
@title attestations
@notice The attestors, consortium parties who re-verify each epoch and
        co-sign its result, and the threshold of distinct signatures a result
        needs. The attestors are a sequence of sets, each with its threshold,
        applying from a first epoch on (set 0 from epoch 0): an epoch's result
        is checked against the set of that epoch. Every change is logged.
@dev Signatures arrive ordered by signer address, strictly ascending: one
     comparison per signature rules out duplicates, with no storage and gas
     linear in the number of signatures only.
"""


MAX_ATTESTORS: constant(uint256) = 32
# Bounds the search for an epoch's set, which runs from the newest backwards.
MAX_ATTESTOR_SETS: constant(uint256) = 4096
# Half the order of secp256k1: larger `s` values are the malleable twins of
# valid signatures (EIP-2).
HALF_CURVE_ORDER: constant(uint256) = (
    57896044618658097711785492504343953926418782139537452191302581570759080747168
)


event AttestorsScheduled:
    set_index: indexed(uint256)
    from_epoch: indexed(uint256)
    attestors: DynArray[address, MAX_ATTESTORS]
    threshold: uint256


attestor_set_count: public(uint256)
attestor_set_from: public(HashMap[uint256, uint256])
attestor_sets: HashMap[uint256, DynArray[address, MAX_ATTESTORS]]
in_attestor_set: HashMap[uint256, HashMap[address, bool]]
thresholds: HashMap[uint256, uint256]


@deploy
def __init__(attestors_: DynArray[address, MAX_ATTESTORS], threshold_: uint256):
    self._schedule(0, attestors_, threshold_)


@external
@view
def attestors_at(epoch: uint256) -> DynArray[address, MAX_ATTESTORS]:
    """@notice The attestors of `epoch`, in the order they were given."""
    return self.attestor_sets[self._set_of(epoch)]


@external
@view
def threshold_at(epoch: uint256) -> uint256:
    """@notice The distinct attestor signatures `epoch`'s result needs."""
    return self.thresholds[self._set_of(epoch)]


@external
@view
def is_attestor_at(epoch: uint256, attestor: address) -> bool:
    """@notice True when `attestor`'s signature counts for `epoch`."""
    return self.in_attestor_set[self._set_of(epoch)][attestor]


@internal
@view
def _set_of(epoch: uint256) -> uint256:
    """The index of the attestor set that applies to `epoch`."""
    count: uint256 = self.attestor_set_count
    for step: uint256 in range(count, bound=MAX_ATTESTOR_SETS):
        # count - 1 - step >= 0: step < count.
        index: uint256 = unsafe_sub(unsafe_sub(count, 1), step)
        if self.attestor_set_from[index] <= epoch:
            return index
    raise "attestations: no attestor set"


@internal
@view
def _attestors(epoch: uint256) -> DynArray[address, MAX_ATTESTORS]:
    return self.attestor_sets[self._set_of(epoch)]


@internal
@view
def _threshold(epoch: uint256) -> uint256:
    return self.thresholds[self._set_of(epoch)]


@internal
@view
def _latest() -> (DynArray[address, MAX_ATTESTORS], uint256, uint256):
    """The newest set, its threshold and its first epoch."""
    index: uint256 = self.attestor_set_count - 1
    return self.attestor_sets[index], self.thresholds[index], self.attestor_set_from[index]


@internal
def _schedule(
    from_epoch: uint256, attestors_: DynArray[address, MAX_ATTESTORS], threshold_: uint256
):
    """Make `attestors_` with `threshold_` the set from `from_epoch` on."""
    assert threshold_ > 0, "attestations: threshold is zero"
    assert threshold_ <= len(attestors_), "attestations: threshold above the attestor count"
    index: uint256 = self.attestor_set_count
    replaced: bool = False
    if index > 0:
        latest_from: uint256 = self.attestor_set_from[index - 1]
        assert from_epoch >= latest_from, "attestations: attestor sets must start in order"
        if from_epoch == latest_from:
            index -= 1
            replaced = True
    assert index < MAX_ATTESTOR_SETS, "attestations: too many attestor sets"
    if replaced:
        for old: address in self.attestor_sets[index]:
            self.in_attestor_set[index][old] = False
    for attestor: address in attestors_:
        assert attestor != empty(address), "attestations: attestor is the zero address"
        assert not self.in_attestor_set[index][attestor], "attestations: already an attestor"
        self.in_attestor_set[index][attestor] = True
    self.attestor_sets[index] = attestors_
    self.thresholds[index] = threshold_
    self.attestor_set_from[index] = from_epoch
    self.attestor_set_count = index + 1
    log AttestorsScheduled(
        set_index=index, from_epoch=from_epoch, attestors=attestors_, threshold=threshold_
    )


@internal
@view
def _verify(epoch: uint256, digest: bytes32, signatures: DynArray[Bytes[65], MAX_ATTESTORS]):
    index: uint256 = self._set_of(epoch)
    assert len(signatures) >= self.thresholds[index], (
        "attestations: fewer signatures than the threshold"
    )
    previous_signer: uint256 = 0
    for signature: Bytes[65] in signatures:
        signer: address = self._recover(digest, signature)
        assert self.in_attestor_set[index][signer], "attestations: signer is not an attestor"
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


@internal
def _add(from_epoch: uint256, attestor: address):
    """The newest set plus `attestor`, same threshold, from `from_epoch` on."""
    attestors_: DynArray[address, MAX_ATTESTORS] = []
    threshold_: uint256 = 0
    start: uint256 = 0
    attestors_, threshold_, start = self._latest()
    assert len(attestors_) < MAX_ATTESTORS, "attestations: too many attestors"
    attestors_.append(attestor)
    self._schedule(from_epoch, attestors_, threshold_)


@internal
def _remove(from_epoch: uint256, attestor: address):
    """The newest set without `attestor`, from `from_epoch` on; the threshold must stay
    reachable."""
    latest: DynArray[address, MAX_ATTESTORS] = []
    threshold_: uint256 = 0
    start: uint256 = 0
    latest, threshold_, start = self._latest()
    assert attestor in latest, "attestations: not an attestor"
    assert len(latest) > threshold_, "attestations: removal would break the threshold"
    remaining: DynArray[address, MAX_ATTESTORS] = []
    for existing: address in latest:
        if existing != attestor:
            remaining.append(existing)
    self._schedule(from_epoch, remaining, threshold_)


@internal
def _change_threshold(from_epoch: uint256, new_threshold: uint256):
    """The newest set with `new_threshold`, from `from_epoch` on."""
    attestors_: DynArray[address, MAX_ATTESTORS] = []
    threshold_: uint256 = 0
    start: uint256 = 0
    attestors_, threshold_, start = self._latest()
    self._schedule(from_epoch, attestors_, new_threshold)
