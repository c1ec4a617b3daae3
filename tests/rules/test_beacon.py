"""The beacon: commitments, ordering of reveals, and the seed."""

from __future__ import annotations

import pytest

from milestone.rules import errors
from milestone.rules.beacon import commit_of, derive_seed, order_reveals
from milestone.rules.hashing import keccak256

ROOT = bytes(range(32))
R1, R2 = b"\x01" * 32, b"\x02" * 32


def test_commit_is_the_keccak_of_the_reveal() -> None:
    assert commit_of(R1) == keccak256(R1)
    # Reference vector: keccak256 of 32 zero bytes.
    assert commit_of(bytes(32)).hex() == (
        "290decd9548b62a8d60345a988386fc84ba6bc95484008f6362f93160ef3e563"
    )


def test_seed_hashes_root_then_reveals_in_order() -> None:
    assert derive_seed(ROOT, [R1, R2]) == keccak256(ROOT + R1 + R2)
    assert derive_seed(ROOT, [R1, R2]) != derive_seed(ROOT, [R2, R1])
    assert derive_seed(ROOT, [R1]) != derive_seed(bytes(32), [R1])


def test_reveals_are_ordered_by_member_address() -> None:
    low, high = b"\x00" * 19 + b"\x01", b"\xff" * 20
    assert order_reveals({high: R2, low: R1}) == [R1, R2]


@pytest.mark.parametrize(
    ("root", "reveals", "error"),
    [
        (ROOT, [], errors.NoReveals),
        (ROOT[:31], [R1], errors.InvalidHash),
        (ROOT, [R1, b"\x01"], errors.InvalidHash),
    ],
)
def test_bad_seed_inputs_are_refused(
    root: bytes, reveals: list[bytes], error: type[Exception]
) -> None:
    with pytest.raises(error):
        derive_seed(root, reveals)


def test_bad_reveals_and_members_are_refused() -> None:
    with pytest.raises(errors.InvalidHash):
        commit_of(b"short")
    with pytest.raises(errors.InvalidAddress):
        order_reveals({b"\x01": R1})
