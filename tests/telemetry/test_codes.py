"""Every rejection code the intake can give is explained, once, with its check."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from milestone.cli.main import app
from milestone.rules import reports, trips
from milestone.telemetry.codes import EXPLAINED, REJECTION_CODES

KEY_CODES = {"unknown_key", "revoked_key", "bad_signature"}


def subclass_codes(base: type) -> set[str]:
    found = set()
    for cls in base.__subclasses__():
        found.add(cls.code)
        found |= subclass_codes(cls)
    return found


def test_every_code_of_the_intake_is_explained_once() -> None:
    decoding = {error.code for error in (
        reports.MalformedReport, reports.UnsupportedVersion, reports.FieldOutOfRange,
    )}
    produced = subclass_codes(trips.TripRejected) | decoding | KEY_CODES
    assert len(EXPLAINED) == len(REJECTION_CODES)  # no code twice
    assert set(EXPLAINED) == produced


def test_checks_come_in_the_intakes_order() -> None:
    checks = [entry.check for entry in REJECTION_CODES]
    assert checks == sorted(checks)
    assert EXPLAINED["no_mileage_consent"].check == 11


def test_the_command_prints_every_code() -> None:
    result = CliRunner().invoke(app, ["telemetry", "codes", "--json"])
    assert result.exit_code == 0
    assert [row["code"] for row in json.loads(result.output)] == list(EXPLAINED)
