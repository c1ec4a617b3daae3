// The owner's wallet: balance, daily check-in with its streak, referral code, and history.

import { get, post } from "../api";
import { add, h, replace } from "../dom";
import { type Amount, type Instant, kindLabel, pebblesOf, stones, stonesOfPebbles, stonesUnit, when, yuan } from "../format";
import type { HistoryLine, HistoryPage, ProgramPublic, WalletPublic } from "../types";
import { action, badge, card, pageTitle, table } from "../widgets";

interface CheckInPublic {
  day: number;
  streak: number;
  reward: Amount;
  at: Instant;
}

interface StreakPublic {
  streak: number;
  last: CheckInPublic | null;
}

interface ReferralCodePublic {
  code: string;
}

interface ReferralPublic {
  id: number;
  referrer_id: number;
  buyer_id: number;
  confirmed_at: Instant | null;
  referrer_reward: Amount | null;
}

export async function renderWallet(page: HTMLElement): Promise<void> {
  const [wallet, history, program, streak, referral, referrals] = await Promise.all([
    get<WalletPublic>("/wallet"),
    get<HistoryPage>("/wallet/history", { query: { limit: 20 } }),
    get<ProgramPublic>("/program", { auth: "none" }),
    get<StreakPublic>("/activities/check-ins/streak"),
    get<ReferralCodePublic>("/activities/referral-code"),
    get<ReferralPublic[]>("/activities/referrals"),
  ]);
  const p = program.parameters;
  const rewarded = referrals.filter((r) => r.referrer_id === wallet.owner_id && r.referrer_reward).length;
  const balance = h("span", { class: "big", id: "balance" }, stones(wallet.balance));
  add(page, 
    pageTitle("My wallet", `Epoch ${program.current_epoch} of the ${program.preset} program`),
    h("div", { class: "grid wide-left" },
      h("section", { class: "card hero" },
        h("h2", null, "Balance"),
        h("div", null, balance, h("span", { class: "unit" }, "stones")),
        h("p", { class: "sub" }, `Account ${wallet.account} · dividends due ${yuan(wallet.dividends_fen)}`),
        h("p", { class: "sub" }, h("a", { href: "#/explorer/verify", style: "color:#fff" }, "Verify this balance against the chain →")),
      ),
      checkInCard(streak, program, balance),
    ),
    h("div", { class: "grid two" },
      card("Referral code",
        h("p", null, "Share it with a friend who buys a car: when the sale's delivery is confirmed, you both receive stones."),
        h("p", null, h("span", { class: "referral-code", id: "referral-code" }, referral.code)),
        h("p", { class: "muted" }, `${rewarded} rewarded so far; up to ${p.referral_yearly_cap} a year earn ${stones(stonesOfPebbles(String(p.referral_referrer_reward)))} stones each.`)),
      card("Earned so far", earned(history.lines)),
    ),
    card("Recent activity", historyTable(history.lines)),
  );
}

function checkInCard(status: StreakPublic, program: ProgramPublic, balance: HTMLElement): HTMLElement {
  const cap = Number(program.parameters.checkin_streak_cap);
  const streak = h("div", { class: "streak", "aria-label": `streak of ${status.streak} days` });
  const label = h("p", { id: "streak" });
  const paint = (days: number) => {
    replace(streak, ...Array.from({ length: cap }, (_, i) => h("span", { class: i < days ? "on" : null })));
    replace(label, days ? `${days}-day streak` : "No streak yet: check in today to start one.");
  };
  paint(status.streak);
  const today = status.last !== null && status.last.day === program.current_epoch;
  return card("Daily check-in",
    label, streak,
    h("p", { class: "muted" }, `${stonesUnit(stonesOfPebbles(String(program.parameters.checkin_base_reward)))} a day, plus ${stones(stonesOfPebbles(String(program.parameters.checkin_streak_bonus)))} for each day of streak (up to ${cap} days).`),
    today
      ? h("p", { class: "muted", id: "checked-in" }, "Checked in today. Come back tomorrow to keep the streak.")
      : action("Check in", async () => {
          const done = await post<CheckInPublic>("/activities/check-ins", {});
          paint(done.streak);
          const wallet = await get<WalletPublic>("/wallet");
          replace(balance, stones(wallet.balance));
          return `Checked in: +${stonesUnit(done.reward)}, ${done.streak}-day streak.`;
        }, { attrs: { id: "checkin" } }),
  );
}

function earned(lines: HistoryLine[]): HTMLElement {
  const sums = new Map<string, bigint>();
  for (const line of lines) {
    const pebbles = pebblesOf(line.amount);
    if (pebbles <= 0n) continue;
    sums.set(line.kind, (sums.get(line.kind) ?? 0n) + pebbles);
  }
  if (sums.size === 0) return h("p", { class: "empty" }, "Nothing yet: drive with mileage consent on, or check in.");
  return h("ul", { class: "list" }, [...sums].map(([kind, pebbles]) =>
    h("li", null, h("span", null, kindLabel(kind)), h("strong", null, stonesUnit(stonesOfPebbles(pebbles))))));
}

export function historyTable(lines: HistoryLine[]): HTMLElement {
  return table<HistoryLine>([
    { label: "When", cell: (l) => when(l.at) },
    { label: "What", cell: (l) => h("span", null, kindLabel(l.kind), " ", badge(`epoch ${l.epoch}`, "muted")) },
    { label: "Amount", cell: (l) => h("span", { class: l.amount.stones.startsWith("-") ? "neg" : "pos" }, `${l.amount.stones.startsWith("-") ? "" : "+"}${stones(l.amount)}`), numeric: true },
    { label: "Balance", cell: (l) => stones(l.balance_after), numeric: true },
  ], lines, "No postings yet.");
}
