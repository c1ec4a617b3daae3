// A hash router: `#/wallet/drops` needs no server-side fallback, so the API can serve the
// built files as they are, and the back button works.

import type { Role } from "./api";

export type Area = "explorer" | "wallet" | "console" | "merchant" | "login";
export type Params = Record<string, string>;
export type Render = (page: HTMLElement, params: Params, query: URLSearchParams) => Promise<void> | void;

export interface Route {
  path: string;
  area: Area;
  title: string;
  /** Shown in the area's tab bar under this label. */
  tab?: string;
  /** The tab a detail page belongs under. */
  parent?: string;
  /** Who may open it; a logged-out visitor is sent to log in. */
  roles?: Role[];
  merchant?: boolean;
  render: Render;
}

export interface Match {
  route: Route;
  params: Params;
  query: URLSearchParams;
}

export function currentPath(): { path: string; query: URLSearchParams } {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = hash.split("?");
  return { path: path || "/", query: new URLSearchParams(search) };
}

export function match(routes: Route[], path: string, query: URLSearchParams): Match | null {
  const parts = path.split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Params = {};
    const ok = pattern.every((segment, i) => {
      if (segment.startsWith(":")) {
        params[segment.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return segment === parts[i];
    });
    if (ok) return { route, params, query };
  }
  return null;
}

export function navigate(path: string): void {
  if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = path;
}

export function link(path: string): string {
  return `#${path}`;
}
