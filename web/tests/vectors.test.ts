// The reference vectors of docs/vectors/, recomputed in TypeScript with the libraries an
// outside auditor would use (OpenZeppelin's merkle-tree, ethereum-cryptography's keccak) and
// none of Milestone's code. Run by `make test` (compiled by the web app's tsc, run by node --test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256 } from "ethereum-cryptography/keccak.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "ethereum-cryptography/utils.js";

const ZERO = "0x" + "00".repeat(32);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function load(name: string): Json {
  // Compiled to web/tests/build/: the vectors are three levels up.
  return JSON.parse(readFileSync(new URL(`../../../docs/vectors/${name}`, import.meta.url), "utf8"));
}

function hex(bytes: Uint8Array): string {
  return "0x" + bytesToHex(bytes);
}

function bytes(value: string): Uint8Array {
  return hexToBytes(value.slice(2));
}

function word(value: bigint): Uint8Array {
  return hexToBytes(value.toString(16).padStart(64, "0"));
}

function epochBudget(initial: bigint, era: number, epoch: number): bigint {
  return initial >> BigInt(Math.floor(epoch / era));
}

function cumulative(initial: bigint, era: number, epoch: number): bigint {
  const current = Math.floor(epoch / era);
  let released = 0n;
  for (let k = 0; k < current; k++) released += (initial >> BigInt(k)) * BigInt(era);
  return released + BigInt(epoch - current * era + 1) * (initial >> BigInt(current));
}

test("schedule: budgets halve by era, cumulative releases add up", () => {
  for (const c of load("schedule.json").cases) {
    for (const pool of [c.mining, c.activity]) {
      const initial = BigInt(pool.initial_per_epoch);
      assert.equal(epochBudget(initial, pool.era_epochs, c.epoch).toString(), pool.budget);
      assert.equal(cumulative(initial, pool.era_epochs, c.epoch).toString(),
        pool.cumulative_release, `${c.preset} epoch ${c.epoch}`);
    }
  }
});

test("round budgets sum to the epoch budget", () => {
  for (const c of load("round_budgets.json").cases) {
    const total = BigInt(c.epoch_budget);
    const share = total / BigInt(c.rounds);
    const budgets = Array.from({ length: c.rounds }, () => share);
    budgets[c.rounds - 1] += total - share * BigInt(c.rounds);
    assert.deepEqual(budgets.map(String), c.round_budgets);
  }
});

function dropPoint(seed: string, round: bigint, drop: bigint, total: bigint): bigint {
  const digest = keccak256(concatBytes(bytes(seed), word(round), word(drop)));
  return BigInt(hex(digest)) % total;
}

test("drops: points and winners", () => {
  const vectors = load("drops.json");
  for (const p of vectors.points) {
    assert.equal(dropPoint(p.seed, BigInt(p.round), BigInt(p.drop), BigInt(p.total_weight))
      .toString(), p.point);
  }
  for (const c of vectors.cases) {
    const accounts = (c.weights as [string, string][])
      .filter(([, w]) => BigInt(w) > 0n)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const ends: bigint[] = [];
    let total = 0n;
    for (const [, w] of accounts) ends.push((total += BigInt(w)));
    const won = new Map<string, bigint>();
    const budget = BigInt(c.budget), size = BigInt(c.drop_size);
    if (budget > 0n && total > 0n) {
      const count = (budget + size - 1n) / size;
      for (let j = 0n; j < count; j++) {
        const piece = j === count - 1n && budget % size !== 0n ? budget % size : size;
        const point = dropPoint(c.seed, BigInt(c.round), j, total);
        const winner = accounts[ends.findIndex((end) => point < end)][0];
        won.set(winner, (won.get(winner) ?? 0n) + piece);
      }
    }
    const got = [...won.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([a, v]) => [a, v.toString()]);
    assert.deepEqual(got, c.won);
  }
});

test("seed: commitments and the seed", () => {
  for (const c of load("seed.json").cases) {
    c.reveals.forEach((reveal: string, i: number) =>
      assert.equal(hex(keccak256(bytes(reveal))), c.commits[i]));
    const input = concatBytes(bytes(c.weights_root), ...c.reveals.map(bytes));
    assert.equal(hex(keccak256(input)), c.seed);
  }
});

test("trees: every leaf layout, empty trees included, as OpenZeppelin builds them", () => {
  for (const t of load("trees.json").trees) {
    if (t.values.length === 0) {
      assert.equal(t.root, ZERO);
      continue;
    }
    const tree = StandardMerkleTree.of(t.values, t.types);
    assert.equal(tree.root, t.root, t.layout);
    t.values.forEach((value: string[], i: number) =>
      assert.equal(tree.leafHash(value), t.leaf_hashes[i]));
  }
});

function canonical(value: Json): string {
  if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
  if (value !== null && typeof value === "object") {
    return "{" + Object.keys(value).sort()
      .map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

test("journal: each public entry's canonical body and the chained head", () => {
  const vectors = load("journal.json");
  let head = bytes(vectors.previous);
  for (const e of vectors.entries) {
    const body = canonical(e.entry);
    assert.equal(body, e.body);
    head = keccak256(concatBytes(head, utf8ToBytes(body)));
    assert.equal(hex(head), e.head);
  }
  assert.equal(hex(head), vectors.head);
  assert.equal(vectors.empty_block_head, vectors.previous);
  const paid = vectors.activity_paid;
  let unpaid = 0n, released = BigInt(paid.activity_pool);
  for (const [account, asset, amount] of paid.accounts as [string, string, string][]) {
    if (asset !== "STONE") continue;
    if (account === "reserve:activity") released -= BigInt(amount);
    if (account === "budget:activity" || account.startsWith("campaign:")) unpaid += BigInt(amount);
  }
  assert.equal((released - unpaid).toString(), paid.paid);
});
