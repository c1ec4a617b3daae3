"""Tables of the outbox and of the webhooks that deliver it.

`event` is the outbox: one row per change someone outside would act on, written in the same
transaction as the change. Its ids come from the single `event_head` row, taken under a row
lock, so ids are assigned in commit order: a reader that has seen event n will never later
find an event below n appear (a plain sequence gives no such promise on PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from milestone.storage.base import Base

# SQLite auto-increments only an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
Id = BigInteger().with_variant(Integer, "sqlite")


class EventHead(Base):
    """The id of the newest event: one row, locked by every transaction that emits."""

    __tablename__ = "event_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger)


class EventRecord(Base):
    """One event of the outbox: its type, when it happened, and its JSON payload."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(64), index=True)
    occurred_at: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)
    """Canonical JSON (sorted keys, no spaces): the `data` member of what is delivered."""


class WebhookSubscription(Base):
    """Where to deliver which events, with the secret that signs them, and who delivers now."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048))
    event_types: Mapped[str] = mapped_column(Text)
    """JSON list of the types delivered; an empty list means every type."""
    secret: Mapped[str] = mapped_column(String(128))
    """`whsec_` and the base64 key: kept in clear, since every delivery is signed with it."""
    created_at: Mapped[int] = mapped_column(BigInteger)
    enqueued_through: Mapped[int] = mapped_column(BigInteger)
    """The newest event considered for this subscription (a delivery row exists for each match)."""
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[int | None] = mapped_column(BigInteger)
    """A dispatcher holds the subscription until then: one delivery at a time, in order."""


class WebhookDelivery(Base):
    """One event for one subscription: pending, delivered, or dead after too many failures."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'delivered', 'dead')", name="known_status"),
        Index("ix_webhook_delivery_due", "subscription_id", "status", "event_id"),
    )

    subscription_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("webhook_subscription.id", ondelete="CASCADE"), primary_key=True,
        autoincrement=False,
    )
    event_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("event.id"), primary_key=True, autoincrement=False
    )
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    last_status: Mapped[int | None] = mapped_column(Integer)
    """The receiver's HTTP status of the last attempt (None: no answer)."""
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[int | None] = mapped_column(BigInteger)
