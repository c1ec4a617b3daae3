// How amounts, instants and hashes read on screen. Amounts arrive as integer pebbles with an
// exact decimal string of stones beside them; arithmetic uses BigInt on the pebbles' string,
// never a float (JavaScript numbers lose integers above 2^53 pebbles, about 90M stones).

export const PEBBLES_PER_STONE = 100_000_000n;

export interface Amount {
  pebbles: number;
  stones: string;
}

export interface Instant {
  unix: number;
  iso: string;
}

/** "1234567.5" → "1,234,567.5"; at most `decimals` fraction digits, trailing zeros dropped. */
export function groupStones(stones: string, decimals = 8): string {
  const negative = stones.startsWith("-");
  const [whole, fraction = ""] = stones.replace(/^-/, "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const kept = fraction.slice(0, decimals).replace(/0+$/, "");
  return (negative ? "−" : "") + grouped + (kept ? "." + kept : "");
}

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

export function yuan(fen: number | string): string {
  const value = BigInt(fen);
  const whole = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `¥${whole}.${(value % 100n).toString().padStart(2, "0")}`;
}

export function unixOf(instant: Instant | number): number {
  return typeof instant === "number" ? instant : instant.unix;
}

export function dateTime(instant: Instant | number): string {
  const date = new Date(unixOf(instant) * 1000);
  return date.toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

export function date(instant: Instant | number): string {
  return new Date(unixOf(instant) * 1000).toISOString().slice(0, 10);
}

/** "0x1234…cdef": enough to recognise a hash, with the whole of it in a tooltip. */
export function shortHex(hex: string | null | undefined, keep = 6): string {
  if (!hex) return "—";
  return hex.length <= 2 + keep * 2 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}

export function plural(count: number, one: string, many = one + "s"): string {
  return `${count.toLocaleString("en")} ${count === 1 ? one : many}`;
}

export function km(meters: number): string {
  return `${(meters / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} km`;
}

export function percent(part: number, whole: number): string {
  if (whole === 0) return "0%";
  return `${((100 * part) / whole).toLocaleString("en", { maximumFractionDigits: 2 })}%`;
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
  "dividend.declare": "Dividend declared",
};

/** A journal transaction's kind as a person says it. */
export function kindLabel(kind: string): string {
  return KINDS[kind] ?? words(kind);
}

/** "1 stone", "2.5 stones". */
export function stonesUnit(amount: Amount | string, decimals = 8): string {
  const text = stones(amount, decimals);
  return `${text} ${text === "1" ? "stone" : "stones"}`;
}

/** A short instant for tables: "22 Nov 2026, 09:01". */
export function when(instant: Instant | number): string {
  const d = new Date(unixOf(instant) * 1000);
  const month = d.toLocaleString("en", { month: "short", timeZone: "UTC" });
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${d.toISOString().slice(11, 16)}`;
}
