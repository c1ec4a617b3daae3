"""Program roles: the operator, the attestors with their threshold, the beacon members."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.chain.anchor import Anchor
from milestone.chain.attestation import DOMAIN_NAME, DOMAIN_VERSION, domain_separator
from milestone.rules.beacon import commit_of

from .support import (
    DEV_ACCOUNTS,
    epoch_result,
    events,
    finalize_epoch,
    minimal_parameters,
    open_epoch,
    reveal_for,
    reverts,
    transact,
)

OPERATOR, ALICE, BOB, CAROL = DEV_ACCOUNTS[:4]


def test_deploy_records_parameters_and_default_roles(program: Anchor) -> None:
    assert program.program.parameters() == minimal_parameters()
    roles = program.program.roles()
    assert roles.operator == OPERATOR.address
    assert roles.attestors == (OPERATOR.address,)
    assert roles.threshold == 1
    assert roles.beacon_members == (OPERATOR.address,)
    assert program.program.next_epoch() == 0


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"mining_era_epochs": 0}, "program: mining era is zero epochs"),
        ({"activity_era_epochs": 0}, "program: activity era is zero epochs"),
        ({"mining_initial": 200 * 10**8}, "program: mining schedule exceeds its pool"),
        ({"activity_initial": 100 * 10**8}, "program: activity schedule exceeds its pool"),
        ({"cap": 1_500 * 10**8 + 1}, "program: cap exceeds the reserves"),
        ({"epoch_seconds": 0}, "program: epoch is zero seconds"),
    ],
)
def test_deploy_refuses_inconsistent_parameters(
    deploy: Callable[..., Anchor], changes: dict[str, int], reason: str
) -> None:
    with reverts(reason):
        deploy(minimal_parameters(**changes))


def test_deploy_refuses_bad_roles(deploy: Callable[..., Anchor]) -> None:
    with reverts("beacon: no members"):
        deploy(beacon_members=[])
    with reverts("attestations: threshold above the attestor count"):
        deploy(attestors=[ALICE.address], threshold=2)
    with reverts("attestations: threshold is zero"):
        deploy(threshold=0)
    with reverts("attestations: already an attestor"):
        deploy(attestors=[ALICE.address, ALICE.address])
    with reverts("beacon: members not distinct and ascending"):
        deploy(beacon_members=[ALICE.address, ALICE.address])


def by_address(*accounts: object) -> list[str]:
    addresses = [account.address for account in accounts]  # type: ignore[attr-defined]
    return sorted(addresses, key=lambda address: int(address, 16))


def test_the_operator_role_moves_in_two_steps(program: Anchor) -> None:
    receipt = transact(program, OPERATOR, "transfer_operator", ALICE.address)
    [started] = events(program, receipt, "OperatorTransferStarted")
    assert (started.args.operator, started.args.pending_operator) == (
        OPERATOR.address,
        ALICE.address,
    )
    roles = program.program.roles()
    assert (roles.operator, roles.pending_operator) == (OPERATOR.address, ALICE.address)
    program.fund(ALICE.address, 10**18)
    program.fund(BOB.address, 10**18)
    with reverts("operable: caller is not the pending operator"):
        transact(program, BOB, "accept_operator")
    receipt = transact(program, ALICE, "accept_operator")
    [event] = events(program, receipt, "OperatorTransferred")
    assert (event.args.previous_operator, event.args.new_operator) == (
        OPERATOR.address,
        ALICE.address,
    )
    roles = program.program.roles()
    assert (roles.operator, roles.pending_operator) == (ALICE.address, None)
    with reverts("operable: caller is not the operator"):
        transact(program, OPERATOR, "transfer_operator", OPERATOR.address)
    with reverts("operable: no transfer pending"):
        transact(program, ALICE, "accept_operator")


def test_an_offer_of_the_operator_role_can_be_withdrawn(program: Anchor) -> None:
    transact(program, OPERATOR, "transfer_operator", ALICE.address)
    transact(program, OPERATOR, "transfer_operator", "0x" + "00" * 20)
    program.fund(ALICE.address, 10**18)
    with reverts("operable: no transfer pending"):
        transact(program, ALICE, "accept_operator")
    assert program.program.roles().operator == OPERATOR.address


def test_eip712_domain_is_readable_as_eip5267_describes(program: Anchor) -> None:
    fields, name, version, chain_id, contract, salt, extensions = (
        program.program.contract.functions.eip712Domain().call()
    )
    assert fields == b"\x0f"  # name, version, chainId, verifyingContract
    assert (name, version, chain_id, contract) == (
        DOMAIN_NAME,
        DOMAIN_VERSION,
        program.connection.chain_id,
        program.address,
    )
    assert (salt, extensions) == (bytes(32), [])
    assert domain_separator(chain_id, contract) == program.program.domain_separator()


def test_only_the_operator_changes_roles(program: Anchor) -> None:
    for function, args in [
        ("transfer_operator", [ALICE.address]),
        ("add_attestor", [ALICE.address]),
        ("remove_attestor", [OPERATOR.address]),
        ("set_threshold", [1]),
        ("schedule_attestors", [0, [ALICE.address], 1]),
        ("add_beacon_member", [ALICE.address]),
        ("remove_beacon_member", [OPERATOR.address]),
        ("schedule_beacon_members", [0, [ALICE.address]]),
    ]:
        with reverts("operable: caller is not the operator"):
            transact(program, ALICE, function, *args)


def test_attestors_are_added_and_removed_and_logged(program: Anchor) -> None:
    receipt = transact(program, OPERATOR, "add_attestor", ALICE.address)
    [event] = events(program, receipt, "AttestorsScheduled")
    assert (event.args.from_epoch, event.args.attestors, event.args.threshold) == (
        0,
        [OPERATOR.address, ALICE.address],
        1,
    )
    transact(program, OPERATOR, "add_attestor", BOB.address)
    transact(program, OPERATOR, "set_threshold", 3)
    assert program.program.roles().threshold == 3
    with reverts("attestations: removal would break the threshold"):
        transact(program, OPERATOR, "remove_attestor", ALICE.address)
    transact(program, OPERATOR, "set_threshold", 2)
    transact(program, OPERATOR, "remove_attestor", ALICE.address)
    roles = program.program.roles()
    assert (roles.attestors, roles.threshold) == ((OPERATOR.address, BOB.address), 2)
    assert not program.program.contract.functions.is_attestor(ALICE.address).call()
    # Nothing was finalized yet: every change amended the one set, from epoch 0.
    assert program.program.contract.functions.attestor_set_count().call() == 1


def test_attestor_changes_refuse_nonsense(program: Anchor) -> None:
    with reverts("attestations: already an attestor"):
        transact(program, OPERATOR, "add_attestor", OPERATOR.address)
    with reverts("attestations: attestor is the zero address"):
        transact(program, OPERATOR, "add_attestor", "0x" + "00" * 20)
    with reverts("attestations: not an attestor"):
        transact(program, OPERATOR, "remove_attestor", ALICE.address)
    with reverts("attestations: removal would break the threshold"):
        transact(program, OPERATOR, "remove_attestor", OPERATOR.address)
    with reverts("attestations: threshold above the attestor count"):
        transact(program, OPERATOR, "set_threshold", 2)
    with reverts("attestations: threshold is zero"):
        transact(program, OPERATOR, "set_threshold", 0)


def test_an_attestor_set_applies_from_its_epoch(program: Anchor) -> None:
    finalize_epoch(program, 0)
    transact(program, OPERATOR, "add_attestor", ALICE.address)
    transact(program, OPERATOR, "set_threshold", 2)
    functions = program.program.contract.functions
    assert functions.attestors_at(0).call() == [OPERATOR.address]
    assert functions.attestors_at(1).call() == [OPERATOR.address, ALICE.address]
    assert (functions.threshold_at(0).call(), functions.threshold_at(1).call()) == (1, 2)
    with reverts("program: epoch already finalized"):
        transact(program, OPERATOR, "schedule_attestors", 0, [BOB.address], 1)
    open_epoch(program, 1)
    result = epoch_result(1)
    with reverts("attestations: fewer signatures than the threshold"):
        program.finalize(result, [program.attest(result, OPERATOR)])
    both = [program.attest(result, OPERATOR), program.attest(result, ALICE)]
    assert program.finalize(result, both).sent
    # A consortium can hand over to a new set from a later epoch; sets start in order.
    transact(program, OPERATOR, "schedule_attestors", 5, [BOB.address, CAROL.address], 2)
    assert functions.attestors_at(4).call() == [OPERATOR.address, ALICE.address]
    assert functions.attestors_at(5).call() == [BOB.address, CAROL.address]
    with reverts("attestations: attestor sets must start in order"):
        transact(program, OPERATOR, "schedule_attestors", 3, [BOB.address], 1)
    schedule = program.program.role_schedule()
    assert [start for start, _, _ in schedule.attestors] == [0, 1, 5]


def test_beacon_members_stay_sorted_by_address(program: Anchor) -> None:
    for member in (CAROL, ALICE, BOB):
        receipt = transact(program, OPERATOR, "add_beacon_member", member.address)
        [event] = events(program, receipt, "BeaconMembersScheduled")
        assert member.address in event.args.members
    members = program.program.roles().beacon_members
    assert list(members) == by_address(OPERATOR, ALICE, BOB, CAROL)
    transact(program, OPERATOR, "remove_beacon_member", BOB.address)
    assert list(program.program.roles().beacon_members) == by_address(OPERATOR, ALICE, CAROL)


def test_beacon_member_changes_refuse_nonsense(program: Anchor) -> None:
    with reverts("beacon: already a member"):
        transact(program, OPERATOR, "add_beacon_member", OPERATOR.address)
    with reverts("beacon: member is the zero address"):
        transact(program, OPERATOR, "add_beacon_member", "0x" + "00" * 20)
    with reverts("beacon: not a member"):
        transact(program, OPERATOR, "remove_beacon_member", ALICE.address)
    with reverts("beacon: cannot remove the last member"):
        transact(program, OPERATOR, "remove_beacon_member", OPERATOR.address)
    with reverts("beacon: members not distinct and ascending"):
        transact(program, OPERATOR, "schedule_beacon_members", 0, by_address(ALICE, BOB)[::-1])
    with reverts("beacon: no members"):
        transact(program, OPERATOR, "schedule_beacon_members", 0, [])


def test_the_beacon_grows_after_settlement_has_started(program: Anchor) -> None:
    finalize_epoch(program, 0)
    program.commit_beacon(1, commit_of(reveal_for(1, OPERATOR.address)))
    # Epoch 1 has a commitment: the new member joins from epoch 2.
    receipt = transact(program, OPERATOR, "add_beacon_member", ALICE.address)
    [event] = events(program, receipt, "BeaconMembersScheduled")
    assert event.args.from_epoch == 2
    functions = program.program.contract.functions
    assert functions.beacon_members_at(1).call() == [OPERATOR.address]
    assert functions.beacon_members_at(2).call() == by_address(OPERATOR, ALICE)
    with reverts("beacon: members already committed from that epoch"):
        transact(program, OPERATOR, "schedule_beacon_members", 1, by_address(OPERATOR, ALICE))
    program.fund(ALICE.address, 10**18)
    with reverts("beacon: caller is not a member"):
        transact(program, ALICE, "commit_beacon", 1, commit_of(reveal_for(1, ALICE.address)))
    finalize_epoch(program, 1)  # the operator alone, as the set of epoch 1 says
    program.commit_beacon(2, commit_of(reveal_for(2, OPERATOR.address)))
    with reverts("program: beacon commitments missing"):
        program.post_weights(2, b"\x02" * 32, 1)
    open_epoch(program, 2, [OPERATOR, ALICE])
    assert program.program.seed(2) is not None
