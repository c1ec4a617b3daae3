// The operator's levers: campaigns, merchants and their catalogue, and dividends.

import { currentSession, download, get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { amountOf, date, parseStones, parseYuan, stones, unixOfZonedDate, when, words, yuan, zoneLabel } from "../format";
import { t } from "../i18n";
import type { CampaignPublic, DividendLimitsPublic, DividendPublic, EpochPublic, ItemPublic, MerchantKeyPublic, MerchantPublic, ProgramPublic } from "../types";
import { InputError, action, badge, card, confirmAction, csvButton, dateField, field, form, input, notice, pageTitle, problemBox, stat, table, type Tone } from "../widgets";
import { dividendsTable } from "./store";

const isOperator = () => currentSession()?.role === "operator";

function stonesField(name: string, form: FormData): bigint {
  const value = parseStones(String(form.get(name) ?? ""));
  if (value === null || value === 0n) throw new InputError(t("{{field}}: write an amount of stones above zero, like 12.5", { field: t(words(name)) }));
  return value;
}

/** 2026-12-05 as typed, or 20261205 / 2026/12/05 / 2026.12.05 (a phone's digit pad has no dash). */
function typedDay(text: string): string {
  const digits = text.trim().replace(/[/.]/g, "-");
  return /^\d{8}$/.test(digits) ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}` : digits;
}

/** A typed YYYY-MM-DD day (`widgets.dateField`), refused with the reason unless it is one. */
function zonedDay(label: string, name: string, form: FormData): number {
  const text = typedDay(String(form.get(name) ?? ""));
  const unix = unixOfZonedDate(text);
  if (unix === null) throw new InputError(t("{{field}}: write a day as YYYY-MM-DD, like {{today}}.", { field: t(label), today: date(Date.now() / 1000) }));
  return unix;
}

const STATUS_TONE: Record<CampaignPublic["status"], Tone> = { upcoming: "info", open: "good", ended: "warn", closed: "muted" };

export async function renderCampaigns(page: HTMLElement): Promise<void> {
  const today = date(Date.now() / 1000);
  const codesOut = h("div", { id: "codes-out" });
  const figures = h("div", { class: "stats card" });
  const list = h("div", { id: "campaigns" });
  // Creating or closing a campaign changes the list and the released budget: both are read again.
  const refresh = async () => {
    const [campaigns, program] = await Promise.all([get<CampaignPublic[]>("/activities/campaigns"), get<ProgramPublic>("/program")]);
    const open = campaigns.filter((c) => c.status === "open").length;
    replace(figures,
      stat("Released activity budget", amountOf(program.totals.budgets), t("stones, not yet paid")),
      stat("Campaigns", String(campaigns.length), t("{{count}} open", { count: open })));
    replace(list, table<CampaignPublic>([
      { label: "Campaign", cell: (c) => h("span", null, h("strong", null, c.name), h("br"), h("span", { class: "muted" }, t("proven by {{proof}}", { proof: proofLabel(c.proof) }))) },
      { label: "Runs", cell: (c) => h("span", null, when(c.starts_at), " → ", when(c.ends_at)) },
      { label: "Reward", cell: (c) => h("span", null, amountOf(c.reward), ` × ${c.per_owner_cap}`), numeric: true },
      { label: "Left / budget", cell: (c) => h("span", null, amountOf(c.remaining), " / ", amountOf(c.budget)), numeric: true },
      { label: "Status", cell: (c) => h("span", { "data-campaign-status": c.id }, badge(c.status, STATUS_TONE[c.status])) },
      { label: "", cell: (c) => (isOperator() && c.status !== "closed" ? campaignActions(c, codesOut, refresh) : null) },
    ], [...campaigns].sort((a, b) => b.id - a.id), "No campaign yet."));
  };
  await refresh();
  add(page,
    pageTitle("Campaigns", "Operator-defined activities, paid from the released activity budget."),
    figures,
    card("Campaigns",
      h("p", { class: "muted" }, t("Times in {{zone}}. A campaign runs from its start up to its end.", { zone: zoneLabel() })),
      list, codesOut),
    isOperator() ? card("New campaign", form([
      field("Name", input("name", { required: true, maxlength: 100, placeholder: t("Spring road trip") })),
      h("div", { class: "form-row" },
        field("Budget (stones)", input("budget", { inputmode: "decimal", required: true, placeholder: "1000" })),
        field("Reward per participation (stones)", input("reward", { inputmode: "decimal", required: true, placeholder: "10" }))),
      h("div", { class: "form-row" },
        field("Participations per owner", input("per_owner_cap", { type: "number", min: 1, max: 1000000, value: 1 })),
        field("Proven by", h("select", { name: "proof", id: "f-proof" }, ["code", "operator", "list"].map((p) => h("option", { value: p }, capitalized(proofLabel(p))))))),
      h("div", { class: "form-row" },
        dateField("First day", "starts", zoneLabel(), { value: today }),
        dateField("Last day", "ends", zoneLabel(), { value: today })),
    ], "Create campaign", async (data) => {
      const budget = stonesField("budget", data);
      const reward = stonesField("reward", data);
      if (reward > budget) throw new InputError(t("The reward is more than the whole budget."));
      const startsAt = zonedDay("First day", "starts", data);
      const lastDay = zonedDay("Last day", "ends", data);
      if (startsAt < unixOfZonedDate(today)!) throw new InputError(t("First day: {{date}} has passed; the earliest is today, {{today}}.", { date: date(startsAt), today }));
      if (lastDay < startsAt) throw new InputError(t("The last day is before the first."));
      const cap = Number(data.get("per_owner_cap"));
      if (!Number.isInteger(cap) || cap < 1 || cap > 1_000_000) throw new InputError(t("Participations per owner: a whole number from 1 to 1,000,000."));
      const created = await post<CampaignPublic>("/activities/campaigns", {
        name: String(data.get("name") ?? "").trim(), budget, reward, per_owner_cap: cap,
        proof: String(data.get("proof")), starts_at: startsAt, ends_at: lastDay + 86_400,
      }, { idempotencyKey: newKey("campaign") });
      await refresh();
      return t("Campaign {{name}} created with {{amount}} stones reserved.", { name: created.name, amount: stones(created.budget, 2) });
    }, { id: "campaign-form" })) : null,
  );
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** How a campaign's participation is proven, as the operator's team says it. */
function proofLabel(proof: string): string {
  const labels: Record<string, string> = { code: "one-time codes", operator: "the operator's confirmation", list: "an uploaded list" };
  return t(labels[proof] ?? words(proof));
}

function campaignActions(c: CampaignPublic, codesOut: HTMLElement, refresh: () => Promise<void>): HTMLElement {
  const count = h("input", { type: "number", min: 1, max: 10000, value: 10, class: "qty", "aria-label": t("How many codes") });
  return h("div", { class: "row" },
    c.proof === "code" && c.status !== "ended" ? h("span", { class: "row" }, count, h("button", {
      type: "button", class: "btn btn-secondary", "data-codes": c.id,
      onclick: async () => {
        const n = Number(count.value);
        if (!Number.isInteger(n) || n < 1 || n > 10_000) { replace(codesOut, notice(t("Codes: a whole number from 1 to 10,000."), "bad")); return; }
        const made = await post<{ codes: string[] }>(`/activities/campaigns/${c.id}/codes`, { count: n }, { idempotencyKey: newKey("codes") });
        replace(codesOut, notice(h("div", null, t("{{count}} one-time codes for {{name}}, shown this once:", { count: made.codes.length, name: c.name }),
          h("pre", { class: "code-block", id: "codes" }, made.codes.join("\n")),
          csvButton(`campaign-${c.id}-codes.csv`, ["campaign", "code"], () => made.codes.map((code) => [c.name, code]))), "warn"));
      },
    }, t("Issue codes"))) : null,
    confirmAction({
      label: "Close", kind: "secondary", keyPrefix: "close", confirm: "Close campaign",
      attrs: { "data-close": c.id },
      explain: () => t("Closing {{name}} stops all participation now and returns the {{amount}} stones left to the activity budget. It cannot be reopened.", { name: c.name, amount: stones(c.remaining, 2) }),
      run: async (key) => {
        const closed = await post<CampaignPublic>(`/activities/campaigns/${c.id}/close`, {}, { idempotencyKey: key });
        const told = t("Campaign {{name}} closed: {{amount}} stones returned to the activity budget.", { name: c.name, amount: stones(closed.returned ?? closed.remaining, 2) });
        await refresh();
        replace(codesOut, notice(told, "good"));
      },
    }),
  );
}

export async function renderMerchants(page: HTMLElement): Promise<void> {
  const [merchants, items] = await Promise.all([get<MerchantPublic[]>("/store/merchants"), get<ItemPublic[]>("/store/items")]);
  const keyOut = h("div", { id: "key-out" });
  const showKey = (made: MerchantKeyPublic) => replace(keyOut, notice(h("span", null,
    t("Give this API key to {{name}}; it is shown this once:", { name: made.merchant.name }), " ", h("code", { id: "merchant-key" }, made.api_key)), "warn"));
  add(page,
    pageTitle("Merchants", "The brand's shop and services: they price items in stones and fulfil orders."),
    card("Merchants", table<MerchantPublic>([
      { label: "Merchant", cell: (m) => h("span", null, h("strong", null, m.name), " ", badge(m.category, "muted")) },
      { label: "Since", cell: (m) => date(m.created_at) },
      { label: "Items", cell: (m) => String(items.filter((i) => i.merchant_id === m.id).length), numeric: true },
      { label: "Status", cell: (m) => badge(m.deactivated_at ? "inactive" : "active", m.deactivated_at ? "muted" : "good") },
      { label: "", cell: (m) => (isOperator() && !m.deactivated_at ? confirmAction({
          label: "Replace key", keyPrefix: "rotate", confirm: "Replace the key",
          attrs: { "data-rotate": m.id },
          explain: () => t("{{name}}'s current API key stops working at once; you will see the new one once, to hand over.", { name: m.name }),
          run: async (key) => { showKey(await post<MerchantKeyPublic>(`/store/merchants/${m.id}/key`, {}, { idempotencyKey: key })); return t("Key replaced."); },
        }) : null) },
    ], merchants, "No merchant yet."), keyOut),
    card("Catalogue", table<ItemPublic>([
      { label: "Item", cell: (i) => h("span", null, i.title, " ", h("code", null, i.sku)) },
      { label: "Merchant", cell: (i) => merchants.find((m) => m.id === i.merchant_id)?.name ?? "—" },
      { label: "Price", cell: (i) => h("span", null, amountOf(i.price), i.cash_fen !== "0" ? ` + ${yuan(i.cash_fen)}` : ""), numeric: true },
      { label: "Stock", cell: (i) => (i.stock === null ? "∞" : String(i.stock)), numeric: true },
    ], items, "Nothing on sale.")),
    isOperator() ? card("New merchant", form([
      h("div", { class: "form-row" },
        field("Name", input("name", { required: true, maxlength: 64 })),
        field("Category", h("select", { name: "category", id: "f-category" }, ["shop", "service", "charging"].map((c) => h("option", { value: c }, t(c)))))),
    ], "Register merchant", async (data) => {
      const name = String(data.get("name") ?? "").trim();
      if (!name) throw new InputError(t("Name: write the merchant's name."));
      const made = await post<MerchantKeyPublic>("/store/merchants", { name, category: String(data.get("category")) }, { idempotencyKey: newKey("merchant") });
      showKey(made);
      return t("Merchant {{name}} registered. It adds its items from the merchant desk.", { name: made.merchant.name });
    }, { id: "merchant-form" })) : null,
  );
}

export async function renderConsoleDividends(page: HTMLElement): Promise<void> {
  const [dividends, epochs, limits] = await Promise.all([
    get<DividendPublic[]>("/dividends"), get<EpochPublic[]>("/epochs"), get<DividendLimitsPublic>("/dividends/limits"),
  ]);
  const finalized = epochs.filter((e) => e.status === "finalized").map((e) => e.epoch).sort((a, b) => b - a);
  add(page,
    pageTitle("Dividends", "Declared in CNY fen on a record epoch; each holder's share is exact, the leftover fen handed out by largest remainder."),
    card("Declared", dividendsTable(dividends), isOperator() && dividends.length ? h("div", { class: "row" },
      ...dividends.map((d) => action(t("Payout file #{{id}}", { id: d.id }), async () => {
        await download(`/dividends/${d.id}/payout-file`, `dividend-${d.id}.csv`);
        return t("Saved dividend-{{id}}.csv: hand it to the payment rails, then load their answer with `milestone dividends confirm`.", { id: d.id });
      }, { kind: "secondary", attrs: { "data-payout": d.id } }))) : null),
    isOperator() ? card("Declare a dividend", finalized.length === 0 ? h("p", { class: "empty" }, t("Declaring needs a finalized record epoch.")) : declareForm(finalized, limits)) : null,
  );
}

/** Declaring: checked here against the limits, then confirmed with what will happen, then sent. */
function declareForm(finalized: number[], limits: DividendLimitsPublic): HTMLElement {
  // The program's one ceiling (GET /dividends/limits), refused here for the reason the server
  // gives (`dividend_above_ceiling`), so nothing impossible is sent.
  const cap = BigInt(limits.max_amount_fen);
  const confirmBox = h("div", { id: "dividend-confirm" });
  let key: string | null = null; // one key per intended declaration, kept across retries of it
  let intended = "";
  const declareForm = form([
    h("div", { class: "form-row" },
      field("Amount (yuan)", input("amount", { inputmode: "decimal", required: true, placeholder: "10000.00" }),
        t(limits.ceiling_is_backing ? "At most {{cap}}: the program's ceiling for one declaration (the stake's backing)." : "At most {{cap}}: the program's ceiling for one declaration (dividend_ceiling_fen).", { cap: yuan(cap) })),
      field("Record epoch", h("select", { name: "record_epoch", id: "f-record_epoch" }, finalized.map((e) => h("option", { value: e }, t("Epoch {{epoch}}", { epoch: e })))))),
    h("div", { class: "form-row" },
      dateField("Payment date", "payment_date", zoneLabel(), { required: true, placeholder: limits.earliest_payment_date }),
      field("Note", input("note", { maxlength: 200, placeholder: "FY2026 interim" }))),
  ], "Review declaration", async (data) => {
    const fen = parseYuan(String(data.get("amount") ?? ""));
    if (fen === null || fen === 0n) throw new InputError(t("Amount: write yuan above zero with at most two decimals, like 10000.50"));
    if (fen > cap) throw new InputError(t("Amount: a dividend of {{amount}} is more than the ceiling of one declaration, {{cap}} (the program's dividend_ceiling_fen, by default the stake's backing).", { amount: yuan(fen), cap: yuan(cap) }));
    const paymentDate = typedDay(String(data.get("payment_date") ?? ""));
    if (unixOfZonedDate(paymentDate) === null) throw new InputError(t("{{field}}: write a day as YYYY-MM-DD, like {{today}}.", { field: t("Payment date"), today: limits.earliest_payment_date }));
    if (paymentDate < limits.earliest_payment_date) throw new InputError(t("Payment date: {{date}} has passed; the earliest is today, {{today}}.", { date: paymentDate, today: limits.earliest_payment_date }));
    const body = { amount_fen: fen, record_epoch: Number(data.get("record_epoch")), payment_date: paymentDate, note: String(data.get("note") ?? "") };
    const summary = JSON.stringify({ ...body, amount_fen: String(fen) });
    if (summary !== intended) { intended = summary; key = newKey("dividend"); }
    replace(confirmBox, h("div", { class: "confirm", role: "group" },
      h("p", null, t("Declare {{amount}} over the stones owners held at the end of epoch {{epoch}}, paid on {{date}}. Every holder's share is posted at once and shown to them; a declared dividend cannot be withdrawn.", { amount: yuan(fen), epoch: body.record_epoch, date: paymentDate })),
      h("div", { class: "row" },
        h("button", { type: "button", class: "btn btn-danger", id: "dividend-confirm-yes", onclick: async (event: Event) => {
          const button = event.currentTarget as HTMLButtonElement;
          button.disabled = true;
          try {
            const declared = await post<DividendPublic>("/dividends", body, { idempotencyKey: key! });
            intended = "";
            replace(confirmBox, notice(t("Dividend #{{id}} declared: {{amount}} to {{holders}} holders; its root goes on chain with the next epoch.", { id: declared.id, amount: yuan(declared.amount_fen), holders: declared.holders }), "good"));
          } catch (error) {
            button.disabled = false;
            confirmBox.append(problemBox(error));
          }
        } }, t("Declare {{amount}}", { amount: yuan(fen) })),
        h("button", { type: "button", class: "btn btn-secondary", onclick: () => replace(confirmBox) }, t("Cancel")))));
  }, { id: "dividend-form" });
  return h("div", null, declareForm, confirmBox);
}
