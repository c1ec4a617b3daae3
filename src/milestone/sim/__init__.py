"""The fleet simulator: a seeded fleet of owners and cars driving the real services day by day.

Everything goes through the same code paths as production (signed reports through the intake,
consent receipts, check-ins, referrals confirmed by a signing sales system, a campaign, store
orders); only the clock is a `ManualClock`. The same seed always gives the same program.
"""

from milestone.sim.config import SimConfig
from milestone.sim.run import simulate
from milestone.sim.state import SimStats

__all__ = ["SimConfig", "SimStats", "simulate"]
