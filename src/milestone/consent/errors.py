"""Named refusals of the consent service; each leaves the database as it was."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError


class UnknownScope(MilestoneError):
    code = "unknown_scope"
    http_status = 422


class InvalidTermsVersion(MilestoneError):
    code = "invalid_terms_version"
    http_status = 422


class NotVehicleOwner(MilestoneError):
    code = "not_vehicle_owner"
    http_status = 403


class ConsentAlreadyGranted(Conflict):
    code = "consent_already_granted"


class ConsentNotGranted(Conflict):
    code = "consent_not_granted"
