// The one door to the HTTP API. Every refusal arrives as RFC 7807 problem+json with a stable
// `code`; `ApiError` carries it whole so a page can show the title, the detail and the code.

export const API = "/api/v1";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string | null;
  errors?: { loc: string[]; msg: string; type: string }[] | null;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  constructor(public readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
  }
  get code(): string {
    return this.problem.code;
  }
  get status(): number {
    return this.problem.status;
  }
}

export type Role = "owner" | "operator" | "auditor";

export interface Session {
  token: string;
  role: Role;
  ownerId: number | null;
  username: string;
  expiresAt: number;
}

const SESSION_KEY = "milestone.session";
const MERCHANT_KEY = "milestone.merchant-key";

// Per tab: a token dies with the tab, and another tab can hold another role.
export function currentSession(): Session | null {
  const text = sessionStorage.getItem(SESSION_KEY);
  if (!text) return null;
  const session = JSON.parse(text) as Session;
  if (session.expiresAt * 1000 <= Date.now()) {
    sessionStorage.removeItem(SESSION_KEY);
    return null;
  }
  return session;
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

export function merchantKey(): string | null {
  return sessionStorage.getItem(MERCHANT_KEY);
}

export function saveMerchantKey(key: string | null): void {
  if (key) sessionStorage.setItem(MERCHANT_KEY, key);
  else sessionStorage.removeItem(MERCHANT_KEY);
}

export interface RequestOptions {
  /** "token" sends the logged-in user's bearer token, "merchant" the merchant's API key. */
  auth?: "token" | "merchant" | "none";
  /** Write routes that pay or spend take a key so that a retried request does nothing twice. */
  idempotencyKey?: string;
  query?: Record<string, string | number | boolean | null | undefined>;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const auth = options.auth ?? "token";
  if (auth === "token") {
    const session = currentSession();
    if (session) headers.Authorization = `Bearer ${session.token}`;
  } else if (auth === "merchant") {
    const key = merchantKey();
    if (key) headers["X-API-Key"] = key;
  }
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  let payload: string | undefined;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = toJson(body);
  }
  let response: Response;
  try {
    response = await fetch(url(path, options.query), { method, headers, body: payload });
  } catch (error) {
    throw new ApiError({
      type: "urn:milestone:problem:unreachable", title: "The service does not answer",
      status: 0, code: "unreachable", detail: `the request did not reach the API (${String(error)})`,
    });
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const data: unknown = text ? parseJson(text) : undefined;
  if (!response.ok) throw new ApiError(problemOf(response, data));
  return data as T;
}

export const get = <T>(path: string, options?: RequestOptions) =>
  request<T>("GET", path, undefined, options);
export const post = <T>(path: string, body?: unknown, options?: RequestOptions) =>
  request<T>("POST", path, body ?? {}, options);
export const put = <T>(path: string, body?: unknown, options?: RequestOptions) =>
  request<T>("PUT", path, body ?? {}, options);
export const del = <T>(path: string, options?: RequestOptions) =>
  request<T>("DELETE", path, undefined, options);

export function url(path: string, query?: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined) params.set(name, String(value));
  }
  const search = params.toString();
  return (path.startsWith("/") && !path.startsWith(API) && !path.startsWith("/health") ? API + path : path)
    + (search ? `?${search}` : "");
}

/** A fresh idempotency key for one user action (kept while that action is retried). */
export function newKey(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** JSON with BigInt written as a string of digits: the API takes every amount (pebbles, fen)
 * that way, exact at any size (docs/api.md, "Values"). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item) => (typeof item === "bigint" ? item.toString() : item));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function problemOf(response: Response, data: unknown): Problem {
  if (data && typeof data === "object" && "code" in data && "detail" in data) {
    return data as Problem;
  }
  // Not the API's own answer (a proxy, a gateway): still say what happened.
  return {
    type: "about:blank", title: response.statusText || "Request failed", status: response.status,
    code: `http_${response.status}`,
    detail: typeof data === "string" && data ? data.slice(0, 300) : `HTTP ${response.status}`,
  };
}

/** A file the API sends only to the logged-in user (a CSV), saved through the browser. */
export async function download(path: string, filename: string): Promise<void> {
  const session = currentSession();
  const response = await fetch(url(path), { headers: session ? { Authorization: `Bearer ${session.token}` } : {} });
  if (!response.ok) {
    const text = await response.text();
    throw new ApiError(problemOf(response, text ? parseJson(text) : undefined));
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
