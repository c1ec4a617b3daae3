// The owner's wallet: balance, what of it is spendable and when the rest unlocks, everything
// earned by kind (the service's figures over the whole account, never a sum made here), the
// daily check-in with its streak, the referral code to share, campaigns to join, and history.

import { get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { amountOf, clockTime, counted, dateTime, kindLabel, stonesOfPebbles, stonesUnit, when, yuan, zoneLabel } from "../format";
import { t } from "../i18n";
import type { CampaignPublic, CheckInPublic, HistoryLine, HistoryPage, ProgramPublic, RedemptionPublic, ReferralCodePublic, ReferralPublic, StreakPublic, WalletPublic } from "../types";
import { InputError, action, badge, card, field, form, input, notice, pageTitle, pager, table } from "../widgets";

const HISTORY_PAGE = 20;

export async function renderWallet(page: HTMLElement): Promise<void> {
  const [wallet, history, program, streak, referral, referrals, campaigns] = await Promise.all([
    get<WalletPublic>("/wallet"),
    get<HistoryPage>("/wallet/history", { query: { limit: HISTORY_PAGE } }),
    get<ProgramPublic>("/program", { auth: "none" }),
    get<StreakPublic>("/activities/check-ins/streak"),
    get<ReferralCodePublic>("/activities/referral-code"),
    get<ReferralPublic[]>("/activities/referrals"),
    get<CampaignPublic[]>("/activities/campaigns", { auth: "none" }),
  ]);
  const balance = h("span", { class: "big", id: "balance" }, amountOf(wallet.balance));
  const figures = h("div", { id: "wallet-figures" });
  const paintFigures = (w: WalletPublic) => {
    replace(balance, amountOf(w.balance));
    replace(figures, spendCard(w), earnedCard(w));
  };
  paintFigures(wallet);
  const refreshFigures = async () => paintFigures(await get<WalletPublic>("/wallet"));
  add(page,
    pageTitle("My wallet", t("Epoch {{epoch}} of the {{preset}} program", { epoch: program.current_epoch, preset: program.preset })),
    h("div", { class: "grid wide-left" },
      h("section", { class: "card hero" },
        h("h2", null, t("Balance")),
        h("div", null, balance, h("span", { class: "unit" }, t("stones"))),
        h("p", { class: "sub" }, t("Dividends due to me: {{amount}}", { amount: yuan(wallet.dividends_fen) })),
        h("p", { class: "sub" }, h("a", { href: "#/explorer/verify", class: "on-dark" }, t("Verify this balance against the chain →"))),
      ),
      checkInCard(streak, program, refreshFigures),
    ),
    h("div", { class: "grid two" }, figures),
    h("div", { class: "grid two" },
      referralCard(referral, referrals, wallet, program),
      campaignsCard(campaigns, refreshFigures),
    ),
    historyCard(history),
  );
}

function spendCard(wallet: WalletPublic): HTMLElement {
  return card("Spendable and locked",
    h("ul", { class: "list" },
      h("li", null, h("span", null, t("Spendable now")), h("strong", { id: "spendable" }, amountOf(wallet.spendable))),
      h("li", null, h("span", null, t("Locked")), h("strong", { id: "locked" }, amountOf(wallet.locked))),
    ),
    wallet.unlocks.length === 0 ? null : h("div", null,
      h("h3", null, t("When locked stones unlock")),
      table([
        { label: t("Unlocks ({{zone}})", { zone: zoneLabel() }), cell: (u) => (u.at ? when(u.at) : t("once you are certified")) },
        { label: "Stones", cell: (u) => amountOf(u.amount), numeric: true },
      ], wallet.unlocks)),
  );
}

function earnedCard(wallet: WalletPublic): HTMLElement {
  const earned = wallet.flows.filter((f) => f.credited.pebbles !== "0");
  return card("Earned so far",
    h("p", null, h("strong", { class: "figure", id: "earned" }, amountOf(wallet.earned)), " ", t("stones, all time")),
    earned.length === 0
      ? h("p", { class: "empty" }, t("Nothing yet: drive with mileage consent on, or check in."))
      : h("ul", { class: "list", id: "earned-by-kind" }, earned.map((f) =>
          h("li", { "data-kind": f.kind }, h("span", null, kindLabel(f.kind)), h("strong", null, amountOf(f.credited))))),
  );
}

function checkInCard(status: StreakPublic, program: ProgramPublic, refresh: () => Promise<void>): HTMLElement {
  const p = program.parameters;
  const cap = Number(p.checkin_streak_cap);
  const streak = h("div", { class: "streak", role: "img" });
  const label = h("p", { id: "streak" });
  const paint = (days: number) => {
    streak.setAttribute("aria-label", counted("{{count}}-day streak", days));
    replace(streak, ...Array.from({ length: cap }, (_, i) => h("span", { class: i < days ? "on" : null })));
    replace(label, days ? counted("{{count}}-day streak", days) : t("No streak yet: check in today to start one."));
  };
  paint(status.streak);
  const today = status.last !== null && status.last.day === program.current_epoch;
  const turns = clockTime(program.genesis);
  return card("Daily check-in",
    label, streak,
    h("p", { class: "muted" }, t("{{base}} a day, plus {{bonus}} for each day of streak (up to {{cap}} days).", {
      base: stonesUnit(stonesOfPebbles(String(p.checkin_base_reward))),
      bonus: stonesUnit(stonesOfPebbles(String(p.checkin_streak_bonus))), cap,
    })),
    h("p", { class: "muted", id: "day-turns" }, t("The check-in day, like an epoch, turns at {{time}} {{zone}}.", { time: turns, zone: zoneLabel() })),
    today
      ? h("p", { class: "muted", id: "checked-in" }, t("Checked in today. Come back tomorrow to keep the streak."))
      : action("Check in", async () => {
          const done = await post<CheckInPublic>("/activities/check-ins", {});
          paint(done.streak);
          await refresh();
          return t("Checked in: +{{amount}}, {{streak}}.", { amount: stonesUnit(done.reward), streak: counted("{{count}}-day streak", done.streak) });
        }, { attrs: { id: "checkin" } }),
  );
}

function referralCard(code: ReferralCodePublic, referrals: ReferralPublic[], wallet: WalletPublic, program: ProgramPublic): HTMLElement {
  const p = program.parameters;
  const rewarded = referrals.filter((r) => r.referrer_id === wallet.owner_id && r.referrer_reward).length;
  const message = t("My Milestone referral code is {{code}}: name it when you order your car and we both receive stones.", { code: code.code });
  const out = h("div", { class: "action-out" });
  const share = h("button", { type: "button", class: "btn btn-primary", id: "share-referral" }, t("Share my code"));
  share.addEventListener("click", async () => {
    try {
      if (navigator.share) {
        await navigator.share({ text: message });
        return;
      }
      await navigator.clipboard.writeText(message);
      replace(out, notice(t("Copied: paste it into a message to a friend."), "good"));
    } catch {
      replace(out, notice(h("span", null, t("Copy this message:"), " ", h("code", null, message)), "info"));
    }
  });
  return card("Referral code",
    h("p", null, t("Share it with a friend who buys a car: when the sale's delivery is confirmed, you both receive stones.")),
    h("p", null, h("span", { class: "referral-code", id: "referral-code" }, code.code)),
    h("div", { class: "row" }, share), out,
    h("p", { class: "muted" }, t("{{rewarded}} rewarded so far; up to {{cap}} a year earn {{reward}} each.", {
      rewarded, cap: p.referral_yearly_cap, reward: stonesUnit(stonesOfPebbles(String(p.referral_referrer_reward))),
    })),
  );
}

function campaignsCard(campaigns: CampaignPublic[], refresh: () => Promise<void>): HTMLElement {
  const open = campaigns.filter((c) => c.status === "open");
  return card("Campaigns",
    open.length === 0 ? h("p", { class: "empty" }, t("No campaign is open right now.")) : h("ul", { class: "list", id: "campaigns" }, open.map((c) =>
      h("li", { "data-campaign": c.id }, h("span", null, h("strong", null, c.name), h("br"),
        h("span", { class: "muted" }, t("until {{end}}", { end: dateTime(c.ends_at.unix - 1) }))),
        h("strong", null, "+", amountOf(c.reward))))),
    open.some((c) => c.proof === "code") ? form([
      field("Campaign", h("select", { name: "campaign", id: "f-campaign" }, open.filter((c) => c.proof === "code").map((c) => h("option", { value: c.id }, c.name)))),
      field("Campaign code", input("code", { required: true, maxlength: 32, autocomplete: "off", autocapitalize: "characters" }), "The one-time code you were given at the event or in the message."),
    ], "Redeem code", async (data) => {
      const code = String(data.get("code") ?? "").trim();
      if (!code) throw new InputError(t("Write the code you were given."));
      const done = await post<RedemptionPublic>(`/activities/campaigns/${Number(data.get("campaign"))}/redemptions`, { code }, { idempotencyKey: newKey("redeem") });
      await refresh();
      // Redeeming one's own code again answers the first redemption and pays nothing: say so,
      // rather than a second "+10" that never reached the wallet.
      return done.repeated
        ? t("You redeemed this code on {{when}} ({{amount}}); it counts once.", { when: dateTime(done.at.unix), amount: `+${stonesUnit(done.reward)}` })
        : t("Redeemed: +{{amount}}.", { amount: stonesUnit(done.reward) });
    }, { id: "redeem-form" }) : null,
  );
}

function historyCard(first: HistoryPage): HTMLElement {
  const lines: HistoryLine[] = [...first.lines];
  let cursor = first.next_cursor;
  const box = h("div", { id: "history" });
  const paint = () => replace(box, historyTable(lines));
  paint();
  return card("Activity",
    h("p", { class: "muted" }, t("Times in {{zone}}.", { zone: zoneLabel() })),
    box,
    cursor ? pager(async () => {
      const next = await get<HistoryPage>("/wallet/history", { query: { limit: HISTORY_PAGE, before: cursor } });
      lines.push(...next.lines);
      cursor = next.next_cursor;
      paint();
      return cursor !== null;
    }, { id: "history-more" }) : null,
  );
}

export function historyTable(lines: HistoryLine[]): HTMLElement {
  return table<HistoryLine>([
    { label: "When", cell: (l) => when(l.at) },
    { label: "What", cell: (l) => h("span", null, kindLabel(l.kind), " ", badge(t("epoch {{epoch}}", { epoch: l.earned_epoch }), "muted")) },
    { label: "Amount", cell: (l) => h("span", { class: l.amount.pebbles.startsWith("-") ? "neg" : "pos" }, l.amount.pebbles.startsWith("-") ? "" : "+", amountOf(l.amount)), numeric: true },
    { label: "Balance", cell: (l) => amountOf(l.balance_after), numeric: true },
  ], lines, "No postings yet.");
}
