// The app: a router over hash URLs (#/report, #/mine, #/items/<id>, #/account,
// #/sign-in/<code> from an e-mailed link), one page each.
import { createApi } from "./api/client";
import { announce } from "./dom";
import { accountPage, signInPage } from "./pages/account";
import { itemPage } from "./pages/item";
import { minePage } from "./pages/mine";
import { reportPage } from "./pages/report";
import { Session } from "./session";

export interface App {
  api: ReturnType<typeof createApi>;
  session: Session;
  main: HTMLElement;
  go(hash: string): void;
}

async function apiUrl(): Promise<string> {
  // Written by the web server from its API_URL: one build serves every deployment.
  try {
    const response = await fetch("./config.json");
    if (response.ok) return ((await response.json()) as { apiUrl: string }).apiUrl;
  } catch {
    // no config: the API is this page's origin
  }
  return window.location.origin;
}

async function start(): Promise<void> {
  const main = document.getElementById("main");
  if (!main) return;
  const session = new Session();
  const api = createApi(await apiUrl(), () => session.token);
  const app: App = { api, session, main, go: (hash) => (window.location.hash = hash) };

  const route = async () => {
    const [, page, id] = window.location.hash.split("/");
    announce("");
    if (page === "sign-in" && id) return signInPage(app, id);
    if (!session.token && page !== "account") return accountPage(app);
    if (page === "report") return reportPage(app);
    if (page === "items" && id) return itemPage(app, id);
    if (page === "account") return accountPage(app);
    return minePage(app);
  };
  window.addEventListener("hashchange", () => void route());
  await route();
}

void start();
