"""Signed trip reports: verification, batch intake, storage under consent, erasure."""

import milestone.telemetry.erasure  # noqa: F401  (registers the eraser with the consent service)
