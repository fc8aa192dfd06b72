import { problem } from "../api/client";
import { announce, h, show } from "../dom";
import type { App } from "../main";
import { formatDate, t } from "../i18n";

/** Your reports, newest first. */
export async function minePage(app: App): Promise<void> {
  const { data, error } = await app.api.GET("/reporters/me/items");
  if (!data) {
    show(app.main, t("nav.mine"));
    return announce(problem(error));
  }
  const list = h(
    "ul",
    { class: "cards" },
    ...data.items.map((item) =>
      h(
        "li",
        {},
        h("a", { href: `#/items/${item.id}` }, `${t(`kind.${item.kind}`)}: ${item.title}`),
        h(
          "p",
          {},
          `${formatDate(item.occurred_at)} · ${t(`state.${item.enrichment_state}`)} · ${t(`status.${item.status}`)}`,
        ),
      ),
    ),
  );
  show(
    app.main,
    t("nav.mine"),
    data.items.length
      ? list
      : h("p", {}, t("mine.none"), h("a", { href: "#/report" }, t("nav.report"))),
  );
}
