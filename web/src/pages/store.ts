// Spending stones: the store's catalogue, my orders, and my dividends.

import { get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { amountOf, stonesUnit, when, words, yuan, zoneLabel } from "../format";
import { t } from "../i18n";
import type { DividendPublic, HistoryLine, HistoryPage, ItemPublic, MerchantPublic, OrderPublic, SpendablePublic, WalletPublic } from "../types";
import { InputError, action, badge, card, pageTitle, stat, table, type Tone } from "../widgets";

export type { DividendPublic, ItemPublic, MerchantPublic, OrderPublic };

/** Orders the merchant may still fulfil (and the owner collect). */
export const OPEN = ["placed", "confirmed"];

export function orderBadge(status: string): HTMLElement {
  const tone: Tone = status === "fulfilled" ? "good" : status === "cancelled" || status === "refunded" ? "muted" : "info";
  return badge(words(status), tone);
}

export async function renderStore(page: HTMLElement): Promise<void> {
  const [items, merchants, orders, spendable] = await Promise.all([
    get<ItemPublic[]>("/store/items"),
    get<MerchantPublic[]>("/store/merchants"),
    get<OrderPublic[]>("/store/orders"),
    get<SpendablePublic>("/store/spendable"),
  ]);
  const names = new Map(merchants.map((m) => [m.id, m.name]));
  const titles = new Map(items.map((i) => [i.id, i.title]));
  const ordersBox = h("div", { id: "orders" });
  const figures = h("div", { class: "stats" });
  const paint = (s: SpendablePublic) => replace(figures,
    stat("Balance", amountOf(s.balance), t("stones")),
    stat("Spendable", amountOf(s.spendable), t("stones"), { id: "spendable" }),
    stat("Locked", amountOf(s.locked), s.next_unlock
      ? t("more unlocks {{when}} {{zone}}", { when: when(s.next_unlock), zone: zoneLabel() })
      : s.locked.pebbles === "0" ? t("nothing locked") : t("until you are certified")),
  );
  const refresh = async () => {
    const [latest, now] = await Promise.all([get<OrderPublic[]>("/store/orders"), get<SpendablePublic>("/store/spendable")]);
    replace(ordersBox, ordersTable(latest, titles, refresh));
    paint(now);
  };
  paint(spendable);
  replace(ordersBox, ordersTable(orders, titles, refresh));
  add(page,
    pageTitle("Store", "Spend stones on the brand's products and services. Collect an order by telling the merchant its pickup code; until the merchant accepts it you can cancel it."),
    card(null, figures),
    card("Catalogue", items.length === 0 ? h("p", { class: "empty" }, t("The store has nothing on sale yet."))
      : h("div", { class: "items" }, items.filter((i) => i.active).map((item) => itemCard(item, names, refresh)))),
    card("My orders", ordersBox),
  );
}

function itemCard(item: ItemPublic, names: Map<number, string>, refresh: () => Promise<void>): HTMLElement {
  const quantity = h("input", { type: "number", min: 1, max: 99, value: 1, "aria-label": t("Quantity"), class: "qty" });
  return h("div", { class: "item-card", "data-item": item.id },
    h("strong", null, item.title),
    h("span", { class: "muted" }, `${names.get(item.merchant_id) ?? t("Merchant")} · ${item.sku}`),
    h("span", { class: "price" }, amountOf(item.price), " ", t("stones"), item.cash_fen !== "0" ? ` + ${yuan(item.cash_fen)}` : null),
    h("span", { class: "muted" }, item.stock === null ? t("In stock") : t("{{count}} left", { count: item.stock })),
    h("div", { class: "row" }, quantity,
      action("Order", async () => {
        const count = Number(quantity.value);
        if (!Number.isInteger(count) || count < 1 || count > 99) throw new InputError(t("Quantity: a whole number from 1 to 99."));
        const order = await post<OrderPublic>("/store/orders", { item_id: item.id, quantity: count }, { idempotencyKey: newKey("order") });
        await refresh();
        return t("Order {{code}} placed: {{amount}} held for the merchant until it is fulfilled. To collect, tell the merchant your pickup code {{pickup}}; keep it to yourself until then.", { amount: stonesUnit(order.stones), code: orderCode(order), pickup: pickupCode(order.pickup_code) });
      }, { attrs: { "data-order-item": item.id } })),
  );
}

/** The order as owner and merchant both name it: its number, no secret (the pickup code is). */
export function orderCode(order: OrderPublic): string {
  return `M-${String(order.id).padStart(5, "0")}`;
}

/** The buyer's pickup code in two groups of four, as it is read aloud at a counter. */
export function pickupCode(code: string | null): string {
  return code ? `${code.slice(0, 4)}-${code.slice(4)}` : "";
}

function ordersTable(orders: OrderPublic[], titles: Map<number, string>, refresh: () => Promise<void>): HTMLElement {
  return table<OrderPublic>([
    { label: "Order code", cell: (o) => h("code", null, orderCode(o)) },
    { label: "Placed at", cell: (o) => when(o.placed_at) },
    { label: "Item", cell: (o) => `${titles.get(o.item_id) ?? t("Item")} × ${o.quantity}` },
    { label: "Stones", cell: (o) => amountOf(o.stones), numeric: true },
    { label: "Status", cell: (o) => h("span", { "data-order-status": o.id }, orderBadge(o.status)) },
    { label: "Pickup code", cell: (o) => (OPEN.includes(o.status)
      ? h("code", { class: "pickup", "data-pickup": o.id }, pickupCode(o.pickup_code))
      : h("span", { class: "muted" }, "—")) },
    { label: "", cell: (o) => (o.status === "placed"
      ? action("Cancel", async () => {
          await post(`/store/orders/${o.id}/cancel`, {}, { idempotencyKey: newKey("cancel") });
          await refresh();
          return t("Order cancelled; the stones are back in your wallet.");
        }, { kind: "secondary" })
      : null) },
  ], [...orders].sort((a, b) => b.id - a.id), "No orders yet.");
}

export async function renderMyDividends(page: HTMLElement): Promise<void> {
  const [wallet, declared, credited] = await Promise.all([
    get<WalletPublic>("/wallet"),
    get<DividendPublic[]>("/dividends"),
    get<HistoryPage>("/wallet/history", { query: { asset: "CNY_FEN", limit: 100 } }),
  ]);
  add(page,
    pageTitle("Dividends", "The equity stake behind the program pays dividends to stone holders, in proportion to their stones on the record epoch."),
    h("div", { class: "stats card" },
      stat("Due to me", h("span", { id: "dividends-due", "data-fen": wallet.dividends_fen }, yuan(wallet.dividends_fen)), t("declared, not yet paid out")),
      stat("Dividends declared", String(declared.length), t("to all holders")),
    ),
    card("My entitlements", table<HistoryLine>([
      { label: "When", cell: (l) => when(l.at) },
      { label: "What", cell: (l) => t(words(l.kind)) },
      { label: "Amount", cell: (l) => yuan(l.amount.pebbles), numeric: true },
      { label: "Due after", cell: (l) => yuan(l.balance_after.pebbles), numeric: true },
    ], credited.lines, "No dividend has been declared to you yet.")),
    card("Declared dividends", dividendsTable(declared)),
  );
}

export function dividendsTable(dividends: DividendPublic[]): HTMLElement {
  return table<DividendPublic>([
    { label: "Dividend", cell: (d) => `#${d.id}` },
    { label: "Declared", cell: (d) => when(d.declared_at) },
    { label: "Record epoch", cell: (d) => String(d.record_epoch) },
    { label: "Amount", cell: (d) => yuan(d.amount_fen), numeric: true },
    { label: "Holders", cell: (d) => String(d.holders), numeric: true },
    { label: "Payment date", cell: (d) => d.payment_date },
    { label: "On chain", cell: (d) => (d.committed_epoch === null ? badge("queued", "warn") : badge(t("epoch {{epoch}}", { epoch: d.committed_epoch }), "good")) },
  ], [...dividends].sort((a, b) => b.id - a.id), "No dividend has been declared yet.");
}
