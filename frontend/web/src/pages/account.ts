import { problem, type TokenOut } from "../api/client";
import { announce, field, h, show } from "../dom";
import type { App } from "../main";
import { formatDate, t } from "../i18n";

/** The token, shown once: keep it (copy it), or rely on sign-in links sent by e-mail. */
export function tokenPage(app: App, token: TokenOut, name: string, hasEmail: boolean): void {
  const shown = h("input", {
    id: "new-token",
    name: "token",
    readonly: true,
    value: token.token,
    autocomplete: "off",
  });
  const copy = h("button", { type: "button" }, t("account.copyToken"));
  copy.addEventListener("click", async () => {
    shown.select();
    try {
      await navigator.clipboard.writeText(token.token);
      announce(t("account.copied"));
    } catch {
      announce(t("account.copyByHand"));
    }
  });
  const next = h("button", { type: "button", class: "secondary" }, t("account.continue"));
  next.addEventListener("click", () => app.go("#/report"));
  show(
    app.main,
    t("account.welcome", { name }),
    h("p", {}, t("account.tokenKept")),
    field(
      t("account.yourToken"),
      shown,
      t("account.tokenUntil", { until: formatDate(token.expires_at) }),
    ),
    copy,
    h("p", {}, hasEmail ? t("account.lostWithEmail") : t("account.lostWithoutEmail")),
    next,
  );
}

/** Register, sign in (a token, or a link by e-mail), or manage the account you are in. */
export async function accountPage(app: App): Promise<void> {
  if (app.session.token) return signedIn(app);
  const name = h("input", { id: "name", name: "name", required: true, autocomplete: "name" });
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "email" });
  const register = h(
    "form",
    { "aria-labelledby": "register-title" },
    h("h2", { id: "register-title" }, t("account.newHere")),
    field(t("account.name"), name),
    field(t("account.email"), email, t("account.emailHint")),
    h("button", { type: "submit" }, t("account.register")),
  );
  register.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: name.value, email: email.value.trim() || null };
    const { data, error } = await app.api.POST("/reporters", { body });
    if (!data) return announce(problem(error));
    app.session.signIn(data.token);
    tokenPage(app, data, data.name, Boolean(data.email));
  });

  const address = h("input", {
    id: "link-email",
    name: "email",
    type: "email",
    required: true,
    autocomplete: "email",
  });
  const link = h(
    "form",
    { "aria-labelledby": "link-title" },
    h("h2", { id: "link-title" }, t("account.before")),
    field(t("account.yourEmail"), address, t("account.linkHint")),
    h("button", { type: "submit" }, t("account.sendLink")),
  );
  link.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { data, error } = await app.api.POST("/reporters/sign-in-link", {
      body: { email: address.value.trim() },
    });
    if (error) return announce(problem(error));
    announce((data as { detail?: string } | undefined)?.detail ?? t("account.checkEmail"));
  });

  const token = h("input", { id: "token", name: "token", required: true, autocomplete: "off" });
  const withToken = h(
    "form",
    { "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, t("account.haveToken")),
    field(t("account.yourToken"), token, t("account.tokenHint")),
    h("button", { type: "submit" }, t("account.useToken")),
  );
  withToken.addEventListener("submit", async (event) => {
    event.preventDefault();
    app.session.signIn(token.value);
    const { error } = await app.api.GET("/reporters/me");
    if (error) {
      app.session.signOut();
      return announce(problem(error, t("account.badToken")));
    }
    app.go("#/mine");
  });
  show(app.main, t("account.signIn"), register, link, withToken);
}

/** The page a sign-in link opens: its code is exchanged, once, for a token of this browser. */
export async function signInPage(app: App, code: string): Promise<void> {
  show(app.main, t("account.signingIn"));
  const { data, error } = await app.api.POST("/reporters/sign-in", { body: { code } });
  if (!data) {
    show(app.main, t("account.signIn"));
    announce(problem(error, t("account.linkExpired")));
    return accountPage(app);
  }
  app.session.signIn(data.token);
  app.go("#/mine", t("account.signedInAs", { name: data.reporter.name }));
}

async function signedIn(app: App): Promise<void> {
  const { data, error } = await app.api.GET("/reporters/me");
  if (!data) {
    // A token that expired or was revoked elsewhere: this browser forgets it.
    app.session.signOut();
    announce(problem(error, t("account.wereSignedOut")));
    return accountPage(app);
  }
  const signOut = h("button", { type: "button" }, t("account.signOut"));
  signOut.addEventListener("click", async () => {
    await app.api.DELETE("/reporters/me/token", {});
    app.session.signOut();
    announce(t("account.signedOut"));
    void accountPage(app);
  });
  const everywhere = h(
    "button",
    { type: "button", class: "secondary" },
    t("account.signOutEverywhere"),
  );
  everywhere.addEventListener("click", async () => {
    await app.api.DELETE("/reporters/me/token", { params: { query: { everywhere: true } } });
    app.session.signOut();
    announce(t("account.signedOutEverywhere"));
    void accountPage(app);
  });
  const rotate = h("button", { type: "button", class: "secondary" }, t("account.newToken"));
  rotate.addEventListener("click", async () => {
    const { data: token, error: refused } = await app.api.POST("/reporters/me/token", {});
    if (!token) return announce(problem(refused));
    app.session.signIn(token.token);
    tokenPage(app, token, data.name, Boolean(data.email));
  });
  show(
    app.main,
    t("nav.account"),
    h(
      "p",
      {},
      t("account.signedInAs", { name: data.email ? `${data.name} (${data.email})` : data.name }),
    ),
    h("p", {}, h("a", { href: "#/report" }, t("account.reportLink"))),
    signOut,
    everywhere,
    rotate,
  );
}
