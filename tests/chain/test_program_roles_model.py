"""Attestor sets per epoch against a model, side by side: a hypothesis state machine schedules
attestor sets from some epoch on (now and then one that must be refused), finalizes epochs
signed by exactly the set and threshold the model says, and checks after every step that the
contract names the same set and threshold for every epoch ahead."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from milestone.chain.anchor import Anchor
from milestone.chain.errors import ChainReverted

from .support import DEV_ACCOUNTS, epoch_result, open_epoch, transact

PARTIES = DEV_ACCOUNTS[:5]
AHEAD = 6


class RolesModel(RuleBasedStateMachine):
    """The chain and the model's list of `(from_epoch, attestors, threshold)`."""

    program: Anchor

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = self.rpc("evm_snapshot", [])
        self.next_epoch = 0
        self.sets: list[tuple[int, list[str], int]] = [(0, [PARTIES[0].address], 1)]

    def rpc(self, method: str, params: list[object]) -> object:
        return self.program.connection.w3.provider.make_request(method, params)["result"]

    def teardown(self) -> None:
        self.rpc("evm_revert", [self.snapshot])

    def model_at(self, epoch: int) -> tuple[list[str], int]:
        _, attestors, threshold = [s for s in self.sets if s[0] <= epoch][-1]
        return attestors, threshold

    @rule(
        offset=st.integers(min_value=-1, max_value=3),
        members=st.lists(st.sampled_from(range(len(PARTIES))), min_size=1, max_size=5,
                         unique=True),
        threshold=st.integers(min_value=1, max_value=5),
    )  # fmt: skip
    def schedule(self, offset: int, members: list[int], threshold: int) -> None:
        start = max(0, self.next_epoch + offset)
        attestors = [PARTIES[i].address for i in members]
        latest = self.sets[-1][0]
        allowed = start >= self.next_epoch and start >= latest and threshold <= len(attestors)
        try:
            transact(self.program, PARTIES[0], "schedule_attestors", start, attestors, threshold)
        except ChainReverted:
            assert not allowed
            return
        assert allowed
        if start == latest:
            self.sets[-1] = (start, attestors, threshold)
        else:
            self.sets.append((start, attestors, threshold))

    @rule(short=st.booleans())
    def finalize_the_next_epoch(self, short: bool) -> None:
        """Signed by the epoch's attestors: one short of the threshold is refused, enough pass."""
        epoch = self.next_epoch
        if self.program.program.weights(epoch) is None:
            open_epoch(self.program, epoch)
        attestors, threshold = self.model_at(epoch)
        signers = [a for a in PARTIES if a.address in attestors][:threshold]
        result = epoch_result(epoch)
        if short:
            signatures = [self.program.attest(result, a) for a in signers[: threshold - 1]]
            try:
                self.program.finalize(result, signatures)
            except ChainReverted as refused:
                assert refused.reason == "attestations: fewer signatures than the threshold"
            else:
                raise AssertionError("finalized below the threshold")
        self.program.finalize(result, [self.program.attest(result, a) for a in signers])
        self.next_epoch += 1

    @invariant()
    def the_contract_names_the_model_s_sets(self) -> None:
        functions = self.program.program.contract.functions
        for epoch in range(self.next_epoch, self.next_epoch + AHEAD):
            attestors, threshold = self.model_at(epoch)
            assert functions.attestors_at(epoch).call() == attestors
            assert functions.threshold_at(epoch).call() == threshold


@pytest.mark.slow
def test_attestor_sets_apply_from_their_epoch_as_the_model_says(program: Anchor) -> None:
    RolesModel.program = program
    run_state_machine_as_test(
        RolesModel,
        settings=settings(
            max_examples=4,
            stateful_step_count=8,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
