// Reading the Program contract from the browser with plain JSON-RPC `eth_call`: from the
// node itself when the program runs on a remote chain, or through the API's read-only relay
// when the chain is embedded in the service. Either way the browser encodes the call and
// decodes the answer itself.

import { keccak256 } from "ethereum-cryptography/keccak.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "ethereum-cryptography/utils.js";
import { API } from "./api";
import type { ChainPublic } from "./types";

export interface Commitment {
  stateRoot: string;
  rewardsRoot: string;
  journalHead: string;
  epochFileHash: string;
  dividendsRoot: string;
  /** The epoch whose balances the committed dividend was declared on (0 when none). */
  dividendRecordEpoch: bigint;
  cumMined: bigint;
  cumActivity: bigint;
  cumBurned: bigint;
  cumDividendsFen: bigint;
}

export class ChainError extends Error {}

/** Where to send JSON-RPC: the node's own URL, or the API's relay for the embedded chain. */
export function rpcUrlOf(chain: ChainPublic): string {
  return chain.rpc_url ?? `${API}/chain/rpc`;
}

let requestId = 0;

export async function rpc<T>(endpoint: string, method: string, params: unknown[]): Promise<T> {
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++requestId, method, params }),
    });
  } catch (error) {
    throw new ChainError(`the chain at ${endpoint} does not answer (${String(error)})`);
  }
  const body = (await response.json().catch(() => null)) as { result?: T; error?: { message: string } } | null;
  if (!body) throw new ChainError(`the chain at ${endpoint} answered HTTP ${response.status} without JSON-RPC`);
  if (body.error) throw new ChainError(`the chain refused ${method}: ${body.error.message}`);
  return body.result as T;
}

export function selector(signature: string): string {
  return bytesToHex(keccak256(utf8ToBytes(signature)).slice(0, 4));
}

function word(value: bigint): string {
  return value.toString(16).padStart(64, "0");
}

/** `commitment(uint256)` of the Program: the roots and totals finalized for `epoch`. */
export async function readCommitment(chain: ChainPublic, epoch: number): Promise<Commitment> {
  if (!chain.program_address) throw new ChainError("no Program contract is deployed on this chain yet");
  const endpoint = rpcUrlOf(chain);
  const chainId = BigInt(await rpc<string>(endpoint, "eth_chainId", []));
  if (chainId !== BigInt(chain.chain_id)) {
    throw new ChainError(`the node is chain ${chainId}, the program is on chain ${chain.chain_id}`);
  }
  const data = "0x" + selector("commitment(uint256)") + word(BigInt(epoch));
  const result = await rpc<string>(endpoint, "eth_call", [{ to: chain.program_address, data }, "latest"]);
  const bytes = hexToBytes(result.replace(/^0x/, ""));
  // Program version 2: ten words (version 1 had nine, without the dividend record epoch).
  if (bytes.length < 10 * 32) throw new ChainError(`epoch ${epoch} is not finalized on chain`);
  const at = (i: number) => "0x" + bytesToHex(bytes.slice(i * 32, (i + 1) * 32));
  return {
    stateRoot: at(0),
    rewardsRoot: at(1),
    journalHead: at(2),
    epochFileHash: at(3),
    dividendsRoot: at(4),
    dividendRecordEpoch: BigInt(at(5)),
    cumMined: BigInt(at(6)),
    cumActivity: BigInt(at(7)),
    cumBurned: BigInt(at(8)),
    cumDividendsFen: BigInt(at(9)),
  };
}
