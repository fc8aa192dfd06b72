// @ts-check
import { describe, expect, it } from "vitest";
import { Session } from "./session";

function memory() {
  /** @type {Map<string, string>} */
  const values = new Map();
  return {
    getItem: (/** @type {string} */ key) => values.get(key) ?? null,
    setItem: (/** @type {string} */ key, /** @type {string} */ value) =>
      void values.set(key, value),
    removeItem: (/** @type {string} */ key) => void values.delete(key),
  };
}

describe("the reporter's token", () => {
  it("is kept, trimmed, and forgotten on sign-out", () => {
    const session = new Session(memory());
    expect(session.token).toBeNull();
    session.signIn("  abc  ");
    expect(session.token).toBe("abc");
    session.signOut();
    expect(session.token).toBeNull();
  });

  it("refuses an empty token", () => {
    expect(() => new Session(memory()).signIn("   ")).toThrow("empty");
  });
});
