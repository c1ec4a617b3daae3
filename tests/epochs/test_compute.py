"""The fast paths equal the rules' plain trees, and each file version gets its own rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milestone.epochs.compute import (
    LEGACY_RULE_VERSION,
    WEIGHTED_RULE_VERSION,
    UnknownRuleVersion,
    calculate_account_root,
    calculate_budget,
    calculate_weights_root,
)
from milestone.epochs.epochfile import VERSION
from milestone.rules.leaves import (
    BALANCE_LEAF,
    EMPTY_ROOT,
    build_account_tree,
    build_weights_tree,
    root_of,
    weight_rows,
)
from milestone.rules.mining import calculate_legacy_mining_budget, calculate_mining_budget
from milestone.rules.params import get_preset

MINIMAL = get_preset("minimal")
addresses = st.binary(min_size=20, max_size=20)
round_weights = st.dictionaries(
    st.integers(0, MINIMAL.rounds_per_epoch - 1),
    st.dictionaries(addresses, st.integers(0, 10**9), max_size=5),
    max_size=MINIMAL.rounds_per_epoch,
)


def test_each_file_version_is_settled_and_audited_under_its_own_rule() -> None:
    weights = {1: {b"\x01" * 20: 5}}
    assert VERSION >= WEIGHTED_RULE_VERSION
    for version in range(WEIGHTED_RULE_VERSION, VERSION + 1):
        assert calculate_budget(MINIMAL, 2, 9, weights, version=version) == (
            calculate_mining_budget(MINIMAL, 2, 9, weights)
        )
    assert calculate_budget(MINIMAL, 2, 9, weights, version=LEGACY_RULE_VERSION) == (
        calculate_legacy_mining_budget(MINIMAL, 2, 9)
    )
    with pytest.raises(UnknownRuleVersion):
        calculate_budget(MINIMAL, 2, 9, weights, version=0)


def test_weights_root_is_zero_without_driving_and_skips_zero_weights() -> None:
    assert calculate_weights_root({}) == (EMPTY_ROOT, 0)
    assert calculate_weights_root({0: {b"\x01" * 20: 0}}) == (EMPTY_ROOT, 0)
    assert weight_rows({2: {b"\x02" * 20: 3, b"\x01" * 20: 4}, 0: {b"\x03" * 20: 1}}) == [
        (0, b"\x03" * 20, 1), (2, b"\x01" * 20, 4), (2, b"\x02" * 20, 3),
    ]  # fmt: skip


def test_weights_root_depends_on_every_weight() -> None:
    root, total = calculate_weights_root({1: {b"\x01" * 20: 10, b"\x02" * 20: 20}})
    changed, _ = calculate_weights_root({1: {b"\x01" * 20: 11, b"\x02" * 20: 20}})
    moved, _ = calculate_weights_root({2: {b"\x01" * 20: 10, b"\x02" * 20: 20}})
    assert total == 30 and len({root, changed, moved}) == 3


def test_account_root_is_order_free_and_zero_when_empty() -> None:
    a, b = b"\x01" * 20, b"\x02" * 20
    assert calculate_account_root({}, BALANCE_LEAF) == EMPTY_ROOT
    assert calculate_account_root({a: 1, b: 2}, BALANCE_LEAF) == calculate_account_root(
        {b: 2, a: 1}, BALANCE_LEAF
    )


@settings(max_examples=40)
@given(
    balances=st.dictionaries(addresses, st.integers(0, 2**64), max_size=40),
    weights=round_weights,
)
def test_the_fast_roots_equal_the_rules_trees(
    balances: dict[bytes, int], weights: dict[int, dict[bytes, int]]
) -> None:
    """The root-only computation gives the root of `milestone.rules.leaves`' trees, which
    OpenZeppelin's library reproduces (tests/rules/test_merkle.py)."""
    expected = root_of(build_account_tree(balances, BALANCE_LEAF))
    assert calculate_account_root(balances, BALANCE_LEAF) == expected
    assert calculate_weights_root(weights)[0] == root_of(build_weights_tree(weights))
