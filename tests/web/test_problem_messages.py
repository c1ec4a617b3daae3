"""Every error code the app can receive has its message in both languages.

The app shows a refusal in the page's language from its code (web/src/locales/problems.*.json),
never the API's English `detail`; so each code a service, the rules, the API itself, a car's
report verdict or the page's own fetch can produce needs an English and a Chinese message.
The codes are found in the code, not listed by hand: every `MilestoneError` and `RuleError`
class of the modules the API can reach (not the command line's nor the simulator's), the API's
own codes (its HTTP table and docs/api.md's), and the intake's rejection codes.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

import milestone
from milestone.api.problems import HTTP_CODES
from milestone.errors import MilestoneError
from milestone.rules.errors import RuleError
from milestone.telemetry.codes import REJECTION_CODES

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "web" / "src" / "locales"
API_DOC = ROOT / "docs" / "api.md"
NOT_SERVED = ("milestone.cli", "milestone.sim", "milestone.storage.migrations")
"""Packages whose failures never reach the API: the command line's, the simulator's."""
API_OWN = {"invalid_request", "http_error"}
"""problems.py's codes outside HTTP_CODES: a schema refusal, an HTTP status it has no name for."""
PAGE_OWN = {"unreachable"}
"""web/src/api.ts's code for a request that never reached the API."""
CJK = re.compile(r"[\u4e00-\u9fff]")


def failure_classes(base: type) -> list[type]:
    found = [base]
    for cls in base.__subclasses__():
        found += failure_classes(cls)
    return found


def served_error_codes() -> set[str]:
    for module in pkgutil.walk_packages(milestone.__path__, "milestone."):
        if not module.name.startswith(NOT_SERVED):
            importlib.import_module(module.name)
    classes = failure_classes(MilestoneError) + failure_classes(RuleError)
    return {cls.code for cls in classes if not cls.__module__.startswith(NOT_SERVED)}


def documented_codes() -> set[str]:
    """The codes of docs/api.md's table of the API's own errors."""
    section = API_DOC.read_text().split("## Errors", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[1])}


def catalogue(lang: str) -> dict[str, str]:
    return json.loads((LOCALES / f"problems.{lang}.json").read_text())  # type: ignore[no-any-return]


def every_code() -> set[str]:
    return (served_error_codes() | documented_codes() | set(HTTP_CODES.values()) | API_OWN
            | PAGE_OWN | {entry.code for entry in REJECTION_CODES})


def test_the_enumeration_finds_codes_of_every_kind() -> None:
    codes = every_code()
    assert {"insufficient_balance", "unknown_campaign_code", "over_speed", "invalid_request",
            "rate_limited", "unreachable", "revoked_key"} <= codes
    assert "demo_data_in_use" not in codes  # the simulator's, never the API's
    assert len(documented_codes()) >= 15


def test_every_code_has_an_english_and_a_chinese_message() -> None:
    codes = every_code()
    english, chinese = catalogue("en"), catalogue("zh")
    assert sorted(codes - english.keys()) == [], "codes without an English message"
    assert sorted(codes - chinese.keys()) == [], "codes without a Chinese message"
    # Nothing stale or misspelt: every message belongs to a code the app can receive.
    assert sorted(english.keys() - codes) == [] and sorted(chinese.keys() - codes) == []
    for code in codes:
        assert english[code].strip() and not CJK.search(english[code]), code
        assert CJK.search(chinese[code]), f"{code}: {chinese[code]!r} is not Chinese"
