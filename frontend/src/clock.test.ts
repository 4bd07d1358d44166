import { describe, expect, it } from "vitest";
import { bestOffset, sampleFromPong } from "./clock";

describe("clock offset", () => {
  it("puts the server reading at the middle of the round trip", () => {
    const s = sampleFromPong(1000, 5050, 1100);
    expect(s.rttMs).toBe(100);
    expect(s.offsetMs).toBe(4000);
  });

  it("trusts the sample with the shortest round trip", () => {
    expect(bestOffset([{ offsetMs: 10, rttMs: 300 }, { offsetMs: 3, rttMs: 20 }])).toBe(3);
    expect(bestOffset([])).toBe(0);
  });
});
