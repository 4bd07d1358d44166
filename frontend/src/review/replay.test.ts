import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { Replay, replayFromScratch } from "./replay";
import type { LogUpdate } from "./types";

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const TEXTS = { texts: ["q-1", "q-2"] };

/** People typing into shared Y.Texts; every update logged with its seat, one second apart. */
function recordSession(edits: [seat: number, edit: (doc: Y.Doc) => void][]) {
  const docs = new Map<number, Y.Doc>();
  const log: LogUpdate[] = [];
  const expected: string[] = [""];
  for (const [seat, edit] of edits) {
    if (!docs.has(seat)) {
      const doc = new Y.Doc();
      for (const other of docs.values()) Y.applyUpdate(doc, Y.encodeStateAsUpdate(other));
      docs.set(seat, doc);
    }
    const doc = docs.get(seat)!;
    const handler = (update: Uint8Array) => {
      log.push({ id: 100 + log.length, at: 1_000_000 + log.length * 1000, seat, data: toBase64(update) });
      for (const [other, d] of docs) if (other !== seat) Y.applyUpdate(d, update);
    };
    doc.on("update", handler);
    edit(doc);
    doc.off("update", handler);
    expected.push(doc.getText("q-1").toString());
  }
  return { log, expected };
}

const q1 = (f: (t: Y.Text) => void) => (doc: Y.Doc) => f(doc.getText("q-1"));

const session = () =>
  recordSession([
    [1, q1((t) => t.insert(0, "def f():\n"))],
    [2, q1((t) => t.insert(t.length, "    return 1\n"))],
    [1, q1((t) => t.delete(20, 1))],
    [1, q1((t) => t.insert(20, "42"))],
    [2, q1((t) => t.insert(0, "# answer\n"))],
    [2, q1((t) => t.delete(0, 9))],
    [1, q1((t) => t.insert(t.length, "print(f())  # 😀\n"))],
  ]);

describe("Replay", () => {
  it("shows the text as it stood after each update", () => {
    const { log, expected } = session();
    const replay = new Replay(log, { ...TEXTS, every: 3 });
    expected.forEach((text, p) => {
      replay.seek(p);
      expect(replay.text("q-1")).toBe(text);
    });
  });

  it("lands on the same text whichever way it gets there (checkpoints, backwards, far jumps)", () => {
    const { log, expected } = session();
    const replay = new Replay(log, { ...TEXTS, every: 2 });
    for (const p of [7, 0, 5, 1, 6, 6, 3, 2, 7, 4, 0]) {
      replay.seek(p);
      expect(replay.text("q-1")).toBe(expected[p]);
      expect(replay.position).toBe(p);
    }
  });

  it("agrees with a replay from scratch on random edits by three people in two texts", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const edits: [number, (doc: Y.Doc) => void][] = [];
    for (let i = 0; i < 400; i++) {
      const seat = 1 + Math.floor(random() * 3);
      const name = random() < 0.7 ? "q-1" : "q-2";
      const r = random();
      // No astral characters here: editors never split a surrogate pair, random offsets would.
      const word = ["a", "bc", "def\n", "ünï", "—", "  "][Math.floor(random() * 6)];
      edits.push([
        seat,
        (doc) => {
          const t = doc.getText(name);
          const at = Math.floor(r * (t.length + 1));
          const from = Math.min(at, Math.max(0, t.length - 1));
          const count = Math.min(3, t.length - from);
          if (r < 0.3 && t.length > 2) t.delete(from, count);
          else if (r < 0.4 && t.length > 2) doc.transact(() => (t.delete(from, count), t.insert(from, word))); // a replacement
          else t.insert(at, word);
        },
      ]);
    }
    const { log } = recordSession(edits);
    const replay = new Replay(log, { ...TEXTS, every: 37 });
    for (const p of [400, 0, 123, 37, 38, 399, 1, 250, 74, 200, 201, 13]) {
      replay.seek(p);
      const [a, b] = replayFromScratch(log, p, ["q-1", "q-2"]);
      expect([p, replay.text("q-1"), replay.text("q-2")]).toEqual([p, a, b]);
      // The author runs cover the text exactly.
      for (const name of ["q-1", "q-2"]) {
        const spans = replay.authors(name);
        expect(spans.reduce((n, s) => n + (s.to - s.from), 0)).toBe(replay.text(name).length);
      }
    }
  });

  it("maps an instant to the updates made by then", () => {
    const { log } = session();
    const replay = new Replay(log, TEXTS);
    expect(replay.positionAt(999_999)).toBe(0);
    expect(replay.positionAt(1_000_000)).toBe(1);
    expect(replay.positionAt(1_002_500)).toBe(3);
    expect(replay.positionAt(9_999_999)).toBe(log.length);
  });

  it("says who typed each run of characters", () => {
    const { log } = session();
    const replay = new Replay(log, TEXTS);
    replay.seek(4);
    // "def f():\n" by 1, "    return " by 2, "42" by 1, "\n" by 2.
    expect(replay.text("q-1")).toBe("def f():\n    return 42\n");
    expect(replay.authors("q-1")).toEqual([
      { from: 0, to: 9, seat: 1 },
      { from: 9, to: 20, seat: 2 },
      { from: 20, to: 22, seat: 1 },
      { from: 22, to: 23, seat: 2 },
    ]);
  });

  it("starts from a server checkpoint that precedes the updates it was given", () => {
    const { log, expected } = session();
    const folded = new Y.Doc();
    for (const u of log.slice(0, 3)) Y.applyUpdate(folded, Uint8Array.from(atob(u.data), (c) => c.charCodeAt(0)));
    const checkpoint = { upto: log[2].id, at: log[2].at, data: toBase64(Y.encodeStateAsUpdate(folded)) };
    const replay = new Replay(log.slice(3), { ...TEXTS, checkpoints: [checkpoint] });
    expect(replay.text("q-1")).toBe(expected[3]);
    replay.seek(replay.length);
    expect(replay.text("q-1")).toBe(expected[7]);
  });

  it("credits the server's updates (starter code) to nobody", () => {
    const { log } = recordSession([
      [1, q1((t) => t.insert(0, "def f():\n    pass\n"))],
      [2, q1((t) => t.insert(0, "# mine\n"))],
    ]);
    log[0].seat = null;
    const replay = new Replay(log, TEXTS);
    replay.seek(2);
    expect(replay.authors("q-1")).toEqual([
      { from: 0, to: 7, seat: 2 },
      { from: 7, to: 25, seat: null },
    ]);
  });
});
