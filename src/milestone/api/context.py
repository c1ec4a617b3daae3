"""What every request handler may reach: the database, the clock, and the auth machinery."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher

from milestone.api.cache import AnswerCache
from milestone.api.ratelimit import Rate, RateLimiter
from milestone.auth.tokens import TokenSigner
from milestone.clock import Clock
from milestone.settings import Settings
from milestone.storage import Database


@dataclass
class ApiContext:
    settings: Settings
    clock: Clock
    database: Database
    signer: TokenSigner
    hasher: PasswordHasher
    limiter: RateLimiter
    login_rate: Rate
    write_rate: Rate
    read_database: Database | None = None
    """A streaming replica the read-only routes use (`MILESTONE_DATABASE_READ_URL`); None:
    they read the primary, `database`."""
    proofs: AnswerCache = field(default_factory=lambda: AnswerCache(0))
    """Serialized proofs of finalized epochs, by (epoch, owner id)."""
    extras: dict[str, object] = field(default_factory=dict)
    """Services built once per app (the chain client, caches of published epochs)."""

    @property
    def reader(self) -> Database:
        """Where the read-only routes read: the replica if there is one, else the primary."""
        return self.read_database or self.database
