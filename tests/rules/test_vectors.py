"""Reference vectors: docs/vectors/*.json, made here from `milestone.rules` and checked against it.

The files are the contract with other implementations (an auditor's own tools, the web app's
TypeScript test in web/tests/vectors.test.ts): every test run rebuilds them from the rules and
fails if a file differs, so a change of rule cannot go out with stale vectors. Run with
`MILESTONE_WRITE_VECTORS=1` to write them again after a deliberate change.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from milestone.rules.beacon import commit_of, derive_seed
from milestone.rules.drops import allocate_drops, calculate_drop_point, split_round_budgets
from milestone.rules.hashing import keccak256
from milestone.rules.journal import (
    ZERO_HEAD,
    calculate_activity_paid,
    calculate_block_head,
    encode_public_entry,
)
from milestone.rules.merkle import StandardMerkleTree
from milestone.rules.params import get_preset
from milestone.rules.schedule import calculate_cumulative_release, calculate_epoch_budget

VECTORS = Path(__file__).resolve().parents[2] / "docs" / "vectors"
EMPTY_ROOT = bytes(32)
LAYOUTS = {
    "weights": ("uint256", "address", "uint256"),
    "rewards": ("address", "uint256"),
    "state": ("address", "uint256"),
    "entitlements": ("address", "uint256"),
}


def hx(value: bytes) -> str:
    return "0x" + value.hex()


def address(n: int) -> bytes:
    return keccak256(b"vector-account-%d" % n)[:20]


def schedule_vectors() -> dict[str, Any]:
    cases = []
    for preset in ("minimal", "im-csop"):
        params = get_preset(preset)
        era = params.mining.era_epochs
        for epoch in sorted({0, 1, era - 1, era, era + 1, 2 * era, 10 * era, 64 * era}):
            cases.append({
                "preset": preset,
                "epoch": epoch,
                "mining": {
                    "initial_per_epoch": str(params.mining.initial_per_epoch),
                    "era_epochs": era,
                    "budget": str(calculate_epoch_budget(params.mining, epoch)),
                    "cumulative_release": str(calculate_cumulative_release(params.mining, epoch)),
                },
                "activity": {
                    "initial_per_epoch": str(params.activity.initial_per_epoch),
                    "era_epochs": params.activity.era_epochs,
                    "budget": str(calculate_epoch_budget(params.activity, epoch)),
                    "cumulative_release": str(
                        calculate_cumulative_release(params.activity, epoch)
                    ),
                },
            })
    return {"rule": "budget = initial >> (epoch // era_epochs); cumulative = sum of budgets "
                    "of epochs 0..epoch", "cases": cases}


def round_budget_vectors() -> dict[str, Any]:
    cases = [
        {"epoch_budget": str(total), "rounds": rounds,
         "round_budgets": [str(b) for b in split_round_budgets(total, rounds)]}
        for total, rounds in ((0, 4), (7, 4), (7_186_858_316_221, 144), (10**8 + 3, 3))
    ]
    return {"rule": "each round epoch_budget // rounds, the last round the remainder too",
            "cases": cases}


def drop_vectors() -> dict[str, Any]:
    seed = keccak256(b"vector-seed")
    weights = {address(1): 5_000, address(2): 1, address(3): 120_000, address(4): 0}
    points = [
        {"seed": hx(seed), "round": r, "drop": j, "total_weight": str(w),
         "point": str(calculate_drop_point(seed, r, j, w))}
        for r, j, w in ((0, 0, 1), (0, 1, 125_001), (143, 7, 125_001), (5, 2**40, 10**18))
    ]
    cases = []
    for round_index, budget, drop_size in ((0, 10 * 10**8, 10**8), (17, 10**8 + 12_345, 10**8),
                                           (143, 0, 10**8), (3, 7, 2)):
        won = allocate_drops(seed, round_index, budget, drop_size, weights)
        cases.append({
            "seed": hx(seed), "round": round_index, "budget": str(budget),
            "drop_size": str(drop_size),
            "weights": [[hx(a), str(w)] for a, w in sorted(weights.items())],
            "won": [[hx(a), str(v)] for a, v in sorted(won.items())],
        })
    return {"rule": "point = uint256(keccak256(seed ‖ uint256(round) ‖ uint256(drop))) mod W; "
                    "accounts with positive weight by address own consecutive intervals",
            "points": points, "cases": cases}


def seed_vectors() -> dict[str, Any]:
    root = keccak256(b"vector-weights-root")
    reveals = [keccak256(b"vector-reveal-%d" % i) for i in range(3)]
    return {"rule": "commit = keccak256(reveal); seed = keccak256(weights_root ‖ reveals in "
                    "ascending member order)",
            "cases": [
                {"weights_root": hx(root), "reveals": [hx(r) for r in reveals[:n]],
                 "commits": [hx(commit_of(r)) for r in reveals[:n]],
                 "seed": hx(derive_seed(root, reveals[:n]))}
                for n in (1, 2, 3)
            ] + [{"weights_root": hx(EMPTY_ROOT), "reveals": [hx(reveals[0])],
                  "commits": [hx(commit_of(reveals[0]))],
                  "seed": hx(derive_seed(EMPTY_ROOT, reveals[:1]))}]}


def _values(layout: str, count: int) -> list[tuple[Any, ...]]:
    if layout == "weights":
        return [(i % 3, address(i), 1_000 * i + 7) for i in range(1, count + 1)]
    return [(address(i), 10**8 * i + i) for i in range(1, count + 1)]


def _text(value: Any) -> str:
    return hx(value) if isinstance(value, bytes) else str(value)


def tree_vectors() -> dict[str, Any]:
    trees = []
    for layout, types in LAYOUTS.items():
        for count in (0, 1, 2, 5):
            values = _values(layout, count)
            tree = StandardMerkleTree.of(values, types) if values else None
            trees.append({
                "layout": layout,
                "types": list(types),
                "values": [[_text(v) for v in value] for value in values],
                "leaf_hashes": [hx(tree.leaf_hash(value)) for value in values] if tree else [],
                "root": hx(tree.root) if tree else hx(EMPTY_ROOT),
            })
    return {"rule": "OpenZeppelin StandardMerkleTree (leaf = keccak256(keccak256(abi.encode("
                    "values))), sorted leaves, sorted pairs); no leaves: 32 zero bytes",
            "trees": trees}


def journal_vectors() -> dict[str, Any]:
    owner = "0x" + address(1).hex()
    entries = [
        {"seq": 1, "kind": "genesis", "created_at": 1_767_139_200, "epoch": -1,
         "postings": [["supply", "STONE", -30_000_000_000], ["reserve:mining", "STONE", 21 * 10**9],
                      ["reserve:activity", "STONE", 9 * 10**9]],
         "justification": {"rule": "genesis"}},
        {"seq": 4, "kind": "activity.checkin", "created_at": 1_767_230_000, "epoch": 0,
         "postings": [["budget:activity", "STONE", -10**8], [owner, "STONE", 10**8]],
         "justification": {"rule": "checkin", "day": 0, "streak": 1, "previous": None}},
        {"seq": 9, "kind": "store.order", "created_at": 1_767_231_000, "epoch": 0,
         "postings": [[owner, "STONE", -5 * 10**7], ["merchant:1", "STONE", 5 * 10**7]],
         "justification": {"rule": "order", "order_id": 1, "merchant": "merchant:1",
                           "stones": 5 * 10**7, "fulfilled_to": "burn", "note": "车"}},
    ]
    heads, head = [], ZERO_HEAD
    for entry in entries:
        head = calculate_block_head(head, [entry])
        heads.append(hx(head))
    accounts = {("reserve:activity", "STONE"): 8 * 10**9, ("budget:activity", "STONE"): 7 * 10**8,
                ("campaign:1", "STONE"): 10**8}
    return {
        "rule": "body = UTF-8 of canonical JSON (sorted keys, no whitespace, non-ASCII as is); "
                "head_i = keccak256(head_{i-1} ‖ body_i); head_0 = previous committed head",
        "previous": hx(ZERO_HEAD),
        "entries": [{"entry": entry, "body": encode_public_entry(entry).decode(),
                     "head": heads[i]} for i, entry in enumerate(entries)],
        "head": hx(calculate_block_head(ZERO_HEAD, entries)),
        "empty_block_head": hx(calculate_block_head(ZERO_HEAD, [])),
        "activity_paid": {
            "activity_pool": str(9 * 10**9),
            "accounts": [[a, s, str(v)] for (a, s), v in sorted(accounts.items())],
            "paid": str(calculate_activity_paid(9 * 10**9, accounts)),
        },
    }


ALL = {
    "schedule.json": schedule_vectors,
    "round_budgets.json": round_budget_vectors,
    "drops.json": drop_vectors,
    "seed.json": seed_vectors,
    "trees.json": tree_vectors,
    "journal.json": journal_vectors,
}


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


@pytest.mark.parametrize("name", sorted(ALL))
def test_the_published_vectors_are_the_rules_own(name: str) -> None:
    text = render(ALL[name]())
    path = VECTORS / name
    if os.environ.get("MILESTONE_WRITE_VECTORS"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, (
        f"{path} is stale: run MILESTONE_WRITE_VECTORS=1 pytest {__file__}"
    )


def test_a_changed_vector_is_noticed() -> None:
    document = journal_vectors()
    document["entries"][1]["entry"]["postings"][1][2] += 1
    changed = calculate_block_head(ZERO_HEAD, [e["entry"] for e in document["entries"]])
    assert hx(changed) != document["head"]


def test_a_public_entry_with_a_field_more_or_less_is_refused() -> None:
    entry = journal_vectors()["entries"][0]["entry"]
    with pytest.raises(ValueError):
        encode_public_entry({**entry, "metadata": {}})
    with pytest.raises(ValueError):
        encode_public_entry({k: v for k, v in entry.items() if k != "justification"})
