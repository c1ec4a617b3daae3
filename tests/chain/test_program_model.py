"""The contract against the rules, side by side (titanoboa's pattern): a hypothesis state machine
finalizes one epoch per step across the era boundaries of the `minimal` preset (eras of four
epochs), first trying now and then a result beyond the allowance, and checks after every step
that the contract accepted exactly what `milestone.rules` allows and reports the same
cumulative allowances."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from milestone.chain.anchor import Anchor
from milestone.chain.errors import ChainReverted
from milestone.rules.params import get_preset
from milestone.rules.schedule import calculate_cumulative_release, calculate_epoch_budget

from .support import epoch_result, open_epoch

MINIMAL = get_preset("minimal")
# Far enough to see the budgets of later eras (4 epochs each) from the first steps.
LOOKAHEAD = (4, 30)


class ProgramModel(RuleBasedStateMachine):
    """The chain and the model of what it should hold, one epoch per step."""

    program: Anchor

    def __init__(self) -> None:
        super().__init__()
        self.snapshot = self.rpc("evm_snapshot", [])
        self.next_epoch = 0
        self.totals = {"cum_mined": 0, "cum_activity": 0, "cum_burned": 0}

    def rpc(self, method: str, params: list[object]) -> object:
        return self.program.connection.w3.provider.make_request(method, params)["result"]

    def teardown(self) -> None:
        # Roll the chain back to the deployed, empty Program for the next example.
        self.rpc("evm_revert", [self.snapshot])

    def allowance(self, epoch: int) -> tuple[int, int]:
        return (
            calculate_cumulative_release(MINIMAL.mining, epoch),
            calculate_cumulative_release(MINIMAL.activity, epoch),
        )

    def submit(self, **totals: int) -> bool:
        """Run the next epoch with `totals`; True if the contract finalized it."""
        epoch = self.next_epoch
        if self.program.program.weights(epoch) is None:
            open_epoch(self.program, epoch)
        result = epoch_result(epoch, **totals)
        try:
            self.program.finalize(result, [self.program.attest(result, self.program.operator)])
        except ChainReverted:
            return False
        return True

    @rule(
        mined=st.integers(0, 100),
        activity=st.integers(0, 100),
        burned=st.integers(0, 100),
        refused_first=st.none()
        | st.tuples(
            st.sampled_from(["cum_mined", "cum_activity", "decrease"]), st.integers(1, 10**15)
        ),
    )
    def finalize_the_next_epoch(
        self, mined: int, activity: int, burned: int, refused_first: tuple[str, int] | None
    ) -> None:
        """Maybe try a result the rules forbid (it must be refused), then one they allow."""
        if refused_first is not None:
            self.try_a_forbidden_result(*refused_first)
        mining_allowed, activity_allowed = self.allowance(self.next_epoch)
        before = self.totals
        cum_mined = before["cum_mined"] + (mining_allowed - before["cum_mined"]) * mined // 100
        cum_activity = before["cum_activity"] + (
            (activity_allowed - before["cum_activity"]) * activity // 100
        )
        issued = cum_mined + cum_activity
        cum_burned = before["cum_burned"] + (issued - before["cum_burned"]) * burned // 100
        totals = {"cum_mined": cum_mined, "cum_activity": cum_activity, "cum_burned": cum_burned}
        assert self.submit(**totals), f"epoch {self.next_epoch} within the allowance was refused"
        self.totals = totals
        self.next_epoch += 1

    def try_a_forbidden_result(self, kind: str, amount: int) -> None:
        mining_allowed, activity_allowed = self.allowance(self.next_epoch)
        if kind == "decrease":
            if self.totals["cum_mined"] == 0:
                return
            totals = {**self.totals, "cum_mined": max(0, self.totals["cum_mined"] - amount)}
        else:
            allowed = mining_allowed if kind == "cum_mined" else activity_allowed
            totals = {**self.totals, kind: allowed + amount}
        assert not self.submit(**totals), f"a forbidden result of epoch {self.next_epoch} passed"

    @invariant()
    def the_contract_holds_what_the_model_holds(self) -> None:
        view = self.program.program
        assert view.next_epoch() == self.next_epoch
        if self.next_epoch > 0:
            committed = view.commitment(self.next_epoch - 1)
            assert committed is not None
            assert (committed.cum_mined, committed.cum_activity, committed.cum_burned) == (
                self.totals["cum_mined"],
                self.totals["cum_activity"],
                self.totals["cum_burned"],
            )

    @invariant()
    def the_contract_allows_what_the_rules_allow(self) -> None:
        view = self.program.program
        functions = view.contract.functions
        for ahead in (0, *LOOKAHEAD):
            epoch = self.next_epoch + ahead
            assert (view.mining_release(epoch), view.activity_release(epoch)) == self.allowance(
                epoch
            )
            assert functions.mining_budget(epoch).call() == calculate_epoch_budget(
                MINIMAL.mining, epoch
            )


@pytest.mark.slow
def test_the_contract_follows_the_rules_across_eras(program: Anchor) -> None:
    ProgramModel.program = program
    run_state_machine_as_test(
        ProgramModel,
        settings=settings(
            max_examples=3,
            stateful_step_count=10,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
