"""One settings object for the whole program, read from `MILESTONE_*` environment variables.

Command-line options override the environment: the CLI builds `Settings(**overrides)` with only
the options the user gave, and pydantic-settings fills the rest from the environment.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATABASE_FILE = "milestone.db"
DEFAULT_SETTLE_GRACE_SECONDS = 3_600
"""How long after an epoch ends its trips may still arrive and count, unless configured."""
DEFAULT_DISPUTE_WINDOW_SECONDS = 30 * 86_400
"""How long after an epoch's finalization its per-trip rows are kept, unless configured."""


class Settings(BaseSettings):
    """Where Milestone keeps its data and which database and chain it talks to."""

    model_config = SettingsConfigDict(env_prefix="MILESTONE_", extra="ignore")

    data_dir: Path = Path(".milestone")
    """Directory of the default SQLite database and, later, the embedded chain."""

    database_url: str = ""
    """SQLAlchemy URL; empty means the SQLite file `milestone.db` in `data_dir`."""

    chain_url: str | None = None
    """JSON-RPC URL of an EVM node; None means the embedded chain in `data_dir`."""

    operator_key: SecretStr | None = None
    """The operator's private key (hex); None means `keys/operator.key` in `data_dir`, made on
    first use. A remote chain needs a key funded there."""

    beacon_key: str | None = None
    """Hex key sealing the beacon secret; None means `keys/beacon.key` in `data_dir`."""

    settle_grace_seconds: int = Field(default=DEFAULT_SETTLE_GRACE_SECONDS, ge=0)
    """How long after an epoch ends its trips may still arrive and count for it. Settlement
    and the telemetry intake read it both: every process of a deployment must share it."""

    dispute_window_seconds: int = Field(default=DEFAULT_DISPUTE_WINDOW_SECONDS, ge=0)
    """How long after an epoch's finalization its raw envelopes, trips, rejections and
    weights are kept (the time to dispute it with the evidence at hand); retention removes
    them after (`milestone prune`, and settlement on its own). The epoch file keeps the rest."""

    database_read_url: str | None = None
    """SQLAlchemy URL of a PostgreSQL streaming replica the API reads from; None: the primary."""

    chain_public_url: str | None = None
    """The node's JSON-RPC URL as browsers reach it, when not `chain_url` (a public gateway)."""

    api_secret: SecretStr | None = None
    """Secret signing the API's tokens; None keeps a random one in `data_dir` (one machine).
    Replicas behind a load balancer must share it."""

    api_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    """Lifetime of a log-in token: short, since a token cannot be revoked before it expires."""

    api_login_per_minute: int = Field(default=10, ge=1)
    """Log-in attempts a client may make per minute (per client address and route)."""

    api_writes_per_minute: int = Field(default=120, ge=1)
    """Requests a client may make per minute to each write route."""

    api_proof_cache: int = Field(default=100_000, ge=0)
    """Proofs of finalized epochs each worker keeps, ready to send (0: compute every time)."""

    webhooks_in_serve: bool = True
    """Whether `milestone serve` runs the webhook dispatcher (a thread in each worker)."""

    webhooks_max_attempts: int = Field(default=8, ge=1, le=100)
    """Failed attempts after which a delivery is dead (kept for `milestone webhooks replay`)."""

    webhooks_backoff_seconds: int = Field(default=5, ge=1)
    """Wait after a first failure; it doubles with each further one (with jitter)."""

    webhooks_backoff_cap_seconds: int = Field(default=3_600, ge=1)
    """The longest wait between two attempts."""

    webhooks_timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    """How long a receiver has to answer one delivery."""

    webhooks_lease_seconds: int = Field(default=60, ge=2)
    """How long a dispatcher holds a subscription before another may take over (after a crash)."""

    webhooks_record_every: int = Field(default=1, ge=1, le=1_000)
    """Deliveries recorded per transaction: a crash re-sends at most this many (same ids)."""

    webhooks_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    """How often an idle dispatcher looks for new events."""

    time_zone: str = "Asia/Shanghai"
    """The program's time zone (IANA name): the web app shows dates and times in it, labelled,
    and a calendar date typed there (a campaign's days, a payment date) is a day in it."""

    web_dir: Path | None = None
    """Serve the web app's built files from this directory instead of the installed package's."""

    @model_validator(mode="after")
    def _known_time_zone(self) -> Settings:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"time_zone: {self.time_zone!r} is not an IANA time zone") from None
        return self

    @model_validator(mode="after")
    def _default_database_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / DATABASE_FILE}"
        return self

    @model_validator(mode="after")
    def _read_replica_is_postgresql(self) -> Settings:
        # A SQLite file has no streaming replica; reading a copy of it would lose writes.
        if self.database_read_url and not self.database_read_url.startswith(
            ("postgresql", "postgres:")
        ):
            raise ValueError(
                "database_read_url must be a PostgreSQL streaming replica "
                "(postgresql://...): reads from any other copy could miss writes"
            )
        return self


def operator_key_of(settings: Settings) -> str | None:
    """The configured operator key in clear, for the one place that signs with it."""
    return None if settings.operator_key is None else settings.operator_key.get_secret_value()


def api_secret_of(settings: Settings) -> str | None:
    """The configured API token secret in clear, for the one place that signs with it."""
    return None if settings.api_secret is None else settings.api_secret.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with the given non-None values taking precedence."""
    given = {name: value for name, value in overrides.items() if value is not None}
    return Settings(**given)  # type: ignore[arg-type]
