import { problem, uploadPhoto, type ItemCreate } from "../api/client";
import { announce, field, h, show } from "../dom";
import type { App } from "../main";
import { t } from "../i18n";

function input(id: string, attributes: Record<string, string | boolean> = {}): HTMLInputElement {
  return h("input", { id, name: id, ...attributes });
}

function localNow(): string {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  return now.toISOString().slice(0, 16);
}

/** The report form: what, where (by name, or coordinates), when, a photo. */
export async function reportPage(app: App): Promise<void> {
  const { data: me } = await app.api.GET("/reporters/me");
  const lost = input("kind-lost", { type: "radio", value: "lost", checked: true });
  lost.name = "kind";
  const found = input("kind-found", { type: "radio", value: "found" });
  found.name = "kind";
  const title = input("title", { required: true, maxlength: "200" });
  const description = h("textarea", { id: "description", name: "description", rows: "4" });
  const details = h("textarea", { id: "private-details", name: "private_details", rows: "2" });
  const identifier = input("identifier", { maxlength: "100", autocomplete: "off" });
  const category = input("category", { maxlength: "50" });
  const colour = input("colour", { maxlength: "50" });
  const brand = input("brand", { maxlength: "80" });
  const place = input("place", { maxlength: "200" });
  const latitude = input("latitude", { type: "number", step: "any", min: "-90", max: "90" });
  const longitude = input("longitude", { type: "number", step: "any", min: "-180", max: "180" });
  const occurred = input("occurred", { type: "datetime-local", required: true, value: localNow() });
  const contact = input("contact", { required: true, value: me?.email ?? "" });
  const photo = input("photo", { type: "file", accept: "image/jpeg,image/png,image/webp" });
  const locate = h("button", { type: "button" }, t("report.locate"));
  locate.addEventListener("click", () => {
    navigator.geolocation?.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(5);
        longitude.value = position.coords.longitude.toFixed(5);
        announce(t("report.located"));
      },
      () => announce(t("report.noLocation")),
    );
  });

  const form = h(
    "form",
    { novalidate: false },
    h(
      "fieldset",
      {},
      h("legend", {}, t("report.iHave")),
      h(
        "div",
        { class: "choice" },
        lost,
        h("label", { for: "kind-lost" }, t("report.lostSomething")),
      ),
      h(
        "div",
        { class: "choice" },
        found,
        h("label", { for: "kind-found" }, t("report.foundSomething")),
      ),
    ),
    field(t("report.what"), title, t("report.whatHint")),
    field(t("desk.register.description"), description, t("report.descriptionHint")),
    field(t("report.details"), details, t("report.detailsHint")),
    field(t("report.identifier"), identifier, t("report.identifierHint")),
    field(t("desk.register.category"), category),
    field(t("desk.register.colour"), colour),
    field(t("report.brand"), brand),
    h(
      "fieldset",
      {},
      h("legend", {}, t("report.where")),
      field(t("report.place"), place, t("report.placeHint")),
      h(
        "div",
        { class: "pair" },
        field(t("report.latitude"), latitude),
        field(t("report.longitude"), longitude),
      ),
      locate,
    ),
    field(t("report.when"), occurred),
    field(t("report.contact"), contact, t("report.contactHint")),
    field(t("report.photo"), photo),
    h("button", { type: "submit" }, t("report.send")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const coordinates =
      latitude.value && longitude.value
        ? { latitude: Number(latitude.value), longitude: Number(longitude.value) }
        : {};
    const body: ItemCreate = {
      kind: found.checked ? "found" : "lost",
      title: title.value,
      description: description.value,
      private_details: details.value,
      identifier: identifier.value.trim() || null,
      category: category.value || null,
      colour: colour.value || null,
      brand: brand.value || null,
      place_name: place.value || null,
      occurred_at: new Date(occurred.value).toISOString(),
      contact: contact.value,
      ...coordinates,
    };
    const { data, error } = await app.api.POST("/items", { body });
    if (!data) return announce(problem(error));
    const file = photo.files?.[0];
    const failed = file ? await uploadPhoto(app.api, data.id, file) : undefined;
    app.go(
      `#/items/${data.id}`,
      failed ? t("report.photoFailed", { problem: problem(failed) }) : t("report.sent"),
    );
  });
  show(app.main, t("nav.report"), form);
}
