// @ts-check
import { describe, expect, it } from "vitest";
import { reasons } from "./explain";

/**
 * @param {"lost" | "found"} kind
 * @param {Record<string, unknown>} [overrides]
 * @returns {import("./api/client").ItemPublic}
 */
function report(kind, overrides = {}) {
  return /** @type {any} */ ({
    id: "x",
    kind,
    title: "Black wallet",
    latitude: 52.37,
    longitude: 4.89,
    place_name: "Centraal",
    occurred_at: "2026-11-28T00:00:00Z",
    ...overrides,
  });
}

/**
 * @param {Record<string, number | null>} components
 * @param {import("./api/client").ItemPublic} other
 * @returns {import("./api/client").MatchOut}
 */
function match(components, other) {
  return /** @type {any} */ ({
    components: {
      text: 0.2,
      image: null,
      attributes: 0,
      category: null,
      details: null,
      distance: 0,
      time: 0,
      ...components,
    },
    other_item: other,
  });
}

describe("why a match was suggested", () => {
  it("says where and when the other was reported", () => {
    const other = report("found", {
      latitude: 52.388,
      longitude: 4.89,
      occurred_at: "2026-11-29T00:00:00Z",
    });
    expect(reasons(match({}, other), report("lost")).at(-1)).toBe("found 2 km away, 1 day later");
  });

  it("names the components that agree", () => {
    const said = reasons(
      match({ attributes: 1, category: 1, image: 0.9, text: 0.7 }, report("found")),
      report("lost"),
    );
    expect(said).toEqual(
      expect.arrayContaining([
        "colours and brands agree",
        "the same kind of item",
        "the photos look alike",
        "a similar description",
      ]),
    );
  });

  it("falls back to the place name without coordinates", () => {
    const other = report("found", {
      latitude: null,
      longitude: null,
      occurred_at: "2026-11-25T00:00:00Z",
    });
    expect(reasons(match({}, other), report("lost")).at(-1)).toBe(
      "found at Centraal, 3 days earlier",
    );
  });

  it("says nothing it does not know", () => {
    const said = reasons(match({ category: null, image: null }, report("found")), report("lost"));
    expect(said).not.toContain("the photos look alike");
    expect(said).toHaveLength(1);
  });
});
