// The merchant desk: a merchant's catalogue and orders, worked with the merchant's API key.
// Fulfilling an order burns its stones (or pays the treasury, as the program says).

import { get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { parseStones, stones, yuan, when } from "../format";
import { action, card, field, form, input, pageTitle, stat, table } from "../widgets";
import { type ItemPublic, type OrderPublic, orderBadge } from "./store";

const OPEN = ["placed", "confirmed"];

export async function renderMerchantDesk(page: HTMLElement): Promise<void> {
  const ordersBox = h("div", { id: "merchant-orders" });
  const itemsBox = h("div", { id: "merchant-items" });
  const figures = h("div", { class: "stats" });
  let mine = new Map<number, ItemPublic>();
  const refresh = async () => {
    const orders = await get<OrderPublic[]>("/store/orders", { auth: "merchant" });
    const merchantId = orders[0]?.merchant_id ?? null;
    const items = await get<ItemPublic[]>("/store/items", { auth: "none", query: { merchant_id: merchantId } });
    mine = new Map(items.map((i) => [i.id, i]));
    replace(figures,
      stat("Open orders", String(orders.filter((o) => OPEN.includes(o.status)).length)),
      stat("Fulfilled", String(orders.filter((o) => o.status === "fulfilled").length)),
      stat("Items", merchantId === null ? "—" : String(items.length)),
    );
    replace(ordersBox, ordersTable(orders, mine, refresh));
    replace(itemsBox, merchantId === null ? h("p", { class: "empty" }, "Your catalogue shows here once an order comes in.") : table<ItemPublic>([
      { label: "Item", cell: (i) => h("span", null, i.title, " ", h("code", null, i.sku)) },
      { label: "Price", cell: (i) => `${stones(i.price)}${i.cash_fen ? ` + ${yuan(i.cash_fen)}` : ""}`, numeric: true },
      { label: "Stock", cell: (i) => (i.stock === null ? "∞" : String(i.stock)), numeric: true },
    ], items));
  };
  await refresh();
  add(page,
    pageTitle("Merchant desk", "Fulfil an order once the owner has what they bought; refund it if you cannot."),
    card(null, figures),
    card("Orders", ordersBox),
    h("div", { class: "grid two" },
      card("My catalogue", itemsBox),
      card("New item", form([
        h("div", { class: "form-row" },
          field("SKU", input("sku", { required: true, maxlength: 64 })),
          field("Title", input("title", { required: true, maxlength: 200 }))),
        h("div", { class: "form-row" },
          field("Price (stones)", input("price", { inputmode: "decimal", required: true, placeholder: "12.5" })),
          field("Stock", input("stock", { type: "number", min: 0, placeholder: "unlimited" }))),
      ], "Add item", async (data) => {
        const price = parseStones(String(data.get("price") ?? ""));
        if (price === null) throw new Error("Price: write an amount of stones, like 12.5");
        const stock = String(data.get("stock") ?? "");
        const item = await post<ItemPublic>("/store/items", {
          sku: String(data.get("sku") ?? ""), title: String(data.get("title") ?? ""), price,
          stock: stock === "" ? null : Number(stock),
        }, { auth: "merchant" });
        await refresh();
        return `Item #${item.id} on sale at ${stones(item.price)} stones.`;
      }, { id: "item-form" })),
    ),
  );
}

function ordersTable(orders: OrderPublic[], items: Map<number, ItemPublic>, refresh: () => Promise<void>): HTMLElement {
  return table<OrderPublic>([
    { label: "Order", cell: (o) => `#${o.id}` },
    { label: "Placed", cell: (o) => when(o.placed_at) },
    { label: "Item", cell: (o) => `${items.get(o.item_id)?.title ?? `item #${o.item_id}`} × ${o.quantity}` },
    { label: "Owner", cell: (o) => `#${o.owner_id}` },
    { label: "Stones", cell: (o) => stones(o.stones), numeric: true },
    { label: "Status", cell: (o) => h("span", { "data-order-status": o.id }, orderBadge(o.status)) },
    { label: "", cell: (o) => (OPEN.includes(o.status)
      ? h("div", { class: "row" },
          action("Fulfil", async () => {
            await post(`/store/orders/${o.id}/fulfil`, {}, { auth: "merchant", idempotencyKey: newKey("fulfil") });
            await refresh();
          }, { attrs: { "data-fulfil": o.id } }),
          action("Refund", async () => {
            await post(`/store/orders/${o.id}/refund`, {}, { auth: "merchant", idempotencyKey: newKey("refund") });
            await refresh();
          }, { kind: "secondary" }))
      : null) },
  ], [...orders].sort((a, b) => b.id - a.id), "No orders yet.");
}
