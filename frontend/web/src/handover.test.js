// @ts-check
import { describe, expect, it } from "vitest";
import { nextSteps, WARNINGS } from "./handover";

/**
 * @param {Record<string, unknown>} overrides
 * @returns {import("./api/client").MatchOut}
 */
function match(overrides) {
  return /** @type {any} */ ({
    id: "m",
    status: "suggested",
    your_side: "lost",
    you_confirmed: false,
    other_confirmed: false,
    finder_proof: null,
    proof_verified: null,
    owner_claim: null,
    claim_verified: null,
    agreed: false,
    awaiting: "your confirmation",
    ...overrides,
  });
}

/** @param {import("./handover").Step[]} steps */
const kinds = (steps) => steps.map((step) => step.kind);

describe("the hand-over, step by step", () => {
  it("gives the owner a plain yes that accepts no proof", () => {
    expect(kinds(nextSteps(match({})))).toEqual(["confirm", "reject"]);
  });

  it("makes accepting an unverified proof a step of its own, with the proof", () => {
    const steps = nextSteps(
      match({
        you_confirmed: true,
        finder_proof: "a black wallet from the station",
        proof_verified: false,
        awaiting: "your decision on the finder's proof: the check could not verify it",
      }),
    );
    expect(kinds(steps)).toEqual(["accept-proof", "reject"]);
    expect(steps[0]).toEqual({ kind: "accept-proof", proof: "a black wallet from the station" });
    expect(WARNINGS.proof).toMatch(/public listing/);
  });

  it("offers nothing to accept when the proof was verified", () => {
    const steps = nextSteps(
      match({
        you_confirmed: true,
        finder_proof: "AV embossed",
        proof_verified: true,
        awaiting: "the finder's decision",
      }),
    );
    expect(kinds(steps)).toEqual(["reject"]);
  });

  it("lets the finder prove once, then judge the owner's claim", () => {
    expect(kinds(nextSteps(match({ your_side: "found", awaiting: "your proof" })))).toEqual([
      "prove",
      "reject",
    ]);
    const claim = nextSteps(
      match({
        your_side: "found",
        finder_proof: "AV embossed",
        owner_claim: "cards, keys, coins",
        claim_verified: false,
        awaiting: "your decision: does the owner's claim describe the item you hold?",
      }),
    );
    expect(kinds(claim)).toEqual(["accept-claim", "reject"]);
  });

  it("opens the conversation only once agreed, and nothing after a rejection", () => {
    expect(kinds(nextSteps(match({ agreed: true, status: "confirmed", awaiting: null })))).toEqual([
      "talk",
    ]);
    expect(nextSteps(match({ status: "rejected" }))).toEqual([]);
  });
});
