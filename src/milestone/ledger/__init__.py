"""The ledger: a tamper-evident double-entry journal of stones and dividend fen.

Services call `post_transaction` inside their own unit of work; reads go through `queries`.
"""

from milestone.ledger.accounts import (
    ACTIVITY_BUDGET,
    ACTIVITY_RESERVE,
    BURNED,
    MINING_RESERVE,
    PAYOUT,
    SUPPLY,
    SYSTEM_ACCOUNTS,
    TREASURY,
    Asset,
    campaign_account,
    dividend_account,
    merchant_account,
    owner_account,
)
from milestone.ledger.journal import (
    JournalEntry,
    find_entry,
    get_entry,
    open_account,
    open_accounts,
    post_transaction,
    post_transactions,
    read_head,
)
from milestone.ledger.postings import Posting, TransactionRequest, transfer
from milestone.ledger.queries import (
    HistoryLine,
    HistoryPage,
    Totals,
    balance_of,
    balances,
    history,
    totals,
)
from milestone.ledger.verify import Problem, VerifyReport, verify_ledger

__all__ = [
    "ACTIVITY_BUDGET",
    "ACTIVITY_RESERVE",
    "BURNED",
    "MINING_RESERVE",
    "PAYOUT",
    "SUPPLY",
    "SYSTEM_ACCOUNTS",
    "TREASURY",
    "Asset",
    "HistoryLine",
    "HistoryPage",
    "JournalEntry",
    "Posting",
    "Problem",
    "Totals",
    "TransactionRequest",
    "VerifyReport",
    "balance_of",
    "balances",
    "campaign_account",
    "dividend_account",
    "find_entry",
    "get_entry",
    "history",
    "merchant_account",
    "open_account",
    "open_accounts",
    "owner_account",
    "post_transaction",
    "post_transactions",
    "read_head",
    "totals",
    "transfer",
    "verify_ledger",
]
