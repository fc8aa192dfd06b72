import { problem } from "../api/client";
import { announce, field, h, show } from "../dom";
import type { App } from "../main";

/** Register (a token is made and kept in this browser), or use a token you have. */
export async function accountPage(app: App): Promise<void> {
  if (app.session.token) {
    const { data } = await app.api.GET("/reporters/me");
    const signOut = h("button", { type: "button" }, "Sign out");
    signOut.addEventListener("click", () => {
      app.session.signOut();
      announce("Signed out.");
      void accountPage(app);
    });
    show(
      app.main,
      "Account",
      h(
        "p",
        {},
        `Signed in as ${data?.name ?? "a reporter"}${data?.email ? ` (${data.email})` : ""}.`,
      ),
      h("p", {}, h("a", { href: "#/report" }, "Report a lost or found item")),
      signOut,
    );
    return;
  }
  const name = h("input", { id: "name", name: "name", required: true, autocomplete: "name" });
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "email" });
  const register = h(
    "form",
    { "aria-labelledby": "register-title" },
    h("h2", { id: "register-title" }, "New here?"),
    field("Your name", name),
    field("E-mail (optional)", email, "Used to tell you about matches."),
    h("button", { type: "submit" }, "Register"),
  );
  register.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { name: name.value, email: email.value.trim() || null };
    const { data, error } = await app.api.POST("/reporters", { body });
    if (!data) return announce(problem(error));
    app.session.signIn(data.token);
    announce(`Welcome, ${data.name}. Your token is kept in this browser.`);
    app.go("#/report");
  });

  const token = h("input", { id: "token", name: "token", required: true, autocomplete: "off" });
  const signIn = h(
    "form",
    { "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, "Have a token?"),
    field("Your token", token, "The token you got when you registered."),
    h("button", { type: "submit" }, "Use this token"),
  );
  signIn.addEventListener("submit", async (event) => {
    event.preventDefault();
    app.session.signIn(token.value);
    const { error } = await app.api.GET("/reporters/me");
    if (error) {
      app.session.signOut();
      return announce(problem(error, "That token is not valid."));
    }
    app.go("#/mine");
  });
  show(app.main, "Sign in", register, signIn);
}
