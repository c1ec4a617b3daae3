"""What a forger with write access to the database does: edit rows, then recompute the hashes
with the documented encoding so that the journal is consistent with itself again."""

from __future__ import annotations

from sqlalchemy import text

from milestone.ledger.encoding import chain_hash, encode_entry_body
from milestone.storage import Database


def tamper(database: Database, statement: str, **values: object) -> None:
    """Edit a row behind the ledger's back."""
    with database.engine.begin() as connection:
        connection.execute(text(statement), values)


def rehash_from(database: Database, seq: int, through: int | None = None) -> None:
    """What a forger with database access would do: recompute the hashes from `seq` on."""
    last = through if through is not None else 2**62
    with database.engine.begin() as connection:
        prev = bytes(
            connection.execute(
                text("SELECT hash FROM journal_entry WHERE seq = :s"), {"s": seq - 1}
            ).scalar_one()
        )
        for entry in connection.execute(
            text("SELECT * FROM journal_entry WHERE seq BETWEEN :s AND :e ORDER BY seq"),
            {"s": seq, "e": last},
        ).all():
            postings = connection.execute(
                text(
                    "SELECT account, asset, amount FROM journal_posting WHERE entry_seq = :s "
                    "ORDER BY position"
                ),
                {"s": entry.seq},
            ).all()
            body = encode_entry_body(
                seq=entry.seq,
                created_at=entry.created_at,
                epoch=entry.epoch,
                kind=entry.kind,
                idempotency_key=entry.idempotency_key,
                metadata_json=entry.metadata,
                postings=[tuple(p) for p in postings],
            )
            prev_hash, prev = prev, chain_hash(prev, body)
            connection.execute(
                text("UPDATE journal_entry SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev_hash, "h": prev, "s": entry.seq},
            )
        if through is None:
            connection.execute(text("UPDATE journal_head SET hash = :h"), {"h": prev})
