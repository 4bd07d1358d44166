import { describe, expect, it } from "vitest";
import { recordingSpan } from "./span";

const ev = (at: number, type = "chat") => ({ at, type });

describe("recordingSpan", () => {
  it("runs from the start to the end of an ended room", () => {
    expect(recordingSpan(1_000, 61_000, [5_000, 9_000], [ev(0, "room.created"), ev(2_000)])).toEqual({ start: 1_000, end: 61_000 });
  });

  it("of a live room, runs to the last thing so far", () => {
    expect(recordingSpan(1_000, null, [5_000, 9_000], [ev(12_000)])).toEqual({ start: 1_000, end: 12_000 });
    expect(recordingSpan(1_000, null, [5_000, 20_000], [ev(12_000)])).toEqual({ start: 1_000, end: 20_000 });
  });

  it("without a start, begins at the first edit or event after the room was made", () => {
    expect(recordingSpan(null, null, [5_000], [ev(0, "room.created"), ev(3_000)])).toEqual({ start: 3_000, end: 5_000 });
  });

  it("of a room where nothing happened yet, is one second from its creation", () => {
    expect(recordingSpan(null, null, [], [ev(7_000, "room.created")])).toEqual({ start: 7_000, end: 8_000 });
    expect(recordingSpan(null, null, [], [], 42_000)).toEqual({ start: 42_000, end: 43_000 });
  });
});
