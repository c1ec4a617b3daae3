# pragma version ~=0.4.3
"""
@title beacon
@notice The randomness of each epoch's drops: every member commits to a
        secret before the epoch's weights are posted and reveals it after; the
        seed is `keccak256(weights_root ‖ reveal_1 ‖ … ‖ reveal_m)` with the
        reveals in ascending order of member address, as
        `milestone.rules.beacon.derive_seed` computes it. Nobody can steer the
        seed unless every member colludes.
@dev Members are kept sorted by address, so the seed is one pass over them.
     The set changes only while no commitment is outstanding (see
     `outstanding_commits`), so the members who committed to an epoch are
     exactly the members who must reveal.
"""


MAX_MEMBERS: constant(uint256) = 32


event BeaconMemberAdded:
    member: indexed(address)


event BeaconMemberRemoved:
    member: indexed(address)


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


members: DynArray[address, MAX_MEMBERS]
is_member: public(HashMap[address, bool])
commits: public(HashMap[uint256, HashMap[address, bytes32]])
reveals: public(HashMap[uint256, HashMap[address, bytes32]])
has_revealed: public(HashMap[uint256, HashMap[address, bool]])
commit_count: public(HashMap[uint256, uint256])
reveal_count: public(HashMap[uint256, uint256])
seeds: public(HashMap[uint256, bytes32])
# Commitments made to epochs not yet finalized.
outstanding_commits: public(uint256)


@deploy
def __init__(members_: DynArray[address, MAX_MEMBERS]):
    assert len(members_) > 0, "beacon: no members"
    for member: address in members_:
        self._add_member(member)


@internal
@view
def _members() -> DynArray[address, MAX_MEMBERS]:
    return self.members


@internal
@view
def _member_count() -> uint256:
    return len(self.members)


@internal
def _add_member(member: address):
    assert self.outstanding_commits == 0, "beacon: commitments outstanding"
    assert member != empty(address), "beacon: member is the zero address"
    assert not self.is_member[member], "beacon: already a member"
    assert len(self.members) < MAX_MEMBERS, "beacon: too many members"
    sorted_members: DynArray[address, MAX_MEMBERS] = []
    inserted: bool = False
    for existing: address in self.members:
        if not inserted and convert(member, uint256) < convert(existing, uint256):
            sorted_members.append(member)
            inserted = True
        sorted_members.append(existing)
    if not inserted:
        sorted_members.append(member)
    self.members = sorted_members
    self.is_member[member] = True
    log BeaconMemberAdded(member=member)


@internal
def _remove_member(member: address):
    assert self.outstanding_commits == 0, "beacon: commitments outstanding"
    assert self.is_member[member], "beacon: not a member"
    assert len(self.members) > 1, "beacon: cannot remove the last member"
    remaining: DynArray[address, MAX_MEMBERS] = []
    for existing: address in self.members:
        if existing != member:
            remaining.append(existing)
    self.members = remaining
    self.is_member[member] = False
    log BeaconMemberRemoved(member=member)


@internal
def _commit(epoch: uint256, member: address, commitment: bytes32):
    assert self.is_member[member], "beacon: caller is not a member"
    assert commitment != empty(bytes32), "beacon: commitment is zero"
    assert self.commits[epoch][member] == empty(bytes32), "beacon: already committed"
    self.commits[epoch][member] = commitment
    self.commit_count[epoch] += 1
    self.outstanding_commits += 1
    log BeaconCommitted(epoch=epoch, member=member, commitment=commitment)


@internal
def _reveal(epoch: uint256, member: address, reveal: bytes32, weights_root: bytes32):
    assert self.is_member[member], "beacon: caller is not a member"
    assert not self.has_revealed[epoch][member], "beacon: already revealed"
    commitment: bytes32 = self.commits[epoch][member]
    assert commitment != empty(bytes32), "beacon: no commitment"
    assert keccak256(reveal) == commitment, "beacon: reveal does not match the commitment"
    self.reveals[epoch][member] = reveal
    self.has_revealed[epoch][member] = True
    self.reveal_count[epoch] += 1
    log BeaconRevealed(epoch=epoch, member=member, reveal=reveal)
    if self.reveal_count[epoch] == len(self.members):
        self._derive_seed(epoch, weights_root)


@internal
def _derive_seed(epoch: uint256, weights_root: bytes32):
    words: DynArray[bytes32, MAX_MEMBERS + 1] = [weights_root]
    for member: address in self.members:
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
    return self.reveal_count[epoch] == len(self.members)


@internal
def _seal(epoch: uint256):
    # The epoch is finalized: its commitments no longer hold the member set.
    self.outstanding_commits -= self.commit_count[epoch]
