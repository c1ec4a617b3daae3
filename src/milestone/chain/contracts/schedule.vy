# pragma version ~=0.4.3
"""
@title schedule
@notice The halving emission schedule, computed exactly as
        `milestone.rules.schedule` computes it.
@dev The budget of epoch `e` is `initial >> (e // era_epochs)`; the
     cumulative release at `e` is the sum of the budgets of epochs 0..e
     inclusive. Full eras are summed one by one: a budget reaches zero after
     at most 256 halvings, so the loop is bounded whatever the epoch.
"""


MAX_ERAS: constant(uint256) = 256


@internal
@pure
def _epoch_budget(initial: uint256, era_epochs: uint256, epoch: uint256) -> uint256:
    era: uint256 = epoch // era_epochs
    if era >= MAX_ERAS:
        return 0
    return initial >> era


@internal
@pure
def _cumulative_release(initial: uint256, era_epochs: uint256, epoch: uint256) -> uint256:
    era: uint256 = epoch // era_epochs
    released: uint256 = 0
    for k: uint256 in range(MAX_ERAS):
        if k == era:
            break
        budget: uint256 = initial >> k
        if budget == 0:
            # Every later era releases nothing: the reserve is done.
            return released
        released += budget * era_epochs
    if era >= MAX_ERAS:
        return released
    # Epochs era*era_epochs .. epoch of the current era, inclusive.
    epochs_in_era: uint256 = epoch - era * era_epochs + 1
    return released + epochs_in_era * (initial >> era)
