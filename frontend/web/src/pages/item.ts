import { problem, type ItemPrivate, type MatchOut } from "../api/client";
import { announce, field, h, show } from "../dom";
import { reasons } from "../explain";
import { nextSteps, WARNINGS, type Step } from "../handover";
import type { App } from "../main";
import { formatDateTime, t } from "../i18n";

const REFRESH_MS = 3000;

/** One of your reports and the matches suggested for it: confirm, check, talk, meet. */
export async function itemPage(app: App, id: string): Promise<void> {
  const path = { params: { path: { item_id: id } } };
  const { data: item, error } = await app.api.GET("/items/{item_id}", path);
  if (!item) {
    show(app.main, t("item.report"));
    return announce(problem(error));
  }
  const mine = item as ItemPrivate;
  const { data: matches } = await app.api.GET("/items/{item_id}/matches", path);
  const summary = h(
    "p",
    {},
    `${t(`kind.${item.kind}`)} ${formatDateTime(item.occurred_at)}`,
    item.place_name ? ` ${t("explain.at", { place: item.place_name })}` : "",
  );
  const found = matches ?? [];
  const again = () => void itemPage(app, id);
  const cards = await Promise.all(found.map((match) => matchCard(app, match, mine, again)));
  // A redraw (the background refresh, an answer) still loading when the person went to another
  // page must not paint over that page.
  if (window.location.hash !== `#/items/${id}`) return;
  show(
    app.main,
    item.title,
    summary,
    h("h2", {}, t("desk.item.matches")),
    found.length
      ? h("ul", { class: "cards", "aria-label": t("desk.item.matches") }, ...cards)
      : h("p", {}, item.enrichment_state === "done" ? t("item.noMatch") : t("item.reading")),
  );
  // Matching and the other side's answers arrive in the background: look again for changes.
  window.setTimeout(() => {
    if (window.location.hash === `#/items/${id}`) void refresh(app, id, fingerprint(found));
  }, REFRESH_MS);
}

function fingerprint(matches: MatchOut[]): string {
  return matches.map((m) => `${m.id}:${m.status}:${m.awaiting}:${m.other_contact}`).join("|");
}

async function refresh(app: App, id: string, shown: string): Promise<void> {
  if (document.activeElement?.matches("textarea, input")) {
    // Someone is typing: do not redraw under their hands.
    window.setTimeout(() => void refresh(app, id, shown), REFRESH_MS);
    return;
  }
  const { data } = await app.api.GET("/items/{item_id}/matches", {
    params: { path: { item_id: id } },
  });
  if (data && fingerprint(data) !== shown) {
    await itemPage(app, id);
    announce(data.length === 1 ? t("item.oneMatch") : t("item.matchCount", { count: data.length }));
  } else if (window.location.hash === `#/items/${id}`) {
    window.setTimeout(() => void refresh(app, id, shown), REFRESH_MS);
  }
}

async function matchCard(
  app: App,
  match: MatchOut,
  mine: ItemPrivate,
  changed: () => void,
): Promise<HTMLElement> {
  const other = match.other_item;
  const parts: (HTMLElement | null)[] = [
    h("h3", {}, `${t(`kind.${other.kind}`)}: ${other.title}`),
    h("ul", { class: "reasons" }, ...reasons(match, mine).map((reason) => h("li", {}, reason))),
  ];
  if (match.status === "rejected") parts.push(h("p", {}, t("item.rejected")));
  if (match.awaiting)
    parts.push(h("p", { class: "awaiting" }, t("item.awaiting", { what: match.awaiting })));
  if (match.finder_proof && match.your_side === "lost") {
    parts.push(h("p", {}, t("item.finderSays"), h("q", {}, match.finder_proof)));
    if (match.proof_verified) parts.push(h("p", {}, t("item.proofVerified")));
  }
  if (match.your_side === "found" && match.finder_proof) {
    parts.push(h("p", {}, t("item.youSaid"), h("q", {}, match.finder_proof)));
    parts.push(
      match.owner_claim
        ? h("p", {}, t("item.ownerSays"), h("q", {}, match.owner_claim))
        : h("p", {}, WARNINGS.emptyClaim),
    );
  }
  for (const step of nextSteps(match)) {
    parts.push(await stepView(app, match, mine, step, changed));
  }
  return h("li", { class: "match" }, ...parts);
}

async function stepView(
  app: App,
  match: MatchOut,
  mine: ItemPrivate,
  step: Step,
  changed: () => void,
): Promise<HTMLElement> {
  const path = { params: { path: { match_id: match.id } } };
  const act = async (call: Promise<{ error?: unknown }>, done: string): Promise<void> => {
    const { error } = await call;
    if (error) return announce(problem(error));
    announce(done);
    changed();
  };
  switch (step.kind) {
    case "prove": {
      const proof = h("textarea", { id: `proof-${match.id}`, name: "proof", rows: "3" });
      const form = h(
        "form",
        { class: "decision" },
        field(t("item.proof"), proof, t("item.proofHint")),
        h("button", { type: "submit" }, t("item.confirmWithProof")),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        void act(
          app.api.POST("/matches/{match_id}/confirm", { ...path, body: { proof: proof.value } }),
          t("item.confirmed"),
        );
      });
      return form;
    }
    case "confirm": {
      const form = h("form", { class: "decision" });
      let details: HTMLTextAreaElement | null = null;
      if (!mine.private_details) {
        // The finder will be asked to match these: without them only a person can judge.
        details = h("textarea", { id: `details-${match.id}`, name: "details", rows: "2" });
        form.append(field(t("report.details"), details, t("item.detailsHint")));
      }
      form.append(h("button", { type: "submit" }, t("item.yesMine")));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        void (async () => {
          if (details?.value.trim()) {
            const { error } = await app.api.PATCH("/items/{item_id}", {
              params: { path: { item_id: mine.id } },
              body: { private_details: details.value },
            });
            if (error) return announce(problem(error));
          }
          await act(app.api.POST("/matches/{match_id}/confirm", path), t("item.confirmed"));
        })();
      });
      return form;
    }
    case "accept-proof":
    case "accept-claim": {
      const owner = step.kind === "accept-proof";
      const button = h(
        "button",
        { type: "button", class: "warning" },
        owner ? t("item.acceptProof") : t("item.acceptClaim"),
      );
      button.addEventListener("click", () => {
        const url = owner ? "/matches/{match_id}/accept-proof" : "/matches/{match_id}/accept-claim";
        void act(app.api.POST(url, path), t("item.accepted"));
      });
      return h(
        "div",
        {
          class: "check",
          role: "group",
          "aria-label": owner ? t("item.finderProof") : t("item.ownerClaim"),
        },
        h("p", { class: "warning-text" }, owner ? WARNINGS.proof : WARNINGS.claim),
        h("blockquote", {}, owner ? step.proof : step.claim || t("item.nothing")),
        button,
      );
    }
    case "reject": {
      const button = h("button", { type: "button", class: "secondary" }, t("item.notIt"));
      button.addEventListener("click", () => {
        void act(app.api.POST("/matches/{match_id}/reject", path), t("item.rejectedDone"));
      });
      return button;
    }
    case "talk":
      return conversation(app, match, changed);
  }
}

/** Agreed: messages through the platform, and each side's own choice to show its contact. */
async function conversation(app: App, match: MatchOut, changed: () => void): Promise<HTMLElement> {
  const path = { params: { path: { match_id: match.id } } };
  const { data: messages } = await app.api.GET("/matches/{match_id}/messages", path);
  const thread = h(
    "ol",
    { class: "messages", "aria-label": t("item.messages") },
    ...(messages ?? []).map((message) =>
      h(
        "li",
        { class: message.from_you ? "from-you" : "from-them" },
        h("span", { class: "who" }, message.from_you ? t("item.you") : t("item.they")),
        message.text,
      ),
    ),
  );
  const text = h("textarea", { id: `message-${match.id}`, name: "message", rows: "2" });
  const send = h(
    "form",
    { class: "decision" },
    field(t("item.message"), text, t("item.messageHint")),
    h("button", { type: "submit" }, t("item.send")),
  );
  send.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { error } = await app.api.POST("/matches/{match_id}/messages", {
      ...path,
      body: { text: text.value },
    });
    if (error) return announce(problem(error));
    announce(t("item.sent"));
    changed();
  });
  const share = h(
    "button",
    { type: "button", class: "secondary" },
    match.you_share_contact ? t("item.hideContact") : t("item.showContact"),
  );
  share.addEventListener("click", async () => {
    const { error } = await app.api.PUT("/matches/{match_id}/share-contact", {
      ...path,
      body: { share: !match.you_share_contact },
    });
    if (error) return announce(problem(error));
    announce(match.you_share_contact ? t("item.contactHidden") : t("item.contactShown"));
    changed();
  });
  return h(
    "div",
    { class: "talk" },
    h("p", {}, t("item.agreed")),
    match.other_contact
      ? h("p", { class: "contact" }, t("item.theirContact"), h("strong", {}, match.other_contact))
      : null,
    thread,
    send,
    share,
  );
}
