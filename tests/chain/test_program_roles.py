"""Program roles: the operator, the attestors with their threshold, the beacon members."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from milestone.chain.anchor import Anchor

from .support import DEV_ACCOUNTS, events, minimal_parameters, reverts, transact

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
    with reverts("beacon: already a member"):
        deploy(beacon_members=[ALICE.address, ALICE.address])


def test_operator_transfers_the_role(program: Anchor) -> None:
    receipt = transact(program, OPERATOR, "transfer_operator", ALICE.address)
    assert program.program.roles().operator == ALICE.address
    [event] = events(program, receipt, "OperatorTransferred")
    assert (event.args.previous_operator, event.args.new_operator) == (
        OPERATOR.address,
        ALICE.address,
    )
    with reverts("operable: caller is not the operator"):
        transact(program, OPERATOR, "transfer_operator", OPERATOR.address)


def test_only_the_operator_changes_roles(program: Anchor) -> None:
    for function, args in [
        ("transfer_operator", [ALICE.address]),
        ("add_attestor", [ALICE.address]),
        ("remove_attestor", [OPERATOR.address]),
        ("set_threshold", [1]),
        ("add_beacon_member", [ALICE.address]),
        ("remove_beacon_member", [OPERATOR.address]),
    ]:
        with reverts("operable: caller is not the operator"):
            transact(program, ALICE, function, *args)
    with reverts("operable: new operator is the zero address"):
        transact(program, OPERATOR, "transfer_operator", "0x" + "00" * 20)


def test_attestors_are_added_and_removed_and_logged(program: Anchor) -> None:
    receipt = transact(program, OPERATOR, "add_attestor", ALICE.address)
    assert [e.args.attestor for e in events(program, receipt, "AttestorAdded")] == [ALICE.address]
    transact(program, OPERATOR, "add_attestor", BOB.address)
    transact(program, OPERATOR, "set_threshold", 3)
    assert program.program.roles().threshold == 3
    with reverts("attestations: removal would break the threshold"):
        transact(program, OPERATOR, "remove_attestor", ALICE.address)
    receipt = transact(program, OPERATOR, "set_threshold", 2)
    [event] = events(program, receipt, "ThresholdChanged")
    assert (event.args.previous_threshold, event.args.new_threshold) == (3, 2)
    receipt = transact(program, OPERATOR, "remove_attestor", ALICE.address)
    assert [e.args.attestor for e in events(program, receipt, "AttestorRemoved")] == [ALICE.address]
    roles = program.program.roles()
    assert roles.attestors == (OPERATOR.address, BOB.address)
    assert not program.program.contract.functions.is_attestor(ALICE.address).call()


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


def test_beacon_members_stay_sorted_by_address(program: Anchor) -> None:
    for member in (CAROL, ALICE, BOB):
        receipt = transact(program, OPERATOR, "add_beacon_member", member.address)
        [event] = events(program, receipt, "BeaconMemberAdded")
        assert event.args.member == member.address
    members = program.program.roles().beacon_members
    assert list(members) == sorted(
        [OPERATOR.address, ALICE.address, BOB.address, CAROL.address], key=lambda a: int(a, 16)
    )
    receipt = transact(program, OPERATOR, "remove_beacon_member", BOB.address)
    assert [e.args.member for e in events(program, receipt, "BeaconMemberRemoved")] == [BOB.address]
    assert BOB.address not in program.program.roles().beacon_members
    assert len(program.program.roles().beacon_members) == 3


def test_beacon_member_changes_refuse_nonsense(program: Anchor) -> None:
    with reverts("beacon: already a member"):
        transact(program, OPERATOR, "add_beacon_member", OPERATOR.address)
    with reverts("beacon: member is the zero address"):
        transact(program, OPERATOR, "add_beacon_member", "0x" + "00" * 20)
    with reverts("beacon: not a member"):
        transact(program, OPERATOR, "remove_beacon_member", ALICE.address)
    with reverts("beacon: cannot remove the last member"):
        transact(program, OPERATOR, "remove_beacon_member", OPERATOR.address)


def test_beacon_members_are_frozen_while_commitments_are_outstanding(program: Anchor) -> None:
    program.commit_beacon(0, b"\x01" * 32)
    with reverts("beacon: commitments outstanding"):
        transact(program, OPERATOR, "add_beacon_member", ALICE.address)
    with reverts("beacon: commitments outstanding"):
        transact(program, OPERATOR, "remove_beacon_member", OPERATOR.address)
