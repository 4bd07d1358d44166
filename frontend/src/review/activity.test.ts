import { describe, expect, it } from "vitest";
import { axisStep, bucketEdits } from "./activity";

describe("bucketEdits", () => {
  const start = 1_000_000;
  const times = [start, start + 59_999, start + 60_000, start + 61_000, start + 150_000, start + 180_000];
  const seats = [1, 1, 2, 1, 2, null];

  it("counts each participant's edits per minute", () => {
    const activity = bucketEdits(times, seats, start, start + 180_000);
    expect(activity.totals).toEqual([2, 2, 2]);
    expect(activity.perSeat.get(1)).toEqual([2, 1, 0]);
    expect(activity.perSeat.get(2)).toEqual([0, 1, 1]);
    // An edit at the very end belongs to the last minute, not a new one.
    expect(activity.perSeat.get(null)).toEqual([0, 0, 1]);
  });

  it("has at least one bucket, and clamps edits outside the range", () => {
    const activity = bucketEdits([start - 5_000, start + 10], [1, 1], start, start);
    expect(activity.totals).toEqual([2]);
  });

  it("takes other bucket sizes", () => {
    expect(bucketEdits(times, seats, start, start + 180_000, 90_000).totals).toEqual([4, 2]);
  });
});

describe("axisStep", () => {
  it("labels every minute of a short interview and fewer of a long one", () => {
    expect(axisStep(150_000)).toBe(60_000);
    expect(axisStep(45 * 60_000)).toBe(10 * 60_000);
    expect(axisStep(60 * 60_000)).toBe(10 * 60_000);
    expect(axisStep(90 * 60_000)).toBe(15 * 60_000);
  });
});
