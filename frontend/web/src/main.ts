// The app: a router over hash URLs (#/report, #/mine, #/items/<id>, #/account,
// #/sign-in/<code> from an e-mailed link, a desk's #/desk/...), one page each.
import { createApi } from "./api/client";
import { announce, h } from "./dom";
import { LOCALES, locale, setLocale, t, type Locale } from "./i18n";
import { accountPage, signInPage } from "./pages/account";
import { itemPage } from "./pages/item";
import { minePage } from "./pages/mine";
import { reportPage } from "./pages/report";
import { Session } from "./session";

export interface App {
  api: ReturnType<typeof createApi>;
  session: Session;
  main: HTMLElement;
  /** Go to `hash`, then say `said` there (what the person just did, e.g. "Report sent."). */
  go(hash: string, said?: string): void;
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

/** The header's menu (the desk's link for its staff) and the language switch. */
async function drawMenu(app: App, route: () => Promise<void>): Promise<void> {
  const menu = document.getElementById("menu");
  if (!menu) return;
  const skip = document.querySelector(".skip");
  if (skip) skip.textContent = t("nav.skip");
  const { data: me } = app.session.token ? await app.api.GET("/reporters/me") : { data: null };
  const desk = me?.role === "office" || me?.role === "staff";
  const language = h(
    "select",
    { id: "language", name: "language", "aria-label": t("nav.language") },
    ...Object.entries(LOCALES).map(([code, name]) =>
      h("option", { value: code, selected: code === locale() }, name),
    ),
  );
  language.addEventListener("change", () => {
    setLocale(language.value as Locale);
    void drawMenu(app, route);
    void route();
  });
  const link = (hash: string, label: string) => h("li", {}, h("a", { href: hash }, label));
  menu.replaceChildren(
    h(
      "nav",
      { "aria-label": t("nav.label") },
      h(
        "ul",
        {},
        link("#/report", t("nav.report")),
        link("#/mine", t("nav.mine")),
        desk ? link("#/desk", t("nav.desk")) : null,
        link("#/account", t("nav.account")),
      ),
    ),
    language,
  );
}

async function start(): Promise<void> {
  const main = document.getElementById("main");
  if (!main) return;
  document.documentElement.lang = locale();
  const session = new Session();
  const api = createApi(await apiUrl(), () => session.token);
  // Said on the next page: a page change clears what the last one said, after it was said.
  let pending = "";
  const app: App = {
    api,
    session,
    main,
    go: (hash, said = "") => {
      pending = said;
      window.location.hash = hash;
    },
  };

  const route = async () => {
    const [, page, id, subId] = window.location.hash.split("/");
    announce(pending);
    pending = "";
    if (page === "sign-in" && id) return signInPage(app, id);
    if (page === "desk") {
      // The desk's pages (and their chart library) load only for a desk: people's phones
      // never download them.
      const { deskPage } = await import("./pages/desk");
      return deskPage(app, id, subId);
    }
    if (!session.token && page !== "account") return accountPage(app);
    if (page === "report") return reportPage(app);
    if (page === "items" && id) return itemPage(app, id);
    if (page === "account") return accountPage(app);
    return minePage(app);
  };
  let signedInAs = session.token;
  window.addEventListener("hashchange", () => {
    if (session.token !== signedInAs) {
      signedInAs = session.token; // signed in or out: the menu changes with who it is
      void drawMenu(app, route);
    }
    void route();
  });
  await drawMenu(app, route);
  await route();
}

void start();
