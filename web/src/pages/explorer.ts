// The public explorer: the program's parameters, where every stone is, and its epochs.

import { get } from "../api";
import { type Child, add, h } from "../dom";
import { date, dateTime, groupStones, plural, stones, stonesOfPebbles, words, yuan } from "../format";
import type { Params } from "../router";
import type { ChainPublic, EpochPublic, ProgramPublic, Totals } from "../types";
import { badge, bars, card, facts, hex, pageTitle, stat, table, type Tone } from "../widgets";

export function st(pebbles: unknown): string {
  const text = stonesOfPebbles(BigInt(pebbles as number));
  return `${groupStones(text)} ${text === "1" ? "stone" : "stones"}`;
}

export async function renderProgram(page: HTMLElement): Promise<void> {
  const [program, chain] = await Promise.all([get<ProgramPublic>("/program", { auth: "none" }), readChain()]);
  const p = program.parameters;
  add(page, 
    pageTitle("The program", "Every number here is fixed at genesis and enforced by the Program contract on chain."),
    h("div", { class: "stats card" },
      stat("Total supply", stones(program.totals.issued, 0), "stones, created once at genesis"),
      stat("Circulating", stones(program.totals.circulating, 2), "held by owners"),
      stat("Current epoch", program.current_epoch >= 0 ? String(program.current_epoch) : "before genesis", `genesis ${date(program.genesis)}`),
      stat("Burned", stones(program.totals.burned, 2), "spent in the store"),
    ),
    h("div", { class: "grid two" },
      card("Where every stone is", supplyBars(program.totals),
        h("p", { class: program.totals.reconciles ? "muted" : "problem" },
          program.totals.reconciles ? "The parts add up to the supply exactly." : "The parts do not add up to the supply.")),
      card("Chain", chainFacts(chain, program)),
    ),
    h("div", { class: "grid two" },
      card("Supply and emission", facts([
        ["Preset", program.preset],
        ["Total supply", st(p.total_supply)],
        ["Mining reserve", st(p.mining.pool)],
        ["Activity reserve", st(p.activity.pool)],
        ["Mined per epoch, first era", st(p.mining.initial_per_epoch)],
        ["Activity released per epoch, first era", st(p.activity.initial_per_epoch)],
        ["Era", `${plural(p.mining.era_epochs, "epoch")}; the emission halves each era`],
        ["Backing", backing(p)],
      ])),
      card("Drops", facts([
        ["Epoch", `${(p.epoch_seconds / 3600).toLocaleString("en")} hours (UTC days from genesis)`],
        ["Drop rounds per epoch", String(p.rounds_per_epoch)],
        ["Drop size", st(p.drop_size)],
        ["Cap per vehicle per epoch", `${Number(p.vehicle_epoch_cap_meters) / 1000} km`],
        ["Behaviour multiplier", `${Number(p.behaviour_multiplier_min_bps) / 10000}× to ${Number(p.behaviour_multiplier_max_bps) / 10000}× with consent`],
        ["Max average speed", `${p.max_average_speed_kmh} km/h`],
      ])),
      card("Activities", facts([
        ["Daily check-in", `${st(p.checkin_base_reward)}, +${st(p.checkin_streak_bonus)} a day of streak (up to ${p.checkin_streak_cap})`],
        ["Referral", `${st(p.referral_referrer_reward)} to the referrer, ${st(p.referral_buyer_reward)} to the buyer`],
        ["Referrals per year", String(p.referral_yearly_cap)],
        ["Referral vesting", `${p.referral_vesting_days} days`],
      ])),
      card("Spending", facts([
        ["Fulfilled orders", p.fulfilled_orders_to === "burn" ? "burned" : `to the ${String(p.fulfilled_orders_to)}`],
        ["Transfers between owners", String(p.transfer_policy)],
        ["Spend lock", `${p.spend_lock_days} days after earning${p.spend_requires_certification ? ", once the owner is certified" : ""}`],
        ["Parameters hash", hex(program.parameters_hash)],
      ])),
    ),
    card("All parameters", h("details", null, h("summary", null, "Show the parameters as published (JSON)"),
      h("pre", { class: "code-block" }, JSON.stringify(p, null, 2)))),
  );
}

function backing(p: ProgramPublic["parameters"]): string {
  const round = BigInt(p.founding_round_fen as number);
  const bps = BigInt(p.backing_bps as number);
  return `${Number(bps) / 100}% of a ${yuan(String(round))} founding round = ${yuan(String((round * bps) / 10000n))}`;
}

export function supplyBars(t: Totals): HTMLElement {
  const parts: [string, keyof Totals, Tone][] = [
    ["Mining reserve", "mining_reserve", "muted"],
    ["Activity reserve", "activity_reserve", "muted"],
    ["Released budgets", "budgets", "info"],
    ["Owners", "circulating", "good"],
    ["Merchants", "merchants", "warn"],
    ["Treasury", "treasury", "info"],
    ["Burned", "burned", "bad"],
  ];
  return bars(parts.map(([label, key, tone]) => {
    const amount = t[key] as { stones: string };
    return { label, value: Number(amount.stones), text: stones(amount.stones, 2), tone };
  }));
}

export async function readChain(): Promise<ChainPublic | null> {
  return get<ChainPublic>("/chain", { auth: "none" });
}

function chainFacts(chain: ChainPublic | null, program: ProgramPublic): HTMLElement {
  if (!chain) return h("p", { class: "empty" }, "No chain is configured.");
  return facts([
    ["Backend", chain.backend === "embedded" ? "embedded EVM (py-evm, in the service)" : "remote EVM node"],
    ["Chain id", String(chain.chain_id)],
    ["Program contract", hex(chain.program_address, false)],
    ["Finalized epochs", chain.next_epoch === null ? "—" : String(chain.next_epoch)],
    ["Epochs elapsed", String(Math.max(program.current_epoch, 0))],
  ]);
}

export function statusBadge(status: string): HTMLElement {
  const tone: Tone = status === "finalized" ? "good" : status === "open" ? "muted" : "warn";
  return badge(words(status), tone);
}

export async function renderEpochs(page: HTMLElement): Promise<void> {
  const epochs = await get<EpochPublic[]>("/epochs", { auth: "none" });
  add(page, 
    pageTitle("Epochs", "Each epoch is settled, committed on chain and published as a file anyone can re-run."),
    card(null, epochTable(epochs, "/explorer/epochs")),
  );
}

export function epochTable(epochs: EpochPublic[], base: string): HTMLElement {
  return table<EpochPublic>([
    { label: "Epoch", cell: (e) => h("a", { href: `#${base}/${e.epoch}` }, `#${e.epoch}`) },
    { label: "Day", cell: (e) => date(e.starts_at) },
    { label: "Status", cell: (e) => statusBadge(e.status) },
    { label: "Mined", cell: (e) => (e.mined ? stones(e.mined, 2) : "—"), numeric: true },
    { label: "Activity", cell: (e) => (e.activity ? stones(e.activity, 2) : "—"), numeric: true },
    { label: "State root", cell: (e) => hex(e.state_root) },
  ], [...epochs].sort((a, b) => b.epoch - a.epoch), "No epoch has been settled yet.");
}

export async function renderEpoch(page: HTMLElement, params: Params): Promise<void> {
  const epoch = await get<EpochPublic>(`/epochs/${encodeURIComponent(params.epoch)}`, { auth: "none" });
  add(page, 
    pageTitle(`Epoch ${epoch.epoch}`, `${dateTime(epoch.starts_at)} to ${dateTime(epoch.ends_at)}`),
    h("div", { class: "stats card" },
      stat("Status", statusBadge(epoch.status)),
      stat("Mined", epoch.mined ? stones(epoch.mined, 2) : "—", "stones in drops"),
      stat("Activity", epoch.activity ? stones(epoch.activity, 2) : "—", "stones paid"),
      stat("Rolled over", epoch.rollover ? stones(epoch.rollover, 2) : "—", "to the next epoch"),
    ),
    h("div", { class: "grid two" },
      card("Commitments", commitmentFacts(epoch)),
      card("Cumulative on chain", facts([
        ["Mined", epoch.cum_mined ? `${stones(epoch.cum_mined)} stones` : "—"],
        ["Mining schedule allows", epoch.schedule_mined ? `${stones(epoch.schedule_mined)} stones` : "—"],
        ["Activity", epoch.cum_activity ? `${stones(epoch.cum_activity)} stones` : "—"],
        ["Burned", epoch.cum_burned ? `${stones(epoch.cum_burned)} stones` : "—"],
        ["Finalized", epoch.finalized_at ? dateTime(epoch.finalized_at) : "—"],
      ])),
    ),
    epoch.file_hash
      ? card("Re-run it yourself", h("p", null, "Download the ", h("a", { href: `/api/v1/epochs/${epoch.epoch}/file`, download: `epoch-${epoch.epoch}.json` }, "epoch file"),
          " and run ", h("code", null, "milestone audit"), " over it: the weights, the seed, every drop and every root are recomputed and compared with the chain."),
        h("p", null, h("a", { href: `#/explorer/verify?epoch=${epoch.epoch}` }, "Verify a balance in this epoch →")))
      : null,
  );
}

export function commitmentFacts(epoch: EpochPublic): HTMLElement {
  const rows: [string, Child][] = [
    ["Weights root", hex(epoch.weights_root)],
    ["Total weight", epoch.total_weight ?? "—"],
    ["Beacon seed", hex(epoch.seed)],
    ["State root", hex(epoch.state_root)],
    ["Rewards root", hex(epoch.rewards_root)],
    ["Journal head", hex(epoch.journal_head)],
    ["Epoch file hash", hex(epoch.file_hash)],
    ["Dividends root", hex(epoch.dividends_root)],
  ];
  return facts(rows);
}
