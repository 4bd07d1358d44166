import { describe, expect, it } from "vitest";
import { countAtOrBefore, formatClock, momentHash, parseMoment, toMs } from "./time";

describe("formatClock", () => {
  it("shows m:ss, then h:mm:ss from an hour on", () => {
    expect(formatClock(0)).toBe("0:00");
    expect(formatClock(65_400)).toBe("1:05");
    expect(formatClock(3_600_000 + 5_000)).toBe("1:00:05");
    expect(formatClock(-5_000)).toBe("0:00");
  });
});

describe("moments in links", () => {
  it("reads seconds, m:ss and h:mm:ss", () => {
    expect(parseMoment("#t=65")).toBe(65_000);
    expect(parseMoment("#t=1:05")).toBe(65_000);
    expect(parseMoment("#t=1:00:05")).toBe(3_605_000);
    expect(parseMoment("")).toBeNull();
    expect(parseMoment("#t=soon")).toBeNull();
  });

  it("round-trips what the page writes", () => {
    for (const ms of [0, 35_000, 754_000, 3_605_000]) expect(parseMoment(momentHash(ms))).toBe(ms);
  });
});

describe("toMs and countAtOrBefore", () => {
  it("take ms or ISO, and count a sorted list up to a value", () => {
    expect(toMs("2026-01-01T00:00:01Z")).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));
    expect(toMs(5)).toBe(5);
    expect(toMs(null)).toBeNull();
    expect(toMs("nonsense")).toBeNull();
    expect(countAtOrBefore([1, 2, 2, 5], 2)).toBe(3);
    expect(countAtOrBefore([1, 2, 2, 5], 0)).toBe(0);
  });
});
