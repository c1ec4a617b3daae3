"""The vehicle's side of telemetry: a small signer the firmware team, the tests and the simulator
share, and an honest driver to generate realistic trips."""

from milestone.vehicle.signer import VehicleSigner, generate_signing_key

__all__ = ["VehicleSigner", "generate_signing_key"]
