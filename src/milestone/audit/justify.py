"""Each journal entry of an epoch file against its justification: do its amounts follow a rule?

One function per rule, each given the entry, what the block has shown so far (`BlockContext`)
and a `fail(code, message)`. They read only the file (and, for a dividend, the balances of its
record epoch), and the program's parameters: the same numbers the services used, recomputed
with the same functions of `milestone.rules`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.exceptions import ValueError as NaclValueError
from nacl.signing import VerifyKey

from milestone.rules.activities import (
    calculate_checkin_reward,
    calculate_streak,
    calculate_vesting_instant,
    encode_delivery_confirmation,
)
from milestone.rules.dividends import split_dividend, split_stake_dividend
from milestone.rules.errors import RuleError
from milestone.rules.merkle import StandardMerkleTree
from milestone.rules.params import Parameters
from milestone.rules.schedule import calculate_epoch_budget
from milestone.rules.store import is_transfer_allowed

STONE, FEN = "STONE", "CNY_FEN"
REWARDED = "rewarded"
SETTLEMENT_RULES = {"drops", "activity_release", "genesis"}
"""Rules of entries that belong to the epoch they settle, whatever epoch stamps them."""
RULE_OF_KIND: dict[str, str] = {
    "genesis": "genesis",
    "mining": "drops",
    "activity.release": "activity_release",
    "activity.checkin": "checkin",
    "activity.referral": "referral",
    "activity.campaign.fund": "campaign_fund",
    "activity.campaign": "campaign",
    "activity.campaign.close": "campaign_close",
    "store.order": "order",
    "store.fulfil": "fulfil",
    "store.cancel": "refund",
    "store.refund": "refund",
    "owner.transfer": "transfer",
    "dividend.declare": "dividend_declare",
    "dividend.entitle": "dividend_entitle",
    "dividend.payout": "dividend_payout",
}
"""The rule that justifies each kind of journal entry; a kind not listed is never justified."""

Fail = Callable[[str, str], None]
BalancesAt = Callable[[int], Mapping[bytes, int] | None]
"""The owners' balances at the end of an epoch, from its verified file; None if unavailable."""


@dataclass
class BlockContext:
    """What one epoch's checks know: the file's own facts and what earlier entries showed."""

    params: Parameters
    epoch: int
    drops: Mapping[int, Mapping[bytes, int]]
    sales_keys: frozenset[str]
    balances_at: BalancesAt
    balance: Callable[[str, str], int] | None
    """The running balance of `(account, asset)` before the entry being checked; None when the
    previous epoch's balances are unknown."""
    checkins: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Each owner's last check-in `(day, streak)` seen so far."""
    checkins_complete: bool = False
    """True when `checkins` holds every earlier check-in (an audit from genesis): an owner not
    in it never checked in before."""
    vins: set[str] = field(default_factory=set)
    evidence: set[tuple[int, str]] = field(default_factory=set)
    participations: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))


def check_justification(entry: Mapping[str, Any], context: BlockContext, fail: Fail) -> None:
    """Check one entry against the rule its kind names; every problem through `fail`."""
    where = f"entry {entry['seq']} ({entry['kind']})"
    justification = entry.get("justification")
    rule = RULE_OF_KIND.get(entry["kind"])
    if not isinstance(justification, dict) or rule is None or justification.get("rule") != rule:
        fail("entry_unjustified", f"{where} has no justification under a rule")
        return
    try:
        CHECKS[rule](entry, justification, context, lambda message: fail(
            "justification_mismatch", f"{where}: {message}"
        ), fail)
    except (KeyError, TypeError, ValueError, RuleError) as error:
        fail("justification_mismatch", f"{where}: its justification is malformed ({error})")


Mismatch = Callable[[str], None]


def _net(entry: Mapping[str, Any], asset: str = STONE) -> dict[str, int]:
    net: dict[str, int] = defaultdict(int)
    for account, posted_asset, amount in entry["postings"]:
        if posted_asset == asset:
            net[account] += amount
    return {account: amount for account, amount in net.items() if amount}


def _is_owner(account: str) -> bool:
    return account.startswith("0x")


def _expect_moves(entry: Mapping[str, Any], expected: Mapping[str, int], mismatch: Mismatch,
                  asset: str = STONE) -> None:
    """The entry's postings net to exactly `expected` (zero amounts left out)."""
    wanted = {account: amount for account, amount in expected.items() if amount}
    actual = _net(entry, asset)
    if actual != wanted:
        wrong = sorted(a for a in set(wanted) | set(actual) if wanted.get(a) != actual.get(a))
        mismatch("the rule moves "
                 + ", ".join(f"{wanted.get(a, 0)} for {a}" for a in wrong)
                 + "; the entry moves "
                 + ", ".join(f"{actual.get(a, 0)}" for a in wrong))


def _single_owner(entry: Mapping[str, Any], sign: int, mismatch: Mismatch) -> str:
    owners = [a for a, amount in _net(entry).items() if _is_owner(a) and amount * sign > 0]
    if len(owners) != 1:
        mismatch("it does not move stones of exactly one owner")
        return ""
    return owners[0]


def _genesis(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    if ctx.epoch != 0:
        mismatch("genesis happens once, in the block of epoch 0")
    p = ctx.params
    _expect_moves(entry, {"supply": -p.total_supply, "reserve:mining": p.mining.pool,
                          "reserve:activity": p.activity.pool}, mismatch)


def _drops(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    if j["epoch"] != ctx.epoch:
        mismatch(f"it pays the drops of epoch {j['epoch']}")
    winner = _single_owner(entry, +1, mismatch)
    rounds = {int(r): int(a) for r, a in j["rounds"]}
    address = bytes.fromhex(winner[2:]) if winner else b""
    won = {r: by[address] for r, by in ctx.drops.items() if address in by}
    if rounds != won:
        mismatch("its rounds are not the drops this account won")
    _expect_moves(entry, {"reserve:mining": -sum(won.values()), winner: sum(won.values())},
                  mismatch)


def _activity_release(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch,
                      fail: Fail) -> None:
    if j["epoch"] != ctx.epoch:
        mismatch(f"it releases the budget of epoch {j['epoch']}")
    amount = calculate_epoch_budget(ctx.params.activity, ctx.epoch)
    _expect_moves(entry, {"reserve:activity": -amount, "budget:activity": amount}, mismatch)


def _checkin(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    owner = _single_owner(entry, +1, mismatch)
    day, streak = int(j["day"]), int(j["streak"])
    if day != entry["epoch"]:
        mismatch(f"day {day} is not the day the entry was made ({entry['epoch']})")
    earlier = ctx.checkins.get(owner)
    if earlier is not None and earlier[0] == day:
        fail("checkin_repeated",
             f"entry {entry['seq']}: {owner} checked in twice on day {day} (at most once a day)")
        return
    previous = None if j["previous"] is None else (int(j["previous"][0]), int(j["previous"][1]))
    if earlier is not None and previous != earlier:
        mismatch(f"its previous check-in is not the owner's last one {earlier}")
    elif earlier is None and previous is not None and ctx.checkins_complete:
        mismatch(f"it names a previous check-in {previous} the owner never made")
    if previous is not None and previous[0] >= day:
        fail("checkin_repeated",
             f"entry {entry['seq']}: {owner} checked in on day {previous[0]} already")
        return
    expected_streak = calculate_streak(None if previous is None else previous[0],
                                       0 if previous is None else previous[1], day)
    if streak != expected_streak:
        mismatch(f"the streak should be {expected_streak}, not {streak}")
    p = ctx.params
    reward = calculate_checkin_reward(
        expected_streak, p.checkin_base_reward, p.checkin_streak_bonus, p.checkin_streak_cap
    )
    _expect_moves(entry, {"budget:activity": -reward, owner: reward}, mismatch)
    ctx.checkins[owner] = (day, streak)


def _referral(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    where = f"entry {entry['seq']} (activity.referral)"
    c = j["confirmation"]
    key = j["sales_key"]
    if key not in ctx.sales_keys:
        fail("unknown_signer", f"{where}: {key} is not a sales system's key in this file")
    else:
        message = encode_delivery_confirmation(
            c["order_id"], c["vin"], int(c["buyer_id"]), int(c["delivered_at"])
        )
        try:
            VerifyKey(bytes.fromhex(key[2:])).verify(message, bytes.fromhex(c["signature"][2:]))
        except (BadSignatureError, NaclValueError):
            fail("signature_invalid", f"{where}: the delivery confirmation's signature fails")
    if c["vin"] in ctx.vins:
        mismatch(f"VIN {c['vin']} is rewarded twice")
    ctx.vins.add(c["vin"])
    p = ctx.params
    buyer, referrer = j["buyer"], j["referrer"]
    if buyer == referrer:
        mismatch("the buyer referred themself")
    referrer_reward = p.referral_referrer_reward if j["referrer_outcome"] == REWARDED else 0
    vests_at = None
    if p.referral_vesting_days > 0:
        vests_at = calculate_vesting_instant(int(c["delivered_at"]), p.referral_vesting_days)
    if j["vests_at"] != vests_at:
        mismatch(f"the reward should vest at {vests_at}")
    total = p.referral_buyer_reward + referrer_reward
    expected = defaultdict(int, {"budget:activity": -total})
    expected[buyer] += p.referral_buyer_reward
    expected[referrer] += referrer_reward
    _expect_moves(entry, expected, mismatch)


def _campaign_account(j: Mapping[str, Any]) -> str:
    return f"campaign:{int(j['campaign']['id'])}"


def _campaign_fund(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    budget = int(j["campaign"]["budget"])
    _expect_moves(entry, {"budget:activity": -budget, _campaign_account(j): budget}, mismatch)


def _campaign(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    campaign = j["campaign"]
    owner = _single_owner(entry, +1, mismatch)
    if not int(campaign["starts_at"]) <= entry["created_at"] < int(campaign["ends_at"]):
        mismatch("it was paid outside the campaign's window")
    proof = (int(campaign["id"]), str(j["evidence"]))
    if proof in ctx.evidence:
        mismatch("its evidence was already used")
    ctx.evidence.add(proof)
    ctx.participations[(proof[0], owner)] += 1
    if ctx.participations[(proof[0], owner)] > int(campaign["per_account_cap"]):
        mismatch(f"{owner} took part more often than the cap {campaign['per_account_cap']}")
    reward = int(campaign["reward"])
    _expect_moves(entry, {_campaign_account(j): -reward, owner: reward}, mismatch)


def _campaign_close(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch,
                    fail: Fail) -> None:
    account = _campaign_account(j)
    if ctx.balance is None:
        return
    remaining = ctx.balance(account, STONE)
    _expect_moves(entry, {account: -remaining, "budget:activity": remaining}, mismatch)


def _order(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    owner = _single_owner(entry, -1, mismatch)
    stones = int(j["stones"])
    _expect_moves(entry, {owner: -stones, j["merchant"]: stones}, mismatch)


def _fulfil(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    if j["fulfilled_to"] != ctx.params.fulfilled_orders_to:
        mismatch(f"fulfilled orders go to {ctx.params.fulfilled_orders_to}")
    to = "burned" if ctx.params.fulfilled_orders_to == "burn" else "treasury"
    stones = int(j["stones"])
    _expect_moves(entry, {j["merchant"]: -stones, to: stones}, mismatch)


def _refund(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    owner = _single_owner(entry, +1, mismatch)
    stones = int(j["stones"])
    _expect_moves(entry, {j["merchant"]: -stones, owner: stones}, mismatch)


def _transfer(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch, fail: Fail) -> None:
    policy = ctx.params.transfer_policy
    if j["policy"] != policy or not is_transfer_allowed(policy, bool(j["allowlisted"])):
        fail("transfer_not_allowed",
             f"entry {entry['seq']}: the {policy} transfer policy does not allow this transfer")
    net = _net(entry)
    if len(net) != 2 or not all(_is_owner(account) for account in net):
        mismatch("a transfer moves stones from one owner to another")


def _dividend_declare(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch,
                      fail: Fail) -> None:
    net = _net(entry, FEN)
    account = f"dividend:{int(j['dividend_id'])}"
    if set(net) != {"supply", account} or net[account] <= 0 or net["supply"] != -net[account]:
        mismatch("a declaration moves its amount of fen from supply to its dividend account")
    elif j["amount_fen"] is not None and net[account] != int(j["amount_fen"]) - int(
        j["issuer_fen"]
    ):
        mismatch("a declaration posts the holders' part: its amount less the issuer's")


def _dividend_entitle(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch,
                      fail: Fail) -> None:
    account = f"dividend:{int(j['dividend_id'])}"
    net = _net(entry, FEN)
    amount = -net.pop(account, 0)
    shares = {bytes.fromhex(a[2:]): fen for a, fen in net.items() if _is_owner(a)}
    if len(shares) != len(net) or amount <= 0:
        mismatch("entitlements move the dividend's fen to owners only")
        return
    declared = amount if j["amount_fen"] is None else int(j["amount_fen"])
    check_dividend_split(
        DividendTerms(declared, int(j["issuer_fen"]), int(j["record_epoch"]), j["mode"]),
        shares, bytes.fromhex(j["root"][2:]), ctx.params, ctx.balances_at,
        lambda code, message: fail(code, f"entry {entry['seq']} (dividend.entitle): {message}"),
    )


def _dividend_payout(entry: Any, j: Any, ctx: BlockContext, mismatch: Mismatch,
                     fail: Fail) -> None:
    net = _net(entry, FEN)
    paid = net.pop("payout", 0)
    if paid <= 0 or not all(_is_owner(a) and fen < 0 for a, fen in net.items()):
        mismatch("a payout moves owners' fen to payout")


DIVIDEND_LEAF = ("address", "uint256")


@dataclass(frozen=True)
class DividendTerms:
    """A declaration's terms: the amount declared, the issuer's part, the record epoch, the mode."""

    amount_fen: int
    issuer_fen: int
    record_epoch: int
    mode: str


def check_dividend_split(
    terms: DividendTerms,
    entitlements: Mapping[bytes, int],
    root: bytes,
    params: Parameters,
    balances_at: BalancesAt,
    fail: Fail,
) -> None:
    """The entitlements are the rule's split of the declared amount over the record epoch's
    balances (per stone: the holders' part of the stake's dividend; per circulating stone: all
    of it), the issuer keeps exactly the rest, and `root` is their tree's."""
    tree = StandardMerkleTree.of(sorted(entitlements.items()), DIVIDEND_LEAF)
    if not entitlements or tree.root != root:
        fail("dividend_split_mismatch", "the entitlements do not hash to the dividend's root")
    balances = balances_at(terms.record_epoch)
    if balances is None:
        fail("dividend_unverifiable",
             f"the balances of record epoch {terms.record_epoch} are not available (its file)")
        return
    try:
        if terms.mode == "per_stone":
            expected, issuer = split_stake_dividend(
                terms.amount_fen, balances, params.total_supply
            )
            rule = "amount · circulating // total supply, split by balance"
        else:
            expected, issuer = split_dividend(terms.amount_fen, balances), 0
            rule = "amount · balance // circulating"
    except RuleError as error:
        fail("dividend_split_mismatch", f"the split cannot be made: {error.message}")
        return
    if issuer != terms.issuer_fen:
        fail("dividend_split_mismatch",
             f"the issuer's part should be {issuer} fen, not {terms.issuer_fen}")
    if dict(entitlements) != expected:
        wrong = sorted(a for a in set(expected) | set(entitlements)
                       if expected.get(a) != entitlements.get(a))
        fail("dividend_split_mismatch",
             f"{len(wrong)} entitlement(s) are not {rule} at epoch {terms.record_epoch} "
             f"(largest remainder), first 0x{wrong[0].hex()}")


CHECKS: dict[str, Callable[[Any, Any, BlockContext, Mismatch, Fail], None]] = {
    "genesis": _genesis,
    "drops": _drops,
    "activity_release": _activity_release,
    "checkin": _checkin,
    "referral": _referral,
    "campaign_fund": _campaign_fund,
    "campaign": _campaign,
    "campaign_close": _campaign_close,
    "order": _order,
    "fulfil": _fulfil,
    "refund": _refund,
    "transfer": _transfer,
    "dividend_declare": _dividend_declare,
    "dividend_entitle": _dividend_entitle,
    "dividend_payout": _dividend_payout,
}
