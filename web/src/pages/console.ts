// The operator console: emission against the schedule, reserves and budgets, epochs and their
// on-chain state, and refused reports by code.

import { get } from "../api";
import { add, h, replace } from "../dom";
import { type Amount, type Instant, percent, stones, stonesFloat, words, when } from "../format";
import type { ChainPublic, EpochPublic, ProgramPublic } from "../types";
import { badge, bars, card, facts, hex, pageTitle, stat, table } from "../widgets";
import { readChain, statusBadge, supplyBars } from "./explorer";

interface SchedulePoint {
  epoch: number;
  mining: Amount;
  activity: Amount;
}

interface SchedulePublic {
  points: SchedulePoint[];
  exhaustion_epoch: number;
  mining_total: Amount;
  activity_total: Amount;
}

export async function renderOverview(page: HTMLElement): Promise<void> {
  const [program, epochs] = await Promise.all([get<ProgramPublic>("/program"), get<EpochPublic[]>("/epochs")]);
  const settled = epochs.filter((e) => e.cum_mined).sort((a, b) => a.epoch - b.epoch);
  const last = Math.max(program.current_epoch, settled.at(-1)?.epoch ?? 0, 1);
  const schedule = await get<SchedulePublic>("/program/schedule", { query: { until: last } });
  const t = program.totals;
  const minedSoFar = settled.at(-1)?.cum_mined ?? null;
  const allowed = settled.at(-1)?.schedule_mined ?? null;
  const chartBox = h("div", { class: "chart", id: "emission-chart" });
  add(page, 
    pageTitle("Operations", `Program ${program.preset}, epoch ${program.current_epoch}`),
    h("div", { class: "stats card" },
      stat("Mined so far", minedSoFar ? stones(minedSoFar, 2) : "0", allowed ? `of ${stones(allowed, 2)} the schedule allows` : "stones"),
      stat("Circulating", stones(t.circulating, 2), "stones with owners"),
      stat("Activity budget", stones(t.budgets, 2), "released, not yet paid"),
      stat("Burned", stones(t.burned, 2), "stones"),
    ),
    card("Emission against the schedule", chartBox,
      h("p", { class: "muted" }, `Cumulative stones by the end of each epoch. The contract refuses any epoch whose mining would pass the schedule; the schedule runs out at epoch ${schedule.exhaustion_epoch.toLocaleString("en")}.`)),
    h("div", { class: "grid two" },
      card("Reserves and budgets", supplyBars(t),
        facts([
          ["Mining reserve left", `${stones(t.mining_reserve, 2)} stones (${percent(stonesFloat(t.mining_reserve), stonesFloat(schedule.mining_total))} of the mining schedule)`],
          ["Activity reserve left", `${stones(t.activity_reserve, 2)} stones`],
          ["Released activity budget", `${stones(t.budgets, 2)} stones`],
          ["Ledger reconciles", t.reconciles ? badge("yes", "good") : badge("no", "bad")],
        ])),
      card("Settlement", epochs.length === 0 ? h("p", { class: "empty" }, "No epoch settled yet.") : table<EpochPublic>([
        { label: "Epoch", cell: (e) => h("a", { href: `#/console/epochs/${e.epoch}` }, `#${e.epoch}`) },
        { label: "Status", cell: (e) => statusBadge(e.status) },
        { label: "Mined", cell: (e) => (e.mined ? stones(e.mined, 2) : "—"), numeric: true },
        { label: "Activity", cell: (e) => (e.activity ? stones(e.activity, 2) : "—"), numeric: true },
      ], [...epochs].sort((a, b) => b.epoch - a.epoch).slice(0, 6))),
    ),
  );
  const { lineChart } = await import("../chart");
  const x = schedule.points.map((p) => p.epoch);
  const minedAt = new Map(settled.map((e) => [e.epoch, stonesFloat(e.cum_mined!)]));
  const activityAt = new Map(settled.map((e) => [e.epoch, stonesFloat(e.cum_activity ?? "0")]));
  lineChart(chartBox, x, [
    { label: "Mining schedule", values: schedule.points.map((p) => stonesFloat(p.mining)), color: "#98a4b1", dash: [6, 4] },
    { label: "Mined", values: x.map((e) => minedAt.get(e) ?? null), color: "#0f9488", fill: true },
    { label: "Activity release", values: schedule.points.map((p) => stonesFloat(p.activity)), color: "#d97706", dash: [2, 3] },
    { label: "Activity paid", values: x.map((e) => activityAt.get(e) ?? null), color: "#1f5fbf" },
  ], "epoch");
}

export async function renderConsoleEpochs(page: HTMLElement): Promise<void> {
  const [epochs, chain] = await Promise.all([get<EpochPublic[]>("/epochs"), readChain()]);
  const sorted = [...epochs].sort((a, b) => b.epoch - a.epoch);
  const onChain = new Map<number, HTMLElement>(sorted.map((e) => [e.epoch, h("span", { class: "muted" }, e.status === "finalized" ? "reading…" : "—")]));
  add(page, 
    pageTitle("Epochs", "Each finalized epoch's roots as the database has them, checked against the Program contract."),
    card("Chain", chainSummary(chain)),
    card("Epochs", table<EpochPublic>([
      { label: "Epoch", cell: (e) => h("a", { href: `#/console/epochs/${e.epoch}` }, `#${e.epoch}`) },
      { label: "Status", cell: (e) => statusBadge(e.status) },
      { label: "Mined", cell: (e) => (e.mined ? stones(e.mined, 2) : "—"), numeric: true },
      { label: "Rolled over", cell: (e) => (e.rollover ? stones(e.rollover, 2) : "—"), numeric: true },
      { label: "State root", cell: (e) => hex(e.state_root) },
      { label: "On chain", cell: (e) => onChain.get(e.epoch)! },
    ], sorted, "No epoch settled yet.")),
  );
  if (!chain?.program_address) return;
  const { readCommitment } = await import("../chain");
  await Promise.all(sorted.filter((e) => e.status === "finalized").map(async (e) => {
    try {
      const c = await readCommitment(chain, e.epoch);
      const same = c.stateRoot === e.state_root && c.rewardsRoot === e.rewards_root && c.journalHead === e.journal_head && c.epochFileHash === e.file_hash;
      replace(onChain.get(e.epoch)!, same ? badge("matches", "good") : badge("differs", "bad"));
    } catch (error) {
      replace(onChain.get(e.epoch)!, badge("unreadable", "bad"));
      onChain.get(e.epoch)!.title = String(error);
    }
  }));
}

function chainSummary(chain: ChainPublic | null): HTMLElement {
  if (!chain) return h("p", { class: "empty" }, "No chain configured.");
  return facts([
    ["Backend", chain.backend],
    ["Chain id", String(chain.chain_id)],
    ["Program", hex(chain.program_address, false)],
    ["Next epoch to finalize", chain.next_epoch === null ? "—" : String(chain.next_epoch)],
  ]);
}

interface RejectionPublic {
  id: number;
  code: string;
  detail: string;
  received_at: Instant;
  vehicle_id: number | null;
  owner_id: number | null;
  sequence: number | null;
}

interface RejectionsPublic {
  rejections: RejectionPublic[];
  counts: Record<string, number>;
  next_before: number | null;
}

export async function renderRejections(page: HTMLElement, _p: unknown, query: URLSearchParams): Promise<void> {
  const code = query.get("code");
  const found = await get<RejectionsPublic>("/telemetry/rejections", { query: { code, limit: 50 } });
  const counts = Object.entries(found.counts).sort((a, b) => b[1] - a[1]);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  add(page, 
    pageTitle("Refused reports", "Forged, replayed, rolled-back, teleporting or over-speed reports are refused with a reason code."),
    h("div", { class: "stats card" },
      stat("Refused", total.toLocaleString("en"), "reports, all time"),
      stat("Reasons", String(counts.length), "distinct codes"),
    ),
    card("By code", bars(counts.map(([c, n]) => ({ label: h("a", { href: `#/console/rejections?code=${c}` }, words(c)), value: n, tone: "bad" as const })), "No report has been refused.")),
    card(code ? `Latest refused: ${words(code)}` : "Latest refused", table<RejectionPublic>([
      { label: "Received", cell: (r) => when(r.received_at) },
      { label: "Code", cell: (r) => badge(r.code, "bad") },
      { label: "Vehicle", cell: (r) => (r.vehicle_id ? `#${r.vehicle_id} · ${r.sequence ?? "?"}` : "unknown") },
      { label: "Owner", cell: (r) => (r.owner_id ? `#${r.owner_id}` : "—") },
      { label: "Detail", cell: (r) => r.detail },
    ], found.rejections, "None.")),
  );
}
