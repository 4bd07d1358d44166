import { describe, expect, it } from "vitest";
import { ChunkCursor } from "./chunks";

const state: [string, string][] = [
  ["stdout", "first\n"],
  ["stderr", "oops\n"],
];

describe("ChunkCursor", () => {
  it("prints what a joiner's state holds, then only the chunks after it", () => {
    const cursor = new ChunkCursor();
    expect(cursor.missing(state)).toEqual(state);
    expect(cursor.take(1)).toBe(false); // sent live as the state was read: printed already
    expect(cursor.take(2)).toBe(true);
    expect(cursor.take(3)).toBe(true);
  });

  it("takes every live chunk of a page that saw the run start", () => {
    const cursor = new ChunkCursor();
    expect([0, 1, 2].map((seq) => cursor.take(seq))).toEqual([true, true, true]);
    expect(cursor.take(undefined)).toBe(true); // a server that does not number them
  });

  it("prints only what a page missed while it was away", () => {
    const cursor = new ChunkCursor();
    cursor.take(0);
    expect(cursor.missing([...state, ["stdout", "third\n"]])).toEqual([state[1], ["stdout", "third\n"]]);
    expect(cursor.missing(state)).toEqual([]);
    expect(cursor.take(2)).toBe(false);
  });

  it("starts over for a new run", () => {
    const cursor = new ChunkCursor();
    cursor.missing(state);
    cursor.reset();
    expect(cursor.take(0)).toBe(true);
    expect(cursor.missing(null)).toEqual([]);
  });
});
