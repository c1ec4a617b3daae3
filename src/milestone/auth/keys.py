"""API keys for merchants and the sales system.

A key is 32 random bytes, shown once when issued and never stored: the table keeps its SHA-256
digest. A fast hash is enough here (unlike passwords) because the key has 256 bits of entropy,
and it lets every request find its key with one indexed lookup.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from milestone.auth.errors import ApiKeyNotFound, InvalidApiKey, InvalidRole
from milestone.auth.models import ApiKeyRecord
from milestone.auth.principals import KeyHolder
from milestone.clock import Clock

KEY_PREFIX = "msk_"
"""Marks Milestone keys, so secret scanners and people can recognise a leaked one."""
PREFIX_SHOWN = 12
MAX_LABEL = 64


@dataclass(frozen=True)
class ApiKey:
    id: int
    prefix: str
    holder: KeyHolder
    merchant_id: int | None
    label: str
    created_at: int
    revoked_at: int | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    secret: str
    """The key itself: give it to its holder now, it cannot be shown again."""


def issue_api_key(
    session: Session,
    clock: Clock,
    holder: KeyHolder | str,
    *,
    merchant_id: int | None = None,
    label: str = "",
) -> IssuedKey:
    """A new key for a merchant (naming it) or for the sales system. No commit."""
    holder = _holder(holder)
    if (holder is KeyHolder.MERCHANT) != (merchant_id is not None):
        raise InvalidRole("exactly the merchant keys name a merchant")
    label = label.strip()[:MAX_LABEL]
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key_id = session.execute(
        insert(ApiKeyRecord)
        .values(
            digest=digest_of(secret), prefix=secret[:PREFIX_SHOWN], holder=holder.value,
            merchant_id=merchant_id, label=label, created_at=clock.now(), revoked_at=None,
        )
        .returning(ApiKeyRecord.id)
    ).scalar_one()
    return IssuedKey(get_api_key(session, key_id), secret)


def authenticate_api_key(session: Session, secret: str) -> ApiKey:
    """The active key whose secret this is; `InvalidApiKey` otherwise."""
    record = session.execute(
        select(ApiKeyRecord).where(ApiKeyRecord.digest == digest_of(secret))
    ).scalar_one_or_none()
    if record is None or record.revoked_at is not None:
        raise InvalidApiKey("unknown or revoked API key")
    return _key(record)


def revoke_api_key(session: Session, clock: Clock, key_id: int) -> ApiKey:
    """Refuse the key from now on (idempotent). No commit."""
    key = get_api_key(session, key_id)
    if key.active:
        session.execute(
            update(ApiKeyRecord).where(ApiKeyRecord.id == key_id).values(revoked_at=clock.now())
        )
    return get_api_key(session, key_id)


def get_api_key(session: Session, key_id: int) -> ApiKey:
    record = session.get(ApiKeyRecord, key_id, populate_existing=True)
    if record is None:
        raise ApiKeyNotFound(f"no API key {key_id}", key_id=key_id)
    return _key(record)


def list_api_keys(
    session: Session, holder: KeyHolder | None = None, merchant_id: int | None = None
) -> list[ApiKey]:
    query = select(ApiKeyRecord).order_by(ApiKeyRecord.id)
    if holder is not None:
        query = query.where(ApiKeyRecord.holder == holder.value)
    if merchant_id is not None:
        query = query.where(ApiKeyRecord.merchant_id == merchant_id)
    return [_key(record) for record in session.execute(query).scalars()]


def digest_of(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


def _holder(holder: KeyHolder | str) -> KeyHolder:
    try:
        return KeyHolder(holder)
    except ValueError:
        raise InvalidRole(f"no key holder {holder!r}; holders are {', '.join(KeyHolder)}") from None


def _key(record: ApiKeyRecord) -> ApiKey:
    return ApiKey(
        id=record.id, prefix=record.prefix, holder=KeyHolder(record.holder),
        merchant_id=record.merchant_id, label=record.label, created_at=record.created_at,
        revoked_at=record.revoked_at,
    )
