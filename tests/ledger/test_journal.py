"""Posting to the journal: balances, the hash chain, idempotency, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from milestone.clock import ManualClock
from milestone.ledger import (
    ACTIVITY_RESERVE,
    PAYOUT,
    SUPPLY,
    Asset,
    Posting,
    TransactionRequest,
    balance_of,
    dividend_account,
    find_entry,
    get_entry,
    open_accounts,
    post_transaction,
    post_transactions,
    read_head,
    transfer,
)
from milestone.ledger.encoding import chain_hash, encode_entry_body
from milestone.ledger.errors import EntryNotFound, IdempotencyConflict, LedgerError
from milestone.program.service import Program
from milestone.rules.units import MAX_AMOUNT, stones
from milestone.storage import Database

STONE = Asset.STONE


def test_a_transfer_moves_pebbles_and_chains_onto_the_head(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", stones(10))
    with database.transaction() as session:
        head = read_head(session)
        entry = post_transaction(
            session, clock, "gift", "gift-1", transfer("owner:1", "owner:2", stones(3)), {"n": 1}
        )
    assert entry.seq == head.seq + 1 and entry.prev_hash == head.hash
    assert not entry.replayed
    with database.session() as session:
        assert balance_of(session, "owner:1") == stones(7)
        assert balance_of(session, "owner:2") == stones(3)
        assert read_head(session).hash == entry.hash
        assert get_entry(session, entry.seq) == entry
        assert find_entry(session, "gift-1") == entry
        assert find_entry(session, "gift-2") is None


def test_the_hash_is_keccak_of_the_previous_hash_and_the_canonical_body(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", 5)
    with database.transaction() as session:
        entry = post_transaction(session, clock, "gift", "k", transfer("owner:1", "owner:2", 5))
    body = encode_entry_body(
        seq=entry.seq,
        created_at=entry.created_at,
        epoch=entry.epoch,
        kind="gift",
        idempotency_key="k",
        metadata_json="{}",
        postings=[("owner:1", "STONE", -5), ("owner:2", "STONE", 5)],
    )
    assert entry.hash == chain_hash(entry.prev_hash, body)


def test_each_entry_is_stamped_with_the_epoch_of_its_time(
    database: Database, clock: ManualClock, program: Program, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", 10)
    clock.set(program.genesis + 3 * 86_400 + 5)
    with database.transaction() as session:
        entry = post_transaction(session, clock, "gift", "g", transfer("owner:1", "owner:2", 1))
    assert (entry.created_at, entry.epoch) == (program.genesis + 3 * 86_400 + 5, 3)


def test_a_clock_behind_the_head_never_stamps_an_entry_before_its_predecessor(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    clock.advance(1_000)
    fund("owner:1", 10)
    late_clock = ManualClock(clock.now() - 500)
    with database.transaction() as session:
        entry = post_transaction(
            session, late_clock, "gift", "g", transfer("owner:1", "owner:2", 1)
        )
    assert entry.created_at == clock.now()


def test_a_repeated_key_with_the_same_content_returns_the_first_entry_and_changes_nothing(
    database: Database,
    clock: ManualClock,
    fund: Callable[[str, int], None],
    snapshot: Callable[[], Any],
) -> None:
    fund("owner:1", 10)
    with database.transaction() as session:
        first = post_transaction(session, clock, "gift", "once", transfer("owner:1", "owner:2", 4))
    before = snapshot()
    clock.advance(60)
    with database.transaction() as session:
        again = post_transaction(session, clock, "gift", "once", transfer("owner:1", "owner:2", 4))
    assert again == first and again.replayed
    assert snapshot() == before


@pytest.mark.parametrize(
    ("kind", "postings", "metadata"),
    [
        ("gift", transfer("owner:1", "owner:2", 5), None),
        ("tip", transfer("owner:1", "owner:2", 4), None),
        ("gift", transfer("owner:1", "owner:3", 4), None),
        ("gift", list(reversed(transfer("owner:1", "owner:2", 4))), None),
        ("gift", transfer("owner:1", "owner:2", 4), {"note": "changed"}),
    ],
    ids=["amount", "kind", "account", "order", "metadata"],
)
def test_a_repeated_key_with_different_content_is_a_conflict(
    database: Database,
    clock: ManualClock,
    fund: Callable[[str, int], None],
    snapshot: Callable[[], Any],
    kind: str,
    postings: list[Posting],
    metadata: dict[str, str] | None,
) -> None:
    fund("owner:1", 10)
    with database.transaction() as session:
        first = post_transaction(session, clock, "gift", "once", transfer("owner:1", "owner:2", 4))
    before = snapshot()
    with database.transaction() as session, pytest.raises(IdempotencyConflict) as refused:
        post_transaction(session, clock, kind, "once", postings, metadata)
    assert refused.value.code == "idempotency_conflict"
    assert refused.value.details["seq"] == first.seq
    assert snapshot() == before


BAD_INPUT: list[tuple[str, Callable[[], TransactionRequest]]] = [
    ("empty_transaction", lambda: TransactionRequest("gift", "k", [])),
    (
        "unbalanced_postings",
        lambda: TransactionRequest(
            "gift", "k", [Posting("owner:1", STONE, -5), Posting("owner:2", STONE, 4)]
        ),
    ),
    (
        "unbalanced_postings",
        lambda: TransactionRequest(
            "gift", "k", [Posting("owner:1", STONE, -5), Posting("owner:2", Asset.CNY_FEN, 5)]
        ),
    ),
    (
        "unknown_account",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:99", 1)),
    ),
    (
        "invalid_account",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:01", 1)),
    ),
    (
        "invalid_account",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "wallet:1", 1)),
    ),
    (
        "invalid_account",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "reserve:x", 1)),
    ),
    (
        "invalid_account",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:-2", 1)),
    ),
    (
        "unknown_asset",
        lambda: TransactionRequest(
            "gift", "k", [Posting("owner:1", "BTC", -1), Posting("owner:2", "BTC", 1)]
        ),
    ),  # type: ignore[arg-type]
    (
        "asset_not_allowed",
        lambda: TransactionRequest(
            "gift", "k", transfer("owner:1", "merchant:1", 1, Asset.CNY_FEN)
        ),
    ),
    (
        "negative_amount",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:2", -5)),
    ),
    (
        "zero_amount",
        lambda: TransactionRequest(
            "gift", "k", [Posting("owner:1", STONE, 0), Posting("owner:2", STONE, 0)]
        ),
    ),
    (
        "amount_out_of_range",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:2", 2**63)),
    ),
    (
        "amount_out_of_range",
        lambda: TransactionRequest(
            "gift", "k", [Posting("owner:1", STONE, -(2**64)), Posting("owner:2", STONE, 2**64)]
        ),
    ),
    (
        "amount_out_of_range",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:2", 1.5)),
    ),  # type: ignore[arg-type]
    (
        "amount_out_of_range",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:2", True)),
    ),
    (
        "insufficient_balance",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:2", 101)),
    ),
    (
        "insufficient_balance",
        lambda: TransactionRequest("gift", "k", transfer("merchant:1", "owner:2", 1)),
    ),
    ("invalid_kind", lambda: TransactionRequest("Gift!", "k", transfer("owner:1", "owner:2", 1))),
    (
        "invalid_idempotency_key",
        lambda: TransactionRequest("gift", "", transfer("owner:1", "owner:2", 1)),
    ),
    (
        "invalid_idempotency_key",
        lambda: TransactionRequest("gift", "with space", transfer("owner:1", "owner:2", 1)),
    ),
    (
        "invalid_idempotency_key",
        lambda: TransactionRequest("gift", "k" * 129, transfer("owner:1", "owner:2", 1)),
    ),
    (
        "invalid_metadata",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:2", 1), {"rate": 0.5}),
    ),
    (
        "invalid_metadata",
        lambda: TransactionRequest("gift", "k", transfer("owner:1", "owner:2", 1), {1: "x"}),
    ),  # type: ignore[dict-item]
    (
        "invalid_metadata",
        lambda: TransactionRequest(
            "gift", "k", transfer("owner:1", "owner:2", 1), {"text": "\ud800"}
        ),
    ),
    (
        "invalid_metadata",
        lambda: TransactionRequest(
            "gift", "k", transfer("owner:1", "owner:2", 1), {"blob": "x" * 20_000}
        ),
    ),
]


@pytest.mark.parametrize(("code", "make"), BAD_INPUT, ids=[code for code, _ in BAD_INPUT])
def test_bad_input_raises_its_named_error_and_changes_nothing(
    database: Database,
    clock: ManualClock,
    fund: Callable[[str, int], None],
    snapshot: Callable[[], Any],
    code: str,
    make: Callable[[], TransactionRequest],
) -> None:
    fund("owner:1", 100)
    before = snapshot()
    # Commit the session after the refusal: a refused transaction must not have written anything.
    with database.transaction() as session:
        with pytest.raises(LedgerError) as refused:
            request = make()
            post_transaction(
                session,
                clock,
                request.kind,
                request.idempotency_key,
                request.postings,
                request.metadata,
            )
        assert refused.value.code == code
    assert snapshot() == before


def test_a_balance_beyond_64_bits_is_refused(
    database: Database, clock: ManualClock, accounts: tuple[str, ...], snapshot: Callable[[], Any]
) -> None:
    with database.transaction() as session:
        post_transaction(
            session, clock, "fen", "max", transfer(SUPPLY, "owner:1", MAX_AMOUNT, Asset.CNY_FEN)
        )
    before = snapshot()
    with database.transaction() as session, pytest.raises(LedgerError) as refused:
        post_transaction(
            session, clock, "fen", "one", transfer(SUPPLY, "owner:1", 1, Asset.CNY_FEN)
        )
    assert refused.value.code == "balance_out_of_range"
    assert snapshot() == before


def test_only_supply_goes_negative_and_the_database_itself_refuses_a_negative_balance(
    database: Database, program: Program
) -> None:
    with database.session() as session:
        assert balance_of(session, SUPPLY) == -program.parameters.total_supply
    with database.transaction() as session, pytest.raises(IntegrityError):
        session.execute(
            text("UPDATE ledger_balance SET balance = -1 WHERE account = 'reserve:mining'")
        )


def test_dividend_fen_flow_from_supply_to_owner_to_payout(
    database: Database, clock: ManualClock, accounts: tuple[str, ...]
) -> None:
    fen = Asset.CNY_FEN
    with database.transaction() as session:
        open_accounts(session, clock, [dividend_account(1)])
        post_transaction(
            session, clock, "dividend", "d1", transfer(SUPPLY, "dividend:1", 1_000, fen)
        )
        post_transaction(
            session,
            clock,
            "entitlement",
            "d1-e",
            [
                Posting("dividend:1", fen, -1_000),
                Posting("owner:1", fen, 600),
                Posting("owner:2", fen, 400),
            ],
        )
        post_transaction(session, clock, "payout", "d1-p1", transfer("owner:1", PAYOUT, 600, fen))
    with database.session() as session:
        assert [
            balance_of(session, a, fen)
            for a in (SUPPLY, "dividend:1", "owner:1", "owner:2", PAYOUT)
        ] == [-1_000, 0, 0, 400, 600]
        assert balance_of(session, "owner:1", STONE) == 0


def test_a_batch_posts_in_order_and_chains_each_entry_to_the_one_before(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", 10)
    requests = [
        TransactionRequest("gift", f"b{i}", transfer("owner:1", f"owner:{2 + i % 2}", 1 + i))
        for i in range(4)
    ]
    with database.transaction() as session:
        head = read_head(session)
        entries = post_transactions(session, clock, requests)
    assert [e.seq for e in entries] == [head.seq + 1 + i for i in range(4)]
    assert [e.prev_hash for e in entries] == [head.hash] + [e.hash for e in entries[:-1]]
    with database.session() as session:
        assert [balance_of(session, a) for a in ("owner:1", "owner:2", "owner:3")] == [0, 4, 6]
        assert [get_entry(session, e.seq) for e in entries] == entries


def test_a_batch_is_all_or_nothing(
    database: Database,
    clock: ManualClock,
    fund: Callable[[str, int], None],
    snapshot: Callable[[], Any],
) -> None:
    fund("owner:1", 10)
    before = snapshot()
    requests = [
        TransactionRequest("gift", "ok", transfer("owner:1", "owner:2", 6)),
        TransactionRequest("gift", "overdraw", transfer("owner:1", "owner:3", 6)),
    ]
    with database.transaction() as session:
        with pytest.raises(LedgerError) as refused:
            post_transactions(session, clock, requests)
        assert refused.value.code == "insufficient_balance"
    assert snapshot() == before


def test_a_key_repeated_inside_a_batch_is_a_replay_or_a_conflict(
    database: Database, clock: ManualClock, fund: Callable[[str, int], None]
) -> None:
    fund("owner:1", 10)
    same = TransactionRequest("gift", "twice", transfer("owner:1", "owner:2", 3))
    with database.transaction() as session:
        first, second = post_transactions(session, clock, [same, same])
    assert second == first and second.replayed and not first.replayed
    with database.session() as session:
        assert balance_of(session, "owner:2") == 3
    other = TransactionRequest("gift", "thrice", transfer("owner:1", "owner:2", 1))
    clash = TransactionRequest("gift", "thrice", transfer("owner:1", "owner:2", 2))
    with database.transaction() as session, pytest.raises(IdempotencyConflict):
        post_transactions(session, clock, [other, clash])


def test_an_unknown_entry_is_named(database: Database, program: Program) -> None:
    with database.session() as session, pytest.raises(EntryNotFound):
        get_entry(session, 999)


def test_reserves_hold_the_supply_after_genesis(database: Database, program: Program) -> None:
    with database.session() as session:
        assert balance_of(session, ACTIVITY_RESERVE) == program.parameters.activity.pool
