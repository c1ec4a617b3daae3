// The owner's wallet: balance, daily check-in with its streak, referral code, and history.

import { get, newKey, post } from "../api";
import { add, h, replace } from "../dom";
import { type Amount, type Instant, dateTime, pebblesOf, stones, stonesOfPebbles, words, yuan } from "../format";
import type { HistoryLine, HistoryPage, ProgramPublic, WalletPublic } from "../types";
import { action, badge, card, pageTitle, table } from "../widgets";

interface CheckInStatus {
  streak: number;
  checked_in_today: boolean;
  last_day: string | null;
  next_reward: Amount;
  streak_cap: number;
}

interface CheckInPublic {
  day: string;
  streak: number;
  reward: Amount;
  at: Instant;
}

interface ReferralCodePublic {
  code: string;
  rewarded_this_year: number;
  yearly_cap: number;
}

export async function renderWallet(page: HTMLElement): Promise<void> {
  const [wallet, history, program, checkin, referral] = await Promise.all([
    get<WalletPublic>("/wallet"),
    get<HistoryPage>("/wallet/history", { query: { limit: 20 } }),
    get<ProgramPublic>("/program", { auth: "none" }),
    get<CheckInStatus>("/activities/checkin"),
    get<ReferralCodePublic>("/activities/referral"),
  ]);
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
      checkInCard(checkin, balance),
    ),
    h("div", { class: "grid two" },
      card("Referral code",
        h("p", null, "Share it with a friend who buys a car: when the sale's delivery is confirmed, you both receive stones."),
        h("p", null, h("span", { class: "referral-code", id: "referral-code" }, referral.code)),
        h("p", { class: "muted" }, `${referral.rewarded_this_year} of ${referral.yearly_cap} referrals rewarded this year.`)),
      card("Earned so far", earned(history.lines)),
    ),
    card("Recent activity", historyTable(history.lines)),
  );
}

function checkInCard(status: CheckInStatus, balance: HTMLElement): HTMLElement {
  const streak = h("div", { class: "streak", "aria-label": `streak of ${status.streak} days` });
  const label = h("p", { id: "streak" });
  const paint = (days: number) => {
    replace(streak, ...Array.from({ length: status.streak_cap }, (_, i) => h("span", { class: i < days ? "on" : null })));
    replace(label, days ? `${days}-day streak` : "No streak yet: check in today to start one.");
  };
  paint(status.streak);
  const body = card("Daily check-in",
    label, streak,
    status.checked_in_today
      ? h("p", { class: "muted", id: "checked-in" }, "Checked in today. Come back tomorrow to keep the streak.")
      : action(`Check in (+${stones(status.next_reward)} stones)`, async () => {
          const done = await post<CheckInPublic>("/activities/checkin", {}, { idempotencyKey: newKey("checkin") });
          paint(done.streak);
          const wallet = await get<WalletPublic>("/wallet");
          replace(balance, stones(wallet.balance));
          return `Checked in for ${done.day}: +${stones(done.reward)} stones, streak ${done.streak}.`;
        }, { attrs: { id: "checkin" } }),
  );
  return body;
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
    h("li", null, h("span", null, words(kind)), h("strong", null, `${stones(stonesOfPebbles(pebbles))} stones`))));
}

export function historyTable(lines: HistoryLine[]): HTMLElement {
  return table<HistoryLine>([
    { label: "When", cell: (l) => dateTime(l.at) },
    { label: "What", cell: (l) => h("span", null, words(l.kind), " ", badge(`epoch ${l.epoch}`, "muted")) },
    { label: "Amount", cell: (l) => h("span", { class: l.amount.stones.startsWith("-") ? "neg" : "pos" }, `${l.amount.stones.startsWith("-") ? "" : "+"}${stones(l.amount)}`), numeric: true },
    { label: "Balance", cell: (l) => stones(l.balance_after), numeric: true },
  ], lines, "No postings yet.");
}
