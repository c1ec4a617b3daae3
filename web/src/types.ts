// The API's shapes, as generated from its OpenAPI document into api-types.ts (`make web-types`),
// under the names the pages use. Nothing here is written by hand but the program's parameters,
// which the API sends as a free-form object (every integer in it a string of digits).

import type { ProgramPublic as ProgramDocument } from "./api-types";

export type {
  Amount, CampaignPublic, ChainPublic, CheckInPublic, ConsentHistoryPublic, ConsentStatePublic,
  DeletionPublic, DividendLimitsPublic, DividendPublic, EntitlementPublic, EpochDropsPublic,
  EpochPublic, FlowPublic, HistoryLinePublic as HistoryLine, HistoryPagePublic as HistoryPage,
  Instant, ItemPublic, MerchantKeyPublic, MerchantPublic, OrderPublic, OwnerProofPublic,
  OwnerPublic, OwnerStaffPublic, ParticipationPublic, ReceiptPublic, RedemptionPublic, ReferralCodePublic,
  ReferralPublic, RejectionPublic, RejectionsPublic, RejectionSummaryPublic, RoundDropsPublic, SchedulePublic,
  SettlementStatusPublic, SpendablePublic, StreakPublic, TokenPublic, TotalsPublic as Totals,
  TripPublic, UnlockPublic, WalletPublic,
} from "./api-types";

export interface ScheduleParams {
  pool: string;
  initial_per_epoch: string;
  era_epochs: string;
}

export interface Parameters {
  name: string;
  total_supply: string;
  epoch_seconds: string;
  rounds_per_epoch: string;
  drop_size: string;
  mining: ScheduleParams;
  activity: ScheduleParams;
  [name: string]: unknown;
}

export type ProgramPublic = Omit<ProgramDocument, "parameters"> & { parameters: Parameters };
