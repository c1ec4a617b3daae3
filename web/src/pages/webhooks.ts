// Webhooks in the console: the subscriptions that deliver events to the brand's other systems,
// their deliveries pending, delivered and dead, the dead letters themselves, and the operator's
// levers (subscribe, replay the dead, remove). Auditors see the same, without the levers.

import { currentSession, del, get, post } from "../api";
import type { DeadLetterPublic, ReplayPublic, WebhookPublic, WebhookSecretPublic } from "../api-types";
import { add, h, replace } from "../dom";
import { integer, when } from "../format";
import { t } from "../i18n";
import { InputError, badge, card, confirmAction, field, form, input, notice, pageTitle, table } from "../widgets";

type EventType = WebhookPublic["event_types"][number];

/** The event catalogue, in the API's order; the check under it keeps it equal to the API's enum. */
const EVENT_TYPES = [
  "epoch.finalized", "drops.credited", "stones.unlocked", "checkin.recorded", "referral.paid",
  "campaign.rewarded", "order.placed", "order.fulfilled", "order.cancelled", "order.refunded",
  "transfer.completed", "dividend.declared", "dividend.committed", "dividend.paid",
  "consent.granted", "consent.revoked", "telemetry.report_rejected",
] as const satisfies readonly EventType[];
const everyTypeListed: Exclude<EventType, (typeof EVENT_TYPES)[number]> extends never ? true : never = true;
void everyTypeListed;

/** The API's rule (events/subscriptions.py URL_PATTERN): a host name or IPv4 address, no user. */
const URL_PATTERN = /^https?:\/\/[A-Za-z0-9._~%!$&'()*+,;=-]+(?::\d{1,5})?(?:[/?#][!-~]*)?$/;
const isOperator = () => currentSession()?.role === "operator";

export async function renderWebhooks(page: HTMLElement): Promise<void> {
  const listBox = h("div", { id: "webhooks-list" });
  const deadBox = h("div", { id: "dead-letters" });
  // What an action did, above the list it re-renders (its own button goes with the old list).
  const actionOut = h("div", { id: "webhooks-out" });
  const refresh = async (): Promise<void> => {
    const subscriptions = await get<WebhookPublic[]>("/webhooks");
    const dead = subscriptions.filter((s) => s.dead > 0);
    const letters = await Promise.all(dead.map((s) => get<DeadLetterPublic[]>(`/webhooks/${s.id}/dead-letters`)));
    replace(listBox, subscriptionsTable(subscriptions, refresh, actionOut));
    replace(deadBox, dead.length === 0
      ? h("p", { class: "empty" }, t("No dead delivery: every receiver answered in time."))
      : dead.map((s, i) => deadLetters(s, letters[i])));
  };
  await refresh();
  add(page,
    pageTitle("Webhooks", "Events delivered to the brand's systems, signed under the Standard Webhooks specification and retried with backoff; the feed at /api/v1/events serves the same events to systems that poll."),
    card("Subscriptions", actionOut, listBox),
    card("Dead letters", h("p", { class: "muted" }, t("Deliveries that failed too often. Once the receiver is mended, replay sends them again with their original webhook-id, before anything later.")), deadBox),
    isOperator() ? card("New subscription", subscribeForm(actionOut, refresh)) : null,
  );
}

function subscriptionsTable(subscriptions: WebhookPublic[], refresh: () => Promise<void>, out: HTMLElement): HTMLElement {
  return table<WebhookPublic>([
    { label: "Receiver", cell: (s) => h("span", null, h("code", { class: "webhook-url" }, s.url), h("br"), h("span", { class: "muted" }, t("since {{when}}", { when: when(s.created_at) }))) },
    { label: "Events", cell: (s) => (s.event_types.length === 0 ? t("every type") : h("span", null, s.event_types.map((type) => h("code", { class: "event-type" }, type)))) },
    { label: "Pending", cell: (s) => integer(s.pending), numeric: true },
    { label: "Delivered", cell: (s) => integer(s.delivered), numeric: true },
    { label: "Dead", cell: (s) => h("span", { "data-dead": s.id }, s.dead ? badge(integer(s.dead), "bad") : "0"), numeric: true },
    { label: "", cell: (s) => (isOperator() ? h("div", { class: "row" },
        s.dead ? confirmAction({
          label: "Replay dead", kind: "primary", keyPrefix: "replay", confirm: "Replay",
          attrs: { "data-replay": s.id },
          explain: () => t("The {{count}} dead deliveries to {{url}} are sent again, oldest first.", { count: s.dead, url: s.url }),
          run: async () => {
            const replayed = await post<ReplayPublic>(`/webhooks/${s.id}/replay`, {});
            await refresh();
            replace(out, notice(t("{{count}} deliveries pending again.", { count: replayed.replayed }), "good"));
          },
        }) : null,
        confirmAction({
          label: "Remove", kind: "danger", keyPrefix: "unsubscribe", confirm: "Remove subscription",
          attrs: { "data-remove": s.id },
          explain: () => t("Nothing more is delivered to {{url}}, and its {{count}} pending and dead deliveries are forgotten.", { url: s.url, count: s.pending + s.dead }),
          run: async () => {
            await del(`/webhooks/${s.id}`);
            await refresh();
            replace(out, notice(t("Removed: nothing more goes to {{url}}.", { url: s.url }), "good"));
          },
        })) : null) },
  ], subscriptions, "No subscription yet.");
}

function deadLetters(subscription: WebhookPublic, letters: DeadLetterPublic[]): HTMLElement {
  return h("section", { class: "dead-letters", "data-subscription": subscription.id },
    h("h3", null, h("code", null, subscription.url)),
    table<DeadLetterPublic>([
      { label: "Event", cell: (d) => h("code", null, `evt_${d.event_id}`) },
      { label: "Type", cell: (d) => h("code", null, d.type) },
      { label: "Happened", cell: (d) => when(d.occurred_at) },
      { label: "Attempts", cell: (d) => integer(d.attempts), numeric: true },
      { label: "Last answer", cell: (d) => (d.last_status !== null ? `HTTP ${d.last_status}` : d.last_error ?? "—") },
    ], letters));
}

function subscribeForm(out: HTMLElement, refresh: () => Promise<void>): HTMLFormElement {
  const types = h("fieldset", { class: "event-types", id: "f-event-types" },
    h("legend", null, t("Event types (none ticked: every type)")),
    EVENT_TYPES.map((type) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "event_types", value: type }), " ", h("code", null, type))));
  return form([field("Receiver URL", input("url", { type: "url", required: true, maxlength: 2048, placeholder: "https://crm.example.com/milestone/webhooks" })), types],
    "Subscribe", async (data) => {
      const url = String(data.get("url") ?? "").trim();
      if (!URL_PATTERN.test(url)) throw new InputError(t("Receiver URL: an http:// or https:// address with a host."));
      const made = await post<WebhookSecretPublic>("/webhooks", { url, event_types: data.getAll("event_types").map(String) });
      await refresh();
      replace(out, notice(h("span", null, t("Deliveries to {{url}} are signed with this secret, shown this once; give it to the receiver so it can verify them:", { url: made.url }),
        " ", h("code", { id: "webhook-secret" }, made.secret)), "warn"));
      return t("Subscribed: deliveries start with the next event.");
    }, { id: "webhook-form" });
}
