// Logging in: owners, operators and auditors with a password; merchants with their API key.

import { type Role, get, post, saveMerchantKey, saveSession } from "../api";
import { add, h } from "../dom";
import { type Params, navigate } from "../router";
import { t } from "../i18n";
import { InputError, card, field, form, input, notice, pageTitle } from "../widgets";

interface TokenPublic {
  access_token: string;
  token_type: string;
  expires_at: { unix: number; iso: string };
  role: Role;
  owner_id: number | null;
}

export function renderLogin(page: HTMLElement, _params: Params, query: URLSearchParams): void {
  const next = query.get("next");
  const login = form(
    [
      field("Username", input("username", { autocomplete: "username", required: true, autocapitalize: "none" })),
      field("Password", input("password", { type: "password", autocomplete: "current-password", required: true })),
    ],
    "Log in",
    async (data) => {
      const username = String(data.get("username") ?? "").trim();
      if (!username || !String(data.get("password") ?? "")) throw new InputError(t("Write your username and password."));
      const token = await post<TokenPublic>("/auth/login", { username, password: String(data.get("password") ?? "") }, { auth: "none" });
      saveSession({ token: token.access_token, role: token.role, ownerId: token.owner_id, username, expiresAt: token.expires_at.unix });
      navigate(next && !next.startsWith("/merchant") ? next : token.role === "owner" ? "/wallet" : "/console");
    },
    { id: "login-form" },
  );
  const merchant = form(
    [field("Merchant API key", input("key", { type: "password", autocomplete: "off", required: true }), "Issued by the operator; kept in this tab only.")],
    "Open the merchant desk",
    async (data) => {
      const key = String(data.get("key") ?? "").trim();
      if (!key) throw new InputError(t("Paste the API key the operator gave you."));
      saveMerchantKey(key);
      try {
        await get("/store/merchants/me", { auth: "merchant" });
      } catch (error) {
        saveMerchantKey(null);
        throw error;
      }
      navigate("/merchant");
    },
    { id: "merchant-form" },
  );
  add(page, 
    h("div", { class: "login" },
      pageTitle("Log in", "Owners see their wallet; the operations team sees the console."),
      query.get("expired") ? notice(t("Your session ended. Log in again to go on."), "warn") : null,
      card(null, login),
      card("Merchants", merchant),
      h("p", { class: "muted" }, t("No account needed for the"), " ", h("a", { href: "#/explorer" }, t("public explorer")), t(": the program, its epochs and balance proofs are open to everyone.")),
    ),
  );
}
