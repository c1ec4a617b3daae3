// The merchant desk: a merchant's orders, confirmed and fulfilled (or refunded) with its key.

import { get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { dateTime, stones } from "../format";
import { action, card, pageTitle, stat, table } from "../widgets";
import { type OrderPublic, orderBadge } from "./store";

export async function renderMerchantDesk(page: HTMLElement): Promise<void> {
  const box = h("div", { id: "merchant-orders" });
  const figures = h("div", { class: "stats" });
  const refresh = async () => {
    const orders = await get<OrderPublic[]>("/merchant/orders", { auth: "merchant" });
    const open = orders.filter((o) => ["placed", "confirmed"].includes(o.status));
    replace(figures,
      stat("Open orders", String(open.length)),
      stat("Fulfilled", String(orders.filter((o) => o.status === "fulfilled").length)),
    );
    replace(box, table<OrderPublic>([
      { label: "Order", cell: (o) => `#${o.id}` },
      { label: "Placed", cell: (o) => dateTime(o.placed_at) },
      { label: "Item", cell: (o) => `${o.title ?? `item #${o.item_id}`} × ${o.quantity}` },
      { label: "Owner", cell: (o) => `#${o.owner_id}` },
      { label: "Stones", cell: (o) => stones(o.total), numeric: true },
      { label: "Status", cell: (o) => h("span", { "data-order-status": o.id }, orderBadge(o.status)) },
      { label: "", cell: (o) => (["placed", "confirmed"].includes(o.status)
        ? h("div", { class: "row" },
            action("Fulfil", async () => {
              await post(`/merchant/orders/${o.id}/fulfil`, {}, { auth: "merchant", idempotencyKey: newKey("fulfil") });
              await refresh();
            }, { attrs: { "data-fulfil": o.id } }),
            action("Refund", async () => {
              await post(`/merchant/orders/${o.id}/refund`, {}, { auth: "merchant", idempotencyKey: newKey("refund") });
              await refresh();
            }, { kind: "secondary" }))
        : null) },
    ], [...orders].sort((a, b) => b.id - a.id), "No orders yet."));
  };
  await refresh();
  add(page, 
    pageTitle("Merchant desk", "Fulfil an order once the owner has it: its stones are then burned or go to the treasury, as the program says."),
    card(null, figures),
    card("Orders", box),
  );
}
