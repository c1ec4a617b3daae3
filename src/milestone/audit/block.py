"""An epoch file's journal block (version 3): its head, its order, every balance, every total.

From the previous epoch's committed head and balances, the block's entries are chained again
(`rules.journal`), applied one by one to every account (owners by address, every other account
by name) and each checked against its justification (`audit.justify`). What comes out must be
the file's journal head, its balances and its other accounts, its rewards and flows, and the
totals it commits: nothing changes a balance without an entry, and no entry without a rule.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from milestone.audit.justify import SETTLEMENT_RULES, BalancesAt, BlockContext, check_justification
from milestone.epochs.epochfile import EpochFile
from milestone.rules.journal import (
    ENTRY_FIELDS,
    calculate_activity_paid,
    calculate_block_head,
)

Fail = Callable[[str, str], None]
OWNER = re.compile(r"0x[0-9a-f]{40}")
NAMED = re.compile(r"(supply|reserve:mining|reserve:activity|budget:activity|treasury|burned"
                   r"|payout|(campaign|merchant|dividend):[1-9][0-9]*)")
ASSETS = frozenset({"STONE", "CNY_FEN"})
MAY_GO_NEGATIVE = frozenset({"supply"})


@dataclass(frozen=True)
class BlockOutcome:
    """What the block leaves: every other account's balance (None if it could not be applied)."""

    accounts: dict[tuple[str, str], int] | None
    owner_stones: dict[bytes, int] | None
    checkins: dict[str, tuple[int, int]] | None = None
    """Each owner's last check-in after the block (None when the earlier ones are unknown)."""


def check_block(
    record: EpochFile,
    previous_balances: Mapping[bytes, int] | None,
    previous_accounts: Mapping[tuple[str, str], int] | None,
    balances_at: BalancesAt,
    fail: Fail,
    previous_checkins: Mapping[str, tuple[int, int]] | None = None,
) -> BlockOutcome:
    """Check the block of a version 3 file; `previous_*` None when the previous state is unknown."""
    block = record.block
    assert block is not None
    entries = list(block.entries)
    if not _well_formed(entries, record, fail):
        return BlockOutcome(None, None)
    head = calculate_block_head(record.journal_previous.hash, entries)
    if head != record.journal_head.hash:
        fail("journal_head_mismatch",
             "the entries do not chain from the previous head to the file's journal head")
    last = entries[-1]["seq"] if entries else record.journal_previous.seq
    if last != record.journal_head.seq:
        fail("journal_head_mismatch", f"the last entry is {last}, the head says "
             f"{record.journal_head.seq}")
    known = previous_balances is not None and previous_accounts is not None
    running: dict[tuple[str, str], int] = defaultdict(int)
    if known:
        assert previous_balances is not None and previous_accounts is not None
        running.update(previous_accounts)
        running.update({("0x" + a.hex(), "STONE"): b for a, b in previous_balances.items()})
    context = BlockContext(
        params=record.program.parameters,
        epoch=record.epoch,
        drops=record.drops,
        sales_keys=frozenset(block.sales_keys),
        balances_at=balances_at,
        balance=(lambda account, asset: running[(account, asset)]) if known else None,
        checkins=dict(previous_checkins or {}),
        checkins_complete=previous_checkins is not None,
    )
    for entry in entries:
        check_justification(entry, context, fail)
        for account, asset, amount in entry["postings"]:
            running[(account, asset)] += amount
            if known and running[(account, asset)] < 0 and account not in MAY_GO_NEGATIVE:
                fail("negative_balance",
                     f"entry {entry['seq']} takes {account} below zero ({asset})")
    _check_derived(record, entries, fail)
    checkins = context.checkins if previous_checkins is not None else None
    if not known:
        return BlockOutcome(None, None, checkins)
    owner_stones = {
        bytes.fromhex(account[2:]): amount
        for (account, asset), amount in running.items()
        if asset == "STONE" and OWNER.fullmatch(account)
    }
    others = {key: amount for key, amount in running.items()
              if not (key[1] == "STONE" and OWNER.fullmatch(key[0]))}
    _compare_balances(record, owner_stones, others, fail)
    _check_block_totals(record, others, fail)
    return BlockOutcome(others, owner_stones, checkins)


def _well_formed(entries: list[Any], record: EpochFile, fail: Fail) -> bool:
    ok, previous_seq = True, None
    for index, entry in enumerate(entries):
        where = f"entry #{index}"
        if tuple(sorted(entry)) != ENTRY_FIELDS or not _postings_ok(entry.get("postings")):
            fail("entry_malformed", f"{where} is not a public journal entry")
            ok = False
            continue
        where = f"entry {entry['seq']}"
        if previous_seq is not None and entry["seq"] <= previous_seq:
            fail("entry_out_of_order", f"{where} comes after entry {previous_seq}")
        previous_seq = entry["seq"]
        sums: dict[str, int] = defaultdict(int)
        for _, asset, amount in entry["postings"]:
            sums[asset] += amount
        if any(sums.values()):
            fail("entry_unbalanced", f"{where}: its postings do not sum to zero per asset")
        rule = (entry.get("justification") or {}).get("rule")
        stamped = entry["epoch"] == record.epoch or (record.epoch == 0 and entry["epoch"] <= 0)
        if rule not in SETTLEMENT_RULES and not stamped:
            fail("entry_out_of_order", f"{where} is stamped with epoch {entry['epoch']}")
    return ok


def _postings_ok(postings: Any) -> bool:
    return isinstance(postings, list) and bool(postings) and all(
        isinstance(p, list) and len(p) == 3
        and isinstance(p[0], str) and (OWNER.fullmatch(p[0]) or NAMED.fullmatch(p[0]))
        and p[1] in ASSETS and type(p[2]) is int and p[2] != 0
        for p in postings
    )


def _check_derived(record: EpochFile, entries: list[Any], fail: Fail) -> None:
    """The file's rewards and flows are what its entries say."""
    mined: dict[bytes, int] = defaultdict(int)
    flows: dict[bytes, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        for account, asset, amount in entry["postings"]:
            if asset != "STONE" or not OWNER.fullmatch(account):
                continue
            address = bytes.fromhex(account[2:])
            if entry["kind"] == "mining":
                mined[address] += amount
            else:
                flows[address][entry["kind"]] += amount
    if dict(mined) != dict(record.rewards):
        fail("rewards_mismatch", "the mining entries do not pay exactly the rewards")
    derived = {a: {k: v for k, v in by.items() if v} for a, by in flows.items()}
    derived = {a: by for a, by in derived.items() if by}
    if derived != {a: dict(by) for a, by in record.flows.items()}:
        fail("flows_mismatch", "the flows are not the owners' postings of the block")


def _compare_balances(
    record: EpochFile,
    owner_stones: Mapping[bytes, int],
    others: Mapping[tuple[str, str], int],
    fail: Fail,
) -> None:
    wrong = sorted(a for a in set(owner_stones) | set(record.balances)
                   if owner_stones.get(a, 0) != record.balances.get(a, 0))
    if wrong:
        fail("balance_carry_mismatch",
             f"{len(wrong)} balance(s) are not the previous ones plus the block's postings, "
             f"first 0x{wrong[0].hex()}")
    block = record.block
    assert block is not None
    wrong_accounts = sorted(k for k in set(others) | set(block.accounts)
                            if others.get(k, 0) != block.accounts.get(k, 0))
    if wrong_accounts:
        account, asset = wrong_accounts[0]
        fail("account_balance_mismatch",
             f"{len(wrong_accounts)} account balance(s) are not the previous ones plus the "
             f"block's postings, first {account} ({asset})")


def _check_block_totals(
    record: EpochFile, others: Mapping[tuple[str, str], int], fail: Fail
) -> None:
    params, totals, block = record.program.parameters, record.totals, record.block
    assert block is not None
    burned = others.get(("burned", "STONE"), 0)
    if totals.cum_burned != burned:
        fail("totals_mismatch", f"cumulative burned should be {burned}, the burned account's")
    released = params.activity.pool - others.get(("reserve:activity", "STONE"), 0)
    paid = calculate_activity_paid(params.activity.pool, others)
    if block.activity_paid != paid:
        fail("totals_mismatch", f"activity paid should be {paid}")
    if paid > released:
        fail("schedule_exceeded", f"activity paid {paid} exceeds what was released {released}")
    if totals.cum_activity not in (released, paid):
        fail("totals_mismatch",
             f"cumulative activity should be the release {released} or what was paid {paid}")
    mined = params.mining.pool - others.get(("reserve:mining", "STONE"), 0)
    if totals.cum_mined != mined:
        fail("totals_mismatch", f"cumulative mined should be {mined}, what left the reserve")
