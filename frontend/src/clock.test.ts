import { describe, expect, it } from "vitest";
import { ServerClock, bestOffset, sampleFromPong } from "./clock";

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

describe("ServerClock", () => {
  it("reads the server's time from the best pong", () => {
    let local = 10_000;
    const clock = new ServerClock(8, () => local);
    clock.addPong(10_000, 70_040, 10_080); // rtt 80: offset 60_000
    clock.addPong(10_100, 70_120, 10_140); // rtt 40: offset 60_000
    clock.addPong(10_200, 90_000, 10_900); // rtt 700, a delayed outlier
    local = 20_000;
    expect(clock.offsetMs).toBe(60_000);
    expect(clock.now()).toBe(80_000);
  });

  it("uses room.state's server time only until a round trip is measured", () => {
    const clock = new ServerClock(8, () => 1_000);
    clock.seed(5_000);
    expect(clock.offsetMs).toBe(4_000);
    clock.addPong(1_000, 4_510, 1_020);
    expect(clock.offsetMs).toBe(3_500);
    clock.seed(9_999);
    expect(clock.offsetMs).toBe(3_500);
  });

  it("forgets old samples so a clock jump is followed", () => {
    let local = 0;
    const clock = new ServerClock(2, () => local);
    clock.addPong(0, 1_000, 10);
    clock.addPong(100, 1_100, 120);
    clock.addPong(200, 5_200, 250);
    clock.addPong(300, 5_300, 350);
    expect(clock.offsetMs).toBe(4_975);
  });
});
