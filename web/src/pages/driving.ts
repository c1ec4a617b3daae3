// What driving earned: the drops of each epoch round by round, the trips and their verdicts,
// and the consent switches that decide which data may be used.

import { get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { amountOf, counted, km, stones, stonesFloat, when, words, zoneLabel } from "../format";
import { t } from "../i18n";
import type { ConsentHistoryPublic, ConsentStatePublic, DeletionPublic, EpochDropsPublic, OwnerPublic, ReceiptPublic, RejectionPublic, TripPublic } from "../types";
import { badge, bars, card, confirmAction, hex, notice, pageTitle, pager, problemBox, problemMessage, stat, table, toggle } from "../widgets";

const EPOCHS_SHOWN = 5;

export async function renderDrops(page: HTMLElement): Promise<void> {
  const epochs = await get<EpochDropsPublic[]>("/wallet/drops");
  add(page, pageTitle("My drops", "Each epoch's mining budget falls in drops, round by round, in proportion to consented, signed mileage."));
  if (epochs.length === 0) {
    add(page, card(null, h("p", { class: "empty" }, t("No drops yet. They appear here once an epoch in which you drove has been settled."))));
    return;
  }
  const newest = [...epochs].sort((a, b) => b.epoch - a.epoch);
  const chartBox = h("div", { class: "chart", id: "drops-chart", "aria-hidden": "true" });
  add(page, card("Stones from drops, by epoch", chartBox, dropsSummary(newest)));
  const list = h("div", { id: "drop-epochs" });
  let shown = 0;
  const more = async () => {
    add(list, ...newest.slice(shown, shown + EPOCHS_SHOWN).map(epochCard));
    shown += EPOCHS_SHOWN;
    return shown < newest.length;
  };
  await more();
  add(page, list, shown < newest.length ? pager(more, { id: "drops-more" }) : null);
  const { columnChart } = await import("../chart");
  columnChart(chartBox, epochs.map((e) => e.epoch), [{ label: t("stones"), values: epochs.map((e) => stonesFloat(e.total)), color: "#0f766e" }], t("epoch"));
}

/** The chart's text alternative: every epoch's figure in a table a screen reader can read. */
function dropsSummary(epochs: EpochDropsPublic[]): HTMLElement {
  return h("details", { class: "chart-table" },
    h("summary", null, t("The chart as a table")),
    table([
      { label: "Epoch", cell: (e) => String(e.epoch) },
      { label: "Drops", cell: (e) => String(e.drops), numeric: true },
      { label: "Stones", cell: (e) => amountOf(e.total), numeric: true },
    ], epochs));
}

function epochCard(epoch: EpochDropsPublic): HTMLElement {
  const byRound = new Map(epoch.rounds.map((r) => [r.round, r]));
  const most = Math.max(...epoch.rounds.map((r) => r.drops), 1);
  const cells = Array.from({ length: epoch.rounds_per_epoch }, (_, round) => {
    const hit = byRound.get(round);
    const title = hit
      ? t("round {{round}}: {{drops}}, {{amount}} stones", { round, drops: counted("{{count}} drops", hit.drops), amount: stones(hit.amount) })
      : t("round {{round}}: nothing", { round });
    return h("span", { class: hit ? (hit.drops * 2 > most ? "hit big" : "hit") : null, title });
  });
  const columns = Math.min(epoch.rounds_per_epoch, 24);
  return h("section", { class: "card", "data-epoch": epoch.epoch },
    h("h2", null, t("Epoch {{epoch}}", { epoch: epoch.epoch }), " ", h("span", { class: "badge badge-good" }, amountOf(epoch.total), " ", t("stones"))),
    h("p", { class: "muted" }, t("{{drops}} fell to you in {{rounds}} of {{total}}; each square is a round, darker where more fell.", {
      drops: counted("{{count}} drops", epoch.drops), rounds: counted("{{count}} rounds", epoch.rounds.length), total: epoch.rounds_per_epoch,
    })),
    h("div", { class: "rounds", role: "img", "aria-label": t("{{hit}} of {{total}} rounds had drops for you", { hit: epoch.rounds.length, total: epoch.rounds_per_epoch }), style: `grid-template-columns: repeat(${columns}, minmax(0, 26px))` }, cells),
    bars(epoch.rounds.map((r) => ({ label: t("Round {{round}} · {{drops}}", { round: r.round, drops: counted("{{count}} drops", r.drops) }), value: stonesFloat(r.amount), text: stones(r.amount, 2), tone: "good" as const }))),
    epoch.seed ? h("p", { class: "muted" }, t("Seed"), " ", hex(epoch.seed), t(": anyone can re-run these drops from the epoch file.")) : null,
  );
}

export async function renderTrips(page: HTMLElement): Promise<void> {
  const [trips, rejected] = await Promise.all([
    get<TripPublic[]>("/telemetry/trips", { query: { limit: 100 } }),
    get<RejectionPublic[]>("/telemetry/rejections/mine", { query: { limit: 50 } }),
  ]);
  const total = trips.reduce((sum, trip) => sum + trip.counted_m, 0);
  add(page,
    pageTitle("My trips", "Every report your car signed, and what the program made of it."),
    h("div", { class: "stats card" },
      stat("Accepted", String(trips.length), t("trips")),
      stat("Counted", km(total), t("toward drops")),
      stat("Refused", String(rejected.length), t("reports")),
      stat("Capped", String(trips.filter((trip) => trip.counted_m < trip.distance_m).length), t("trips over the daily cap")),
    ),
    card("Trips", h("p", { class: "muted" }, t("Times in {{zone}}.", { zone: zoneLabel() })), table<TripPublic>([
      { label: "Ended", cell: (trip) => (trip.ended_at ? when(trip.ended_at) : h("span", { class: "muted" }, t("erased"))) },
      { label: "Vehicle", cell: (trip) => `#${trip.vehicle_id} · ${trip.sequence}` },
      { label: "Distance", cell: (trip) => km(trip.distance_m), numeric: true },
      { label: "Counted", cell: (trip) => km(trip.counted_m), numeric: true },
      { label: "Verdict", cell: (trip) => verdict(trip) },
    ], trips, "No trips yet.")),
    card("Refused reports", table<RejectionPublic>([
      { label: "Received", cell: (r) => when(r.received_at) },
      { label: "Vehicle", cell: (r) => (r.vehicle_id ? `#${r.vehicle_id} · ${r.sequence ?? "?"}` : "—") },
      { label: "Verdict", cell: (r) => badge(words(r.code), "bad") },
      // The code's message in the page's language; the intake's own words, with the figures
      // (English), on hover for whoever helps the owner.
      { label: "Why", cell: (r) => h("span", { title: r.detail }, problemMessage(r.code, words(r.code))) },
    ], rejected, "None: every report was accepted.")),
  );
}

function verdict(trip: TripPublic): HTMLElement {
  if (trip.started_at === null) return badge("accepted, raw data erased", "muted");
  if (trip.counted_m === 0) return badge("accepted, not counted", "warn");
  if (trip.counted_m < trip.distance_m) return badge("accepted, capped", "warn");
  return badge("accepted", "good");
}

const TERMS_VERSION = "2026-01";
const SCOPES: [string, string, string][] = [
  ["mileage", "Mileage", "Needed to mine: signed distances count toward drops."],
  ["driving_behavior", "Driving behaviour", "Optional: unlocks a multiplier of up to 1.2× on your mileage."],
];

export async function renderConsent(page: HTMLElement): Promise<void> {
  const [me, states] = await Promise.all([get<OwnerPublic>("/owners/me"), get<ConsentStatePublic[]>("/consent")]);
  const receipts = h("div", { id: "receipts" });
  const refresh = async () => replace(receipts, receiptsView(await get<ConsentHistoryPublic>("/consent/history")));
  const last = h("div", { class: "action-out", id: "consent-out" });
  add(page, pageTitle("Data consent", "You decide which data your cars may share. Every change returns a receipt; revoking erases the raw data of that scope."));
  if (me.vehicles.length === 0) add(page, card(null, h("p", { class: "empty" }, t("No vehicle is registered to you yet."))));
  for (const vehicle of me.vehicles) {
    const state: Record<string, boolean> = states.find((s) => s.vehicle_id === vehicle.id)?.scopes ?? {};
    add(page, card(`${vehicle.model ?? t("Vehicle")} · ${vehicle.vin}`,
      SCOPES.map(([scope, label, hint]) => h("div", { class: "consent-scope" },
        state[scope]
          ? h("div", { class: "spread" },
              h("span", null, badge("granted", "good"), " ", h("strong", null, t(label))),
              confirmAction({
                label: "Revoke", kind: "danger", keyPrefix: "revoke", confirm: "Revoke and erase",
                attrs: { id: `consent-${vehicle.id}-${scope}`, "data-scope": scope, "data-state": "granted" },
                explain: () => t("Revoking {{scope}} for {{vin}} erases its raw data now, and it cannot be brought back. From then on this car's reports no longer count for it.", { scope: t(label).toLowerCase(), vin: vehicle.vin }),
                run: async (key) => {
                  replace(last, notice(await change(vehicle.id, scope, label, false, key), "good"));
                  await refresh();
                  state[scope] = false;
                },
              }))
          : toggle(label, false, async () => {
              try {
                replace(last, notice(await change(vehicle.id, scope, label, true, newKey("grant")), "good"));
              } catch (error) {
                replace(last, problemBox(error));
              }
              await refresh();
            }, { id: `consent-${vehicle.id}-${scope}`, "data-scope": scope, "data-state": "revoked" }),
        h("p", { class: "field-hint" }, t(hint)))),
      last,
    ));
  }
  add(page, card("Receipts", h("p", { class: "muted" }, t("Times in {{zone}}.", { zone: zoneLabel() })), receipts));
  await refresh();
}

async function change(vehicleId: number, scope: string, label: string, on: boolean, key: string): Promise<string> {
  if (on) {
    const receipt = await post<ReceiptPublic>("/consent/grants", { vehicle_id: vehicleId, scope, terms_version: TERMS_VERSION }, { idempotencyKey: key });
    return t("Granted {{scope}}: receipt {{hash}}", { scope: t(label).toLowerCase(), hash: `${receipt.hash.slice(0, 18)}…` });
  }
  const revoked = await post<{ receipt: ReceiptPublic; deletion: DeletionPublic }>("/consent/revocations", { vehicle_id: vehicleId, scope }, { idempotencyKey: key });
  return t("Revoked {{scope}}: {{items}} of raw data erased.", { scope: t(label).toLowerCase(), items: counted("{{count}} items", revoked.deletion.items_erased) });
}

function receiptsView(history: ConsentHistoryPublic): HTMLElement {
  const erased = new Map(history.deletions.map((d) => [d.consent_receipt_id, d]));
  return h("div", null,
    h("p", null, history.chain_valid ? badge("receipt chain intact", "good") : badge("receipt chain broken", "bad"),
      " ", t("Each receipt's hash covers the one before it, so none can be dropped or altered unnoticed.")),
    table<ReceiptPublic>([
      { label: "When", cell: (r) => when(r.at) },
      { label: "Vehicle", cell: (r) => `#${r.vehicle_id}` },
      { label: "Change", cell: (r) => h("span", null, badge(r.action, r.action === "grant" ? "good" : "warn"), " ", t(words(r.scope))) },
      { label: "Erased", cell: (r) => (erased.has(r.id) ? counted("{{count}} items", erased.get(r.id)!.items_erased) : "—") },
      { label: "Receipt", cell: (r) => hex(r.hash) },
    ], [...history.receipts].reverse(), "No consent given yet."));
}
