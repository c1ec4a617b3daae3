// The building blocks every page uses: cards, figures, tables, badges, switches, and the one
// way a refusal is shown (title, detail and code of the API's problem document).

import { ApiError } from "./api";
import { type Attrs, type Child, h, replace } from "./dom";
import { words } from "./format";

export function card(title: Child, ...children: Child[]): HTMLElement {
  return h("section", { class: "card" }, title ? h("h2", null, title) : null, ...children);
}

export function grid(...children: Child[]): HTMLElement {
  return h("div", { class: "grid" }, ...children);
}

export function pageTitle(title: string, lead?: Child): HTMLElement {
  return h("header", { class: "page-title" }, h("h1", null, title), lead ? h("p", null, lead) : null);
}

/** A figure with its label: "Balance 1,234.5 stones". */
export function stat(label: string, value: Child, sub?: Child, attrs: Attrs = {}): HTMLElement {
  return h("div", { class: "stat", ...attrs },
    h("span", { class: "stat-label" }, label),
    h("span", { class: "stat-value" }, value),
    sub ? h("span", { class: "stat-sub" }, sub) : null,
  );
}

export type Tone = "good" | "bad" | "warn" | "info" | "muted";

export function badge(text: string, tone: Tone = "info"): HTMLElement {
  return h("span", { class: `badge badge-${tone}` }, text);
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  numeric?: boolean;
}

export function table<T>(columns: Column<T>[], rows: T[], empty = "Nothing yet."): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-wrap" },
    h("table", null,
      h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.numeric ? "num" : null }, c.label)))),
      h("tbody", null, rows.map((row) =>
        h("tr", null, columns.map((c) => h("td", { class: c.numeric ? "num" : null, "data-label": c.label }, c.cell(row)))),
      )),
    ),
  );
}

/** Key–value pairs, for parameters and commitments. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h("dl", { class: "facts" }, pairs.map(([key, value]) => [h("dt", null, key), h("dd", null, value)]));
}

export function hex(value: string | null | undefined, short = true): HTMLElement {
  if (!value) return h("span", { class: "muted" }, "—");
  const shown = short && value.length > 18 ? `${value.slice(0, 10)}…${value.slice(-8)}` : value;
  return h("code", { class: "hex", title: value }, shown);
}

/** What went wrong, plainly: the problem's title and detail, and its code for support. */
export function problemBox(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const p = error.problem;
    const fields = (p.errors ?? []).map((e) => h("li", null, `${e.loc.filter((l) => l !== "body").join(".")}: ${e.msg}`));
    return h("div", { class: "problem", role: "alert", "data-code": p.code },
      h("strong", { class: "problem-title" }, p.title || words(p.code)),
      h("p", { class: "problem-detail" }, p.detail),
      fields.length ? h("ul", null, fields) : null,
      h("p", { class: "problem-code" }, "code ", h("code", null, p.code), p.status ? ` · HTTP ${p.status}` : null),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return h("div", { class: "problem", role: "alert", "data-code": "client_error" },
    h("strong", { class: "problem-title" }, "Something went wrong in the page"),
    h("p", { class: "problem-detail" }, message),
  );
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
  const button = h("button", { type: "button", class: `btn btn-${options.kind ?? "primary"}`, ...options.attrs }, label);
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

/** A form whose submit runs `run` with its fields; refusals appear under it. */
export function form(
  fields: Child[],
  submit: string,
  run: (data: FormData) => Promise<Child | void>,
  attrs: Attrs = {},
): HTMLFormElement {
  const out = h("div", { class: "action-out" });
  const button = h("button", { type: "submit", class: "btn btn-primary" }, submit);
  const element = h("form", { class: "form", novalidate: true, ...attrs }, ...fields, h("div", { class: "form-actions" }, button), out);
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    void perform(button, out, () => run(new FormData(element)));
  });
  return element;
}

export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, label), input, hint ? h("span", { class: "field-hint" }, hint) : null);
}

export function input(name: string, attrs: Attrs = {}): HTMLInputElement {
  return h("input", { name, id: `f-${name}`, ...attrs });
}

/** An on/off switch (a styled checkbox, so keyboards and screen readers know it). */
export function toggle(label: string, checked: boolean, onChange: (on: boolean) => Promise<void>, attrs: Attrs = {}): HTMLElement {
  const box = h("input", { type: "checkbox", role: "switch", ...attrs });
  box.checked = checked;
  box.addEventListener("change", () => {
    box.disabled = true;
    void onChange(box.checked).finally(() => (box.disabled = false));
  });
  return h("label", { class: "switch" }, box, h("span", { class: "switch-track", "aria-hidden": "true" }), h("span", { class: "switch-label" }, label));
}

/** Horizontal bars, for counts by code and shares of a whole. */
export function bars(rows: { label: Child; value: number; text?: string; tone?: Tone }[], empty = "Nothing yet."): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  const max = Math.max(...rows.map((r) => r.value), 1);
  return h("div", { class: "bars" }, rows.map((row) =>
    h("div", { class: "bar-row" },
      h("span", { class: "bar-label" }, row.label),
      h("span", { class: "bar-track" }, h("span", { class: `bar-fill bar-${row.tone ?? "info"}`, style: `width:${Math.max(1.5, (100 * row.value) / max)}%` })),
      h("span", { class: "bar-value" }, row.text ?? row.value.toLocaleString("en")),
    ),
  ));
}

export function loading(): HTMLElement {
  return h("div", { class: "loading", "aria-busy": "true" }, h("span", { class: "spinner" }), "Loading…");
}
