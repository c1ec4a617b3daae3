"""Vehicle identification numbers (ISO 3779): validation, check digit, and the published hash."""

from __future__ import annotations

from operator import mul
from typing import Final

from milestone.errors import MilestoneError
from milestone.rules.hashing import keccak256

VIN_LENGTH: Final[int] = 17
VIN_ALPHABET: Final[frozenset[str]] = frozenset("ABCDEFGHJKLMNPRSTUVWXYZ0123456789")
"""ISO 3779 leaves out I, O and Q, which read too much like 1 and 0."""

CHECK_DIGIT_POSITION: Final[int] = 8
TRANSLITERATION: Final[dict[str, int]] = {
    **{str(digit): digit for digit in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
WEIGHTS: Final[tuple[int, ...]] = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
CHECK_DIGIT_REGIONS: Final[frozenset[str]] = frozenset("12345L")
"""First characters of the world manufacturer identifiers whose VINs must carry the check
digit: North America (1-5; 49 CFR 565) and China (L; GB 16735). Elsewhere, Europe among them,
position 9 is the maker's to use, so it is not checked."""

VIN_HASH_DOMAIN: Final[bytes] = b"milestone/vin\x00"


class InvalidVin(MilestoneError):
    code = "invalid_vin"
    http_status = 422


def calculate_check_digit(vin: str) -> str:
    """The check digit of a 17-character VIN: weighted sum of the transliterated characters
    modulo 11, with 10 written as X."""
    if len(vin) != len(WEIGHTS):
        raise ValueError(f"a VIN has {VIN_LENGTH} characters, not {len(vin)}")
    # map over C builtins, no generator frame per character: a bulk import checks millions.
    total = sum(map(mul, map(TRANSLITERATION.__getitem__, vin), WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_digit_applies(vin: str) -> bool:
    """True when the VIN's region requires the check digit at position 9."""
    return vin[0] in CHECK_DIGIT_REGIONS


def normalize_vin(text: str) -> str:
    """The VIN in upper case, validated: 17 characters, no I/O/Q, check digit where it applies."""
    if not isinstance(text, str):
        raise InvalidVin("a VIN is text")
    vin = text.strip().upper()
    if len(vin) != VIN_LENGTH:
        raise InvalidVin(f"a VIN has {VIN_LENGTH} characters, not {len(vin)}", vin=vin)
    bad = sorted(set(vin) - VIN_ALPHABET)
    if bad:
        raise InvalidVin(f"a VIN may not contain {''.join(bad)!r} (I, O and Q are excluded)")
    if check_digit_applies(vin):
        expected = calculate_check_digit(vin)
        if vin[CHECK_DIGIT_POSITION] != expected:
            raise InvalidVin(
                f"check digit is {vin[CHECK_DIGIT_POSITION]!r}, the VIN's characters give"
                f" {expected!r}",
                vin=vin,
            )
    return vin


def hash_vin(pseudonym_salt: bytes, vin: str) -> bytes:
    """The published form of a VIN: keccak256(domain ‖ program salt ‖ VIN).

    VINs are structured (maker, model, plant, a serial number), so an unsalted hash could be
    reversed by trying them all; the program's secret salt prevents that.
    """
    return keccak256(VIN_HASH_DOMAIN + pseudonym_salt + vin.encode("ascii"))


def synthetic_vin(serial: int, prefix: str = "LMSCSP70", plant: str = "SM") -> str:
    """A valid VIN for simulations and tests: `prefix` (8), check digit, `plant` (2), serial (6).

    The default prefix starts with L, so the check digit is required and computed.
    """
    if not 0 <= serial < 1_000_000:
        raise InvalidVin("a synthetic VIN's serial has six digits")
    draft = f"{prefix}0{plant}{serial:06d}"
    if len(draft) != VIN_LENGTH or not set(draft) <= VIN_ALPHABET:
        raise InvalidVin("a synthetic VIN needs an 8-character prefix and a 2-character plant")
    return normalize_vin(draft[:8] + calculate_check_digit(draft) + draft[9:])
