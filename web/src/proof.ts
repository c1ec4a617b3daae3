// "Verify my balance": a proof from the API checked in the browser against the root read from
// the chain. The verdict is OpenZeppelin's `StandardMerkleTree.verify`; the leaf and the root it
// climbs to are also computed here, step by step, so the page can show them.

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { keccak256 } from "ethereum-cryptography/keccak.js";
import { bytesToHex, concatBytes, hexToBytes } from "ethereum-cryptography/utils.js";

/** The leaf of the state and rewards trees: abi.encode(address, uint256). */
export const ACCOUNT_LEAF = ["address", "uint256"];

export interface Check {
  leaf: string;
  computedRoot: string;
  chainRoot: string;
  valid: boolean;
}

export function checkProof(address: string, amount: string, proof: string[], chainRoot: string): Check {
  const leaf = leafHash(address, BigInt(amount));
  const computedRoot = proof.reduce((node, sibling) => nodeHash(node, sibling), leaf);
  const valid = StandardMerkleTree.verify(chainRoot, ACCOUNT_LEAF, [address, BigInt(amount)], proof);
  return { leaf, computedRoot, chainRoot, valid: valid && computedRoot === chainRoot.toLowerCase() };
}

function leafHash(address: string, amount: bigint): string {
  const encoded = concatBytes(pad(hexToBytes(address.replace(/^0x/, ""))), pad(hexToBytes(amount.toString(16).padStart(64, "0"))));
  return hex(keccak256(keccak256(encoded)));
}

/** OpenZeppelin's node: keccak256 of the two children, the smaller first. */
function nodeHash(a: string, b: string): string {
  const [left, right] = [a.toLowerCase(), b.toLowerCase()].sort();
  return hex(keccak256(concatBytes(hexToBytes(left.slice(2)), hexToBytes(right.slice(2)))));
}

function pad(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(bytes, 32 - bytes.length);
  return out;
}

function hex(bytes: Uint8Array): string {
  return "0x" + bytesToHex(bytes);
}
