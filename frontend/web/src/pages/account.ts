import { problem, type TokenOut } from "../api/client";
import { announce, field, h, show } from "../dom";
import type { App } from "../main";

/** The token, shown once: keep it (copy it), or rely on sign-in links sent by e-mail. */
export function tokenPage(app: App, token: TokenOut, name: string, hasEmail: boolean): void {
  const shown = h("input", {
    id: "new-token",
    name: "token",
    readonly: true,
    value: token.token,
    autocomplete: "off",
  });
  const copy = h("button", { type: "button" }, "Copy token");
  copy.addEventListener("click", async () => {
    shown.select();
    try {
      await navigator.clipboard.writeText(token.token);
      announce("Token copied.");
    } catch {
      announce("Copy it by hand: it is selected.");
    }
  });
  const next = h("button", { type: "button", class: "secondary" }, "Continue");
  next.addEventListener("click", () => app.go("#/report"));
  show(
    app.main,
    `Welcome, ${name}`,
    h("p", {}, "This browser keeps you signed in with this token. It is shown only now."),
    field(
      "Your token",
      shown,
      `Keep it somewhere safe to sign in elsewhere; it works until ${new Date(
        token.expires_at,
      ).toLocaleDateString()}.`,
    ),
    copy,
    h(
      "p",
      {},
      hasEmail
        ? "Lost it? Ask for a sign-in link by e-mail on the sign-in page."
        : "Without an e-mail address, this token is the only way back to your reports.",
    ),
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
    h("h2", { id: "register-title" }, "New here?"),
    field("Your name", name),
    field(
      "E-mail (optional)",
      email,
      "Used to tell you about matches and to send you sign-in links.",
    ),
    h("button", { type: "submit" }, "Register"),
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
    h("h2", { id: "link-title" }, "Signed up before?"),
    field("Your e-mail", address, "We send a link that signs you in once, for a few minutes."),
    h("button", { type: "submit" }, "E-mail me a sign-in link"),
  );
  link.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { data, error } = await app.api.POST("/reporters/sign-in-link", {
      body: { email: address.value.trim() },
    });
    if (error) return announce(problem(error));
    announce((data as { detail?: string } | undefined)?.detail ?? "Check your e-mail.");
  });

  const token = h("input", { id: "token", name: "token", required: true, autocomplete: "off" });
  const withToken = h(
    "form",
    { "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, "Have a token?"),
    field("Your token", token, "The token you kept when you registered."),
    h("button", { type: "submit" }, "Use this token"),
  );
  withToken.addEventListener("submit", async (event) => {
    event.preventDefault();
    app.session.signIn(token.value);
    const { error } = await app.api.GET("/reporters/me");
    if (error) {
      app.session.signOut();
      return announce(problem(error, "That token is not valid."));
    }
    app.go("#/mine");
  });
  show(app.main, "Sign in", register, link, withToken);
}

/** The page a sign-in link opens: its code is exchanged, once, for a token of this browser. */
export async function signInPage(app: App, code: string): Promise<void> {
  show(app.main, "Signing in");
  const { data, error } = await app.api.POST("/reporters/sign-in", { body: { code } });
  if (!data) {
    show(app.main, "Sign in");
    announce(problem(error, "This sign-in link does not work any more: ask for a new one."));
    return accountPage(app);
  }
  app.session.signIn(data.token);
  announce(`Signed in as ${data.reporter.name}.`);
  app.go("#/mine");
}

async function signedIn(app: App): Promise<void> {
  const { data, error } = await app.api.GET("/reporters/me");
  if (!data) {
    // A token that expired or was revoked elsewhere: this browser forgets it.
    app.session.signOut();
    announce(problem(error, "You were signed out."));
    return accountPage(app);
  }
  const signOut = h("button", { type: "button" }, "Sign out");
  signOut.addEventListener("click", async () => {
    await app.api.DELETE("/reporters/me/token", {});
    app.session.signOut();
    announce("Signed out.");
    void accountPage(app);
  });
  const everywhere = h("button", { type: "button", class: "secondary" }, "Sign out everywhere");
  everywhere.addEventListener("click", async () => {
    await app.api.DELETE("/reporters/me/token", { params: { query: { everywhere: true } } });
    app.session.signOut();
    announce("Signed out on every device.");
    void accountPage(app);
  });
  const rotate = h("button", { type: "button", class: "secondary" }, "New token");
  rotate.addEventListener("click", async () => {
    const { data: token, error: refused } = await app.api.POST("/reporters/me/token", {});
    if (!token) return announce(problem(refused));
    app.session.signIn(token.token);
    tokenPage(app, token, data.name, Boolean(data.email));
  });
  show(
    app.main,
    "Account",
    h("p", {}, `Signed in as ${data.name}${data.email ? ` (${data.email})` : ""}.`),
    h("p", {}, h("a", { href: "#/report" }, "Report a lost or found item")),
    signOut,
    everywhere,
    rotate,
  );
}
