// The building blocks every page uses: cards, figures, tables, badges, switches, and the one
// way a refusal is shown (title, detail and code of the API's problem document).

import { ApiError, newKey } from "./api";
import { type Attrs, type Child, h, replace } from "./dom";
import { integer, words } from "./format";
import { has, t } from "./i18n";

/** Input the page refuses before sending it: the message is the real reason, shown as is. */
export class InputError extends Error {}

export function card(title: Child, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, title ? h("h2", null, typeof title === "string" ? t(title) : title) : null, ...children);
}

export function grid(...children: Child[]): HTMLElement {
  return h("div", { class: "grid" }, ...children);
}

export function pageTitle(title: string, lead?: Child): HTMLElement {
  title = t(title);
  if (typeof lead === "string") lead = t(lead);
  return h("header", { class: "page-title" }, h("h1", null, title), lead ? h("p", null, lead) : null);
}

/** A figure with its label: "Balance 1,234.5 stones". */
export function stat(label: string, value: Child, sub?: Child, attrs: Attrs = {}): HTMLElement {
  return h("div", { class: "stat", ...attrs },
    h("span", { class: "stat-label" }, t(label)),
    h("span", { class: "stat-value" }, value),
    sub ? h("span", { class: "stat-sub" }, sub) : null,
  );
}

export type Tone = "good" | "bad" | "warn" | "info" | "muted";

export function badge(text: string, tone: Tone = "info"): HTMLElement {
  return h("span", { class: `badge badge-${tone}` }, t(text));
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  numeric?: boolean;
}

/** A table; on a phone each row becomes a small card of label–value lines (styles.css). */
export function table<T>(columns: Column<T>[], rows: T[], empty = "Nothing yet."): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, t(empty));
  const labels = columns.map((c) => t(c.label));
  return h("div", { class: "table-wrap" },
    h("table", null,
      h("thead", null, h("tr", null, labels.map((label, i) => h("th", { class: columns[i].numeric ? "num" : null }, label)))),
      h("tbody", null, rows.map((row) =>
        h("tr", null, columns.map((c, i) => h("td", { class: c.numeric ? "num" : null, "data-label": labels[i] }, c.cell(row)))),
      )),
    ),
  );
}

/** Rows as CSV (RFC 4180 quoting), offered as a file download. */
export function csvButton(filename: string, header: string[], rows: () => (string | number | null)[][]): HTMLElement {
  const button = h("button", { type: "button", class: "btn btn-secondary btn-small", "data-csv": filename }, t("Download CSV"));
  button.addEventListener("click", () => {
    const quote = (value: string | number | null) => {
      const text = value === null ? "" : String(value);
      return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    };
    const text = [header, ...rows()].map((row) => row.map(quote).join(",")).join("\r\n") + "\r\n";
    const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: filename });
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
  return button;
}

/** A search box that filters a list as one types (the list is re-rendered by `onInput`). */
export function searchBox(placeholder: string, onInput: (text: string) => void, attrs: Attrs = {}): HTMLElement {
  const box = h("input", { type: "search", class: "search", placeholder: t(placeholder), "aria-label": t(placeholder), ...attrs });
  box.addEventListener("input", () => onInput(box.value.trim().toLowerCase()));
  return box;
}

/** Key–value pairs, for parameters and commitments. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h("dl", { class: "facts" }, pairs.map(([key, value]) => [h("dt", null, t(key)), h("dd", null, value)]));
}

export function hex(value: string | null | undefined, short = true): HTMLElement {
  if (!value) return h("span", { class: "muted" }, "—");
  const shown = short && value.length > 18 ? `${value.slice(0, 10)}…${value.slice(-8)}` : value;
  return h("code", { class: "hex", title: value }, shown);
}

/**
 * What an error code means, in the page's language (locales/problems.*.json): every code the
 * app can receive has a message there. A status the API did not name (a proxy's 502) reads as
 * `http_error`; an unknown code falls back to the title the API derived from it.
 */
export function problemMessage(code: string, title: string): string {
  const known = has(`problem:${code}`) ? code : /^http_\d+$/.test(code) ? "http_error" : null;
  return known ? t(`problem:${known}`) : t(title || words(code));
}

/** A field's complaint of a schema refusal (pydantic's `type`), in the page's language. */
function fieldMessage(type: string, msg: string): string {
  return has(`field:${type}`) ? t(`field:${type}`) : msg;
}

/**
 * What went wrong, plainly and once, in the page's language: the code's message (the fields
 * at fault for a schema refusal), with the code small for support; the API's own detail, in
 * English and with its figures, is kept for support on the code's tooltip. A refusal of the
 * page itself says it was not sent, and why.
 */
export function problemBox(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const p = error.problem;
    const fields = (p.errors ?? []).map((e) => {
      const where = e.loc.filter((l) => l !== "body" && l !== "query" && l !== "path").join(".");
      const what = fieldMessage(e.type, e.msg);
      return h("li", null, where ? `${t(words(where))}: ${what}` : what);
    });
    return h("div", { class: "problem", role: "alert", "data-code": p.code },
      h("strong", { class: "problem-title" }, problemMessage(p.code, p.title)),
      fields.length ? h("ul", null, fields) : null,
      h("p", { class: "problem-code", title: p.detail }, t("code"), " ", h("code", null, p.code), p.status ? ` · HTTP ${p.status}` : null),
    );
  }
  const input = error instanceof InputError;
  const message = error instanceof Error ? error.message : String(error);
  return h("div", { class: "problem", role: "alert", "data-code": input ? "refused_here" : "page_error" },
    h("strong", { class: "problem-title" }, input ? t("Not sent") : t("The page could not do this")),
    h("p", { class: "problem-detail" }, message),
  );
}

/**
 * A button for an action that cannot be undone or moves money: pressing it first says what will
 * happen and asks again. The idempotency key is made when the person is asked, so retrying the
 * same confirmed action (a timeout, a double tap) can never do it twice.
 */
export function confirmAction(options: {
  label: string;
  explain: () => Child;
  confirm: string;
  run: (key: string) => Promise<Child | void>;
  keyPrefix: string;
  kind?: "primary" | "secondary" | "danger";
  attrs?: Attrs;
}): HTMLElement {
  const out = h("div", { class: "action-out" });
  const open = h("button", { type: "button", class: `btn btn-${options.kind ?? "secondary"}`, ...options.attrs }, t(options.label));
  const box = h("div", { class: "action" }, open, out);
  open.addEventListener("click", () => {
    const key = newKey(options.keyPrefix);
    const yes = h("button", { type: "button", class: "btn btn-danger", "data-confirm": "yes" }, t(options.confirm));
    const no = h("button", { type: "button", class: "btn btn-secondary", "data-confirm": "no" }, t("Cancel"));
    const panel = h("div", { class: "confirm", role: "group", "aria-label": t(options.label) },
      h("p", null, options.explain()), h("div", { class: "row" }, yes, no));
    open.hidden = true;
    replace(out, panel);
    no.addEventListener("click", () => { open.hidden = false; replace(out); open.focus(); });
    yes.addEventListener("click", () => void perform(yes, out, async () => {
      const result = await options.run(key);
      open.hidden = false;
      return result;
    }));
    yes.focus();
  });
  return box;
}

export function notice(text: Child, tone: Tone = "info"): HTMLElement {
  return h("div", { class: `notice notice-${tone}`, role: "status" }, text);
}

/**
 * A button that runs an async action: disabled while it runs, and whatever it answers
 * (success text or the API's refusal) shown in `out` next to it.
 */
export function action(
  label: string,
  run: () => Promise<Child | void>,
  options: { out?: HTMLElement; kind?: "primary" | "secondary" | "danger"; attrs?: Attrs } = {},
): HTMLElement {
  const out = options.out ?? h("div", { class: "action-out" });
  const button = h("button", { type: "button", class: `btn btn-${options.kind ?? "primary"}`, ...options.attrs }, t(label));
  button.addEventListener("click", () => void perform(button, out, run));
  return options.out ? button : h("div", { class: "action" }, button, out);
}

export async function perform(
  button: HTMLButtonElement | null,
  out: HTMLElement,
  run: () => Promise<Child | void>,
): Promise<void> {
  if (button) button.disabled = true;
  out.classList.add("busy");
  try {
    const result = await run();
    // Text is news of success; an element is a result the action built itself.
    replace(out, result instanceof Node ? result : result ? notice(result, "good") : null);
  } catch (error) {
    replace(out, problemBox(error));
  } finally {
    if (button) button.disabled = false;
    out.classList.remove("busy");
  }
}

/** "Load more" under a list read a page at a time: calls `more` until it says there is no more. */
export function pager(more: () => Promise<boolean>, attrs: Attrs = {}): HTMLElement {
  const out = h("div", { class: "action-out" });
  const button = h("button", { type: "button", class: "btn btn-secondary", ...attrs }, t("Load more"));
  button.addEventListener("click", () => void perform(button, out, async () => {
    if (!(await more())) button.remove();
  }));
  return h("div", { class: "pager" }, button, out);
}

/** A form whose submit runs `run` with its fields; refusals appear under it. */
export function form(
  fields: Child[],
  submit: string,
  run: (data: FormData) => Promise<Child | void>,
  attrs: Attrs = {},
): HTMLFormElement {
  const out = h("div", { class: "action-out" });
  const button = h("button", { type: "submit", class: "btn btn-primary" }, t(submit));
  const element = h("form", { class: "form", novalidate: true, ...attrs }, ...fields, h("div", { class: "form-actions" }, button), out);
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    void perform(button, out, () => run(new FormData(element)));
  });
  return element;
}

export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, t(label)), input, hint ? h("span", { class: "field-hint" }, t(hint)) : null);
}

export function input(name: string, attrs: Attrs = {}): HTMLInputElement {
  return h("input", { name, id: `f-${name}`, ...attrs });
}

/**
 * A calendar day typed as YYYY-MM-DD, labelled with that order and the program's time zone.
 * Not `<input type="date">`: Chromium shows that in the browser's locale (mm/dd/yyyy in an
 * English browser), not the program's ISO order, and a person would read 03/04 two ways.
 */
export function dateField(label: string, name: string, zone: string, attrs: Attrs = {}): HTMLElement {
  return field(t("{{label}} (YYYY-MM-DD, {{zone}})", { label: t(label), zone }),
    input(name, { type: "text", inputmode: "numeric", autocomplete: "off", maxlength: 10, placeholder: "YYYY-MM-DD", pattern: "\\d{4}-\\d{2}-\\d{2}", ...attrs }));
}

/** An on/off switch (a styled checkbox, so keyboards and screen readers know it). */
export function toggle(label: string, checked: boolean, onChange: (on: boolean) => Promise<void>, attrs: Attrs = {}): HTMLElement {
  const box = h("input", { type: "checkbox", role: "switch", ...attrs });
  box.checked = checked;
  box.addEventListener("change", () => {
    box.disabled = true;
    void onChange(box.checked).finally(() => (box.disabled = false));
  });
  return h("label", { class: "switch" }, box, h("span", { class: "switch-track", "aria-hidden": "true" }), h("span", { class: "switch-label" }, t(label)));
}

/** Horizontal bars, for counts by code and shares of a whole. */
export function bars(rows: { label: Child; value: number; text?: string; tone?: Tone }[], empty = "Nothing yet."): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, t(empty));
  const max = Math.max(...rows.map((r) => r.value), 1);
  return h("div", { class: "bars" }, rows.map((row) =>
    h("div", { class: "bar-row" },
      h("span", { class: "bar-label" }, row.label),
      h("span", { class: "bar-track" }, h("span", { class: `bar-fill bar-${row.tone ?? "info"}`, style: `width:${Math.max(1.5, (100 * row.value) / max)}%` })),
      h("span", { class: "bar-value" }, row.text ?? integer(row.value)),
    ),
  ));
}

export function loading(): HTMLElement {
  return h("div", { class: "loading", "aria-busy": "true" }, h("span", { class: "spinner" }), t("Loading…"));
}
