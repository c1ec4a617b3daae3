"""Read an epoch's commitments back from the chain and check what can be checked from there.

Anyone can run this against any node: the seed is recomputed from the posted weights root and
the members' reveals with `milestone.rules.beacon`, the cumulative totals are compared with
`milestone.rules.schedule`, and the attestors are recovered from the signatures carried by the
`finalize` transaction itself (the contract checks them but does not store them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from milestone.chain.attestation import attestation_digest, recover_signer
from milestone.chain.program import EpochResult, ProgramView
from milestone.rules.beacon import commit_of, derive_seed, order_reveals
from milestone.rules.params import EmissionSchedule
from milestone.rules.schedule import calculate_cumulative_release


@dataclass(frozen=True)
class Check:
    """One verified property of an epoch."""

    name: str
    passed: bool
    detail: str


@dataclass
class EpochReport:
    """What the chain says about one epoch, and whether it holds together."""

    epoch: int
    finalized: bool
    result: EpochResult | None = None
    weights_root: bytes | None = None
    total_weight: int | None = None
    seed: bytes | None = None
    reveals: dict[str, bytes] = field(default_factory=dict)
    attestors: list[str] = field(default_factory=list)
    transaction_hash: str | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when the epoch is finalized and every check holds."""
        return self.finalized and all(check.passed for check in self.checks)


def verify_epoch(view: ProgramView, epoch: int) -> EpochReport:
    """Read `epoch` back from the Program and check it."""
    report = EpochReport(epoch=epoch, finalized=epoch < view.next_epoch())
    weights = view.weights(epoch)
    if weights is not None:
        report.weights_root, report.total_weight = weights
    report.seed = view.seed(epoch)
    members = view.roles(epoch).beacon_members
    for member in members:
        reveal = view.beacon_reveal(epoch, member)
        if reveal is not None:
            report.reveals[member] = reveal
    if not report.finalized:
        return report
    report.result = view.commitment(epoch)
    assert report.result is not None
    _check_beacon(view, epoch, report, members)
    _check_schedule(view, report)
    _check_attestations(view, report)
    return report


def _check_beacon(
    view: ProgramView, epoch: int, report: EpochReport, members: tuple[str, ...]
) -> None:
    for member, reveal in report.reveals.items():
        commitment = view.beacon_commit(epoch, member)
        report.checks.append(
            Check(
                f"reveal of {member} opens its commitment",
                commitment == commit_of(reveal),
                "0x" + (commitment or b"").hex(),
            )
        )
    if report.weights_root is None or len(report.reveals) != len(members):
        report.checks.append(Check("every beacon member revealed", False, "reveals missing"))
        return
    by_address = {bytes.fromhex(m[2:]): r for m, r in report.reveals.items()}
    expected = derive_seed(report.weights_root, order_reveals(by_address))
    report.checks.append(
        Check(
            "seed = keccak256(weights root ‖ reveals by member address)",
            report.seed == expected,
            "0x" + expected.hex(),
        )
    )


def _check_schedule(view: ProgramView, report: EpochReport) -> None:
    assert report.result is not None
    parameters = view.parameters()
    epoch, result = report.epoch, report.result
    mining = EmissionSchedule(
        parameters.mining_pool, parameters.mining_initial, parameters.mining_era_epochs
    )
    activity = EmissionSchedule(
        parameters.activity_pool, parameters.activity_initial, parameters.activity_era_epochs
    )
    mining_allowed = calculate_cumulative_release(mining, epoch)
    activity_allowed = calculate_cumulative_release(activity, epoch)
    issued = result.cum_mined + result.cum_activity
    report.checks += [
        Check(
            "cumulative mined ≤ mining schedule",
            result.cum_mined <= mining_allowed,
            f"{result.cum_mined} ≤ {mining_allowed}",
        ),
        Check(
            "cumulative activity paid ≤ activity release",
            result.cum_activity <= activity_allowed,
            f"{result.cum_activity} ≤ {activity_allowed}",
        ),
        Check("issued ≤ cap", issued <= parameters.cap, f"{issued} ≤ {parameters.cap}"),
        Check("burned ≤ issued", result.cum_burned <= issued, f"{result.cum_burned} ≤ {issued}"),
    ]


def _check_attestations(view: ProgramView, report: EpochReport) -> None:
    assert report.result is not None and report.weights_root is not None
    w3 = view.w3
    finalized = view.contract.events.EpochFinalized()
    logs = finalized.get_logs(from_block=0, argument_filters={"epoch": report.epoch})
    if not logs:
        report.checks.append(Check("finalize transaction found", False, "no EpochFinalized log"))
        return
    tx_hash = logs[-1]["transactionHash"]
    report.transaction_hash = "0x" + bytes(tx_hash).hex()
    transaction = w3.eth.get_transaction(tx_hash)
    _, arguments = view.contract.decode_function_input(transaction["input"])
    digest = attestation_digest(
        w3.eth.chain_id,
        view.address,
        report.result,
        report.weights_root,
        report.seed or bytes(32),
    )
    report.attestors = [recover_signer(digest, bytes(s)) for s in arguments["signatures"]]
    attestors, threshold = view.attestors(report.epoch)
    signers = {signer.lower() for signer in report.attestors}
    report.checks.append(
        Check(
            "signed by at least the threshold of the epoch's attestors",
            len(signers & attestors) >= threshold,
            f"{len(signers & attestors)} of the epoch's attestors signed, threshold {threshold}",
        )
    )
