// A lost-property desk's pages, sized for a phone at the counter: register a find with its photo
// (the photo proposes the colour), put it on a shelf, hand it over or dispose of it, the
// expiry list, the review queue and the statistics. Staff act for their office (the API says
// what each of them may do: a clerk does not read the audit trail, the manager does).
import { BarChart } from "chartist";
import "chartist/dist/index.css";
import {
  problem,
  uploadPhoto,
  type CustodyOut,
  type ItemPrivate,
  type MatchOut,
  type Schemas,
} from "../api/client";
import { announce, field, h, show } from "../dom";
import { reasons } from "../explain";
import { formatDate, formatDateTime, formatMonth, formatPercent, t } from "../i18n";
import type { MessageKey } from "../messages/en";
import type { App } from "../main";

type Destination = Schemas["DisposalIn"]["destination"];
const DESTINATIONS: Destination[] = [
  "charity",
  "auction",
  "destroyed",
  "police",
  "issuing_authority",
];
// The names the taxonomy gives colours (what the photo proposes, and what a clerk may pick).
const COLOURS: Colour[] = [
  "black",
  "white",
  "grey",
  "red",
  "orange",
  "yellow",
  "green",
  "blue",
  "purple",
  "pink",
  "brown",
  "gold",
];
type Colour =
  | "black"
  | "white"
  | "grey"
  | "red"
  | "orange"
  | "yellow"
  | "green"
  | "blue"
  | "purple"
  | "pink"
  | "brown"
  | "gold";
const POLL_MS = 2000;

/** A colour's name in the reader's language (the API speaks the taxonomy's English names). */
function colourName(colour: string): string {
  return (COLOURS as string[]).includes(colour) ? t(`colour.${colour as Colour}`) : colour;
}

function input(id: string, attributes: Record<string, string | boolean> = {}): HTMLInputElement {
  return h("input", { id, name: id, ...attributes });
}

function deskNav(): HTMLElement {
  const link = (hash: string, key: MessageKey) => h("li", {}, h("a", { href: hash }, t(key)));
  return h(
    "nav",
    { "aria-label": t("desk.nav"), class: "desk-nav" },
    h(
      "ul",
      {},
      link("#/desk", "desk.nav.register"),
      link("#/desk/held", "desk.nav.held"),
      link("#/desk/review", "desk.nav.review"),
      link("#/desk/stats", "desk.nav.stats"),
      link("#/desk/staff", "desk.nav.staff"),
    ),
  );
}

/** The desk's pages: #/desk, #/desk/items/<id>, #/desk/held, #/desk/review, #/desk/stats. */
export async function deskPage(app: App, page: string | undefined, id?: string): Promise<void> {
  const { data: me } = await app.api.GET("/reporters/me");
  if (!me || (me.role !== "office" && me.role !== "staff")) {
    show(app.main, t("desk.title"), h("p", {}, t("desk.notStaff")));
    return;
  }
  const manager = me.role === "office" || me.staff_role === "manager";
  if (page === "items" && id) return deskItemPage(app, id, manager);
  if (page === "held") return heldPage(app);
  if (page === "review") return reviewPage(app);
  if (page === "stats") return statsPage(app);
  if (page === "staff") return staffPage(app);
  return registerPage(app, me.email ?? me.name);
}

async function registerPage(app: App, deskContact: string): Promise<void> {
  const { data: periods } = await app.api.GET("/offices/me/holding-periods");
  const title = input("title", { required: true, maxlength: "200" });
  const category = input("category", { maxlength: "50" });
  const colour = input("colour", { maxlength: "50" });
  const description = h("textarea", { id: "description", name: "description", rows: "3" });
  const details = h("textarea", { id: "private-details", name: "private_details", rows: "2" });
  const place = input("place", { maxlength: "200" });
  const value = input("value", { type: "number", min: "0", step: "1", inputmode: "numeric" });
  const shelf = input("shelf", { required: true, maxlength: "100" });
  const photo = input("photo", {
    type: "file",
    accept: "image/jpeg,image/png,image/webp",
    capture: "environment",
  });
  const form = h(
    "form",
    {},
    field(t("desk.register.what"), title, t("desk.register.whatHint")),
    field(t("desk.register.photo"), photo),
    field(t("desk.register.category"), category),
    field(t("desk.register.colour"), colour, t("desk.register.colourHint")),
    field(t("desk.register.description"), description),
    field(t("desk.register.details"), details, t("desk.register.detailsHint")),
    field(t("desk.register.place"), place),
    field(
      t("desk.register.value"),
      value,
      periods
        ? t("desk.register.valueHint", {
            from: periods.valuable_from_eur,
            months: periods.valuable_months,
          })
        : undefined,
    ),
    field(t("desk.register.shelf"), shelf),
    h("button", { type: "submit" }, t("desk.register.submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { data: item, error } = await app.api.POST("/items", {
      body: {
        kind: "found",
        title: title.value,
        description: description.value,
        private_details: details.value,
        category: category.value || null,
        colour: colour.value || null,
        place_name: place.value || null,
        occurred_at: new Date().toISOString(),
        contact: deskContact,
      },
    });
    if (!item) return announce(problem(error));
    const file = photo.files?.[0];
    const photoFailed = file ? await uploadPhoto(app.api, item.id, file) : undefined;
    const { error: notShelved } = await app.api.POST("/items/{item_id}/custody", {
      params: { path: { item_id: item.id } },
      body: { location: shelf.value, value_eur: value.value ? Number(value.value) : null },
    });
    app.go(
      `#/desk/items/${item.id}`,
      notShelved
        ? problem(notShelved)
        : photoFailed
          ? t("desk.register.photoFailed", { problem: problem(photoFailed) })
          : t("desk.register.done", { shelf: shelf.value }),
    );
  });
  show(app.main, t("desk.register.title"), deskNav(), form);
}

async function deskItemPage(app: App, id: string, manager: boolean): Promise<void> {
  const path = { params: { path: { item_id: id } } };
  const [{ data, error }, { data: custody }, trail] = await Promise.all([
    app.api.GET("/items/{item_id}", path),
    app.api.GET("/items/{item_id}/custody", path),
    // The trail is the manager's to read.
    manager ? app.api.GET("/items/{item_id}/trail", path).then((reply) => reply.data) : null,
  ]);
  if (!data) {
    show(app.main, t("desk.title"), deskNav());
    return announce(problem(error));
  }
  const item = data as ItemPrivate;
  if (window.location.hash !== `#/desk/items/${id}`) return; // the person went elsewhere
  const again = () => void deskItemPage(app, id, manager);
  const waitingForPhoto = !item.colour && item.photo != null && item.enrichment_state === "pending";
  show(
    app.main,
    item.title,
    deskNav(),
    colourPanel(app, item, again),
    custodyPanel(app, item, custody ?? null, again),
    h("p", {}, h("a", { href: `#/items/${id}` }, t("desk.item.matches"))),
    trail?.length
      ? h(
          "section",
          { "aria-labelledby": "trail-title" },
          h("h2", { id: "trail-title" }, t("desk.item.trail")),
          h(
            "ol",
            { class: "trail" },
            ...trail.map((step) =>
              h(
                "li",
                {},
                t("desk.item.trailEntry", {
                  when: formatDateTime(step.at),
                  action: t(`action.${step.action}`),
                  who: step.actor_name,
                }),
              ),
            ),
          ),
        )
      : null,
  );
  if (waitingForPhoto) {
    // The vision service reads the photo in the background: look again for its proposal.
    window.setTimeout(() => {
      if (window.location.hash === `#/desk/items/${id}`) again();
    }, POLL_MS);
  }
}

function colourPanel(app: App, item: ItemPrivate, changed: () => void): HTMLElement {
  if (item.colour) return h("p", {}, t("desk.item.colour", { colour: colourName(item.colour) }));
  if (item.photo != null && item.enrichment_state === "pending") {
    return h("p", { class: "awaiting" }, t("desk.item.colourReading"));
  }
  const save = async (colour: string) => {
    const { error } = await app.api.PATCH("/items/{item_id}", {
      params: { path: { item_id: item.id } },
      body: { colour },
    });
    if (error) return announce(problem(error));
    announce(t("desk.item.colourSaved", { colour: colourName(colour) }));
    changed();
  };
  const proposed = item.proposed_colour;
  const other = h(
    "select",
    { id: "other-colour", name: "colour" },
    ...COLOURS.map((name) =>
      h("option", { value: name, selected: name === proposed }, colourName(name)),
    ),
  );
  const correct = h(
    "form",
    { class: "decision" },
    field(t("desk.item.colourOther"), other),
    h("button", { type: "submit", class: "secondary" }, t("desk.item.colourSave")),
  );
  correct.addEventListener("submit", (event) => {
    event.preventDefault();
    void save(other.value);
  });
  if (!proposed)
    return h("div", { class: "proposal" }, h("p", {}, t("desk.item.colourNone")), correct);
  const accept = h(
    "button",
    { type: "button" },
    t("desk.item.colourAccept", { colour: colourName(proposed) }),
  );
  accept.addEventListener("click", () => void save(proposed));
  return h(
    "div",
    { class: "proposal" },
    h("p", {}, t("desk.item.colourProposed", { colour: colourName(proposed) })),
    accept,
    correct,
  );
}

function custodyPanel(
  app: App,
  item: ItemPrivate,
  custody: CustodyOut | null,
  changed: () => void,
): HTMLElement {
  const path = { params: { path: { item_id: item.id } } };
  const act = async (call: Promise<{ error?: unknown }>, done: string) => {
    const { error } = await call;
    if (error) return announce(problem(error));
    announce(done);
    changed();
  };
  if (custody === null) {
    const shelf = input("shelf", { required: true, maxlength: "100" });
    const form = h(
      "form",
      { class: "decision" },
      h("p", {}, t("desk.item.notHeld")),
      field(t("desk.register.shelf"), shelf),
      h("button", { type: "submit" }, t("desk.item.receive")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void act(
        app.api.POST("/items/{item_id}/custody", { ...path, body: { location: shelf.value } }),
        t("desk.register.done", { shelf: shelf.value }),
      );
    });
    return form;
  }
  const parts: (HTMLElement | null)[] = [
    h(
      "p",
      { class: "custody" },
      custody.state === "held"
        ? t("desk.item.custody", {
            shelf: custody.location,
            since: formatDate(custody.held_since),
            until: formatDate(custody.keep_until),
          })
        : t(`desk.item.gone.${custody.state}`, { when: formatDate(custody.ended_at ?? "") }),
    ),
    custody.sensitive ? h("p", { class: "warning-text" }, t("desk.item.sensitive")) : null,
  ];
  if (custody.state !== "held") return h("section", { class: "custody-panel" }, ...parts);

  const to = input("move-to", { required: true, maxlength: "100" });
  const move = h(
    "form",
    { class: "decision" },
    field(t("desk.item.move"), to),
    h("button", { type: "submit", class: "secondary" }, t("desk.item.moveSubmit")),
  );
  move.addEventListener("submit", (event) => {
    event.preventDefault();
    void act(
      app.api.POST("/items/{item_id}/custody/move", { ...path, body: { location: to.value } }),
      t("desk.item.moved", { shelf: to.value }),
    );
  });
  parts.push(move, handOverForm(app, item.id, act));

  if (new Date(custody.keep_until) < new Date(new Date().toDateString())) {
    const destination = h(
      "select",
      { id: "destination", name: "destination" },
      ...DESTINATIONS.map((name) => h("option", { value: name }, t(`destination.${name}`))),
    );
    const dispose = h(
      "form",
      { class: "decision" },
      h("h2", {}, t("desk.item.dispose")),
      field(t("desk.item.destination"), destination),
      h("button", { type: "submit", class: "warning" }, t("desk.item.disposeSubmit")),
    );
    dispose.addEventListener("submit", (event) => {
      event.preventDefault();
      void act(
        app.api.POST("/items/{item_id}/custody/disposal", {
          ...path,
          body: { destination: destination.value as Destination },
        }),
        t("desk.item.disposed"),
      );
    });
    parts.push(dispose);
  }
  return h("section", { class: "custody-panel" }, ...parts);
}

function handOverForm(
  app: App,
  itemId: string,
  act: (call: Promise<{ error?: unknown }>, done: string) => Promise<void>,
): HTMLElement {
  const pickup = input("method-pickup", { type: "radio", value: "pickup", checked: true });
  const shipping = input("method-shipping", { type: "radio", value: "shipping" });
  pickup.name = shipping.name = "method";
  const idChecked = input("id-checked", { maxlength: "200" });
  const address = input("address", { maxlength: "200" });
  const tracking = input("tracking", { maxlength: "200" });
  const form = h(
    "form",
    { class: "decision" },
    h(
      "fieldset",
      {},
      h("legend", {}, t("desk.item.handOver")),
      h("div", { class: "choice" }, pickup, h("label", { for: pickup.id }, t("desk.item.pickup"))),
      h(
        "div",
        { class: "choice" },
        shipping,
        h("label", { for: shipping.id }, t("desk.item.shipping")),
      ),
      field(t("desk.item.idChecked"), idChecked, t("desk.item.idCheckedHint")),
      field(t("desk.item.address"), address),
      field(t("desk.item.tracking"), tracking),
    ),
    h("button", { type: "submit" }, t("desk.item.handOverSubmit")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = shipping.checked
      ? {
          method: "shipping" as const,
          address: address.value || null,
          tracking_number: tracking.value || null,
        }
      : { method: "pickup" as const, id_checked: idChecked.value || null };
    void act(
      app.api.POST("/items/{item_id}/custody/hand-over", {
        params: { path: { item_id: itemId } },
        body,
      }),
      t("desk.item.handedOver"),
    );
  });
  return form;
}

function today(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 10);
}

async function heldPage(app: App): Promise<void> {
  const on = input("expired-on", { type: "date", required: true, value: today() });
  const list = h("div", {});
  const load = async () => {
    const { data, error } = await app.api.GET("/offices/me/expired", {
      params: { query: { on: on.value, page_size: 100 } },
    });
    if (!data) return announce(problem(error));
    list.replaceChildren(
      data.items.length
        ? h(
            "ul",
            { class: "cards", "aria-label": t("desk.held.title") },
            ...data.items.map((row) =>
              h(
                "li",
                {},
                h("a", { href: `#/desk/items/${row.item_id}` }, row.title),
                h(
                  "p",
                  {},
                  t("desk.held.row", { shelf: row.location, until: formatDate(row.keep_until) }),
                ),
              ),
            ),
          )
        : h("p", {}, t("desk.held.empty")),
    );
    announce(t("desk.held.count", { count: data.total }));
  };
  const form = h(
    "form",
    { class: "inline" },
    field(t("desk.held.on"), on),
    h("button", { type: "submit", class: "secondary" }, t("desk.held.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load();
  });
  show(app.main, t("desk.held.title"), deskNav(), form, list);
  await load();
}

async function reviewPage(app: App): Promise<void> {
  const { data, error } = await app.api.GET("/offices/me/review", {
    params: { query: { page_size: 50 } },
  });
  if (!data) {
    show(app.main, t("desk.review.title"), deskNav());
    return announce(problem(error));
  }
  const cards = await Promise.all(data.items.map((match) => reviewCard(app, match)));
  show(
    app.main,
    t("desk.review.title"),
    deskNav(),
    cards.length
      ? h("ul", { class: "cards", "aria-label": t("desk.review.title") }, ...cards)
      : h("p", {}, t("desk.review.empty")),
  );
}

async function reviewCard(app: App, match: MatchOut): Promise<HTMLElement> {
  const { data: yours } = await app.api.GET("/items/{item_id}", {
    params: { path: { item_id: match.your_item_id } },
  });
  return h(
    "li",
    { class: "match" },
    h(
      "h3",
      {},
      t("desk.review.pair", { yours: yours?.title ?? "", other: match.other_item.title }),
    ),
    yours
      ? h("ul", { class: "reasons" }, ...reasons(match, yours).map((why) => h("li", {}, why)))
      : null,
    h("a", { href: `#/items/${match.your_item_id}` }, t("desk.review.open")),
  );
}

/** Every month from `first` to `last` (YYYY-MM), both included. */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let [year, month] = first.split("-").map(Number) as [number, number];
  while (months.length < 240) {
    const name = `${year}-${String(month).padStart(2, "0")}`;
    if (name > last) break;
    months.push(name);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return months;
}

function month(offset: number): string {
  const now = new Date();
  const first = new Date(now.getFullYear(), now.getMonth() + offset, 1);
  return `${first.getFullYear()}-${String(first.getMonth() + 1).padStart(2, "0")}`;
}

async function statsPage(app: App): Promise<void> {
  const since = input("since", { type: "month", required: true, value: month(-11) });
  const until = input("until", { type: "month", required: true, value: month(0) });
  const chart = h("div", { class: "chart", role: "img", "aria-label": t("desk.stats.chart") });
  const table = h("div", { class: "table-scroll" });
  const csv = h("button", { type: "button", class: "secondary" }, t("desk.stats.csv"));
  const query = () => ({ params: { query: { since: since.value, until: until.value } } });
  const load = async () => {
    const { data, error } = await app.api.GET("/offices/me/statistics", query());
    if (!data) return announce(problem(error));
    const totals = data.filter((row) => row.category === null);
    const byMonth = new Map(totals.map((row) => [row.month, row]));
    const months = monthsBetween(since.value, until.value); // a month without items is a gap
    if (!totals.length) {
      chart.replaceChildren();
      table.replaceChildren(h("p", {}, t("desk.stats.empty")));
      return;
    }
    chart.replaceChildren();
    new BarChart(
      chart,
      {
        labels: months.map(formatMonth),
        series: (["received", "returned", "disposed"] as const).map((figure) =>
          months.map((name) => byMonth.get(name)?.[figure] ?? 0),
        ),
      },
      { height: "14rem", axisY: { onlyInteger: true } },
    );
    const heads: MessageKey[] = [
      "desk.stats.month",
      "desk.stats.category",
      "desk.stats.received",
      "desk.stats.returned",
      "desk.stats.disposed",
      "desk.stats.held",
      "desk.stats.rate",
      "desk.stats.median",
    ];
    table.replaceChildren(
      h(
        "table",
        {},
        h("thead", {}, h("tr", {}, ...heads.map((key) => h("th", { scope: "col" }, t(key))))),
        h(
          "tbody",
          {},
          ...data.map((row) =>
            h(
              "tr",
              { class: row.category === null ? "total" : undefined },
              h("td", {}, row.month),
              h("td", {}, row.category ?? t("desk.stats.all")),
              h("td", {}, String(row.received)),
              h("td", {}, String(row.returned)),
              h("td", {}, String(row.disposed)),
              h("td", {}, String(row.held)),
              h("td", {}, formatPercent(row.return_rate)),
              h(
                "td",
                {},
                row.median_days_to_return == null ? "–" : String(row.median_days_to_return),
              ),
            ),
          ),
        ),
      ),
    );
  };
  csv.addEventListener("click", async () => {
    // A download through the API client: the file needs the token like every other call.
    const { data, error } = await app.api.GET("/offices/me/statistics.csv", {
      ...query(),
      parseAs: "blob",
    });
    if (!data) return announce(problem(error));
    const link = h("a", {
      href: URL.createObjectURL(data),
      download: `statistics-${since.value}-${until.value}.csv`,
    });
    link.click();
    URL.revokeObjectURL(link.href);
  });
  const form = h(
    "form",
    { class: "inline" },
    h(
      "div",
      { class: "pair" },
      field(t("desk.stats.since"), since),
      field(t("desk.stats.until"), until),
    ),
    h("button", { type: "submit", class: "secondary" }, t("desk.stats.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load();
  });
  const legend = h(
    "ul",
    { class: "legend" },
    ...(["desk.stats.received", "desk.stats.returned", "desk.stats.disposed"] as const).map(
      (key, index) => h("li", { class: `series-${index}` }, t(key)),
    ),
  );
  show(app.main, t("desk.stats.title"), deskNav(), form, legend, chart, table, csv);
  await load();
}

/** The desk's staff; the manager adds one (a clerk or a manager), whose token shows once. */
async function staffPage(app: App): Promise<void> {
  const { data, error } = await app.api.GET("/offices/me/staff");
  if (!data) {
    show(app.main, t("desk.staff.title"), deskNav());
    return announce(problem(error));
  }
  const name = input("staff-name", { required: true, maxlength: "100" });
  const email = input("staff-email", { type: "email", maxlength: "254" });
  const role = h(
    "select",
    { id: "staff-role", name: "staff_role" },
    h("option", { value: "clerk" }, t("desk.staff.clerk")),
    h("option", { value: "manager" }, t("desk.staff.manager")),
  );
  const added = h("div", {});
  const form = h(
    "form",
    { "aria-labelledby": "add-staff" },
    h("h2", { id: "add-staff" }, t("desk.staff.add")),
    field(t("desk.staff.name"), name),
    field(t("account.email"), email, t("desk.staff.emailHint")),
    field(t("desk.staff.role"), role),
    h("button", { type: "submit" }, t("desk.staff.submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { data: member, error: refused } = await app.api.POST("/offices/me/staff", {
      body: {
        name: name.value,
        email: email.value.trim() || null,
        staff_role: role.value as "clerk" | "manager",
      },
    });
    if (!member) return announce(problem(refused));
    const token = h("input", {
      id: "staff-token",
      readonly: true,
      value: member.token,
      autocomplete: "off",
    });
    added.replaceChildren(
      field(t("desk.staff.token", { name: member.name }), token, t("desk.staff.tokenHint")),
    );
    announce(t("desk.staff.added", { name: member.name }));
  });
  show(
    app.main,
    t("desk.staff.title"),
    deskNav(),
    h(
      "ul",
      { class: "cards", "aria-label": t("desk.staff.title") },
      ...data.map((member) =>
        h(
          "li",
          {},
          `${member.name} · ${t(member.staff_role === "manager" ? "desk.staff.manager" : "desk.staff.clerk")}`,
        ),
      ),
    ),
    form,
    added,
  );
}
