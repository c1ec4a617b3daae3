// Spending stones: the store's catalogue, my orders, and my dividends.

import { get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { type Amount, type Instant, date, stones, words, yuan, when } from "../format";
import type { HistoryLine, HistoryPage, WalletPublic } from "../types";
import { action, badge, card, pageTitle, stat, table, type Tone } from "../widgets";

export interface MerchantPublic {
  id: number;
  name: string;
  category: string;
  created_at: Instant;
  deactivated_at: Instant | null;
}

export interface ItemPublic {
  id: number;
  merchant_id: number;
  sku: string;
  title: string;
  price: Amount;
  cash_fen: number;
  stock: number | null;
  active: boolean;
}

export interface OrderPublic {
  id: number;
  owner_id: number;
  merchant_id: number;
  item_id: number;
  quantity: number;
  stones: Amount;
  cash_fen: number;
  status: string;
  placed_at: Instant;
  updated_at?: Instant | null;
}

interface SpendablePublic {
  balance: Amount;
  spendable: Amount;
  locked: Amount;
  certified: boolean;
  next_unlock: Instant | null;
}

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
    stat("Balance", stones(s.balance), "stones"),
    stat("Spendable", stones(s.spendable), "stones", { id: "spendable" }),
    stat("Locked", stones(s.locked), s.certified ? "until the lock ends" : "until you are certified"),
  );
  const refresh = async () => {
    const [latest, now] = await Promise.all([get<OrderPublic[]>("/store/orders"), get<SpendablePublic>("/store/spendable")]);
    replace(ordersBox, ordersTable(latest, titles, refresh));
    paint(now);
  };
  paint(spendable);
  replace(ordersBox, ordersTable(orders, titles, refresh));
  add(page, 
    pageTitle("Store", "Spend stones on the brand's products and services. A merchant fulfils each order; until then you can cancel it."),
    card(null, figures),
    card("Catalogue", items.length === 0 ? h("p", { class: "empty" }, "The store has nothing on sale yet.")
      : h("div", { class: "items" }, items.filter((i) => i.active).map((item) => itemCard(item, names, refresh)))),
    card("My orders", ordersBox),
  );
}

function itemCard(item: ItemPublic, names: Map<number, string>, refresh: () => Promise<void>): HTMLElement {
  const quantity = h("input", { type: "number", min: 1, max: 99, value: 1, "aria-label": "Quantity", class: "qty", style: "width:4.5rem" });
  return h("div", { class: "item-card", "data-item": item.id },
    h("strong", null, item.title),
    h("span", { class: "muted" }, `${names.get(item.merchant_id) ?? `Merchant #${item.merchant_id}`} · ${item.sku}`),
    h("span", { class: "price" }, `${stones(item.price)} stones`, item.cash_fen ? ` + ${yuan(item.cash_fen)}` : null),
    h("span", { class: "muted" }, item.stock === null ? "In stock" : `${item.stock} left`),
    h("div", { class: "row" }, quantity,
      action("Order", async () => {
        const order = await post<OrderPublic>("/store/orders", { item_id: item.id, quantity: Number(quantity.value) }, { idempotencyKey: newKey("order") });
        await refresh();
        return `Order #${order.id} placed: ${stones(order.stones)} stones held for the merchant until it is fulfilled.`;
      }, { attrs: { "data-order-item": item.id } })),
  );
}

function ordersTable(orders: OrderPublic[], titles: Map<number, string>, refresh: () => Promise<void>): HTMLElement {
  return table<OrderPublic>([
    { label: "Order", cell: (o) => `#${o.id}` },
    { label: "Placed", cell: (o) => when(o.placed_at) },
    { label: "Item", cell: (o) => `${titles.get(o.item_id) ?? `item #${o.item_id}`} × ${o.quantity}` },
    { label: "Stones", cell: (o) => stones(o.stones), numeric: true },
    { label: "Status", cell: (o) => h("span", { "data-order-status": o.id }, orderBadge(o.status)) },
    { label: "", cell: (o) => (["placed", "confirmed"].includes(o.status)
      ? action("Cancel", async () => {
          await post(`/store/orders/${o.id}/cancel`, {}, { idempotencyKey: newKey("cancel") });
          await refresh();
          return `Order #${o.id} cancelled; the stones are back in your wallet.`;
        }, { kind: "secondary" })
      : null) },
  ], [...orders].sort((a, b) => b.id - a.id), "No orders yet.");
}

export interface DividendPublic {
  id: number;
  amount_fen: number;
  record_epoch: number;
  payment_date: string;
  note: string;
  declared_at: Instant;
  circulating: Amount;
  holders: number;
  root: string;
  committed_epoch: number | null;
}

export async function renderMyDividends(page: HTMLElement): Promise<void> {
  const [wallet, declared, credited] = await Promise.all([
    get<WalletPublic>("/wallet"),
    get<DividendPublic[]>("/dividends"),
    get<HistoryPage>("/wallet/history", { query: { asset: "CNY_FEN", limit: 100 } }),
  ]);
  const lines = credited.lines;
  const total = lines.reduce((sum, l) => sum + (l.amount.pebbles > 0 ? BigInt(l.amount.pebbles) : 0n), 0n);
  add(page,
    pageTitle("Dividends", "The equity stake behind the program pays dividends to stone holders, in proportion to their stones on the record epoch."),
    h("div", { class: "stats card" },
      stat("Due to me", yuan(wallet.dividends_fen), "declared, not yet paid out"),
      stat("Declared to me", yuan(String(total)), "all time"),
      stat("Dividends declared", String(declared.length), "to all holders"),
    ),
    card("My entitlements", table<HistoryLine>([
      { label: "When", cell: (l) => when(l.at) },
      { label: "What", cell: (l) => words(l.kind) },
      { label: "Amount", cell: (l) => (l.amount.pebbles < 0 ? "−" : "") + yuan(Math.abs(l.amount.pebbles)), numeric: true },
      { label: "Due after", cell: (l) => yuan(l.balance_after.pebbles), numeric: true },
    ], lines, "No dividend has been declared to you yet.")),
    card("Declared dividends", dividendsTable(declared)),
  );
}

export function dividendsTable(dividends: DividendPublic[]): HTMLElement {
  return table<DividendPublic>([
    { label: "Dividend", cell: (d) => `#${d.id}` },
    { label: "Declared", cell: (d) => date(d.declared_at) },
    { label: "Record epoch", cell: (d) => String(d.record_epoch) },
    { label: "Amount", cell: (d) => yuan(d.amount_fen), numeric: true },
    { label: "Holders", cell: (d) => String(d.holders), numeric: true },
    { label: "Payment date", cell: (d) => d.payment_date },
    { label: "On chain", cell: (d) => (d.committed_epoch === null ? badge("queued", "warn") : badge(`epoch ${d.committed_epoch}`, "good")) },
  ], [...dividends].sort((a, b) => b.id - a.id), "No dividend has been declared yet.");
}
