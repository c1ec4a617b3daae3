// The operator's levers: campaigns, merchants and their catalogue, and dividends.

import { currentSession, get, newKey, post } from "../api";
import { add, h } from "../dom";
import { type Amount, type Instant, date, parseStones, pebblesOf, stones, stonesOfPebbles, words, yuan } from "../format";
import type { EpochPublic, ProgramPublic } from "../types";
import { badge, card, field, form, input, notice, pageTitle, stat, table } from "../widgets";
import { type DividendPublic, type ItemPublic, type MerchantPublic, dividendsTable } from "./store";

const isOperator = () => currentSession()?.role === "operator";

function stonesField(name: string, form: FormData): bigint {
  const value = parseStones(String(form.get(name) ?? ""));
  if (value === null) throw new Error(`${words(name)}: write an amount of stones, like 12.5`);
  return value;
}

function unixOfDate(text: string, endOfDay = false): number {
  const unix = Date.parse(`${text}T00:00:00Z`) / 1000;
  if (Number.isNaN(unix)) throw new Error(`${text || "(empty)"} is not a date`);
  return endOfDay ? unix + 86_400 : unix;
}

interface CampaignPublic {
  id: number;
  name: string;
  budget: Amount;
  reward: Amount;
  per_owner_cap: number;
  proof: string;
  starts_at: Instant;
  ends_at: Instant;
  created_at: Instant;
  closed_at: Instant | null;
  remaining: Amount;
  returned: Amount | null;
}

function campaignStatus(c: CampaignPublic): [string, "good" | "muted" | "info"] {
  const now = Date.now() / 1000;
  if (c.closed_at) return ["closed", "muted"];
  if (now < c.starts_at.unix) return ["upcoming", "info"];
  if (now >= c.ends_at.unix) return ["ended", "muted"];
  return ["active", "good"];
}

export async function renderCampaigns(page: HTMLElement): Promise<void> {
  const [campaigns, program] = await Promise.all([get<CampaignPublic[]>("/activities/campaigns"), get<ProgramPublic>("/program")]);
  const open = campaigns.filter((c) => !c.closed_at);
  const reserved = open.reduce((sum, c) => sum + pebblesOf(c.remaining), 0n);
  const today = new Date().toISOString().slice(0, 10);
  add(page, 
    pageTitle("Campaigns", "Operator-defined activities, paid from the released activity budget."),
    h("div", { class: "stats card" },
      stat("Released activity budget", stones(program.totals.budgets, 2), "stones, not yet paid"),
      stat("Left in open campaigns", stones(stonesOfPebbles(reserved), 2), "stones"),
      stat("Campaigns", String(campaigns.length), `${open.length} open`),
    ),
    card("Campaigns", table<CampaignPublic>([
      { label: "Campaign", cell: (c) => h("span", null, h("strong", null, c.name), h("br"), h("span", { class: "muted" }, `proven by ${words(c.proof).toLowerCase()}`)) },
      { label: "Window", cell: (c) => `${date(c.starts_at)} → ${date(c.ends_at)}` },
      { label: "Reward", cell: (c) => `${stones(c.reward)} × ${c.per_owner_cap}`, numeric: true },
      { label: "Left / budget", cell: (c) => `${stones(c.remaining, 2)} / ${stones(c.budget, 2)}`, numeric: true },
      { label: "Status", cell: (c) => badge(...campaignStatus(c)) },
    ], campaigns, "No campaign yet.")),
    isOperator() ? card("New campaign", form([
      field("Name", input("name", { required: true, maxlength: 120, placeholder: "Spring road trip" })),
      h("div", { class: "form-row" },
        field("Budget (stones)", input("budget", { inputmode: "decimal", required: true, placeholder: "1000" })),
        field("Reward per participation (stones)", input("reward", { inputmode: "decimal", required: true, placeholder: "10" }))),
      h("div", { class: "form-row" },
        field("Participations per owner", input("per_owner_cap", { type: "number", min: 1, value: 1 })),
        field("Proven by", h("select", { name: "proof" }, ["code", "operator", "list"].map((p) => h("option", { value: p }, words(p)))))),
      h("div", { class: "form-row" },
        field("Starts", input("starts", { type: "date", value: today })),
        field("Ends (inclusive)", input("ends", { type: "date", value: today }))),
    ], "Create campaign", async (data) => {
      const created = await post<CampaignPublic>("/activities/campaigns", {
        name: String(data.get("name") ?? ""), budget: stonesField("budget", data), reward: stonesField("reward", data),
        per_owner_cap: Number(data.get("per_owner_cap")), proof: String(data.get("proof")),
        starts_at: unixOfDate(String(data.get("starts"))), ends_at: unixOfDate(String(data.get("ends")), true),
      });
      return `Campaign #${created.id} created with ${stones(created.budget)} stones reserved.`;
    }, { id: "campaign-form" })) : null,
  );
}

interface MerchantKeyPublic {
  merchant: MerchantPublic;
  api_key: string;
}

export async function renderMerchants(page: HTMLElement): Promise<void> {
  const [merchants, items] = await Promise.all([get<MerchantPublic[]>("/store/merchants"), get<ItemPublic[]>("/store/items")]);
  const keyOut = h("div");
  add(page, 
    pageTitle("Merchants", "The brand's shop and services: they price items in stones and fulfil orders."),
    card("Merchants", table<MerchantPublic>([
      { label: "Merchant", cell: (m) => h("span", null, h("strong", null, m.name), " ", badge(m.category, "muted")) },
      { label: "Since", cell: (m) => date(m.created_at) },
      { label: "Items", cell: (m) => String(items.filter((i) => i.merchant_id === m.id).length), numeric: true },
      { label: "Status", cell: (m) => badge(m.deactivated_at ? "inactive" : "active", m.deactivated_at ? "muted" : "good") },
    ], merchants, "No merchant yet.")),
    card("Catalogue", table<ItemPublic>([
      { label: "Item", cell: (i) => h("span", null, i.title, " ", h("code", null, i.sku)) },
      { label: "Merchant", cell: (i) => merchants.find((m) => m.id === i.merchant_id)?.name ?? `#${i.merchant_id}` },
      { label: "Price", cell: (i) => `${stones(i.price)}${i.cash_fen ? ` + ${yuan(i.cash_fen)}` : ""}`, numeric: true },
      { label: "Stock", cell: (i) => (i.stock === null ? "∞" : String(i.stock)), numeric: true },
    ], items, "Nothing on sale.")),
    isOperator() ? card("New merchant", form([
      h("div", { class: "form-row" },
        field("Name", input("name", { required: true, maxlength: 64 })),
        field("Category", h("select", { name: "category" }, ["shop", "service", "charging"].map((c) => h("option", { value: c }, c))))),
    ], "Register merchant", async (data) => {
      const made = await post<MerchantKeyPublic>("/store/merchants", { name: String(data.get("name") ?? ""), category: String(data.get("category")) });
      keyOut.replaceChildren(notice(h("span", null, "Give this API key to the merchant; it is shown this once: ", h("code", { id: "merchant-key" }, made.api_key)), "warn"));
      return `Merchant #${made.merchant.id} registered. It adds its items from the merchant desk.`;
    }, { id: "merchant-form" }), keyOut) : null,
  );
}

export async function renderConsoleDividends(page: HTMLElement): Promise<void> {
  const [dividends, epochs] = await Promise.all([get<DividendPublic[]>("/dividends"), get<EpochPublic[]>("/epochs")]);
  const finalized = epochs.filter((e) => e.status === "finalized").map((e) => e.epoch).sort((a, b) => b - a);
  add(page, 
    pageTitle("Dividends", "Declared in CNY fen on a record epoch; each holder's share is exact, the leftover fen handed out by largest remainder."),
    card("Declared", dividendsTable(dividends)),
    isOperator() ? card("Declare a dividend", finalized.length === 0 ? h("p", { class: "empty" }, "Declaring needs a finalized record epoch.") : form([
      h("div", { class: "form-row" },
        field("Amount (yuan)", input("amount", { inputmode: "decimal", required: true, placeholder: "10000.00" })),
        field("Record epoch", h("select", { name: "record_epoch" }, finalized.map((e) => h("option", { value: e }, `Epoch ${e}`))))),
      h("div", { class: "form-row" },
        field("Payment date", input("payment_date", { type: "date", required: true })),
        field("Note", input("note", { maxlength: 200, placeholder: "FY2026 interim" }))),
    ], "Declare", async (data) => {
      const match = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(String(data.get("amount") ?? ""));
      if (!match) throw new Error("Amount: write yuan with at most two decimals, like 10000.50");
      const fen = BigInt(match[1]) * 100n + BigInt((match[2] ?? "").padEnd(2, "0"));
      const declared = await post<DividendPublic>("/dividends", {
        amount_fen: fen, record_epoch: Number(data.get("record_epoch")),
        payment_date: String(data.get("payment_date") ?? ""), note: String(data.get("note") ?? ""),
      }, { idempotencyKey: newKey("dividend") });
      return `Dividend #${declared.id} declared: ${yuan(declared.amount_fen)} to ${declared.holders} holders; its root goes on chain with the next epoch.`;
    }, { id: "dividend-form" })) : null,
  );
}
