"""`finalize`: in order, after weights and reveals, within the schedule and the cap, attested."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from milestone.chain.anchor import Anchor
from milestone.chain.attestation import attestation_digest, recover_signer
from milestone.chain.backends import ChainConnection
from milestone.rules.params import get_preset
from milestone.rules.schedule import calculate_cumulative_release
from milestone.rules.units import stones

from .support import (
    DEV_ACCOUNTS,
    epoch_result,
    events,
    finalize_epoch,
    minimal_parameters,
    open_epoch,
    reverts,
    transact,
)

OPERATOR, ALICE, BOB, CAROL = DEV_ACCOUNTS[:4]
MINIMAL = get_preset("minimal")
SECP256K1_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def mining_release(epoch: int) -> int:
    return calculate_cumulative_release(MINIMAL.mining, epoch)


def activity_release(epoch: int) -> int:
    return calculate_cumulative_release(MINIMAL.activity, epoch)


def finalize_raw(program: Anchor, result_args: list[object], signatures: list[bytes]) -> object:
    """`finalize` exactly as given: no sorting, no idempotency check."""
    return transact(program, OPERATOR, "finalize", *result_args, signatures)


def test_finalize_commits_the_result_and_logs_it(program: Anchor) -> None:
    open_epoch(program, 0)
    result = epoch_result(
        0, cum_mined=mining_release(0), cum_activity=activity_release(0), cum_burned=5
    )
    signature = program.attest(result, OPERATOR)
    receipt = finalize_raw(program, result.finalize_args(), [signature])
    assert program.program.commitment(0) == result
    assert program.program.next_epoch() == 1
    [event] = events(program, receipt, "EpochFinalized")
    assert event.args.epoch == 0
    assert event.args.state_root == result.state_root
    assert event.args.cum_mined == result.cum_mined
    assert event.args.cum_burned == 5


def test_a_dividend_entitlement_root_is_committed_with_its_record_epoch(program: Anchor) -> None:
    finalize_epoch(program, 0)
    open_epoch(program, 1)
    result = replace(
        epoch_result(1, cum_dividends_fen=123_456),
        dividends_root=b"\xdd" * 32,
        dividend_record_epoch=0,
    )
    program.finalize(result, [program.attest(result, OPERATOR)])
    committed = program.program.commitment(1)
    assert committed == result
    assert committed.dividends_root == b"\xdd" * 32
    assert committed.dividend_record_epoch == 0
    assert committed.cum_dividends_fen == 123_456


def test_a_dividend_must_record_a_finalized_epoch(program: Anchor) -> None:
    open_epoch(program, 0)
    own = replace(epoch_result(0), dividends_root=b"\xdd" * 32, dividend_record_epoch=0)
    with reverts("program: dividend record epoch not finalized"):
        program.finalize(own, [program.attest(own, OPERATOR)])
    stray = replace(epoch_result(0), dividend_record_epoch=3)
    with reverts("program: record epoch without a dividend"):
        program.finalize(stray, [program.attest(stray, OPERATOR)])
    assert program.finalize(epoch_result(0), [program.attest(epoch_result(0), OPERATOR)]).sent


def test_a_signature_covers_the_record_epoch(program: Anchor) -> None:
    finalize_epoch(program, 0)
    finalize_epoch(program, 1)
    open_epoch(program, 2)
    signed = replace(epoch_result(2), dividends_root=b"\xdd" * 32, dividend_record_epoch=0)
    sent = replace(signed, dividend_record_epoch=1)
    with reverts("attestations: signer is not an attestor"):
        program.finalize(sent, [program.attest(signed, OPERATOR)])


def test_the_contract_schedule_matches_the_rules_across_eras(program: Anchor) -> None:
    for epoch in [0, 1, 3, 4, 5, 7, 8, 12, 40, 200, 10**6]:
        assert program.program.mining_release(epoch) == mining_release(epoch)
        assert program.program.activity_release(epoch) == activity_release(epoch)


def test_finalize_refuses_mining_above_the_schedule(program: Anchor) -> None:
    open_epoch(program, 0)
    over = epoch_result(0, cum_mined=mining_release(0) + 1)
    with reverts("program: mined above the mining schedule"):
        program.finalize(over, [program.attest(over, OPERATOR)])
    exact = epoch_result(0, cum_mined=mining_release(0))
    assert program.finalize(exact, [program.attest(exact, OPERATOR)]).sent


def test_an_epoch_without_driving_leaves_its_budget_for_later(program: Anchor) -> None:
    finalize_epoch(program, 0, cum_mined=0)
    open_epoch(program, 1)
    both = epoch_result(1, cum_mined=mining_release(1))
    assert program.finalize(both, [program.attest(both, OPERATOR)]).sent


def test_finalize_refuses_activity_above_its_release(program: Anchor) -> None:
    open_epoch(program, 0)
    over = epoch_result(0, cum_activity=activity_release(0) + 1)
    with reverts("program: activity paid above the activity release"):
        program.finalize(over, [program.attest(over, OPERATOR)])
    exact = epoch_result(0, cum_activity=activity_release(0))
    assert program.finalize(exact, [program.attest(exact, OPERATOR)]).sent


def test_finalize_refuses_issuance_above_the_cap(deploy: Callable[..., Anchor]) -> None:
    program = deploy(minimal_parameters(cap=stones(150)))
    open_epoch(program, 0)
    over = epoch_result(0, cum_mined=stones(100), cum_activity=stones(50) + 1)
    with reverts("program: issuance above the cap"):
        program.finalize(over, [program.attest(over, OPERATOR)])
    at_cap = epoch_result(0, cum_mined=stones(100), cum_activity=stones(50))
    assert program.finalize(at_cap, [program.attest(at_cap, OPERATOR)]).sent


def test_finalize_refuses_burning_more_than_was_issued(program: Anchor) -> None:
    open_epoch(program, 0)
    over = epoch_result(0, cum_mined=10, cum_activity=5, cum_burned=16)
    with reverts("program: burned more than issued"):
        program.finalize(over, [program.attest(over, OPERATOR)])


@pytest.mark.parametrize(
    ("total", "reason"),
    [
        ("cum_mined", "program: cumulative mined decreased"),
        ("cum_activity", "program: cumulative activity decreased"),
        ("cum_burned", "program: cumulative burned decreased"),
        ("cum_dividends_fen", "program: cumulative dividends decreased"),
    ],
)
def test_cumulative_totals_never_decrease(program: Anchor, total: str, reason: str) -> None:
    finalize_epoch(
        program, 0, cum_mined=100, cum_activity=100, cum_burned=100, cum_dividends_fen=100
    )
    open_epoch(program, 1)
    totals = {"cum_mined": 100, "cum_activity": 100, "cum_burned": 100, "cum_dividends_fen": 100}
    lower = epoch_result(1, **{**totals, total: 99})
    with reverts(reason):
        program.finalize(lower, [program.attest(lower, OPERATOR)])


def test_finalize_refuses_epochs_out_of_order(program: Anchor) -> None:
    open_epoch(program, 0)
    ahead = epoch_result(1)
    with reverts("program: epoch is not the next one"):
        finalize_raw(program, ahead.finalize_args(), [program.attest(ahead, OPERATOR)])
    done = finalize_epoch(program, 0)
    with reverts("program: epoch is not the next one"):
        finalize_raw(program, done.finalize_args(), [program.attest(done, OPERATOR)])


def test_finalize_refuses_an_epoch_without_weights(program: Anchor) -> None:
    result = epoch_result(0)
    with reverts("program: weights not posted"):
        finalize_raw(program, result.finalize_args(), [program.attest(result, OPERATOR)])


def test_finalize_refuses_an_epoch_without_reveals(program: Anchor) -> None:
    program.commit_beacon(0, b"\x01" * 32)
    program.post_weights(0, b"\x02" * 32, 1)
    result = epoch_result(0)
    with reverts("program: beacon reveals missing"):
        finalize_raw(program, result.finalize_args(), [program.attest(result, OPERATOR)])


def test_finalize_refuses_a_non_operator(program: Anchor) -> None:
    open_epoch(program, 0)
    result = epoch_result(0)
    call = program.program.contract.functions.finalize(
        *result.finalize_args(), [program.attest(result, OPERATOR)]
    )
    with reverts("operable: caller is not the operator"):
        program.sender(ALICE).send(call)


def test_finalize_refuses_an_epoch_that_has_not_ended(
    deploy: Callable[..., Anchor], chain: ChainConnection
) -> None:
    now = chain.w3.eth.get_block("latest")["timestamp"]
    # Epoch 0 starts in an hour: its commitment is in time, its end an hour and a day away.
    program = deploy(minimal_parameters(genesis_time=now + 3_600))
    open_epoch(program, 0)
    result = epoch_result(0)
    with reverts("program: epoch has not ended"):
        program.finalize(result, [program.attest(result, OPERATOR)])
    relaxed = deploy(minimal_parameters(genesis_time=now, enforce_epoch_end=False))
    open_epoch(relaxed, 0)
    assert relaxed.finalize(result, [relaxed.attest(result, OPERATOR)]).sent


@pytest.fixture
def consortium(deploy: Callable[..., Anchor]) -> Anchor:
    """Three attestors (Alice, Bob, Carol), two signatures needed."""
    program = deploy(attestors=[ALICE.address, BOB.address, CAROL.address], threshold=2)
    open_epoch(program, 0)
    return program


def signed_by(program: Anchor, result: object, *signers: object) -> list[bytes]:
    return [program.attest(result, signer) for signer in signers]  # type: ignore[arg-type]


def ascending(program: Anchor, result: object, signatures: list[bytes]) -> list[bytes]:
    digest = attestation_digest(
        program.connection.w3.eth.chain_id,
        program.address,
        result,  # type: ignore[arg-type]
        *program.epoch_inputs(0),
    )
    return sorted(signatures, key=lambda s: int(recover_signer(digest, s), 16))


def test_a_threshold_of_distinct_attestors_finalizes(consortium: Anchor) -> None:
    result = epoch_result(0, cum_mined=7)
    # Any two of three, passed in any order: the client sorts them by signer.
    assert consortium.finalize(result, signed_by(consortium, result, CAROL, ALICE)).sent
    assert consortium.program.commitment(0) == result


def test_all_attestors_may_sign(consortium: Anchor) -> None:
    result = epoch_result(0)
    assert consortium.finalize(result, signed_by(consortium, result, BOB, CAROL, ALICE)).sent


def test_finalize_refuses_too_few_signatures(consortium: Anchor) -> None:
    result = epoch_result(0)
    with reverts("attestations: fewer signatures than the threshold"):
        consortium.finalize(result, signed_by(consortium, result, ALICE))
    with reverts("attestations: fewer signatures than the threshold"):
        consortium.finalize(result, [])


def test_finalize_refuses_a_duplicate_signature(consortium: Anchor) -> None:
    result = epoch_result(0)
    [alice] = signed_by(consortium, result, ALICE)
    with reverts("attestations: signers not distinct and ascending"):
        finalize_raw(consortium, result.finalize_args(), [alice, alice])


def test_finalize_refuses_signatures_out_of_order(consortium: Anchor) -> None:
    result = epoch_result(0)
    signatures = ascending(consortium, result, signed_by(consortium, result, ALICE, BOB))
    with reverts("attestations: signers not distinct and ascending"):
        finalize_raw(consortium, result.finalize_args(), signatures[::-1])
    assert finalize_raw(consortium, result.finalize_args(), signatures)


def test_finalize_refuses_a_signature_from_outside_the_set(consortium: Anchor) -> None:
    result = epoch_result(0)
    with reverts("attestations: signer is not an attestor"):
        consortium.finalize(result, signed_by(consortium, result, ALICE, OPERATOR))


def test_finalize_refuses_signatures_over_other_values(consortium: Anchor) -> None:
    signed = epoch_result(0, cum_mined=1)
    submitted = epoch_result(0, cum_mined=2)
    # Valid signatures of Alice and Bob, but over another result: they recover to strangers.
    with reverts("attestations: signer is not an attestor"):
        consortium.finalize(submitted, signed_by(consortium, signed, ALICE, BOB))


def test_finalize_refuses_malformed_signatures(consortium: Anchor) -> None:
    result = epoch_result(0)
    alice, bob = ascending(consortium, result, signed_by(consortium, result, ALICE, BOB))
    r, s, v = alice[:32], int.from_bytes(alice[32:64], "big"), alice[64]
    twin = r + (SECP256K1_ORDER - s).to_bytes(32, "big") + bytes([55 - v])
    with reverts("attestations: malleable signature"):
        finalize_raw(consortium, result.finalize_args(), [twin, bob])
    with reverts("attestations: invalid signature v"):
        finalize_raw(consortium, result.finalize_args(), [alice[:64] + b"\x1d", bob])
    with reverts("attestations: signature is not 65 bytes"):
        finalize_raw(consortium, result.finalize_args(), [alice[:64], bob])
    with reverts("attestations: invalid signature"):
        finalize_raw(consortium, result.finalize_args(), [bytes(64) + b"\x1b", bob])


def test_the_commitment_view_refuses_an_unfinalized_epoch(program: Anchor) -> None:
    finalize_epoch(program, 0, cum_mined=3)
    functions = program.program.contract.functions
    assert functions.commitment(0).call()[6] == 3
    with pytest.raises(Exception, match="program: epoch not finalized"):
        functions.commitment(1).call()
    assert program.program.commitment(1) is None
