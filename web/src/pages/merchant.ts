// The merchant desk: a merchant's catalogue and orders, worked with the merchant's API key.
// Fulfilling an order burns its stones (or pays the treasury, as the program says); refunding
// gives them back to the owner. Both are final, so refunding asks first.

import { get, newKey, post, request } from "../api";
import { add, h, replace } from "../dom";
import { amountOf, parseStones, stones, when, yuan, zoneLabel } from "../format";
import { t } from "../i18n";
import type { ItemPublic, MerchantPublic, OrderPublic } from "../types";
import { InputError, action, card, confirmAction, csvButton, field, form, input, notice, pageTitle, pager, searchBox, stat, table } from "../widgets";
import { OPEN, orderBadge, orderCode } from "./store";
const PAGE = 20;
type Filter = "open" | "done" | "all";

/** The buyer as the desk names them: a stable pseudonym, never the owner's number or name. */
export function buyerOf(order: OrderPublic): string {
  const mixed = (Math.imul(order.owner_id, 2654435761) >>> 0).toString(36).toUpperCase();
  return t("Buyer {{tag}}", { tag: mixed.slice(-4).padStart(4, "0") });
}

export async function renderMerchantDesk(page: HTMLElement): Promise<void> {
  const me = await get<MerchantPublic>("/store/merchants/me", { auth: "merchant" });
  const ordersBox = h("div", { id: "merchant-orders" });
  const told = h("div", { class: "action-out", id: "orders-told" }); // news of a step, kept across refreshes
  const itemsBox = h("div", { id: "merchant-items" });
  const itemsTold = h("div", { class: "action-out", id: "items-told" });
  const figures = h("div", { class: "stats" });
  let orders: OrderPublic[] = [];
  let items = new Map<number, ItemPublic>();
  let filter: Filter = "open";
  let search = "";
  let shown = PAGE;
  const paintOrders = () => {
    const chosen = [...orders].sort((a, b) => b.id - a.id).filter((o) =>
      (filter === "all" || (filter === "open") === OPEN.includes(o.status))
      && (!search || `${orderCode(o)} ${items.get(o.item_id)?.title ?? ""} ${buyerOf(o)}`.toLowerCase().includes(search)));
    replace(ordersBox, ordersTable(chosen.slice(0, shown), items, refresh, told),
      chosen.length > shown ? pager(async () => { shown += PAGE; paintOrders(); return false; }, { id: "orders-more" }) : null);
  };
  const refresh = async () => {
    const [latest, catalogue] = await Promise.all([
      get<OrderPublic[]>("/store/orders", { auth: "merchant" }),
      get<ItemPublic[]>("/store/merchants/me/items", { auth: "merchant" }),
    ]);
    orders = latest;
    items = new Map(catalogue.map((i) => [i.id, i]));
    replace(figures,
      stat("Open orders", String(orders.filter((o) => OPEN.includes(o.status)).length)),
      stat("Fulfilled", String(orders.filter((o) => o.status === "fulfilled").length)),
      stat("Items", String(catalogue.filter((i) => i.active).length), t("on sale")),
    );
    paintOrders();
    replace(itemsBox, catalogueTable(catalogue, refresh, itemsTold));
  };
  await refresh();
  const tabs = h("div", { class: "segmented", role: "group", "aria-label": t("Show orders") },
    (["open", "done", "all"] as Filter[]).map((f) => {
      const button = h("button", { type: "button", class: f === filter ? "active" : null, "aria-pressed": f === filter ? "true" : "false", "data-filter": f },
        t(f === "open" ? "To do" : f === "done" ? "Done" : "All"));
      button.addEventListener("click", () => {
        filter = f;
        shown = PAGE;
        for (const other of tabs.querySelectorAll("button")) {
          other.classList.toggle("active", other === button);
          other.setAttribute("aria-pressed", other === button ? "true" : "false");
        }
        paintOrders();
      });
      return button;
    }));
  add(page,
    pageTitle(t("Merchant desk: {{name}}", { name: me.name }), "Fulfil an order once the owner has what they bought; refund it if you cannot."),
    card(null, figures),
    card("Orders",
      h("div", { class: "row" }, tabs,
        searchBox("Search order code, item or buyer", (text) => { search = text; shown = PAGE; paintOrders(); }, { id: "orders-search" }),
        csvButton("orders.csv", ["order_code", "placed_at", "item", "quantity", "stones_pebbles", "cash_fen", "status"],
          () => orders.map((o) => [orderCode(o), o.placed_at.iso, items.get(o.item_id)?.title ?? "", o.quantity, o.stones.pebbles, o.cash_fen, o.status]))),
      h("p", { class: "muted" }, t("Hand an order over only against its pickup code, which the buyer alone holds: type it in to fulfil. Times in {{zone}}.", { zone: zoneLabel() })),
      told, ordersBox),
    h("div", { class: "grid two" },
      card("My catalogue", itemsTold, itemsBox),
      card("New item", form([
        h("div", { class: "form-row" },
          field("SKU", input("sku", { required: true, maxlength: 64 })),
          field("Title", input("title", { required: true, maxlength: 200 }))),
        h("div", { class: "form-row" },
          field("Price (stones)", input("price", { inputmode: "decimal", required: true, placeholder: "12.5" })),
          field("Stock", input("stock", { type: "number", min: 0, placeholder: t("unlimited") }))),
      ], "Add item", async (data) => {
        const body = itemFields(data);
        const item = await post<ItemPublic>("/store/items", { sku: String(data.get("sku") ?? "").trim(), title: String(data.get("title") ?? "").trim(), ...body }, { auth: "merchant", idempotencyKey: newKey("item") });
        await refresh();
        return t("{{title}} on sale at {{amount}} stones.", { title: item.title, amount: stones(item.price, 2) });
      }, { id: "item-form" })),
    ),
  );
}

function itemFields(data: FormData): { price: bigint; stock: number | null } {
  const price = parseStones(String(data.get("price") ?? ""));
  if (price === null || price === 0n) throw new InputError(t("Price: write an amount of stones above zero, like 12.5"));
  const text = String(data.get("stock") ?? "").trim();
  const stock = text === "" ? null : Number(text);
  if (stock !== null && (!Number.isInteger(stock) || stock < 0 || stock > 1_000_000_000)) throw new InputError(t("Stock: a whole number from 0, or empty for unlimited."));
  return { price, stock };
}

/** What the desk did is told after the list is read again, so the two always agree. */
function catalogueTable(catalogue: ItemPublic[], refresh: () => Promise<void>, told: HTMLElement): HTMLElement {
  return table<ItemPublic>([
    { label: "Item", cell: (i) => h("span", null, i.title, " ", h("code", null, i.sku), i.active ? null : h("span", { class: "muted" }, ` · ${t("withdrawn")}`)) },
    { label: "Price", cell: (i) => h("span", null, amountOf(i.price), i.cash_fen !== "0" ? ` + ${yuan(i.cash_fen)}` : ""), numeric: true },
    { label: "Stock", cell: (i) => (i.stock === null ? "∞" : String(i.stock)), numeric: true },
    { label: "", cell: (i) => h("details", { class: "edit", "data-edit-item": i.id }, h("summary", null, t("Edit")),
      form([
        field("Price (stones)", input("price", { inputmode: "decimal", required: true, value: i.price.stones.replace(/\.?0+$/, "") })),
        field("Stock", input("stock", { type: "number", min: 0, value: i.stock ?? "", placeholder: t("unlimited") })),
      ], "Save", async (data) => {
        const body = itemFields(data);
        const saved = await request<ItemPublic>("PATCH", `/store/items/${i.id}`, { ...body, unlimited: body.stock === null }, { auth: "merchant" });
        await refresh();
        replace(told, notice(t("{{title}} now costs {{amount}} stones.", { title: saved.title, amount: stones(saved.price, 2) }), "good"));
      }),
      action(i.active ? "Withdraw from sale" : "Put back on sale", async () => {
        const saved = await request<ItemPublic>("PATCH", `/store/items/${i.id}`, { active: !i.active }, { auth: "merchant" });
        await refresh();
        replace(told, notice(t(saved.active ? "{{title}} is on sale again." : "{{title}} is withdrawn from sale; orders already placed stand.", { title: saved.title }), "good"));
      }, { kind: "secondary", attrs: { "data-toggle-item": i.id } })) },
  ], catalogue, "Nothing in your catalogue yet: add an item.");
}

/**
 * Fulfilling spends the order's stones for good, so it takes the buyer's pickup code. One key
 * for the handover: a wrong code changes nothing on the server, so the right one may follow
 * under the same key, and a repeated submit cannot fulfil twice.
 */
function fulfilForm(order: OrderPublic, refresh: () => Promise<void>, told: HTMLElement): HTMLElement {
  const key = newKey("fulfil");
  return h("details", { class: "fulfil", "data-fulfil": order.id }, h("summary", { class: "btn btn-primary" }, t("Fulfil")),
    form([
      field("Pickup code", input(`pickup-${order.id}`, { required: true, maxlength: 32, autocomplete: "off", autocapitalize: "characters", spellcheck: "false", placeholder: "ABCD-EFGH", "data-pickup-input": order.id }),
        "The buyer's code, as they tell it; case and dashes do not matter."),
    ], "Hand over and fulfil", async (data) => {
      const code = String(data.get(`pickup-${order.id}`) ?? "").replace(/[\s-]/g, "").toUpperCase();
      if (!/^[0-9A-Z]{8}$/.test(code)) throw new InputError(t("Pickup code: the buyer's 8 letters and digits, like ABCD-EFGH."));
      await post(`/store/orders/${order.id}/fulfil`, { pickup_code: code }, { auth: "merchant", idempotencyKey: key });
      await refresh();
      replace(told, notice(t("{{code}} handed over and fulfilled: its {{amount}} stones are spent.", { code: orderCode(order), amount: stones(order.stones, 2) }), "good"));
    }));
}

function ordersTable(orders: OrderPublic[], items: Map<number, ItemPublic>, refresh: () => Promise<void>, told: HTMLElement): HTMLElement {
  return table<OrderPublic>([
    { label: "Order code", cell: (o) => h("code", null, orderCode(o)) },
    { label: "Placed at", cell: (o) => when(o.placed_at) },
    { label: "Item", cell: (o) => `${items.get(o.item_id)?.title ?? t("Item")} × ${o.quantity}` },
    { label: "Buyer", cell: (o) => buyerOf(o) },
    { label: "Stones", cell: (o) => amountOf(o.stones), numeric: true },
    { label: "Status", cell: (o) => h("span", { "data-order-status": o.id }, orderBadge(o.status)) },
    { label: "", cell: (o) => (OPEN.includes(o.status)
      ? h("div", { class: "row" },
          fulfilForm(o, refresh, told),
          confirmAction({
            label: "Refund", keyPrefix: "refund", confirm: "Refund the order", attrs: { "data-refund": o.id },
            explain: () => t("Refunding {{code}} gives {{amount}} stones back to the buyer and closes the order for good.", { code: orderCode(o), amount: stones(o.stones, 2) }),
            run: async (key) => {
              await post(`/store/orders/${o.id}/refund`, {}, { auth: "merchant", idempotencyKey: key });
              await refresh();
              replace(told, notice(t("{{code}} refunded: {{amount}} stones are back with the buyer.", { code: orderCode(o), amount: stones(o.stones, 2) }), "good"));
            },
          }))
      : null) },
  ], orders, "No orders here.");
}


