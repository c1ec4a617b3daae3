// Reference answers from OpenZeppelin's own library, for the cross-check tests.
// stdin: {"types": [...], "values": [[...], ...]}  -> stdout: {"root", "proofs", "dump"}
// stdin: {"dump": {...standard-v1...}}              -> stdout: {"root", "proofs"} of the loaded tree
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const tree = input.dump
  ? StandardMerkleTree.load(input.dump)
  : StandardMerkleTree.of(input.values, input.types);
const proofs = [];
for (let i = 0; i < tree.length; i++) proofs.push(tree.getProof(i));
process.stdout.write(JSON.stringify({ root: tree.root, proofs, dump: tree.dump() }));
