"""The program's calendar as the ledger needs it: which epoch an instant falls in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from milestone.program.errors import ProgramNotInitialized
from milestone.program.models import PROGRAM_ID, ProgramRecord

_CACHE_KEY = "milestone.ledger.calendar"


@dataclass(frozen=True)
class Calendar:
    genesis: int
    epoch_seconds: int

    def epoch_of(self, instant: int) -> int:
        """Epoch of `instant`, rounding down: instants before genesis fall in negative epochs."""
        return (instant - self.genesis) // self.epoch_seconds

    def epoch_end(self, epoch: int) -> int:
        """The first instant after epoch `epoch`."""
        return self.genesis + (epoch + 1) * self.epoch_seconds


def load_calendar(session: Session) -> Calendar:
    """The calendar of the program, cached on the session (the program row never changes)."""
    cached = session.info.get(_CACHE_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    row = session.execute(
        select(ProgramRecord.genesis, ProgramRecord.epoch_seconds).where(
            ProgramRecord.id == PROGRAM_ID
        )
    ).one_or_none()
    if row is None:
        raise ProgramNotInitialized("no program here yet: run `milestone init` first")
    calendar = Calendar(genesis=row.genesis, epoch_seconds=row.epoch_seconds)
    session.info[_CACHE_KEY] = calendar
    return calendar
