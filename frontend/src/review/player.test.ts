import { describe, expect, it } from "vitest";
import { advance, IDLE_SKIP_MS, LEAD_IN_MS, Player } from "./player";

describe("advance", () => {
  const activity = [1_000, 2_000, 60_000];

  it("plays real time at the wall clock's pace, idle stretches included", () => {
    expect(advance(2_000, 500, "realtime", activity, 100_000)).toBe(2_500);
    expect(advance(10_000, 1_000, "realtime", activity, 100_000)).toBe(11_000);
  });

  it("multiplies by the speed while things happen", () => {
    expect(advance(0, 100, 4, activity, 100_000)).toBe(400);
    expect(advance(1_000, 50, 32, [1_000, 2_000, 4_000], 100_000)).toBe(2_600);
  });

  it("skips an idle stretch to just before the next activity", () => {
    expect(60_000 - 2_000).toBeGreaterThan(IDLE_SKIP_MS);
    expect(advance(2_000, 16, 1, activity, 100_000)).toBe(60_000 - LEAD_IN_MS);
  });

  it("never passes the end", () => {
    expect(advance(99_000, 1_000, 32, activity, 100_000)).toBe(100_000);
    expect(advance(61_000, 16, 2, activity, 100_000)).toBe(100_000 - LEAD_IN_MS);
    expect(advance(99_990, 1_000, "realtime", activity, 100_000)).toBe(100_000);
  });
});

describe("Player.stepEdit", () => {
  const edits = [1_000, 3_000, 3_000, 7_000];
  const player = () => new Player(0, 10_000, edits, edits);

  it("steps forward edit by edit, then to the end", () => {
    const p = player();
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      p.stepEdit(1);
      seen.push(p.time);
    }
    expect(seen).toEqual([1_000, 3_000, 7_000, 10_000]);
  });

  it("steps back to just before the last edit shown", () => {
    const p = player();
    p.seek(7_000);
    p.stepEdit(-1);
    expect(p.time).toBe(3_000);
    p.stepEdit(-1);
    expect(p.time).toBe(1_000);
    p.stepEdit(-1);
    expect(p.time).toBe(0);
  });
});
