"""The beacon on-chain: commit before the weights, reveal after, and the seed the rules derive."""

from __future__ import annotations

import time
from collections.abc import Callable

from milestone.chain.anchor import Anchor
from milestone.rules.beacon import commit_of, derive_seed, order_reveals

from .support import (
    DEV_ACCOUNTS,
    events,
    finalize_epoch,
    minimal_parameters,
    reveal_for,
    reverts,
    transact,
)

OPERATOR, ALICE, BOB, CAROL = DEV_ACCOUNTS[:4]
ROOT = b"\x42" * 32


def test_a_member_commits_before_the_weights_and_reveals_after(program: Anchor) -> None:
    reveal = reveal_for(0, OPERATOR.address)
    outcome = program.commit_beacon(0, commit_of(reveal))
    assert outcome.sent
    assert program.program.beacon_commit(0, OPERATOR.address) == commit_of(reveal)
    program.post_weights(0, ROOT, 7)
    assert program.program.weights(0) == (ROOT, 7)
    assert program.program.seed(0) is None
    receipt = transact(program, OPERATOR, "reveal_beacon", 0, reveal)
    [revealed] = events(program, receipt, "BeaconRevealed")
    assert (revealed.args.epoch, revealed.args.member, revealed.args.reveal) == (
        0,
        OPERATOR.address,
        reveal,
    )
    [seeded] = events(program, receipt, "SeedDerived")
    assert seeded.args.seed == program.program.seed(0) == derive_seed(ROOT, [reveal])


def test_the_seed_orders_reveals_by_member_address_as_the_rules_do(program: Anchor) -> None:
    members = [CAROL, OPERATOR, BOB, ALICE]
    for member in (CAROL, BOB, ALICE):
        transact(program, OPERATOR, "add_beacon_member", member.address)
    for member in members:
        program.fund(member.address, 10**18)
        program.commit_beacon(0, commit_of(reveal_for(0, member.address)), member)
    program.post_weights(0, ROOT, 1)
    # Reveal in an order that is not the address order: the seed must not care.
    for member in members:
        program.reveal_beacon(0, reveal_for(0, member.address), member)
    reveals = {bytes.fromhex(m.address[2:]): reveal_for(0, m.address) for m in members}
    assert program.program.seed(0) == derive_seed(ROOT, order_reveals(reveals))
    in_reveal_order = [reveal_for(0, m.address) for m in members]
    assert program.program.seed(0) != derive_seed(ROOT, in_reveal_order)


def test_commit_refusals(program: Anchor) -> None:
    with reverts("beacon: caller is not a member"):
        transact(program, ALICE, "commit_beacon", 0, b"\x01" * 32)
    with reverts("beacon: commitment is zero"):
        transact(program, OPERATOR, "commit_beacon", 0, bytes(32))
    transact(program, OPERATOR, "commit_beacon", 0, b"\x01" * 32)
    with reverts("beacon: already committed"):
        transact(program, OPERATOR, "commit_beacon", 0, b"\x02" * 32)
    program.post_weights(0, ROOT, 1)
    with reverts("program: weights already posted"):
        transact(program, OPERATOR, "commit_beacon", 0, b"\x02" * 32)


def test_a_member_may_commit_one_epoch_ahead(program: Anchor) -> None:
    transact(program, OPERATOR, "commit_beacon", 1, commit_of(reveal_for(1, OPERATOR.address)))
    finalize_epoch(program, 0)
    with reverts("program: epoch already finalized"):
        transact(program, OPERATOR, "commit_beacon", 0, b"\x01" * 32)
    # The early commitment counts for epoch 1.
    program.post_weights(1, ROOT, 1)
    program.reveal_beacon(1, reveal_for(1, OPERATOR.address))
    assert program.program.seed(1) == derive_seed(ROOT, [reveal_for(1, OPERATOR.address)])


def test_reveal_refusals(program: Anchor) -> None:
    reveal = reveal_for(0, OPERATOR.address)
    program.commit_beacon(0, commit_of(reveal))
    with reverts("program: weights not posted"):
        transact(program, OPERATOR, "reveal_beacon", 0, reveal)
    program.post_weights(0, ROOT, 1)
    with reverts("beacon: caller is not a member"):
        transact(program, ALICE, "reveal_beacon", 0, reveal)
    with reverts("beacon: reveal does not match the commitment"):
        transact(program, OPERATOR, "reveal_beacon", 0, b"\x07" * 32)
    program.reveal_beacon(0, reveal)
    with reverts("beacon: already revealed"):
        transact(program, OPERATOR, "reveal_beacon", 0, reveal)


def test_a_member_without_commitment_cannot_reveal(program: Anchor) -> None:
    transact(program, OPERATOR, "add_beacon_member", ALICE.address)
    program.fund(ALICE.address, 10**18)
    program.commit_beacon(0, commit_of(reveal_for(0, OPERATOR.address)))
    with reverts("program: beacon commitments missing"):
        program.post_weights(0, ROOT, 1)
    program.commit_beacon(0, commit_of(reveal_for(0, ALICE.address)), ALICE)
    program.post_weights(0, ROOT, 1)
    program.reveal_beacon(0, reveal_for(0, OPERATOR.address))
    assert program.program.seed(0) is None  # Alice has not revealed yet


def test_weights_refusals(program: Anchor) -> None:
    with reverts("program: beacon commitments missing"):
        program.post_weights(0, ROOT, 1)
    program.commit_beacon(0, commit_of(reveal_for(0, OPERATOR.address)))
    with reverts("operable: caller is not the operator"):
        transact(program, ALICE, "post_weights", 0, ROOT, 1)
    with reverts("program: epoch is not the next one"):
        transact(program, OPERATOR, "post_weights", 1, ROOT, 1)
    receipt = transact(program, OPERATOR, "post_weights", 0, ROOT, 1)
    [event] = events(program, receipt, "WeightsPosted")
    assert (event.args.epoch, event.args.weights_root, event.args.total_weight) == (0, ROOT, 1)
    with reverts("program: weights already posted"):
        transact(program, OPERATOR, "post_weights", 0, ROOT, 2)


def test_without_epoch_ends_a_member_commits_one_epoch_ahead_at_most(
    deploy: Callable[..., Anchor],
) -> None:
    program = deploy(minimal_parameters(enforce_epoch_end=False))
    with reverts("program: epoch too far ahead"):
        transact(program, OPERATOR, "commit_beacon", 2, b"\x01" * 32)
    assert program.program.commit_targets() == [0, 1]
    transact(program, OPERATOR, "commit_beacon", 1, b"\x01" * 32)


def test_a_commitment_for_an_epoch_that_has_started_is_refused(
    deploy: Callable[..., Anchor],
) -> None:
    w3 = deploy().connection.w3
    genesis = int(w3.eth.get_block("latest")["timestamp"]) + 2
    program = deploy(minimal_parameters(genesis_time=genesis, epoch_seconds=3_600))
    wait_for_chain_time(program, genesis + 1)
    # Epoch 0 began after the Program was deployed: its driving may be known by now.
    with reverts("program: epoch has started"):
        transact(program, OPERATOR, "commit_beacon", 0, b"\x01" * 32)
    with reverts("program: epoch too far ahead"):
        transact(program, OPERATOR, "commit_beacon", 3, b"\x01" * 32)
    assert program.program.commit_targets() == [1, 2]
    transact(program, OPERATOR, "commit_beacon", 1, b"\x01" * 32)
    transact(program, OPERATOR, "commit_beacon", 2, b"\x01" * 32)


def test_epochs_begun_before_the_deployment_take_commitments_late(program: Anchor) -> None:
    # The minimal Program's genesis is long past: nobody could have committed in time.
    deployed_at = program.program.contract.functions.DEPLOYED_AT().call()
    assert program.program.parameters().genesis_time < deployed_at
    transact(program, OPERATOR, "commit_beacon", 0, b"\x01" * 32)
    assert program.program.commit_targets()[:2] == [0, 1]


def wait_for_chain_time(program: Anchor, instant: int) -> None:
    """Send harmless transactions until the chain's clock has reached `instant`."""
    deadline = time.monotonic() + 30
    while program.connection.w3.eth.get_block("latest")["timestamp"] < instant:
        assert time.monotonic() < deadline, "the chain's clock did not move"
        time.sleep(0.5)
        program.fund(ALICE.address, 1)
