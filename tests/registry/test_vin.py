"""VINs: 17 characters without I, O, Q, and the check digit where the region requires it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestone.registry.vin import (
    InvalidVin,
    calculate_check_digit,
    hash_vin,
    normalize_vin,
)

ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9AXKP042788",  # the worked example of 49 CFR 565: check digit X
        "11111111111111111",  # all ones: the weights sum to 89, 89 mod 11 = 1
        "LSJW74U36PZ000123",  # Chinese WMI (L): GB 16735 requires the check digit
        "WVWZZZ1JZXW000001",  # European: position 9 is the maker's, not checked
        " 1m8gdm9axkp042788 ",  # case and surrounding blanks are forgiven
    ],
)
def test_valid_vins_are_accepted_and_normalized(vin: str) -> None:
    normalized = normalize_vin(vin)
    assert normalized == vin.strip().upper()


@pytest.mark.parametrize(
    "vin",
    [
        "1M8GDM9AXKP04278",  # 16 characters
        "1M8GDM9AXKP0427888",  # 18 characters
        "1M8GDM9AXKP04278O",  # O is excluded
        "IM8GDM9AXKP042788",  # I is excluded
        "1M8GDM9AXKP0427Q8",  # Q is excluded
        "1M8GDM9A1KP042788",  # North American with a wrong check digit
        "LSJW74U39PZ000123",  # Chinese with a wrong check digit
        "1M8GDM9AXKP04278-",
        "",
    ],
)
def test_invalid_vins_are_refused_with_a_code(vin: str) -> None:
    with pytest.raises(InvalidVin) as refused:
        normalize_vin(vin)
    assert refused.value.code == "invalid_vin"


def test_a_vin_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidVin):
        normalize_vin(12345)  # type: ignore[arg-type]


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_writing_the_computed_check_digit_makes_any_north_american_vin_valid(text: str) -> None:
    vin = "1" + text[1:]
    fixed = vin[:8] + calculate_check_digit(vin) + vin[9:]
    assert normalize_vin(fixed) == fixed
    wrong = "0" if fixed[8] != "0" else "1"
    with pytest.raises(InvalidVin):
        normalize_vin(fixed[:8] + wrong + fixed[9:])


def test_the_published_hash_is_salted_by_the_program() -> None:
    vin = "1M8GDM9AXKP042788"
    assert hash_vin(b"\x01" * 32, vin) != hash_vin(b"\x02" * 32, vin)
    assert hash_vin(b"\x01" * 32, vin) == hash_vin(b"\x01" * 32, vin)
    assert len(hash_vin(b"\x01" * 32, vin)) == 32
