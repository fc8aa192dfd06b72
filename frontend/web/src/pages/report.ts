import { problem, type ItemCreate } from "../api/client";
import { announce, field, h, show } from "../dom";
import type { App } from "../main";

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
  const locate = h("button", { type: "button" }, "Use my location");
  locate.addEventListener("click", () => {
    navigator.geolocation?.getCurrentPosition(
      (position) => {
        latitude.value = position.coords.latitude.toFixed(5);
        longitude.value = position.coords.longitude.toFixed(5);
        announce("Location filled in.");
      },
      () => announce("Your location is not available; type the place instead."),
    );
  });

  const form = h(
    "form",
    { novalidate: false },
    h(
      "fieldset",
      {},
      h("legend", {}, "I have"),
      h("div", { class: "choice" }, lost, h("label", { for: "kind-lost" }, "lost something")),
      h("div", { class: "choice" }, found, h("label", { for: "kind-found" }, "found something")),
    ),
    field("What is it?", title, "A short title: “Black leather wallet”."),
    field(
      "Description",
      description,
      "What it looks like. Used to find its match; not shown publicly, and shown to the other " +
        "side only once you both agree.",
    ),
    field(
      "Private details",
      details,
      "What only the owner (or whoever holds it) knows: an engraving, what is inside, a mark. " +
        "Never shown publicly: the other side must name it. Keep it out of the title.",
    ),
    field(
      "Serial number, IMEI or frame number (optional)",
      identifier,
      "Private. A report with the same number is matched exactly.",
    ),
    field("Kind of item", category),
    field("Colour", colour),
    field("Brand", brand),
    h(
      "fieldset",
      {},
      h("legend", {}, "Where"),
      field("Place", place, "A station, a street, a shop."),
      h("div", { class: "pair" }, field("Latitude", latitude), field("Longitude", longitude)),
      locate,
    ),
    field("When", occurred),
    field(
      "Your contact",
      contact,
      "Never shown unless you choose to, after you both agree; until then you talk through " +
        "messages here.",
    ),
    field("Photo (optional)", photo),
    h("button", { type: "submit" }, "Send report"),
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
    if (file) {
      const upload = await app.api.PUT("/items/{item_id}/photo", {
        params: { path: { item_id: data.id } },
        body: { file: file as unknown as string },
        bodySerializer: () => {
          const multipart = new FormData();
          multipart.append("file", file);
          return multipart;
        },
      });
      if (upload.error) announce(`Report sent; the photo was not: ${problem(upload.error)}`);
    }
    announce("Report sent. Matches appear here as soon as they are found.");
    app.go(`#/items/${data.id}`);
  });
  show(app.main, "Report an item", form);
}
