"""Reading an epoch back: the seed recomputed, totals against the schedule, attestors recovered."""

from __future__ import annotations

from collections.abc import Callable

from milestone.chain.anchor import Anchor
from milestone.chain.verify import verify_epoch
from milestone.rules.beacon import derive_seed

from .support import DEV_ACCOUNTS, epoch_result, open_epoch, reveal_for, weights_root_for

OPERATOR, ALICE, BOB, CAROL = DEV_ACCOUNTS[:4]


def test_a_finalized_epoch_reads_back_and_holds(deploy: Callable[..., Anchor]) -> None:
    program = deploy(attestors=[ALICE.address, BOB.address, CAROL.address], threshold=2)
    open_epoch(program, 0)
    result = epoch_result(0, cum_mined=77, cum_activity=3, cum_burned=1)
    program.finalize(result, [program.attest(result, CAROL), program.attest(result, BOB)])

    report = verify_epoch(program.program, 0)
    assert report.finalized and report.passed
    assert report.result == result
    assert report.weights_root == weights_root_for(0)
    assert report.seed == derive_seed(weights_root_for(0), [reveal_for(0, OPERATOR.address)])
    assert sorted(report.attestors) == sorted([BOB.address, CAROL.address])
    assert report.transaction_hash is not None
    assert {check.name for check in report.checks} >= {
        "cumulative mined ≤ mining schedule",
        "issued ≤ cap",
        "cumulative activity paid ≤ activity release",
        "signed by at least the threshold of the epoch's attestors",
    }


def test_an_open_epoch_does_not_pass(program: Anchor) -> None:
    program.commit_beacon(0, b"\x01" * 32)
    program.post_weights(0, b"\x02" * 32, 5)
    report = verify_epoch(program.program, 0)
    assert not report.finalized and not report.passed
    assert report.weights_root == b"\x02" * 32 and report.total_weight == 5
    assert report.seed is None and report.reveals == {}
