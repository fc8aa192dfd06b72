// What each side of a match may do next, and what it must read first. Pure: the page renders
// it, the tests check it. Accepting an answer the check could not verify is always a step of
// its own, shown with the answer and a warning; never the same button as "yes".
import type { MatchOut } from "./api/client";
import { t } from "./i18n";

export type Step =
  | { kind: "prove" } // finder: give the proof (once)
  | { kind: "confirm" } // owner: "yes, that's mine"
  | { kind: "accept-proof"; proof: string } // owner: the check could not verify the proof
  | { kind: "accept-claim"; claim: string } // finder: the check could not verify the claim
  | { kind: "talk" } // agreed: messages, and sharing one's contact
  | { kind: "reject" };

export const WARNINGS = {
  get proof() {
    return t("warning.proof");
  },
  get claim() {
    return t("warning.claim");
  },
  get emptyClaim() {
    return t("warning.emptyClaim");
  },
};

/** The steps open to the side reading `match`, in the order the page shows them. */
export function nextSteps(match: MatchOut): Step[] {
  if (match.status === "rejected") return [];
  if (match.agreed) return [{ kind: "talk" }];
  const steps: Step[] = [];
  if (match.your_side === "found") {
    if (match.finder_proof == null) steps.push({ kind: "prove" });
    else if (match.claim_verified === false && match.awaiting?.startsWith("your decision")) {
      steps.push({ kind: "accept-claim", claim: match.owner_claim ?? "" });
    }
  } else {
    if (!match.you_confirmed) steps.push({ kind: "confirm" });
    else if (match.finder_proof != null && match.proof_verified === false) {
      if (match.awaiting?.startsWith("your decision")) {
        steps.push({ kind: "accept-proof", proof: match.finder_proof });
      }
    }
  }
  steps.push({ kind: "reject" });
  return steps;
}
