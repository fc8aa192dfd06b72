// @ts-check
import { describe, expect, it } from "vitest";
import { monthsBetween } from "./desk";

describe("the statistics chart's months", () => {
  it("has every month of the range, empty ones too, across a new year", () => {
    expect(monthsBetween("2026-11", "2027-02")).toEqual([
      "2026-11",
      "2026-12",
      "2027-01",
      "2027-02",
    ]);
    expect(monthsBetween("2026-05", "2026-05")).toEqual(["2026-05"]);
    expect(monthsBetween("2026-05", "2026-04")).toEqual([]);
  });
});
