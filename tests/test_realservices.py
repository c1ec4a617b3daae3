"""With CI=true a skip for want of a real service fails; other skips, and local runs, stay."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from realservices import fail_skipped_service

POSTGRES_DOWN = "PostgreSQL at postgresql://localhost/ unreachable: connection refused"


class Item:
    def __init__(self, nodeid: str, markers: tuple[str, ...] = ()) -> None:
        self.nodeid = nodeid
        self.markers = markers

    def get_closest_marker(self, name: str) -> Any:
        return name if name in self.markers else None


def skipped(reason: str) -> Any:
    return SimpleNamespace(skipped=True, outcome="skipped", longrepr=("file", 1, reason))


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (Item("tests/x.py::test_a[postgres]"), "any reason"),
        (Item("tests/x.py::test_b", ("anvil",)), "anvil is not installed"),
        (Item("tests/x.py::test_c"), POSTGRES_DOWN),
        (Item("tests/x.py::test_d"), "node is not installed: the OpenZeppelin cross-check"),
        (Item("tests/web/t.py::test_e", ("browser",)), "no chromium"),
    ],
)
def test_in_ci_a_missing_service_fails_the_test(
    monkeypatch: pytest.MonkeyPatch, item: Item, reason: str
) -> None:
    monkeypatch.setenv("CI", "true")
    report = skipped(reason)
    fail_skipped_service(item, report)  # type: ignore[arg-type]
    assert report.outcome == "failed"
    assert reason in report.longrepr


def test_other_skips_stay_skips_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    report = skipped("SQLite runs one write transaction at a time: nothing to wait for")
    fail_skipped_service(Item("tests/t.py::test_f[sqlite]"), report)  # type: ignore[arg-type]
    assert report.outcome == "skipped"


def test_outside_ci_a_missing_service_is_a_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    report = skipped(POSTGRES_DOWN)
    fail_skipped_service(Item("tests/t.py::test_g[postgres]"), report)  # type: ignore[arg-type]
    assert report.outcome == "skipped"
