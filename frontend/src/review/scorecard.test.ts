import { describe, expect, it } from "vitest";
import { rubricLevels, scorecardRows } from "./scorecard";

describe("rubricLevels", () => {
  it("reads the bank's levels, in order", () => {
    const levels = rubricLevels([
      { score: 2, label: "Mixed", description: "Partly." },
      { score: 1, label: "Weak", description: "No." },
    ]);
    expect(levels).toEqual([
      { score: 1, label: "Weak", description: "No." },
      { score: 2, label: "Mixed", description: "Partly." },
    ]);
  });

  it("is null for a list of criteria or levels out of range", () => {
    expect(rubricLevels(["O(n) with a dict"])).toBeNull();
    expect(rubricLevels([{ score: 7, label: "?" }])).toBeNull();
    expect(rubricLevels([])).toBeNull();
  });
});

describe("scorecardRows", () => {
  it("lists every planned question with its rubric and any saved rating", () => {
    const rows = scorecardRows(
      {
        ratings: [{ question: 2, rating: 3, comment: "ok" }],
        recommendation: null,
        comment: "",
        questions: [
          { id: 1, title: "Two sum", rubric: ["dict"] },
          { id: 2, title: "LRU", rubric: [] },
        ],
      },
      [{ id: 1, title: "Two sum" }],
    );
    expect(rows).toEqual([
      { question: 1, rating: null, comment: "", title: "Two sum", rubric: ["dict"] },
      { question: 2, rating: 3, comment: "ok", title: "LRU", rubric: [] },
    ]);
  });
});
