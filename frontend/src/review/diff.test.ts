import { describe, expect, it } from "vitest";
import { minimalChange } from "./diff";

const apply = (before: string, c: ReturnType<typeof minimalChange>) => (c ? before.slice(0, c.from) + c.insert + before.slice(c.to) : before);

describe("minimalChange", () => {
  it("is nothing when the text is the same", () => {
    expect(minimalChange("abc", "abc")).toBeNull();
  });

  it("touches only the middle that changed", () => {
    expect(minimalChange("def f():\n    return 1\n", "def f():\n    return 42\n")).toEqual({ from: 20, to: 21, insert: "42" });
  });

  it("turns any text into any other", () => {
    const cases = [["", "x"], ["x", ""], ["aaa", "aa"], ["aa", "aaa"], ["abcabc", "abc"], ["hello", "world"], ["ab", "ba"]];
    for (const [a, b] of cases) expect(apply(a, minimalChange(a, b))).toBe(b);
  });
});
