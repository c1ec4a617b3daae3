"""Roles and the principal a request acts as, once its credentials were checked."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    """A car owner using the app: sees and acts on their own data only."""
    OPERATOR = "operator"
    """The car maker's user-operations team: vehicles, campaigns, merchants, dividends, epochs."""
    AUDITOR = "auditor"
    """Reads everything an operator reads, changes nothing."""


class KeyHolder(StrEnum):
    MERCHANT = "merchant"
    """A merchant's system: its catalogue and the orders placed with it."""
    SALES = "sales"
    """A dealer's sales system: confirms delivered purchases for referrals."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user (by token) or a key holder (by API key)."""

    kind: str
    """`user` or `key`."""
    subject: int
    """The user id, or the merchant or sales system id of a key holder."""
    role: Role | None = None
    owner_id: int | None = None
    """The registry owner a user with the owner role is, None for other users."""
    holder: KeyHolder | None = None
    merchant_id: int | None = None
    """The merchant a merchant key belongs to."""
    sales_system_id: int | None = None
    """The sales system a sales key belongs to."""

    @property
    def label(self) -> str:
        """A short name for logs and audit trails, e.g. `user:3` or `key:7`."""
        return f"{self.kind}:{self.subject}"
