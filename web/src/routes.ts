// Which path shows which page, in which area, to whom.

import { renderConsoleEpochs, renderOverview, renderOwnerLookup, renderRejections } from "./pages/console";
import { renderConsent, renderDrops, renderTrips } from "./pages/driving";
import { renderEpoch, renderEpochs, renderProgram } from "./pages/explorer";
import { renderLogin } from "./pages/login";
import { renderMerchantDesk } from "./pages/merchant";
import { renderCampaigns, renderConsoleDividends, renderMerchants } from "./pages/operations";
import { renderMyDividends, renderStore } from "./pages/store";
import { renderVerify } from "./pages/verify";
import { renderWallet } from "./pages/wallet";
import { renderWebhooks } from "./pages/webhooks";
import type { Route } from "./router";

const OWNER = ["owner" as const];
const STAFF = ["operator" as const, "auditor" as const];

export const ROUTES: Route[] = [
  { path: "/login", area: "login", title: "Log in", render: renderLogin },

  { path: "/explorer", area: "explorer", title: "Program", tab: "Program", render: renderProgram },
  { path: "/explorer/epochs", area: "explorer", title: "Epochs", tab: "Epochs", render: renderEpochs },
  { path: "/explorer/epochs/:epoch", area: "explorer", title: "Epoch", parent: "/explorer/epochs", render: renderEpoch },
  { path: "/explorer/verify", area: "explorer", title: "Verify my balance", tab: "Verify my balance", render: renderVerify },

  { path: "/wallet", area: "wallet", title: "Wallet", tab: "Wallet", roles: OWNER, render: renderWallet },
  { path: "/wallet/drops", area: "wallet", title: "Drops", tab: "Drops", roles: OWNER, render: renderDrops },
  { path: "/wallet/trips", area: "wallet", title: "Trips", tab: "Trips", roles: OWNER, render: renderTrips },
  { path: "/wallet/consent", area: "wallet", title: "Consent", tab: "Consent", roles: OWNER, render: renderConsent },
  { path: "/wallet/store", area: "wallet", title: "Store", tab: "Store", roles: OWNER, render: renderStore },
  { path: "/wallet/dividends", area: "wallet", title: "Dividends", tab: "Dividends", roles: OWNER, render: renderMyDividends },

  { path: "/console", area: "console", title: "Operations", tab: "Overview", roles: STAFF, render: renderOverview },
  { path: "/console/epochs", area: "console", title: "Epochs", tab: "Epochs", roles: STAFF, render: renderConsoleEpochs },
  { path: "/console/epochs/:epoch", area: "console", title: "Epoch", parent: "/console/epochs", roles: STAFF, render: renderEpoch },
  { path: "/console/rejections", area: "console", title: "Refused reports", tab: "Rejections", roles: STAFF, render: renderRejections },
  { path: "/console/campaigns", area: "console", title: "Campaigns", tab: "Campaigns", roles: STAFF, render: renderCampaigns },
  { path: "/console/owners", area: "console", title: "Owner lookup", tab: "Owners", roles: STAFF, render: renderOwnerLookup },
  { path: "/console/merchants", area: "console", title: "Merchants", tab: "Merchants", roles: STAFF, render: renderMerchants },
  { path: "/console/dividends", area: "console", title: "Dividends", tab: "Dividends", roles: STAFF, render: renderConsoleDividends },
  { path: "/console/webhooks", area: "console", title: "Webhooks", tab: "Webhooks", roles: STAFF, render: renderWebhooks },

  { path: "/merchant", area: "merchant", title: "Merchant desk", merchant: true, render: renderMerchantDesk },
];
