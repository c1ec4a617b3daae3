// The owner's wallet: balance, what of it is spendable and when the rest unlocks, everything
// earned by kind (the service's figures over the whole account, never a sum made here), the
// daily check-in with its streak, the referral code to share, campaigns to join, and history.

import { get, post } from "../api";
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
  const balance = h("span", { class: "big", id: "balance" });
  const due = h("p", { class: "sub", id: "wallet-dividends-due" });
  const figures = h("div", { id: "wallet-figures", class: "grid two" });
  const paintFigures = (w: WalletPublic) => {
    replace(balance, amountOf(w.balance));
    replace(due, t("Dividends due to me: {{amount}}", { amount: yuan(w.dividends_fen) }));
    replace(figures, spendCard(w), earnedCard(w));
  };
  paintFigures(wallet);
  const activity = historyCard(history);
  // After anything that moves stones, every figure and the history are read again from the
  // API (the service's totals, the ledger's lines), never adjusted here by what was paid.
  const refresh = async () => {
    const [latest, first] = await Promise.all([
      get<WalletPublic>("/wallet"),
      get<HistoryPage>("/wallet/history", { query: { limit: HISTORY_PAGE } }),
    ]);
    paintFigures(latest);
    activity.restart(first);
  };
  add(page,
    pageTitle("My wallet", t("Epoch {{epoch}} of the {{preset}} program", { epoch: program.current_epoch, preset: program.preset })),
    h("div", { class: "grid wide-left" },
      h("section", { class: "card hero" },
        h("h2", null, t("Balance")),
        h("div", null, balance, h("span", { class: "unit" }, t("stones"))),
        due,
        h("p", { class: "sub" }, h("a", { href: "#/explorer/verify", class: "on-dark" }, t("Verify this balance against the chain →"))),
        // Support looks an owner up by this number (console, Owner lookup): say it where the
        // owner can read it out.
        h("p", { class: "sub", id: "owner-number" }, t("Owner number {{id}}: give it when you ask for help.", { id: wallet.owner_id })),
      ),
      checkInCard(streak, program, refresh),
    ),
    figures,
    h("div", { class: "grid two" },
      referralCard(referral, referrals, wallet, program),
      campaignsCard(campaigns, refresh),
    ),
    activity.card,
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
  const checkedIn = () => h("p", { class: "muted", id: "checked-in" }, t("Checked in today. Come back tomorrow to keep the streak."));
  const out = h("div", { class: "action-out" });
  // Once checked in, the button gives way to "come back tomorrow": a second tap could only be
  // refused (already_checked_in).
  const checkIn: HTMLElement = h("div", { class: "action" }, action("Check in", async () => {
    const done = await post<CheckInPublic>("/activities/check-ins", {});
    paint(done.streak);
    await refresh();
    checkIn.replaceWith(checkedIn(), out);
    return t("Checked in: +{{amount}}, {{streak}}.", { amount: stonesUnit(done.reward), streak: counted("{{count}}-day streak", done.streak) });
  }, { out, attrs: { id: "checkin" } }), out);
  return card("Daily check-in",
    label, streak,
    h("p", { class: "muted" }, t("{{base}} a day, plus {{bonus}} for each day of streak (up to {{cap}} days).", {
      base: stonesUnit(stonesOfPebbles(String(p.checkin_base_reward))),
      bonus: stonesUnit(stonesOfPebbles(String(p.checkin_streak_bonus))), cap,
    })),
    h("p", { class: "muted", id: "day-turns" }, t("The check-in day, like an epoch, turns at {{time}} {{zone}}.", { time: turns, zone: zoneLabel() })),
    today ? checkedIn() : checkIn,
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

/** How an owner takes part, by the campaign's proof method. */
const TAKING_PART: Record<string, string> = {
  code: "redeem the code you are given",
  operator: "the team confirms you took part",
  list: "paid to the list of those who took part",
};

function campaignsCard(campaigns: CampaignPublic[], refresh: () => Promise<void>): HTMLElement {
  const open = campaigns.filter((c) => c.status === "open");
  // The code alone is enough: it names its campaign (POST /activities/redemptions). An owner
  // may hold a code of a campaign this list does not show (not yet started, or just ended),
  // and the API says which, so the form is there whenever the wallet is.
  return card("Campaigns",
    open.length === 0 ? h("p", { class: "empty" }, t("No campaign is open right now.")) : h("ul", { class: "list", id: "campaigns" }, open.map((c) =>
      h("li", { "data-campaign": c.id }, h("span", null, h("strong", null, c.name), h("br"),
        h("span", { class: "muted" }, t("until {{end}}", { end: dateTime(c.ends_at.unix - 1) }), " · ", t(TAKING_PART[c.proof] ?? c.proof))),
        h("strong", null, "+", amountOf(c.reward))))),
    form([
      field("Campaign code", input("code", { required: true, maxlength: 32, autocomplete: "off", autocapitalize: "characters", spellcheck: "false" }), "The one-time code you were given at the event or in the message."),
    ], "Redeem code", async (data) => {
      const code = String(data.get("code") ?? "").trim();
      if (!code) throw new InputError(t("Write the code you were given."));
      const done = await post<RedemptionPublic>("/activities/redemptions", { code });
      await refresh();
      const name = campaigns.find((c) => c.id === done.campaign_id)?.name;
      // Redeeming one's own code again answers the first redemption and pays nothing: say so,
      // rather than a second "+10" that never reached the wallet.
      return done.repeated
        ? t("You redeemed this code on {{when}} ({{amount}}); it counts once.", { when: dateTime(done.at.unix), amount: `+${stonesUnit(done.reward)}` })
        : name
          ? t("Redeemed for {{campaign}}: +{{amount}}.", { campaign: name, amount: stonesUnit(done.reward) })
          : t("Redeemed: +{{amount}}.", { amount: stonesUnit(done.reward) });
    }, { id: "redeem-form" }),
  );
}

/** The ledger's lines, newest first, a page at a time; `restart` shows a fresh first page. */
function historyCard(first: HistoryPage): { card: HTMLElement; restart: (page: HistoryPage) => void } {
  let lines: HistoryLine[] = [];
  let cursor: string | null = null;
  const box = h("div", { id: "history" });
  const more = h("div", { id: "history-pager" });
  const restart = (page: HistoryPage) => {
    lines = [...page.lines];
    cursor = page.next_cursor;
    replace(box, historyList(lines));
    replace(more, cursor ? pager(async () => {
      const next = await get<HistoryPage>("/wallet/history", { query: { limit: HISTORY_PAGE, before: cursor } });
      lines.push(...next.lines);
      cursor = next.next_cursor;
      replace(box, historyList(lines));
      return cursor !== null;
    }, { id: "history-more" }) : null);
  };
  restart(first);
  return {
    card: card("Activity", h("p", { class: "muted" }, t("Times in {{zone}}.", { zone: zoneLabel() })), box, more),
    restart,
  };
}

/**
 * Each posting on two short lines, at any width: what and how much, then when, the epoch it
 * was earned in and the balance after it. (As a table folded into label–value cards, twenty
 * lines were some 4,000 px tall on a phone.)
 */
export function historyList(lines: HistoryLine[]): HTMLElement {
  if (lines.length === 0) return h("p", { class: "empty" }, t("No postings yet."));
  return h("ol", { class: "history", "aria-label": t("Activity") }, lines.map((l) => {
    const out = l.amount.pebbles.startsWith("-");
    return h("li", { "data-line-kind": l.kind },
      h("span", { class: "h-what" }, kindLabel(l.kind), " ", badge(t("epoch {{epoch}}", { epoch: l.earned_epoch }), "muted")),
      h("span", { class: `h-amount ${out ? "neg" : "pos"}` }, out ? "" : "+", amountOf(l.amount)),
      h("span", { class: "h-when" }, when(l.at)),
      h("span", { class: "h-after" }, t("balance"), " ", amountOf(l.balance_after)),
    );
  }));
}
