// The app shell: top bar with the areas the visitor may open, the area's tabs, and the page.
// Pages are plain functions that fill an element; routes.ts says which path shows which.

import "./styles.css";
import { ApiError, currentSession, get, merchantKey, saveMerchantKey, saveSession } from "./api";
import { h, replace, svg } from "./dom";
import { setTimeZone } from "./format";
import { type Lang, lang, setLang, t } from "./i18n";
import { ROUTES } from "./routes";
import { type Area, type Route, currentPath, link, match, navigate } from "./router";
import type { ProgramPublic } from "./types";
import { loading, problemBox } from "./widgets";

const LOGO = `<svg viewBox="0 0 32 32" aria-hidden="true"><path d="M16 3 28 11 24 27H8L4 11z" fill="#14b8a6"/><path d="M16 3 20 11 16 27 12 11z" fill="#0d9488"/></svg>`;

const AREAS: { area: Area; label: string; home: string; visible: () => boolean }[] = [
  { area: "explorer", label: "Explorer", home: "/explorer", visible: () => true },
  { area: "wallet", label: "Wallet", home: "/wallet", visible: () => currentSession()?.role === "owner" },
  { area: "console", label: "Console", home: "/console", visible: () => ["operator", "auditor"].includes(currentSession()?.role ?? "") },
  { area: "merchant", label: "Merchant", home: "/merchant", visible: () => merchantKey() !== null },
];

let renderCount = 0;

async function render(): Promise<void> {
  const { path, query } = currentPath();
  if (path === "/") return navigate(homeOf());
  const found = match(ROUTES, path, query);
  const app = document.getElementById("app")!;
  if (!found) {
    replace(app, topbar("explorer"), h("main", null, problemBox(new Error(t("There is no page at {{path}}.", { path })))));
    return;
  }
  const { route, params } = found;
  if (!allowed(route)) {
    const next = encodeURIComponent(path);
    return navigate(route.merchant ? `/login?merchant=1&next=${next}` : `/login?next=${next}`);
  }
  document.title = `${t(route.title)} · Milestone`;
  const page = h("main", { id: "page", "data-route": route.path, "data-path": path });
  replace(app, topbar(route.area), tabs(route), page);
  replace(page, loading());
  const mine = ++renderCount;
  const body = h("div", { class: "page-body" });
  try {
    await route.render(body, params, query);
    if (mine === renderCount) replace(page, body);
  } catch (error) {
    if (mine !== renderCount) return;
    if (error instanceof ApiError && error.status === 401 && route.area !== "login") {
      saveSession(null);
      if (route.merchant) saveMerchantKey(null);
      return navigate(`/login?expired=1&next=${encodeURIComponent(path)}${route.merchant ? "&merchant=1" : ""}`);
    }
    replace(page, body.childElementCount ? body : null, problemBox(error));
  }
  page.setAttribute("data-ready", "1");
}

function allowed(route: Route): boolean {
  if (route.merchant) return merchantKey() !== null;
  if (!route.roles) return true;
  const session = currentSession();
  return session !== null && route.roles.includes(session.role);
}

export function homeOf(): string {
  const session = currentSession();
  if (session?.role === "owner") return "/wallet";
  if (session) return "/console";
  if (merchantKey()) return "/merchant";
  return "/explorer";
}

function topbar(active: Area): HTMLElement {
  const session = currentSession();
  const who = session
    ? h("div", { class: "who" },
        h("span", { class: "username" }, `${session.username} · ${t(session.role)}`),
        h("button", { type: "button", id: "logout", onclick: () => { saveSession(null); navigate("/explorer"); } }, t("Log out")))
    : merchantKey()
      ? h("div", { class: "who" }, h("button", { type: "button", id: "logout", onclick: () => { saveMerchantKey(null); navigate("/explorer"); } }, t("Forget key")))
      : h("div", { class: "who" }, h("a", { href: link("/login"), id: "login-link" }, t("Log in")));
  return h("header", { class: "topbar" },
    h("a", { class: "brand", href: link(homeOf()), "aria-label": "Milestone" }, svg(LOGO), h("span", { class: "word" }, "Milestone")),
    h("nav", { class: "areas", "aria-label": "Areas" },
      AREAS.filter((a) => a.visible()).map((a) =>
        h("a", { href: link(a.home), class: a.area === active ? "active" : null }, t(a.label)))),
    languageSwitch(),
    who,
  );
}

/** 中文 / English: the other language, named in itself, one tap away; the choice is remembered. */
function languageSwitch(): HTMLElement {
  const other: Lang = lang() === "zh" ? "en" : "zh";
  return h("button", {
    type: "button", class: "lang", id: "lang-switch", lang: other === "zh" ? "zh-CN" : "en",
    title: other === "zh" ? "切换到中文" : "Switch to English",
    onclick: () => { setLang(other); void render(); },
  }, other === "zh" ? "中文" : "English");
}

function tabs(route: Route): HTMLElement | null {
  const siblings = ROUTES.filter((r) => r.area === route.area && r.tab);
  if (siblings.length < 2) return null;
  const strip = h("div", { class: "tabs-strip" },
    siblings.map((r) => h("a", { href: link(r.path), class: r === route || r.path === route.parent ? "active" : null,
      "aria-current": r === route ? "page" : null }, t(r.tab!))));
  const nav = h("nav", { class: "tabs", "aria-label": t("Pages") }, strip);
  // Fades at the edges say there are more tabs that way; the active tab is scrolled into view.
  const edges = () => {
    nav.classList.toggle("more-left", strip.scrollLeft > 2);
    nav.classList.toggle("more-right", strip.scrollLeft + strip.clientWidth < strip.scrollWidth - 2);
  };
  strip.addEventListener("scroll", edges, { passive: true });
  requestAnimationFrame(() => {
    strip.querySelector<HTMLElement>("a.active")?.scrollIntoView({ block: "nearest", inline: "center" });
    edges();
  });
  return nav;
}

// The program's time zone first: every date and time on every page is shown in it.
async function boot(): Promise<void> {
  try {
    const program = await get<ProgramPublic>("/program", { auth: "none" });
    setTimeZone(program.time_zone);
  } catch {
    // The default (Asia/Shanghai) stands; the page itself will show why the API is not there.
  }
  window.addEventListener("hashchange", () => void render());
  await render();
}

void boot();
