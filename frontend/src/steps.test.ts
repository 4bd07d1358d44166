import { describe, expect, it } from "vitest";
import { revealedSteps, stepRows } from "./steps";
import type { Question } from "./types";

const base: Question = { id: 1, title: "Store", prompt: "Step 1", category: "Coding", difficulty: "hard", language: "python", text: "q-1" };
const steps = [
  { title: "Transactions", prompt: "Add begin", solution: "S2", visible_tests: [{ name: "t2", code: "assert 1" }], hidden_tests: [] },
  { title: "Expiry", prompt: "Add TTL", solution: "S3", visible_tests: [], hidden_tests: [] },
];

describe("revealed steps", () => {
  it("shows a candidate the steps it was sent, numbered from 2", () => {
    const q = { ...base, step: 2, revealed_steps: [{ title: "Transactions", prompt: "Add begin", visible_tests: [] }] };
    expect(revealedSteps(q)).toEqual([{ n: 2, title: "Transactions", prompt: "Add begin", visible_tests: [] }]);
  });

  it("shows an interviewer only the steps up to the current one, never a later one", () => {
    const shown = revealedSteps({ ...base, step: 2, steps });
    expect(shown.map((s) => s.title)).toEqual(["Transactions"]);
    expect(JSON.stringify(shown)).not.toContain("Expiry");
    expect(JSON.stringify(shown)).not.toContain("S2");
    expect(revealedSteps({ ...base, step: 1, steps })).toEqual([]);
  });

  it("is empty for a question without steps, or none at all", () => {
    expect(revealedSteps(base)).toEqual([]);
    expect(revealedSteps(null)).toEqual([]);
  });
});

describe("the interviewer's step list", () => {
  it("marks the current step and the one to reveal next", () => {
    expect(stepRows({ ...base, step: 2, steps }).map((r) => [r.n, r.title, r.state])).toEqual([
      [1, "The question's prompt", "done"],
      [2, "Transactions", "current"],
      [3, "Expiry", "next"],
    ]);
    expect(stepRows({ ...base, steps }).map((r) => r.state)).toEqual(["current", "next", "later"]);
  });

  it("has nothing to list for a question without steps", () => {
    expect(stepRows({ ...base, steps: [] })).toEqual([]);
    expect(stepRows(base)).toEqual([]);
  });
});
