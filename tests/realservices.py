"""In CI, a test that needs a real service and was skipped is a failure, not a quiet pass.

Locally a missing PostgreSQL, anvil, Node.js or Chromium skips the tests that need it, with the
reason. With `CI=true` (what GitHub Actions and most CI systems set) the same skip fails the
run: the service was meant to be there, and a suite that passes because half of it did not run
proves nothing. A skip is the service's when the test carries a service marker, runs on the
`postgres` parameter, or gives a reason naming a service.
"""

from __future__ import annotations

import os
import re

import pytest

SERVICE_MARKERS = frozenset({"postgres", "anvil", "browser", "node"})
SERVICE_REASON = re.compile(
    r"postgres|anvil|\bnode\b|node\.js|chromium|playwright|make tools|openzeppelin", re.I
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def needs_a_service(item: pytest.Item, reason: str) -> bool:
    marked = any(item.get_closest_marker(name) for name in SERVICE_MARKERS)
    return marked or "[postgres" in item.nodeid or bool(SERVICE_REASON.search(reason))


def fail_skipped_service(item: pytest.Item, report: pytest.TestReport) -> None:
    """Turn `report`, a skip for want of a real service, into a failure when in CI."""
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if needs_a_service(item, reason):
        report.outcome = "failed"
        report.longrepr = f"CI=true and a real service is missing: {reason}"
