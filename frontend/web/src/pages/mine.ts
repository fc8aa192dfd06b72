import { problem } from "../api/client";
import { announce, h, show } from "../dom";
import type { App } from "../main";

const STATE: Record<string, string> = {
  pending: "being read",
  done: "looking for matches",
  failed: "could not be read",
};

/** Your reports, newest first. */
export async function minePage(app: App): Promise<void> {
  const { data, error } = await app.api.GET("/reporters/me/items");
  if (!data) {
    show(app.main, "My reports");
    return announce(problem(error));
  }
  const list = h(
    "ul",
    { class: "cards" },
    ...data.items.map((item) =>
      h(
        "li",
        {},
        h(
          "a",
          { href: `#/items/${item.id}` },
          `${item.kind === "lost" ? "Lost" : "Found"}: ${item.title}`,
        ),
        h(
          "p",
          {},
          `${new Date(item.occurred_at).toLocaleDateString()} · ${STATE[item.enrichment_state] ?? item.enrichment_state} · ${item.status}`,
        ),
      ),
    ),
  );
  show(
    app.main,
    "My reports",
    data.items.length
      ? list
      : h("p", {}, "No reports yet. ", h("a", { href: "#/report" }, "Report an item")),
  );
}
