import { problem, type ItemPublic, type MatchOut } from "../api/client";
import { announce, field, h, show } from "../dom";
import { reasons } from "../explain";
import type { App } from "../main";

const REFRESH_MS = 3000;

/** One of your reports and the matches suggested for it: confirm, reject, meet. */
export async function itemPage(app: App, id: string): Promise<void> {
  const path = { params: { path: { item_id: id } } };
  const { data: item, error } = await app.api.GET("/items/{item_id}", path);
  if (!item) {
    show(app.main, "Report");
    return announce(problem(error));
  }
  const { data: matches } = await app.api.GET("/items/{item_id}/matches", path);
  const summary = h(
    "p",
    {},
    `${item.kind === "lost" ? "Lost" : "Found"} ${new Date(item.occurred_at).toLocaleString()}`,
    item.place_name ? ` at ${item.place_name}` : "",
  );
  const found = matches ?? [];
  const list = h(
    "ul",
    { class: "cards", "aria-label": "Suggested matches" },
    ...found.map((match) => matchCard(app, match, item, () => void itemPage(app, id))),
  );
  show(
    app.main,
    item.title,
    summary,
    h("h2", {}, "Suggested matches"),
    found.length
      ? list
      : h(
          "p",
          {},
          item.enrichment_state === "done"
            ? "No match yet. New reports are compared with yours as they come in."
            : "Your report is being read; matches appear here.",
        ),
  );
  if (!found.length || item.enrichment_state !== "done") {
    // Matching runs in the background: look again until something is there.
    window.setTimeout(() => {
      if (window.location.hash === `#/items/${id}`) void refresh(app, id, found.length);
    }, REFRESH_MS);
  }
}

async function refresh(app: App, id: string, shown: number): Promise<void> {
  const { data } = await app.api.GET("/items/{item_id}/matches", {
    params: { path: { item_id: id } },
  });
  if ((data?.length ?? 0) !== shown) {
    await itemPage(app, id);
    const count = data?.length ?? 0;
    announce(count === 1 ? "1 suggested match." : `${count} suggested matches.`);
  } else if (window.location.hash === `#/items/${id}`) {
    window.setTimeout(() => void refresh(app, id, shown), REFRESH_MS);
  }
}

function matchCard(app: App, match: MatchOut, mine: ItemPublic, changed: () => void): HTMLElement {
  const other = match.other_item;
  const heading = h("h3", {}, `${other.kind === "found" ? "Found" : "Lost"}: ${other.title}`);
  const why = h(
    "ul",
    { class: "reasons" },
    ...reasons(match, mine).map((reason) => h("li", {}, reason)),
  );
  const parts: (HTMLElement | null)[] = [heading, why];
  if (match.other_contact) {
    parts.push(
      h("p", { class: "contact" }, "Their contact: ", h("strong", {}, match.other_contact)),
    );
  } else if (match.status === "rejected") {
    parts.push(h("p", {}, "You or they said this is not it."));
  } else {
    if (match.awaiting) parts.push(h("p", { class: "awaiting" }, `Waiting for ${match.awaiting}.`));
    if (match.finder_proof && match.your_side === "lost") {
      parts.push(h("p", {}, "The finder says: ", h("q", {}, match.finder_proof)));
    }
    if (!match.you_confirmed || (match.your_side === "lost" && !match.proof_verified)) {
      parts.push(decision(app, match, changed));
    }
  }
  return h("li", { class: "match" }, ...parts);
}

function decision(app: App, match: MatchOut, changed: () => void): HTMLElement {
  const path = { params: { path: { match_id: match.id } } };
  const finder = match.your_side === "found";
  const proof = h("textarea", { id: `proof-${match.id}`, name: "proof", rows: "2" });
  const confirm = h(
    "button",
    { type: "submit" },
    finder ? "Confirm with proof" : "Yes, that's mine",
  );
  const reject = h("button", { type: "button", class: "secondary" }, "No, that's not it");
  const form = h(
    "form",
    { class: "decision" },
    finder
      ? field("Proof", proof, "Something only the item in hand shows: a mark, what is inside.")
      : null,
    confirm,
    reject,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    // The owner accepts a proof the claim check could not verify by saying "yes" after reading it.
    const body = finder
      ? { proof: proof.value, accept_proof: false }
      : { accept_proof: Boolean(match.finder_proof) && !match.proof_verified };
    const { error } = await app.api.POST("/matches/{match_id}/confirm", { ...path, body });
    if (error) return announce(problem(error));
    announce("Confirmed.");
    changed();
  });
  reject.addEventListener("click", async () => {
    const { error } = await app.api.POST("/matches/{match_id}/reject", path);
    if (error) return announce(problem(error));
    announce("Rejected.");
    changed();
  });
  return form;
}
