// The operator console: where settlement stands, emission against the schedule, reserves and
// budgets, epochs and their on-chain state, refused reports (consent or integrity, by vehicle),
// and an owner looked up for support.

import { get } from "../api";
import { add, h, replace } from "../dom";
import { amountOf, integer, percent, stones, stonesFloat, when, words, zoneLabel } from "../format";
import { t } from "../i18n";
import type { ChainPublic, EpochPublic, OwnerStaffPublic, ProgramPublic, RejectionPublic, RejectionSummaryPublic, RejectionsPublic, SchedulePublic, SettlementStatusPublic } from "../types";
import { InputError, badge, bars, card, csvButton, facts, field, form, hex, input, pageTitle, pager, problemMessage, searchBox, stat, table } from "../widgets";
import { readChain, statusBadge, supplyBars } from "./explorer";

export async function renderOverview(page: HTMLElement): Promise<void> {
  const [program, epochs, status] = await Promise.all([
    get<ProgramPublic>("/program"), get<EpochPublic[]>("/epochs"), get<SettlementStatusPublic>("/admin/status"),
  ]);
  const settled = epochs.filter((e) => e.cum_mined).sort((a, b) => a.epoch - b.epoch);
  const last = Math.max(program.current_epoch, settled.at(-1)?.epoch ?? 0, 1);
  const schedule = await get<SchedulePublic>("/program/schedule", { query: { until: last } });
  const totals = program.totals;
  const latest = settled.at(-1) ?? null;
  const chartBox = h("div", { class: "chart", id: "emission-chart", "aria-hidden": "true" });
  add(page,
    pageTitle("Operations", t("Program {{preset}}, epoch {{epoch}}", { preset: program.preset, epoch: program.current_epoch })),
    card("Settlement", h("div", { class: "stats", id: "settlement-status" },
      stat("Last finalized epoch", status.last_finalized_epoch === null ? "—" : String(status.last_finalized_epoch)),
      stat("Epochs waiting", String(status.epochs_to_settle), status.epochs_to_settle ? t("closed, not yet settled") : t("all settled")),
      stat("Ledger", status.ledger_reconciles ? badge("reconciles", "good") : badge("does not reconcile", "bad")),
      stat("Reports", integer(status.trips), t("{{count}} refused", { count: integer(status.rejections) })),
    )),
    h("div", { class: "stats card" },
      stat("Mined so far", latest?.cum_mined ? amountOf(latest.cum_mined) : "0", latest ? t("of {{amount}} the schedule allows", { amount: stones(latest.schedule_mined, 2) }) : t("stones")),
      stat("Circulating", amountOf(totals.circulating), t("stones with owners")),
      stat("Activity budget", amountOf(totals.budgets), t("released, not yet paid")),
      stat("Burned", amountOf(totals.burned), t("stones")),
    ),
    card("Emission against the schedule", chartBox,
      h("p", { class: "muted" }, t("Cumulative stones by the end of each epoch. The contract refuses any epoch whose mining would pass the schedule; the schedule runs out at epoch {{epoch}}.", { epoch: integer(schedule.exhaustion_epoch) })),
      h("details", { class: "chart-table" }, h("summary", null, t("The chart as a table")),
        table<EpochPublic>([
          { label: "Epoch", cell: (e) => String(e.epoch) },
          { label: "Mined, cumulative", cell: (e) => (e.cum_mined ? amountOf(e.cum_mined) : "—"), numeric: true },
          { label: "Schedule allows", cell: (e) => amountOf(e.schedule_mined), numeric: true },
          { label: "Activity paid, cumulative", cell: (e) => (e.cum_activity ? amountOf(e.cum_activity) : "—"), numeric: true },
        ], [...settled].reverse()))),
    h("div", { class: "grid two" },
      card("Reserves and budgets", supplyBars(totals),
        facts([
          ["Mining reserve left", h("span", null, amountOf(totals.mining_reserve), " ", t("stones"), ` (${percent(stonesFloat(totals.mining_reserve), stonesFloat(schedule.mining_total))})`)],
          ["Activity reserve left", h("span", null, amountOf(totals.activity_reserve), " ", t("stones"))],
          ["Released activity budget", h("span", null, amountOf(totals.budgets), " ", t("stones"))],
          ["Ledger reconciles", totals.reconciles ? badge("yes", "good") : badge("no", "bad")],
        ])),
      card("Latest epochs", epochs.length === 0 ? h("p", { class: "empty" }, t("No epoch settled yet.")) : table<EpochPublic>([
        { label: "Epoch", cell: (e) => h("a", { href: `#/console/epochs/${e.epoch}` }, `#${e.epoch}`) },
        { label: "Status", cell: (e) => statusBadge(e.status) },
        { label: "Mined", cell: (e) => (e.mined ? amountOf(e.mined) : "—"), numeric: true },
        { label: "Activity released", cell: (e) => (e.activity ? amountOf(e.activity) : "—"), numeric: true },
      ], [...epochs].sort((a, b) => b.epoch - a.epoch).slice(0, 6))),
    ),
  );
  const { lineChart } = await import("../chart");
  const x = schedule.points.map((p) => p.epoch);
  const minedAt = new Map(settled.map((e) => [e.epoch, stonesFloat(e.cum_mined!)]));
  const activityAt = new Map(settled.map((e) => [e.epoch, stonesFloat(e.cum_activity ?? "0")]));
  lineChart(chartBox, x, [
    { label: t("Mining schedule"), values: schedule.points.map((p) => stonesFloat(p.mining)), color: "#5f6b78", dash: [6, 4] },
    { label: t("Mined"), values: x.map((e) => minedAt.get(e) ?? null), color: "#0f766e", fill: true },
    { label: t("Activity release"), values: schedule.points.map((p) => stonesFloat(p.activity)), color: "#b45309", dash: [2, 3] },
    { label: t("Activity paid"), values: x.map((e) => activityAt.get(e) ?? null), color: "#1f5fbf" },
  ], t("epoch"));
}

export async function renderConsoleEpochs(page: HTMLElement): Promise<void> {
  const [epochs, chain] = await Promise.all([get<EpochPublic[]>("/epochs"), readChain()]);
  const sorted = [...epochs].sort((a, b) => b.epoch - a.epoch);
  const onChain = new Map<number, HTMLElement>(sorted.map((e) => [e.epoch, h("span", { class: "muted" }, e.status === "finalized" ? t("reading…") : "—")]));
  add(page,
    pageTitle("Epochs", "Each finalized epoch's roots as the database has them, checked against the Program contract."),
    card("Chain", chainSummary(chain)),
    card("Epochs", h("div", { class: "row" }, csvButton("epochs.csv", ["epoch", "status", "starts_at", "mined_pebbles", "activity_released_pebbles", "rollover_pebbles", "state_root"],
      () => sorted.map((e) => [e.epoch, e.status, e.starts_at.iso, e.mined?.pebbles ?? null, e.activity?.pebbles ?? null, e.rollover?.pebbles ?? null, e.state_root]))),
    table<EpochPublic>([
      { label: "Epoch", cell: (e) => h("a", { href: `#/console/epochs/${e.epoch}` }, `#${e.epoch}`) },
      { label: "Status", cell: (e) => statusBadge(e.status) },
      { label: "Mined", cell: (e) => (e.mined ? amountOf(e.mined) : "—"), numeric: true },
      { label: "Rolled over", cell: (e) => (e.rollover ? amountOf(e.rollover) : "—"), numeric: true },
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
  if (!chain) return h("p", { class: "empty" }, t("No chain configured."));
  return facts([
    ["Backend", chain.backend],
    ["Chain id", String(chain.chain_id)],
    ["Program", hex(chain.program_address, false)],
    ["Next epoch to finalize", chain.next_epoch === null ? "—" : String(chain.next_epoch)],
  ]);
}

const KIND_TONE = { integrity: "bad", consent: "muted", limit: "warn" } as const;
const PAGE = 20;

export async function renderRejections(page: HTMLElement, _p: unknown, query: URLSearchParams): Promise<void> {
  const code = query.get("code");
  const vehicle = query.get("vehicle");
  // The groups are the server's count over every kept refusal; the list below is read a page
  // at a time and is only for looking at single reports.
  const [summary, first] = await Promise.all([
    get<RejectionSummaryPublic>("/telemetry/rejections/summary", { query: { vehicles: 12 } }),
    get<RejectionsPublic>("/telemetry/rejections", { query: { code, vehicle_id: vehicle, limit: PAGE } }),
  ]);
  const kindOf = new Map(summary.by_code.map((c) => [c.code, c.kind]));
  const loaded = [...first.rejections];
  const rows = h("div", { id: "rejections-table" });
  let search = "";
  const paint = () => replace(rows, rejectionsTable(loaded.filter((r) =>
    !search || `${r.code} ${r.detail} ${r.vehicle_id ?? ""}`.toLowerCase().includes(search)), kindOf));
  paint();
  const more = pager(async () => {
    const next = await get<RejectionsPublic>("/telemetry/rejections", { query: { code, vehicle_id: vehicle, limit: PAGE, before: loaded.at(-1)?.id } });
    loaded.push(...next.rejections);
    paint();
    return next.rejections.length === PAGE;
  }, { id: "rejections-more" });
  add(page,
    pageTitle("Refused reports", "Forged, replayed, rolled-back, teleporting or over-speed reports are refused with a reason code."),
    h("div", { class: "stats card" },
      stat("Integrity checks", integer(summary.by_kind.integrity ?? 0), t("forged, replayed or impossible: look into these"), { id: "refused-integrity" }),
      stat("No consent", integer(summary.by_kind.consent ?? 0), t("the owner's choice, not a fault"), { id: "refused-consent" }),
      stat("Program limits", integer(summary.by_kind.limit ?? 0), t("epoch closed or its cap reached"), { id: "refused-limit" }),
    ),
    h("div", { class: "grid two" },
      card("By code", bars(summary.by_code.map((c) => ({ label: h("a", { href: `#/console/rejections?code=${c.code}` }, t(words(c.code))), value: c.count, tone: KIND_TONE[c.kind] })), "No report has been refused.")),
      card("By vehicle", bars(summary.by_vehicle.map((v) => ({
        label: v.vehicle_id === null ? t("unknown vehicle") : h("a", { href: `#/console/rejections?vehicle=${v.vehicle_id}` }, t("Vehicle {{id}}", { id: `#${v.vehicle_id}` })),
        value: v.integrity, text: v.consent ? t("{{integrity}} · {{consent}} no consent", { integrity: integer(v.integrity), consent: integer(v.consent) }) : integer(v.integrity),
        tone: "bad" as const,
      })), "No report has been refused."),
        h("p", { class: "muted", id: "by-vehicle-note" }, t("Integrity refusals per vehicle, most first: {{shown}} of {{count}} vehicles, over all {{total}} refused reports kept.", { shown: summary.by_vehicle.length, count: summary.vehicles, total: integer(summary.total) }))),
    ),
    card(code ? t("Latest refused: {{code}}", { code: t(words(code)) }) : vehicle ? t("Latest refused from vehicle #{{id}}", { id: vehicle }) : t("Latest refused"),
      h("div", { class: "row" },
        searchBox("Search code, detail or vehicle", (text) => { search = text; paint(); }, { id: "rejections-search" }),
        csvButton("refused-reports.csv", ["received_at", "code", "kind", "vehicle_id", "sequence", "owner_id", "detail"],
          () => loaded.map((r) => [r.received_at.iso, r.code, kindOf.get(r.code) ?? "", r.vehicle_id, r.sequence, r.owner_id, r.detail]))),
      h("p", { class: "muted" }, t("Times in {{zone}}.", { zone: zoneLabel() })),
      rows, first.rejections.length === PAGE ? more : null),
  );
}

function rejectionsTable(rejections: RejectionPublic[], kindOf: Map<string, keyof typeof KIND_TONE>): HTMLElement {
  return table<RejectionPublic>([
    { label: "Received", cell: (r) => when(r.received_at) },
    { label: "Code", cell: (r) => badge(r.code, KIND_TONE[kindOf.get(r.code) ?? "integrity"]) },
    { label: "Vehicle", cell: (r) => (r.vehicle_id ? `#${r.vehicle_id} · ${r.sequence ?? "?"}` : t("unknown")) },
    // What the code means in the page's language, over the intake's figures (kept as it said them).
    { label: "Detail", cell: (r) => h("span", null, problemMessage(r.code, words(r.code)), h("br"), h("span", { class: "muted" }, r.detail)) },
  ], rejections, "None.");
}

export async function renderOwnerLookup(page: HTMLElement, _p: unknown, query: URLSearchParams): Promise<void> {
  const id = query.get("id");
  const out = h("div", { id: "owner-found" });
  add(page,
    pageTitle("Owner lookup", "For support: an owner's standing, cars and wallet address, by the owner number the person gives."),
    card(null, form([field("Owner number", input("id", { inputmode: "numeric", required: true, value: id ?? "", autocomplete: "off" }))], "Look up", async (data) => {
      const text = String(data.get("id") ?? "").trim();
      if (!/^\d{1,12}$/.test(text) || text === "0") throw new InputError(t("Owner number: the whole number the owner sees in their profile."));
      replace(out, ownerView(await get<OwnerStaffPublic>(`/owners/${text}`)));
    }, { id: "owner-form" })),
    out,
  );
  if (id && /^\d{1,12}$/.test(id)) replace(out, ownerView(await get<OwnerStaffPublic>(`/owners/${id}`)));
}

function ownerView(owner: OwnerStaffPublic): HTMLElement {
  return card(t("Owner {{id}}", { id: owner.id }), facts([
    ["Wallet address", hex(owner.address, false)],
    ["Since", when(owner.created_at)],
    ["Certified", owner.standing.certified_at ? when(owner.standing.certified_at) : badge("no", "warn")],
    ["Standing revoked", owner.standing.revoked_at ? when(owner.standing.revoked_at) : "—"],
    ["Phone on file", owner.has_phone ? t("yes") : t("no")],
    ["Payment account on file", owner.has_payment ? t("yes") : t("no")],
    ["Shares identity with", owner.sharing_identity_with.length ? owner.sharing_identity_with.map((o) => `#${o}`).join(", ") : "—"],
    ["Vehicles", owner.vehicles.length ? owner.vehicles.map((v) => `${v.model ?? t("Vehicle")} ${v.vin}`).join("; ") : "—"],
  ]));
}
