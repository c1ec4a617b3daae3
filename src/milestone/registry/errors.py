"""Named refusals of the registry; each leaves the database as it was."""

from __future__ import annotations

from milestone.errors import Conflict, MilestoneError, NotFound


class UnknownOwner(NotFound):
    code = "unknown_owner"


class UnknownVehicle(NotFound):
    code = "unknown_vehicle"


class UnknownKey(NotFound):
    code = "unknown_key"


class InvalidPublicKey(MilestoneError):
    code = "invalid_public_key"
    http_status = 422


class InvalidField(MilestoneError):
    """A text field (model name, reason) that is empty or too long."""

    code = "invalid_field"
    http_status = 422


class InvalidIdentity(MilestoneError):
    code = "invalid_identity"
    http_status = 422


class VinAlreadyRegistered(Conflict):
    code = "vin_already_registered"


class PublicKeyInUse(Conflict):
    code = "public_key_in_use"


class KeyAlreadyRevoked(Conflict):
    code = "key_already_revoked"


class AlreadyOwner(Conflict):
    code = "already_owner"


class VehicleNotOwned(Conflict):
    code = "vehicle_not_owned"
