// The shapes of the API's answers that more than one page reads.

import type { Amount, Instant } from "./format";

export interface Totals {
  issued: Amount;
  mining_reserve: Amount;
  activity_reserve: Amount;
  budgets: Amount;
  circulating: Amount;
  merchants: Amount;
  treasury: Amount;
  burned: Amount;
  reconciles: boolean;
}

export interface ScheduleParams {
  pool: number;
  initial_per_epoch: number;
  era_epochs: number;
}

export interface Parameters {
  name: string;
  total_supply: number;
  decimals: number;
  epoch_seconds: number;
  rounds_per_epoch: number;
  drop_size: number;
  mining: ScheduleParams;
  activity: ScheduleParams;
  [name: string]: unknown;
}

export interface ProgramPublic {
  preset: string;
  parameters: Parameters;
  parameters_hash: string;
  genesis: Instant;
  current_epoch: number;
  totals: Totals;
}

export interface EpochPublic {
  epoch: number;
  status: string;
  starts_at: Instant;
  ends_at: Instant;
  weights_root: string | null;
  total_weight: string | null;
  seed: string | null;
  state_root: string | null;
  rewards_root: string | null;
  journal_head: string | null;
  file_hash: string | null;
  dividends_root: string | null;
  mined: Amount | null;
  activity: Amount | null;
  rollover: Amount | null;
  cum_mined: Amount | null;
  cum_activity: Amount | null;
  cum_burned: Amount | null;
  schedule_mined: Amount | null;
  finalized_at: Instant | null;
}

export interface ChainPublic {
  backend: "embedded" | "remote";
  chain_id: number;
  program_address: string | null;
  rpc_url: string | null;
  next_epoch: number | null;
}

export interface WalletPublic {
  owner_id: number;
  account: string;
  balance: Amount;
  dividends_fen: number;
}

export interface HistoryLine {
  seq: number;
  position: number;
  at: Instant;
  epoch: number;
  kind: string;
  amount: Amount;
  balance_after: Amount;
  metadata: Record<string, unknown>;
}

export interface HistoryPage {
  lines: HistoryLine[];
  next_cursor: string | null;
}

export interface OwnerProofPublic {
  epoch: number;
  address: string;
  balance: string;
  balance_proof: string[];
  state_root: string;
  reward: string;
  reward_proof: string[] | null;
  rewards_root: string;
}
