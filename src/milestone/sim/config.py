"""What a simulation runs: the preset, the fleet's size and growth, the days, the seed."""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86_400


@dataclass(frozen=True, slots=True)
class SimConfig:
    """A simulation's knobs; everything else follows from `seed`."""

    preset: str = "im-csop"
    vehicles: int = 40
    """Cars on the road at the start; the fleet grows from there."""
    days: int = 10
    seed: int = 7
    growth_bps: int = 500
    """New owners a day, in basis points of the fleet at the start (5% a day by default)."""
    attackers: int = 2
    spend_lock_days: int = 2
    """The demo shortens the preset's spend lock so that orders happen within the run."""
    dividend_fen: int = 100_000_000
    """RMB 1,000,000 declared on the last settled epoch."""

    def new_owners_on(self, day: int, rng_draw: int) -> int:
        """New owners joining on `day` (none on day 0): the growth rate, rounded by a draw."""
        if day == 0:
            return 0
        scaled = self.vehicles * self.growth_bps
        whole, part = divmod(scaled, 10_000)
        return whole + (1 if rng_draw % 10_000 < part else 0)
