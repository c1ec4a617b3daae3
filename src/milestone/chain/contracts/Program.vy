# pragma version ~=0.4.3
"""
@title Program
@notice The on-chain anchor of a Milestone Customer Share Option Plan. It
        holds the program's immutable parameters and roles, takes each
        epoch's beacon commitments and reveals and its weights root, and
        finalizes epochs in order, refusing any result that pays more than
        the emission schedule released, more than the cap, or that a
        threshold of the epoch's attestors did not sign. Beacon members and
        attestors are sets that apply from a given epoch on.
@dev The contract stores roots and totals only: the gas of an epoch does not
     depend on the number of owners. Balances are proven off-chain against
     the committed roots.
"""


from . import operable
from . import attestations
from . import beacon
from . import eip712
from . import schedule


initializes: operable
initializes: attestations
initializes: beacon

exports: (
    operable.operator,
    operable.pending_operator,
    operable.transfer_operator,
    operable.accept_operator,
    attestations.attestors_at,
    attestations.threshold_at,
    attestations.is_attestor_at,
    attestations.attestor_set_count,
    attestations.attestor_set_from,
    beacon.beacon_members_at,
    beacon.is_member_at,
    beacon.member_set_count,
    beacon.member_set_from,
    beacon.commit_frontier,
    beacon.commits,
    beacon.reveals,
    beacon.has_revealed,
    beacon.commit_count,
    beacon.reveal_count,
    beacon.seeds,
    eip712.eip712Domain,
)


struct Commitment:
    state_root: bytes32
    rewards_root: bytes32
    journal_head: bytes32
    epoch_file_hash: bytes32
    dividends_root: bytes32
    dividend_record_epoch: uint256
    cum_mined: uint256
    cum_activity: uint256
    cum_burned: uint256
    cum_dividends_fen: uint256


event WeightsPosted:
    epoch: indexed(uint256)
    weights_root: bytes32
    total_weight: uint256


event EpochFinalized:
    epoch: indexed(uint256)
    state_root: bytes32
    rewards_root: bytes32
    journal_head: bytes32
    epoch_file_hash: bytes32
    dividends_root: bytes32
    dividend_record_epoch: uint256
    cum_mined: uint256
    cum_activity: uint256
    cum_burned: uint256
    cum_dividends_fen: uint256


EPOCH_RESULT_TYPEHASH: constant(bytes32) = keccak256(
    "EpochResult(uint256 epoch,bytes32 weightsRoot,bytes32 seed,bytes32 stateRoot,"
    "bytes32 rewardsRoot,bytes32 journalHead,bytes32 epochFileHash,bytes32 dividendsRoot,"
    "uint256 dividendRecordEpoch,uint256 cumMined,uint256 cumActivity,uint256 cumBurned,uint256 cumDividendsFen)"
)


MINING_POOL: public(immutable(uint256))
MINING_INITIAL: public(immutable(uint256))
MINING_ERA_EPOCHS: public(immutable(uint256))
ACTIVITY_POOL: public(immutable(uint256))
ACTIVITY_INITIAL: public(immutable(uint256))
ACTIVITY_ERA_EPOCHS: public(immutable(uint256))
CAP: public(immutable(uint256))
GENESIS_TIME: public(immutable(uint256))
EPOCH_SECONDS: public(immutable(uint256))
ENFORCE_EPOCH_END: public(immutable(bool))
# When the Program was deployed: epochs that began before it could not have
# been committed to in time, and are exempt from the commit-timing rule.
DEPLOYED_AT: public(immutable(uint256))
# How many epochs past the current one a member may commit to, when epoch
# ends are enforced: enough for settlement to run a day late.
COMMIT_AHEAD_EPOCHS: constant(uint256) = 2


next_epoch: public(uint256)
weights_posted: public(HashMap[uint256, bool])
weights_roots: public(HashMap[uint256, bytes32])
total_weights: public(HashMap[uint256, uint256])
commitments_by_epoch: HashMap[uint256, Commitment]


@deploy
def __init__(
    operator_: address,
    mining_pool: uint256,
    mining_initial: uint256,
    mining_era_epochs: uint256,
    activity_pool: uint256,
    activity_initial: uint256,
    activity_era_epochs: uint256,
    cap: uint256,
    genesis_time: uint256,
    epoch_seconds: uint256,
    enforce_epoch_end: bool,
    beacon_members: DynArray[address, beacon.MAX_MEMBERS],
    attestors_: DynArray[address, attestations.MAX_ATTESTORS],
    threshold_: uint256,
):
    assert mining_era_epochs > 0, "program: mining era is zero epochs"
    assert activity_era_epochs > 0, "program: activity era is zero epochs"
    # Halving releases at most twice the first era: that must fit the pool.
    assert 2 * mining_initial * mining_era_epochs <= mining_pool, (
        "program: mining schedule exceeds its pool"
    )
    assert 2 * activity_initial * activity_era_epochs <= activity_pool, (
        "program: activity schedule exceeds its pool"
    )
    assert cap <= mining_pool + activity_pool, "program: cap exceeds the reserves"
    assert epoch_seconds > 0, "program: epoch is zero seconds"
    MINING_POOL = mining_pool
    MINING_INITIAL = mining_initial
    MINING_ERA_EPOCHS = mining_era_epochs
    ACTIVITY_POOL = activity_pool
    ACTIVITY_INITIAL = activity_initial
    ACTIVITY_ERA_EPOCHS = activity_era_epochs
    CAP = cap
    GENESIS_TIME = genesis_time
    EPOCH_SECONDS = epoch_seconds
    ENFORCE_EPOCH_END = enforce_epoch_end
    DEPLOYED_AT = block.timestamp
    operable.__init__(operator_)
    attestations.__init__(attestors_, threshold_)
    beacon.__init__(self._sorted(beacon_members))


@external
def schedule_beacon_members(from_epoch: uint256, members: DynArray[address, beacon.MAX_MEMBERS]):
    """
    @notice Make `members` (ascending addresses) the beacon from `from_epoch`
            on; no earlier than the next epoch nor than any epoch a member
            has committed to already.
    """
    operable._check_operator()
    assert from_epoch >= self.next_epoch, "program: epoch already finalized"
    beacon._schedule(from_epoch, members)


@external
def add_beacon_member(member: address):
    """@notice Admit `member` to the beacon from the earliest epoch allowed."""
    operable._check_operator()
    beacon._add_member(self._earliest_member_change(), member)


@external
def remove_beacon_member(member: address):
    """@notice Remove `member` from the beacon from the earliest epoch allowed."""
    operable._check_operator()
    beacon._remove_member(self._earliest_member_change(), member)


@external
def schedule_attestors(
    from_epoch: uint256,
    attestors_: DynArray[address, attestations.MAX_ATTESTORS],
    threshold_: uint256,
):
    """@notice Make `attestors_` with `threshold_` the attestors from `from_epoch` on."""
    operable._check_operator()
    assert from_epoch >= self.next_epoch, "program: epoch already finalized"
    attestations._schedule(from_epoch, attestors_, threshold_)


@external
def add_attestor(attestor: address):
    """@notice Admit `attestor` from the next epoch to finalize on."""
    operable._check_operator()
    attestations._add(self._earliest_attestor_change(), attestor)


@external
def remove_attestor(attestor: address):
    """@notice Remove `attestor` from the next epoch to finalize on."""
    operable._check_operator()
    attestations._remove(self._earliest_attestor_change(), attestor)


@external
def set_threshold(new_threshold: uint256):
    """@notice Require `new_threshold` signatures from the next epoch to finalize on."""
    operable._check_operator()
    attestations._change_threshold(self._earliest_attestor_change(), new_threshold)


@external
def commit_beacon(epoch: uint256, commitment: bytes32):
    """@notice Commit to `keccak256(reveal)` for `epoch`, before it starts and before its
    weights are posted."""
    assert epoch >= self.next_epoch, "program: epoch already finalized"
    assert not self.weights_posted[epoch], "program: weights already posted"
    if ENFORCE_EPOCH_END:
        start: uint256 = GENESIS_TIME + epoch * EPOCH_SECONDS
        # Before the epoch starts nobody knows its driving, so no member can
        # pick its secret to suit the weights.
        assert block.timestamp < start or start < DEPLOYED_AT, "program: epoch has started"
        assert epoch <= self._current_epoch() + COMMIT_AHEAD_EPOCHS, (
            "program: epoch too far ahead"
        )
    else:
        # Without a clock to go by, the next epoch or the one after.
        assert epoch <= self.next_epoch + 1, "program: epoch too far ahead"
    beacon._commit(epoch, msg.sender, commitment)


@external
def post_weights(epoch: uint256, weights_root: bytes32, total_weight: uint256):
    """@notice Post the root of the epoch's weights tree, once every member committed."""
    operable._check_operator()
    assert epoch == self.next_epoch, "program: epoch is not the next one"
    assert not self.weights_posted[epoch], "program: weights already posted"
    assert beacon._is_committed(epoch), "program: beacon commitments missing"
    self.weights_posted[epoch] = True
    self.weights_roots[epoch] = weights_root
    self.total_weights[epoch] = total_weight
    log WeightsPosted(epoch=epoch, weights_root=weights_root, total_weight=total_weight)


@external
def reveal_beacon(epoch: uint256, reveal: bytes32):
    """@notice Reveal the secret committed for `epoch`; the last reveal derives the seed."""
    assert self.weights_posted[epoch], "program: weights not posted"
    beacon._reveal(epoch, msg.sender, reveal, self.weights_roots[epoch])


@external
def finalize(
    epoch: uint256,
    state_root: bytes32,
    rewards_root: bytes32,
    journal_head: bytes32,
    epoch_file_hash: bytes32,
    dividends_root: bytes32,
    dividend_record_epoch: uint256,
    cum_mined: uint256,
    cum_activity: uint256,
    cum_burned: uint256,
    cum_dividends_fen: uint256,
    signatures: DynArray[Bytes[65], attestations.MAX_ATTESTORS],
):
    """
    @notice Commit the result of `epoch`: its roots and the cumulative totals
            after it, as signed by at least the threshold of the epoch's
            attestors. `cum_activity` is the activity stones *paid* to
            owners through the epoch, never more than the activity reserve
            released by then; `dividends_root` roots the entitlements of the
            dividend committed with the epoch, declared on the balances of
            `dividend_record_epoch` (both zero when there is none).
    @dev Cumulative totals, not per-epoch amounts: an epoch with no driving
         leaves its budget for later epochs, and the bound stays one
         comparison whatever happened before.
    """
    operable._check_operator()
    assert epoch == self.next_epoch, "program: epoch is not the next one"
    assert self.weights_posted[epoch], "program: weights not posted"
    assert beacon._is_seeded(epoch), "program: beacon reveals missing"
    if ENFORCE_EPOCH_END:
        assert block.timestamp >= GENESIS_TIME + (epoch + 1) * EPOCH_SECONDS, (
            "program: epoch has not ended"
        )

    previous: Commitment = empty(Commitment)
    if epoch > 0:
        previous = self.commitments_by_epoch[epoch - 1]
    assert cum_mined >= previous.cum_mined, "program: cumulative mined decreased"
    assert cum_activity >= previous.cum_activity, "program: cumulative activity decreased"
    assert cum_burned >= previous.cum_burned, "program: cumulative burned decreased"
    assert cum_dividends_fen >= previous.cum_dividends_fen, (
        "program: cumulative dividends decreased"
    )
    assert cum_mined <= self._mining_release(epoch), "program: mined above the mining schedule"
    assert cum_activity <= self._activity_release(epoch), (
        "program: activity paid above the activity release"
    )
    assert cum_mined + cum_activity <= CAP, "program: issuance above the cap"
    assert cum_burned <= cum_mined + cum_activity, "program: burned more than issued"
    if dividends_root == empty(bytes32):
        assert dividend_record_epoch == 0, "program: record epoch without a dividend"
    else:
        # Entitlements follow a finalized state: the record epoch's.
        assert dividend_record_epoch < epoch, "program: dividend record epoch not finalized"

    struct_hash: bytes32 = keccak256(
        abi_encode(
            EPOCH_RESULT_TYPEHASH,
            epoch,
            self.weights_roots[epoch],
            beacon.seeds[epoch],
            state_root,
            rewards_root,
            journal_head,
            epoch_file_hash,
            dividends_root,
            dividend_record_epoch,
            cum_mined,
            cum_activity,
            cum_burned,
            cum_dividends_fen,
        )
    )
    attestations._verify(epoch, eip712._hash_typed_data(struct_hash), signatures)

    self.commitments_by_epoch[epoch] = Commitment(
        state_root=state_root,
        rewards_root=rewards_root,
        journal_head=journal_head,
        epoch_file_hash=epoch_file_hash,
        dividends_root=dividends_root,
        dividend_record_epoch=dividend_record_epoch,
        cum_mined=cum_mined,
        cum_activity=cum_activity,
        cum_burned=cum_burned,
        cum_dividends_fen=cum_dividends_fen,
    )
    self.next_epoch = epoch + 1
    log EpochFinalized(
        epoch=epoch,
        state_root=state_root,
        rewards_root=rewards_root,
        journal_head=journal_head,
        epoch_file_hash=epoch_file_hash,
        dividends_root=dividends_root,
        dividend_record_epoch=dividend_record_epoch,
        cum_mined=cum_mined,
        cum_activity=cum_activity,
        cum_burned=cum_burned,
        cum_dividends_fen=cum_dividends_fen,
    )


@external
@view
def commitment(epoch: uint256) -> Commitment:
    """@notice The committed result of a finalized `epoch`."""
    assert epoch < self.next_epoch, "program: epoch not finalized"
    return self.commitments_by_epoch[epoch]


@external
@view
def beacon_members() -> DynArray[address, beacon.MAX_MEMBERS]:
    """@notice The beacon members of the next epoch, in ascending address order."""
    return beacon._members(self.next_epoch)


@external
@view
def is_member(member: address) -> bool:
    """@notice True when `member` is a beacon member of the next epoch."""
    return member in beacon._members(self.next_epoch)


@external
@view
def attestors() -> DynArray[address, attestations.MAX_ATTESTORS]:
    """@notice The attestors who sign the next epoch's result."""
    return attestations._attestors(self.next_epoch)


@external
@view
def threshold() -> uint256:
    """@notice The signatures the next epoch's result needs."""
    return attestations._threshold(self.next_epoch)


@external
@view
def is_attestor(attestor: address) -> bool:
    """@notice True when `attestor` signs for the next epoch."""
    return attestor in attestations._attestors(self.next_epoch)


@external
@view
def earliest_member_change() -> uint256:
    """@notice The first epoch a change of beacon members can apply to."""
    return self._earliest_member_change()


@external
@view
def earliest_attestor_change() -> uint256:
    """@notice The first epoch a change of attestors can apply to."""
    return self._earliest_attestor_change()


@external
@view
def mining_budget(epoch: uint256) -> uint256:
    """@notice The mining budget of `epoch`, in pebbles."""
    return schedule._epoch_budget(MINING_INITIAL, MINING_ERA_EPOCHS, epoch)


@external
@view
def mining_release(epoch: uint256) -> uint256:
    """@notice Pebbles the mining reserve may have released by the end of `epoch`."""
    return self._mining_release(epoch)


@external
@view
def activity_budget(epoch: uint256) -> uint256:
    """@notice The activity release of `epoch`, in pebbles."""
    return schedule._epoch_budget(ACTIVITY_INITIAL, ACTIVITY_ERA_EPOCHS, epoch)


@external
@view
def activity_release(epoch: uint256) -> uint256:
    """@notice Pebbles the activity reserve may have released by the end of `epoch`."""
    return self._activity_release(epoch)


@external
@view
def domain_separator() -> bytes32:
    """@notice The EIP-712 domain separator attestors sign under."""
    return eip712._domain_separator()


@internal
@view
def _mining_release(epoch: uint256) -> uint256:
    return schedule._cumulative_release(MINING_INITIAL, MINING_ERA_EPOCHS, epoch)


@internal
@view
def _activity_release(epoch: uint256) -> uint256:
    return schedule._cumulative_release(ACTIVITY_INITIAL, ACTIVITY_ERA_EPOCHS, epoch)


@internal
@view
def _current_epoch() -> uint256:
    if block.timestamp < GENESIS_TIME:
        return 0
    return (block.timestamp - GENESIS_TIME) // EPOCH_SECONDS


@internal
@view
def _earliest_member_change() -> uint256:
    # Not before the next epoch, nor under commitments already made, nor
    # before a change already scheduled (which it then amends).
    return max(max(self.next_epoch, beacon.commit_frontier), beacon._latest_from())


@internal
@view
def _earliest_attestor_change() -> uint256:
    start: uint256 = attestations.attestor_set_from[attestations.attestor_set_count - 1]
    return max(self.next_epoch, start)


@internal
@pure
def _sorted(
    members: DynArray[address, beacon.MAX_MEMBERS]
) -> DynArray[address, beacon.MAX_MEMBERS]:
    """`members` in ascending address order (insertion sort: at most 32)."""
    ordered: DynArray[address, beacon.MAX_MEMBERS] = []
    for member: address in members:
        placed: DynArray[address, beacon.MAX_MEMBERS] = []
        inserted: bool = False
        for existing: address in ordered:
            if not inserted and convert(member, uint256) < convert(existing, uint256):
                placed.append(member)
                inserted = True
            placed.append(existing)
        if not inserted:
            placed.append(member)
        ordered = placed
    return ordered
