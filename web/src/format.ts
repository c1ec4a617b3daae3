// How amounts, instants and hashes read on screen. Amounts arrive as strings of pebbles with an
// exact decimal string of stones beside them; what little arithmetic the app does uses BigInt,
// never a float (JavaScript numbers lose integers above 2^53 pebbles, about 90M stones). Every
// instant is shown in the program's time zone, and says which it is.

import type { Amount, Instant } from "./api-types";
import { locale, t } from "./i18n";

export type { Amount, Instant };

export const PEBBLES_PER_STONE = 100_000_000n;

let timeZone = "Asia/Shanghai";

/** The program's time zone (from `GET /program`), in which every date and time is shown. */
export function setTimeZone(zone: string): void {
  timeZone = zone;
}

export function programTimeZone(): string {
  return timeZone;
}

/** "Beijing time" for Asia/Shanghai, else the zone's own name: said beside every time. */
export function zoneLabel(): string {
  return timeZone === "Asia/Shanghai" ? t("Beijing time") : timeZone;
}

/** "1234567.5" → "1,234,567.5"; at most `decimals` fraction digits, trailing zeros dropped. */
export function groupStones(stones: string, decimals = 8): string {
  const negative = stones.startsWith("-");
  const [whole, fraction = ""] = stones.replace(/^-/, "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const kept = fraction.slice(0, decimals).replace(/0+$/, "");
  return (negative ? "−" : "") + grouped + (kept ? "." + kept : "");
}

/** Stones grouped by thousands, cut (not rounded: never more than is there) to `decimals`. */
export function stones(amount: Amount | string, decimals = 8): string {
  return groupStones(typeof amount === "string" ? amount : amount.stones, decimals);
}

/** Pebbles as a BigInt, from the exact decimal stones string. */
export function pebblesOf(amount: Amount | string): bigint {
  const text = typeof amount === "string" ? amount : amount.stones;
  const negative = text.startsWith("-");
  const [whole, fraction = ""] = text.replace(/^-/, "").split(".");
  const value = BigInt(whole || "0") * PEBBLES_PER_STONE + BigInt((fraction + "00000000").slice(0, 8));
  return negative ? -value : value;
}

/** Pebbles (BigInt or decimal string) as an exact stones string. */
export function stonesOfPebbles(pebbles: bigint | string): string {
  let value = typeof pebbles === "bigint" ? pebbles : BigInt(pebbles);
  const negative = value < 0n;
  if (negative) value = -value;
  const whole = value / PEBBLES_PER_STONE;
  const fraction = (value % PEBBLES_PER_STONE).toString().padStart(8, "0").replace(/0+$/, "");
  return (negative ? "-" : "") + whole.toString() + (fraction ? "." + fraction : "");
}

/** A stones amount typed by a person ("12.5") as pebbles; null when it is not one. */
export function parseStones(text: string): bigint | null {
  const match = /^\s*(\d{1,12})(?:\.(\d{1,8}))?\s*$/.exec(text);
  if (!match) return null;
  return BigInt(match[1]) * PEBBLES_PER_STONE + BigInt((match[2] ?? "").padEnd(8, "0"));
}

/** A float for charts only (display, never money). */
export function stonesFloat(amount: Amount | string): number {
  return Number(typeof amount === "string" ? amount : amount.stones);
}

export function yuan(fen: number | string | bigint): string {
  let value = BigInt(fen);
  const negative = value < 0n;
  if (negative) value = -value;
  const whole = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${negative ? "−" : ""}¥${whole}.${(value % 100n).toString().padStart(2, "0")}`;
}

/** A yuan amount typed by a person ("10000.5") as fen; null when it is not one. */
export function parseYuan(text: string): bigint | null {
  const match = /^\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  return BigInt(match[1]) * 100n + BigInt((match[2] ?? "").padEnd(2, "0"));
}

export function unixOf(instant: Instant | number): number {
  return typeof instant === "number" ? instant : instant.unix;
}

function parts(instant: Instant | number): Record<string, string> {
  const found: Record<string, string> = {};
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    hourCycle: "h23",
  });
  for (const part of format.formatToParts(new Date(unixOf(instant) * 1000))) found[part.type] = part.value;
  return found;
}

/** "2026-11-22 08:00 Beijing time": ISO order reads the same in both languages. */
export function dateTime(instant: Instant | number): string {
  const p = parts(instant);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${zoneLabel()}`;
}

/** The calendar day in the program's time zone, YYYY-MM-DD. */
export function date(instant: Instant | number): string {
  const p = parts(instant);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Midnight starting a YYYY-MM-DD day in the program's time zone, as Unix seconds. */
export function unixOfZonedDate(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const guess = Date.parse(`${text}T00:00:00Z`) / 1000;
  // Date.parse rolls 2026-02-31 over to March: only a day that reads back the same is one.
  if (Number.isNaN(guess) || new Date(guess * 1000).toISOString().slice(0, 10) !== text) return null;
  // The zone's offset at that day: how far its wall clock runs ahead of UTC.
  const p = parts(guess);
  const wall = Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:00Z`) / 1000;
  return guess - (wall - guess);
}

/** The clock time of an instant in the program's zone, "08:00". */
export function clockTime(instant: Instant | number): string {
  const p = parts(instant);
  return `${p.hour}:${p.minute}`;
}

/** "0x1234…cdef": enough to recognise a hash, with the whole of it in a tooltip. */
export function shortHex(hex: string | null | undefined, keep = 6): string {
  if (!hex) return "—";
  return hex.length <= 2 + keep * 2 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

/** A count with its noun, in the current language: `counted("{{count}} drops", 3)`. */
export function counted(key: string, count: number): string {
  return t(key, { count, formatted: count.toLocaleString(locale()) });
}

export function km(meters: number): string {
  return `${(meters / 1000).toLocaleString(locale(), { maximumFractionDigits: 1 })} km`;
}

export function percent(part: number, whole: number): string {
  if (whole === 0) return "0%";
  return `${((100 * part) / whole).toLocaleString(locale(), { maximumFractionDigits: 2 })}%`;
}

export function integer(value: number): string {
  return value.toLocaleString(locale());
}

/** A snake_case code as words: "insufficient_balance" → "Insufficient balance". */
export function words(code: string): string {
  const text = code.replace(/[_.]/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const KINDS: Record<string, string> = {
  mining: "Drops",
  "activity.checkin": "Daily check-in",
  "activity.referral": "Referral",
  "activity.campaign": "Campaign",
  "store.order": "Store order",
  "store.cancel": "Order cancelled",
  "store.refund": "Order refunded",
  "store.transfer": "Transfer",
  "dividend.declare": "Dividend declared",
  "dividend.entitle": "Dividend declared",
  "dividend.pay": "Dividend paid",
};

/** A journal transaction's kind as a person says it. */
export function kindLabel(kind: string): string {
  return t(KINDS[kind] ?? words(kind));
}

/** "1 stone", "2.5 stones" (to 2 decimals unless told). */
export function stonesUnit(amount: Amount | string, decimals = 2): string {
  const text = stones(amount, decimals);
  return t(text === "1" ? "{{amount}} stone" : "{{amount}} stones", { amount: text });
}

/** A short instant for tables: "2026-11-22 09:01" in the program's zone (the column says which). */
export function when(instant: Instant | number): string {
  const p = parts(instant);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Stones to 2 decimals, rounded down, with the exact amount on demand (title, and a tap). */
export function amountOf(amount: Amount, decimals = 2): HTMLElement {
  const element = document.createElement("span");
  const short = stones(amount, decimals);
  const full = stones(amount, 8);
  element.className = "amount";
  element.textContent = short;
  element.dataset.pebbles = amount.pebbles;
  if (short !== full) {
    element.title = full;
    element.tabIndex = 0;
    element.setAttribute("role", "button");
    // The name stays the visible figure; the exact one is its description (and a tap away).
    const flip = () => { element.textContent = element.textContent === short ? full : short; };
    element.addEventListener("click", flip);
    element.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); flip(); } });
  }
  return element;
}
