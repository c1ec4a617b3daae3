// What driving earned: the drops of each epoch round by round, the trips and their verdicts,
// and the consent switches that decide which data may be used.

import { get, post } from "../api";
import { add, h, replace } from "../dom";
import { type Amount, type Instant, km, plural, stones, stonesFloat, words, when } from "../format";
import { badge, bars, card, hex, notice, pageTitle, problemBox, stat, table, toggle } from "../widgets";

interface RoundDrops {
  round: number;
  drops: number;
  amount: Amount;
}

interface EpochDrops {
  epoch: number;
  rounds_per_epoch: number;
  total: Amount;
  drops: number;
  rounds: RoundDrops[];
  seed: string | null;
}

export async function renderDrops(page: HTMLElement): Promise<void> {
  const epochs = await get<EpochDrops[]>("/wallet/drops");
  add(page, pageTitle("My drops", "Each epoch's mining budget falls in drops, round by round, in proportion to consented, signed mileage."));
  if (epochs.length === 0) {
    add(page, card(null, h("p", { class: "empty" }, "No drops yet. They appear here once an epoch in which you drove has been settled.")));
    return;
  }
  const chartBox = h("div", { class: "chart", id: "drops-chart" });
  add(page, card("Stones from drops, by epoch", chartBox));
  for (const epoch of [...epochs].sort((a, b) => b.epoch - a.epoch)) add(page, epochCard(epoch));
  const { columnChart } = await import("../chart");
  columnChart(chartBox, epochs.map((e) => e.epoch), [{ label: "stones", values: epochs.map((e) => stonesFloat(e.total)), color: "#0f9488" }]);
}

function epochCard(epoch: EpochDrops): HTMLElement {
  const byRound = new Map(epoch.rounds.map((r) => [r.round, r]));
  const most = Math.max(...epoch.rounds.map((r) => r.drops), 1);
  const cells = Array.from({ length: epoch.rounds_per_epoch }, (_, round) => {
    const hit = byRound.get(round);
    const title = hit ? `round ${round}: ${plural(hit.drops, "drop")}, ${stones(hit.amount)} stones` : `round ${round}: nothing`;
    return h("span", { class: hit ? (hit.drops * 2 > most ? "hit big" : "hit") : null, title });
  });
  const columns = Math.min(epoch.rounds_per_epoch, 24);
  return card(h("span", null, `Epoch ${epoch.epoch} `, badge(`${stones(epoch.total)} stones`, "good")),
    h("p", { class: "muted" }, `${plural(epoch.drops, "drop")} fell to you in ${plural(epoch.rounds.length, "round")} of ${epoch.rounds_per_epoch}; each square is a round, darker where more fell.`),
    h("div", { class: "rounds", style: `grid-template-columns: repeat(${columns}, minmax(0, 26px))` }, cells),
    bars(epoch.rounds.map((r) => ({ label: `Round ${r.round} · ${plural(r.drops, "drop")}`, value: stonesFloat(r.amount), text: stones(r.amount, 4), tone: "good" as const }))),
    epoch.seed ? h("p", { class: "muted" }, "Seed ", hex(epoch.seed), ": anyone can re-run these drops from the epoch file.") : null,
  );
}

interface TripPublic {
  id: number;
  vehicle_id: number;
  sequence: number;
  trip_id: string;
  distance_m: number;
  counted_m: number;
  received_at: Instant;
  started_at: Instant | null;
  ended_at: Instant | null;
}

interface MyRejection {
  id: number;
  code: string;
  detail: string;
  received_at: Instant;
  vehicle_id: number | null;
  sequence: number | null;
}

export async function renderTrips(page: HTMLElement): Promise<void> {
  const [trips, rejected] = await Promise.all([
    get<TripPublic[]>("/telemetry/trips", { query: { limit: 100 } }),
    get<MyRejection[]>("/telemetry/rejections/mine", { query: { limit: 50 } }),
  ]);
  const total = trips.reduce((sum, t) => sum + t.counted_m, 0);
  add(page, 
    pageTitle("My trips", "Every report your car signed, and what the program made of it."),
    h("div", { class: "stats card" },
      stat("Accepted", String(trips.length), "trips"),
      stat("Counted", km(total), "toward drops"),
      stat("Refused", String(rejected.length), "reports"),
      stat("Capped", String(trips.filter((t) => t.counted_m < t.distance_m).length), "trips over the daily cap"),
    ),
    card("Trips", table<TripPublic>([
      { label: "Ended", cell: (t) => (t.ended_at ? when(t.ended_at) : h("span", { class: "muted" }, "erased")) },
      { label: "Vehicle", cell: (t) => `#${t.vehicle_id} · ${t.sequence}` },
      { label: "Distance", cell: (t) => km(t.distance_m), numeric: true },
      { label: "Counted", cell: (t) => km(t.counted_m), numeric: true },
      { label: "Verdict", cell: (t) => verdict(t) },
    ], trips, "No trips yet.")),
    card("Refused reports", table<MyRejection>([
      { label: "Received", cell: (r) => when(r.received_at) },
      { label: "Vehicle", cell: (r) => (r.vehicle_id ? `#${r.vehicle_id} · ${r.sequence ?? "?"}` : "—") },
      { label: "Verdict", cell: (r) => badge(words(r.code), "bad") },
      { label: "Why", cell: (r) => r.detail },
    ], rejected, "None: every report was accepted.")),
  );
}

function verdict(trip: TripPublic): HTMLElement {
  if (trip.started_at === null) return badge("accepted, raw data erased", "muted");
  if (trip.counted_m === 0) return badge("accepted, not counted", "warn");
  if (trip.counted_m < trip.distance_m) return badge("accepted, capped", "warn");
  return badge("accepted", "good");
}

interface VehicleSummary {
  id: number;
  vin: string;
  model: string | null;
}

interface OwnerPublic {
  id: number;
  address: string | null;
  username: string | null;
  vehicles: VehicleSummary[];
}

interface ConsentState {
  vehicle_id: number;
  scopes: Record<string, boolean>;
}

interface Receipt {
  id: number;
  vehicle_id: number;
  scope: string;
  action: string;
  at: Instant;
  terms_version: string;
  hash: string;
}

interface Deletion {
  id: number;
  consent_receipt_id: number;
  scope: string;
  at: Instant;
  items_erased: number;
  hash: string;
}

interface ConsentHistory {
  receipts: Receipt[];
  deletions: Deletion[];
  chain_valid: boolean;
}

const TERMS_VERSION = "2026-01";
const SCOPES: [string, string, string][] = [
  ["mileage", "Mileage", "Needed to mine: signed distances count toward drops."],
  ["driving_behavior", "Driving behaviour", "Optional: unlocks a multiplier of up to 1.2× on your mileage."],
];

export async function renderConsent(page: HTMLElement): Promise<void> {
  const [me, states] = await Promise.all([get<OwnerPublic>("/owners/me"), get<ConsentState[]>("/consent")]);
  const receipts = h("div", { id: "receipts" });
  const refresh = async () => replace(receipts, receiptsView(await get<ConsentHistory>("/consent/history")));
  const last = h("div", { class: "action-out", id: "consent-out" });
  add(page, pageTitle("Data consent", "You decide which data your cars may share. Every change returns a receipt; revoking erases the raw data of that scope."));
  if (me.vehicles.length === 0) add(page, card(null, h("p", { class: "empty" }, "No vehicle is registered to you yet.")));
  for (const vehicle of me.vehicles) {
    const state = states.find((s) => s.vehicle_id === vehicle.id)?.scopes ?? {};
    add(page, card(`${vehicle.model ?? "Vehicle"} · ${vehicle.vin}`,
      SCOPES.map(([scope, label, hint]) => h("div", { class: "consent-scope" },
        toggle(label, Boolean(state[scope]), async (on) => {
          try {
            replace(last, notice(await change(vehicle.id, scope, label, on), "good"));
          } catch (error) {
            replace(last, problemBox(error));
          }
          await refresh();
        }, { id: `consent-${vehicle.id}-${scope}`, "data-scope": scope }),
        h("p", { class: "field-hint" }, hint))),
      last,
    ));
  }
  add(page, card("Receipts", receipts));
  await refresh();
}

async function change(vehicleId: number, scope: string, label: string, on: boolean): Promise<string> {
  if (on) {
    const receipt = await post<Receipt>("/consent/grants", { vehicle_id: vehicleId, scope, terms_version: TERMS_VERSION });
    return `Granted ${label.toLowerCase()}: receipt #${receipt.id}, ${receipt.hash.slice(0, 18)}…`;
  }
  const revoked = await post<{ receipt: Receipt; deletion: Deletion }>("/consent/revocations", { vehicle_id: vehicleId, scope });
  return `Revoked ${label.toLowerCase()}: receipt #${revoked.receipt.id}; ${plural(revoked.deletion.items_erased, "item")} of raw data erased.`;
}

function receiptsView(history: ConsentHistory): HTMLElement {
  const erased = new Map(history.deletions.map((d) => [d.consent_receipt_id, d]));
  return h("div", null,
    h("p", null, history.chain_valid ? badge("receipt chain intact", "good") : badge("receipt chain broken", "bad"),
      " Each receipt's hash covers the one before it, so none can be dropped or altered unnoticed."),
    table<Receipt>([
      { label: "When", cell: (r) => when(r.at) },
      { label: "Vehicle", cell: (r) => `#${r.vehicle_id}` },
      { label: "Change", cell: (r) => h("span", null, badge(r.action, r.action === "grant" ? "good" : "warn"), " ", words(r.scope)) },
      { label: "Erased", cell: (r) => (erased.has(r.id) ? plural(erased.get(r.id)!.items_erased, "item") : "—") },
      { label: "Receipt", cell: (r) => hex(r.hash) },
    ], [...history.receipts].reverse(), "No consent given yet."));
}
