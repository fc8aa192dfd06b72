// @ts-check
import { describe, expect, it } from "vitest";
import { detectLocale, formatDate, formatMonth, setLocale, t } from "./i18n";
import { en } from "./messages/en";
import { nl } from "./messages/nl";

describe("the app's languages", () => {
  it("follow the browser until the person chooses", () => {
    expect(detectLocale(null, ["nl-NL", "en"])).toBe("nl");
    expect(detectLocale(null, ["de-DE", "en-GB"])).toBe("en");
    expect(detectLocale(null, ["fr"])).toBe("en");
    expect(detectLocale("en", ["nl-BE"])).toBe("en");
    expect(detectLocale("xx", ["nl-BE"])).toBe("nl");
  });

  it("hold every string in both, each with the same placeholders", () => {
    const placeholders = (/** @type {string} */ text) =>
      [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      expect(placeholders(nl[/** @type {keyof typeof nl} */ (key)]), key).toEqual(
        placeholders(text),
      );
      expect(nl[/** @type {keyof typeof nl} */ (key)].trim(), key).not.toBe("");
    }
  });

  it("fill in values and switch language at once", () => {
    setLocale("en");
    expect(t("desk.register.done", { shelf: "A-3" })).toBe("Registered on A-3.");
    setLocale("nl");
    expect(t("desk.register.done", { shelf: "A-3" })).toBe("Geregistreerd op A-3.");
    expect(document.documentElement.lang).toBe("nl");
  });

  it("write dates the reader's way, not one country's", () => {
    setLocale("nl");
    expect(formatDate("2026-12-04T12:00:00Z")).toBe("4 dec 2026");
    expect(formatMonth("2027-03")).toBe("mrt");
    setLocale("en");
    expect(formatDate("2026-12-04T12:00:00Z")).toMatch(/^(Dec 4, 2026|4 Dec 2026)$/);
  });
});
