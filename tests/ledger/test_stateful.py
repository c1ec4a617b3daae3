"""The ledger against a plain Python model, driven by hypothesis through random sequences of
grants, transfers, orders, refunds, fulfilments, batches, retries and refused requests.

After every step: each balance equals the model's, every asset sums to zero over all
accounts, no balance but `supply`'s is negative, and `verify_ledger` passes.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from milestone.clock import ManualClock
from milestone.ledger import (
    ACTIVITY_RESERVE,
    BURNED,
    SUPPLY,
    Asset,
    JournalEntry,
    Posting,
    TransactionRequest,
    open_accounts,
    post_transactions,
    verify_ledger,
)
from milestone.ledger.errors import IdempotencyConflict, InsufficientBalance, LedgerError
from milestone.ledger.models import BalanceRecord
from milestone.program.service import create_program
from milestone.rules.params import get_preset
from milestone.storage import Database

OWNERS = ("owner:1", "owner:2", "owner:3")
MERCHANTS = ("merchant:1", "merchant:2")
amounts = st.integers(min_value=1, max_value=5_000)
owners = st.sampled_from(OWNERS)
GENESIS = 1_767_225_600

Balances = dict[tuple[str, str], int]


@dataclass(frozen=True)
class Order:
    owner: str
    merchant: str
    amount: int
    key: str


def moving(kind: str, key: str, source: str, destination: str, amount: int) -> TransactionRequest:
    postings = [Posting(source, Asset.STONE, -amount), Posting(destination, Asset.STONE, amount)]
    return TransactionRequest(kind, key, postings)


class LedgerMachine(RuleBasedStateMachine):
    orders = Bundle("orders")
    posted = Bundle("posted")

    def __init__(self, database: Database, reset: Callable[[], None]) -> None:
        super().__init__()
        reset()  # every example starts from a fresh program, so failures replay and shrink
        self.database, self.clock = database, ManualClock(GENESIS)
        with database.transaction() as session:
            create_program(session, self.clock, get_preset("minimal"), genesis=GENESIS)
            open_accounts(session, self.clock, [*OWNERS, *MERCHANTS])
        self.counter = itertools.count()
        self.model: Balances = defaultdict(int, read_balances(database))
        self.refunded: set[str] = set()

    def key(self, kind: str) -> str:
        return f"{kind}-{next(self.counter)}"

    def post(self, requests: Sequence[TransactionRequest]) -> list[JournalEntry] | None:
        """Post as the model predicts: the entries if it should succeed, None if refused."""
        trial: Balances = defaultdict(int, self.model)
        affordable = True
        for request in requests:
            for posting in request.postings:
                pair = (posting.account, posting.asset.value)
                trial[pair] += posting.amount
                affordable &= trial[pair] >= 0 or posting.account == SUPPLY
        self.clock.advance(37)
        try:
            entries = self.database.run(lambda s: post_transactions(s, self.clock, requests))
        except InsufficientBalance:
            assert not affordable, "the ledger refused what the model can afford"
            return None
        assert affordable, "the ledger overdrew an account"
        assert not any(entry.replayed for entry in entries)
        self.model = trial
        return entries

    @rule(target=posted, owner=owners, amount=amounts)
    def grant(self, owner: str, amount: int) -> object:
        request = moving("grant", self.key("grant"), ACTIVITY_RESERVE, owner, amount)
        return request if self.post([request]) else multiple()

    @rule(target=posted, source=owners, destination=owners, amount=amounts)
    def transfer(self, source: str, destination: str, amount: int) -> object:
        request = moving("transfer", self.key("transfer"), source, destination, amount)
        return request if self.post([request]) else multiple()

    @rule(target=orders, owner=owners, merchant=st.sampled_from(MERCHANTS), amount=amounts)
    def order(self, owner: str, merchant: str, amount: int) -> object:
        key = self.key("order")
        placed = self.post([moving("order", key, owner, merchant, amount)])
        return Order(owner, merchant, amount, key) if placed else multiple()

    @rule(order=orders)
    def refund(self, order: Order) -> None:
        # Keyed by the order: asking twice must refund once.
        request = moving("refund", f"refund-{order.key}", order.merchant, order.owner, order.amount)
        if order.key in self.refunded:
            self.replay(request)
        elif self.post([request]):
            self.refunded.add(order.key)

    @rule(order=orders)
    def fulfil(self, order: Order) -> None:
        self.post([moving("fulfil", self.key("fulfil"), order.merchant, BURNED, order.amount)])

    @rule(moves=st.lists(st.tuples(owners, owners, amounts), min_size=1, max_size=6))
    def batch(self, moves: list[tuple[str, str, int]]) -> None:
        self.post([moving("transfer", self.key("batch"), a, b, amount) for a, b, amount in moves])

    @rule(request=posted)
    def replay(self, request: TransactionRequest) -> None:
        before = dict(self.model)
        self.clock.advance(5)
        (entry,) = self.database.run(lambda s: post_transactions(s, self.clock, [request]))
        assert entry.replayed and entry.idempotency_key == request.idempotency_key
        assert self.model == before

    @rule(request=posted, extra=amounts)
    def conflicting_retry(self, request: TransactionRequest, extra: int) -> None:
        changed = TransactionRequest(
            request.kind,
            request.idempotency_key,
            [
                Posting(p.account, p.asset, p.amount + (extra if p.amount > 0 else -extra))
                for p in request.postings
            ],
        )
        try:
            self.database.run(lambda s: post_transactions(s, self.clock, [changed]))
        except IdempotencyConflict:
            return
        raise AssertionError("a reused key with different content was accepted")

    @rule(owner=owners, amount=amounts)
    def unbalanced(self, owner: str, amount: int) -> None:
        request = TransactionRequest(
            "broken",
            self.key("broken"),
            [
                Posting(owner, Asset.STONE, -amount),
                Posting(ACTIVITY_RESERVE, Asset.STONE, amount + 1),
            ],
        )
        try:
            self.database.run(lambda s: post_transactions(s, self.clock, [request]))
        except LedgerError as error:
            assert error.code == "unbalanced_postings"
        else:
            raise AssertionError("unbalanced postings were accepted")

    @invariant()
    def ledger_matches_the_model(self) -> None:
        stored = read_balances(self.database)
        assert stored == {pair: b for pair, b in self.model.items() if pair in stored or b}
        sums: dict[str, int] = defaultdict(int)
        for (account, asset), balance in stored.items():
            sums[asset] += balance
            assert balance >= 0 or account == SUPPLY
        assert all(total == 0 for total in sums.values())
        with self.database.snapshot() as session:
            report = verify_ledger(session)
        assert report.ok, report.problems


def read_balances(database: Database) -> Balances:
    with database.session() as session:
        rows = session.execute(
            select(BalanceRecord.account, BalanceRecord.asset, BalanceRecord.balance)
        )
        return {(account, asset): balance for account, asset, balance in rows}


def test_the_ledger_behaves_like_its_model(
    database: Database, reset_database: Callable[[], None]
) -> None:
    run_state_machine_as_test(
        lambda: LedgerMachine(database, reset_database),
        settings=settings(
            max_examples=20,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
