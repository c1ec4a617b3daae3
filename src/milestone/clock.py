"""The one clock of the program, injected everywhere so simulations can run years in minutes.

Instants are integer Unix seconds (UTC) throughout Milestone: they order, subtract and encode
without time-zone or float surprises.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> int:
        """The current instant in Unix seconds (UTC)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> int:
        return int(time.time())


class ManualClock:
    """A clock that moves only when told to: for tests and the simulator."""

    def __init__(self, start: int) -> None:
        self._now = start

    def now(self) -> int:
        return self._now

    def set(self, instant: int) -> None:
        if instant < self._now:
            raise ValueError("ManualClock never runs backwards")
        self._now = instant

    def advance(self, seconds: int) -> None:
        self.set(self._now + seconds)
