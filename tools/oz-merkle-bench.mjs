// Times OpenZeppelin's StandardMerkleTree.of over the leaves in the JSON file given as argv[2]
// ({"types": [...], "values": [[...], ...]}); reading and parsing the file are not timed.
// stdout: {"seconds": <build time>, "root": <root>}
import { readFileSync } from "node:fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

const input = JSON.parse(readFileSync(process.argv[2], "utf8"));
const started = process.hrtime.bigint();
const tree = StandardMerkleTree.of(input.values, input.types);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(JSON.stringify({ seconds, root: tree.root }));
