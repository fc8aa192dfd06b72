// @ts-check
import { describe, expect, it } from "vitest";
import { field, h, show } from "./dom";
import { problem } from "./api/client";

describe("pages for keyboards and screen readers", () => {
  it("labels every control and links its hint", () => {
    const input = h("input", { id: "title" });
    const wrapper = field("What is it?", input, "A short title");
    const label = wrapper.querySelector("label");
    expect(label?.htmlFor).toBe("title");
    expect(input.getAttribute("aria-describedby")).toBe("title-hint");
    expect(wrapper.querySelector("#title-hint")?.textContent).toBe("A short title");
  });

  it("moves the focus to a new page's heading", () => {
    const main = document.createElement("main");
    document.body.append(main);
    show(main, "My reports", h("p", {}, "none"));
    expect(document.activeElement?.tagName).toBe("H1");
    expect(document.title).toBe("My reports · Lost & Found");
  });

  it("shows what people typed as text, never as markup", () => {
    const element = h("p", {}, "<img src=x onerror=alert(1)>");
    expect(element.querySelector("img")).toBeNull();
    expect(element.textContent).toBe("<img src=x onerror=alert(1)>");
  });
});

describe("what the API refused, in words", () => {
  it("reads both kinds of refusal", () => {
    expect(problem({ detail: "only the reporter of this item may change it" })).toBe(
      "only the reporter of this item may change it",
    );
    expect(
      problem({
        detail: [{ loc: ["body", "title"], msg: "String should have at least 1 character" }],
      }),
    ).toBe("title: String should have at least 1 character");
    expect(problem(undefined)).toBe("Something went wrong; try again.");
  });
});
