# pragma version ~=0.4.3
"""
@title beacon
@notice The randomness of each epoch's drops: every member commits to a
        secret before the epoch's weights are posted and reveals it after; the
        seed is `keccak256(weights_root ‖ reveal_1 ‖ … ‖ reveal_m)` with the
        reveals in ascending order of member address, as
        `milestone.rules.beacon.derive_seed` computes it. Nobody can steer the
        seed unless every member colludes.
@dev The members are a sequence of sets, each applying from a first epoch on
     (set 0 from epoch 0), so a consortium can grow while settlement runs. A
     set may only start after the last epoch anyone has committed to (see
     `commit_frontier`): the members who committed to an epoch are then
     exactly the members who must reveal for it. Each set is kept sorted by
     address, so the seed is one pass over it.
"""


MAX_MEMBERS: constant(uint256) = 32
# Bounds the search for an epoch's set; a consortium changes its members
# rarely, and the search runs from the newest set backwards.
MAX_MEMBER_SETS: constant(uint256) = 4096


event BeaconMembersScheduled:
    set_index: indexed(uint256)
    from_epoch: indexed(uint256)
    members: DynArray[address, MAX_MEMBERS]


event BeaconCommitted:
    epoch: indexed(uint256)
    member: indexed(address)
    commitment: bytes32


event BeaconRevealed:
    epoch: indexed(uint256)
    member: indexed(address)
    reveal: bytes32


event SeedDerived:
    epoch: indexed(uint256)
    seed: bytes32


member_set_count: public(uint256)
member_set_from: public(HashMap[uint256, uint256])
member_sets: HashMap[uint256, DynArray[address, MAX_MEMBERS]]
in_member_set: HashMap[uint256, HashMap[address, bool]]
commits: public(HashMap[uint256, HashMap[address, bytes32]])
reveals: public(HashMap[uint256, HashMap[address, bytes32]])
has_revealed: public(HashMap[uint256, HashMap[address, bool]])
commit_count: public(HashMap[uint256, uint256])
reveal_count: public(HashMap[uint256, uint256])
seeds: public(HashMap[uint256, bytes32])
# One past the highest epoch any member has committed to: a new member set
# may start there at the earliest.
commit_frontier: public(uint256)


@deploy
def __init__(members_: DynArray[address, MAX_MEMBERS]):
    self._schedule(0, members_)


@external
@view
def beacon_members_at(epoch: uint256) -> DynArray[address, MAX_MEMBERS]:
    """@notice The members of `epoch`, in ascending address order (the order of the seed)."""
    return self.member_sets[self._set_of(epoch)]


@external
@view
def is_member_at(epoch: uint256, member: address) -> bool:
    """@notice True when `member` commits and reveals for `epoch`."""
    return self.in_member_set[self._set_of(epoch)][member]


@internal
@view
def _set_of(epoch: uint256) -> uint256:
    """The index of the member set that applies to `epoch`."""
    count: uint256 = self.member_set_count
    for step: uint256 in range(count, bound=MAX_MEMBER_SETS):
        # count - 1 - step >= 0: step < count.
        index: uint256 = unsafe_sub(unsafe_sub(count, 1), step)
        if self.member_set_from[index] <= epoch:
            return index
    raise "beacon: no member set"


@internal
@view
def _members(epoch: uint256) -> DynArray[address, MAX_MEMBERS]:
    return self.member_sets[self._set_of(epoch)]


@internal
@view
def _latest_members() -> DynArray[address, MAX_MEMBERS]:
    return self.member_sets[self.member_set_count - 1]


@internal
@view
def _latest_from() -> uint256:
    return self.member_set_from[self.member_set_count - 1]


@internal
def _schedule(from_epoch: uint256, members_: DynArray[address, MAX_MEMBERS]):
    """Make `members_` (ascending, distinct) the set from `from_epoch` on."""
    assert len(members_) > 0, "beacon: no members"
    assert from_epoch >= self.commit_frontier, "beacon: members already committed from that epoch"
    previous: uint256 = 0
    for member: address in members_:
        assert member != empty(address), "beacon: member is the zero address"
        assert convert(member, uint256) > previous, "beacon: members not distinct and ascending"
        previous = convert(member, uint256)
    index: uint256 = self.member_set_count
    if index > 0:
        latest_from: uint256 = self.member_set_from[index - 1]
        assert from_epoch >= latest_from, "beacon: member sets must start in order"
        if from_epoch == latest_from:
            # Nobody has committed under the latest set yet: replace it.
            index -= 1
            for old: address in self.member_sets[index]:
                self.in_member_set[index][old] = False
    assert index < MAX_MEMBER_SETS, "beacon: too many member sets"
    self.member_sets[index] = members_
    self.member_set_from[index] = from_epoch
    for member: address in members_:
        self.in_member_set[index][member] = True
    self.member_set_count = index + 1
    log BeaconMembersScheduled(set_index=index, from_epoch=from_epoch, members=members_)


@internal
def _commit(epoch: uint256, member: address, commitment: bytes32):
    assert self.in_member_set[self._set_of(epoch)][member], "beacon: caller is not a member"
    assert commitment != empty(bytes32), "beacon: commitment is zero"
    assert self.commits[epoch][member] == empty(bytes32), "beacon: already committed"
    self.commits[epoch][member] = commitment
    self.commit_count[epoch] += 1
    if epoch >= self.commit_frontier:
        self.commit_frontier = epoch + 1
    log BeaconCommitted(epoch=epoch, member=member, commitment=commitment)


@internal
@view
def _is_committed(epoch: uint256) -> bool:
    return self.commit_count[epoch] == len(self._members(epoch))


@internal
def _reveal(epoch: uint256, member: address, reveal: bytes32, weights_root: bytes32):
    members: DynArray[address, MAX_MEMBERS] = self._members(epoch)
    assert member in members, "beacon: caller is not a member"
    assert not self.has_revealed[epoch][member], "beacon: already revealed"
    commitment: bytes32 = self.commits[epoch][member]
    assert commitment != empty(bytes32), "beacon: no commitment"
    assert keccak256(reveal) == commitment, "beacon: reveal does not match the commitment"
    self.reveals[epoch][member] = reveal
    self.has_revealed[epoch][member] = True
    self.reveal_count[epoch] += 1
    log BeaconRevealed(epoch=epoch, member=member, reveal=reveal)
    if self.reveal_count[epoch] == len(members):
        self._derive_seed(epoch, weights_root, members)


@internal
def _derive_seed(
    epoch: uint256, weights_root: bytes32, members: DynArray[address, MAX_MEMBERS]
):
    words: DynArray[bytes32, MAX_MEMBERS + 1] = [weights_root]
    for member: address in members:
        words.append(self.reveals[epoch][member])
    # abi_encode prefixes a dynamic array with its offset and length (two
    # words); what follows is the words packed back to back.
    encoded: Bytes[32 * (MAX_MEMBERS + 3)] = abi_encode(words)
    seed: bytes32 = keccak256(slice(encoded, 64, 32 * len(words)))
    self.seeds[epoch] = seed
    log SeedDerived(epoch=epoch, seed=seed)


@internal
@view
def _is_seeded(epoch: uint256) -> bool:
    return self.seeds[epoch] != empty(bytes32)


@internal
def _add_member(from_epoch: uint256, member: address):
    """The newest set plus `member`, from `from_epoch` on (kept in address order)."""
    latest: DynArray[address, MAX_MEMBERS] = self._latest_members()
    assert member not in latest, "beacon: already a member"
    assert len(latest) < MAX_MEMBERS, "beacon: too many members"
    members: DynArray[address, MAX_MEMBERS] = []
    inserted: bool = False
    for existing: address in latest:
        if not inserted and convert(member, uint256) < convert(existing, uint256):
            members.append(member)
            inserted = True
        members.append(existing)
    if not inserted:
        members.append(member)
    self._schedule(from_epoch, members)


@internal
def _remove_member(from_epoch: uint256, member: address):
    """The newest set without `member`, from `from_epoch` on."""
    latest: DynArray[address, MAX_MEMBERS] = self._latest_members()
    assert member in latest, "beacon: not a member"
    assert len(latest) > 1, "beacon: cannot remove the last member"
    members: DynArray[address, MAX_MEMBERS] = []
    for existing: address in latest:
        if existing != member:
            members.append(existing)
    self._schedule(from_epoch, members)
